"""The public Python API: build, load, run, validate, export, info."""

import json

import pytest

import itsm_prm
from itsm_prm.config import Settings
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.prefixes import PRM_NAMESPACE


def test_public_names() -> None:
    for name in (
        "build",
        "load",
        "KnowledgeGraph",
        "BuildResult",
        "QueryResult",
        "Term",
        "ValidationReport",
        "NamedQuery",
        "DatasetInfo",
        "Settings",
        "__version__",
    ):
        assert hasattr(itsm_prm, name), name
    assert itsm_prm.__version__ == "0.1.0"


def test_build_and_load_use_the_settings(fixture_settings: Settings) -> None:
    first = itsm_prm.build(settings=fixture_settings)
    assert itsm_prm.build(settings=fixture_settings).reused
    kg = itsm_prm.load(settings=fixture_settings)
    assert kg.build_result.key == first.key and kg.build_result.reused
    assert kg.store.name == "oxigraph"
    assert itsm_prm.load("rdflib", settings=fixture_settings).store.name == "rdflib"
    with pytest.raises(itsm_prm.UserError, match="unknown store"):
        itsm_prm.load("postgres", settings=fixture_settings)


def test_environment_settings_are_the_default(
    monkeypatch: pytest.MonkeyPatch, fixture_settings: Settings
) -> None:
    monkeypatch.setenv("ITSM_PRM_HOME", str(fixture_settings.home))
    assert itsm_prm.build().key == itsm_prm.build(settings=fixture_settings).key


def test_info(fixture_kg: KnowledgeGraph) -> None:
    info = fixture_kg.info()
    assert info.dataset_iri == "https://w3id.org/itsm-prm/dataset"
    assert info.version == "0.1.0" and info.ontology_version == "0.0.1-fixture"
    assert len(info.key) == 64 and info.store == "oxigraph"
    assert {g.name: g.triples for g in info.graphs} == {
        "inferred": 29,
        "mappings/prm-iso15504-5-2006": 2,
        "ontology": 37,
        "prm": 45,
    }
    classes = dict(info.classes)
    assert classes[PRM_NAMESPACE + "Process"] == 4
    assert classes[PRM_NAMESPACE + "Outcome"] == 7  # typed by the closure only
    prm_first = [c.startswith(PRM_NAMESPACE) for c, _ in info.classes]
    assert prm_first == sorted(prm_first, reverse=True) and prm_first[0] and not prm_first[-1]
    assert info.total_triples == fixture_kg.store.count()
    assert info.warnings == 1 and info.conforms is True and info.shapes_checked
    assert json.loads(json.dumps(info.to_dict()))["classes"][0]["class"].startswith(PRM_NAMESPACE)


def test_shorten_uses_dataset_prefixes(fixture_kg: KnowledgeGraph) -> None:
    assert fixture_kg.shorten("https://w3id.org/itsm-prm/id/process/INC") == "id:process/INC"
    assert fixture_kg.shorten(PRM_NAMESPACE + "Process") == "prm:Process"
    # declared in the fixture's mapping file
    assert fixture_kg.shorten("https://w3id.org/itsm-prm/id/iso15504-5/2006/process/SUP.10") == "iso:SUP.10"


def test_real_dataset_loads(kg: KnowledgeGraph) -> None:
    info = kg.info()
    assert info.shapes_checked and info.conforms
    assert dict(info.classes)[PRM_NAMESPACE + "Process"] == 10
    assert {g.name for g in info.graphs} >= {"ontology", "prm", "inferred"}
