"""The measurement framework in Python (vocabulary.py) and in RDF (ontology/assessment.ttl) agree,
and the module carries the metadata ontology tools expect."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from itsm_prm.assessment.vocabulary import (
    ASMT,
    ASSESSMENT_GRAPH,
    ASSESSMENT_ONTOLOGY,
    ATTRIBUTES,
    CAPABILITY_LEVEL_SCHEME,
    LEVEL_NAMES,
    LEVELS,
    PROCESS_ATTRIBUTE_SCHEME,
    RATING_SCALE_SCHEME,
    RATINGS,
    attribute_by_iri,
    attribute_by_notation,
    level_iri,
    rating_by_iri,
    rating_by_letter,
)
from itsm_prm.knowledge_graph import KnowledgeGraph

ONTOLOGY = Path(__file__).parents[2] / "ontology" / "assessment.ttl"
VANN = "http://purl.org/vocab/vann/"


@pytest.fixture(scope="module")
def module() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


def test_levels_attributes_and_ratings_in_python() -> None:
    assert [str(iri).rsplit("/", 1)[1] for iri in LEVELS] == ["0", "1", "2", "3", "4", "5"]
    assert LEVEL_NAMES[5] == "Optimizing process"  # the 15504-2 name, not 33020's "Innovating"
    assert [a.notation for a in ATTRIBUTES] == [
        "PA 1.1", "PA 2.1", "PA 2.2", "PA 3.1", "PA 3.2", "PA 4.1", "PA 4.2", "PA 5.1", "PA 5.2",
    ]  # fmt: skip
    assert [a.level for a in ATTRIBUTES] == [1, 2, 2, 3, 3, 4, 4, 5, 5]
    names = {a.notation: a.name for a in ATTRIBUTES}
    assert names["PA 4.1"] == "Process measurement" and names["PA 4.2"] == "Process control"
    assert names["PA 5.2"] == "Process optimization"
    iri, notation, level, name = ATTRIBUTES[0]  # unpacks as (IRI, notation, level, name)
    assert (notation, level, name) == ("PA 1.1", 1, "Process performance")
    assert str(iri).endswith("/process-attribute/PA1.1")
    assert list(RATINGS) == ["N", "P", "L", "F"]
    with pytest.raises(ValueError):
        level_iri(6)


@pytest.mark.parametrize(
    ("percent", "letter"),
    [(0, "N"), (15, "N"), ("15.01", "P"), (50, "P"), ("50.5", "L"), (85, "L"), ("85.1", "F"), (100, "F")],
)
def test_each_percentage_lies_in_exactly_one_band(percent: object, letter: str) -> None:
    assert [r.letter for r in RATINGS.values() if r.contains(Decimal(str(percent)))] == [letter]


def test_outside_0_to_100_is_in_no_band() -> None:
    assert not any(r.contains(v) for r in RATINGS.values() for v in (-1, Decimal("100.5")))


def test_lookups() -> None:
    assert attribute_by_notation("PA 2.1") is ATTRIBUTES[1]
    assert attribute_by_notation("pa2.1") is ATTRIBUTES[1] and attribute_by_notation("2.1") is ATTRIBUTES[1]
    with pytest.raises(KeyError, match="PA 6.1"):
        attribute_by_notation("PA 6.1")
    assert rating_by_letter(" l ").letter == "L" and rating_by_letter("F").label == "Fully achieved"
    with pytest.raises(KeyError, match="'X'"):
        rating_by_letter("X")
    assert attribute_by_iri(str(ATTRIBUTES[3].iri)) == ATTRIBUTES[3] and attribute_by_iri("urn:x") is None
    assert rating_by_iri(str(RATINGS["P"].iri)) == RATINGS["P"] and rating_by_iri("urn:x") is None


def test_python_constants_equal_the_ontology(module: Graph) -> None:
    levels = sorted(module.subjects(RDF.type, ASMT.CapabilityLevel), key=str)
    assert levels == list(LEVELS)
    for number, iri in enumerate(LEVELS):
        assert module.value(iri, ASMT.levelNumber) == Literal(number)
        assert module.value(iri, SKOS.notation) == Literal(str(number))
        assert str(module.value(iri, SKOS.prefLabel)) == LEVEL_NAMES[number]
        assert (iri, SKOS.inScheme, CAPABILITY_LEVEL_SCHEME) in module
    assert set(module.subjects(RDF.type, ASMT.ProcessAttribute)) == {a.iri for a in ATTRIBUTES}
    for a in ATTRIBUTES:
        assert module.value(a.iri, SKOS.notation) == Literal(a.notation)
        assert module.value(a.iri, ASMT.atLevel) == LEVELS[a.level]
        assert str(module.value(a.iri, SKOS.prefLabel)) == a.name
        assert (a.iri, SKOS.inScheme, PROCESS_ATTRIBUTE_SCHEME) in module
    assert set(module.subjects(RDF.type, ASMT.RatingValue)) == {r.iri for r in RATINGS.values()}
    for letter, r in RATINGS.items():
        assert module.value(r.iri, SKOS.notation) == Literal(letter)
        low, high = module.value(r.iri, ASMT.minPercent), module.value(r.iri, ASMT.maxPercent)
        assert isinstance(low, Literal) and isinstance(high, Literal)
        assert low.datatype == XSD.decimal and high.datatype == XSD.decimal
        assert (low.toPython(), high.toPython()) == (r.min_percent, r.max_percent)
        assert module.value(r.iri, ASMT.minExclusive).toPython() is r.min_exclusive  # type: ignore[union-attr]
        assert (r.iri, SKOS.inScheme, RATING_SCALE_SCHEME) in module


def test_schemes_cite_their_sources(module: Graph) -> None:
    for scheme in (CAPABILITY_LEVEL_SCHEME, PROCESS_ATTRIBUTE_SCHEME, RATING_SCALE_SCHEME):
        assert (scheme, RDF.type, SKOS.ConceptScheme) in module
        sources = set(module.objects(scheme, DCTERMS.source))
        assert URIRef("https://w3id.org/itsm-prm/id/iso15504-2/2003") in sources and len(sources) >= 2
        assert len(set(module.subjects(SKOS.topConceptOf, scheme))) == {
            CAPABILITY_LEVEL_SCHEME: 6, PROCESS_ATTRIBUTE_SCHEME: 9, RATING_SCALE_SCHEME: 4,
        }[scheme]  # fmt: skip


def test_module_metadata_and_every_term_described(module: Graph) -> None:
    o = ASSESSMENT_ONTOLOGY
    assert (o, RDF.type, OWL.Ontology) in module
    for p in (
        DCTERMS.title,
        DCTERMS.description,
        DCTERMS.creator,
        DCTERMS.license,
        DCTERMS.issued,
        OWL.versionIRI,
    ):
        assert module.value(o, p) is not None, p
    assert str(module.value(o, URIRef(VANN + "preferredNamespaceUri"))) == str(ASMT)
    terms = {
        s
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in module.subjects(RDF.type, kind)
    }
    assert all(str(t).startswith(str(ASMT)) for t in terms)
    for term in (*terms, *LEVELS, *(a.iri for a in ATTRIBUTES), *(r.iri for r in RATINGS.values())):
        assert module.value(term, RDFS.label) is not None, term
        assert module.value(term, SKOS.definition) is not None, term
        assert module.value(term, RDFS.isDefinedBy) == o, term
    # the contract's terms exist
    for name in (
        "Assessment", "AssessmentInput", "ScopeItem", "AssessedProcess", "AttributeRating", "OutcomeRating",
        "EvidenceItem", "input", "assessmentDate", "approach", "assessedProcess", "evidence", "sponsor",
        "purpose", "organisationalUnit", "constraints", "scopeItem", "process", "targetLevel", "assessor",
        "competentAssessor", "participant", "statedCapabilityLevel", "derivedCapabilityLevel",
        "attributeRating", "attribute", "rating", "percent", "outcomeRating", "outcome", "notApplicable",
        "justification", "location", "levelNumber", "atLevel", "minPercent", "maxPercent", "minExclusive",
    ):  # fmt: skip
        assert ASMT[name] in terms, name


def test_the_module_is_compiled_into_its_own_named_graph(kg: KnowledgeGraph) -> None:
    assert str(ASSESSMENT_GRAPH) in kg.graphs()
    result = kg.query(
        f"SELECT (COUNT(?c) AS ?n) WHERE {{ GRAPH <{ASSESSMENT_GRAPH}> "
        "{ ?c <http://www.w3.org/2004/02/skos/core#inScheme> ?s } }"
    )
    assert result.rows[0]["n"].value == "19"  # type: ignore[union-attr]
