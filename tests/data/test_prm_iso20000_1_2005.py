"""The model's processes → ISO/IEC 20000-1:2005 clauses, against expectations written by hand from the fact
sheet (§1.3, §2.3): every process maps, continuity and availability share 6.3, and the clauses without an
ITIL v2 counterpart stay unmapped."""

from __future__ import annotations

from rdflib import RDFS, Namespace

PRM = Namespace("https://w3id.org/itsm-prm/ontology#")
ID = Namespace("https://w3id.org/itsm-prm/id/")
SET = ID["mapping-set/prm-iso20000-1-2005"]

EXPECTED = {
    "INC": ("8.2", "equalTo"), "PRO": ("8.3", "equalTo"), "CHAN": ("9.2", "equalTo"),
    "CONF": ("9.1", "equalTo"), "REL": ("10.1", "equalTo"), "SLM": ("6.1", "equalTo"),
    "ITFM": ("6.4", "supersetOf"), "CAP": ("6.5", "equalTo"), "ITSCM": ("6.3", "subsetOf"),
    "AVA": ("6.3", "subsetOf"),
}


def records(graph):
    for record in graph.subjects(PRM.inMappingSet, SET):
        process = str(graph.value(graph.value(record, PRM.mappingSubject), PRM.processId))
        clause = str(graph.value(graph.value(record, PRM.mappingObject), PRM.clauseNumber))
        relation = str(graph.value(record, PRM.mappingPredicate)).split("#")[1]
        yield record, process, clause, relation


def test_every_process_maps_as_expected(compiled):
    found = {process: (clause, relation) for _, process, clause, relation in records(compiled)}
    assert found == EXPECTED


def test_clauses_without_a_process(compiled):
    mapped = {clause for _, _, clause, _ in records(compiled)}
    for gap in ("6.2", "6.6", "7.2", "7.3"):
        assert gap not in mapped


def test_records_have_strength_and_why(compiled):
    for record, *_ in records(compiled):
        assert 1 <= compiled.value(record, PRM.strength).toPython() <= 10
        assert compiled.value(record, RDFS.comment) is not None
        assert compiled.value(record, PRM.rationale) == PRM.SemanticRationale
