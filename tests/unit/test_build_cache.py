import importlib
import json
from pathlib import Path

import pytest

from itsm_prm.build import DATASET_FILE, build
from itsm_prm.config import Settings
from itsm_prm.errors import BuildError, InputError, SelfCheckFailed

# `itsm_prm.build` the attribute is the public function; the module is reached through the import system.
build_module = importlib.import_module("itsm_prm.build")


def _entries(cache_dir: Path) -> list[str]:
    return sorted(p.name for p in cache_dir.iterdir()) if cache_dir.exists() else []


def test_second_build_reuses_the_cache(private_settings: Settings) -> None:
    first = build(private_settings)
    second = build(private_settings)
    assert not first.reused and second.reused
    assert second.key == first.key
    assert second.manifest == first.manifest
    assert second.seconds < first.seconds
    assert _entries(private_settings.cache_dir) == [first.key]


def test_manifest_records_counts_timings_and_self_check(private_settings: Settings) -> None:
    result = build(private_settings)
    manifest = json.loads((result.directory / "manifest.json").read_text())
    for field in (
        "key",
        "built_at",
        "build_seconds",
        "graph_counts",
        "owlrl_seconds",
        "shacl_seconds",
        "conforms",
        "warnings",
    ):
        assert field in manifest, field
    counts = manifest["graph_counts"]
    assert counts["https://w3id.org/itsm-prm/graph/inferred"] > 0
    assert counts["https://w3id.org/itsm-prm/graph/prm"] == 45
    assert manifest["conforms"] is True and manifest["warnings"] == 1
    lines = (result.directory / DATASET_FILE).read_text().splitlines()
    assert len(lines) == sum(counts.values())


@pytest.mark.parametrize("changed", ["data/prm.ttl", "shapes/prm.shapes.ttl", "data/sources.toml"])
def test_changing_an_input_rebuilds(private_settings: Settings, home_copy: Path, changed: str) -> None:
    first = build(private_settings)
    with (home_copy / changed).open("a") as handle:
        handle.write("\n# edited\n")
    second = build(private_settings)
    assert not second.reused
    assert second.key != first.key


def test_force_rebuilds_the_same_key(private_settings: Settings) -> None:
    first = build(private_settings)
    again = build(private_settings, force=True)
    assert not again.reused and again.key == first.key
    assert _entries(private_settings.cache_dir) == [first.key]


def test_interrupted_build_leaves_no_cache_entry(
    private_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(_dataset: object) -> bytes:
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module, "_nquads", boom)
    with pytest.raises(KeyboardInterrupt):
        build(private_settings)
    assert _entries(private_settings.cache_dir) == []  # no entry, no temporary folder
    monkeypatch.undo()
    assert not build(private_settings).reused


def test_missing_source_file_is_named(private_settings: Settings, home_copy: Path) -> None:
    (home_copy / "data/prm.ttl").unlink()
    with pytest.raises(InputError, match=r"^data/prm\.ttl: no such file"):
        build(private_settings)


def test_malformed_source_names_file_and_line(private_settings: Settings, home_copy: Path) -> None:
    path = home_copy / "data/prm.ttl"
    path.write_text(
        path.read_text() + '\n<process/X> a prm:Process ;\n  rdfs:label "x" \n  prm:purpose "y" .\n'
    )
    with pytest.raises(InputError, match=r"^data/prm\.ttl line \d+, column \d+: "):
        build(private_settings)


def test_shacl_violation_fails_the_build(private_settings: Settings, home_copy: Path) -> None:
    path = home_copy / "data/prm.ttl"
    path.write_text(
        path.read_text().replace(
            'prm:purpose "The purpose of Problem Management is to find root causes."@en ;', ""
        )
    )
    with pytest.raises(SelfCheckFailed) as failure:
        build(private_settings)
    report = failure.value.report
    assert not report.conforms
    [violation] = [r for r in report.results if r.severity == "Violation"]
    assert violation.focus.endswith("/id/process/PRO")
    assert violation.focus_label == "Problem Management"
    assert violation.message == "a process needs one purpose"
    assert _entries(private_settings.cache_dir) == []


def test_without_shapes_the_self_check_is_skipped(private_settings: Settings, home_copy: Path) -> None:
    for path in (home_copy / "shapes").glob("*.ttl"):
        path.unlink()
    result = build(private_settings)
    assert result.manifest.shapes_checked is False
    assert result.manifest.conforms is None
    assert result.report is None


def test_reasoner_inconsistency_fails_the_build(private_settings: Settings, home_copy: Path) -> None:
    path = home_copy / "data/prm.ttl"
    path.write_text(
        path.read_text()
        .replace("prm:number 5 ;", 'prm:number "five"^^xsd:integer ;')
        .replace("@prefix skos:", "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n@prefix skos:")
    )
    with pytest.raises(BuildError, match="five"):
        build(private_settings)


def test_reused_build_keeps_the_self_check_report(private_settings: Settings) -> None:
    build(private_settings)
    again = build(private_settings)
    assert again.reused and again.report is not None
    assert [r.severity for r in again.report.results] == ["Warning"]
