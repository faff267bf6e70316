"""The shipped model passes its own shapes, and the build refuses it once it is broken."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from itsm_prm.build import build
from itsm_prm.config import Settings
from itsm_prm.errors import SelfCheckFailed

REPO = Path(__file__).resolve().parents[2]
ID = "https://w3id.org/itsm-prm/id/"


def test_shipped_data_conforms_without_warnings(built):
    assert built.manifest.shapes_checked
    assert built.manifest.conforms is True
    assert built.manifest.warnings == 0


@pytest.fixture
def broken_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    for folder in ("ontology", "shapes", "data", "queries"):
        shutil.copytree(REPO / folder, home / folder)
    return home


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_build_fails_on_an_outcome_gap(broken_home, tmp_path):
    edit(broken_home / "data/prm.ttl", "prm:outcomeNumber 7 ;\n    prm:isOptional false ;\n    prm:statement "
         '"Changes are closed', "prm:outcomeNumber 8 ;\n    prm:isOptional false ;\n    prm:statement "
         '"Changes are closed')
    with pytest.raises(SelfCheckFailed) as failure:
        build(Settings(home=broken_home, cache_dir=tmp_path / "cache"))
    messages = {(r.focus, r.message) for r in failure.value.report.results}
    assert (ID + "process/CHAN",
            "The outcomes of Change Management skip a number: outcome 8 has no outcome before it.") in messages


def test_build_fails_on_an_incomplete_mapping_record(broken_home, tmp_path):
    edit(broken_home / "data/mappings/prm-iso15504-5-2006.ttl",
         "    prm:justification semapv:ManualMappingCuration ;\n", "")
    with pytest.raises(SelfCheckFailed) as failure:
        build(Settings(home=broken_home, cache_dir=tmp_path / "cache"))
    assert [(r.focus, r.message) for r in failure.value.report.results] == [
        (ID + "mapping-set/prm-iso15504-5-2006/INC-SUP.9",
         "A mapping record needs exactly one justification from the Semantic Mapping Vocabulary (semapv:).")
    ]
