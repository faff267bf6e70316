"""The model's processes and outcomes → ISO/IEC 20000-1:2005 clauses, against expectations written by hand from
the fact sheet (§1.2, §1.3, §2.3): every process and every outcome maps (or says it has no counterpart), objects
are leaf clauses, continuity and availability share 6.3, charging has no 2005 counterpart, and the clauses
without an ITIL v2 counterpart stay unmapped."""

from __future__ import annotations

from collections import defaultdict

from rdflib import RDF, RDFS, Namespace, URIRef

PRM = Namespace("https://w3id.org/itsm-prm/ontology#")
ID = Namespace("https://w3id.org/itsm-prm/id/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
NO_TERM = URIRef("https://w3id.org/sssom/NoTermFound")
SET = ID["mapping-set/prm-iso20000-1-2005"]
EDITION = ID["iso20000-1/2005"]

EXPECTED = {
    "INC": ("8.2", "equalTo"), "PRO": ("8.3", "equalTo"), "CHAN": ("9.2", "equalTo"),
    "CONF": ("9.1", "equalTo"), "REL": ("10.1", "equalTo"), "SLM": ("6.1", "equalTo"),
    "ITFM": ("6.4", "supersetOf"), "CAP": ("6.5", "equalTo"), "ITSCM": ("6.3", "subsetOf"),
    "AVA": ("6.3", "subsetOf"),
}
OUTCOME_COUNTS = {"INC": 7, "PRO": 7, "CHAN": 7, "CONF": 8, "REL": 7, "SLM": 5, "ITFM": 5, "CAP": 5, "ITSCM": 5,
                  "AVA": 5}
# Outcomes that do not land in their own process's clause: the improvement programme sits in 4.4, the charging
# outcomes have no 2005 counterpart.
NOT_IN_OWN_CLAUSE = {"SLM.5", "ITFM.4", "ITFM.5"}
NO_COUNTERPART = {"ITFM.4", "ITFM.5"}


def records(graph):
    for record in graph.subjects(PRM.inMappingSet, SET):
        subject = graph.value(record, PRM.mappingSubject)
        obj = graph.value(record, PRM.mappingObject)
        relation = str(graph.value(record, PRM.mappingPredicate)).split("#")[1]
        yield record, subject, obj, relation


def process_records(graph):
    for record, subject, obj, relation in records(graph):
        if (subject, RDF.type, PRM.Process) in graph:
            process = str(graph.value(subject, PRM.processId))
            yield record, process, str(graph.value(obj, PRM.clauseNumber)), relation


def outcome_records(graph):
    """(record, notation such as CHAN.5, clause number or None for no counterpart, relation)."""
    for record, subject, obj, relation in records(graph):
        if (subject, RDF.type, PRM.Outcome) in graph:
            number = None if obj == NO_TERM else str(graph.value(obj, PRM.clauseNumber))
            yield record, str(graph.value(subject, SKOS.notation)), number, relation


def outcome_map(graph) -> dict[str, dict[str | None, str]]:
    found: dict[str, dict[str | None, str]] = defaultdict(dict)
    for _, notation, number, relation in outcome_records(graph):
        found[notation][number] = relation
    return found


def test_every_process_maps_as_expected(compiled):
    found = {process: (clause, relation) for _, process, clause, relation in process_records(compiled)}
    assert found == EXPECTED


def test_every_record_is_about_a_process_or_an_outcome(compiled):
    assert len(list(records(compiled))) == len(list(process_records(compiled))) + len(list(outcome_records(compiled)))


def test_each_of_the_61_outcomes_has_a_record(compiled):
    found = outcome_map(compiled)
    expected = {f"{p}.{n}" for p, count in OUTCOME_COUNTS.items() for n in range(1, count + 1)}
    assert len(expected) == 61
    assert set(found) == expected


def test_objects_are_leaf_clauses_of_2005_or_no_counterpart(compiled):
    for record, _, obj, _ in records(compiled):
        if obj == NO_TERM:
            continue
        assert (obj, PRM.inEdition, EDITION) in compiled, record
        assert compiled.value(obj, PRM.hasSubClause) is None, f"{record} maps to {obj}, which has sub-clauses"


def test_outcomes_land_in_their_process_clause(compiled):
    found = outcome_map(compiled)
    for notation, targets in found.items():
        own = EXPECTED[notation.split(".")[0]][0]
        assert (own in targets) == (notation not in NOT_IN_OWN_CLAUSE), (notation, targets)


def test_specific_outcomes(compiled):
    found = outcome_map(compiled)
    assert found["CHAN.5"] == {"9.2": "subsetOf"}
    assert found["INC.3"] == {"8.2": "subsetOf"}  # 2005 keeps service requests inside incident management
    assert found["INC.5"] == {"8.2": "subsetOf"}
    assert found["CAP.4"] == {"6.5": "subsetOf"}
    assert found["ITFM.2"] == {"6.4": "subsetOf"}  # budgeting is required
    assert found["ITFM.3"] == {"6.4": "subsetOf"}  # accounting is required, though optional in the model
    assert found["ITSCM.4"] == {"6.3": "subsetOf"}
    assert found["AVA.5"] == {"6.3": "subsetOf"}
    assert set(found["SLM.5"]) <= {"4.4.1", "4.4.2", "4.4.3"} and found["SLM.5"]
    assert "9.2" in found["REL.6"]  # the post-implementation review is change management's
    assert "10.1" in found["CHAN.6"]  # changes are carried out through releases (CHAN NOTE 2)


def test_strategy_outcomes_touch_planning(compiled):
    found = outcome_map(compiled)
    for process in OUTCOME_COUNTS:
        assert found[f"{process}.1"].get("4.1") == "intersectsWith", process
        assert found[f"{process}.1"][EXPECTED[process][0]] == "intersectsWith", process


def test_no_counterpart_records(compiled):
    found = outcome_map(compiled)
    assert {n for n, targets in found.items() if None in targets} == NO_COUNTERPART
    for record, notation, number, _ in outcome_records(compiled):
        if number is None:
            assert found[notation] == {None: "notRelatedTo"}
            assert str(compiled.value(record, PRM.mappingCardinality)) == "1:0"
            assert compiled.value(record, PRM.strength) is None


def test_gap_clauses_stay_unmapped(compiled):
    mapped = {str(compiled.value(obj, PRM.clauseNumber)) for _, _, obj, _ in records(compiled) if obj != NO_TERM}
    for gap in ("6.2", "6.6", "7.2", "7.3"):
        assert gap not in mapped


def test_cardinality_agrees_with_the_outcome_records(compiled):
    rows = [(r, n, c) for r, n, c, _ in outcome_records(compiled) if c is not None]
    objects, subjects = defaultdict(set), defaultdict(set)
    for _, notation, clause in rows:
        objects[notation].add(clause)
        subjects[clause].add(notation)
    for record, notation, clause in rows:
        left = "1" if len(subjects[clause]) == 1 else "n"
        right = "1" if len(objects[notation]) == 1 else "n"
        assert str(compiled.value(record, PRM.mappingCardinality)) == f"{left}:{right}", record
    by_record = {notation: str(compiled.value(r, PRM.mappingCardinality)) for r, notation, c in rows if c == "4.4.2"}
    assert by_record == {"SLM.5": "1:n"}  # one outcome, two improvement clauses, nobody else there


def test_records_have_strength_why_and_direct_triple(compiled):
    for record, subject, obj, relation in records(compiled):
        assert compiled.value(record, RDFS.comment) is not None
        assert compiled.value(record, PRM.rationale) in (PRM.SemanticRationale, PRM.FunctionalRationale)
        assert compiled.value(record, PRM.objectSource) == EDITION
        if obj != NO_TERM:
            assert 1 <= compiled.value(record, PRM.strength).toPython() <= 10
            assert (subject, PRM[relation], obj) in compiled


def test_outcome_records_project_to_skos(compiled):
    outcome = ID["process/CHAN/outcome/5"]
    assert (outcome, SKOS.broadMatch, ID["iso20000-1/2005/clause/9.2"]) in compiled
    assert (ID["process/INC/outcome/1"], SKOS.relatedMatch, ID["iso20000-1/2005/clause/4.1"]) in compiled
