"""Linked data: every ``id/`` IRI by content negotiation, the HTML pages, the home page and its crawl.

Runs on the real data through the shared ``client`` (``base_url`` unset: links are local paths);
``make_client`` gives apps whose ``base_url`` is the public base IRI or another host.
"""

from __future__ import annotations

import html
import json
import re
from collections import deque
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from itsm_prm.api import create_app
from itsm_prm.config import Settings
from itsm_prm.describe import describe, to_rdf
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.terms import QueryResult, Term

BASE = "https://w3id.org/itsm-prm/"
ID = BASE + "id/"
PRM = Namespace(BASE + "ontology#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
INC = ID + "process/INC"
CONF5 = ID + "process/CONF/outcome/5"
SUP8_4 = ID + "iso15504-5/2006/process/SUP.8/outcome/4"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"

RDF_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}


def parse(body: bytes, media_type: str) -> Graph:
    graph = Graph()
    graph.parse(data=body, format=RDF_TYPES[media_type.split(";")[0]])
    return graph


def media(response) -> str:  # noqa: ANN001
    return response.headers["content-type"].split(";")[0]


def vary(response) -> set[str]:  # noqa: ANN001
    """The ``Vary`` tokens (the CORS middleware adds ``Origin``)."""
    return {token.strip() for token in response.headers.get("vary", "").split(",") if token.strip()}


class Links(HTMLParser):
    """Every ``href`` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "href" and value:
                self.hrefs.append(value)


def hrefs(page: str) -> list[str]:
    parser = Links()
    parser.feed(page)
    return parser.hrefs


def select(kg: KnowledgeGraph, sparql: str) -> list[str]:
    result = kg.query(sparql)
    assert isinstance(result, QueryResult)
    return sorted({row[result.variables[0]].value for row in result.rows if row[result.variables[0]]})


# ---------------------------------------------------------------- content negotiation


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (BROWSER, "text/html"),
        ("text/html", "text/html"),
        ("*/*", "text/html"),
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/n-triples", "application/n-triples"),
        ("text/turtle;q=0.5, application/rdf+xml", "application/rdf+xml"),
        ("application/rdf+xml;q=0.3, text/turtle;q=0.9, */*;q=0.1", "text/turtle"),
        ("application/json", "application/json"),
    ],
)
def test_accept_header_picks_the_representation(client: TestClient, accept: str, expected: str) -> None:
    response = client.get("/id/process/INC", headers={"Accept": accept})
    assert response.status_code == 200
    assert media(response) == expected
    assert "Accept" in vary(response)
    if expected != "text/html":
        kind = "application/ld+json" if expected == "application/json" else expected
        graph = parse(response.content, kind)
        assert (URIRef(INC), RDF.type, PRM.Process) in graph
        assert response.headers["content-location"].startswith("/id/process/INC.")


def test_no_accept_header_gets_html(client: TestClient) -> None:
    response = client.get("/id/process/INC", headers={"Accept": ""})
    assert media(response) == "text/html"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ttl", "text/turtle"),
        ("jsonld", "application/ld+json"),
        ("rdfxml", "application/rdf+xml"),
        ("nt", "application/n-triples"),
        ("html", "text/html"),
        ("turtle", "text/turtle"),
        ("text/turtle", "text/turtle"),
    ],
)
def test_format_parameter_overrides_accept(client: TestClient, name: str, expected: str) -> None:
    response = client.get(f"/id/process/INC?format={name}", headers={"Accept": "application/rdf+xml"})
    assert response.status_code == 200
    assert media(response) == expected
    assert "Accept" not in vary(response)  # this URL answers one way only


@pytest.mark.parametrize(
    ("extension", "expected"),
    [
        (".ttl", "text/turtle"),
        (".jsonld", "application/ld+json"),
        (".rdf", "application/rdf+xml"),
        (".nt", "application/n-triples"),
        (".html", "text/html"),
    ],
)
def test_extension_picks_the_representation(client: TestClient, extension: str, expected: str) -> None:
    response = client.get(f"/id/process/INC{extension}", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert media(response) == expected
    if expected != "text/html":
        assert (URIRef(INC), PRM.processId, Literal("INC")) in parse(response.content, expected)


def test_identifiers_with_dots_are_not_extensions(client: TestClient) -> None:
    sup8 = ID + "iso15504-5/2006/process/SUP.8"
    page = client.get("/id/iso15504-5/2006/process/SUP.8", headers={"Accept": BROWSER})
    assert page.status_code == 200 and media(page) == "text/html"
    assert "SUP.8" in page.text
    turtle = client.get("/id/iso15504-5/2006/process/SUP.8.ttl")
    assert turtle.status_code == 200 and media(turtle) == "text/turtle"
    assert (URIRef(sup8), RDF.type, PRM.ExternalProcess) in parse(turtle.content, "text/turtle")
    outcome = client.get("/id/iso15504-5/2006/process/SUP.8/outcome/4.nt")
    assert (URIRef(SUP8_4), RDF.type, PRM.ExternalOutcome) in parse(outcome.content, "application/n-triples")


def test_unknown_extension_is_part_of_the_iri(client: TestClient) -> None:
    assert client.get("/id/process/INC.pdf", headers={"Accept": "application/json"}).status_code == 404


def test_every_rdf_format_parses_with_pyoxigraph_too(client: TestClient) -> None:
    formats = {
        ".ttl": ox.RdfFormat.TURTLE,
        ".jsonld": ox.RdfFormat.JSON_LD,
        ".rdf": ox.RdfFormat.RDF_XML,
        ".nt": ox.RdfFormat.N_TRIPLES,
    }
    sizes = set()
    for extension, fmt in formats.items():
        body = client.get(f"/id/process/CONF/outcome/5{extension}").content
        triples = [quad.triple for quad in ox.parse(body, format=fmt)]
        assert ox.Triple(ox.NamedNode(CONF5), ox.NamedNode(str(PRM.outcomeNumber)), ox.Literal(5)) in triples
        sizes.add(len(triples))
    assert len(sizes) == 1  # the same description in every format


def test_rdf_description_is_the_symmetric_cbd(client: TestClient, kg: KnowledgeGraph) -> None:
    graph = parse(client.get("/id/process/CONF/outcome/5.ttl").content, "text/turtle")
    conf5, sup84 = URIRef(CONF5), URIRef(SUP8_4)
    record = URIRef(ID + "mapping-set/prm-iso15504-5-2006/CONF.5-SUP.8.4")
    assert (conf5, PRM.equalTo, sup84) in graph  # asserted, mapping graph
    assert (conf5, SKOS.exactMatch, sup84) in graph  # inferred
    assert (URIRef(ID + "process/CONF"), PRM.hasOutcome, conf5) in graph  # incoming
    assert (record, PRM.mappingSubject, conf5) in graph  # incoming, from the mapping record
    assert not list(graph.triples((record, PRM.mappingObject, None)))  # the record itself is not described
    assert len(graph) == len(describe(kg.store, CONF5))


def test_blank_nodes_are_followed(client: TestClient) -> None:
    """An OWL property chain is a list of blank nodes: the CBD carries it whole."""
    response = client.get("/resource", params={"iri": str(PRM.partOfModel), "format": "ttl"})
    graph = parse(response.content, "text/turtle")
    chain = graph.value(PRM.partOfModel, OWL.propertyChainAxiom)
    assert chain is not None
    assert list(Collection(graph, chain)) == [PRM.inGroup, PRM.partOfModel]
    page = client.get("/resource", params={"iri": str(PRM.partOfModel)}, headers={"Accept": BROWSER}).text
    chain_html = page.split("owl:propertyChainAxiom", 1)[1].split("</tr>", 1)[0]
    assert re.search(
        r'<ol class="rdf-list"><li><a href="/ontology#inGroup"[^>]*>in group</a></li><li><a href="/ontology#partOfModel"',
        chain_html,
    )
    assert "rdf:first" not in page  # the list's own cells are not shown again as links to the property


def test_describe_tells_asserted_from_inferred(kg: KnowledgeGraph) -> None:
    description = describe(kg.store, CONF5)
    inferred = kg.build_result.manifest.inferred_graph
    exact = (Term.iri(CONF5), Term.iri(str(SKOS.exactMatch)), Term.iri(SUP8_4))
    equal = (Term.iri(CONF5), Term.iri(str(PRM.equalTo)), Term.iri(SUP8_4))
    assert description.only_in(exact, inferred)
    assert not description.only_in(equal, inferred)
    assert all(t[0].value == CONF5 for t in description.outgoing())
    assert all(t[2].value == CONF5 for t in description.incoming())
    assert not describe(kg.store, ID + "process/NOPE")


def test_to_rdf_writes_every_format(kg: KnowledgeGraph) -> None:
    triples = describe(kg.store, INC).triples
    for fmt, kind in (
        ("ttl", "text/turtle"),
        ("jsonld", "application/ld+json"),
        ("xml", "application/rdf+xml"),
    ):
        assert len(parse(to_rdf(triples, fmt, kg.prefixes), kind)) == len(triples)
    assert to_rdf(triples, "nt", kg.prefixes).count(b"\n") == len(triples)
    assert b"@prefix prm:" in to_rdf(triples, "ttl", kg.prefixes)


# ---------------------------------------------------------------- errors


def test_unknown_iri_is_404_in_json_or_html(client: TestClient) -> None:
    as_json = client.get("/id/process/NOPE", headers={"Accept": "application/json"})
    assert as_json.status_code == 404
    assert "process/NOPE" in as_json.json()["error"]
    as_html = client.get("/id/process/NOPE", headers={"Accept": BROWSER})
    assert as_html.status_code == 404 and media(as_html) == "text/html"
    assert "not described" in as_html.text
    assert client.get("/resource", params={"iri": "http://example.org/x"}).status_code == 404
    assert client.get("/id/process/IN%20C", headers={"Accept": "application/json"}).status_code == 404


@pytest.mark.parametrize("iri", ["", "not an iri", "_:b0", "http://x/\n", "http://x/<y>"])
def test_resource_route_refuses_what_is_no_iri(client: TestClient, iri: str) -> None:
    response = client.get("/resource", params={"iri": iri})
    assert response.status_code == 400
    assert "not an absolute IRI" in response.json()["error"]


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/id/process/INC", {"Accept": "application/pdf"}),
        ("/id/process/INC?format=pdf", {}),
        ("/id/process/INC?format=srj", {}),
        ("/resource?iri=https://w3id.org/itsm-prm/id/process/INC&format=csv", {}),
    ],
)
def test_unsupported_format_is_406(client: TestClient, path: str, headers: dict[str, str]) -> None:
    response = client.get(path, headers=headers)
    assert response.status_code == 406
    assert "text/turtle" in response.json()["error"]


# ---------------------------------------------------------------- caching


def test_etag_and_304(client: TestClient, kg: KnowledgeGraph) -> None:
    html_answer = client.get("/id/process/INC", headers={"Accept": "text/html"})
    turtle = client.get("/id/process/INC", headers={"Accept": "text/turtle"})
    etag = html_answer.headers["etag"]
    assert kg.build_result.key[:32] in etag
    assert etag != turtle.headers["etag"]  # one ETag per representation
    assert "max-age" in html_answer.headers["cache-control"]
    again = client.get("/id/process/INC", headers={"Accept": "text/html", "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag and "Accept" in vary(again)
    assert (
        client.get(
            "/id/process/INC", headers={"Accept": "text/html", "If-None-Match": f'"x", W/{etag}'}
        ).status_code
        == 304
    )
    assert (
        client.get("/id/process/INC", headers={"Accept": "text/turtle", "If-None-Match": etag}).status_code
        == 200
    )
    assert client.get("/", headers={"If-None-Match": "*"}).status_code == 304


def test_head_answers_without_a_body(client: TestClient) -> None:
    response = client.head("/id/process/INC.ttl")
    assert response.status_code == 200 and media(response) == "text/turtle" and response.content == b""


# ---------------------------------------------------------------- HTML pages


def test_outcome_page_shows_labels_properties_links_and_mappings(client: TestClient) -> None:
    page = client.get("/id/process/CONF/outcome/5", headers={"Accept": BROWSER}).text
    assert "<title>CONF outcome 5 · itsm-prm</title>" in page
    assert "Modifications of the Configuration Items (CIs) are made available to appointed parties;" in page
    assert '<a href="/ontology#Outcome" title="prm:Outcome">outcome</a>' in page  # type, with its label
    assert "outcome number" in page and "prm:outcomeNumber" in page  # a property's human label
    # incoming link, grouped under the property's label
    incoming = page.split('id="incoming"', 1)[1]
    assert (
        "has outcome" in incoming
        and '<a href="/id/process/CONF" title="id:process/CONF">Configuration Management</a>' in incoming
    )
    # the mapping row: relation type, the model's words, the other side, page, citation, status, author, date
    mappings = page.split('id="mappings"', 1)[1].split("</table>", 1)[0]
    row = mappings.split("<tbody>", 1)[1]
    assert ">equal to</a>" in row and ">outcome</a>" in row
    assert '<a href="/id/iso15504-5/2006/process/SUP.8/outcome/4"' in row
    assert "<td>51</td>" in row and "Ref. ISO/IEC 15504-5:2006, p. 51, SUP.8, outcome 4" in row
    assert ">complete</a>" in row and "Centre de Recherche Public Henri Tudor" in row and "2007-02-15" in row
    assert "&#39;equal&#39;" in row  # the justification, escaped
    # the process and the sibling outcomes
    assert '<a href="/id/process/CONF/outcome/1"' in page and '<a href="/id/process/CONF/outcome/8"' in page
    assert 'class="current" aria-current="true"' in page


def test_external_outcome_page_shows_the_incoming_mapping(client: TestClient) -> None:
    page = client.get("/id/iso15504-5/2006/process/SUP.8/outcome/4", headers={"Accept": BROWSER}).text
    mappings = page.split('id="mappings"', 1)[1].split("</table>", 1)[0]
    assert (
        '<a href="/id/process/CONF/outcome/5" title="id:process/CONF/outcome/5">CONF outcome 5</a>'
        in mappings
    )
    assert ">equal to</a>" in mappings and ">outcome</a>" in mappings
    assert "Links to this resource" in page


def test_process_page_lists_purpose_notes_and_outcomes_in_order(
    client: TestClient, kg: KnowledgeGraph
) -> None:
    page = client.get("/id/process/INC", headers={"Accept": BROWSER}).text
    assert "The purpose of the Incident Management is to restore normal service operation" in page
    assert "NOTE 4" in page and "Most of time the ICT" in page
    positions = [page.index(f'<a href="/id/process/INC/outcome/{n}">INC.{n}</a>') for n in range(1, 8)]
    assert positions == sorted(positions)
    itfm = client.get("/id/process/ITFM", headers={"Accept": BROWSER}).text
    assert "Charging outcome (optional: depends on the company&#39;s strategy):" in itfm
    assert itfm.count('<span class="badge">optional</span>') == 3


def test_breadcrumbs_lead_home_through_the_containers(client: TestClient) -> None:
    page = client.get("/id/process/CONF/outcome/5", headers={"Accept": BROWSER}).text
    crumbs = page.split('aria-label="Breadcrumb"', 1)[1].split("</nav>", 1)[0]
    order = [
        crumbs.index(s)
        for s in (
            'href="/"',
            'href="/id/model"',
            'href="/id/group/service-support"',
            'href="/id/process/CONF"',
        )
    ]
    assert order == sorted(order)
    assert '<li aria-current="page">CONF outcome 5</li>' in crumbs


def test_mapping_set_page_lists_its_records(client: TestClient) -> None:
    page = client.get("/id/mapping-set/prm-iso15504-5-2006", headers={"Accept": BROWSER}).text
    rows = page.split('id="mappings"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0].count("<tr>")
    assert rows == 25


def test_pages_link_to_the_formats_and_the_site(client: TestClient) -> None:
    page = client.get("/id/process/INC", headers={"Accept": BROWSER}).text
    links = hrefs(page)
    for target in (
        "/id/process/INC.ttl",
        "/id/process/INC.jsonld",
        "/id/process/INC.rdf",
        "/id/process/INC.nt",
    ):
        assert target in links
    for target in ("/", "/ontology", "/ontology/shapes", "/query", "/download", "/docs", "/static/style.css"):
        assert target in links
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/static/nope.css").status_code == 404


def test_resource_route_describes_iris_outside_id(client: TestClient) -> None:
    page = client.get(
        "/resource", params={"iri": "https://w3id.org/sssom/NoTermFound"}, headers={"Accept": BROWSER}
    )
    assert page.status_code == 200
    assert 'href="/id/mapping-set/prm-iso15504-5-2006/PRO-none"' in page.text
    assert ">not related to</a>" in page.text and ">no correspondence</a>" in page.text
    turtle = client.get("/resource", params={"iri": str(PRM.Process), "format": "ttl"})
    assert (PRM.Process, RDFS.label, Literal("process", lang="en")) in parse(turtle.content, "text/turtle")


def test_home_page_shows_the_model_and_its_parts(client: TestClient) -> None:
    page = client.get("/").text
    for text in (
        "IT Service Management Process Reference Model",
        "<dd>3.0</dd>",
        "<dd>2007-02-15</dd>",
        "Michel Picard",
        "Béatrix Barafort",
        "Alain Renault",
        "Service Support Group",
        "Service Delivery Group",
        "ITIL v2 Service Support",
        "ITIL v2 Service Delivery",
        "PRM v3.0 references to ISO/IEC 15504-5:2006",
        "SUP.8",
        "SPL.3",
    ):
        assert text in page, text
    links = hrefs(page)
    for target in ("/ontology", "/ontology/shapes", "/query", "/download", "/.well-known/void", "/docs"):
        assert target in links


def _local_page(href: str) -> str | None:
    """The path (and query) of a link to a resource page of this site, else None."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    if parts.path.startswith("/id/") or parts.path == "/resource":
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return None


def _iri_of(path: str) -> str:
    parts = urlsplit(path)
    if parts.path == "/resource":
        return parse_qs(parts.query)["iri"][0]
    return ID + parts.path[len("/id/") :]


def crawl(get: Callable[[str], str], depth: int) -> set[str]:
    """IRIs of the resource pages reached from ``/`` within ``depth`` clicks."""
    seen: set[str] = set()
    queue = deque([("/", 0)])
    while queue:
        path, level = queue.popleft()
        if level >= depth:
            continue
        for href in hrefs(get(path)):
            target = _local_page(html.unescape(href))
            if target is None or "format=" in target or re.search(r"\.(ttl|jsonld|rdf|nt|html)$", target):
                continue
            if target not in seen:
                seen.add(target)
                queue.append((target, level + 1))
    return {_iri_of(p) for p in seen}


def test_every_process_outcome_and_clause_is_reachable_from_home(
    client: TestClient, kg: KnowledgeGraph
) -> None:
    def get(path: str) -> str:
        response = client.get(path, headers={"Accept": BROWSER})
        assert response.status_code == 200, path
        return response.text

    reached = crawl(get, depth=2)
    prefix = "PREFIX prm: <https://w3id.org/itsm-prm/ontology#> "
    processes = select(kg, prefix + "SELECT ?x WHERE { ?x a prm:Process }")
    outcomes = select(kg, prefix + "SELECT ?x WHERE { ?x a prm:Outcome }")
    clauses = select(kg, prefix + "SELECT ?x WHERE { ?x a prm:Clause }")
    assert len(processes) == 10 and len(outcomes) == 61
    assert not set(processes) - reached
    assert not set(outcomes) - reached
    assert not set(clauses) - reached


def test_a_smaller_model_is_navigable_too(fixture_settings: Settings, fixture_kg: KnowledgeGraph) -> None:
    """The fixture home (processes linked to their group one way only, no model): still all reachable."""
    with TestClient(
        create_app(fixture_settings.model_copy(update={"query_workers": 1}), fixture_kg)
    ) as small:
        reached = crawl(lambda path: small.get(path, headers={"Accept": BROWSER}).text, depth=2)
    prefix = "PREFIX prm: <https://w3id.org/itsm-prm/ontology#> "
    processes = select(fixture_kg, prefix + "SELECT ?x WHERE { ?x a prm:Process }")
    outcomes = select(fixture_kg, prefix + "SELECT ?x WHERE { ?p a prm:Process ; prm:hasOutcome ?x }")
    assert processes and outcomes
    assert not (set(processes) | set(outcomes)) - reached


def test_no_local_link_is_broken(client: TestClient, crawl_budget: int | None) -> None:
    """Every page of the site reachable from ``/`` (downloads and format links included) answers 200."""
    skip = ("/query", "/docs", "/sparql", "/api/", "/openapi.json")  # other routers, tested there
    seen = {"/"}
    queue = deque(["/"])
    broken = []
    visited = 0
    while queue and (crawl_budget is None or visited < crawl_budget):
        path = queue.popleft()
        visited += 1
        response = client.get(path, headers={"Accept": BROWSER})
        if response.status_code != 200:
            broken.append((path, response.status_code))
            continue
        if media(response) != "text/html" or path.startswith("/ontology?") or path == "/ontology":
            continue  # RDF, or pyLODE's page (its links are to its own anchors and to the ontology)
        for href in hrefs(response.text):
            parts = urlsplit(html.unescape(href))
            if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith(skip):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if target not in seen:
                seen.add(target)
                queue.append(target)
    assert not broken
    assert len(seen) > 500
    assert crawl_budget is None or visited == crawl_budget


def test_links_follow_the_public_base_url(make_client: Callable[..., TestClient]) -> None:
    public = make_client(base_url=BASE, query_workers=1)
    page = public.get("/").text
    assert f'href="{INC}"' in page  # the page links to the IRI itself: it dereferences here
    assert f'href="{BASE}ontology"' in page
    outcome = public.get("/id/process/INC/outcome/1.html").text
    assert f'href="{INC}"' in outcome

    elsewhere = make_client(base_url="https://prm.example.org/sub", query_workers=1)
    page = elsewhere.get("/").text
    assert 'href="https://prm.example.org/sub/id/process/INC"' in page
    assert f'href="{INC}"' not in page
    turtle = elsewhere.get("/id/process/INC", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-location"] == "https://prm.example.org/sub/id/process/INC.ttl"
    assert (URIRef(INC), RDF.type, PRM.Process) in parse(turtle.content, "text/turtle")  # IRIs never change


def test_json_ld_is_compact_and_self_contained(client: TestClient) -> None:
    doc = json.loads(client.get("/id/process/INC.jsonld").content)
    assert doc["@context"]["prm"] == str(PRM)
    assert all(isinstance(v, str) for v in doc["@context"].values())  # no remote context to fetch
