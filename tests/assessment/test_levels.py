"""The ISO/IEC 15504-2 capability level rule, on a table written by hand.

A process is at level n when every attribute of level n is rated L or F and every attribute of
every lower level is rated F; an attribute that is not rated is not achieved.
"""

from __future__ import annotations

import pytest
from rdflib import Graph

from itsm_prm.assessment.levels import attribute_letters, derive_level, derive_levels

ALL_F = {
    "PA 1.1": "F",
    "PA 2.1": "F",
    "PA 2.2": "F",
    "PA 3.1": "F",
    "PA 3.2": "F",
    "PA 4.1": "F",
    "PA 4.2": "F",
    "PA 5.1": "F",
    "PA 5.2": "F",
}


def upto(level: int, **overrides: str) -> dict[str, str]:
    """Every attribute up to ``level`` rated F, then overrides ("PA2_1": "L" → "PA 2.1": "L")."""
    ratings = {k: v for k, v in ALL_F.items() if int(k[3]) <= level}
    for key, letter in overrides.items():
        notation = "PA " + key[2:].replace("_", ".")
        if letter == "-":
            ratings.pop(notation, None)
        else:
            ratings[notation] = letter
    return ratings


CASES: list[tuple[str, dict[str, str], int]] = [
    # level 0
    ("nothing rated", {}, 0),
    ("PA 1.1 N", {"PA 1.1": "N"}, 0),
    ("PA 1.1 P", {"PA 1.1": "P"}, 0),
    ("PA 1.1 unrated, everything above F", upto(5, PA1_1="-"), 0),
    ("PA 1.1 P, everything above F", upto(5, PA1_1="P"), 0),
    ("PA 1.1 N, PA 2.x F", {"PA 1.1": "N", "PA 2.1": "F", "PA 2.2": "F"}, 0),
    # level 1
    ("PA 1.1 L", {"PA 1.1": "L"}, 1),
    ("PA 1.1 F", {"PA 1.1": "F"}, 1),
    ("PA 1.1 L blocks level 2 although PA 2.x are F", {"PA 1.1": "L", "PA 2.1": "F", "PA 2.2": "F"}, 1),
    ("PA 1.1 L blocks everything above", upto(5, PA1_1="L"), 1),
    ("PA 2.1 L, PA 2.2 P", {"PA 1.1": "F", "PA 2.1": "L", "PA 2.2": "P"}, 1),
    ("PA 2.1 N, PA 2.2 F", {"PA 1.1": "F", "PA 2.1": "N", "PA 2.2": "F"}, 1),
    ("PA 2.2 unrated", {"PA 1.1": "F", "PA 2.1": "F"}, 1),
    ("gap: PA 3.x F but PA 2.2 unrated", upto(3, PA2_2="-"), 1),
    ("gap: everything F but PA 2.1 unrated", upto(5, PA2_1="-"), 1),
    ("PA 2.2 P under an otherwise full profile", upto(5, PA2_2="P"), 1),
    # level 2
    ("PA 2.x both L", {"PA 1.1": "F", "PA 2.1": "L", "PA 2.2": "L"}, 2),
    ("PA 2.x L and F", {"PA 1.1": "F", "PA 2.1": "L", "PA 2.2": "F"}, 2),
    ("PA 2.x both F", upto(2), 2),
    ("PA 2.1 L blocks level 3 although PA 3.x are F", upto(3, PA2_1="L"), 2),
    ("PA 2.2 L blocks everything above", upto(5, PA2_2="L"), 2),
    ("PA 3.1 L, PA 3.2 P", upto(2, PA3_1="L", PA3_2="P"), 2),
    ("PA 3.2 unrated", upto(2, PA3_1="F"), 2),
    ("gap: PA 4.x F but PA 3.1 unrated", upto(4, PA3_1="-"), 2),
    # level 3
    ("PA 3.x both L", upto(2, PA3_1="L", PA3_2="L"), 3),
    ("PA 3.x both F", upto(3), 3),
    ("PA 3.2 L blocks level 4 although PA 4.x are F", upto(4, PA3_2="L"), 3),
    ("PA 3.1 L blocks everything above", upto(5, PA3_1="L"), 3),
    ("PA 4.1 F, PA 4.2 N", upto(3, PA4_1="F", PA4_2="N"), 3),
    ("gap: PA 5.x F but PA 4.2 unrated", upto(5, PA4_2="-"), 3),
    # level 4
    ("PA 4.x both L", upto(3, PA4_1="L", PA4_2="L"), 4),
    ("PA 4.x both F", upto(4), 4),
    ("PA 4.1 L blocks level 5 although PA 5.x are F", upto(5, PA4_1="L"), 4),
    ("PA 5.1 F, PA 5.2 P", upto(4, PA5_1="F", PA5_2="P"), 4),
    ("PA 5.2 unrated", upto(4, PA5_1="F"), 4),
    # level 5
    ("PA 5.x both L", upto(4, PA5_1="L", PA5_2="L"), 5),
    ("PA 5.1 F, PA 5.2 L", upto(4, PA5_1="F", PA5_2="L"), 5),
    ("everything F", dict(ALL_F), 5),
]


@pytest.mark.parametrize(("ratings", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rule(ratings: dict[str, str], expected: int) -> None:
    assert derive_level(ratings) == expected


def test_table_helper_builds_what_the_names_say() -> None:
    # the table above relies on upto(); check it once by hand so a slip there cannot hide
    assert upto(2, PA2_1="L", PA3_1="F") == {"PA 1.1": "F", "PA 2.1": "L", "PA 2.2": "F", "PA 3.1": "F"}
    assert upto(3, PA2_2="-") == {"PA 1.1": "F", "PA 2.1": "F", "PA 3.1": "F", "PA 3.2": "F"}


def test_the_table_reaches_every_level_with_l_and_with_f_on_top() -> None:
    reached = {(expected, ratings.get(f"PA {expected}.1")) for _, ratings, expected in CASES if expected}
    assert {(n, letter) for n in range(1, 6) for letter in "LF"} <= reached


@pytest.mark.parametrize(
    ("ratings", "named"),
    [
        ({"PA 6.1": "F"}, "PA 6.1"),
        ({"PA1.1": "F"}, "PA1.1"),
        ({"PA 1.1": "X"}, "'X'"),
        ({"PA 1.1": "f"}, "'f'"),
    ],
)
def test_unknown_attributes_and_letters_are_refused_by_name(ratings: dict[str, str], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        derive_level(ratings)


# ---------------------------------------------------------------- from a graph

PREFIXES = """
@prefix asmt: <https://w3id.org/itsm-prm/assessment#> .
@prefix pa: <https://w3id.org/itsm-prm/id/iso15504-2/2003/process-attribute/> .
@prefix r: <https://w3id.org/itsm-prm/id/iso15504-2/2003/rating/> .
@prefix cl: <https://w3id.org/itsm-prm/id/iso15504-2/2003/capability-level/> .
@prefix ex: <https://example.org/a/> .
"""


def graph_of(turtle: str) -> Graph:
    return Graph().parse(data=PREFIXES + turtle, format="turtle")


def test_levels_of_every_assessed_process_in_a_graph() -> None:
    graph = graph_of("""
    ex:INC a asmt:AssessedProcess ;
        asmt:attributeRating [ asmt:attribute pa:PA1.1 ; asmt:rating r:F ] ,
                             [ asmt:attribute pa:PA2.1 ; asmt:rating r:L ] ,
                             [ asmt:attribute pa:PA2.2 ; asmt:rating r:F ; asmt:percent 90.0 ] .
    ex:PRO a asmt:AssessedProcess ;
        asmt:attributeRating [ asmt:attribute pa:PA1.1 ; asmt:rating r:P ] ,
                             [ asmt:attribute pa:PA2.1 ; asmt:rating r:F ] ,
                             [ asmt:attribute pa:PA2.2 ; asmt:rating r:F ] .
    ex:CHAN a asmt:AssessedProcess .
    ex:notAssessed asmt:attributeRating [ asmt:attribute pa:PA1.1 ; asmt:rating r:F ] .
    """)
    ex = "https://example.org/a/"
    assert {str(k): v for k, v in derive_levels(graph).items()} == {
        ex + "INC": 2,
        ex + "PRO": 0,
        ex + "CHAN": 0,
    }


def test_a_stated_or_derived_level_in_the_input_is_never_read() -> None:
    graph = graph_of("""
    ex:INC a asmt:AssessedProcess ;
        asmt:statedCapabilityLevel cl:5 ; asmt:derivedCapabilityLevel cl:5 ;
        asmt:attributeRating [ asmt:attribute pa:PA1.1 ; asmt:rating r:L ] .
    """)
    assert list(derive_levels(graph).values()) == [1]


def test_conflicting_ratings_count_the_lower_letter() -> None:
    # two ratings for PA 1.1 (the validator reports it): the level must not rest on the better one
    graph = graph_of("""
    ex:INC a asmt:AssessedProcess ;
        asmt:attributeRating [ asmt:attribute pa:PA1.1 ; asmt:rating r:F ] ,
                             [ asmt:attribute pa:PA1.1 ; asmt:rating r:P ] .
    """)
    node = next(iter(derive_levels(graph)))
    assert attribute_letters(graph, node) == {"PA 1.1": "P"}
    assert derive_levels(graph)[node] == 0


def test_ratings_outside_the_framework_are_not_achievements() -> None:
    graph = graph_of("""
    ex:INC a asmt:AssessedProcess ;
        asmt:attributeRating [ asmt:attribute pa:PA1.1 ; asmt:rating <https://example.org/rating/F> ] ,
                             [ asmt:attribute <https://example.org/PA2.1> ; asmt:rating r:F ] ,
                             [ asmt:attribute pa:PA2.2 ] ,
                             [ asmt:attribute pa:PA3.1 ; asmt:rating "F" ] .
    """)
    node = next(iter(derive_levels(graph)))
    assert attribute_letters(graph, node) == {}
    assert derive_levels(graph)[node] == 0
