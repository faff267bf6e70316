"""A repeated GET is answered from the cache without running the query again, byte for byte the same,
with the same validators; a different Accept header is a different answer."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

QUERY = "SELECT ?id WHERE { ?p <https://w3id.org/itsm-prm/ontology#processId> ?id } ORDER BY ?id"


class CountingExecutor:
    """Wraps the app's executor to count the queries that reach the workers."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.runs = 0

    def run(self, *args: object, **kwargs: object) -> object:
        self.runs += 1
        return self.inner.run(*args, **kwargs)  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_repeat_is_served_without_running_the_query(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    counting = CountingExecutor(client.app.state.executor)
    client.app.state.executor = counting
    params = {"query": QUERY}
    first = client.get("/sparql", params=params, headers={"Accept": "text/csv"})
    second = client.get("/sparql", params=params, headers={"Accept": "text/csv"})
    assert first.status_code == second.status_code == 200
    assert counting.runs == 1
    assert second.content == first.content
    assert second.headers["content-type"].startswith("text/csv")
    assert second.headers["etag"] == first.headers["etag"]
    assert second.headers["cache-control"] == first.headers["cache-control"]
    assert second.headers["vary"] == first.headers["vary"] and "Accept" in second.headers["vary"]

    revalidated = client.get("/sparql", params=params, headers={"Accept": "text/csv",
                                                                "If-None-Match": first.headers["etag"]})
    assert revalidated.status_code == 304 and counting.runs == 1

    as_json = client.get("/sparql", params=params, headers={"Accept": "application/sparql-results+json"})
    assert as_json.headers["content-type"].startswith("application/sparql-results+json")
    assert as_json.json()["results"]["bindings"][0]["id"]["value"] == "AVA"
    assert counting.runs == 2


def test_named_query_repeat_and_cors_on_cached_answers(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    counting = CountingExecutor(client.app.state.executor)
    client.app.state.executor = counting
    url = "/api/queries/process-outcomes?process=CHAN&format=csv"
    first = client.get(url, headers={"Origin": "https://example.org"})
    second = client.get(url, headers={"Origin": "https://example.org"})
    assert first.status_code == second.status_code == 200 and counting.runs == 1
    assert second.content == first.content
    assert second.headers["content-disposition"] == 'attachment; filename="process-outcomes.csv"'
    assert second.headers["access-control-allow-origin"] == "*"
    head = client.head(url)
    assert head.status_code == 200 and head.content == b"" and counting.runs == 1
    assert head.headers["content-length"] == str(len(first.content))


def test_errors_are_not_remembered(make_client: Callable[..., TestClient]) -> None:
    client = make_client()
    bad = "/sparql?query=SELEC"
    assert client.get(bad).status_code == 400
    assert client.get(bad).status_code == 400
    assert client.get("/api/queries/process-outcomes?process=NOPE").status_code == 422
