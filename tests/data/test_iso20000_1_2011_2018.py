"""ISO/IEC 20000-1:2011 and 2018 clauses: numbers and titles as public sources give them (written here by
hand from the fact sheet), each pinned to its edition, with a source and a confidence."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS

PRM = Namespace("https://w3id.org/itsm-prm/ontology#")
ID = Namespace("https://w3id.org/itsm-prm/id/")

CLAUSE_8_2018 = {
    "8", "8.1", "8.2", "8.2.1", "8.2.2", "8.2.3", "8.2.4", "8.2.5", "8.2.6", "8.3", "8.3.1", "8.3.2", "8.3.3",
    "8.3.4", "8.3.4.1", "8.3.4.2", "8.4", "8.4.1", "8.4.2", "8.4.3", "8.5", "8.5.1", "8.5.1.1", "8.5.1.2",
    "8.5.1.3", "8.5.2", "8.5.2.1", "8.5.2.2", "8.5.2.3", "8.5.3", "8.6", "8.6.1", "8.6.2", "8.6.3", "8.7",
    "8.7.1", "8.7.2", "8.7.3", "8.7.3.1", "8.7.3.2", "8.7.3.3",
}


def clauses(graph, year: str) -> dict[str, str]:
    edition = ID[f"iso20000-1/{year}"]
    found = {}
    for clause in graph.subjects(PRM.inEdition, edition):
        if (clause, None, PRM.Clause) in graph:
            assert list(graph.objects(clause, DCTERMS.source)), clause
            assert graph.value(clause, PRM.confidence) is not None, clause
            found[str(graph.value(clause, PRM.clauseNumber))] = str(graph.value(clause, DCTERMS.title))
    return found


def test_2011_top_clauses_and_process_clauses(compiled):
    found = clauses(compiled, "2011")
    assert {n for n in found if "." not in n} == {"4", "5", "6", "7", "8", "9"}
    assert found["8.1"] == "Incident and service request management"
    assert found["9.3"] == "Release and deployment management"
    assert found["6.4"] == "Budgeting and accounting for services"
    assert found["4.2"] == "Governance of processes operated by other parties"


def test_2018_every_sub_clause_of_clause_8(compiled):
    found = clauses(compiled, "2018")
    assert {n for n in found if "." not in n} == {"4", "5", "6", "7", "8", "9", "10"}
    assert {n for n in found if n == "8" or n.startswith("8.")} == CLAUSE_8_2018
    assert found["8.7.1"] == "Service availability management"
    assert found["8.7.2"] == "Service continuity management"
    assert found["8.6.2"] == "Service request management"
    assert found["9.4"] == "Service reporting"


def test_editions_are_pinned(compiled):
    for year in ("2005", "2011", "2018"):
        assert (ID[f"iso20000-1/{year}"], PRM.editionOf, ID["iso20000-1"]) in compiled
    # the same number names different clauses in different editions
    assert str(compiled.value(ID["iso20000-1/2005/clause/8.2"], DCTERMS.title)) == "Incident management"
    assert str(compiled.value(ID["iso20000-1/2011/clause/8.2"], DCTERMS.title)) == "Problem management"
    assert str(compiled.value(ID["iso20000-1/2018/clause/8.2"], DCTERMS.title)) == "Service portfolio"
