"""The public endpoint is read-only, never reaches the network for a client, and stops queries
at their time and size limits while it keeps serving others.

A canary HTTP server on 127.0.0.1 records every connection: SERVICE, LOAD and FROM pointing at it
must leave it untouched. A control test shows that the canary does see Oxigraph's requests.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from httpx import Response

PROCESS = "https://w3id.org/itsm-prm/ontology#Process"
COUNT_ALL = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
# COUNT over a 4-way cross product of every triple: ~10^14 rows, a blocking operator Oxigraph
# cannot interrupt in-process
EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


class Canary:
    """A loopback HTTP server that remembers every connection it accepts."""

    def __init__(self) -> None:
        hits: list[str] = []

        class Handler(BaseHTTPRequestHandler):
            def handle(self) -> None:
                hits.append(self.client_address[0])
                super().handle()

            def _answer(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "application/sparql-results+json")
                self.end_headers()
                self.wfile.write(b'{"head":{"vars":[]},"results":{"bindings":[{}]}}')

            do_GET = do_POST = do_HEAD = do_PUT = _answer  # noqa: N815

            def log_message(self, *args: object) -> None:
                pass

        self.hits = hits
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def canary() -> Iterator[Canary]:
    listener = Canary()
    yield listener
    listener.close()


def error_of(response: Response) -> str:
    return response.json()["error"]


# ---------------------------------------------------------------- the canary works


def test_control_oxigraph_would_call_the_canary(canary: Canary) -> None:
    """Without our gate, Oxigraph executes SERVICE (tooling baseline §7): the canary sees it."""
    store = ox.Store()
    with contextlib.suppress(Exception):  # the canary's answer does not matter, its visitor does
        list(store.query(f"SELECT * WHERE {{ SERVICE <{canary.url}> {{ ?s ?p ?o }} }}"))
    assert canary.hits


# ---------------------------------------------------------------- read-only

UPDATES = [
    "INSERT DATA { <https://example.org/s> <https://example.org/p> 1 }",
    "DELETE WHERE { ?s ?p ?o }",
    f"DELETE {{ ?s a <{PROCESS}> }} INSERT {{ ?s a <https://example.org/Gone> }} WHERE {{ ?s a <{PROCESS}> }}",
    "CLEAR ALL",
    "DROP GRAPH <https://w3id.org/itsm-prm/graph/prm>",
    "CREATE GRAPH <https://example.org/g>",
    "COPY <https://w3id.org/itsm-prm/graph/prm> TO <https://example.org/g>",
    "MOVE DEFAULT TO <https://example.org/g>",
    "ADD <https://w3id.org/itsm-prm/graph/prm> TO DEFAULT",
    "INSERT DATA { <https://example.org/s> <https://example.org/p> 1 } ; CLEAR ALL",
    "INSERT DATA { <https://example.org/s> <https://example.org/p> }",  # malformed, still an update
]


def send_as(client: TestClient, route: str, text: str) -> Response:
    if route == "GET update=":
        return client.get("/sparql", params={"update": text})
    if route == "POST form update=":
        return client.post("/sparql", data={"update": text})
    if route == "POST application/sparql-update":
        return client.post("/sparql", content=text, headers={"Content-Type": "application/sparql-update"})
    if route == "GET query=":
        return client.get("/sparql", params={"query": text})
    if route == "POST form query=":
        return client.post("/sparql", data={"query": text})
    assert route == "POST application/sparql-query"
    return client.post("/sparql", content=text, headers={"Content-Type": "application/sparql-query"})


ROUTES = [
    "GET update=",
    "POST form update=",
    "POST application/sparql-update",
    "GET query=",
    "POST form query=",
    "POST application/sparql-query",
]


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused_by_every_route(client: TestClient, route: str, update: str) -> None:
    before = client.get("/sparql", params={"query": COUNT_ALL + " # before"}).json()
    response = send_as(client, route, update)
    assert response.status_code == 403
    assert error_of(response).startswith("this endpoint is read-only: SPARQL Update")
    after = client.get("/sparql", params={"query": COUNT_ALL + " # after"}).json()
    assert after == before


def test_the_refusal_names_the_operations(client: TestClient) -> None:
    response = client.post("/sparql", data={"update": UPDATES[-2]})
    assert error_of(response) == "this endpoint is read-only: SPARQL Update (INSERT DATA, CLEAR) is refused"


@pytest.mark.parametrize("route", ROUTES)
def test_load_never_reaches_the_network(client: TestClient, canary: Canary, route: str) -> None:
    for text in (
        f"LOAD <{canary.url}data.ttl>",
        f"LOAD SILENT <{canary.url}> INTO GRAPH <https://example.org/g>",
    ):
        response = send_as(client, route, text)
        assert response.status_code == 403 and "read-only" in error_of(response)
    time.sleep(0.2)  # give a stray request time to arrive before looking
    assert canary.hits == []


# ---------------------------------------------------------------- no federation


def service_queries(url: str) -> list[str]:
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        # rdflib decodes \u escapes before parsing: a keyword filter would miss this one
        f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?x a ?class OPTIONAL {{ SERVICE <{url}> {{ ?x ?p ?o }} }} }}",
        f"SELECT * WHERE {{ {{ SELECT ?s WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }}",
        f"ASK {{ FILTER EXISTS {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX c: <{url}> SELECT * WHERE {{ SERVICE c: {{ ?s ?p ?o }} }}",
    ]


@pytest.mark.parametrize("route", ["GET query=", "POST form query=", "POST application/sparql-query"])
def test_service_leaves_a_local_listener_untouched(client: TestClient, canary: Canary, route: str) -> None:
    for query in service_queries(canary.url):
        response = send_as(client, route, query)
        assert response.status_code == 403, query
        assert error_of(response) == "federated queries (SERVICE) are not allowed"
    time.sleep(0.2)
    assert canary.hits == []


def test_service_after_a_hash_is_refused_too(client: TestClient, canary: Canary) -> None:
    """rdflib's parser rejects valid queries that have a ``#`` (in an IRI) before SERVICE: such a
    query gets 400 instead of 403, and still never runs."""
    query = f"SELECT * WHERE {{ ?x a <{PROCESS}> . SERVICE <{canary.url}> {{ ?x ?p ?o }} }}"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code in (400, 403)
    time.sleep(0.2)
    assert canary.hits == []


def test_from_does_not_fetch(client: TestClient, canary: Canary) -> None:
    query = f"SELECT * FROM <{canary.url}data.ttl> FROM NAMED <{canary.url}g> WHERE {{ ?s ?p ?o }}"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200 and response.json()["results"]["bindings"] == []
    time.sleep(0.2)
    assert canary.hits == []


# ---------------------------------------------------------------- limits


def test_explosive_query_is_stopped_while_another_is_answered(make_client: Callable[..., TestClient]) -> None:
    client = make_client(query_timeout_s=1, query_workers=2)
    executor = client.app.state.executor  # type: ignore[attr-defined]
    finished: dict[str, tuple[float, Response]] = {}

    def explode() -> None:
        response = client.get("/sparql", params={"query": EXPLOSIVE})
        finished["explosive"] = (time.monotonic(), response)

    runaway = threading.Thread(target=explode)
    runaway.start()
    time.sleep(0.2)  # let the explosive query reach its worker
    simple = client.get("/sparql", params={"query": f"ASK {{ ?p a <{PROCESS}> }}"})
    simple_done = time.monotonic()
    runaway.join(timeout=30)
    assert not runaway.is_alive()
    assert simple.status_code == 200 and simple.json()["boolean"] is True
    stopped_at, stopped = finished["explosive"]
    assert simple_done < stopped_at  # answered while the runaway query was still running
    assert stopped.status_code == 503
    assert error_of(stopped) == "query time limit of 1 s exceeded (ITSM_PRM_QUERY_TIMEOUT_S)"
    assert stopped.headers["retry-after"] == "1"
    # free again at once, and the killed worker is replaced
    assert client.get("/sparql", params={"query": COUNT_ALL}).status_code == 200
    deadline = time.monotonic() + 30
    while executor.alive() < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert executor.alive() == 2
    assert client.get("/healthz").json()["query_workers"] == 2


def test_result_size_limit(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_result_bytes=16 * 1024)
    for query in ("SELECT * WHERE { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }"):
        response = client.get("/sparql", params={"query": query})
        assert response.status_code == 413
        assert error_of(response) == (
            "result-size limit exceeded: the answer is larger than 16 KB (ITSM_PRM_MAX_RESULT_BYTES)"
        )
    small = client.get("/sparql", params={"query": f"ASK {{ ?p a <{PROCESS}> }}"})
    assert small.status_code == 200


def test_oversized_body_is_refused(client: TestClient) -> None:
    limit = 1024 * 1024  # the default ITSM_PRM_MAX_BODY_BYTES
    padding = "#" * limit
    response = client.post(
        "/sparql", content=f"ASK {{}} {padding}", headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 413
    assert error_of(response) == "request body larger than the limit of 1 MB (ITSM_PRM_MAX_BODY_BYTES)"
    form = client.post("/sparql", data={"query": "ASK {} " + padding})
    assert form.status_code == 413


def test_oversized_body_without_a_length_is_refused_while_streaming(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"ASK {} "
        for _ in range(40):
            yield b"#" * 64 * 1024  # 2.5 MB in all, sent chunked (no Content-Length)

    response = client.post("/sparql", content=chunks(), headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413 and "ITSM_PRM_MAX_BODY_BYTES" in error_of(response)


def test_a_body_under_the_limit_is_fine(client: TestClient) -> None:
    query = "ASK { ?s ?p ?o } " + "#" * (512 * 1024)
    response = client.post("/sparql", content=query, headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 200
