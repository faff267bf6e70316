"""The crosswalk queries keep the names, parameters and columns other parts (the crosswalk page, the CLI)
build on, and the coverage rule is one text: the same block in every query that judges coverage."""

from __future__ import annotations

from pathlib import Path

import pytest

from itsm_prm import queries

QUERIES = Path(__file__).resolve().parents[3] / "queries"
CATALOG = queries.load_catalog(QUERIES)

# name: (parameters with their types, columns that must come first and in this order)
CONTRACT = {
    "crosswalk-mappings": (
        {"subject": "iri-or-id", "edition": "edition", "include_outcomes": "boolean"},
        "edition subject subjectId record relation relationLabel object objectId objectTitle strength "
        "rationale comment derived",
    ),
    "crosswalk-reverse": (
        {"element": "edition-element", "edition": "edition"},
        "edition element object objectTitle subject subjectId subjectKind relation relationLabel strength comment",
    ),
    "crosswalk-coverage": (
        {"edition": "edition"},
        "edition element number title group groupNumber groupTitle coverage bestRelation subjects records",
    ),
    "crosswalk-coverage-summary": (
        {"edition": "edition"},
        "edition group groupNumber groupTitle elements full partial none fullPercent coveredPercent",
    ),
    "crosswalk-gaps": ({"edition": "edition"}, "edition element number title group"),
    "crosswalk-unmapped-outcomes": ({"edition": "edition"}, "edition outcome outcomeId statement record comment"),
    "crosswalk-changes-2018": (
        {"process": "iri-or-id"},
        "process subjectId clause2005 number2005 title2005 relation2005 clause2011 number2011 clause2018 "
        "number2018 title2018 editionChange relation2018 comment2018",
    ),
}
RULE_START = "# ---- coverage rule:"
RULE_END = "# ---- end of coverage rule ----"


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_parameters_and_columns(name: str) -> None:
    query = CATALOG[name]
    params, columns = CONTRACT[name]
    assert {p.name: p.type for p in query.params.values()} == params
    projected = queries.parse_sparql(query.sparql).projected
    assert projected is not None
    assert list(projected[: len(columns.split())]) == columns.split()
    assert query.summary and query.description
    assert "crosswalk" in query.tags


def test_defaults() -> None:
    mappings = CATALOG["crosswalk-mappings"].params
    assert mappings["include_outcomes"].default is True
    assert all(p.required for name, p in mappings.items() if name != "include_outcomes")


def rule_block(name: str) -> list[str]:
    lines = [line.strip() for line in CATALOG[name].sparql.splitlines()]
    start, end = lines.index(next(x for x in lines if x.startswith(RULE_START))), lines.index(RULE_END)
    return lines[start : end + 1]


def test_one_coverage_rule() -> None:
    reference = rule_block("crosswalk-coverage")
    assert any("VALUES (?relation ?rank)" in line for line in reference)
    for name in ("crosswalk-coverage-summary", "crosswalk-gaps"):
        assert rule_block(name) == reference, f"{name} holds another coverage rule than crosswalk-coverage"
    # and no other query judges coverage on its own
    others = [q.name for q in CATALOG.values() if RULE_START in q.sparql]
    assert sorted(others) == ["crosswalk-coverage", "crosswalk-coverage-summary", "crosswalk-gaps"]
