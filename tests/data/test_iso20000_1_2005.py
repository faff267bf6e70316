"""ISO/IEC 20000-1:2005 clauses: the numbers and titles of the edition (checked against the fact sheet by
hand), each with its edition, parent, source and confidence; no ISO text beyond titles."""

from __future__ import annotations

from rdflib import Literal, Namespace
from rdflib.namespace import DCTERMS

PRM = Namespace("https://w3id.org/itsm-prm/ontology#")
ID = Namespace("https://w3id.org/itsm-prm/id/")
EDITION = ID["iso20000-1/2005"]

EXPECTED = {
    "1": "Scope", "1.1": "Scope", "1.2": "Application", "2": "Terms and definitions",
    "3": "Requirements for a management system", "3.1": "Management responsibility",
    "3.2": "Documentation requirements", "3.3": "Competence, awareness and training",
    "4": "Planning and implementing service management", "4.1": "Plan service management (Plan)",
    "4.2": "Implement service management and provide the services (Do)",
    "4.3": "Monitoring, measuring and reviewing (Check)", "4.4": "Continual improvement (Act)",
    "4.4.1": "Policy", "4.4.2": "Management of improvements", "4.4.3": "Activities",
    "5": "Planning and implementing new or changed services", "6": "Service delivery process",
    "6.1": "Service level management", "6.2": "Service reporting",
    "6.3": "Service continuity and availability management", "6.4": "Budgeting and accounting for IT services",
    "6.5": "Capacity management", "6.6": "Information security management", "7": "Relationship processes",
    "7.1": "General", "7.2": "Business relationship management", "7.3": "Supplier management",
    "8": "Resolution processes", "8.1": "Background", "8.2": "Incident management",
    "8.3": "Problem management", "9": "Control processes", "9.1": "Configuration management",
    "9.2": "Change management", "10": "Release process", "10.1": "Release management process",
}


def test_clauses_of_the_2005_edition(compiled):
    clauses = set(compiled.subjects(PRM.inEdition, EDITION)) & set(compiled.subjects(None, PRM.Clause))
    found = {str(compiled.value(c, PRM.clauseNumber)): str(compiled.value(c, DCTERMS.title)) for c in clauses}
    assert found == EXPECTED
    assert "Normative references" not in found.values()  # the 2005 edition has no such clause


def test_every_clause_cites_a_source_and_sits_under_its_parent(compiled):
    for number in EXPECTED:
        clause = ID[f"iso20000-1/2005/clause/{number}"]
        assert list(compiled.objects(clause, DCTERMS.source)), number
        assert compiled.value(clause, PRM.confidence) is not None, number
        if "." in number:
            parent = ID[f"iso20000-1/2005/clause/{number.rsplit('.', 1)[0]}"]
            assert (clause, PRM.subClauseOf, parent) in compiled
            assert (parent, PRM.hasSubClause, clause) in compiled


def test_paraphrases_are_ours_and_tagged(compiled):
    paraphrased = {str(compiled.value(c, PRM.clauseNumber)) for c in compiled.subjects(PRM.paraphrase, None)
                   if (c, PRM.inEdition, EDITION) in compiled}
    assert {"6.1", "6.3", "8.2", "9.2", "10.1"} <= paraphrased
    text = compiled.value(ID["iso20000-1/2005/clause/6.4"], PRM.paraphrase)
    assert isinstance(text, Literal) and text.language == "en"
