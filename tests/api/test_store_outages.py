"""A SPARQL server behind the service that goes down or is slow: the service answers 502 / 504 with a
readable message, keeps running, and answers again as soon as the server is back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from itsm_prm.api import create_app
from itsm_prm.config import Settings
from itsm_prm.knowledge_graph import load
from tests.servers import SparqlServer, _started, make_oxigraph_server

ASK = {"query": "ASK { ?s ?p ?o }"}
# answers to the reference data are cached: each check below asks something not asked before
DOWN, BACK = ({"query": f"ASK {{ ?s a ?class }} # {n}"} for n in ("down", "back"))
# 16,000 × 16,000 triples: minutes of work for the server, so the answer cannot come in time
SLOW = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"}


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[SparqlServer]:
    """A server of this test's own: it is stopped, restarted and kept busy here."""
    server = _started(make_oxigraph_server, tmp_path)
    yield server
    server.stop()


def _client(settings: Settings, server: SparqlServer, **overrides: object) -> TestClient:
    changed = settings.model_copy(update={"store": server.store_spec, **server.settings_overrides, **overrides})
    return TestClient(create_app(changed, load(settings=changed)))


def test_a_server_that_goes_down_is_502_and_the_service_recovers(
    settings: Settings, own_server: SparqlServer
) -> None:
    with _client(settings, own_server, sparql_timeout_s=5) as client:
        assert client.get("/sparql", params=ASK).status_code == 200
        own_server.stop()
        for response in (
            client.get("/sparql", params=DOWN),
            client.get("/api/queries/process-outcomes", params={"process": "INC"}),
            client.get("/id/process/PRO", headers={"Accept": "text/turtle"}),
            client.get("/healthz"),
        ):
            assert response.status_code == 502, response.text
            assert "did not answer" in response.json()["error"]
            assert "Traceback" not in response.text
        own_server.start()  # same port, same data
        assert client.get("/sparql", params=BACK).json()["boolean"] is True
        assert client.get("/id/process/PRO", headers={"Accept": "text/turtle"}).status_code == 200
        assert client.get("/healthz").json()["status"] == "ok"


def test_a_slow_server_is_504_and_the_service_keeps_answering(
    settings: Settings, own_server: SparqlServer
) -> None:
    with _client(settings, own_server, query_timeout_s=1.0) as client:
        slow = client.get("/sparql", params=SLOW)
        assert slow.status_code == 504, slow.text
        assert "did not answer in time" in slow.json()["error"]
        assert "ITSM_PRM_QUERY_TIMEOUT_S" in slow.json()["error"]
        assert client.get("/sparql", params=BACK).json()["boolean"] is True  # meanwhile: still served
