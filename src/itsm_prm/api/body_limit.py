"""Refuse request bodies over the limit (413), before a route spends time or memory on them.

Checked twice: on ``Content-Length`` before anything is read, and while the body streams in
(chunked uploads carry no length). A pure ASGI middleware, so the body is never buffered here.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from itsm_prm.executor import size_text


class BodyTooLarge(Exception):
    """Raised inside ``receive`` once the streamed body passes the limit."""


class BodySizeLimit:
    """ASGI middleware: HTTP requests with a body over ``max_bytes`` get 413 with the limit named."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _refusal(self) -> JSONResponse:
        message = (
            f"request body larger than the limit of {size_text(self.max_bytes)} (ITSM_PRM_MAX_BODY_BYTES)"
        )
        headers = {"Connection": "close"}  # the rest of the body is not read
        return JSONResponse({"error": message, "status": 413}, status_code=413, headers=headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0  # the server rejects a malformed length itself
                if declared > self.max_bytes:
                    await self._refusal()(scope, receive, send)
                    return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if started:  # too late for a clean answer: let the server drop the connection
                raise
            await self._refusal()(scope, receive, send)
