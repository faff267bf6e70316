"""The crosswalk queries on the shipped mapping sets, against answers worked out by hand from the records
(data/mappings/prm-iso20000-1-2005.ttl, prm-iso20000-1-2018.ttl, prm-itil4.ttl, iso20000-1-editions.ttl).
If a record changes on purpose, the expectation here changes with it, after reading the record again."""

from __future__ import annotations

import pytest

from itsm_prm.errors import ParameterError
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.terms import QueryResult

ID = "https://w3id.org/itsm-prm/id/"

# ISO/IEC 20000-1:2005, every requirement leaf (clauses 1 and 2 state no requirements): the strongest
# record on each decides (equal/superset full, subset/intersects partial)
COVERAGE_2005 = {
    "3.1": "none", "3.2": "none", "3.3": "none",
    "4.1": "partial",  # the ten strategy outcomes (X.1) intersect the planning clause
    "4.2": "none", "4.3": "none", "4.4.1": "none",
    "4.4.2": "partial", "4.4.3": "partial",  # SLM.5 (service improvement): subset, intersects
    "5": "partial",  # REL.5 intersects
    "6.1": "full",  # SLM equal to
    "6.2": "none",  # service reporting: nothing in the model
    "6.3": "partial",  # ITSCM and AVA are each a subset of continuity-and-availability
    "6.4": "full",  # ITFM superset of (it adds charging)
    "6.5": "full",  # CAP equal to
    "6.6": "none",  # information security
    "7.1": "none", "7.2": "none", "7.3": "none",  # business relationship and supplier management
    "8.1": "none",
    "8.2": "full", "8.3": "full", "9.1": "full", "9.2": "full", "10.1": "full",
}
STRATEGY_OUTCOMES = {f"{p}.1" for p in ("INC", "PRO", "CHAN", "CONF", "REL", "SLM", "ITFM", "CAP", "ITSCM", "AVA")}


def rows(kg: KnowledgeGraph, name: str, **params: object) -> list[dict[str, str | None]]:
    result = kg.run(name, **params)
    assert isinstance(result, QueryResult)
    return [{k: None if v is None else v.value for k, v in row.items()} for row in result.rows]


def subjects(row: dict[str, str | None]) -> set[str]:
    return set((row["subjects"] or "").split("; ")) - {""}


def test_coverage_2005(kg: KnowledgeGraph) -> None:
    got = rows(kg, "crosswalk-coverage", edition="2005")
    assert {r["number"]: r["coverage"] for r in got} == COVERAGE_2005
    assert [r["number"] for r in got] == list(COVERAGE_2005)  # in clause order, 10.1 last
    by_number = {r["number"]: r for r in got}
    assert subjects(by_number["9.2"]) == {"CHAN", "REL.6"} | {f"CHAN.{n}" for n in range(1, 8)}
    assert by_number["9.2"]["bestRelationLabel"] == "equal to"
    assert subjects(by_number["6.3"]) == {"ITSCM", "AVA"} | {f"ITSCM.{n}" for n in range(1, 6)} | {
        f"AVA.{n}" for n in range(1, 6)
    }
    assert by_number["6.3"]["bestRelationLabel"] == "subset of"
    assert by_number["6.4"]["bestRelationLabel"] == "superset of"
    assert subjects(by_number["4.1"]) == STRATEGY_OUTCOMES
    assert by_number["6.2"]["bestRelation"] is None and by_number["6.2"]["records"] == "0"
    assert {r["groupNumber"] for r in got if r["number"].startswith("6.")} == {"6"}
    assert by_number["5"]["groupNumber"] == "5"  # a top-level clause without sub-clauses is its own group


def test_process_level_records_of_6_3(kg: KnowledgeGraph) -> None:
    # at process level alone, 6.3 is partial: two processes, each a subset of the joined clause
    found = rows(kg, "crosswalk-reverse", element="6.3", edition="2005")
    processes = [(r["subjectId"], r["relationLabel"]) for r in found if r["subjectKind"] == "process"]
    assert processes == [("ITSCM", "subset of"), ("AVA", "subset of")]


def test_coverage_summary_2005(kg: KnowledgeGraph) -> None:
    got = [
        (r["groupNumber"], r["elements"], r["full"], r["partial"], r["none"],
         float(r["fullPercent"]), float(r["coveredPercent"]))
        for r in rows(kg, "crosswalk-coverage-summary", edition="2005")
    ]
    assert got == [
        ("3", "3", "0", "0", "3", 0.0, 0.0),
        ("4", "6", "0", "3", "3", 0.0, 50.0),
        ("5", "1", "0", "1", "0", 0.0, 100.0),
        ("6", "6", "3", "1", "2", 50.0, 66.7),
        ("7", "3", "0", "0", "3", 0.0, 0.0),
        ("8", "3", "2", "0", "1", 66.7, 66.7),
        ("9", "2", "2", "0", "0", 100.0, 100.0),
        ("10", "1", "1", "0", "0", 100.0, 100.0),
        (None, "25", "8", "5", "12", 32.0, 52.0),
    ]


def test_gaps_2005(kg: KnowledgeGraph) -> None:
    assert [r["number"] for r in rows(kg, "crosswalk-gaps", edition="2005")] == [
        "3.1", "3.2", "3.3", "4.2", "4.3", "4.4.1", "6.2", "6.6", "7.1", "7.2", "7.3", "8.1"
    ]


def test_unmapped_outcomes_2005(kg: KnowledgeGraph) -> None:
    got = rows(kg, "crosswalk-unmapped-outcomes", edition="2005")
    assert [(r["outcomeId"], r["record"]) for r in got] == [
        ("ITFM.4", ID + "mapping-set/prm-iso20000-1-2005/ITFM.4-none"),
        ("ITFM.5", ID + "mapping-set/prm-iso20000-1-2005/ITFM.5-none"),
    ]
    assert all("charging" in (r["comment"] or "") for r in got)


def test_every_outcome_is_unmapped_where_no_set_exists(kg: KnowledgeGraph) -> None:
    # the model → 2011 set is derived like 2018's; ITIL 4 is mapped at process level only
    assert len(rows(kg, "crosswalk-unmapped-outcomes", edition="itil4")) == 61


def test_mappings_of_change_management_2005(kg: KnowledgeGraph) -> None:
    got = rows(kg, "crosswalk-mappings", subject="CHAN", edition="iso20000-1:2005")
    assert [(r["subjectId"], r["relationLabel"], r["objectId"]) for r in got] == [
        ("CHAN", "equal to", "9.2"),
        ("CHAN.1", "intersects with", "4.1"),
        ("CHAN.1", "intersects with", "9.2"),
        ("CHAN.2", "subset of", "9.2"),
        ("CHAN.3", "subset of", "9.2"),
        ("CHAN.4", "subset of", "9.2"),
        ("CHAN.5", "subset of", "9.2"),
        ("CHAN.6", "subset of", "9.2"),
        ("CHAN.6", "intersects with", "10.1"),
        ("CHAN.7", "subset of", "9.2"),
    ]
    assert {r["derived"] for r in got} == {"false"}
    assert got[0]["strength"] == "9" and got[0]["comment"]


def test_mappings_of_one_outcome_and_derived_records(kg: KnowledgeGraph) -> None:
    assert [(r["relationLabel"], r["objectId"]) for r in rows(kg, "crosswalk-mappings", subject="chan.5",
                                                               edition="2005")] == [("subset of", "9.2")]
    later = rows(kg, "crosswalk-mappings", subject="CHAN", edition="2018", include_outcomes=False)
    assert [(r["relationLabel"], r["objectId"], r["derived"]) for r in later] == [
        ("superset of", "8.5.1.1", "true"), ("superset of", "8.5.1.2", "true"), ("superset of", "8.5.1.3", "true")
    ]


def test_reverse_2005_change_management(kg: KnowledgeGraph) -> None:
    got = rows(kg, "crosswalk-reverse", element="9.2", edition="2005")
    assert [(r["subjectId"], r["subjectKind"], r["relationLabel"]) for r in got] == [
        ("CHAN", "process", "equal to"),
        ("CHAN.1", "outcome", "intersects with"),
        *[(f"CHAN.{n}", "outcome", "subset of") for n in range(2, 8)],
        ("REL.6", "outcome", "subset of"),
    ]
    assert {r["element"] for r in got} == {ID + "iso20000-1/2005/clause/9.2"}


def test_reverse_of_a_practice_by_name(kg: KnowledgeGraph) -> None:
    got = rows(kg, "crosswalk-reverse", element="Incident management", edition="ITIL 4")
    assert [(r["subjectId"], r["relationLabel"]) for r in got] == [("INC", "superset of")]


def test_reverse_of_a_clause_the_edition_lacks(kg: KnowledgeGraph) -> None:
    with pytest.raises(ParameterError, match="no clause '8.5.1' in ISO/IEC 20000-1:2005"):
        kg.run("crosswalk-reverse", element="8.5.1", edition="2005")


def test_coverage_2018_spot_checks(kg: KnowledgeGraph) -> None:
    got = {r["number"]: r for r in rows(kg, "crosswalk-coverage", edition="2018")}
    # 2005 6.3 (partial) splits in 2018 into availability and continuity, each matched by one process
    assert (got["8.7.1"]["coverage"], subjects(got["8.7.1"]) >= {"AVA"}) == ("full", True)
    assert (got["8.7.2"]["coverage"], subjects(got["8.7.2"]) >= {"ITSCM"}) == ("full", True)
    assert (got["8.5.1.1"]["coverage"], got["8.5.1.1"]["bestRelationLabel"]) == ("full", "superset of")
    assert (got["8.5.3"]["coverage"], got["8.5.3"]["bestRelationLabel"]) == ("partial", "subset of")
    assert got["8.2.4"]["coverage"] == "partial"
    assert got["9.4"]["coverage"] == got["8.7.3.1"]["coverage"] == "none"  # service reporting, security
    assert "8.5.1" not in got and "8.7.3" not in got  # parents are not requirement leaves


def test_coverage_itil4(kg: KnowledgeGraph) -> None:
    got = {r["number"]: r["coverage"] for r in rows(kg, "crosswalk-coverage", edition="itil4")}
    full = {"incident-management", "problem-management", "change-enablement", "service-configuration-management",
            "release-management", "service-level-management", "capacity-and-performance-management",
            "service-continuity-management", "availability-management"}
    partial = {"service-request-management", "monitoring-and-event-management", "it-asset-management",
               "deployment-management", "service-financial-management"}
    assert len(got) == 34
    assert {n for n, c in got.items() if c == "full"} == full
    assert {n for n, c in got.items() if c == "partial"} == partial
    summary = [
        (r["groupTitle"], r["elements"], r["full"], r["partial"], float(r["fullPercent"]), float(r["coveredPercent"]))
        for r in rows(kg, "crosswalk-coverage-summary", edition="itil4")
    ]
    assert summary == [
        ("general management practices", "14", "0", "1", 0.0, 7.1),
        ("service management practices", "17", "9", "3", 52.9, 70.6),
        ("technical management practices", "3", "0", "1", 0.0, 33.3),
        ("all", "34", "9", "5", 26.5, 41.2),
    ]


def test_changes_2018_for_change_management(kg: KnowledgeGraph) -> None:
    got = rows(kg, "crosswalk-changes-2018", process="CHAN")
    chain = [(r["subjectId"], r["number2005"], r["number2011"], r["number2018"], r["editionChange"],
              r["reviewedNumber2018"], r["relation2018Label"]) for r in got]
    assert chain[:3] == [
        ("CHAN", "9.2", "9.2", "8.5.1", "equal", f"8.5.1.{n}", "superset of") for n in (1, 2, 3)
    ]
    # the strategy outcome: 2005 4.1 = 2011 4.5.2, which 2018 splits over its planning clauses 6.1-6.3
    assert [c for c in chain if c[1] == "4.1"] == [
        ("CHAN.1", "4.1", "4.5.2", "6.1", "split", None, None),
        ("CHAN.1", "4.1", "4.5.2", "6.2", "split", "6.2", "intersects with"),
        ("CHAN.1", "4.1", "4.5.2", "6.3", "split", "6.3", "intersects with"),
    ]
    # 2005 10.1 is a subset of 2011 9.3, which 2018 keeps as 8.5.3
    assert ("CHAN.6", "10.1", "9.3", "8.5.3", "subset", "8.5.3", "intersects with") in chain
    assert {r["title2018"] for r in got if r["number2018"] == "8.5.1"} == {"Change management"}
    assert {c[0] for c in chain} == {"CHAN"} | {f"CHAN.{n}" for n in range(1, 8)}


def test_changes_of_an_unknown_process(kg: KnowledgeGraph) -> None:
    with pytest.raises(ParameterError, match="unknown process 'NOPE'"):
        kg.run("crosswalk-changes-2018", process="NOPE")


@pytest.mark.parametrize("edition", ["2005", "2011", "2018", "itil4"])
def test_summary_counts_the_per_element_answer(kg: KnowledgeGraph, edition: str) -> None:
    per_element = rows(kg, "crosswalk-coverage", edition=edition)
    overall = rows(kg, "crosswalk-coverage-summary", edition=edition)[-1]
    assert overall["groupTitle"] == "all" and overall["group"] is None
    assert int(overall["elements"]) == len(per_element)
    for level in ("full", "partial", "none"):
        assert int(overall[level]) == sum(r["coverage"] == level for r in per_element)
    gaps = rows(kg, "crosswalk-gaps", edition=edition)
    assert [g["element"] for g in gaps] == [r["element"] for r in per_element if r["coverage"] == "none"]
