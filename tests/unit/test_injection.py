"""Parameter values are data, never query text: quotes, braces and SPARQL keywords change nothing."""

import pytest

from itsm_prm.errors import ParameterError
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.terms import QueryResult

HOSTILE_STRINGS = [
    'CHAN" } ; DROP ALL ; #',
    'x")) || true || (("',
    "Change') } UNION { ?process ?p ?name } #",
    "} INSERT DATA { <urn:a> <urn:b> <urn:c> } #",
    '\\" } SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } #',
]


@pytest.fixture(params=["memory", "rdflib"])
def engine(
    request: pytest.FixtureRequest, fixture_kg: KnowledgeGraph, fixture_reference_kg: KnowledgeGraph
) -> KnowledgeGraph:
    return fixture_kg if request.param == "memory" else fixture_reference_kg


@pytest.mark.parametrize("hostile", HOSTILE_STRINGS)
def test_string_parameters_are_literals(engine: KnowledgeGraph, hostile: str) -> None:
    before = engine.store.count()
    result = engine.run("processes-by-name", text=hostile)
    assert isinstance(result, QueryResult)
    assert result.rows == []  # spliced into the FILTER, most of these would match every process
    assert engine.store.count() == before
    honest = engine.run("processes-by-name", text="management")
    assert isinstance(honest, QueryResult) and len(honest.rows) == 3


def test_bound_value_comes_back_verbatim(engine: KnowledgeGraph) -> None:
    result = engine.run("processes-by-name", text="Change", min_outcomes="0")
    assert isinstance(result, QueryResult)
    assert [str(r["text"]) for r in result.rows] == ["Change"]


@pytest.mark.parametrize("hostile", ['CHAN" } ; DROP ALL ; #', "CHAN> } ; DROP ALL ; #", "CHAN }"])
def test_hostile_ids_are_refused_before_the_query_runs(engine: KnowledgeGraph, hostile: str) -> None:
    before = engine.store.count()
    with pytest.raises(ParameterError, match="parameter 'process'"):
        engine.run("process-outcomes", process=hostile)
    assert engine.store.count() == before


def test_hostile_integer_is_refused(engine: KnowledgeGraph) -> None:
    with pytest.raises(ParameterError, match="parameter 'min_outcomes'"):
        engine.run("processes-by-name", text="x", min_outcomes="0) || true || (1")
