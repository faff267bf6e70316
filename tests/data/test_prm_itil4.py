"""The model's processes → ITIL 4 management practices, against expectations written by hand from the fact sheet
(§7.1, §7.2): every process maps, splits map to each part, INC's event management strategy is typed as the weak
overlap it is; and the mapping shapes catch a broken record in the shipped ITIL sets."""

from __future__ import annotations

from pathlib import Path

from rdflib import RDFS, Namespace

PRM = Namespace("https://w3id.org/itsm-prm/ontology#")
ID = Namespace("https://w3id.org/itsm-prm/id/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
EDITION = ID["itil/4"]
SET = ID["mapping-set/prm-itil4"]
REPO = Path(__file__).resolve().parents[2]

# PRM process → {ITIL 4 practice name: relation}
EXPECTED = {
    "INC": {"Incident management": "supersetOf", "Service request management": "intersectsWith",
            "Monitoring and event management": "intersectsWith"},
    "PRO": {"Problem management": "equalTo"},
    "CHAN": {"Change enablement": "equalTo"},
    "CONF": {"Service configuration management": "equalTo", "IT asset management": "intersectsWith"},
    "REL": {"Release management": "supersetOf", "Deployment management": "intersectsWith"},
    "SLM": {"Service level management": "equalTo"},
    "ITFM": {"Service financial management": "subsetOf"},
    "CAP": {"Capacity and performance management": "equalTo"},
    "ITSCM": {"Service continuity management": "equalTo"},
    "AVA": {"Availability management": "equalTo"},
}


def mappings(graph) -> dict[str, dict[str, tuple[str, int]]]:
    found: dict[str, dict[str, tuple[str, int]]] = {}
    for record in graph.subjects(PRM.inMappingSet, SET):
        subject = graph.value(record, PRM.mappingSubject)
        practice = graph.value(record, PRM.mappingObject)
        relation = str(graph.value(record, PRM.mappingPredicate)).split("#")[1]
        assert (practice, PRM.inEdition, EDITION) in graph, record
        assert (subject, PRM[relation], practice) in graph, record
        assert graph.value(record, RDFS.comment) is not None, record
        strength = graph.value(record, PRM.strength).toPython()
        found.setdefault(str(graph.value(subject, PRM.processId)), {})[str(graph.value(practice, RDFS.label))] = (
            relation, strength)
    return found


def test_each_process_maps_to_its_practices(compiled):
    found = mappings(compiled)
    assert {p: {name: rel for name, (rel, _) in practices.items()} for p, practices in found.items()} == EXPECTED


def test_event_management_is_a_weak_overlap(compiled):
    relation, strength = mappings(compiled)["INC"]["Monitoring and event management"]
    assert relation == "intersectsWith" and strength <= 4
    # the main successor of each split is stronger than its side branch
    inc = mappings(compiled)["INC"]
    assert inc["Incident management"][1] > inc["Service request management"][1] > strength


def test_set_names_its_sources(compiled):
    assert compiled.value(SET, PRM.subjectSource) == ID["model"]
    assert compiled.value(SET, PRM.objectSource) == EDITION


def test_cardinality_follows_the_splits(compiled):
    by_process: dict[str, set[str]] = {}
    for record in compiled.subjects(PRM.inMappingSet, SET):
        process = str(compiled.value(compiled.value(record, PRM.mappingSubject), PRM.processId))
        by_process.setdefault(process, set()).add(str(compiled.value(record, PRM.mappingCardinality)))
    assert by_process["INC"] == by_process["CONF"] == by_process["REL"] == {"1:n"}
    assert by_process["PRO"] == by_process["AVA"] == {"1:1"}


def test_skos_projection(compiled):
    assert (ID["process/PRO"], SKOS.exactMatch, ID["itil/4/practice/problem-management"]) in compiled
    assert (ID["process/ITFM"], SKOS.broadMatch, ID["itil/4/practice/service-financial-management"]) in compiled
    assert (ID["process/INC"], SKOS.relatedMatch, ID["itil/4/practice/monitoring-and-event-management"]) in compiled


def test_shapes_catch_broken_itil_records(kg, tmp_path):
    """The shipped ITIL sets, each with one defect: an ITIL 4 record whose object is an ITIL 2011 process (outside
    the set's edition), and an ITIL 2011 record with strength 11."""
    itil4 = (REPO / "data/mappings/prm-itil4.ttl").read_text(encoding="utf-8")
    wrong_object = ("<process/PRO> prm:equalTo <itil/4/practice/problem-management> .",
                    "    prm:mappingObject <itil/4/practice/problem-management> ;")
    for old in wrong_object:
        assert old in itil4
        itil4 = itil4.replace(old, old.replace("itil/4/practice/", "itil/2011/process/"), 1)
    itil2011 = (REPO / "data/mappings/prm-itil-2011.ttl").read_text(encoding="utf-8")
    strong = "rdfs:label \"CAP → ITIL 2011 Capacity management\"@en ;"
    start = itil2011.index(strong)
    end = itil2011.index("prm:strength 9 ;", start)
    itil2011 = itil2011[:end] + "prm:strength 11 ;" + itil2011[end + len("prm:strength 9 ;"):]
    (tmp_path / "prm-itil4.ttl").write_text(itil4, encoding="utf-8")
    (tmp_path / "prm-itil-2011.ttl").write_text(itil2011, encoding="utf-8")
    files = [REPO / "data/standards/documents.ttl", REPO / "data/standards/itil-4.ttl",
             REPO / "data/standards/itil-2011.ttl", tmp_path / "prm-itil4.ttl", tmp_path / "prm-itil-2011.ttl"]
    report = kg.validate(*files)
    assert not report.conforms
    # messages, not focus nodes: the record is named in the message whichever node a shape reports on
    messages = {r.message for r in report.results if r.severity == "Violation"}
    strength = "The strength of a mapping is a whole number from 1 to 10."
    outside = {m for m in messages if "is not part of the object source edition ITIL 4." in m}
    assert strength in messages
    assert outside, messages
    for message in outside:
        assert message.startswith("Mapping record PRO → ITIL 4 Problem management: the object ")
        assert "Problem management" in message.split("the object ", 1)[1]
    assert messages == {strength} | outside
