"""Answers to repeated GET requests, served before routing.

The reference data is immutable for the life of a dataset, so the same request line and ``Accept``
header always get the same answer. Routes that answer from that data call :func:`remember` with
their 200 response; :class:`CachedAnswers`, an ASGI middleware, then serves the next identical GET
(or HEAD) itself — no routing, parameter parsing, thread pool or query — and answers a matching
``If-None-Match`` with 304.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from itsm_prm.api.deps import etag_matches

RawRequest = tuple[str, bytes, str | None]  # path, query string, Accept
KEPT_HEADERS = ("content-type", "etag", "cache-control", "vary", "content-disposition")


class AnswerStore:
    """A thread-safe LRU of answers, bounded in entries and in bytes."""

    def __init__(self, max_entries: int = 4096, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[RawRequest, tuple[bytes, list[tuple[bytes, bytes]]]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: RawRequest) -> tuple[bytes, list[tuple[bytes, bytes]]] | None:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def put(self, key: RawRequest, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
        if len(body) > self.max_bytes // 8:  # one big answer must not evict everything else
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old[0])
            self._items[key] = (body, headers)
            self._bytes += len(body)
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                _, (dropped, _) = self._items.popitem(last=False)
                self._bytes -= len(dropped)

    def __len__(self) -> int:
        return len(self._items)


def _store(app: object) -> AnswerStore:
    state = app.state  # type: ignore[attr-defined]
    store = getattr(state, "answer_store", None)
    if store is None:
        store = state.answer_store = AnswerStore()
    return store


def raw_request(scope: Scope) -> RawRequest:
    accept = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"accept"), None)
    return scope["path"], scope["query_string"], accept


def _authorized(scope: Scope) -> bool:
    return any(k == b"authorization" for k, _ in scope["headers"])


def remember(request: Request, response: Response) -> None:
    """Keep a 200 answer to a GET so that the same request is answered before routing next time."""
    if request.method != "GET" or response.status_code != 200 or _authorized(request.scope):
        return
    headers = [(k, v) for k, v in response.raw_headers if k.decode("latin-1") in KEPT_HEADERS]
    _store(request.app).put(raw_request(request.scope), bytes(response.body), headers)


def _etag_matches(scope: Scope, headers: list[tuple[bytes, bytes]]) -> bool:
    wanted = next((v for k, v in scope["headers"] if k == b"if-none-match"), None)
    etag = next((v for k, v in headers if k == b"etag"), None)
    if wanted is None or etag is None:
        return False
    return etag_matches(wanted.decode("latin-1"), etag.decode("latin-1"))


class CachedAnswers:
    """ASGI middleware: serve remembered answers to GET and HEAD requests.

    A request with an ``Authorization`` header is never answered from, nor kept in, the store (its
    answer may depend on who asks), and its answer says ``Cache-Control: private, no-store``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and _authorized(scope):
            await self.app(scope, receive, _private(send))
            return
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and "app" in scope:
            hit = _store(scope["app"]).get(raw_request(scope))
            if hit is not None:
                body, headers = hit
                if _etag_matches(scope, headers):
                    status, body = 304, b""
                    headers = [(k, v) for k, v in headers if k != b"content-type"]
                else:
                    status = 200
                    headers = [*headers, (b"content-length", str(len(body)).encode())]
                await send({"type": "http.response.start", "status": status, "headers": headers})
                await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
                return
        await self.app(scope, receive, send)


def _private(send: Send) -> Send:
    """``send`` with the answer's Cache-Control set to ``private, no-store``."""

    async def private_send(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
            message = {**message, "headers": [*headers, (b"cache-control", b"private, no-store")]}
        await send(message)

    return private_send
