"""Named queries as REST (``/api/queries``) and the query page (``/query``), in process.

The real catalog and data come through the shared ``client``; typed parameters (integer, boolean,
iri) are checked on an app over a copy of the fixture home with one extra query.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from itsm_prm import queries, resultsio
from itsm_prm.api import create_app
from itsm_prm.api.pages import Site
from itsm_prm.api.query_page import example_sparql, local_href
from itsm_prm.config import Settings
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.terms import QueryResult

FIXTURE_HOME = Path(__file__).parents[1] / "fixtures" / "home"
BASE = "https://w3id.org/itsm-prm/"
SRJ = "application/sparql-results+json"

TYPED_QUERY = """\
#+ summary: Outcomes of a process from a number on (typed parameters, for the API tests)
#+ tags: [test]
#+ params: {process: {type: iri, required: true, example: "https://w3id.org/itsm-prm/id/process/CHAN"}, min: {type: integer, required: true, example: 2, description: "lowest outcome number"}, flag: {type: boolean, default: false, description: "echoed back"}}
PREFIX prm: <https://w3id.org/itsm-prm/ontology#>
SELECT ?process ?min ?flag ?number WHERE {
  ?process prm:hasOutcome ?outcome .
  ?outcome prm:number ?number .
  FILTER (?number >= ?min)
}
ORDER BY ?number
"""


@pytest.fixture(scope="module")
def kg_of(client: TestClient) -> KnowledgeGraph:
    """The knowledge graph the app serves (whatever the shared fixture configured)."""
    return client.app.state.kg  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def typed_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    home = tmp_path_factory.mktemp("typed") / "home"
    shutil.copytree(FIXTURE_HOME, home)
    (home / "queries" / "typed.rq").write_text(TYPED_QUERY, encoding="utf-8")
    settings = Settings(home=home, cache_dir=home.parent / "cache", query_workers=1)
    with TestClient(create_app(settings)) as client:
        yield client


def examples(query: queries.NamedQuery) -> dict[str, Any]:
    return {p.name: p.example for p in query.params.values() if p.example is not None}


def bindings_of(document: dict[str, Any]) -> list[str]:
    """SPARQL JSON rows in a comparable form (order-independent, term types and values kept)."""
    return sorted(json.dumps(row, sort_keys=True) for row in document["results"]["bindings"])


def expected(kg: KnowledgeGraph, name: str, **params: Any) -> dict[str, Any]:
    result = kg.run(name, **params)
    assert isinstance(result, QueryResult)
    return json.loads(resultsio.to_json(result))


# ---------------------------------------------------------------- the catalog


def test_catalog_lists_every_query_file(client: TestClient, kg_of: KnowledgeGraph) -> None:
    response = client.get("/api/queries")
    assert response.status_code == 200
    assert response.headers["etag"] and "max-age" in response.headers["cache-control"]
    again = client.get("/api/queries", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304
    listed = {q["name"]: q for q in response.json()["queries"]}
    files = {p.stem for p in (kg_of.settings.resources_root() / "queries").glob("*.rq")}
    assert set(listed) == files and files
    for name, item in listed.items():
        query = kg_of.catalog[name]
        assert item["summary"] == query.summary and item["summary"]
        assert item["description"] == query.description
        assert item["tags"] == list(query.tags)
        assert item["sparql"] == query.sparql
        assert item["kind"] == query.kind
        assert item["url"].endswith(f"/api/queries/{name}")
        for param in query.params.values():
            assert item["params"][param.name] == {
                "type": param.type,
                "required": param.required,
                "default": param.default,
                "example": param.example,
                "description": param.description,
            }
        assert item["access"] == query.access
        # the example URL runs as it stands (a scoped query's asks for a token first)
        assert client.get(item["example_url"]).status_code == (401 if query.scoped else 200)


def test_catalog_documents_parameters_of_the_real_queries(client: TestClient) -> None:
    listed = {q["name"]: q for q in client.get("/api/queries").json()["queries"]}
    assert listed["process-outcomes"]["params"]["process"]["type"] == "iri-or-id"
    assert listed["process-outcomes"]["params"]["process"]["required"] is True
    assert listed["process-outcomes"]["example_url"].endswith("/api/queries/process-outcomes?process=CHAN")
    assert listed["processes"]["params"] == {}


# ---------------------------------------------------------------- OpenAPI


def test_openapi_has_one_operation_per_query(client: TestClient, kg_of: KnowledgeGraph) -> None:
    spec = client.get("/openapi.json").json()
    for name, query in kg_of.catalog.items():
        operation = spec["paths"][f"/api/queries/{name}"]["get"]
        assert operation["operationId"] == "query_" + name.replace("-", "_")
        assert operation["summary"] == query.summary
        assert query.sparql.strip() in operation["description"]
        assert set(operation["responses"]["200"]["content"]) >= {SRJ, "text/csv"}
        parameters = {p["name"]: p for p in operation.get("parameters", [])}
        assert set(parameters) == set(query.params) | {"format"}
        for param in query.params.values():
            documented = parameters[param.name]
            assert documented["in"] == "query"
            assert documented["required"] is (param.required and param.default is None)
            assert documented["description"]
            if param.description:
                assert param.description in documented["description"]
            if param.example is not None:
                assert documented["schema"]["examples"] == [param.example]
                assert documented["examples"]["example"]["value"] == param.example
    assert "/api/queries" in spec["paths"]
    assert "/api/queries/{name}" not in spec["paths"]  # the 404 helper stays out of the docs


def test_openapi_types_follow_the_header(typed_client: TestClient) -> None:
    operation = typed_client.get("/openapi.json").json()["paths"]["/api/queries/typed"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert parameters["min"]["schema"]["type"] == "integer" and parameters["min"]["required"] is True
    assert parameters["min"]["schema"]["examples"] == [2]
    assert parameters["process"]["schema"]["type"] == "string"
    assert parameters["process"]["schema"]["format"] == "iri"
    flag = parameters["flag"]
    assert flag["required"] is False and flag["description"] == "echoed back"
    assert {"type": "boolean"} in flag["schema"]["anyOf"] and flag["schema"]["default"] is False
    # the fixture home's optional integer with a default
    by_name = typed_client.get("/openapi.json").json()["paths"]["/api/queries/processes-by-name"]["get"]
    minimum = {p["name"]: p for p in by_name["parameters"]}["min_outcomes"]
    assert minimum["required"] is False and minimum["schema"]["default"] == 0


# ---------------------------------------------------------------- answers


def test_every_operation_answers_like_the_core(client: TestClient, kg_of: KnowledgeGraph) -> None:
    for name, query in kg_of.catalog.items():
        if query.scoped:  # tests/api/test_isolation.py
            continue
        params = examples(query)
        response = client.get(f"/api/queries/{name}", params=params)
        assert response.status_code == 200, (name, response.text)
        assert response.headers["content-type"].startswith(SRJ)
        assert bindings_of(response.json()) == bindings_of(expected(kg_of, name, **params)), name


def test_processes_and_outcomes(client: TestClient) -> None:
    rows = client.get("/api/queries/processes").json()["results"]["bindings"]
    assert len(rows) == 10
    assert rows[0]["process"] == {"type": "uri", "value": BASE + "id/process/INC"}
    outcomes = client.get("/api/queries/process-outcomes", params={"process": "chan"}).json()
    processes = {row["process"]["value"] for row in outcomes["results"]["bindings"]}
    assert processes == {BASE + "id/process/CHAN"}  # IDs are case-insensitive, as in the CLI
    by_iri = client.get("/api/queries/process-outcomes", params={"process": BASE + "id/process/CHAN"})
    assert by_iri.json() == outcomes


def test_typed_values_are_bound_as_typed_terms(typed_client: TestClient) -> None:
    response = typed_client.get(
        "/api/queries/typed", params={"process": BASE + "id/process/CHAN", "min": "2", "flag": "yes"}
    )
    assert response.status_code == 200, response.text
    rows = response.json()["results"]["bindings"]
    assert [row["number"]["value"] for row in rows] == ["2", "5"]
    assert rows[0]["min"]["datatype"].endswith("#integer") and rows[0]["min"]["value"] == "2"
    assert rows[0]["flag"]["datatype"].endswith("#boolean") and rows[0]["flag"]["value"] == "true"
    default = typed_client.get("/api/queries/typed", params={"process": BASE + "id/process/CHAN", "min": 5})
    assert default.json()["results"]["bindings"][0]["flag"]["value"] == "false"


def test_ask_query(typed_client: TestClient) -> None:
    response = typed_client.get("/api/queries/has-outcome", params={"outcome": "CHAN.5"})
    assert response.status_code == 200 and response.json()["boolean"] is True


# ---------------------------------------------------------------- bad parameters


def _error_text(response: Any) -> str:
    return json.dumps(response.json())


def test_missing_required_parameter(client: TestClient) -> None:
    response = client.get("/api/queries/process-outcomes")
    assert response.status_code == 422
    assert "process" in _error_text(response)


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"process": BASE + "id/process/CHAN", "min": "two"}, "min"),
        ({"process": BASE + "id/process/CHAN", "min": "2.5"}, "min"),
        ({"process": BASE + "id/process/CHAN", "min": 2, "flag": "maybe"}, "flag"),
        ({"process": "not an IRI", "min": 2}, "process"),
        ({"min": 2}, "process"),
    ],
)
def test_ill_typed_parameters(typed_client: TestClient, params: dict[str, Any], named: str) -> None:
    response = typed_client.get("/api/queries/typed", params=params)
    assert response.status_code == 422, response.text
    assert named in _error_text(response)


def test_unknown_process(client: TestClient) -> None:
    response = client.get("/api/queries/process-outcomes", params={"process": "NOPE"})
    assert response.status_code == 422
    body = response.json()
    assert "process" in body["error"] and "NOPE" in body["error"]


def test_unknown_parameter_is_named(client: TestClient) -> None:
    response = client.get("/api/queries/process-outcomes", params={"process": "CHAN", "proces": "INC"})
    assert response.status_code == 422
    assert "proces" in response.json()["error"]


def test_unknown_query_suggests_close_names(client: TestClient) -> None:
    response = client.get("/api/queries/process-outcome")
    assert response.status_code == 404
    assert "process-outcomes" in response.json()["error"]


# ---------------------------------------------------------------- injection


@pytest.mark.parametrize(
    "value",
    [
        'CHAN" } ; DROP ALL ; #',
        "CHAN> } UNION { ?s ?p ?o } #",
        "{ ?s ?p ?o }",
        "CHAN } SERVICE <http://example.org/sparql> { ?s ?p ?o",
    ],
)
def test_injection_through_an_iri_parameter_is_a_value(client: TestClient, value: str) -> None:
    response = client.get("/api/queries/process-outcomes", params={"process": value})
    assert response.status_code == 422  # not a process of the dataset: refused by name, never run
    assert "process" in response.json()["error"]


@pytest.mark.parametrize(
    "value",
    [
        '") } UNION { ?s ?p ?o } #',
        "') } UNION { ?s ?p ?o } #",
        '""" } ; DROP ALL ; #',
        "{ ?s ?p ?o }",
        "} SERVICE <http://example.org/sparql> { ?s ?p ?o }",
        "\\u0022) } UNION { ?s ?p ?o } #",
    ],
)
def test_injection_through_a_text_parameter_matches_nothing(
    client: TestClient, kg_of: KnowledgeGraph, value: str
) -> None:
    response = client.get("/api/queries/search-outcomes", params={"text": value})
    assert response.status_code == 200, response.text
    document = response.json()
    assert document["head"]["vars"] == ["text", "outcome", "id", "statement"]  # the query is unchanged
    assert document["results"]["bindings"] == []
    assert expected(kg_of, "search-outcomes", text=value)["results"]["bindings"] == []


@pytest.mark.parametrize("value", ["SERVICE", "select", "change"])
def test_keywords_are_searched_for_as_text(client: TestClient, kg_of: KnowledgeGraph, value: str) -> None:
    rows = client.get("/api/queries/search-outcomes", params={"text": value}).json()["results"]["bindings"]
    statements = [row["statement"]["value"] for row in rows]
    assert all(value.lower() in s.lower() for s in statements)
    assert all(row["text"] == {"type": "literal", "value": value} for row in rows)
    assert bindings_of({"results": {"bindings": rows}}) == bindings_of(
        expected(kg_of, "search-outcomes", text=value)
    )
    if value == "SERVICE":  # "service" occurs in the model's outcomes: a literal match, not a clause
        assert rows


# ---------------------------------------------------------------- formats


@pytest.mark.parametrize(
    ("accept", "fmt", "media_type"),
    [
        (None, None, SRJ),
        ("*/*", None, SRJ),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", None, SRJ),
        (SRJ, None, SRJ),
        ("application/json", None, "application/json"),
        ("text/csv", None, "text/csv"),
        ("text/tab-separated-values", None, "text/tab-separated-values"),
        ("application/sparql-results+xml", None, "application/sparql-results+xml"),
        ("text/csv;q=0.5, application/sparql-results+xml", None, "application/sparql-results+xml"),
        ("text/turtle", "csv", "text/csv"),
        (None, "json", SRJ),
        (None, "tsv", "text/tab-separated-values"),
        (None, "xml", "application/sparql-results+xml"),
        (None, "text/csv", "text/csv"),
    ],
)
def test_negotiation(client: TestClient, accept: str | None, fmt: str | None, media_type: str) -> None:
    headers = {"Accept": accept} if accept else {}
    params = {"format": fmt} if fmt else {}
    response = client.get("/api/queries/processes", headers=headers, params=params)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert "Accept" in response.headers["vary"]


def test_csv_is_a_spreadsheet_download(client: TestClient) -> None:
    response = client.get("/api/queries/process-outcomes", params={"process": "CHAN", "format": "csv"})
    assert response.headers["content-disposition"] == 'attachment; filename="process-outcomes.csv"'
    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0] == ["process", "outcome", "id", "number", "statement", "optional", "heading"]
    assert len(table) > 1 and all(row[0] == BASE + "id/process/CHAN" for row in table[1:])
    by_accept = client.get("/api/queries/process-outcomes?process=CHAN", headers={"Accept": "text/csv"})
    assert by_accept.content == response.content


def test_tsv_and_xml(client: TestClient) -> None:
    tsv = client.get("/api/queries/processes", params={"format": "tsv"})
    lines = tsv.text.strip().split("\n")
    assert lines[0].startswith("?process\t?id") and len(lines) == 11
    assert tsv.headers["content-disposition"] == 'attachment; filename="processes.tsv"'
    xml = client.get("/api/queries/processes", headers={"Accept": "application/sparql-results+xml"})
    document = ET.fromstring(xml.content)  # noqa: S314 (our own server's answer)
    results = document.findall(".//{http://www.w3.org/2005/sparql-results#}result")
    assert len(results) == 10


@pytest.mark.parametrize(
    ("accept", "fmt"), [("text/turtle", None), ("image/png", None), (None, "ttl"), (None, "xlsx")]
)
def test_not_acceptable(client: TestClient, accept: str | None, fmt: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    params = {"format": fmt} if fmt else {}
    response = client.get("/api/queries/processes", headers=headers, params=params)
    assert response.status_code == 406
    assert "text/csv" in response.json()["error"]  # says what is offered


# ---------------------------------------------------------------- caching


def test_etag_and_304(client: TestClient) -> None:
    url = "/api/queries/process-outcomes?process=CHAN"
    first = client.get(url)
    etag = first.headers["etag"]
    assert etag.startswith('"') and "max-age" in first.headers["cache-control"]
    assert client.get(url).headers["etag"] == etag  # stable
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert client.get(url, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
    assert client.get(url, headers={"If-None-Match": "*"}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    # a different value, a different format: a different answer, a different tag
    others = {
        client.get("/api/queries/process-outcomes?process=INC").headers["etag"],
        client.get(url + "&format=csv").headers["etag"],
        client.get(url, headers={"Accept": "text/csv"}).headers["etag"],
    }
    assert etag not in others and len(others) == 2  # Accept and ?format= select the same answer
    # the ID and the IRI of the same process are the same request
    same = client.get("/api/queries/process-outcomes", params={"process": BASE + "id/process/CHAN"})
    assert same.headers["etag"] == etag


def test_bad_parameters_are_not_hidden_by_a_304(client: TestClient) -> None:
    response = client.get("/api/queries/process-outcomes?process=NOPE", headers={"If-None-Match": "*"})
    assert response.status_code == 422


# ---------------------------------------------------------------- the query page


def _page_config(client: TestClient) -> dict[str, Any]:
    html = client.get("/query").text
    start = html.index('<script id="query-config" type="application/json">')
    start = html.index(">", start) + 1
    return json.loads(html[start : html.index("</script>", start)])


def test_query_page(client: TestClient, kg_of: KnowledgeGraph) -> None:
    response = client.get("/query")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    for asset in ("yasgui.min.js", "yasgui.min.css", "query-page.js"):
        assert re.search(rf'"/static/yasgui/{re.escape(asset)}\?v=[0-9a-f]{{12}}"', html), asset
    assert 'href="/"' in html  # the way home
    addresses = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert addresses and all(a.startswith(("/", "data:", "#")) for a in addresses), addresses
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "connect-src 'self'" in policy
    assert "script-src 'self';" in policy  # no inline script runs; the settings are JSON data
    cached = client.get("/query", headers={"If-None-Match": response.headers["etag"]})
    assert cached.status_code == 304
    config = _page_config(client)
    assert config["endpoint"] == "/sparql"
    assert [tab["name"] for tab in config["examples"]] == [q.name for q in kg_of.catalog.values() if not q.scoped]
    assert config["prefixes"]["id"] == BASE + "id/"


def _virtuoso_booleans(document: dict[str, Any], want: dict[str, Any]) -> dict[str, Any]:
    """Virtuoso answers a boolean written in the query text (the tab's ``VALUES ?flag { true }``)
    with the integer 1 or 0; nothing in the answer tells it from a real integer, so the store cannot
    normalise it (src/itsm_prm/store/remote.py). Map exactly those cells back for the comparison:
    integer 0/1 where the expected answer has a boolean in that column."""
    boolean = "http://www.w3.org/2001/XMLSchema#boolean"
    integer = "http://www.w3.org/2001/XMLSchema#integer"
    columns = {n for row in want["results"]["bindings"] for n, c in row.items() if c.get("datatype") == boolean}
    for row in document["results"]["bindings"]:
        for name in columns & set(row):
            cell = row[name]
            if cell.get("datatype") == integer and cell["value"] in ("0", "1"):
                row[name] = {**cell, "value": "true" if cell["value"] == "1" else "false", "datatype": boolean}
    return document


def test_example_tabs_are_valid_and_run_with_the_example_values(
    client: TestClient, kg_of: KnowledgeGraph, store_kind: str
) -> None:
    executor = client.app.state.executor  # type: ignore[attr-defined]
    for tab in _page_config(client)["examples"]:
        query = kg_of.catalog[tab["name"]]
        queries.parse_sparql(tab["sparql"])  # valid SPARQL as shown
        answer = executor.run(tab["sparql"], SRJ)  # run as the page runs it: no bindings
        want = expected(kg_of, query.name, **examples(query))
        document = json.loads(answer.body)
        if store_kind == "virtuoso":
            document = _virtuoso_booleans(document, want)
        assert bindings_of(document) == bindings_of(want), query.name
        if query.params:
            assert "VALUES ?" in tab["sparql"] and f"/api/queries/{query.name}?" in tab["sparql"]
        else:
            assert tab["sparql"] == query.sparql


def test_example_values_go_into_the_where_group(kg_of: KnowledgeGraph) -> None:
    text = example_sparql(kg_of.catalog["search-outcomes"], kg_of)
    where = text.index("WHERE {")
    assert text.index('VALUES ?text { "strategy" }') > where
    assert text.index('VALUES ?text { "strategy" }') < text.index("?outcome a prm:Outcome")
    # braces in comments, strings and IRIs do not count
    tricky = queries.parse_query_text(
        '#+ params: {t: {type: string, example: "a{b"}}\n'
        "# { not here\n"
        "PREFIX ex: <http://example.org/>\n"
        "SELECT ?t ?x (\"{\" AS ?brace) ('''}{''' AS ?braces) WHERE { ?x ex:p ?t FILTER (STRLEN(?t) < 5 && ?t != \"}{\") }\n",
        "tricky",
    )
    shown = example_sparql(tricky, kg_of)
    queries.parse_sparql(shown)
    assert shown.index('VALUES ?t { "a{b" }') > shown.index("WHERE {")


def test_example_values_after_a_construct(kg_of: KnowledgeGraph) -> None:
    construct = queries.parse_query_text(
        "#+ params: {p: {type: iri-or-id, example: CHAN}}\n"
        "PREFIX prm: <https://w3id.org/itsm-prm/ontology#>\n"
        "CONSTRUCT { ?p prm:hasOutcome ?o } WHERE { ?p prm:hasOutcome ?o }\n",
        "construct",
    )
    shown = example_sparql(construct, kg_of)
    queries.parse_sparql(shown)
    assert shown.rstrip().endswith(f"VALUES ?p {{ <{BASE}id/process/CHAN> }}")


SAMPLE_IRIS = [
    BASE + "id/process/INC",
    BASE + "id/process/INC/outcome/2",
    BASE + "id/",
    BASE + "ontology",
    BASE + "ontology#Process",
    BASE + "shapes",
    BASE + "shapes#ProcessShape",
    BASE + "dataset",
    BASE + "graph/prm",
    BASE + "graph/",
    BASE + "elsewhere",
    "https://w3id.org/sssom/NoTermFound",
    "http://www.w3.org/2004/02/skos/core#notation",
]


def _site(app: Any) -> Site:
    scope = {
        "type": "http",
        "app": app,
        "root_path": "",
        "headers": [],
        "path": "/query",
        "query_string": b"",
    }
    return Site(Request(scope), app.state.kg, app.state.settings)


def _result_iris(client: TestClient) -> set[str]:
    found: set[str] = set()
    for tab in _page_config(client)["examples"]:
        answer = client.app.state.executor.run(tab["sparql"], SRJ)  # type: ignore[attr-defined]
        for row in json.loads(answer.body)["results"]["bindings"]:
            found |= {term["value"] for term in row.values() if term["type"] == "uri"}
    return found


def test_result_links_go_where_the_site_links(client: TestClient) -> None:
    """The page's link rules send every IRI where the linked-data pages send it (Site.href)."""
    links = _page_config(client)["links"]
    site = _site(client.app)
    iris = _result_iris(client) | set(SAMPLE_IRIS)
    assert len(iris) > 50
    for iri in sorted(iris):
        assert local_href(iri, links) == site.href(iri), iri
    assert local_href(BASE + "id/process/INC", links) == "/id/process/INC"
    assert local_href(BASE + "graph/prm", links) == "/download/graph/prm.ttl"
    assert local_href("https://w3id.org/sssom/NoTermFound", links).startswith("/resource?iri=https%3A")


def test_result_links_at_the_public_base(make_client: Callable[..., TestClient]) -> None:
    """Served at the base IRI, our IRIs are their own pages; the rules still agree with the site."""
    client = make_client(base_url=BASE)
    links = _page_config(client)["links"]
    site = _site(client.app)
    for iri in SAMPLE_IRIS:
        assert local_href(iri, links) == site.href(iri), iri
    assert local_href(BASE + "id/process/INC", links) == BASE + "id/process/INC"
    policy = client.get("/query").headers["content-security-policy"]
    assert "style-src 'self' 'unsafe-inline' https://w3id.org;" in policy  # the site's stylesheet


def test_yasgui_files(client: TestClient) -> None:
    for name in ("yasgui.min.js", "yasgui.min.css", "query-page.js", "LICENSE", "THIRD-PARTY-NOTICES.txt"):
        response = client.get(f"/static/yasgui/{name}")
        assert response.status_code == 200 and response.content, name
    assert "MIT License" in client.get("/static/yasgui/LICENSE").text
    assert client.get("/static/yasgui/missing.js").status_code == 404
    assert client.get("/static/yasgui/..%2F..%2Fapp.py").status_code == 404


def test_parameter_names_that_are_python_keywords(tmp_path: Path) -> None:
    """SPARQL allows ?from and ?in; the operation must too (its Python names are its own)."""
    home = tmp_path / "home"
    shutil.copytree(FIXTURE_HOME, home)
    (home / "queries" / "keywords.rq").write_text(
        "#+ summary: parameters named like Python keywords\n"
        "#+ params: {from: {type: integer, required: true}, in: {type: string, example: x}, format: string}\n"
        "SELECT ?from ?in ?format WHERE {}\n",
        encoding="utf-8",
    )
    settings = Settings(home=home, cache_dir=tmp_path / "cache", query_workers=1)
    with TestClient(create_app(settings)) as client:
        response = client.get("/api/queries/keywords", params={"from": 3, "in": "y", "format": "csv"})
        assert response.status_code == 200, response.text
        row = response.json()["results"]["bindings"][0]  # format is the query's own parameter here
        assert (row["from"]["value"], row["in"]["value"], row["format"]["value"]) == ("3", "y", "csv")
        assert client.get("/api/queries/keywords", params={"in": "y"}).status_code == 422
        spec = client.get("/openapi.json").json()["paths"]["/api/queries/keywords"]["get"]
        assert [p["name"] for p in spec["parameters"]] == ["from", "in", "format"]
