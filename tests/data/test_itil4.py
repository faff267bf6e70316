"""The ITIL 4 management practices: 34 in three categories (14 / 17 / 3), written here by hand from the
fact sheet, each in the ITIL 4 edition with a source."""

from __future__ import annotations

from rdflib import RDFS, Namespace
from rdflib.namespace import DCTERMS

PRM = Namespace("https://w3id.org/itsm-prm/ontology#")
ID = Namespace("https://w3id.org/itsm-prm/id/")


def practices(graph) -> dict[str, str]:
    found = {}
    for practice in graph.subjects(PRM.inEdition, ID["itil/4"]):
        assert list(graph.objects(practice, DCTERMS.source)), practice
        category = str(graph.value(practice, PRM.practiceCategory)).split("#")[1]
        found[str(graph.value(practice, RDFS.label))] = category
    return found


def test_thirty_four_practices_in_three_categories(compiled):
    found = practices(compiled)
    assert len(found) == 34
    counts = {c: sum(1 for v in found.values() if v == c) for c in set(found.values())}
    assert counts == {"GeneralManagementPractices": 14, "ServiceManagementPractices": 17,
                      "TechnicalManagementPractices": 3}


def test_the_practices_of_the_ten_prm_processes(compiled):
    found = practices(compiled)
    assert found["Service financial management"] == "GeneralManagementPractices"
    assert found["Deployment management"] == "TechnicalManagementPractices"
    for name in ("Incident management", "Problem management", "Change enablement", "Release management",
                 "Service configuration management", "Service level management", "Capacity and performance management",
                 "Service continuity management", "Availability management", "Service desk"):
        assert found[name] == "ServiceManagementPractices", name
