"""The shipped assessment examples: the valid one conforms with no result, each invalid one gives
exactly the results its ``.expected.json`` lists (severity, focus, message)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from itsm_prm.assessment.validate import validate_assessment
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.rdfio import parse_rdf

EXAMPLES = Path(__file__).parents[2] / "data" / "examples" / "assessments"
INVALID = sorted(EXAMPLES.glob("invalid-*.ttl"))


def expected_path(example: Path) -> Path:
    return example.with_name(example.name.removesuffix(".ttl") + ".expected.json")


def test_every_invalid_example_has_its_expected_results() -> None:
    assert len(INVALID) >= 12
    expected = sorted(EXAMPLES.glob("invalid-*.expected.json"))
    assert [expected_path(p) for p in INVALID] == expected


def test_the_valid_example_conforms_without_findings(kg: KnowledgeGraph) -> None:
    graph = parse_rdf(EXAMPLES / "valid-all-ten.ttl").graph
    report = validate_assessment(kg, graph)
    assert report.conforms, [r.message for r in report.results]
    assert report.results == []


@pytest.mark.parametrize("example", INVALID, ids=lambda p: p.stem.removeprefix("invalid-"))
def test_invalid_example_gives_exactly_its_expected_results(kg: KnowledgeGraph, example: Path) -> None:
    expected = json.loads(expected_path(example).read_text(encoding="utf-8"))
    report = validate_assessment(kg, parse_rdf(example).graph)
    got = [{"severity": r.severity, "focus": r.focus, "message": r.message} for r in report.results]
    assert got == expected
    assert report.conforms == all(item["severity"] != "Violation" for item in expected)


def test_each_rule_of_the_issue_has_an_example() -> None:
    """The examples cover the rules assessors hit most; the messages say so in their words."""
    messages = " | ".join(
        item["message"] for p in INVALID for item in json.loads(expected_path(p).read_text(encoding="utf-8"))
    )
    for phrase in (
        "names no sponsor",
        "one competent assessor",
        "not in the scope of the assessment input",
        "is not a process of the reference model",
        "PA 1.1 is rated 2 times",
        "Incident Management: PA 2.1 is rated but PA 1.1 is not.",
        'is rated "X"',
        "PA 2.1 is rated L with 40 %, outside the band of L (above 50 % to 85 %)",
        "outcome PRO.1 is an outcome of Problem Management",
        "PA 1.1 is rated F (fully achieved) but outcome INC.2 is rated N",
        "outcome ITFM.4 is marked not applicable without a justification",
        "the input states capability level 3, the ratings give level 2.",
        "cites no evidence",
        "states a derived capability level",
    ):
        assert phrase in messages, phrase


def test_validation_time_of_the_valid_example(kg: KnowledgeGraph) -> None:
    """Measured, not asserted (machines are noisy): validation of ten processes in a warm process."""
    graph = parse_rdf(EXAMPLES / "valid-all-ten.ttl").graph
    validate_assessment(kg, graph)  # warm: context graph and shapes cached
    times = []
    for _ in range(3):
        started = time.perf_counter()
        validate_assessment(kg, graph)
        times.append(time.perf_counter() - started)
    print(f"\nvalidate_assessment, ten processes ({len(graph)} triples), warm: best {min(times):.3f} s")


@pytest.mark.parametrize(
    "example", [EXAMPLES / "valid-all-ten.ttl", *INVALID], ids=lambda p: p.stem.removeprefix("invalid-")
)
def test_oxigraph_backed_validation_gives_the_reference_report(kg: KnowledgeGraph, example: Path) -> None:
    # pyshacl stays the reference validator: with rdflib evaluating its SPARQL constraints, the
    # report must be the same, result for result, as with the faster Oxigraph evaluation.
    graph = parse_rdf(example).graph
    fast = validate_assessment(kg, graph)
    slow = validate_assessment(kg, graph, reference=True)
    assert fast.conforms == slow.conforms
    assert [(r.severity, r.focus, r.path, r.value, r.message) for r in fast.results] == [
        (r.severity, r.focus, r.path, r.value, r.message) for r in slow.results
    ]
