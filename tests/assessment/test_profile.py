"""Process profiles built from an assessment graph: levels, targets, ratings, derived statements."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from itsm_prm._version import __version__
from itsm_prm.assessment.profile import (
    PROV,
    TABLE_COLUMNS,
    build_profile,
    build_profiles,
    process_names,
)
from itsm_prm.assessment.vocabulary import ASMT, LEVELS
from itsm_prm.errors import InputError
from itsm_prm.knowledge_graph import KnowledgeGraph

PREFIXES = """
@prefix asmt: <https://w3id.org/itsm-prm/assessment#> .
@prefix pa: <https://w3id.org/itsm-prm/id/iso15504-2/2003/process-attribute/> .
@prefix r: <https://w3id.org/itsm-prm/id/iso15504-2/2003/rating/> .
@prefix cl: <https://w3id.org/itsm-prm/id/iso15504-2/2003/capability-level/> .
@prefix proc: <https://w3id.org/itsm-prm/id/process/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix ex: <https://example.org/assessment/42/> .
"""

ASSESSMENT = """
<https://example.org/assessment/42> a asmt:Assessment ;
    asmt:input ex:input ;
    asmt:assessmentDate "2026-10-01"^^xsd:date ;
    asmt:approach "Interviews and document review"@en ;
    asmt:assessedProcess ex:ITFM, ex:INC ;
    asmt:evidence ex:evidence-1 .
ex:input a asmt:AssessmentInput ;
    asmt:sponsor ex:s ; asmt:purpose "Improvement"@en ; asmt:organisationalUnit "Service desk"@en ;
    asmt:constraints "Two days"@en ;
    asmt:scopeItem [ a asmt:ScopeItem ; asmt:process proc:INC ; asmt:targetLevel cl:3 ] ,
                   [ a asmt:ScopeItem ; asmt:process proc:ITFM ; asmt:targetLevel cl:1 ] ;
    asmt:assessor ex:a ; asmt:competentAssessor ex:a ; asmt:participant ex:p .
ex:a a foaf:Person ; foaf:name "Ada" .
ex:INC a asmt:AssessedProcess ;
    asmt:process proc:INC ;
    asmt:statedCapabilityLevel cl:2 ;
    asmt:derivedCapabilityLevel cl:5 ;
    asmt:attributeRating
        [ a asmt:AttributeRating ; asmt:attribute pa:PA1.1 ; asmt:rating r:F ; asmt:percent 90.0 ;
          asmt:evidence ex:evidence-1 ; rdfs:comment "Tickets closed on time"@en ] ,
        [ a asmt:AttributeRating ; asmt:attribute pa:PA2.1 ; asmt:rating r:L ; asmt:percent 70.5 ] ,
        [ a asmt:AttributeRating ; asmt:attribute pa:PA2.2 ; asmt:rating r:F ] ,
        [ a asmt:AttributeRating ; asmt:attribute pa:PA3.1 ; asmt:rating r:F ] ;
    asmt:outcomeRating
        [ a asmt:OutcomeRating ; asmt:outcome proc:INC\\/outcome\\/10 ; asmt:rating r:P ] ,
        [ a asmt:OutcomeRating ; asmt:outcome proc:INC\\/outcome\\/2 ; asmt:rating r:L ; asmt:percent 60 ] .
ex:ITFM a asmt:AssessedProcess ;
    asmt:process proc:ITFM ;
    asmt:attributeRating [ a asmt:AttributeRating ; asmt:attribute pa:PA1.1 ; asmt:rating r:P ] ;
    asmt:outcomeRating
        [ a asmt:OutcomeRating ; asmt:outcome proc:ITFM\\/outcome\\/4 ; asmt:notApplicable true ;
          asmt:justification "No charging in this unit"@en ] .
ex:evidence-1 a asmt:EvidenceItem ; rdfs:label "Ticket report"@en .
"""

A = URIRef("https://example.org/assessment/42")
EX = "https://example.org/assessment/42/"
PROCESS = "https://w3id.org/itsm-prm/id/process/"
NAMES = {PROCESS + "INC": "Incident Management", PROCESS + "ITFM": "IT Financial Management"}


def parse(turtle: str) -> Graph:
    return Graph().parse(data=PREFIXES + turtle, format="turtle")


@pytest.fixture
def graph() -> Graph:
    return parse(ASSESSMENT)


def test_levels_targets_and_stated_levels(graph: Graph) -> None:
    profile = build_profile(graph, NAMES)
    assert profile.assessment == A
    assert profile.date == "2026-10-01"
    summary = [
        (p.process_id, p.name, p.target_level, p.derived_level, p.stated_level, p.meets_target)
        for p in profile.processes
    ]
    # INC: PA 1.1 F, PA 2.x L/F, PA 3.2 unrated → 2 (the input's derived level 5 is ignored)
    assert summary == [
        ("INC", "Incident Management", 3, 2, 2, False),
        ("ITFM", "IT Financial Management", 1, 0, None, False),
    ]


def test_attribute_ratings_with_percentages(graph: Graph) -> None:
    inc = build_profile(graph, NAMES).processes[0]
    assert list(inc.attributes) == ["PA 1.1", "PA 2.1", "PA 2.2", "PA 3.1"]
    assert inc.letters() == {"PA 1.1": "F", "PA 2.1": "L", "PA 2.2": "F", "PA 3.1": "F"}
    assert inc.attributes["PA 1.1"].percent == Decimal("90.0")
    assert inc.attributes["PA 2.1"].percent == Decimal("70.5")
    assert inc.attributes["PA 2.2"].percent is None
    assert inc.attributes["PA 2.1"].name == "Performance management"
    assert inc.attributes["PA 3.1"].level == 3


def test_outcome_ratings_in_outcome_order_and_not_applicable(graph: Graph) -> None:
    inc, itfm = build_profile(graph, NAMES).processes
    assert [(o.label, o.letter, o.percent) for o in inc.outcomes] == [
        ("INC.2", "L", Decimal("60")),
        ("INC.10", "P", None),
    ]
    (na,) = itfm.outcomes
    assert (na.label, na.letter, na.not_applicable, na.justification) == (
        "ITFM.4",
        None,
        True,
        "No charging in this unit",
    )


def test_order_follows_the_lookup_and_names_default_to_ids(graph: Graph) -> None:
    reversed_names = dict(reversed(list(NAMES.items())))
    assert [p.process_id for p in build_profile(graph, reversed_names).processes] == ["ITFM", "INC"]
    assert [(p.process_id, p.name) for p in build_profile(graph).processes] == [
        ("INC", "INC"),
        ("ITFM", "ITFM"),
    ]


def test_json(graph: Graph) -> None:
    data = json.loads(build_profile(graph, NAMES).to_json())
    assert data["assessment"] == str(A)
    assert data["generatedBy"] == f"itsm-prm {__version__}"
    inc = data["processes"][0]
    assert (inc["processId"], inc["targetLevel"], inc["derivedLevel"], inc["derivedLevelName"]) == (
        "INC",
        3,
        2,
        "Managed process",
    )
    assert [a["attribute"] for a in inc["attributes"]] == [
        "PA 1.1", "PA 2.1", "PA 2.2", "PA 3.1", "PA 3.2", "PA 4.1", "PA 4.2", "PA 5.1", "PA 5.2",
    ]  # fmt: skip
    assert inc["attributes"][0] == {
        "attribute": "PA 1.1",
        "name": "Process performance",
        "level": 1,
        "rating": "F",
        "percent": 90.0,
    }
    assert inc["attributes"][4]["rating"] is None
    assert inc["outcomes"][0]["label"] == "INC.2"
    assert data["processes"][1]["outcomes"][0]["notApplicable"] is True


def test_table_rows(graph: Graph) -> None:
    rows = build_profile(graph, NAMES).to_table()
    assert [list(row) for row in rows] == [list(TABLE_COLUMNS)] * 2
    assert rows[0] == {
        "process": "INC",
        "name": "Incident Management",
        "target": "3",
        "derived": "2",
        "stated": "2",
        "PA 1.1": "F 90%",
        "PA 2.1": "L 70.5%",
        "PA 2.2": "F",
        "PA 3.1": "F",
        "PA 3.2": "–",
        "PA 4.1": "–",
        "PA 4.2": "–",
        "PA 5.1": "–",
        "PA 5.2": "–",
    }
    assert (rows[1]["target"], rows[1]["derived"], rows[1]["stated"], rows[1]["PA 1.1"]) == (
        "1",
        "0",
        "–",
        "P",
    )


def test_derived_statements_in_a_graph_of_their_own(graph: Graph) -> None:
    profile = build_profile(graph, NAMES)
    derived = profile.to_graph()
    assert derived.identifier == profile.graph_iri
    assert derived.identifier not in {A, graph.identifier}
    assert set(derived.subject_objects(ASMT.derivedCapabilityLevel)) == {
        (URIRef(EX + "INC"), LEVELS[2]),  # not the cl:5 the input claimed
        (URIRef(EX + "ITFM"), LEVELS[0]),
    }
    activity = derived.value(profile.graph_iri, PROV.wasGeneratedBy)
    assert (activity, RDF.type, PROV.Activity) in derived
    assert (activity, PROV.used, A) in derived
    agent = derived.value(activity, PROV.wasAssociatedWith)
    assert derived.value(agent, RDFS.label) == Literal("itsm-prm")
    assert derived.value(agent, OWL.versionInfo) == Literal(__version__)
    assert derived.value(activity, PROV.endedAtTime) is None
    # nothing from the input is copied into the derived graph
    assert not set(derived) & set(graph)


def test_derived_graph_is_stable_and_can_carry_a_time(graph: Graph) -> None:
    profile = build_profile(graph, NAMES)
    assert isomorphic(profile.to_graph(), build_profile(parse(ASSESSMENT), NAMES).to_graph())
    assert profile.graph_iri == build_profile(parse(ASSESSMENT)).graph_iri
    at = datetime(2026, 10, 2, 9, 30, tzinfo=UTC)
    timed = profile.to_graph(generated_at=at)
    activity = timed.value(profile.graph_iri, PROV.wasGeneratedBy)
    assert timed.value(activity, PROV.endedAtTime).toPython() == at


def test_one_profile_per_assessment_in_a_batch(graph: Graph) -> None:
    other = ASSESSMENT.replace("https://example.org/assessment/42", "https://example.org/assessment/43")
    batch = graph + parse(other)
    profiles = build_profiles(batch, NAMES)
    assert [str(p.assessment) for p in profiles] == [str(A), "https://example.org/assessment/43"]
    assert [len(p.processes) for p in profiles] == [2, 2]
    assert profiles[0].graph_iri != profiles[1].graph_iri
    with pytest.raises(InputError, match="found 2 assessments"):
        build_profile(batch)


def test_no_assessment_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no asmt:Assessment"):
        build_profile(parse("ex:INC a asmt:AssessedProcess ."))


def test_a_lone_assessment_owns_an_unlinked_assessed_process(graph: Graph) -> None:
    graph.remove((A, ASMT.assessedProcess, URIRef(EX + "ITFM")))
    assert [p.process_id for p in build_profile(graph, NAMES).processes] == ["INC", "ITFM"]


def test_process_names_from_the_knowledge_graph(kg: KnowledgeGraph) -> None:
    names = process_names(kg)
    assert list(names) == [
        PROCESS + pid for pid in ("INC", "PRO", "CHAN", "CONF", "REL", "SLM", "ITFM", "CAP", "ITSCM", "AVA")
    ]
    assert names[PROCESS + "INC"] == "Incident Management"
    assert names[PROCESS + "ITSCM"] == "IT Service Continuity Management"


def test_profile_of_the_complete_example(kg: KnowledgeGraph) -> None:
    example = Path(__file__).parents[2] / "data" / "examples" / "assessments" / "valid-all-ten.ttl"
    profile = build_profile(Graph().parse(example, format="turtle"), process_names(kg))
    # levels read by hand from the example's ratings with the rule (e.g. SLM: 1.1-2.2 F, 3.1 P → 2)
    assert [(p.process_id, p.target_level, p.derived_level) for p in profile.processes] == [
        ("INC", 3, 2),
        ("PRO", 2, 2),
        ("CHAN", 3, 3),
        ("CONF", 2, 1),
        ("REL", 2, 1),
        ("SLM", 3, 2),
        ("ITFM", 2, 2),
        ("CAP", 1, 0),
        ("ITSCM", 2, 1),
        ("AVA", 2, 2),
    ]
    stated = {p.process_id: p.stated_level for p in profile.processes if p.stated_level is not None}
    assert stated == {p.process_id: p.derived_level for p in profile.processes if p.process_id in stated}
    assert len(stated) == 8
