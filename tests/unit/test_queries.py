from pathlib import Path

import pytest

from itsm_prm.errors import (
    CatalogError,
    ParameterError,
    QueryPolicyError,
    QuerySyntaxError,
    UnknownQueryError,
)
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.queries import (
    NamedQuery,
    QueryParam,
    bind,
    coerce,
    load_catalog,
    lookup,
    parse_query_text,
    parse_sparql,
    resolve_iri_or_id,
)
from itsm_prm.terms import XSD_BOOLEAN, XSD_INTEGER, QueryResult, Term
from tests.conftest import BASE, FIXTURE_HOME, ID

HEADER_QUERY = """\
#+ summary: Outcomes of a PRM process, in order
#+ description: Longer text: with a colon
#+ tags: [prm, outcomes]
#+ params: {process: {type: iri-or-id, required: true, example: CHAN, description: "process ID or IRI"}}
PREFIX prm: <https://w3id.org/itsm-prm/ontology#>
SELECT ?process ?o WHERE { ?process prm:hasOutcome ?o }
"""


def test_header_is_parsed_with_yaml() -> None:
    q = parse_query_text(HEADER_QUERY, "outcomes")
    assert q.summary == "Outcomes of a PRM process, in order"
    assert q.description == "Longer text: with a colon"
    assert q.tags == ("prm", "outcomes")
    assert q.kind == "SELECT"
    p = q.params["process"]
    assert (p.type, p.required, p.example, p.description) == ("iri-or-id", True, "CHAN", "process ID or IRI")
    assert p["example"] == "CHAN"  # mapping-style access, like the YAML header


def test_multi_line_header_values() -> None:
    text = (
        "#+ summary: x\n#+ params:\n#+   n: {type: integer, default: 3}\n#+   flag: boolean\n"
        "SELECT ?n ?flag WHERE { BIND(1 AS ?x) }\n"
    )
    q = parse_query_text(text, "multi")
    assert q.params["n"].default == 3 and q.params["flag"].type == "boolean"


def test_fixture_catalog_loads() -> None:
    catalog = load_catalog(FIXTURE_HOME / "queries")
    assert set(catalog) == {"process-outcomes", "processes", "processes-by-name", "has-outcome"}
    assert catalog["has-outcome"].kind == "ASK"
    assert catalog["processes-by-name"].params["min_outcomes"].default == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("#+ summary: x\nSELECT ?a WHERE { ?a ?b }\n", r"bad\.rq: SPARQL syntax error at line \d+"),
        ("#+ params: {x: {type: float}}\nSELECT ?x WHERE { ?x ?p ?o }\n", "unknown type 'float'"),
        ("#+ params: {y: {type: string}}\nSELECT ?x WHERE { ?x ?p ?o }\n", "'y' does not appear"),
        ("#+ params: {p: {type: string}}\nSELECT ?x WHERE { ?x ?p ?o }\n", "must be in the SELECT clause"),
        ("#+ params: {x: {type: integer, default: abc}}\nSELECT ?x WHERE { ?x ?p ?o }\n", "default"),
        ("#+ params: [x]\nSELECT ?x WHERE { ?x ?p ?o }\n", "params must be a mapping"),
        ("#+ params: {x: {type: string, colour: red}}\nSELECT ?x WHERE { ?x ?p ?o }\n", "unknown option"),
        ("#+ tags: [unclosed\nSELECT ?x WHERE { ?x ?p ?o }\n", r"bad\.rq line 1: tags"),
        ("#+ no colon here\nSELECT ?x WHERE { ?x ?p ?o }\n", r"bad\.rq line 1"),
    ],
)
def test_bad_query_files_name_the_file(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "bad.rq").write_text(text)
    with pytest.raises((CatalogError, QuerySyntaxError), match=message):
        load_catalog(tmp_path)


@pytest.mark.parametrize("service", ["SERVICE", "\\u0053ERVICE", "service"])
def test_federated_queries_are_refused_from_the_parsed_algebra(service: str) -> None:
    with pytest.raises(QueryPolicyError, match="SERVICE"):
        parse_sparql(f"SELECT * WHERE {{ {service} <http://127.0.0.1:9/sparql> {{ ?s ?p ?o }} }}")


def test_updates_are_not_queries() -> None:
    with pytest.raises(QuerySyntaxError):
        parse_sparql("DROP ALL")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("CHAN", ["id/process/CHAN"]),
        ("CHAN.5", ["id/process/CHAN/outcome/5", "id/process/CHAN.5"]),
        ("CHAN/5", ["id/process/CHAN/outcome/5"]),
        ("SUP.8", ["id/process/SUP/outcome/8", "id/process/SUP.8"]),
        ("SUP.8.1", ["id/process/SUP.8.1"]),
        ("SUP.8/1", ["id/process/SUP.8/outcome/1"]),
        ("process/CHAN/outcome/5", ["id/process/CHAN/outcome/5"]),
        ("id/group/service-support", ["id/group/service-support"]),
        (" INC ", ["id/process/INC"]),
    ],
)
def test_iri_or_id_resolution(value: str, expected: list[str]) -> None:
    assert resolve_iri_or_id(value, BASE) == [BASE + e for e in expected]


def test_absolute_iris_are_kept() -> None:
    assert resolve_iri_or_id("https://example.org/x", BASE) == ["https://example.org/x"]


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        ("integer", "42", Term("literal", "42", XSD_INTEGER)),
        ("integer", 7, Term("literal", "7", XSD_INTEGER)),
        ("integer", "+3", Term("literal", "3", XSD_INTEGER)),
        ("boolean", "Yes", Term("literal", "true", XSD_BOOLEAN)),
        ("boolean", False, Term("literal", "false", XSD_BOOLEAN)),
        ("string", 'a "b" {c}', Term.literal('a "b" {c}')),
        ("iri", "urn:x:y", Term.iri("urn:x:y")),
        ("iri-or-id", "INC", Term.iri(ID + "process/INC")),
    ],
)
def test_coercion(kind: str, raw: object, expected: Term) -> None:
    assert coerce(QueryParam("p", kind), raw, BASE) == expected


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("integer", "4.5"),
        ("integer", True),
        ("integer", "1; DROP ALL"),
        ("boolean", "maybe"),
        ("iri", "not an iri"),
        ("iri", "http://x/a b"),
        ("iri-or-id", 'CHAN" } ; DROP ALL ; #'),
        ("iri-or-id", ""),
    ],
)
def test_bad_values_name_the_parameter(kind: str, raw: object) -> None:
    with pytest.raises(ParameterError, match="parameter 'p'"):
        coerce(QueryParam("p", kind), raw, BASE)


def _query() -> NamedQuery:
    return parse_query_text(
        "#+ params: {process: {type: iri-or-id, required: true}, n: {type: integer, default: 2}, "
        "label: string}\nSELECT ?process ?n ?label WHERE { ?process ?p ?label }\n",
        "q",
    )


def test_bind_applies_defaults_and_leaves_optional_params_free() -> None:
    bindings = bind(_query(), {"process": "INC"}, base_iri=BASE, exists=lambda iri: True)
    assert bindings == {"process": Term.iri(ID + "process/INC"), "n": Term("literal", "2", XSD_INTEGER)}


def test_bind_errors() -> None:
    q = _query()
    with pytest.raises(ParameterError, match="unknown parameter 'colour'"):
        bind(q, {"process": "INC", "colour": "red"}, base_iri=BASE, exists=lambda iri: True)
    with pytest.raises(ParameterError, match="missing required parameter 'process'"):
        bind(q, {}, base_iri=BASE, exists=lambda iri: True)
    with pytest.raises(ParameterError, match="unknown process 'FOO'"):
        bind(q, {"process": "FOO"}, base_iri=BASE, exists=lambda iri: False)


def test_ids_are_case_insensitive_when_unambiguous(fixture_kg: KnowledgeGraph) -> None:
    lower = fixture_kg.run("process-outcomes", process="chan")
    assert lower == fixture_kg.run("process-outcomes", process="CHAN")
    assert fixture_kg.run("has-outcome", outcome="chan.5") is True


def test_dotted_ids_fall_back_to_a_process(fixture_kg: KnowledgeGraph) -> None:
    result = fixture_kg.run("process-outcomes", process="SUP.8")
    assert isinstance(result, QueryResult)
    assert [str(r["statement"]) for r in result.rows] == ["dotted outcome"]
    assert fixture_kg.run("has-outcome", outcome="CHAN.5") is True
    with pytest.raises(ParameterError, match="unknown outcome 'CHAN.9'"):
        fixture_kg.run("has-outcome", outcome="CHAN.9")


def test_named_query_runs_with_engine_bindings(fixture_kg: KnowledgeGraph) -> None:
    result = fixture_kg.run("process-outcomes", process="CHAN")
    assert isinstance(result, QueryResult)
    assert result.variables == ["process", "outcome", "number", "statement"]
    assert [int(r["number"].value) for r in result.rows] == [1, 2, 5]  # type: ignore[union-attr]
    assert {r["process"] for r in result.rows} == {Term.iri(ID + "process/CHAN")}
    by_iri = fixture_kg.run("process-outcomes", process=ID + "process/CHAN")
    assert by_iri == result


def test_unknown_query_suggests_close_names(fixture_kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownQueryError, match="did you mean 'process-outcomes'"):
        lookup(fixture_kg.catalog, "proces-outcome")
    with pytest.raises(UnknownQueryError, match="known: has-outcome, process-outcomes"):
        lookup(fixture_kg.catalog, "zzzzzz")
