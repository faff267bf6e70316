"""The CLI through click's CliRunner: outputs, exit codes, and one-line errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Dataset, Graph

from itsm_prm import cli as cli_module
from itsm_prm.cli import cli
from tests.conftest import FIXTURE_HOME

GOOD = """@prefix prm: <https://w3id.org/itsm-prm/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/itsm-prm/id/process/NEW> a prm:Process ; rdfs:label "New"@en ; prm:purpose "p"@en ;
    skos:note "n"@en ; prm:hasOutcome <https://w3id.org/itsm-prm/id/process/NEW/outcome/1> .
<https://w3id.org/itsm-prm/id/process/NEW/outcome/1> prm:number 1 .
"""


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    """Invoke the CLI on the fixture home (the session's temporary cache comes from the environment)."""
    return CliRunner().invoke(cli, list(args), env={"ITSM_PRM_HOME": str(FIXTURE_HOME), **(env or {})})


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("itsm-prm: error: ")
    return lines[0]


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "good.ttl").write_text(GOOD)
    (tmp_path / "bad.ttl").write_text(GOOD.replace('prm:purpose "p"@en ;', ""))
    (tmp_path / "broken.ttl").write_text(GOOD.replace('rdfs:label "New"@en ;', 'rdfs:label "New"@en'))
    (tmp_path / "entity.rdf").write_text('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x/>')
    (tmp_path / "big.ttl").write_text(GOOD * 20)
    return tmp_path


# -- bad input: exit code 2, one readable line, no traceback


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["validate", "{tmp}/missing.ttl"], "missing.ttl: no such file"),
        (["validate", "{tmp}/broken.ttl"], "broken.ttl line 4, column "),
        (["validate", "{tmp}/entity.rdf"], "DOCTYPE or ENTITY"),
        (["validate", "{tmp}/good.ttl", "--format", "yaml"], "Invalid value for '--format'"),
        (["query", "proces-outcomes"], "did you mean 'process-outcomes'"),
        (
            ["query", "process-outcomes", "-p", "process=CHAN", "-p", "colour=red"],
            "unknown parameter 'colour'",
        ),
        (["query", "process-outcomes"], "missing required parameter 'process'"),
        (["query", "process-outcomes", "-p", "process=FOO"], "unknown process 'FOO'"),
        (["query", "process-outcomes", "-p", 'process=CHAN" } ; DROP ALL ; #'], "parameter 'process'"),
        (["query", "processes-by-name", "-p", "text=x", "-p", "min_outcomes=many"], "is not an integer"),
        (["query", "process-outcomes", "-p", "processCHAN"], "expected NAME=VALUE"),
        (["query", "{tmp}/nothing.rq"], "nothing.rq: no such file"),
        (["query"], "give a query NAME or FILE.rq"),
        (["query", "processes", "--format", "xml"], "Invalid value for '--format'"),
        (["export", "--graph", "nope"], "unknown graph 'nope'"),
        (["export", "--format", "yaml"], "Invalid value for '--format'"),
        (["info", "--format", "xml"], "Invalid value for '--format'"),
        (["frobnicate"], "No such command 'frobnicate'"),
        (["build", "--colour"], "No such option '--colour'"),
    ],
)
def test_bad_input_gives_one_line_and_exit_code_2(files: Path, args: list[str], expected: str) -> None:
    line = one_line_error(run(*[a.replace("{tmp}", str(files)) for a in args]))
    assert expected in line


def test_oversized_input(files: Path) -> None:
    line = one_line_error(run("validate", str(files / "big.ttl"), env={"ITSM_PRM_MAX_INPUT_BYTES": "1000"}))
    assert "over the limit of 1,000 bytes" in line


def test_bad_settings(tmp_path: Path) -> None:
    assert "ITSM_PRM_MAX_INPUT_BYTES" in one_line_error(run("info", env={"ITSM_PRM_MAX_INPUT_BYTES": "lots"}))
    assert "sources.toml" in one_line_error(run("build", env={"ITSM_PRM_HOME": str(tmp_path)}))


def test_malformed_source_names_file_and_line(home_copy: Path, tmp_path: Path) -> None:
    (home_copy / "data/prm.ttl").write_text("@prefix ex: <http://example.org/> .\nex:a ex:b .\n")
    line = one_line_error(run("--home", str(home_copy), "--cache-dir", str(tmp_path / "c"), "build"))
    assert "data/prm.ttl line 2, column" in line


def test_unexpected_errors_are_one_line_unless_debugging(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(cli_module, "load", broken)
    result = run("info")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "itsm-prm: error: unexpected RuntimeError: disk on fire (run with --debug for details)"
    ]
    debug = run("--debug", "info")
    assert debug.exit_code == 1 and "Traceback" in debug.stderr and "disk on fire" in debug.stderr


# -- build and info


def test_build_twice_reuses_the_cache(home_copy: Path, tmp_path: Path) -> None:
    flags = ["--home", str(home_copy), "--cache-dir", str(tmp_path / "cache")]
    first = run(*flags, "build")
    assert first.exit_code == 0, first.stderr
    assert first.stdout.startswith("Built dataset ")
    assert "SHACL self-check: conforms, 1 warning" in first.stdout
    assert "id:process/PRO (Problem Management) skos:note: a process usually has notes" in first.stdout
    second = run(*flags, "build")
    assert second.exit_code == 0
    assert second.stdout.startswith("Reused cached dataset ")
    assert "checked in" in second.stdout
    quiet = run(*flags, "build", "--quiet")
    assert quiet.stdout.count("\n") == 1 and quiet.stdout.startswith("Reused")
    forced = run(*flags, "build", "--force", "-q")
    assert forced.stdout.startswith("Built dataset ")


def test_build_without_shapes_says_so(home_copy: Path, tmp_path: Path) -> None:
    for path in (home_copy / "shapes").glob("*.ttl"):
        path.unlink()
    result = run("--home", str(home_copy), "--cache-dir", str(tmp_path / "c"), "build")
    assert result.exit_code == 0
    assert "SHACL self-check skipped: no shapes in shapes/" in result.stdout


def test_build_with_violations_fails_with_the_report(home_copy: Path, tmp_path: Path) -> None:
    data = home_copy / "data/prm.ttl"
    data.write_text(data.read_text().replace('rdfs:label "Change Management"@en ;', ""))
    result = run("--home", str(home_copy), "--cache-dir", str(tmp_path / "c"), "build")
    assert result.exit_code == 1
    assert "id:process/CHAN rdfs:label: a process needs a name" in result.stdout
    assert "Conforms: no — 1 violation" in result.stdout
    assert result.stderr.splitlines() == ["itsm-prm: error: SHACL self-check failed: 1 violation"]


def test_info_text_shows_counts_and_reuse() -> None:
    run("build")
    result = run("info")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "itsm-prm 0.1.0 — https://w3id.org/itsm-prm/dataset" in out
    assert "dataset key " in out and "reused the cache (checked in" in out
    assert "Named graphs" in out and "mappings/prm-iso15504-5-2006" in out
    assert out.index("prm:Process") < out.index("owl:Class")
    assert "Total: 113 distinct triples in 4 graphs" in out


def test_info_json() -> None:
    doc = json.loads(run("info", "--format", "json").stdout)
    assert doc["reused"] is True and doc["total_triples"] == 113
    assert {g["name"] for g in doc["graphs"]} == {
        "inferred",
        "mappings/prm-iso15504-5-2006",
        "ontology",
        "prm",
    }


def test_info_on_the_repository_resources() -> None:
    result = CliRunner().invoke(cli, ["info"])  # no ITSM_PRM_HOME: the repository's own data
    assert result.exit_code == 0, result.stderr
    assert "prm:Process" in result.stdout and "Named graphs" in result.stdout


# -- query


def test_query_table_shortens_iris() -> None:
    result = run("query", "process-outcomes", "--param", "process=CHAN")
    assert result.exit_code == 0, result.stderr
    assert "id:process/CHAN/outcome/5" in result.stdout and "changes are reviewed" in result.stdout
    assert result.stdout.rstrip().endswith("3 rows")


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_query_standard_formats(fmt: str) -> None:
    out = run("query", "process-outcomes", "-p", "process=CHAN.5", "--format", fmt).stdout
    assert out  # CHAN.5 resolves to an outcome: no rows, but a header
    out = run("query", "process-outcomes", "-p", "process=CHAN", "--format", fmt).stdout
    if fmt == "csv":
        raw = run("query", "process-outcomes", "-p", "process=CHAN", "--format", fmt).stdout_bytes
        assert raw.startswith(b"process,outcome,number,statement\r\n")
    elif fmt == "tsv":
        assert out.splitlines()[0] == "?process\t?outcome\t?number\t?statement"
        assert '"changes are reviewed"@en' in out
    else:
        assert len(json.loads(out)["results"]["bindings"]) == 3


def test_query_ask_and_list() -> None:
    assert run("query", "has-outcome", "-p", "outcome=CHAN.5").stdout.strip() == "true"
    listing = run("query", "--list").stdout
    assert "process-outcomes" in listing and "process (iri-or-id, required, e.g. CHAN)" in listing


def test_query_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.rq"
    path.write_text(
        "#+ params: {p: {type: iri-or-id}}\n"
        "SELECT ?p ?label WHERE { ?p <http://www.w3.org/2000/01/rdf-schema#label> ?label }\n"
    )
    result = run("query", str(path), "-p", "p=INC", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1] == "https://w3id.org/itsm-prm/id/process/INC,Incident Management"


# -- validate


def test_validate_exit_codes(files: Path) -> None:
    good = run("validate", str(files / "good.ttl"))
    assert good.exit_code == 0 and good.stdout.strip().endswith("Conforms: yes — 0 violations, 0 warnings")
    bad = run("validate", str(files / "bad.ttl"))
    assert bad.exit_code == 1
    assert "id:process/NEW (New) prm:purpose: a process needs one purpose" in bad.stdout
    doc = json.loads(run("validate", str(files / "bad.ttl"), "--format", "json").stdout)
    assert doc["conforms"] is False and doc["results"][0]["focus_label"] == "New"
    turtle = run("validate", str(files / "bad.ttl"), "--format", "turtle").stdout
    assert len(Graph().parse(data=turtle, format="turtle")) > 0


# -- export


def test_export_to_stdout_and_file(tmp_path: Path) -> None:
    result = run("export", "--format", "nq", "--graph", "prm")
    assert result.exit_code == 0
    ds = Dataset()
    ds.parse(data=result.stdout_bytes, format="nquads")
    assert {str(g.identifier) for g in ds.graphs() if len(g)} == {"https://w3id.org/itsm-prm/graph/prm"}
    target = tmp_path / "out.ttl"
    written = run("export", "--format", "ttl", "-o", str(target))
    assert written.exit_code == 0 and written.stdout == ""
    assert written.stderr.startswith("Wrote ") and str(target) in written.stderr
    assert len(Graph().parse(target, format="turtle")) == 113
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ttl"]


def test_export_to_a_missing_folder_is_bad_input(tmp_path: Path) -> None:
    result = run("export", "-o", str(tmp_path / "no" / "such" / "dir.ttl"))
    assert result.exit_code in (1, 2) and "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1


# -- help


@pytest.mark.parametrize("command", [[], ["build"], ["info"], ["validate"], ["query"], ["export"]])
def test_help(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0 and result.stdout.startswith("Usage: ")
    assert len(result.stdout.splitlines()) > 5


def test_version() -> None:
    assert run("--version").stdout.strip() == "itsm-prm, version 0.1.0"


@pytest.mark.parametrize("name", ["assessment-history", "assessment-level-distribution"])
def test_scoped_queries_point_to_the_api(name: str) -> None:
    """Stored assessments are read with an organisation's token, which the CLI does not have."""
    result = CliRunner().invoke(cli, ["query", name])  # the repository's own queries
    assert result.exit_code == 2
    assert f"GET /api/queries/{name}" in result.output
    assert "Traceback" not in result.output


def test_store_option_and_load(tmp_path: Path) -> None:
    """`load` publishes into an on-disk store once; the second load writes nothing; memory is refused."""
    store = f"oxigraph:{tmp_path / 'db'}"
    first = CliRunner().invoke(cli, ["--store", store, "load", "-q"])
    assert first.exit_code == 0, first.output
    assert " 0 unchanged" in first.output and "graphs written" in first.output
    second = CliRunner().invoke(cli, ["--store", store, "load", "-q"])
    assert second.exit_code == 0, second.output
    assert "0 graphs written (0 triples)" in second.output
    refused = CliRunner().invoke(cli, ["--store", "memory", "load"])
    assert refused.exit_code == 2
    assert "keeps nothing" in refused.output
    unknown = CliRunner().invoke(cli, ["--store", "nowhere:x", "info"])
    assert unknown.exit_code == 2
    assert "unknown store 'nowhere:x'" in unknown.output
