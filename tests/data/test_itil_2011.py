"""ITIL 2011 (ITIL v3): the edition, its five lifecycle books, the processes that continue the model's ten ITIL v2
processes, and the mapping set from the model to them — against expectations written by hand from the fact
sheet (§7.2) and the 2007 Official Introduction's table of contents."""

from __future__ import annotations

from rdflib import RDF, RDFS, Namespace, URIRef
from rdflib.namespace import DCTERMS

PRM = Namespace("https://w3id.org/itsm-prm/ontology#")
ID = Namespace("https://w3id.org/itsm-prm/id/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
EDITION = ID["itil/2011"]
SET = ID["mapping-set/prm-itil-2011"]

# PRM process → (ITIL 2011 process name, lifecycle book)
SUCCESSORS = {
    "INC": ("Incident management", "Service Operation"),
    "PRO": ("Problem management", "Service Operation"),
    "CHAN": ("Change management", "Service Transition"),
    "CONF": ("Service asset and configuration management", "Service Transition"),
    "REL": ("Release and deployment management", "Service Transition"),
    "SLM": ("Service level management", "Service Design"),
    "ITFM": ("Financial management for IT services", "Service Strategy"),
    "CAP": ("Capacity management", "Service Design"),
    "ITSCM": ("IT service continuity management", "Service Design"),
    "AVA": ("Availability management", "Service Design"),
}
# PRM process → {ITIL 2011 process name: relation}
MAPPINGS = {
    "INC": {"Incident management": "supersetOf", "Request fulfilment": "intersectsWith"},
    "PRO": {"Problem management": "equalTo"},
    "CHAN": {"Change management": "equalTo"},
    "CONF": {"Service asset and configuration management": "subsetOf"},
    "REL": {"Release and deployment management": "subsetOf"},
    "SLM": {"Service level management": "equalTo"},
    "ITFM": {"Financial management for IT services": "equalTo"},
    "CAP": {"Capacity management": "equalTo"},
    "ITSCM": {"IT service continuity management": "equalTo"},
    "AVA": {"Availability management": "equalTo"},
}


def processes(graph) -> dict[str, URIRef]:
    found = {}
    for process in graph.subjects(RDF.type, PRM.ExternalProcess):
        if graph.value(process, PRM.inEdition) == EDITION:
            found[str(graph.value(process, PRM.processName))] = process
    return found


def test_edition_is_an_edition_of_itil(compiled):
    assert (EDITION, RDF.type, PRM.StandardEdition) in compiled
    assert (EDITION, PRM.editionOf, ID["itil"]) in compiled
    assert (ID["itil"], PRM.hasEdition, EDITION) in compiled
    assert list(compiled.objects(EDITION, DCTERMS.source))


def test_five_lifecycle_books(compiled):
    books = {str(compiled.value(b, DCTERMS.title)) for b in compiled.subjects(RDF.type, PRM.ItilBook)
             if compiled.value(b, PRM.inEdition) == EDITION}
    assert books == {"Service Strategy", "Service Design", "Service Transition", "Service Operation",
                     "Continual Service Improvement"}


def test_the_successors_of_the_ten_processes_and_their_books(compiled):
    found = processes(compiled)
    assert set(found) == {name for name, _ in SUCCESSORS.values()} | {"Request fulfilment"}
    for name, book in [*SUCCESSORS.values(), ("Request fulfilment", "Service Operation")]:
        process = found[name]
        assert str(compiled.value(compiled.value(process, PRM.describedIn), DCTERMS.title)) == book, name
        assert list(compiled.objects(process, DCTERMS.source)), name


def test_the_2007_name_of_financial_management(compiled):
    process = processes(compiled)["Financial management for IT services"]
    assert str(compiled.value(process, SKOS.altLabel)) == "Financial management"


def test_each_process_maps_as_expected(compiled):
    found: dict[str, dict[str, str]] = {}
    for record in compiled.subjects(PRM.inMappingSet, SET):
        subject = compiled.value(record, PRM.mappingSubject)
        obj = compiled.value(record, PRM.mappingObject)
        relation = str(compiled.value(record, PRM.mappingPredicate)).split("#")[1]
        assert compiled.value(obj, PRM.inEdition) == EDITION, record
        assert (subject, PRM[relation], obj) in compiled, record
        assert 1 <= compiled.value(record, PRM.strength).toPython() <= 10
        assert compiled.value(record, RDFS.comment) is not None
        found.setdefault(str(compiled.value(subject, PRM.processId)), {})[str(compiled.value(obj, PRM.processName))] \
            = relation
    assert found == MAPPINGS


def test_split_shows_in_the_cardinality(compiled):
    cardinality = {
        str(compiled.value(compiled.value(r, PRM.mappingObject), PRM.processName)):
            str(compiled.value(r, PRM.mappingCardinality))
        for r in compiled.subjects(PRM.inMappingSet, SET)
    }
    assert cardinality["Incident management"] == cardinality["Request fulfilment"] == "1:n"
    assert cardinality["Problem management"] == "1:1"


def test_skos_projection(compiled):
    incident = processes(compiled)["Incident management"]
    assert (ID["process/INC"], SKOS.narrowMatch, incident) in compiled
    assert (ID["process/CONF"], SKOS.broadMatch, processes(compiled)["Service asset and configuration management"]) \
        in compiled
