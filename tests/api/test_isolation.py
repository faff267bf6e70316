"""Organisations are isolated: A can neither read, list, query nor delete B's assessments by any route;
a missing, wrong or revoked token gets 401 (an organisation's token where an administrator's is needed,
403) and nothing else; the public face of the service shows no stored assessment.

Two organisations each store the valid example; every route is then asked by A about B — on every store
of the API suite. What is stored here is deleted at the end.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from itsm_prm.api import create_app
from itsm_prm.config import Settings
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.tokens import TokenStore
from tests.api.test_assessment_repository import remove_everything_stored

VALID = Path(__file__).resolve().parents[2] / "data" / "examples" / "assessments" / "valid-all-ten.ttl"
BASE = "https://w3id.org/itsm-prm/"
ASMT = "https://w3id.org/itsm-prm/assessment#"
SRJ = "application/sparql-results+json"


@dataclass
class World:
    client: TestClient
    tokens: TokenStore
    a: dict[str, str]  # Authorization headers
    b: dict[str, str]
    admin: dict[str, str]
    revoked: dict[str, str]
    a_id: str
    b_id: str

    def graph(self, assessment_id: str) -> str:
        return f"{BASE}graph/assessments/{assessment_id}"


def _auth(text: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {text}"}


@pytest.fixture(scope="module")
def world(
    store_settings: Settings, store_kg: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    tokens = TokenStore(tmp_path_factory.mktemp("isolation") / "tokens.json")
    own = store_settings.model_copy(update={"tokens_file": tokens.path, "query_workers": 1})
    kg = store_kg
    with TestClient(create_app(own, kg)) as client:
        a = _auth(tokens.create("org-a")[1])
        b = _auth(tokens.create("org-b")[1])
        admin = _auth(tokens.create(None, admin=True)[1])
        record, text = tokens.create("org-a", label="revoked")
        tokens.revoke(record.token_id)
        ids = []
        for headers in (a, b):
            response = client.post(
                "/api/assessments",
                content=VALID.read_bytes(),
                headers={**headers, "Content-Type": "text/turtle"},
            )
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
        yield World(client, tokens, a, b, admin, _auth(text), ids[0], ids[1])
    remove_everything_stored(kg)


def sparql(
    world: World, query: str, headers: dict[str, str] | None = None, **params: str | list[str]
) -> dict:
    response = world.client.get(
        "/sparql", params={"query": query, **params}, headers={"Accept": SRJ, **(headers or {})}
    )
    assert response.status_code == 200, response.text
    return response.json()


def rows(document: dict) -> list[dict]:
    return document["results"]["bindings"]


# ---------------------------------------------------------------- the repository's routes


def test_a_lists_only_its_own(world: World) -> None:
    listed = world.client.get("/api/assessments", headers=world.a).json()
    assert [item["id"] for item in listed["assessments"]] == [world.a_id]
    assert world.b_id not in json.dumps(listed)


@pytest.mark.parametrize("suffix", ["", "?format=ttl", "?format=nq", "?format=json", "/profile"])
def test_a_cannot_read_bs_assessment(world: World, suffix: str) -> None:
    response = world.client.get(f"/api/assessments/{world.b_id}{suffix}", headers=world.a)
    missing = world.client.get(f"/api/assessments/{'0' * 32}{suffix}", headers=world.a)
    assert response.status_code == missing.status_code == 404
    # the same answer as for an id that does not exist: B's assessment does not even show it exists
    assert response.json() == {
        **missing.json(),
        "error": missing.json()["error"].replace("0" * 32, world.b_id),
    }


def test_a_cannot_delete_bs_assessment(world: World) -> None:
    assert world.client.delete(f"/api/assessments/{world.b_id}", headers=world.a).status_code == 404
    assert world.client.get(f"/api/assessments/{world.b_id}", headers=world.b).status_code == 200


# ---------------------------------------------------------------- /sparql


def test_sparql_with_a_token_sees_the_organisations_own_graph(world: World) -> None:
    query = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?g a <{ASMT}StoredAssessment> }} }}"
    assert [r["g"]["value"] for r in rows(sparql(world, query, world.a))] == [world.graph(world.a_id)]
    assert [r["g"]["value"] for r in rows(sparql(world, query, world.b))] == [world.graph(world.b_id)]
    # and the reference data as before
    processes = "SELECT ?p WHERE { ?p a <https://w3id.org/itsm-prm/ontology#Process> }"
    assert len(rows(sparql(world, processes, world.a))) == 10


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }} LIMIT 5",
        "SELECT * FROM <{g}> WHERE {{ ?s ?p ?o }} LIMIT 5",
        "SELECT * FROM NAMED <{g}> WHERE {{ GRAPH ?x {{ ?s ?p ?o }} }} LIMIT 5",
        "SELECT * WHERE {{ <{g}> ?p ?o }} LIMIT 5",
        "SELECT * WHERE {{ GRAPH ?x {{ <{g}> ?p ?o }} }} LIMIT 5",
    ],
)
def test_sparql_never_reaches_another_organisations_graph(world: World, template: str) -> None:
    query = template.format(g=world.graph(world.b_id))
    assert rows(sparql(world, query, world.a)) == []
    own = template.format(g=world.graph(world.a_id))
    assert rows(sparql(world, own, world.a)), "the same query reaches A's own graph"


def test_sparql_protocol_graphs_do_not_widen_the_dataset(world: World) -> None:
    g = world.graph(world.b_id)
    query = f"SELECT * WHERE {{ {{ <{g}> ?p ?o }} UNION {{ GRAPH ?g {{ <{g}> ?p ?o }} }} }}"
    assert rows(sparql(world, query, world.a, **{"default-graph-uri": g})) == []
    assert rows(sparql(world, query, world.a, **{"named-graph-uri": g})) == []
    posted = world.client.post(
        "/sparql",
        data={"query": query, "default-graph-uri": g, "named-graph-uri": g},
        headers={**world.a, "Accept": SRJ},
    )
    assert posted.status_code == 200 and rows(posted.json()) == []


def test_public_sparql_shows_no_assessment(world: World) -> None:
    for query in (
        f"ASK {{ GRAPH ?g {{ ?s a <{ASMT}StoredAssessment> }} }}",
        f"ASK {{ ?s a <{ASMT}Assessment> }}",
        f"ASK {{ ?s <{ASMT}derivedCapabilityLevel> ?o }}",
        f"ASK {{ GRAPH <{world.graph(world.a_id)}> {{ ?s ?p ?o }} }}",
        f"ASK {{ GRAPH <{BASE}graph/assessments> {{ ?s ?p ?o }} }}",
    ):
        assert sparql(world, query)["boolean"] is False, query
        # an administrator's token adds no organisation's graph either
        assert sparql(world, query, world.admin)["boolean"] is False, query
    graphs = rows(sparql(world, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"))
    assert graphs and not any("/graph/assessments" in r["g"]["value"] for r in graphs)


def test_private_answers_are_neither_cached_nor_shared(world: World) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    public = world.client.get("/sparql", params={"query": query}, headers={"Accept": SRJ})
    again = world.client.get("/sparql", params={"query": query}, headers={"Accept": SRJ})
    assert public.json() == again.json() and "public" in public.headers["cache-control"]
    private = world.client.get("/sparql", params={"query": query}, headers={"Accept": SRJ, **world.a})
    assert private.headers["cache-control"] == "private, no-store" and "etag" not in private.headers
    assert private.json() != public.json()  # A's own graph counts: the public answer was not reused
    after = world.client.get("/sparql", params={"query": query}, headers={"Accept": SRJ})
    assert after.json() == public.json()  # and A's answer was not kept for the public


# ---------------------------------------------------------------- named queries


def test_history_is_the_callers_own(world: World) -> None:
    response = world.client.get("/api/queries/assessment-history", headers=world.a)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "private, no-store"
    found = rows(response.json())
    assert len(found) == 10
    assert {r["organisation"]["value"] for r in found} == {f"{BASE}id/organisation/org-a"}
    assert {r["assessmentGraph"]["value"] for r in found} == {world.graph(world.a_id)}
    # the organisation comes from the token, never from the request
    forged = world.client.get(
        "/api/queries/assessment-history",
        params={"organisation": f"{BASE}id/organisation/org-b"},
        headers=world.a,
    )
    assert forged.status_code == 422 and "organisation" in forged.json()["error"]


def test_the_distribution_is_for_administrators_and_names_no_one(world: World) -> None:
    url = "/api/queries/assessment-level-distribution"
    assert world.client.get(url, headers=world.a).status_code == 403
    response = world.client.get(url, headers=world.admin)
    assert response.status_code == 200, response.text
    text = response.text
    assert "organisation/" not in text and "graph/assessments" not in text and world.a_id not in text
    by_process = {r["processId"]["value"]: r for r in rows(response.json())}
    assert (
        by_process["INC"]["assessments"]["value"] == "2"
        and by_process["INC"]["organisations"]["value"] == "2"
    )
    assert world.client.get("/api/queries/assessment-history", headers=world.admin).status_code == 403


# ---------------------------------------------------------------- tokens


ROUTES = [
    ("GET", "/api/assessments"),
    ("POST", "/api/assessments"),
    ("GET", "/api/assessments/{id}"),
    ("GET", "/api/assessments/{id}?format=ttl"),
    ("GET", "/api/assessments/{id}/profile"),
    ("DELETE", "/api/assessments/{id}"),
    ("GET", "/api/queries/assessment-history"),
    ("GET", "/api/queries/assessment-level-distribution"),
]


@pytest.mark.parametrize(("method", "path"), ROUTES)
def test_missing_wrong_and_revoked_tokens_get_401(world: World, method: str, path: str) -> None:
    url = path.format(id=world.a_id)
    body = (
        {"content": VALID.read_bytes(), "headers": {"Content-Type": "text/turtle"}}
        if method == "POST"
        else {}
    )
    wrong_secret = world.a["Authorization"][:-4] + "AAAA"
    for headers in (
        {},
        {"Authorization": "Bearer itsm_000000000000_nonsense"},
        {"Authorization": wrong_secret},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic b3JnLWE6c2VjcmV0"},
        world.revoked,
    ):
        sent = {**body.get("headers", {}), **headers}
        response = world.client.request(method, url, content=body.get("content"), headers=sent)
        assert response.status_code == 401, (headers, response.text)
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert set(response.json()) == {"error", "status"}
    # nothing was stored or deleted on the way
    assert [i["id"] for i in world.client.get("/api/assessments", headers=world.a).json()["assessments"]] == [
        world.a_id
    ]


def test_a_bad_token_on_public_sparql_is_401_not_the_public_answer(world: World) -> None:
    for headers in (world.revoked, {"Authorization": "Bearer itsm_000000000000_nonsense"}):
        response = world.client.get("/sparql", params={"query": "ASK {}"}, headers=headers)
        assert response.status_code == 401


def test_the_public_pages_do_not_serve_stored_assessments(world: World) -> None:
    short = f"assessments/{world.a_id}"
    assert world.client.get(f"/download/graph/{short}.nq").status_code == 404
    dump = world.client.get("/download/itsm-prm.nq")
    assert dump.status_code == 200 and b"/graph/assessments" not in dump.content
    assert world.client.get("/id/organisation/org-a").status_code == 404
