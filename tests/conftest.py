"""Shared fixtures: every test runs against the small fixture home and a temporary cache,
so nothing touches the user's cache and results do not depend on the real data."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from itsm_prm.build import BuildResult, build
from itsm_prm.config import Settings
from itsm_prm.knowledge_graph import KnowledgeGraph, load

FIXTURE_HOME = Path(__file__).parent / "fixtures" / "home"
BASE = "https://w3id.org/itsm-prm/"
ID = BASE + "id/"


@pytest.fixture(scope="session", autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point ITSM_PRM_HOME at the fixture home and ITSM_PRM_CACHE_DIR at a temp folder
    (inherited by CliRunner and by subprocesses)."""
    patch = pytest.MonkeyPatch()
    cache = tmp_path_factory.mktemp("itsm-prm-cache")
    patch.setenv("ITSM_PRM_HOME", str(FIXTURE_HOME))
    patch.setenv("ITSM_PRM_CACHE_DIR", str(cache))
    for name in ("ITSM_PRM_BASE_IRI", "ITSM_PRM_MAX_INPUT_BYTES", "ITSM_PRM_QUERY_TIMEOUT_S"):
        patch.delenv(name, raising=False)
    yield cache
    patch.undo()


@pytest.fixture(scope="session")
def settings(isolated_env: Path) -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def built(settings: Settings) -> BuildResult:
    return build(settings)


@pytest.fixture(scope="session")
def kg(settings: Settings, built: BuildResult) -> KnowledgeGraph:
    return load(settings=settings)


@pytest.fixture(scope="session")
def kg_rdflib(settings: Settings, built: BuildResult) -> KnowledgeGraph:
    return load("rdflib", settings=settings)


@pytest.fixture
def home_copy(tmp_path: Path) -> Path:
    """A private, editable copy of the fixture home."""
    target = tmp_path / "home"
    shutil.copytree(FIXTURE_HOME, target)
    return target


@pytest.fixture
def private_settings(home_copy: Path, tmp_path: Path) -> Settings:
    """Settings on the private home copy with an empty cache of its own."""
    return Settings(home=home_copy, cache_dir=tmp_path / "cache")
