"""The ISO/IEC 20000-1 edition crosswalk, checked against expectations written by hand from the fact sheet:
splits and moves 2005 → 2011 → 2018, every record complete and typed, the SKOS projection inferred."""

from __future__ import annotations

from rdflib import Namespace, URIRef

PRM = Namespace("https://w3id.org/itsm-prm/ontology#")
ID = Namespace("https://w3id.org/itsm-prm/id/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")


def successors(graph, year_from: str, year_to: str, number: str) -> dict[str, str]:
    """Clause number in the later edition → relation local name, for one clause of the earlier edition."""
    subject = ID[f"iso20000-1/{year_from}/clause/{number}"]
    found = {}
    for record in graph.subjects(PRM.mappingSubject, subject):
        if graph.value(record, PRM.objectSource) != ID[f"iso20000-1/{year_to}"]:
            continue
        target = graph.value(record, PRM.mappingObject)
        relation = str(graph.value(record, PRM.mappingPredicate)).split("#")[1]
        found[str(graph.value(target, PRM.clauseNumber))] = relation
    return found


def test_moves_2005_to_2011(compiled):
    assert successors(compiled, "2005", "2011", "8.2") == {"8.1": "equalTo"}  # requests were already inside
    assert successors(compiled, "2005", "2011", "7.2") == {"7.1": "equalTo"}
    assert successors(compiled, "2005", "2011", "10.1") == {"9.3": "subsetOf"}


def test_splits_2011_to_2018(compiled):
    assert successors(compiled, "2011", "2018", "6.3") == {"8.7.1": "supersetOf", "8.7.2": "supersetOf"}
    assert successors(compiled, "2011", "2018", "8.1") == {"8.6.1": "supersetOf", "8.6.2": "supersetOf"}
    assert successors(compiled, "2011", "2018", "6.2") == {"9.4": "equalTo"}


def test_chain_2005_6_3_reaches_both_2018_clauses(compiled):
    via = successors(compiled, "2005", "2011", "6.3")
    assert via == {"6.3": "equalTo"}
    assert set(successors(compiled, "2011", "2018", "6.3")) == {"8.7.1", "8.7.2"}


def test_records_are_complete_and_projected_to_skos(compiled):
    records = [r for r in compiled.subjects(PRM.inMappingSet, None)
               if str(compiled.value(r, PRM.inMappingSet)).endswith(("iso20000-1-2005-2011", "iso20000-1-2011-2018"))]
    assert len(records) == 75
    for record in records:
        strength = compiled.value(record, PRM.strength).toPython()
        assert 1 <= strength <= 10
        assert compiled.value(record, PRM.rationale) is not None
        assert compiled.value(record, URIRef("http://www.w3.org/2000/01/rdf-schema#comment")) is not None
    older = ID["iso20000-1/2011/clause/6.3"]
    assert (older, SKOS.narrowMatch, ID["iso20000-1/2018/clause/8.7.1"]) in compiled
    assert (ID["iso20000-1/2018/clause/8.7.1"], SKOS.broadMatch, older) in compiled


def leaf_clauses(graph, year: str) -> set[str]:
    """Clause numbers of an edition that have no sub-clauses."""
    edition = ID[f"iso20000-1/{year}"]
    clauses = set(graph.subjects(PRM.inEdition, edition))
    parents = {graph.value(c, PRM.subClauseOf) for c in clauses}
    return {str(graph.value(c, PRM.clauseNumber)) for c in clauses - parents
            if graph.value(c, PRM.clauseNumber) is not None}


def test_every_requirement_leaf_has_a_successor(compiled):
    # 2005 clauses 1 and 2 (scope, application, terms) state no requirements and have no successor record.
    leaves_2005 = leaf_clauses(compiled, "2005") - {"1.1", "1.2", "2"}
    assert {n for n in leaves_2005 if not successors(compiled, "2005", "2011", n)} == set()
    leaves_2011 = leaf_clauses(compiled, "2011")
    assert {n for n in leaves_2011 if not successors(compiled, "2011", "2018", n)} == set()


def test_management_system_clauses_follow_the_high_level_structure(compiled):
    assert successors(compiled, "2005", "2011", "4.1") == {"4.5.2": "equalTo"}  # Plan
    assert successors(compiled, "2011", "2018", "4.5.4.2") == {"9.2": "equalTo"}  # internal audit
    assert successors(compiled, "2011", "2018", "4.5.4.3") == {"9.3": "equalTo"}  # management review
    assert successors(compiled, "2011", "2018", "4.1.3") == {"5.3": "supersetOf", "7.4": "intersectsWith"}
    assert successors(compiled, "2011", "2018", "4.3.3") == {"7.5": "subsetOf"}  # records join documented information
    assert successors(compiled, "2011", "2018", "5.2") == {"8.5.2.1": "equalTo"}
