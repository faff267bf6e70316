"""Fixtures of the remote-store tests: a RemoteStore on each real server (``oxigraph serve`` and
Virtuoso, from tests/servers.py), fresh graph names, and a server that answers too slowly."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from itsm_prm.config import Settings
from itsm_prm.store.remote import RemoteStore
from tests.servers import HOST, SparqlServer

SERVERS = ["oxigraph", "virtuoso"]


def store_for(server: SparqlServer, **overrides: object) -> RemoteStore:
    """A RemoteStore configured the way ``--store sparql:URL`` configures one, from Settings."""
    settings = Settings(store=server.store_spec, **{**server.settings_overrides, **overrides})
    return RemoteStore.from_settings(server.query_url, settings)


@pytest.fixture(params=SERVERS)
def server(request: pytest.FixtureRequest) -> SparqlServer:
    """Each real server in turn."""
    return request.getfixturevalue(f"{request.param}_server")


@pytest.fixture
def store(server: SparqlServer) -> Iterator[RemoteStore]:
    st = store_for(server)
    yield st
    st.close()


@pytest.fixture
def fresh_graph(store: RemoteStore) -> Iterator[Callable[[], str]]:
    """Makes graph IRIs no other test uses; drops them afterwards (the servers live for the session)."""
    made: list[str] = []

    def make() -> str:
        made.append(f"http://test.example/graph/{uuid.uuid4().hex}")
        return made[-1]

    yield make
    for graph in made:
        store.drop_graph(graph)


class _SlowHandler(BaseHTTPRequestHandler):
    delay_s = 3.0

    def do_POST(self) -> None:  # noqa: N802  (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        time.sleep(self.delay_s)
        body = b'{"head":{},"boolean":true}'
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/sparql-results+json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up meanwhile
            pass

    do_PUT = do_POST  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def _serve(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """Run ``handler`` on a free loopback port in a thread; yields the base URL."""
    httpd = ThreadingHTTPServer((HOST, 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://{HOST}:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(10)


@pytest.fixture(scope="session")
def slow_server() -> Iterator[str]:
    """A local HTTP server that takes 3 s to answer anything: its base URL."""
    yield from _serve(_SlowHandler)


class _PartialHandler(BaseHTTPRequestHandler):
    """Answers like Virtuoso at its time limit: some rows, and a sign that they are not all."""

    def do_POST(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b'{"head":{"vars":["s"]},"results":{"bindings":[{"s":{"type":"uri","value":"http://x/1"}}]}}'
        anytime_206 = self.path.startswith("/206")
        self.send_response(206 if anytime_206 else 200)
        if not anytime_206:
            self.send_header("X-SQL-State", "S1TAT")
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="session")
def partial_server() -> Iterator[str]:
    """A local HTTP server that sends partial SPARQL answers the way Virtuoso marks them."""
    yield from _serve(_PartialHandler)
