"""``itsm-prm crosswalk``: formats to stdout or a file (atomically), and the exit codes — 2 with one line
for unusable input, 1 naming the record when the data cannot be exported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from itsm_prm import cli as cli_module
from itsm_prm.cli import cli
from itsm_prm.crosswalk.exports import FORMATS
from itsm_prm.crosswalk.records import Crosswalk
from itsm_prm.knowledge_graph import KnowledgeGraph
from tests.conftest import FIXTURE_HOME
from tests.crosswalk.exports.patching import ID, patched_kg, record_quads


def run(*args: str, home: Path | None = None) -> Result:
    env = {"ITSM_PRM_HOME": str(home)} if home else None
    return CliRunner().invoke(cli, ["crosswalk", *args], env=env)


def one_line_error(result: Result, code: int = 2) -> str:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("itsm-prm: error: ")
    return lines[0]


def test_default_is_sssom_tsv_on_stdout(kg: KnowledgeGraph, crosswalks: dict[str, Crosswalk]) -> None:
    result = run("--to", "2005")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("#curie_map:\n")
    assert "#mapping_set_id: https://w3id.org/itsm-prm/id/mapping-set/prm-iso20000-1-2005\n" in result.stdout
    body = [line for line in result.stdout.splitlines() if not line.startswith("#")]
    assert len(body) == 1 + len(crosswalks["iso20000-1:2005"].records)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_to_a_file(fmt: str, tmp_path: Path, exported: dict[tuple[str, str], Path]) -> None:
    out = tmp_path / f"out.{FORMATS[fmt].suffix}"
    result = run("--to", "iso20000-1:2005", "--format", fmt, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "Wrote " in result.stderr and str(out) in result.stderr
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary file left behind
    if fmt != "xlsx":  # a workbook's zip entries carry the time of writing
        assert out.read_bytes() == exported[("iso20000-1:2005", fmt)].read_bytes()
    else:
        assert out.read_bytes()[:2] == b"PK"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--to", "2099"],
            "Invalid value for '--to': unknown crosswalk target '2099' (choose from iso20000-1:2005",
        ),
        (["--to", "2005", "--format", "pdf"], "Invalid value for '--format': 'pdf' is not one of"),
        ([], "Missing option '--to'"),
        (
            ["--to", "2005", "-o", "/nonexistent-folder/x.tsv"],
            "Invalid value for '--output': folder '/nonexistent-folder' does not exist",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(args: list[str], expected: str) -> None:
    assert expected in one_line_error(run(*args))


def test_a_set_the_dataset_lacks_is_exit_code_2() -> None:
    line = one_line_error(run("--to", "2005", home=FIXTURE_HOME))
    assert "no mapping set <https://w3id.org/itsm-prm/id/mapping-set/prm-iso20000-1-2005>" in line
    assert "in the dataset" in line


def test_a_record_that_does_not_resolve_is_exit_code_1_and_writes_nothing(
    kg: KnowledgeGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = patched_kg(
        kg, record_quads("CHAN-99.9", ID + "process/CHAN", ID + "iso20000-1/2005/clause/99.9"), tmp_path
    )
    monkeypatch.setattr(cli_module, "load", lambda **_: broken)
    out = tmp_path / "out.csv"
    line = one_line_error(run("--to", "2005", "--format", "csv", "-o", str(out)), code=1)
    assert "mapping-set/prm-iso20000-1-2005/CHAN-99.9" in line and "clause/99.9" in line
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["patched.nq"]


def test_xlsx_is_not_written_to_a_terminal(tmp_path: Path) -> None:
    """A real process whose stdout is a pseudo-terminal: refused before anything is built or written."""
    parent, child = os.openpty()
    try:
        done = subprocess.run(
            [sys.executable, "-m", "itsm_prm", "crosswalk", "--to", "2005", "--format", "xlsx"],
            stdout=child,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            cwd=tmp_path,
        )
    finally:
        os.close(child)
        os.close(parent)
    assert done.returncode == 2
    assert (
        done.stderr.strip() == "itsm-prm: error: xlsx is binary: give -o FILE, or redirect stdout to a file"
    )


def test_xlsx_to_a_pipe_is_written(exported: dict[tuple[str, str], Path]) -> None:
    result = run("--to", "2005", "--format", "xlsx")
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes[:2] == b"PK"
