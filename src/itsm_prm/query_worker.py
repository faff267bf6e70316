"""One query worker process: an in-memory Oxigraph store that answers SPARQL over pipes.

Started by :class:`itsm_prm.executor.QueryExecutor` as ``python -P query_worker.py DATASET …``:
this file runs as a script, so it must import nothing but pyoxigraph and the standard library
(importing the ``itsm_prm`` package would cost half a second per worker start).

Protocol, on stdin/stdout: every message is a frame (4-byte big-endian length + payload).
The worker first sends a JSON "ready" frame; then, per request (one JSON frame), it answers
with a JSON header frame and a body frame. Results are serialised here, by pyoxigraph, into a
writer that stops at the result-size limit. The parent enforces the time limit by killing us.
"""

from __future__ import annotations

import json
import os
import resource
import struct
import sys
import time
from collections.abc import Callable
from typing import IO, Any

import pyoxigraph as ox

_LENGTH = struct.Struct(">I")

RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
}
# formats where prefixes make the answer readable (N-Triples has none; JSON-LD ignores them)
_WITH_PREFIXES = {"text/turtle", "application/rdf+xml"}


class TooLarge(Exception):
    """The answer grew past the result-size limit."""


class LimitedWriter:
    """A binary sink for pyoxigraph's serialisers that refuses to grow past ``limit`` bytes."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.buffer = bytearray()
        self.exceeded = False

    def write(self, data: bytes) -> int:
        if len(self.buffer) + len(data) > self.limit:
            self.exceeded = True
            raise TooLarge
        self.buffer += data
        return len(data)

    def flush(self) -> None:
        pass


def _read_frame(stream: IO[bytes]) -> bytes | None:
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None  # the parent closed the pipe: time to go
    (size,) = _LENGTH.unpack(head)
    payload = stream.read(size)
    return payload if len(payload) == size else None


def _write_frames(stream: IO[bytes], *payloads: bytes) -> None:
    for payload in payloads:
        stream.write(_LENGTH.pack(len(payload)))
        stream.write(payload)
    stream.flush()


def _term(spec: list[Any]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    kind, value, datatype, lang = spec
    if kind == "iri":
        return ox.NamedNode(value)
    if kind == "bnode":
        return ox.BlankNode(value)
    if lang:
        return ox.Literal(value, language=lang)
    return ox.Literal(value, datatype=ox.NamedNode(datatype) if datatype else None)


def _graphs(iris: list[str] | None) -> list[ox.NamedNode] | None:
    return None if iris is None else [ox.NamedNode(iri) for iri in iris]


def answer(store: ox.Store, request: dict[str, Any], limit: int, prefixes: dict[str, str]) -> dict[str, Any]:
    """Run one request; returns the header (``ok``, ``kind``…) with the body under ``body``.

    ``extra`` (N-Quads text) is data that joins the dataset for this request only, e.g. an
    organisation's own assessments: loaded before, removed after, whatever happens.
    """
    extra_graphs = [ox.NamedNode(g) for g in request.get("extra_graphs") or []]
    if not extra_graphs:
        return _answer(store, request, limit, prefixes)
    try:
        store.load(request["extra"].encode("utf-8"), format=ox.RdfFormat.N_QUADS)
        return _answer(store, request, limit, prefixes)
    finally:
        for graph in extra_graphs:
            store.remove_graph(graph)


def _answer(store: ox.Store, request: dict[str, Any], limit: int, prefixes: dict[str, str]) -> dict[str, Any]:
    media_type = request["media_type"]
    options: dict[str, Any] = {"use_default_graph_as_union": request["union"]}
    if request["default_graphs"] is not None:
        options["default_graph"] = _graphs(request["default_graphs"])
    if request["named_graphs"] is not None:
        options["named_graphs"] = _graphs(request["named_graphs"])
    if request["bindings"]:
        options["substitutions"] = {ox.Variable(k): _term(v) for k, v in request["bindings"].items()}
    try:
        result = store.query(request["query"], **options)
    except SyntaxError as exc:
        return {"ok": False, "error": "syntax", "message": str(exc)}
    except (RuntimeError, ValueError, OSError) as exc:
        return {"ok": False, "error": "query", "message": str(exc)}
    kind = (
        "ask"
        if isinstance(result, ox.QueryBoolean)
        else "select"
        if isinstance(result, ox.QuerySolutions)
        else "graph"
    )
    writer = LimitedWriter(limit)
    serialise: Callable[[], object]
    if kind == "graph":
        if media_type not in GRAPH_FORMATS:
            return {"ok": False, "error": "format", "message": f"a graph cannot be written as {media_type}"}
        fmt = GRAPH_FORMATS[media_type]
        used = prefixes if media_type in _WITH_PREFIXES else None
        serialise = lambda: ox.serialize(result, writer, fmt, prefixes=used)  # noqa: E731
    else:
        if media_type not in RESULT_FORMATS:
            message = f"{kind} results cannot be written as {media_type}"
            return {"ok": False, "error": "format", "message": message}
        serialise = lambda: result.serialize(writer, RESULT_FORMATS[media_type])  # noqa: E731
    try:
        serialise()
    except Exception as exc:
        if writer.exceeded:
            return {"ok": False, "error": "too_large", "message": str(limit)}
        return {"ok": False, "error": "query", "message": str(exc)}
    return {"ok": True, "kind": kind, "media_type": media_type, "body": bytes(writer.buffer)}


def die_with_parent(parent: int) -> None:
    """Ask Linux to kill us when the parent goes, so no worker outlives a killed server."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, 9)  # PR_SET_PDEATHSIG, SIGKILL
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(0)


def _limit_memory(extra_bytes: int) -> None:
    """Cap the address space at what the loaded store uses plus ``extra_bytes`` for one query:
    a runaway query then fails to allocate (the worker dies) instead of exhausting the machine."""
    if extra_bytes <= 0:
        return
    with open("/proc/self/statm") as statm:
        current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    resource.setrlimit(resource.RLIMIT_AS, (current + extra_bytes, current + extra_bytes))


def main(argv: list[str]) -> int:
    dataset, max_bytes, parent, memory_limit = argv[0], int(argv[1]), int(argv[2]), int(argv[3])
    die_with_parent(parent)
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # stray prints must not corrupt the protocol
    inp = sys.stdin.buffer
    started = time.perf_counter()
    try:
        prefixes = json.loads(_read_frame(inp) or b"{}")
        store = ox.Store()
        store.bulk_load(path=dataset, format=ox.RdfFormat.N_QUADS)
        if sys.platform.startswith("linux"):
            _limit_memory(memory_limit)
    except Exception as exc:  # a missing or broken dataset: tell the parent, then stop
        _write_frames(out, json.dumps({"ready": False, "error": f"{type(exc).__name__}: {exc}"}).encode())
        return 1
    ready = {"ready": True, "pid": os.getpid(), "seconds": round(time.perf_counter() - started, 4)}
    _write_frames(out, json.dumps(ready).encode())
    while (frame := _read_frame(inp)) is not None:
        reply = answer(store, json.loads(frame), max_bytes, prefixes)
        body = reply.pop("body", b"")
        _write_frames(out, json.dumps(reply).encode(), body)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
