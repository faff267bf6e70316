import json
from pathlib import Path

import pytest
from rdflib import SH, Graph, Literal

from itsm_prm.errors import InputError
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.validation import ValidationReport, ValidationResult, render, render_human
from tests.conftest import ID

HEAD = """@prefix prm: <https://w3id.org/itsm-prm/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@base <https://w3id.org/itsm-prm/id/> .
"""
GOOD = (
    HEAD
    + """
<process/NEW> a prm:Process ; rdfs:label "New Management"@en ; prm:purpose "To be new."@en ;
    skos:note "n"@en ; prm:hasOutcome <process/NEW/outcome/1> .
<process/NEW/outcome/1> prm:number 1 ; prm:statement "s"@en .
"""
)


def _write(tmp_path: Path, text: str, name: str = "user.ttl") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_conforming_file(fixture_kg: KnowledgeGraph, tmp_path: Path) -> None:
    report = fixture_kg.validate(_write(tmp_path, GOOD))
    assert report.conforms and report.results == []


def test_inferred_types_and_hierarchy_are_known(fixture_kg: KnowledgeGraph, tmp_path: Path) -> None:
    # The outcome is typed only through prm:hasOutcome's range and gets prm:outcomeOf from the
    # inverse: without the closure, OutcomeShape would not target it and sh:class would fail.
    report = fixture_kg.validate(_write(tmp_path, GOOD.replace("prm:number 1 ;", "")))
    [result] = report.results
    assert (result.severity, result.focus, result.message) == (
        "Violation",
        ID + "process/NEW/outcome/1",
        "an outcome needs one integer number",
    )


def test_violation_details(fixture_kg: KnowledgeGraph, tmp_path: Path) -> None:
    bad = GOOD.replace('prm:purpose "To be new."@en ;', "").replace('skos:note "n"@en ;', "")
    report = fixture_kg.validate(_write(tmp_path, bad))
    assert not report.conforms
    assert [(r.severity, r.message) for r in report.results] == [
        ("Violation", "a process needs one purpose"),
        ("Warning", "a process usually has notes"),
    ]
    violation = report.results[0]
    assert violation.focus == ID + "process/NEW"
    assert violation.focus_label == "New Management"
    assert violation.path == "https://w3id.org/itsm-prm/ontology#purpose"
    assert violation.shape == "https://w3id.org/itsm-prm/shapes#ProcessShape"


def test_sparql_constraint_and_value(fixture_kg: KnowledgeGraph, tmp_path: Path) -> None:
    twice = (
        GOOD.replace(
            "prm:hasOutcome <process/NEW/outcome/1> .",
            "prm:hasOutcome <process/NEW/outcome/1>, <process/NEW/outcome/2> .",
        )
        + '<process/NEW/outcome/2> prm:number 1 ; prm:statement "t"@en .\n'
    )
    report = fixture_kg.validate(_write(tmp_path, twice))
    assert [(r.focus, r.message) for r in report.results] == [
        (ID + "process/NEW", "outcome number 1 is used twice")
    ]


def test_warnings_alone_conform(fixture_kg: KnowledgeGraph, tmp_path: Path) -> None:
    report = fixture_kg.validate(_write(tmp_path, GOOD.replace('skos:note "n"@en ;', "")))
    assert report.conforms and report.warnings == 1 and report.violations == 0


def test_several_files_are_validated_together(fixture_kg: KnowledgeGraph, tmp_path: Path) -> None:
    process, outcome = GOOD.split("<process/NEW/outcome/1> prm:number")
    a = _write(tmp_path, process, "a.ttl")
    b = _write(tmp_path, HEAD + "<process/NEW/outcome/1> prm:number" + outcome, "b.ttl")
    assert fixture_kg.validate(a, b).conforms


def test_unusable_input(fixture_kg: KnowledgeGraph, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        fixture_kg.validate(tmp_path / "missing.ttl")
    with pytest.raises(InputError, match=r"broken\.ttl line 6, column \d+: "):
        fixture_kg.validate(_write(tmp_path, GOOD.replace("a prm:Process ;", "a prm:Process"), "broken.ttl"))


def _report(fixture_kg: KnowledgeGraph, tmp_path: Path) -> ValidationReport:
    bad = GOOD.replace('prm:purpose "To be new."@en ;', "").replace('skos:note "n"@en ;', "")
    return fixture_kg.validate(_write(tmp_path, bad))


def test_human_rendering(fixture_kg: KnowledgeGraph, tmp_path: Path) -> None:
    text = render(_report(fixture_kg, tmp_path), "human", fixture_kg.shorten)
    lines = text.splitlines()
    assert lines[0] == "Violations (1):"
    assert lines[1].startswith("  id:process/NEW (New Management) prm:purpose: a process needs one purpose")
    assert "Warnings (1):" in lines
    assert lines[-1] == "Conforms: no — 1 violation, 1 warning"


def test_json_rendering(fixture_kg: KnowledgeGraph, tmp_path: Path) -> None:
    doc = json.loads(render(_report(fixture_kg, tmp_path), "json"))
    assert doc["conforms"] is False and doc["violations"] == 1 and doc["warnings"] == 1
    assert set(doc["results"][0]) == {"severity", "focus", "focus_label", "path", "value", "message", "shape"}
    assert ValidationReport.from_dict(doc).results[0].message == "a process needs one purpose"


def test_turtle_rendering_is_the_results_graph(fixture_kg: KnowledgeGraph, tmp_path: Path) -> None:
    graph = Graph().parse(data=render(_report(fixture_kg, tmp_path), "turtle"), format="turtle")
    assert len(list(graph.subjects(SH.resultSeverity, None))) == 2
    assert (None, SH.conforms, Literal(False)) in graph


def test_human_rendering_of_a_clean_report() -> None:
    assert render_human(ValidationReport(True, [])) == "Conforms: yes — 0 violations, 0 warnings\n"
    one = ValidationResult("Warning", "urn:x", None, None, "v", "m", None)
    assert render_human(ValidationReport(True, [one])).splitlines() == [
        "Warnings (1):",
        "  urn:x = v: m",
        "Conforms: yes — 0 violations, 1 warning",
    ]
