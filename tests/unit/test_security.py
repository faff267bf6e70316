"""No outgoing request caused by a query, even through the rdflib reference engine."""

import socket
import urllib.request

import pytest

from itsm_prm.errors import QueryPolicyError
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.security import NetworkAccessBlocked, install_network_guard
from itsm_prm.terms import QueryResult


@pytest.fixture
def listener() -> socket.socket:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.setblocking(False)
    yield server
    server.close()


def _connections(server: socket.socket) -> int:
    count = 0
    while True:
        try:
            conn, _ = server.accept()
        except BlockingIOError:
            return count
        conn.close()
        count += 1


@pytest.mark.parametrize("engine", ["fixture_kg", "fixture_reference_kg"])
def test_service_is_refused(request: pytest.FixtureRequest, listener: socket.socket, engine: str) -> None:
    kg: KnowledgeGraph = request.getfixturevalue(engine)
    port = listener.getsockname()[1]
    with pytest.raises(QueryPolicyError):
        kg.query(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}")
    assert _connections(listener) == 0


def test_rdflib_cannot_fetch_even_without_the_policy(
    fixture_reference_kg: KnowledgeGraph, listener: socket.socket
) -> None:
    port = listener.getsockname()[1]
    url = f"http://127.0.0.1:{port}/data.ttl"
    result = fixture_reference_kg.store.query(f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}")
    assert isinstance(result, QueryResult) and result.rows == []  # FROM is not loaded
    with pytest.raises(Exception, match="blocks outgoing requests"):
        fixture_reference_kg.store.query(f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}")
    assert _connections(listener) == 0


def test_guard_blocks_urllib_in_this_process(listener: socket.socket) -> None:
    install_network_guard()
    install_network_guard()  # idempotent
    port = listener.getsockname()[1]
    with pytest.raises(NetworkAccessBlocked):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)  # noqa: S310 (the point of the test)
    assert _connections(listener) == 0
