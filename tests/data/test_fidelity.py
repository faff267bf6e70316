"""Fidelity: the compiled graph states the seed document exactly, and nothing the seed does not say.

Re-reads the seed (../shared/seed/itsm-prm-v3.0.txt, or $ITSM_PRM_SEED) with an independent reader and
checks every process, purpose, note, outcome, heading, metadata item and 15504-5 reference against the graph.
"""

from __future__ import annotations

import pytest
from rdflib import RDF, RDFS, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL

from .seed_reader import SeedDocument, read_references, read_seed

PRM = Namespace("https://w3id.org/itsm-prm/ontology#")
ID = Namespace("https://w3id.org/itsm-prm/id/")
SSSOM_NO_TERM = URIRef("https://w3id.org/sssom/NoTermFound")
GROUPS = {"IV.1": ID["group/service-support"], "IV.2": ID["group/service-delivery"]}


@pytest.fixture(scope="module")
def seed() -> SeedDocument:
    return read_seed()


def en(text: str) -> Literal:
    return Literal(text, lang="en")


def the(graph, subject, predicate):
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, f"{subject} {predicate}: expected one value, got {values}"
    return values[0]


def test_seed_has_what_the_model_announces(seed):
    assert len(seed.processes) == 10
    assert sum(len(p.outcomes) for p in seed.processes) == 61


def test_exactly_the_seed_processes(compiled, seed):
    in_graph = {str(the(compiled, p, PRM.processId)) for p in compiled.subjects(RDF.type, PRM.Process)}
    assert in_graph == {p.id for p in seed.processes}


@pytest.mark.parametrize("index", range(10))
def test_process_identity_and_purpose(compiled, seed, index):
    proc = seed.processes[index]
    iri = ID[f"process/{proc.id}"]
    assert (iri, RDF.type, PRM.Process) in compiled
    assert the(compiled, iri, PRM.processId) == Literal(proc.id)
    assert the(compiled, iri, PRM.processName) == en(proc.name)
    assert the(compiled, iri, PRM.sectionNumber) == Literal(proc.section)
    assert the(compiled, iri, PRM.inGroup) == GROUPS[proc.section[:4]]
    purpose = the(compiled, iri, PRM.hasPurpose)
    assert the(compiled, purpose, PRM.statement) == en(proc.purpose)
    assert the(compiled, iri, PRM.outcomesIntroduction) == en(proc.outcomes_intro)


@pytest.mark.parametrize("index", range(10))
def test_notes_where_the_seed_puts_them(compiled, seed, index):
    proc = seed.processes[index]
    iri = ID[f"process/{proc.id}"]
    section = {"purpose": PRM.PurposeSection, "outcomes": PRM.OutcomesSection}
    expected = {(n.number, section[n.section], n.text) for n in proc.notes}
    found = {
        (the(compiled, note, PRM.noteNumber).toPython(), the(compiled, note, PRM.inSection),
         str(the(compiled, note, PRM.statement)))
        for note in compiled.objects(iri, PRM.hasNote)
    }
    assert found == expected
    for note in compiled.objects(iri, PRM.hasNote):
        assert the(compiled, note, PRM.statement).language == "en"


@pytest.mark.parametrize("index", range(10))
def test_outcomes_exact(compiled, seed, index):
    proc = seed.processes[index]
    iri = ID[f"process/{proc.id}"]
    found = {
        the(compiled, o, PRM.outcomeNumber).toPython(): the(compiled, o, PRM.statement)
        for o in compiled.objects(iri, PRM.hasOutcome)
    }
    assert found == {o.number: en(o.statement) for o in proc.outcomes}
    for outcome in proc.outcomes:
        node = ID[f"process/{proc.id}/outcome/{outcome.number}"]
        assert "(Ref." not in the(compiled, node, PRM.statement)
        heading = list(compiled.objects(node, PRM.inOutcomeGroup))
        if outcome.heading is None:
            assert heading == []
        else:
            assert the(compiled, heading[0], PRM.heading) == en(outcome.heading)


def test_sixty_one_outcomes_in_total(compiled):
    outcomes = set(compiled.subjects(RDF.type, PRM.Outcome))
    assert len(outcomes) == 61


def test_optional_outcomes_are_the_itfm_ones_the_seed_makes_optional(compiled, seed):
    optional = {
        str(the(compiled, o, URIRef("http://www.w3.org/2004/02/skos/core#notation")))
        for o in compiled.subjects(PRM.isOptional, Literal(True))
    }
    # NOTE 2 makes IT Accounting optional; the Charging heading says "(optional: …)".
    itfm = next(p for p in seed.processes if p.id == "ITFM")
    charging = {f"ITFM.{o.number}" for o in itfm.outcomes if o.heading and "optional" in o.heading}
    accounting = {f"ITFM.{o.number}" for o in itfm.outcomes if o.heading == "IT Accounting outcome:"}
    assert optional == charging | accounting == {"ITFM.3", "ITFM.4", "ITFM.5"}
    assert the(compiled, ID["process/ITFM/outcome/3"], PRM.optionalityStatedIn) == ID["process/ITFM/note/2"]


def test_every_seed_reference_is_a_mapping_record(compiled, seed):
    refs = read_references(seed.processes)
    kinds = {"extended outcome": PRM.ExtendedOutcomeReference, "outcome": PRM.OutcomeReference}
    seen = set()
    for ref in refs:
        for target in ref.targets:
            records = [
                r for r in compiled.subjects(PRM.mappingSubject, ID[ref.subject])
                if (r, PRM.mappingObject, ID[target]) in compiled
            ]
            assert len(records) == 1, f"{ref.subject} -> {target}: {records}"
            record = records[0]
            seen.add(record)
            assert the(compiled, record, PRM.citedPage) == Literal(ref.page)
            assert the(compiled, record, PRM.citationText) == Literal(ref.citation)
            assert the(compiled, record, PRM.objectSource) == ID["iso15504-5/2006"]
            kind = the(compiled, record, PRM.referenceKind)
            if ref.kind == "process":
                assert kind in (PRM.SimilarProcessReference, PRM.CoveredProcessReference)
            else:
                assert kind == kinds[ref.kind]
            assert (ID[target], RDF.type, PRM.ExternalOutcome if ref.kind != "process" else PRM.ExternalProcess) \
                in compiled
    all_records = set(compiled.subjects(PRM.objectSource, ID["iso15504-5/2006"])) & set(
        compiled.subjects(RDF.type, PRM.MappingRecord)
    )
    # Besides the seed's references there is exactly one record: Problem Management's "no correspondence".
    assert all_records - seen == {ID["mapping-set/prm-iso15504-5-2006/PRO-none"]}
    assert len(seen) == 24


def test_extended_outcome_kept_distinct_from_outcome(compiled):
    extended = set(compiled.subject_objects(PRM.extendsOutcome))
    plain = set(compiled.subject_objects(PRM.correspondsToOutcome))
    assert (ID["process/CONF/outcome/5"], ID["iso15504-5/2006/process/SUP.8/outcome/4"]) in plain
    assert (ID["process/CONF/outcome/3"], ID["iso15504-5/2006/process/SUP.8/outcome/2"]) in extended
    assert len(plain) == 1 and len(extended) == 18
    assert not extended & plain


def test_problem_management_has_no_counterpart(compiled, seed):
    pro = next(p for p in seed.processes if p.id == "PRO")
    note = next(n for n in pro.notes if "no correspondence" in n.text)
    record = ID["mapping-set/prm-iso15504-5-2006/PRO-none"]
    assert the(compiled, record, PRM.mappingSubject) == ID["process/PRO"]
    assert the(compiled, record, PRM.mappingObject) == SSSOM_NO_TERM
    assert the(compiled, record, PRM.mappingPredicate) == PRM.notRelatedTo
    assert the(compiled, record, PRM.statedIn) == ID[f"process/PRO/note/{note.number}"]


def test_model_metadata(compiled, seed):
    model = ID["model"]
    assert the(compiled, model, DCTERMS.title) == en(seed.title)
    assert the(compiled, model, PRM.abstract) == en(seed.abstract)
    assert the(compiled, model, OWL.versionInfo) == Literal("3.0")
    assert the(compiled, model, DCTERMS.issued) == Literal("2007-02-15", datatype=URIRef(
        "http://www.w3.org/2001/XMLSchema#date"))
    assert the(compiled, model, PRM.trademarkNotice) == en(seed.trademark)


def test_version_history_rows(compiled, seed):
    header, *rows = seed.history
    assert header == ["Version", "Modification", "Date", "Auteur"]
    entries = sorted(compiled.objects(ID["model"], PRM.hasHistoryEntry),
                     key=lambda e: the(compiled, e, PRM.position).toPython())
    assert len(entries) == len(rows) == 6
    for entry, (version, modification, date, authors) in zip(entries, rows, strict=True):
        assert the(compiled, entry, PRM.versionLabel) == Literal(version)
        assert the(compiled, entry, PRM.modification) == en(modification)
        assert [str(x) for x in compiled.objects(entry, PRM.dateAsStated)] == ([date] if date else [])
        assert [str(x) for x in compiled.objects(entry, PRM.authorsAsStated)] == ([authors] if authors else [])
        if date:
            day, month, year = date.split(".")
            assert str(the(compiled, entry, DCTERMS.date)) == f"{year}-{month}-{day}"
        for person in compiled.objects(entry, DCTERMS.creator):
            assert str(the(compiled, person, RDFS.label)) in authors


def test_list_of_references(compiled, seed):
    refs = sorted(compiled.objects(ID["model"], PRM.hasReference),
                  key=lambda r: the(compiled, r, PRM.position).toPython())
    assert [str(the(compiled, r, PRM.citationText)) for r in refs] == seed.references
    assert len(refs) == 5


def test_itil_books_record_both_isbns_and_which_is_which(compiled, seed):
    support, delivery = ID["itil/v2/service-support"], ID["itil/v2/service-delivery"]
    cited = {str(the(compiled, b, PRM.citedIsbn)) for b in (support, delivery)}
    assert cited == {"0113308671", "0113308930"}
    for ref in seed.references[:2]:
        digits = ref.split("ISBN ")[1].split(",")[0].replace(" ", "")
        assert digits in cited
    assert str(the(compiled, support, PRM.printIsbn)) == "0113300158"
    assert str(the(compiled, delivery, PRM.printIsbn)) == "0113300174"
    # processes are linked to their book through their group (inferred)
    assert (ID["process/INC"], PRM.describedIn, support) in compiled
    assert (ID["process/AVA"], PRM.describedIn, delivery) in compiled


def test_nothing_extra_in_prm_text_properties(compiled, seed):
    """Every prm:statement of a PRM element is one of the seed's texts (no invented text)."""
    texts = set()
    for proc in seed.processes:
        texts.add(proc.purpose)
        texts.update(n.text for n in proc.notes)
        texts.update(o.statement for o in proc.outcomes)
    prm_nodes = [s for s, _, _ in compiled.triples((None, PRM.statement, None))
                 if str(s).startswith(str(ID["process/"]))]
    assert prm_nodes
    for node in prm_nodes:
        assert str(the(compiled, node, PRM.statement)) in texts, node
