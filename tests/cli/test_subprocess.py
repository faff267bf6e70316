"""The real thing: ``python -m itsm_prm`` and the console script in fresh processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from rdflib import Graph

from tests.conftest import FIXTURE_HOME


def itsm_prm(*args: str, script: bool = False) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ITSM_PRM_HOME": str(FIXTURE_HOME)}
    command = (
        [str(Path(sys.executable).parent / "itsm-prm")] if script else [sys.executable, "-m", "itsm_prm"]
    )
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


def test_malformed_turtle_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c\nex:d ex:e ex:f .\n")
    done = itsm_prm("validate", str(path))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        f"itsm-prm: error: {path} line 3, column 1: A dot is expected at the end of statements"
    ]
    assert done.stdout == ""


def test_unknown_query_in_a_real_process() -> None:
    done = itsm_prm("query", "procesess")
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1
    assert "did you mean 'processes'" in done.stderr


def test_build_info_query_export() -> None:
    assert itsm_prm("build", "--quiet").returncode == 0
    again = itsm_prm("build")
    assert again.returncode == 0 and again.stdout.startswith("Reused cached dataset")
    info = json.loads(itsm_prm("info", "--format", "json").stdout)
    assert info["reused"] is True and info["total_triples"] == 113
    rows = json.loads(itsm_prm("query", "processes", "--format", "json").stdout)["results"]["bindings"]
    assert [r["id"]["value"] for r in rows] == ["CHAN", "INC", "PRO", "SUP.8"]
    exported = itsm_prm("export", "--format", "nt")
    assert len(Graph().parse(data=exported.stdout, format="nt")) == 113


def test_console_script() -> None:
    done = itsm_prm("--version", script=True)
    assert done.returncode == 0 and done.stdout.strip() == "itsm-prm, version 0.1.0"
