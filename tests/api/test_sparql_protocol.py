"""``/sparql`` speaks the SPARQL 1.1 Protocol: the three ways to send a query, the dataset
parameters, every answer format (each parsed back by rdflib or pyoxigraph), the service
description, 406/400/415, and 304 with the ETag."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.query import Result

from itsm_prm.api.sparql import ResponseCache, request_key
from itsm_prm.knowledge_graph import KnowledgeGraph

PRM = "https://w3id.org/itsm-prm/ontology#"
GRAPH = "https://w3id.org/itsm-prm/graph/"
PROCESSES = f"PREFIX prm: <{PRM}> SELECT ?p ?id WHERE {{ ?p a prm:Process ; prm:processId ?id }} ORDER BY ?id"
IDS = ["AVA", "CAP", "CHAN", "CONF", "INC", "ITFM", "ITSCM", "PRO", "REL", "SLM"]
CONSTRUCT = f"PREFIX prm: <{PRM}> CONSTRUCT {{ ?p prm:processId ?id }} WHERE {{ ?p a prm:Process ; prm:processId ?id }}"
ASK = f"ASK {{ ?p a <{PRM}Process> }}"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

SELECT_FORMATS = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
}


def ids_of(body: bytes, fmt: str) -> list[str]:
    result = Result.parse(io.BytesIO(body), format=fmt)
    return sorted(str(row["id"]) for row in result)  # type: ignore[index]


def triples_of(body: bytes, fmt: ox.RdfFormat) -> set[tuple[str, str]]:
    return {(t.subject.value, t.object.value) for t in ox.parse(body, format=fmt)}


# ---------------------------------------------------------------- three ways to send a query


def test_get(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": PROCESSES})
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/sparql-results+json"
    assert ids_of(r.content, "json") == IDS


def test_post_form(client: TestClient) -> None:
    r = client.post("/sparql", data={"query": PROCESSES})
    assert r.status_code == 200 and ids_of(r.content, "json") == IDS


def test_post_sparql_query(client: TestClient) -> None:
    r = client.post(
        "/sparql",
        content=PROCESSES.encode(),
        headers={"Content-Type": "application/sparql-query; charset=UTF-8"},
    )
    assert r.status_code == 200 and ids_of(r.content, "json") == IDS


def test_head_has_the_headers_of_get(client: TestClient) -> None:
    get = client.get("/sparql", params={"query": ASK})
    head = client.head("/sparql", params={"query": ASK})
    assert head.status_code == 200 and head.headers["etag"] == get.headers["etag"]


def test_one_query_per_request(client: TestClient) -> None:
    r = client.get("/sparql", params=[("query", ASK), ("query", ASK)])
    assert r.status_code == 400 and "one query" in r.json()["error"]
    r = client.post(
        "/sparql", params={"query": ASK}, content=ASK, headers={"Content-Type": "application/sparql-query"}
    )
    assert r.status_code == 400


def test_other_body_types_are_refused_with_415(client: TestClient) -> None:
    r = client.post("/sparql", content=ASK, headers={"Content-Type": "text/plain"})
    assert r.status_code == 415
    assert "application/sparql-query" in r.json()["error"]


def test_cors_for_reads(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": ASK}, headers={"Origin": "https://example.org"})
    assert r.headers["access-control-allow-origin"] == "*"
    assert "ETag" in r.headers["access-control-expose-headers"]
    preflight = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200


# ---------------------------------------------------------------- the dataset


def test_default_graph_is_the_union(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{PRM}Process> }}"})
    assert r.json()["results"]["bindings"][0]["n"]["value"] == "10"


def test_default_graph_uri_selects_the_default_graph(client: TestClient) -> None:
    query = f"ASK {{ ?p a <{PRM}Process> }}"
    in_prm = client.get("/sparql", params={"query": query, "default-graph-uri": GRAPH + "prm"})
    in_itil = client.get("/sparql", params={"query": query, "default-graph-uri": GRAPH + "itil-v2"})
    assert in_prm.json()["boolean"] is True and in_itil.json()["boolean"] is False
    both = client.get(
        "/sparql",
        params=[
            ("query", query),
            ("default-graph-uri", GRAPH + "itil-v2"),
            ("default-graph-uri", GRAPH + "prm"),
        ],
    )
    assert both.json()["boolean"] is True


def test_named_graph_uri_limits_graph_patterns(client: TestClient, kg: KnowledgeGraph) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    everything = client.get("/sparql", params={"query": query}).json()["results"]["bindings"]
    assert sorted(b["g"]["value"] for b in everything) == sorted(kg.store.graphs())
    form = {"query": query, "named-graph-uri": [GRAPH + "prm", GRAPH + "standards"]}
    some = client.post("/sparql", data=form).json()["results"]["bindings"]
    assert [b["g"]["value"] for b in some] == [GRAPH + "prm", GRAPH + "standards"]


def test_from_in_the_query_picks_the_default_graph(client: TestClient) -> None:
    query = f"ASK FROM <{GRAPH}itil-v2> WHERE {{ ?p a <{PRM}Process> }}"
    assert client.get("/sparql", params={"query": query}).json()["boolean"] is False
    query = f"ASK FROM <{GRAPH}prm> WHERE {{ ?p a <{PRM}Process> }}"
    assert client.get("/sparql", params={"query": query}).json()["boolean"] is True
    # the protocol's default-graph-uri wins over FROM
    r = client.get("/sparql", params={"query": query, "default-graph-uri": GRAPH + "itil-v2"})
    assert r.json()["boolean"] is False


def test_from_named_only_leaves_the_default_graph_empty(client: TestClient) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM NAMED <{GRAPH}prm> WHERE {{ ?s ?p ?o }}"
    assert (
        client.get("/sparql", params={"query": query}).json()["results"]["bindings"][0]["n"]["value"] == "0"
    )
    query = f"ASK FROM NAMED <{GRAPH}prm> WHERE {{ GRAPH <{GRAPH}prm> {{ ?p a <{PRM}Process> }} }}"
    assert client.get("/sparql", params={"query": query}).json()["boolean"] is True


def test_dataset_parameters_in_the_url_of_a_direct_post(client: TestClient) -> None:
    r = client.post(
        "/sparql",
        params={"default-graph-uri": GRAPH + "itil-v2"},
        content=ASK,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert r.json()["boolean"] is False


# ---------------------------------------------------------------- every format


@pytest.mark.parametrize("media_type", SELECT_FORMATS)
def test_select_in_every_format(client: TestClient, media_type: str) -> None:
    r = client.get("/sparql", params={"query": PROCESSES}, headers={"Accept": media_type})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media_type
    assert ids_of(r.content, SELECT_FORMATS[media_type]) == IDS


@pytest.mark.parametrize("media_type", ["application/sparql-results+json", "application/sparql-results+xml"])
def test_ask_in_json_and_xml(client: TestClient, media_type: str) -> None:
    for query, expected in ((ASK, True), (f"ASK {{ ?p a <{PRM}Nothing> }}", False)):
        r = client.get("/sparql", params={"query": query}, headers={"Accept": media_type})
        fmt = SELECT_FORMATS[media_type]
        assert Result.parse(io.BytesIO(r.content), format=fmt).askAnswer is expected


@pytest.mark.parametrize("media_type", ["text/csv", "text/tab-separated-values"])
def test_ask_in_csv_and_tsv(client: TestClient, media_type: str) -> None:
    r = client.get("/sparql", params={"query": ASK}, headers={"Accept": media_type})
    assert r.status_code == 200 and r.text.strip() == "true"


@pytest.mark.parametrize("media_type", GRAPH_FORMATS)
def test_construct_in_every_format(client: TestClient, media_type: str) -> None:
    r = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": media_type})
    assert r.status_code == 200
    assert r.headers["content-type"].split(";")[0] == media_type
    triples = triples_of(r.content, GRAPH_FORMATS[media_type])
    assert sorted(object_ for _, object_ in triples) == IDS


def test_turtle_uses_the_dataset_prefixes(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": CONSTRUCT})
    assert r.headers["content-type"].startswith("text/turtle")
    assert f"@prefix prm: <{PRM}>" in r.text and "prm:processId" in r.text


def test_describe(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "DESCRIBE <https://w3id.org/itsm-prm/id/process/INC>"})
    graph = Graph().parse(data=r.text, format="turtle")
    assert (
        URIRef("https://w3id.org/itsm-prm/id/process/INC"),
        URIRef(PRM + "processId"),
        Literal("INC"),
    ) in graph


@pytest.mark.parametrize(
    ("fmt", "query", "media_type"),
    [
        ("json", PROCESSES, "application/sparql-results+json"),
        ("xml", PROCESSES, "application/sparql-results+xml"),
        ("csv", PROCESSES, "text/csv"),
        ("tsv", PROCESSES, "text/tab-separated-values"),
        ("text/csv", PROCESSES, "text/csv"),
        ("ttl", CONSTRUCT, "text/turtle"),
        ("jsonld", CONSTRUCT, "application/ld+json"),
        ("json", CONSTRUCT, "application/ld+json"),
        ("rdfxml", CONSTRUCT, "application/rdf+xml"),
        ("xml", CONSTRUCT, "application/rdf+xml"),
        ("nt", CONSTRUCT, "application/n-triples"),
    ],
)
def test_format_parameter_overrides_accept(client: TestClient, fmt: str, query: str, media_type: str) -> None:
    r = client.get("/sparql", params={"query": query, "format": fmt}, headers={"Accept": "text/html"})
    assert r.status_code == 200 and r.headers["content-type"].split(";")[0] == media_type


def test_format_parameter_in_a_form(client: TestClient) -> None:
    r = client.post("/sparql", data={"query": PROCESSES, "format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")


def test_406_lists_what_can_be_served(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": PROCESSES}, headers={"Accept": "text/turtle"})
    assert r.status_code == 406
    message = r.json()["error"]
    assert (
        "text/turtle" in message
        and "application/sparql-results+json (json)" in message
        and "text/csv" in message
    )
    r = client.get("/sparql", params={"query": CONSTRUCT, "format": "csv"})
    assert r.status_code == 406 and "text/turtle (ttl)" in r.json()["error"]


# ---------------------------------------------------------------- errors


def test_malformed_sparql_gives_400_with_the_position(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT ?s WHERE {\n  ?s ?p ?o .\n  FILTER(?s = ) }"})
    assert r.status_code == 400
    assert "line 3, column 3" in r.json()["error"]


def test_syntax_only_the_engine_sees_gives_400_with_the_position(client: TestClient, store_kind: str) -> None:
    # rdflib's parser accepts an undeclared prefix; the engine rejects it and says where
    r = client.get("/sparql", params={"query": "SELECT * WHERE { ?s nope:p ?o }"})
    assert r.status_code == 400
    if store_kind == "virtuoso":  # Virtuoso's own words, without the rewritten query it echoes
        assert "Undefined namespace prefix" in r.json()["error"] and "line" in r.json()["error"]
        assert "define input:" not in r.json()["error"]
    else:
        assert re.search(r"\b1:\d+", r.json()["error"]) and "Prefix not found" in r.json()["error"]


def test_empty_query_is_a_syntax_error(client: TestClient) -> None:
    assert client.post("/sparql", data={"query": ""}).status_code == 400


def test_body_must_be_utf8(client: TestClient) -> None:
    r = client.post("/sparql", content=b"ASK {} \xff", headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400 and "UTF-8" in r.json()["error"]


# ---------------------------------------------------------------- caching


def test_etag_and_304(client: TestClient, kg: KnowledgeGraph) -> None:
    first = client.get("/sparql", params={"query": PROCESSES})
    etag = first.headers["etag"]
    assert kg.build_result.key[:32] in etag
    assert "max-age" in first.headers["cache-control"] and "Accept" in first.headers["vary"]
    again = client.get("/sparql", params={"query": PROCESSES}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    other_format = client.get(
        "/sparql", params={"query": PROCESSES}, headers={"If-None-Match": etag, "Accept": "text/csv"}
    )
    assert other_format.status_code == 200 and other_format.headers["etag"] != etag


def test_repeated_queries_come_from_the_cache(client: TestClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    bodies = {client.get("/sparql", params={"query": query}).content for _ in range(3)}
    assert len(bodies) == 1
    assert len(client.app.state.sparql_cache) >= 1  # type: ignore[attr-defined]


# ---------------------------------------------------------------- the service description


def test_service_description(client: TestClient, kg: KnowledgeGraph) -> None:
    r = client.get("/sparql")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=r.text, format="turtle")
    service = graph.value(predicate=SD.endpoint, object=URIRef("http://testserver/sparql"))
    assert service is not None
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    formats = {str(o).rsplit("/", 1)[1] for o in graph.objects(service, SD.resultFormat)}
    assert {
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
    } <= formats
    assert {"Turtle", "JSON-LD", "RDF_XML", "N-Triples"} <= formats
    dataset = graph.value(service, SD.defaultDataset)
    names = {str(graph.value(named, SD.name)) for named in graph.objects(dataset, SD.namedGraph)}
    assert names == set(kg.graphs())


@pytest.mark.parametrize(
    ("media_type", "fmt"),
    [("application/ld+json", "json-ld"), ("application/rdf+xml", "xml"), ("application/n-triples", "nt")],
)
def test_service_description_in_other_rdf_formats(client: TestClient, media_type: str, fmt: str) -> None:
    r = client.get("/sparql", headers={"Accept": media_type})
    assert r.headers["content-type"].split(";")[0] == media_type
    graph = Graph().parse(data=r.content, format=fmt)
    assert len(list(graph.subjects(predicate=SD.endpoint))) == 1


def test_service_description_names_the_public_url(make_client: Callable[..., TestClient]) -> None:
    client = make_client(base_url="https://example.org/prm/")
    graph = Graph().parse(data=client.get("/sparql").text, format="turtle")
    assert set(graph.objects(predicate=SD.endpoint)) == {URIRef("https://example.org/prm/sparql")}


def test_a_browser_without_a_query_goes_to_the_query_page(client: TestClient) -> None:
    chrome = (
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
        "application/signed-exchange;v=b3;q=0.7"
    )
    r = client.get("/sparql", headers={"Accept": chrome}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/query"


def test_json_api_error_shape(client: TestClient) -> None:
    body = client.get("/sparql", params={"query": "SELECT"}).json()
    assert set(body) == {"error", "status"} and body["status"] == 400


def test_response_cache_is_bounded_in_entries_and_bytes() -> None:
    by_entries = ResponseCache(max_entries=3, max_bytes=10_000)
    for n in range(5):
        by_entries.put(request_key("q", n), b"x" * 10)
    assert len(by_entries) == 3 and by_entries.get(request_key("q", 0)) is None  # oldest out first
    assert by_entries.get(request_key("q", 4)) == b"x" * 10
    by_bytes = ResponseCache(max_entries=100, max_bytes=800)
    for n in range(10):
        by_bytes.put(request_key("q", n), b"y" * 100)
    assert len(by_bytes) == 8  # 8 × 100 bytes fill the budget
    by_bytes.put(request_key("big"), b"z" * 101)  # over an eighth of the budget: never kept
    assert by_bytes.get(request_key("big")) is None and len(by_bytes) == 8
