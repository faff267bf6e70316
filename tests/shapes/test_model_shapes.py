"""The model shapes: the minimal valid model conforms; each defect gives its message on its focus node."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
BASE = (FIXTURES / "minimal-model.ttl").read_text(encoding="utf-8")
ID = "https://w3id.org/itsm-prm/id/"


def defect(*edits: tuple[str, str]) -> str:
    text = BASE
    for old, new in edits:
        assert old in text, f"fixture edit does not apply: {old!r}"
        text = text.replace(old, new, 1)
    return text


CASES = {
    "process without purpose": (
        # both sides of the inverse pair go: the closure would restore one from the other
        defect(("    prm:hasPurpose <process/TST/purpose> ;\n", ""), ("    prm:purposeOf <process/TST> ;\n", "")),
        "process/TST", "A process needs exactly one purpose.",
    ),
    "process with two IDs": (
        defect(('prm:processId "TST" ;', 'prm:processId "TST" , "TST2" ;')),
        "process/TST", "A process needs exactly one process ID made of capital letters and digits (e.g. INC).",
    ),
    "process without outcomes": (
        defect(("    prm:hasNote <process/TST/note/1> ;\n    prm:hasOutcome <process/TST/outcome/1> , <process/TST/outcome/2> .\n",
                "    prm:hasNote <process/TST/note/1> .\n"),
               ("    prm:outcomeOf <process/TST> ;\n", ""), ("    prm:outcomeOf <process/TST> ;\n", "")),
        "process/TST", "A process needs at least one outcome, and its outcomes must be outcomes.",
    ),
    "outcome numbers with a gap": (
        defect(("prm:outcomeNumber 2 ;", "prm:outcomeNumber 3 ;")),
        "process/TST", "The outcomes of Test Management skip a number: outcome 3 has no outcome before it.",
    ),
    "outcome numbers not starting at 1": (
        defect(("prm:outcomeNumber 1 ;", "prm:outcomeNumber 3 ;")),
        "process/TST", "The outcomes of Test Management do not start at number 1.",
    ),
    "two outcomes with the same number": (
        defect(("prm:outcomeNumber 2 ;", "prm:outcomeNumber 1 ;")),
        "process/TST", "Test Management has two outcomes numbered 1.",
    ),
    "outcome statement keeps its (Ref. ...) suffix": (
        defect(('"Things are done."@en', '"Things are done. (Ref. X, p. 1, X.1, outcome 1)"@en')),
        "process/TST/outcome/2",
        "An outcome statement must not carry a '(Ref. …)' suffix: the reference belongs in a mapping record.",
    ),
    "outcome statement without language tag": (
        defect(('"Things are done."@en', '"Things are done."')),
        "process/TST/outcome/2", "An outcome needs exactly one statement, as non-empty language-tagged text.",
    ),
    "optional outcome without its source": (
        defect(("prm:isOptional false ;\n    prm:statement \"Things", "prm:isOptional true ;\n    prm:statement \"Things")),
        "process/TST/outcome/2",
        "TST outcome 2 is marked optional, but nothing says where the model makes it optional "
        "(prm:optionalityStatedIn).",
    ),
    "note outside any section": (
        defect(("prm:inSection prm:PurposeSection ;", "prm:inSection prm:Elsewhere ;")),
        "process/TST/note/1",
        "A note must say where the model places it: in the purpose section or after the outcomes.",
    ),
    "unlabelled resource": (
        defect(('    rdfs:label "TST NOTE 1"@en ;\n', "")),
        "process/TST/note/1", "Every resource of the knowledge graph needs a label (rdfs:label).",
    ),
    "mapping without justification": (
        defect(("    prm:justification semapv:ManualMappingCuration ;\n", "")),
        "mapping-set/test/1",
        "A mapping record needs exactly one justification from the Semantic Mapping Vocabulary (semapv:).",
    ),
    "mapping with an unknown relation": (
        defect(("prm:mappingPredicate prm:equalTo ;", "prm:mappingPredicate prm:similarTo ;")),
        "mapping-set/test/1",
        "A mapping record needs exactly one set-theory relation: equal to, subset of, superset of, "
        "intersects with or not related to.",
    ),
    "mapping strength out of range": (
        defect(("prm:strength 10 ;", "prm:strength 11 ;")),
        "mapping-set/test/1", "The strength of a mapping is a whole number from 1 to 10.",
    ),
    "mapping without author": (
        defect(("    pav:authoredBy <https://example.org/analyst> ;\n", "")),
        "mapping-set/test/1", "A mapping record must name its author (pav:authoredBy).",
    ),
    "mapping target outside the named edition": (
        defect(('pav:authoredOn "2026-01-01"^^xsd:date ;\n    prm:subjectSource <model> ;\n    prm:objectSource <std/2020> .',
                'pav:authoredOn "2026-01-01"^^xsd:date ;\n    prm:subjectSource <model> ;\n    prm:objectSource <std/2019> .')),
        # cross-record checks run once per mapping set: the set is the focus, the message names the record
        "mapping-set/test",
        "Mapping record TST.1 = X.1.1: the object X.1 outcome 1 is not part of the object source edition "
        "Test standard:2019.",
    ),
    "no counterpart with a relation other than not related": (
        defect(("prm:mappingObject <std/2020/process/X.1/outcome/1> ;",
                "prm:mappingObject <https://w3id.org/sssom/NoTermFound> ;")),
        "mapping-set/test",
        "Mapping record TST.1 = X.1.1: sssom:NoTermFound (no counterpart) goes only with the relation "
        "'not related to'.",
    ),
    "mapping to a clause that has sub-clauses": (
        defect(("prm:mappingObject <std/2020/process/X.1/outcome/1> ;", "prm:mappingObject <std/2020/clause/1> ;"),
               ("<process/TST/outcome/1> prm:equalTo <std/2020/process/X.1/outcome/1> .",
                "<process/TST/outcome/1> prm:equalTo <std/2020/clause/1> .")),
        "mapping-set/test",
        "Mapping record TST.1 = X.1.1: the clause Test standard:2020 1 Scope has sub-clauses; map the model to "
        "those instead.",
    ),
    "mapping without its direct triple": (
        defect(("<process/TST/outcome/1> prm:equalTo <std/2020/process/X.1/outcome/1> .\n", "")),
        "mapping-set/test",
        "Mapping record TST.1 = X.1.1: the direct triple for its relation is missing from the data, so "
        "SPARQL and SKOS clients would not see it.",
    ),
    "clause numbered outside its parent": (
        defect(('prm:clauseNumber "1.1" ;', 'prm:clauseNumber "2.1" ;')),
        # clause structure is checked once per edition: the edition is the focus, the message names the clause
        "std/2020", "Clause Test standard:2020 1.1 Application is not numbered under its parent clause 1.",
    ),
    "clause under a clause of another edition": (
        defect(('    prm:inEdition <std/2020> ;\n    prm:subClauseOf <std/2020/clause/1> ;',
                '    prm:inEdition <std/2019> ;\n    prm:subClauseOf <std/2020/clause/1> ;')),
        "std/2019", "Clause Test standard:2020 1.1 Application sits under a clause of another edition.",
    ),
    "clause without source": (
        defect(('    prm:confidence "high" ;\n    dcterms:source <https://example.org/source> .\n<std/2020/clause/1.1>',
                '    prm:confidence "high" .\n<std/2020/clause/1.1>')),
        "std/2020/clause/1", "A clause must cite at least one public source.",
    ),
    "low-confidence fact without a note": (
        defect(('    prm:hasSubClause <std/2020/clause/1.1> ;\n    prm:confidence "high" ;',
                '    prm:hasSubClause <std/2020/clause/1.1> ;\n    prm:confidence "low" ;')),
        "std/2020/clause/1", "A fact marked low confidence needs an editorial note saying so.",
    ),
    "mapping set without licence": (
        defect(("    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;\n", "")),
        "mapping-set/test", "A mapping set needs exactly one licence IRI.",
    ),
}


def test_minimal_model_conforms(kg, tmp_path):
    path = tmp_path / "model.ttl"
    path.write_text(BASE, encoding="utf-8")
    report = kg.validate(path)
    assert report.conforms, [r.message for r in report.results]
    assert report.results == []


@pytest.mark.parametrize("case", sorted(CASES))
def test_defect_is_reported(kg, tmp_path, case):
    text, focus, message = CASES[case]
    path = tmp_path / "model.ttl"
    path.write_text(text, encoding="utf-8")
    report = kg.validate(path)
    assert not report.conforms
    found = [(r.focus, r.message, r.severity) for r in report.results]
    assert (ID + focus, message, "Violation") in found, found
