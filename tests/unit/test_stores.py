"""The embedded Oxigraph store and the rdflib reference engine give the same answers."""

import pytest

from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.store import open_store
from itsm_prm.store.base import Store
from itsm_prm.terms import QueryResult, Term
from tests.conftest import ID

AD_HOC = [
    "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?s ?label",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "SELECT ?o WHERE { ?s <http://www.w3.org/2004/02/skos/core#note> ?o } ORDER BY ?o",
    "SELECT ?s ?n WHERE { ?s <https://w3id.org/itsm-prm/ontology#number> ?n FILTER(?n > 1) } ORDER BY ?s",
]


def _rows(result: QueryResult) -> list[tuple[Term | None, ...]]:
    return [tuple(row[v] for v in result.variables) for row in result.rows]


@pytest.mark.parametrize("sparql", AD_HOC)
def test_same_rows_for_ad_hoc_queries(
    fixture_kg: KnowledgeGraph, fixture_reference_kg: KnowledgeGraph, sparql: str
) -> None:
    fast, slow = fixture_kg.query(sparql), fixture_reference_kg.query(sparql)
    assert isinstance(fast, QueryResult) and isinstance(slow, QueryResult)
    assert fast.variables == slow.variables
    assert fast.rows and _rows(fast) == _rows(slow)


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("processes", {}),
        ("process-outcomes", {"process": "CHAN"}),
        ("processes-by-name", {"text": "man", "min_outcomes": 2}),
    ],
)
def test_same_rows_for_named_queries(
    fixture_kg: KnowledgeGraph, fixture_reference_kg: KnowledgeGraph, name: str, params: dict[str, object]
) -> None:
    fast, slow = fixture_kg.run(name, **params), fixture_reference_kg.run(name, **params)
    assert isinstance(fast, QueryResult) and isinstance(slow, QueryResult)
    assert fast.rows and fast == slow


def test_same_answers_for_ask_construct_and_bindings(
    fixture_kg: KnowledgeGraph, fixture_reference_kg: KnowledgeGraph
) -> None:
    inc = Term.iri(ID + "process/INC")
    for engine in (fixture_kg, fixture_reference_kg):
        assert engine.query("ASK { ?s a <https://w3id.org/itsm-prm/ontology#Process> }", s=inc) is True
        assert engine.query("ASK { ?s a <https://w3id.org/itsm-prm/ontology#Outcome> }", s=inc) is False
    construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    fast = fixture_kg.query(construct, s=inc)
    slow = fixture_reference_kg.query(construct, s=inc)
    assert isinstance(fast, list) and isinstance(slow, list)
    assert fast and set(fast) == set(slow)


def test_counts_and_graphs_agree(fixture_kg: KnowledgeGraph, fixture_reference_kg: KnowledgeGraph) -> None:
    assert fixture_kg.graphs() == fixture_reference_kg.graphs()
    assert fixture_kg.store.count() == fixture_reference_kg.store.count()
    for graph in fixture_kg.graphs():
        assert fixture_kg.store.count(graph) == fixture_reference_kg.store.count(graph) > 0


def test_literals_compare_equal_across_engines(
    fixture_kg: KnowledgeGraph, fixture_reference_kg: KnowledgeGraph
) -> None:
    sparql = "SELECT ?o WHERE { ?s <http://www.w3.org/2004/02/skos/core#note> ?o } ORDER BY ?o"
    fast, slow = fixture_kg.query(sparql), fixture_reference_kg.query(sparql)
    assert isinstance(fast, QueryResult) and isinstance(slow, QueryResult)
    note = fast.rows[0]["o"]
    assert note == slow.rows[0]["o"]
    assert note is not None and note.lang == "en" and '"quotes"' in note.value and "\n" in note.value


@pytest.mark.parametrize("kind", ["memory", "rdflib"])
def test_empty_stores_satisfy_the_protocol(kind: str) -> None:
    store = open_store(kind)
    assert isinstance(store, Store)
    assert store.count() == 0 and store.graphs() == []
