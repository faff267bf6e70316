"""Content negotiation against the ``Accept`` headers real clients send.

Sources of the headers: browser navigation requests (Chrome 120+, Firefox 128+ and 115,
Safari 17); curl and ``fetch()`` (``*/*``); SPARQLWrapper 2.0.0 (``_getAcceptHeader`` in
``SPARQLWrapper/Wrapper.py``, per return format and query form); YASGUI 4 (``acceptHeaderSelect``
and ``acceptHeaderGraph`` defaults of ``@triply/yasqe``, as in the vendored ``yasgui.min.js``);
rdflib 7 ``SPARQLStore`` (``SPARQLConnector.response_mime_types()`` for ``returnFormat`` xml, the
default, and json); Apache Jena ``RDFConnection`` (``WebContent.defaultSparqlResultsHeader``).
``None`` as the expected type means 406.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from itsm_prm.api.conneg import GRAPH_TYPES, SELECT_TYPES, negotiate

SRJ = "application/sparql-results+json"
SRX = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TTL = "text/turtle"
JSONLD = "application/ld+json"
RDFXML = "application/rdf+xml"
NT = "application/n-triples"

# (client, Accept header, answer to a SELECT, answer to a CONSTRUCT)
REAL_HEADERS: list[tuple[str, str | None, str | None, str | None]] = [
    (
        "Chrome navigation",
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
        "application/signed-exchange;v=b3;q=0.7",
        SRJ,
        TTL,
    ),
    ("Firefox 128 navigation", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", SRJ, TTL),
    (
        "Firefox 115 navigation",
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
        SRJ,
        TTL,
    ),
    ("Safari 17 navigation", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", SRJ, TTL),
    ("curl, fetch(), requests, httpx", "*/*", SRJ, TTL),
    ("no Accept header (urllib)", None, SRJ, TTL),
    (
        "SPARQLWrapper JSON",
        "application/sparql-results+json,application/json,text/javascript,application/javascript",
        SRJ,
        JSONLD,
    ),
    ("SPARQLWrapper XML (SELECT/ASK)", "application/sparql-results+xml", SRX, None),
    ("SPARQLWrapper CSV", "text/csv", CSV, None),
    ("SPARQLWrapper TSV", "text/tab-separated-values", TSV, None),
    ("SPARQLWrapper TURTLE", "application/turtle,text/turtle", None, TTL),
    ("SPARQLWrapper XML/RDFXML (CONSTRUCT)", "application/rdf+xml", None, RDFXML),
    ("SPARQLWrapper JSONLD", "application/ld+json,application/x-json+ld", None, JSONLD),
    (
        "SPARQLWrapper N3",
        "application/turtle,text/turtle,text/rdf+n3,application/n-triples,application/n3,text/n3",
        None,
        TTL,
    ),
    ("YASGUI SELECT/ASK", "application/sparql-results+json,*/*;q=0.9", SRJ, TTL),
    ("YASGUI CONSTRUCT/DESCRIBE", "application/n-triples,*/*;q=0.9", SRJ, NT),
    ("rdflib SPARQLStore (xml)", "application/sparql-results+xml, application/rdf+xml", SRX, RDFXML),
    (
        "rdflib SPARQLStore (xml, other set order)",
        "application/rdf+xml, application/sparql-results+xml",
        SRX,
        RDFXML,
    ),
    ("rdflib SPARQLStore (json)", "application/sparql-results+json", SRJ, None),
    (
        "Apache Jena RDFConnection SELECT",
        "application/sparql-results+json, application/sparql-results+xml;q=0.9, text/tab-separated-values;q=0.7, "
        "text/csv;q=0.5, application/json;q=0.2, application/xml;q=0.2, */*;q=0.1",
        SRJ,
        JSONLD,  # application/json;q=0.2 beats */*;q=0.1, and JSON for a graph is JSON-LD
    ),
    ("a script asking for JSON", "application/json", "application/json", JSONLD),
    ("qualities decide", "text/turtle;q=0.5, application/ld+json, text/csv;q=0.1", CSV, JSONLD),
    ("old Turtle type", "application/x-turtle", None, TTL),
    ("nothing we speak", "image/png", None, None),
]
IDS = [row[0] for row in REAL_HEADERS]

SELECT = "SELECT ?s WHERE { ?s a <https://w3id.org/itsm-prm/ontology#Process> } LIMIT 1"
CONSTRUCT = "CONSTRUCT WHERE { ?s a <https://w3id.org/itsm-prm/ontology#Process> } LIMIT 1"


@pytest.mark.parametrize(("client_name", "accept", "select", "construct"), REAL_HEADERS, ids=IDS)
def test_negotiate(client_name: str, accept: str | None, select: str | None, construct: str | None) -> None:
    assert negotiate(accept, SELECT_TYPES) == select
    assert negotiate(accept, GRAPH_TYPES) == construct


def _served(client: TestClient, query: str, accept: str | None) -> str | None:
    headers = {"Accept": accept} if accept is not None else {}
    response = client.get("/sparql", params={"query": query}, headers=headers)
    if response.status_code == 406:
        return None
    assert response.status_code == 200, response.text
    return response.headers["content-type"].split(";")[0]


@pytest.mark.parametrize(("client_name", "accept", "select", "construct"), REAL_HEADERS, ids=IDS)
def test_sparql_endpoint_answers(
    client: TestClient, client_name: str, accept: str | None, select: str | None, construct: str | None
) -> None:
    assert _served(client, SELECT, accept) == select
    assert _served(client, CONSTRUCT, accept) == construct


# SPARQLWrapper also adds format=… (and output=, results=) to every request: it must not lead astray
SPARQLWRAPPER_FORMAT_PARAMS = [
    (["json"], SELECT, SRJ),
    (["xml"], SELECT, SRX),
    (["csv"], SELECT, CSV),
    (["tsv", "text/tab-separated-values"], SELECT, TSV),
    (["json"], CONSTRUCT, JSONLD),
    (["xml"], CONSTRUCT, RDFXML),
    (["rdf+xml", "application/rdf+xml"], CONSTRUCT, RDFXML),
    (["json-ld", "application/ld+json"], CONSTRUCT, JSONLD),
    (["turtle"], CONSTRUCT, TTL),
    (["n3"], CONSTRUCT, TTL),
]


@pytest.mark.parametrize(("formats", "query", "expected"), SPARQLWRAPPER_FORMAT_PARAMS)
def test_sparqlwrapper_format_parameters(
    client: TestClient, formats: list[str], query: str, expected: str
) -> None:
    params = [("query", query)] + [(name, f) for f in formats for name in ("format", "output", "results")]
    response = client.get("/sparql", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == expected


def test_a_tie_goes_to_the_default_format() -> None:
    assert negotiate("text/csv, application/sparql-results+json", SELECT_TYPES) == SRJ
    assert negotiate("application/n-triples, text/turtle", GRAPH_TYPES) == TTL


def test_q_zero_refuses_a_type() -> None:
    assert negotiate("application/sparql-results+json;q=0, */*", SELECT_TYPES) == SRX
