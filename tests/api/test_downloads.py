"""Downloads (the whole dataset and each named graph, six formats) and the VoID + DCAT description."""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID

from itsm_prm.export import short_graph_name
from itsm_prm.knowledge_graph import KnowledgeGraph

BASE = "https://w3id.org/itsm-prm/"
PRM = Namespace(BASE + "ontology#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
# open namespaces: pytest probes module attributes, which rdflib's closed DCAT and XSD warn about
DCAT = Namespace("http://www.w3.org/ns/dcat#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
MAPPING_SET = URIRef(BASE + "id/mapping-set/prm-iso15504-5-2006")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
OX_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}


def media(response) -> str:  # noqa: ANN001
    return response.headers["content-type"].split(";")[0]


def void_of(client: TestClient, **params: str) -> Graph:
    response = client.get("/.well-known/void", params=params)
    assert response.status_code == 200
    graph = Graph()
    graph.parse(
        data=response.content,
        format={
            "text/turtle": "turtle",
            "application/ld+json": "json-ld",
            "application/rdf+xml": "xml",
            "application/n-triples": "nt",
        }[media(response)],
    )
    return graph


@pytest.fixture(scope="module")
def index(client: TestClient) -> dict:
    response = client.get("/download", headers={"Accept": "application/json"})
    assert response.status_code == 200 and media(response) == "application/json"
    return response.json()


# ---------------------------------------------------------------- files


def test_index_lists_every_file(index: dict, kg: KnowledgeGraph) -> None:
    names = {f["name"] for f in index["files"]}
    expected = {f"itsm-prm.{ext}" for ext in OX_FORMATS}
    expected |= {f"graph/{short_graph_name(g)}.{ext}" for g in kg.graphs() for ext in OX_FORMATS}
    assert names == expected
    assert index["void"] == "http://testserver/.well-known/void"
    assert index["sparql"] == "http://testserver/sparql"
    assert all(f["url"] == "http://testserver/download/" + f["name"] for f in index["files"])


def test_index_page_links_every_file(client: TestClient, index: dict) -> None:
    response = client.get("/download", headers={"Accept": BROWSER})
    assert media(response) == "text/html"
    for f in index["files"]:
        assert f'href="/download/{f["name"]}"' in response.text, f["name"]
    assert media(client.get("/download?format=json", headers={"Accept": BROWSER})) == "application/json"
    assert client.get("/download", headers={"Accept": "application/pdf"}).status_code == 406


def test_every_download_parses_with_the_right_count(
    client: TestClient, index: dict, kg: KnowledgeGraph
) -> None:
    union = kg.store.count()
    quads = sum(kg.store.count(g) for g in kg.graphs())
    for f in index["files"]:
        response = client.get(f"/download/{f['name']}")
        assert response.status_code == 200, f["name"]
        assert media(response) == f["media_type"]
        ext = f["name"].rsplit(".", 1)[1]
        parsed = list(ox.parse(response.content, format=OX_FORMATS[ext]))
        dataset_format = ext in ("nq", "trig")
        if f["graph"] is None:
            assert len(parsed) == (quads if dataset_format else union), f["name"]
        else:
            assert len(parsed) == kg.store.count(f["graph"]), f["name"]
            if dataset_format:  # the quads keep their graph
                assert {q.graph_name for q in parsed} == {ox.NamedNode(f["graph"])}
        assert f["statements"] == len(parsed)
        assert response.headers["content-disposition"] == f'attachment; filename="{f["filename"]}"'


def test_dataset_formats_keep_every_named_graph(client: TestClient, kg: KnowledgeGraph) -> None:
    quads = list(ox.parse(client.get("/download/itsm-prm.nq").content, format=ox.RdfFormat.N_QUADS))
    assert {q.graph_name.value for q in quads} == set(kg.graphs())


def test_graph_download_names(client: TestClient) -> None:
    response = client.get("/download/graph/mappings/prm-iso15504-5-2006.ttl")
    assert response.status_code == 200
    assert (
        response.headers["content-disposition"]
        == 'attachment; filename="itsm-prm-mappings-prm-iso15504-5-2006.ttl"'
    )
    assert b"@prefix prm:" in response.content
    assert client.get("/download/graph/nope.ttl").status_code == 404
    assert client.get("/download/graph/prm.pdf").status_code == 404
    assert client.get("/download/itsm-prm.pdf").status_code == 404


def test_downloads_etag_and_304(client: TestClient, kg: KnowledgeGraph) -> None:
    first = client.get("/download/itsm-prm.ttl")
    etag = first.headers["etag"]
    assert kg.build_result.key[:32] in etag and "max-age" in first.headers["cache-control"]
    again = client.get("/download/itsm-prm.ttl", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert client.get("/download/itsm-prm.nt", headers={"If-None-Match": etag}).status_code == 200
    index_etag = client.get("/download", headers={"Accept": BROWSER}).headers["etag"]
    assert (
        client.get("/download", headers={"Accept": BROWSER, "If-None-Match": index_etag}).status_code == 304
    )


# ---------------------------------------------------------------- VoID and DCAT


def test_void_describes_the_dataset(client: TestClient, kg: KnowledgeGraph, index: dict) -> None:
    response = client.get("/.well-known/void")
    assert media(response) == "text/turtle"
    void = void_of(client)
    dataset = URIRef(kg.build_result.manifest.dataset_iri)
    assert (dataset, RDF.type, VOID.Dataset) in void and (dataset, RDF.type, DCAT.Dataset) in void
    assert (dataset, VOID.sparqlEndpoint, URIRef("http://testserver/sparql")) in void
    assert (dataset, VOID.triples, Literal(kg.store.count(), datatype=XSD.integer)) in void
    assert (dataset, VOID.uriSpace, Literal(BASE + "id/")) in void
    assert (dataset, DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")) in void
    for predicate in (
        DCTERMS.title,
        DCTERMS.description,
        DCTERMS.publisher,
        DCTERMS.issued,
        DCTERMS.modified,
        URIRef(str(DCAT) + "version"),
        VOID.exampleResource,
        VOID.vocabulary,
    ):
        assert void.value(dataset, predicate) is not None, predicate
    assert (dataset, VOID.exampleResource, URIRef(BASE + "id/process/INC")) in void
    assert (dataset, VOID.vocabulary, URIRef(BASE + "ontology")) in void
    # every dump, as a void:dataDump and a DCAT distribution with its media type
    dumps = {str(o) for o in void.objects(None, VOID.dataDump)}
    assert dumps == {f["url"] for f in index["files"]}
    for f in index["files"]:
        url = URIRef(f["url"])
        assert (url, RDF.type, DCAT.Distribution) in void
        assert (url, DCAT.downloadURL, url) in void
        assert (
            url,
            DCAT.mediaType,
            URIRef("https://www.iana.org/assignments/media-types/" + f["media_type"]),
        ) in void


def test_void_subsets_and_linkset(client: TestClient, kg: KnowledgeGraph) -> None:
    void = void_of(client)
    dataset = URIRef(kg.build_result.manifest.dataset_iri)
    for graph in kg.graphs():
        subset = URIRef(graph)
        assert (dataset, VOID.subset, subset) in void
        assert (subset, VOID.triples, Literal(kg.store.count(graph), datatype=XSD.integer)) in void
        assert (
            subset,
            VOID.dataDump,
            URIRef(f"http://testserver/download/graph/{short_graph_name(graph)}.ttl"),
        ) in void
    assert (dataset, VOID.subset, MAPPING_SET) in void
    assert (MAPPING_SET, RDF.type, VOID.Linkset) in void
    predicates = set(void.objects(MAPPING_SET, VOID.linkPredicate))
    assert {
        PRM.equalTo,
        PRM.supersetOf,
        PRM.intersectsWith,
        SKOS.exactMatch,
        SKOS.narrowMatch,
        SKOS.relatedMatch,
    } <= predicates
    assert (MAPPING_SET, VOID.subjectsTarget, URIRef(BASE + "graph/prm")) in void
    assert (MAPPING_SET, VOID.objectsTarget, URIRef(BASE + "graph/iso15504-5-2006")) in void
    assert int(void.value(MAPPING_SET, VOID.triples)) > 24


def test_void_lists_the_crosswalk_files_of_a_crosswalk_linkset(client: TestClient) -> None:
    void = void_of(client)
    crosswalk = URIRef(BASE + "id/mapping-set/prm-iso20000-1-2018")
    assert (crosswalk, RDF.type, VOID.Linkset) in void
    files = {str(f) for f in void.objects(crosswalk, DCAT.distribution)}
    assert files == {
        f"http://testserver/download/crosswalk/prm-iso20000-1-2018.{suffix}"
        for suffix in ("sssom.tsv", "sssom.ttl", "csv", "xlsx", "oscal.json")
    }
    xlsx = URIRef("http://testserver/download/crosswalk/prm-iso20000-1-2018.xlsx")
    assert (xlsx, DCAT.mediaType, URIRef(
        "https://www.iana.org/assignments/media-types/application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )) in void
    # the model's references to 15504-5 are a linkset too, but no crosswalk target: no such files
    assert list(void.objects(MAPPING_SET, DCAT.distribution)) == []
    assert client.get("/download/crosswalk/prm-iso20000-1-2018.xlsx").status_code == 200


def test_void_data_service(client: TestClient) -> None:
    void = void_of(client)
    services = list(void.subjects(RDF.type, DCAT.DataService))
    assert len(services) == 1
    service = services[0]
    assert (service, DCAT.endpointURL, URIRef("http://testserver/sparql")) in void
    assert (service, DCAT.endpointDescription, URIRef("http://testserver/sparql")) in void


@pytest.mark.parametrize("fmt", ["jsonld", "rdfxml", "nt"])
def test_void_in_other_formats(client: TestClient, fmt: str) -> None:
    turtle = void_of(client)
    other = void_of(client, format=fmt)
    assert len(other) == len(turtle)


def test_void_by_accept_and_304(client: TestClient) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert media(response) == "application/ld+json"
    assert "Accept" in response.headers["vary"]
    assert client.get("/.well-known/void", headers={"Accept": "text/html"}).status_code == 406
    etag = client.get("/.well-known/void").headers["etag"]
    assert client.get("/.well-known/void", headers={"If-None-Match": etag}).status_code == 304


def test_void_urls_follow_the_base_url(make_client: Callable[..., TestClient]) -> None:
    public = make_client(base_url="https://prm.example.org/", query_workers=1)
    void = void_of(public)
    dataset = URIRef(BASE + "dataset")
    assert (dataset, VOID.sparqlEndpoint, URIRef("https://prm.example.org/sparql")) in void
    assert (dataset, VOID.dataDump, URIRef("https://prm.example.org/download/itsm-prm.ttl")) in void
