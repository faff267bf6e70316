"""The crosswalk analysis commands (mappings, clause, coverage, gaps, changes) through click's CliRunner on
the repository's data: tables, the W3C result formats, and exit code 2 with one line for bad input."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator

import pytest
from click.testing import CliRunner, Result

from itsm_prm.cli import Context, cli
from itsm_prm.knowledge_graph import KnowledgeGraph

Run = Callable[..., Result]


@pytest.fixture(scope="module")
def run(kg: KnowledgeGraph) -> Iterator[Callable[..., Result]]:
    """Invoke the CLI on the repository's resources. The commands get the session's loaded graph (the
    same settings: the repository and the session cache), so each call does not load it again."""

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Context, "load", lambda _self: kg)
        yield invoke


def ok(result: Result) -> str:
    assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
    return result.stdout


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("itsm-prm: error: ")
    return lines[0]


def test_commands_are_listed(run: Run) -> None:
    listing = ok(run("--help"))
    for command in ("mappings", "clause", "coverage", "gaps", "changes"):
        assert f"  {command} " in listing


def test_mappings_table(run: Run) -> None:
    out = ok(run("mappings", "CHAN", "--to", "2005"))
    header = out.splitlines()[1]
    for column in ("subject", "relation", "element", "title", "strength", "derived", "why"):
        assert column in header
    assert "CHAN.5" in out and "equal to" in out and "10 rows" in out


def test_mappings_process_only_as_csv(run: Run) -> None:
    rows = list(csv.DictReader(io.StringIO(ok(run("mappings", "CHAN", "--to", "2005", "--process-only",
                                                  "--format", "csv")))))
    assert [(r["subjectId"], r["relationLabel"], r["objectId"]) for r in rows] == [("CHAN", "equal to", "9.2")]
    assert "comment" in rows[0] and "record" in rows[0]  # every column of the query


def test_clause_reverse_as_json(run: Run) -> None:
    answer = json.loads(ok(run("clause", "9.2", "--to", "iso20000-1:2005", "--format", "json")))
    ids = [b["subjectId"]["value"] for b in answer["results"]["bindings"]]
    assert ids == ["CHAN"] + [f"CHAN.{n}" for n in range(1, 8)] + ["REL.6"]


def test_coverage_and_summary(run: Run) -> None:
    rows = list(csv.reader(io.StringIO(ok(run("coverage", "--to", "2005", "--format", "tsv"))), delimiter="\t"))
    assert rows[0][:3] == ["?edition", "?element", "?number"]
    assert len(rows) == 26  # header + 25 requirement leaves
    summary = ok(run("coverage", "--to", "2005", "--summary"))
    assert "full %" in summary and "covered %" in summary
    last = [line for line in summary.splitlines() if " all " in line]
    assert len(last) == 1 and "25" in last[0] and "32" in last[0] and "52" in last[0]


def test_gaps_and_unmapped_outcomes(run: Run) -> None:
    gaps = list(csv.DictReader(io.StringIO(ok(run("gaps", "--to", "2005", "--format", "csv")))))
    assert [g["number"] for g in gaps] == [
        "3.1", "3.2", "3.3", "4.2", "4.3", "4.4.1", "6.2", "6.6", "7.1", "7.2", "7.3", "8.1"
    ]
    outcomes = ok(run("gaps", "--to", "2005", "--outcomes"))
    assert "ITFM.4" in outcomes and "ITFM.5" in outcomes and "2 rows" in outcomes


def test_changes(run: Run) -> None:
    out = ok(run("changes", "CHAN"))
    assert "8.5.1" in out and "split" in out and "equal" in out
    rows = list(csv.DictReader(io.StringIO(ok(run("changes", "chan", "--format", "csv")))))
    assert (rows[0]["subjectId"], rows[0]["number2005"], rows[0]["number2018"], rows[0]["editionChange"]) == (
        "CHAN", "9.2", "8.5.1", "equal"
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["coverage", "--to", "2006"], "Invalid value for '--to': unknown crosswalk target '2006'"),
        (["gaps", "--to", "iso20000-2:2005"], "unknown crosswalk target 'iso20000-2:2005'"),
        (["coverage"], "Missing option '--to'"),
        (["mappings", "XYZ", "--to", "2005"], "unknown subject 'XYZ'"),
        (["mappings", "CHAN.99", "--to", "2005"], "unknown subject 'CHAN.99'"),
        (["clause", "8.5.1", "--to", "2005"], "parameter 'element': no clause '8.5.1' in ISO/IEC 20000-1:2005"),
        (["clause", "change-management", "--to", "itil4"], "no practice 'change-management' in ITIL 4"),
        (["changes", "NOPE"], "unknown process 'NOPE'"),
        (["coverage", "--to", "2005", "--format", "xml"], "Invalid value for '--format'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(run: Run, args: list[str], expected: str) -> None:
    assert expected in one_line_error(run(*args))
