"""``/ontology`` (pyLODE documentation or RDF) and ``/ontology/shapes`` (the SHACL shapes in words or RDF)."""

from __future__ import annotations

import html
import re

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH

from itsm_prm.api.ontology_docs import anchor_terms
from itsm_prm.build import SHAPES_DIR
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.validation import load_shapes

BASE = "https://w3id.org/itsm-prm/"
ONTOLOGY = BASE + "ontology"
PRM = Namespace(ONTOLOGY + "#")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PARSERS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}


def media(response) -> str:  # noqa: ANN001
    return response.headers["content-type"].split(";")[0]


def parse(response) -> Graph:  # noqa: ANN001
    graph = Graph()
    graph.parse(data=response.content, format=PARSERS[media(response)])
    return graph


def ontology_count(kg: KnowledgeGraph) -> int:
    return sum(kg.store.count(g) for g in kg.build_result.manifest.ontology_graphs)


@pytest.fixture(scope="module")
def ontology_page(client: TestClient) -> str:
    response = client.get("/ontology", headers={"Accept": BROWSER})
    assert response.status_code == 200 and media(response) == "text/html"
    return response.text


@pytest.fixture(scope="module")
def shapes_page(client: TestClient) -> str:
    response = client.get("/ontology/shapes", headers={"Accept": BROWSER})
    assert response.status_code == 200 and media(response) == "text/html"
    return response.text


@pytest.fixture(scope="module")
def shapes(kg: KnowledgeGraph) -> Graph:
    graph = load_shapes(kg.settings.resources_root() / SHAPES_DIR)
    assert graph is not None
    return graph


# ---------------------------------------------------------------- the ontology


def test_ontology_page_names_every_class(ontology_page: str, kg: KnowledgeGraph) -> None:
    text = html.unescape(ontology_page)
    classes = [c for c in kg.ontology_graph.subjects(RDF.type, OWL.Class) if str(c).startswith(str(PRM))]
    assert len(classes) >= 20
    for cls in classes:
        label = kg.ontology_graph.value(cls, RDFS.label)
        assert label is not None and str(label) in text, cls


def test_term_iris_land_on_anchors(ontology_page: str, kg: KnowledgeGraph) -> None:
    """``…/ontology#equalTo`` is fetched as ``/ontology`` and scrolled to ``id="equalTo"``."""
    ids = set(re.findall(r'\bid="([^"]+)"', ontology_page))
    terms = {
        str(s)
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in kg.ontology_graph.subjects(RDF.type, kind)
        if str(s).startswith(str(PRM))
    }
    assert len(terms) > 60
    missing = sorted(t for t in terms if t[len(str(PRM)) :] not in ids)
    assert not missing
    # internal links follow the renamed anchors
    links = set(re.findall(r'href="#([^"]+)"', ontology_page))
    assert "equalTo" in links and "Process" in links
    assert not {link for link in links if link.lower() != link and link not in ids}


def test_anchor_renaming_never_steals_an_id() -> None:
    page = '<div id="classes"></div><div id="equalto"></div><a href="#equalto">x</a><div id="other"></div>'
    fids = {"https://e/o#equalTo": "equalto", "https://e/o#classes": "other"}
    out = anchor_terms(page, fids, "https://e/o#")
    assert 'id="equalTo"' in out and 'href="#equalTo"' in out
    assert out.count('id="classes"') == 1 and 'id="other"' in out  # "classes" was taken


def test_ontology_page_has_the_site_header_and_local_links(ontology_page: str) -> None:
    assert 'aria-label="Site"' in ontology_page
    assert 'href="/ontology/shapes"' in ontology_page and 'href="/query"' in ontology_page
    # "is defined by" links to the ontology IRI point at this site's page
    assert 'href="/ontology"' in ontology_page
    assert 'href="https://w3id.org/itsm-prm/ontology"' not in ontology_page


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/n-triples", "application/n-triples"),
    ],
)
def test_ontology_as_rdf_by_accept(
    client: TestClient, kg: KnowledgeGraph, accept: str, expected: str
) -> None:
    response = client.get("/ontology", headers={"Accept": accept})
    assert response.status_code == 200 and media(response) == expected
    assert "Accept" in response.headers["vary"]
    graph = parse(response)
    assert (URIRef(ONTOLOGY), RDF.type, OWL.Ontology) in graph
    assert (PRM.Process, RDFS.label, Literal("process", lang="en")) in graph
    assert len(graph) == ontology_count(kg)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/ontology.ttl", ox.RdfFormat.TURTLE),
        ("/ontology.jsonld", ox.RdfFormat.JSON_LD),
        ("/ontology.rdf", ox.RdfFormat.RDF_XML),
        ("/ontology.owl", ox.RdfFormat.RDF_XML),
        ("/ontology.nt", ox.RdfFormat.N_TRIPLES),
        ("/ontology?format=ttl", ox.RdfFormat.TURTLE),
        ("/ontology?format=rdfxml", ox.RdfFormat.RDF_XML),
    ],
)
def test_ontology_files(client: TestClient, kg: KnowledgeGraph, path: str, expected: ox.RdfFormat) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert media(response) == expected.media_type
    quads = list(ox.parse(response.content, format=expected))
    assert len(quads) == ontology_count(kg)


def test_ontology_html_by_extension_and_errors(client: TestClient) -> None:
    assert media(client.get("/ontology.html", headers={"Accept": "text/turtle"})) == "text/html"
    assert client.get("/ontology.pdf").status_code == 404
    assert client.get("/ontology", headers={"Accept": "application/pdf"}).status_code == 406
    assert client.get("/ontology?format=csv").status_code == 406


def test_ontology_etag_and_304(client: TestClient, kg: KnowledgeGraph) -> None:
    first = client.get("/ontology.ttl")
    etag = first.headers["etag"]
    assert kg.build_result.key[:32] in etag and "max-age" in first.headers["cache-control"]
    assert client.get("/ontology.ttl", headers={"If-None-Match": etag}).status_code == 304
    assert client.get("/ontology", headers={"Accept": "text/html", "If-None-Match": etag}).status_code == 200


# ---------------------------------------------------------------- the shapes


def test_shapes_page_lists_every_node_shape(shapes_page: str, shapes: Graph) -> None:
    text = html.unescape(shapes_page)
    node_shapes = [s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)]
    assert len(node_shapes) >= 20
    for shape in node_shapes:
        anchor = str(shape).rsplit("#", 1)[1]
        assert f'id="{anchor}"' in shapes_page, shape  # the shape's IRI lands here
        assert str(shapes.value(shape, RDFS.label)) in text, shape
    assert f"{len(node_shapes)} node shapes" in text


def test_shapes_page_describes_constraints_in_words(shapes_page: str, shapes: Graph) -> None:
    text = html.unescape(shapes_page)
    process = text.split('id="ProcessShape"', 1)[1].split('class="shape"', 1)[0]
    assert 'every instance of <a href="/ontology#Process"' in process
    assert (
        "exactly one value; values of datatype <code>xsd:string</code>; matches the pattern <code>^[A-Z][A-Z0-9]*$</code>"
        in process
    )
    assert "A process needs exactly one process ID made of capital letters and digits (e.g. INC)." in process
    assert "The outcomes of {?name} do not start at number 1." in process  # a SPARQL constraint's message
    assert "SELECT DISTINCT $this ?name WHERE" in process
    record = text.split('id="MappingRecordShape"', 1)[1].split('class="shape"', 1)[0]
    assert 'each value one of <a href="/ontology#equalTo" title="prm:equalTo">equal to</a>' in record
    assert "each value an IRI" in record and "at least one value" in record
    note = text.split('id="NoteShape"', 1)[1].split('class="shape"', 1)[0] if 'id="NoteShape"' in text else ""
    assert note == "" or "each value one of" in note
    outcome = text.split('id="OutcomeShape"', 1)[1].split('class="shape"', 1)[0]
    assert "must not: matches the pattern <code>\\(Ref\\.</code>" in outcome
    terms = text.split('id="OntologyTermShape"', 1)[1].split('class="shape"', 1)[0]
    assert "the nodes a SPARQL query selects" in terms and "has the value" in terms
    # every message of the shapes is on the page
    for message in shapes.objects(None, SH.message):
        assert str(message) in text, message


def test_shapes_as_rdf(client: TestClient, shapes: Graph) -> None:
    turtle = client.get("/ontology/shapes", headers={"Accept": "text/turtle"})
    assert media(turtle) == "text/turtle" and "Accept" in turtle.headers["vary"]
    graph = parse(turtle)
    assert len(graph) == len(shapes)
    assert (URIRef(BASE + "shapes#ProcessShape"), RDF.type, SH.NodeShape) in graph
    for extension, kind in (
        (".ttl", "text/turtle"),
        (".jsonld", "application/ld+json"),
        (".rdf", "application/rdf+xml"),
        (".nt", "application/n-triples"),
    ):
        response = client.get(f"/ontology/shapes{extension}")
        assert media(response) == kind
        assert len(parse(response)) == len(shapes)
    assert client.get("/ontology/shapes.pdf").status_code == 404
    assert client.get("/ontology/shapes", headers={"Accept": "application/pdf"}).status_code == 406
    etag = turtle.headers["etag"]
    assert (
        client.get("/ontology/shapes", headers={"Accept": "text/turtle", "If-None-Match": etag}).status_code
        == 304
    )


def test_version_iri_resolves(client: TestClient, kg: KnowledgeGraph, ontology_page: str) -> None:
    version = kg.ontology_graph.value(URIRef(ONTOLOGY), OWL.versionIRI)
    assert version is not None and str(version).startswith(ONTOLOGY + "/")
    path = "/ontology/" + str(version)[len(ONTOLOGY + "/") :]
    assert f'href="{path}"' in ontology_page  # pyLODE's link to the version IRI points here
    page = client.get(path, headers={"Accept": BROWSER})
    assert page.status_code == 200 and media(page) == "text/html"
    turtle = client.get(path, headers={"Accept": "text/turtle"})
    assert (URIRef(ONTOLOGY), OWL.versionIRI, version) in parse(turtle)
    assert media(client.get(path + ".rdf")) == "application/rdf+xml"
    assert client.get("/ontology/0.0.0-not-published").status_code == 404
