"""The ISO/IEC 15504-2 capability level rule (clause 5.4), in one place.

A process is at level *n* when every attribute of level *n* is rated L or F and every
attribute of every lower level is rated F. An attribute that is not rated is not achieved.
Everything that needs a capability level (profiles, the level check of the validator, the
report) calls :func:`derive_level`; the graph functions only read the ratings.

>>> derive_level({"PA 1.1": "F", "PA 2.1": "L", "PA 2.2": "F"})
2
>>> derive_level({"PA 1.1": "L", "PA 2.1": "F", "PA 2.2": "F"})
1
>>> derive_level({"PA 1.1": "P"})
0
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import RDF, Graph
from rdflib.term import Node

from itsm_prm.assessment.vocabulary import (
    ASMT,
    ATTRIBUTES,
    RATINGS,
    attribute_by_iri,
    rating_by_iri,
)

#: Letters that achieve an attribute at its own level; lower levels need "F".
ACHIEVED = frozenset({"L", "F"})
FULLY = "F"
_NOTATIONS = frozenset(a.notation for a in ATTRIBUTES)
_LETTER_ORDER = "NPLF"  # worst → best, for choosing between conflicting ratings
HIGHEST_LEVEL = max(a.level for a in ATTRIBUTES)


def derive_level(ratings: Mapping[str, str]) -> int:
    """The capability level (0..5) from attribute ratings ``{"PA 1.1": "F", …}``.

    Keys are attribute notations ("PA 1.1" … "PA 5.2"), values the letters N, P, L, F.
    A missing attribute counts as not achieved. Unknown notations or letters raise
    ``ValueError`` naming them, so a typo never silently lowers a level.
    """
    for notation, letter in ratings.items():
        if notation not in _NOTATIONS:
            raise ValueError(f"unknown process attribute {notation!r} (expected PA 1.1 … PA 5.2)")
        if letter not in RATINGS:
            raise ValueError(f"{notation}: unknown rating {letter!r} (expected N, P, L or F)")
    level = 0
    for candidate in range(1, HIGHEST_LEVEL + 1):
        letters = [ratings.get(a.notation) for a in ATTRIBUTES if a.level == candidate]
        if not all(letter in ACHIEVED for letter in letters):
            break
        level = candidate
        # Level n+1 needs every attribute of level n fully achieved: an L here caps the level.
        if not all(letter == FULLY for letter in letters):
            break
    return level


def attribute_letters(graph: Graph, assessed_process: Node) -> dict[str, str]:
    """The letters an assessed process's attribute ratings give, by attribute notation.

    Reads ``asmt:attributeRating / (asmt:attribute, asmt:rating)``. Ratings whose attribute
    or letter is not part of the framework are left out (the validator reports them). When
    one attribute is rated twice (also reported by the validator) the lower letter counts,
    so a level is never derived from the more favourable of two conflicting ratings.
    """
    letters: dict[str, str] = {}
    for node in graph.objects(assessed_process, ASMT.attributeRating):
        attribute = next((a for a in map(attribute_by_iri, graph.objects(node, ASMT.attribute)) if a), None)
        ratings = [r for r in map(rating_by_iri, graph.objects(node, ASMT.rating)) if r]
        if attribute is None or not ratings:
            continue
        letter = min((r.letter for r in ratings), key=_LETTER_ORDER.index)
        previous = letters.get(attribute.notation)
        if previous is None or _LETTER_ORDER.index(letter) < _LETTER_ORDER.index(previous):
            letters[attribute.notation] = letter
    return letters


def derive_levels(graph: Graph) -> dict[Node, int]:
    """The derived capability level of every ``asmt:AssessedProcess`` in ``graph``."""
    return {
        node: derive_level(attribute_letters(graph, node))
        for node in graph.subjects(RDF.type, ASMT.AssessedProcess, unique=True)
    }
