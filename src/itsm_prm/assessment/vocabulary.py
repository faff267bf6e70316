"""The ISO/IEC 15504-2 measurement framework and the assessment vocabulary as Python constants.

One place for every IRI the assessment code uses; ``ontology/assessment.ttl`` states the same
concepts in RDF and a test keeps the two in step.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from rdflib import Namespace, URIRef

ASMT = Namespace("https://w3id.org/itsm-prm/assessment#")
ASSESSMENT_ONTOLOGY = URIRef("https://w3id.org/itsm-prm/assessment")
ASSESSMENT_GRAPH = URIRef("https://w3id.org/itsm-prm/graph/assessment")

#: Base of the measurement-framework concepts (ISO/IEC 15504-2:2003).
ID15504 = "https://w3id.org/itsm-prm/id/iso15504-2/2003/"
CAPABILITY_LEVEL_SCHEME = URIRef(ID15504 + "capability-levels")
PROCESS_ATTRIBUTE_SCHEME = URIRef(ID15504 + "process-attributes")
RATING_SCALE_SCHEME = URIRef(ID15504 + "rating-scale")

PROCESS_BASE = "https://w3id.org/itsm-prm/id/process/"


def level_iri(level: int) -> URIRef:
    """The IRI of capability level ``level`` (0..5)."""
    if not 0 <= level <= 5:
        raise ValueError(f"capability level {level} is not one of 0..5")
    return URIRef(f"{ID15504}capability-level/{level}")


#: Capability levels 0..5 (index = level number).
LEVELS: tuple[URIRef, ...] = tuple(level_iri(n) for n in range(6))

#: 15504-2 names of the levels (not the ISO/IEC 33020 renames).
LEVEL_NAMES: tuple[str, ...] = (
    "Incomplete process",
    "Performed process",
    "Managed process",
    "Established process",
    "Predictable process",
    "Optimizing process",
)


class Attribute(NamedTuple):
    """A process attribute: IRI, notation ("PA 1.1"), capability level and 15504-2 name."""

    iri: URIRef
    notation: str
    level: int
    name: str


def _attribute(key: str, level: int, name: str) -> Attribute:
    return Attribute(URIRef(f"{ID15504}process-attribute/PA{key}"), f"PA {key}", level, name)


#: The nine process attributes, ordered PA 1.1 … PA 5.2.
ATTRIBUTES: tuple[Attribute, ...] = (
    _attribute("1.1", 1, "Process performance"),
    _attribute("2.1", 2, "Performance management"),
    _attribute("2.2", 2, "Work product management"),
    _attribute("3.1", 3, "Process definition"),
    _attribute("3.2", 3, "Process deployment"),
    _attribute("4.1", 4, "Process measurement"),
    _attribute("4.2", 4, "Process control"),
    _attribute("5.1", 5, "Process innovation"),
    _attribute("5.2", 5, "Process optimization"),
)


class Rating(NamedTuple):
    """A point of the N/P/L/F scale: IRI and achievement band in percent (min exclusive for P, L, F)."""

    iri: URIRef
    min_percent: Decimal
    max_percent: Decimal
    min_exclusive: bool

    @property
    def letter(self) -> str:
        return str(self.iri).rsplit("/", 1)[-1]

    @property
    def label(self) -> str:
        return RATING_LABELS[self.letter]

    def contains(self, percent: Decimal | float | int) -> bool:
        """Whether an achievement percentage lies inside this rating's band."""
        value = Decimal(str(percent))
        above_min = value > self.min_percent if self.min_exclusive else value >= self.min_percent
        return above_min and value <= self.max_percent


RATING_LABELS: dict[str, str] = {
    "N": "Not achieved",
    "P": "Partially achieved",
    "L": "Largely achieved",
    "F": "Fully achieved",
}


def _rating(letter: str, low: str, high: str, exclusive: bool) -> Rating:
    return Rating(URIRef(f"{ID15504}rating/{letter}"), Decimal(low), Decimal(high), exclusive)


#: The rating scale, letter → rating (N 0–15, P >15–50, L >50–85, F >85–100).
RATINGS: dict[str, Rating] = {
    r.letter: r
    for r in (
        _rating("N", "0", "15", False),
        _rating("P", "15", "50", True),
        _rating("L", "50", "85", True),
        _rating("F", "85", "100", True),
    )
}

_ATTRIBUTES_BY_NOTATION = {a.notation: a for a in ATTRIBUTES}
_ATTRIBUTES_BY_IRI = {a.iri: a for a in ATTRIBUTES}
_RATINGS_BY_IRI = {r.iri: r for r in RATINGS.values()}


def attribute_by_notation(notation: str) -> Attribute:
    """The attribute for "PA 1.1" (also accepted: "PA1.1", "1.1", any case); KeyError names it."""
    text = notation.strip().upper().replace(" ", "")
    if not text.startswith("PA"):
        text = "PA" + text
    key = f"PA {text[2:]}"
    try:
        return _ATTRIBUTES_BY_NOTATION[key]
    except KeyError:
        raise KeyError(f"unknown process attribute {notation!r} (expected PA 1.1 … PA 5.2)") from None


def attribute_by_iri(iri: str) -> Attribute | None:
    """The attribute with this IRI, or None."""
    return _ATTRIBUTES_BY_IRI.get(URIRef(str(iri)))


def rating_by_letter(letter: str) -> Rating:
    """The rating for "N", "P", "L" or "F" (any case); KeyError names the letter."""
    try:
        return RATINGS[letter.strip().upper()]
    except KeyError:
        raise KeyError(f"unknown rating {letter!r} (expected N, P, L or F)") from None


def rating_by_iri(iri: str) -> Rating | None:
    """The rating with this IRI, or None."""
    return _RATINGS_BY_IRI.get(URIRef(str(iri)))


def process_iri(process_id: str) -> URIRef:
    """The PRM process IRI for an ID such as "INC"."""
    return URIRef(PROCESS_BASE + process_id)


def outcome_iri(process_id: str, number: int) -> URIRef:
    """The PRM outcome IRI for e.g. ("INC", 1)."""
    return URIRef(f"{PROCESS_BASE}{process_id}/outcome/{number}")
