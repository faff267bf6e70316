"""``itsm-prm assess``: template, validate, profile, report, export — outputs, formats and exit codes.

The assessments are the repository's examples (``data/examples/assessments``) and a CSV made from the
template the CLI writes, filled in here with ratings whose capability levels are worked out by hand:

* INC: PA 1.1 F (90 %), PA 2.1 L, PA 2.2 F → level 2 (target 3);
* PRO: PA 1.1 P → level 0 (target 1).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner, Result
from rdflib import Dataset, Graph, URIRef

from itsm_prm.build import BuildResult
from itsm_prm.cli import cli

EXAMPLES = Path(__file__).resolve().parents[2] / "data" / "examples" / "assessments"
VALID = EXAMPLES / "valid-all-ten.ttl"
ASSESSMENT = "https://example.org/assessment/cli-test"
ASMT = "https://w3id.org/itsm-prm/assessment#"
LEVEL = "https://w3id.org/itsm-prm/id/iso15504-2/2003/capability-level/"

INPUT = {
    "assessment id": ASSESSMENT,
    "date": "2026-10-01",
    "sponsor": "Sam Sponsor",
    "purpose": "Find where incident and problem handling stand",
    "organisational unit": "Service desk",
    "constraints": "Two days; no customer interviews",
    "approach": "Interviews and document review",
    "assessors": "Ann Assessor; Bo Assessor",
    "competent assessor": "Ann Assessor",
    "participants": "Pat Participant",
    "target level INC": "3",
    "target level PRO": "1",
}
#: (process, item) → (rating, percent, evidence)
RATINGS = {
    ("INC", "PA 1.1"): ("F", "90", "Ticket statistics 2026"),
    ("INC", "PA 2.1"): ("L", "", "Service desk plan"),
    ("INC", "PA 2.2"): ("F", "", "Ticket statistics 2026"),
    ("INC", "INC.1"): ("L", "", "Ticket statistics 2026"),
    ("PRO", "PA 1.1"): ("P", "30", "Problem records"),
    ("PRO", "PRO.1"): ("P", "", "Problem records"),
}
EXPECTED_LEVELS = {"INC": 2, "PRO": 0}
EXPECTED_TARGETS = {"INC": 3, "PRO": 1}


def run(*args: str) -> Result:
    """The CLI on the repository's own resources (the session's temporary cache)."""
    return CliRunner().invoke(cli, list(args))


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("itsm-prm: error: ")
    return lines[0]


def fill_template(template: str) -> str:
    """The CSV template with :data:`INPUT` and :data:`RATINGS` filled in."""
    rows = list(csv.reader(io.StringIO(template.lstrip("\ufeff"))))
    header: list[str] | None = None
    for row in rows:
        if not row:
            continue
        if row[0] == "process":
            header = row
            continue
        if header is None:
            if row[0] in INPUT:
                row[1] = INPUT[row[0]]
            continue
        item = row[header.index("item")]
        if (row[0], item) in RATINGS:
            rating, percent, evidence = RATINGS[(row[0], item)]
            row[header.index("rating")] = rating
            row[header.index("percent")] = percent
            row[header.index("evidence")] = evidence
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


@pytest.fixture(scope="module")
def filled_csv(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    result = run("assess", "template", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    path = tmp_path_factory.mktemp("assess") / "ratings.csv"
    path.write_text(fill_template(result.stdout), encoding="utf-8")
    return path


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.ttl"
    path.write_text(VALID.read_text(encoding="utf-8").replace(" .\n", " \n", 1), encoding="utf-8")
    return path


# -- template


def test_template_csv_has_one_row_per_rating(built: BuildResult) -> None:
    result = run("assess", "template", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    start = next(i for i, row in enumerate(rows) if row and row[0] == "process")
    ratings = [row for row in rows[start + 1 :] if row]
    attributes = [row for row in ratings if row[2] == "attribute"]
    outcomes = [row for row in ratings if row[2] == "outcome"]
    assert len(attributes) == 10 * 9
    assert len(outcomes) == 61
    assert {row[0] for row in ratings} == {
        "INC",
        "PRO",
        "CHAN",
        "CONF",
        "REL",
        "SLM",
        "ITFM",
        "CAP",
        "ITSCM",
        "AVA",
    }


def test_template_xlsx_to_a_file(built: BuildResult, tmp_path: Path) -> None:
    target = tmp_path / "ratings.xlsx"
    result = run("assess", "template", "--format", "xlsx", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert zipfile.is_zipfile(target)
    workbook = openpyxl.load_workbook(target)
    assert {"Ratings", "Input"} <= set(workbook.sheetnames)
    assert workbook["Ratings"].data_validations.dataValidation, "drop-down lists for the ratings"


def test_template_into_a_missing_folder_is_refused(built: BuildResult, tmp_path: Path) -> None:
    line = one_line_error(run("assess", "template", "--format", "csv", "-o", str(tmp_path / "no" / "t.csv")))
    assert "does not exist" in line
    assert not (tmp_path / "no").exists()


# -- validate


@pytest.mark.parametrize("fmt", ["human", "json", "turtle"])
def test_validate_the_valid_example(built: BuildResult, fmt: str) -> None:
    result = run("assess", "validate", str(VALID), "--format", fmt)
    assert result.exit_code == 0, result.stdout + result.stderr
    if fmt == "json":
        report = json.loads(result.stdout)
        assert report["conforms"] is True and report["violations"] == 0
    elif fmt == "turtle":
        graph = Graph().parse(data=result.stdout, format="turtle")
        conforms = list(graph.objects(None, URIRef("http://www.w3.org/ns/shacl#conforms")))
        assert [c.toPython() for c in conforms] == [True]
    else:
        assert "Conforms: yes" in result.stdout


def invalid_examples() -> list[Path]:
    return sorted(EXAMPLES.glob("invalid-*.ttl"))


def expected_results(example: Path) -> list[tuple[str, str, str]]:
    """What the example must produce: ``<name>.expected.json`` beside it, as (severity, focus, message)."""
    expected = json.loads(example.with_suffix(".expected.json").read_text(encoding="utf-8"))
    return sorted((r["severity"], r["focus"], r["message"]) for r in expected)


def test_there_are_invalid_examples() -> None:
    assert len(invalid_examples()) >= 10


@pytest.mark.parametrize("example", invalid_examples(), ids=lambda p: p.stem)
def test_validate_an_invalid_example(built: BuildResult, example: Path) -> None:
    result = run("assess", "validate", str(example), "--format", "json")
    report = json.loads(result.stdout)
    found = sorted((r["severity"], r["focus"], r["message"]) for r in report["results"])
    expected = expected_results(example)
    assert found == expected
    violations = any(severity == "Violation" for severity, _, _ in expected)
    assert result.exit_code == (1 if violations else 0)
    human = run("assess", "validate", str(example))
    assert human.exit_code == result.exit_code
    for _, _, message in expected:
        assert message in human.stdout


def test_validate_the_filled_template(filled_csv: Path) -> None:
    result = run("assess", "validate", str(filled_csv), "--format", "json")
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["conforms"] is True


def test_malformed_turtle_is_exit_2_with_the_line(built: BuildResult, broken: Path) -> None:
    line = one_line_error(run("assess", "validate", str(broken)))
    assert re.search(r"broken\.ttl line \d+", line), line


def test_spreadsheet_errors_name_row_and_column(filled_csv: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        filled_csv.read_text(encoding="utf-8").replace(
            ",PA 2.1,Performance management,L,", ",PA 2.1,Performance management,X,"
        ),
        encoding="utf-8",
    )
    line = one_line_error(run("assess", "validate", str(bad)))
    assert "bad.csv" in line and "row" in line and "rating" in line and "'X'" in line


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["assess", "validate", "missing.ttl"], "does not exist"),
        (["assess", "validate", "{valid}", "--format", "yaml"], "Invalid value for '--format'"),
        (["assess", "profile", "{valid}", "--format", "xml"], "Invalid value for '--format'"),
        (["assess", "template", "--format", "ods"], "Invalid value for '--format'"),
        (["assess", "report", "{valid}"], "Missing option '--output'"),
    ],
)
def test_usage_errors_are_exit_2(built: BuildResult, args: list[str], expected: str) -> None:
    line = one_line_error(run(*(a.format(valid=VALID) for a in args)))
    assert expected in line


# -- profile


def test_profile_json_derives_the_levels(filled_csv: Path) -> None:
    result = run("assess", "profile", str(filled_csv), "--format", "json")
    assert result.exit_code == 0, result.stderr
    profile = json.loads(result.stdout)
    assert profile["assessment"] == ASSESSMENT
    levels = {p["processId"]: p["derivedLevel"] for p in profile["processes"]}
    targets = {p["processId"]: p["targetLevel"] for p in profile["processes"]}
    assert levels == EXPECTED_LEVELS
    assert targets == EXPECTED_TARGETS


def test_profile_table(filled_csv: Path) -> None:
    result = run("assess", "profile", str(filled_csv))
    lines = result.stdout.splitlines()
    assert lines[0].split()[:5] == ["process", "name", "target", "derived", "stated"]
    inc = next(line for line in lines if line.startswith("INC "))
    assert "Incident Management" in inc
    assert re.search(r"Management\s+3\s+2\s", inc), inc
    assert "F 90%" in inc


def test_profile_ttl_is_the_derived_statements(filled_csv: Path) -> None:
    result = run("assess", "profile", str(filled_csv), "--format", "ttl")
    graph = Graph().parse(data=result.stdout, format="turtle")
    levels = sorted(str(o) for o in graph.objects(None, URIRef(ASMT + "derivedCapabilityLevel")))
    assert levels == [LEVEL + "0", LEVEL + "2"]


@pytest.fixture
def stated_wrong(built: BuildResult, tmp_path: Path) -> Path:
    """The filled template, with INC's stated capability level 4 against a derived 2: a violation."""
    rows = list(csv.reader(io.StringIO(fill_template(run("assess", "template", "--format", "csv").stdout))))
    for row in rows:
        if row and row[0] == "INC" and len(row) > 5 and row[2] == "level":
            row[5] = "4"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path = tmp_path / "stated.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_profile_of_an_assessment_with_violations_is_exit_1(stated_wrong: Path) -> None:
    result = run("assess", "profile", str(stated_wrong), "--format", "json")
    assert result.exit_code == 1, result.stderr
    assert "does not conform" in result.stderr
    profile = json.loads(result.stdout)  # still printed
    inc = next(p for p in profile["processes"] if p["processId"] == "INC")
    assert (inc["statedLevel"], inc["derivedLevel"]) == (4, 2)


# -- report and export


def test_report_is_self_contained_html(filled_csv: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    result = run("assess", "report", str(filled_csv), "-o", str(target))
    assert result.exit_code == 0, result.stderr
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    assert_self_contained(html)
    assert "Sam Sponsor" in html and "Service desk" in html
    assert 'data-process="INC"' in html and 'data-derived="2"' in html
    assert "<svg" in html


def profile_rows(html: str) -> int:
    """The processes in the capability profile grid of a report."""
    grid = html.split('id="profile-grid"', 1)[1].split("</table>", 1)[0]
    return grid.count('<tr data-process="')


def assert_self_contained(html: str) -> None:
    """Nothing the page would load: no src/href to another document, no CSS url() or @import."""
    assert not re.search(r"\bsrc\s*=", html, re.I)
    hrefs = re.findall(r"\bhref\s*=\s*[\"']([^\"']*)", html, re.I)
    assert all(h.startswith("#") for h in hrefs), hrefs
    assert "url(" not in html and "@import" not in html
    assert "<script" not in html.lower() and "<link" not in html.lower()


@pytest.mark.parametrize("fmt", ["ttl", "jsonld"])
def test_export_adds_the_derived_levels(filled_csv: Path, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"assessment.{fmt}"
    result = run("assess", "export", str(filled_csv), "--format", fmt, "-o", str(target))
    assert result.exit_code == 0, result.stderr
    if fmt == "ttl":
        graph = Graph().parse(target, format="turtle")
    else:
        dataset = Dataset()
        dataset.parse(target, format="json-ld")
        graph = Graph()
        for s, p, o, _ in dataset.quads():
            graph.add((s, p, o))
    levels = sorted(str(o) for o in graph.objects(None, URIRef(ASMT + "derivedCapabilityLevel")))
    assert levels == [LEVEL + "0", LEVEL + "2"]
    assert (URIRef(ASSESSMENT), None, None) in graph


def test_export_of_an_assessment_with_violations_writes_nothing(stated_wrong: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    result = run("assess", "export", str(stated_wrong), "-o", str(target))
    assert result.exit_code == 1
    assert "nothing written" in result.stderr
    assert not target.exists()


def test_report_of_the_valid_example(built: BuildResult, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    result = run("assess", "report", str(VALID), "-o", str(target))
    assert result.exit_code == 0, result.stderr
    html = target.read_text(encoding="utf-8")
    assert_self_contained(html)
    assert profile_rows(html) == 10
    assert 'data-conforms="true"' in html
    # the scope is listed in the model's order of processes, as the profile is
    scope = re.findall(r"<li>([A-Z]+) [^<]*: target level \d</li>", html)
    assert scope == ["INC", "PRO", "CHAN", "CONF", "REL", "SLM", "ITFM", "CAP", "ITSCM", "AVA"]
