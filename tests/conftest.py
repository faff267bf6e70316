"""Shared fixtures.

* ``settings`` / ``built`` / ``kg`` / ``reference_kg``: the repository's own resources (the real
  ontology, data, shapes and queries), loaded into Oxigraph and into the rdflib reference engine.
* ``fixture_settings`` / ``fixture_kg`` / ``fixture_reference_kg``: the tiny fixture home in
  ``tests/fixtures/home``, for unit tests whose expectations must not depend on the real data.
* ``private_settings``: an editable copy of the fixture home with a cache of its own.

Every build goes to a temporary cache (``ITSM_PRM_CACHE_DIR``), never the user's.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from itsm_prm.build import BuildResult, build
from itsm_prm.config import Settings
from itsm_prm.knowledge_graph import KnowledgeGraph, load
from tests.servers import oxigraph_server, virtuoso_server  # noqa: F401  (real SPARQL servers)

FIXTURE_HOME = Path(__file__).parent / "fixtures" / "home"
BASE = "https://w3id.org/itsm-prm/"
ID = BASE + "id/"


@pytest.fixture(scope="session", autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A temporary ITSM_PRM_CACHE_DIR and ITSM_PRM_TOKENS_FILE for the whole session (inherited by
    CliRunner and subprocesses); no ITSM_PRM_* setting leaks in from the caller's environment."""
    patch = pytest.MonkeyPatch()
    cache = tmp_path_factory.mktemp("itsm-prm-cache")
    patch.setenv("ITSM_PRM_CACHE_DIR", str(cache))
    # never the user's tokens: a file of the session's own (absent until a test creates a token)
    patch.setenv("ITSM_PRM_TOKENS_FILE", str(tmp_path_factory.mktemp("itsm-prm-state") / "tokens.json"))
    for name in (
        "ITSM_PRM_HOME",
        "ITSM_PRM_BASE_IRI",
        "ITSM_PRM_MAX_INPUT_BYTES",
        "ITSM_PRM_STORE",
    ):
        patch.delenv(name, raising=False)
    for name in list(os.environ):
        if name.startswith("ITSM_PRM_SPARQL_"):  # a caller's remote store must not leak in
            patch.delenv(name)
    yield cache
    patch.undo()


# -- the repository's resources


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
def reference_kg(settings: Settings, built: BuildResult) -> KnowledgeGraph:
    return load("rdflib", settings=settings)


# -- the same knowledge graph on every kind of store


#: the stores the API suite and the named queries run on (differential tests); ``ITSM_PRM_TEST_STORES=memory,…`` narrows it while developing
STORES = ("memory", "oxigraph-path", "oxigraph-server", "virtuoso")
_SERVERS = {"oxigraph-server": "oxigraph_server", "virtuoso": "virtuoso_server"}


def _selected_stores() -> list[str]:
    wanted = os.environ.get("ITSM_PRM_TEST_STORES")
    if not wanted:
        return list(STORES)
    chosen = [name.strip() for name in wanted.split(",") if name.strip()]
    unknown = set(chosen) - set(STORES)
    if unknown:
        raise pytest.UsageError(f"ITSM_PRM_TEST_STORES: unknown store {sorted(unknown)}; choose from {STORES}")
    return chosen


@pytest.fixture(scope="session", params=_selected_stores())
def store_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="session")
def store_settings(
    store_kind: str, settings: Settings, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Settings:
    """The session settings pointed at the store under test."""
    if store_kind == "memory":
        return settings
    if store_kind == "oxigraph-path":
        return settings.model_copy(update={"store": f"oxigraph:{tmp_path_factory.mktemp('api-store')}"})
    server = request.getfixturevalue(_SERVERS[store_kind])
    return settings.model_copy(update={"store": server.store_spec, **server.settings_overrides})


@pytest.fixture(scope="session")
def store_kg(store_kind: str, store_settings: Settings, kg: KnowledgeGraph) -> Iterator[KnowledgeGraph]:
    """The knowledge graph on the store under test (the reference data published into it)."""
    if store_kind == "memory":
        yield kg
        return
    opened = load(settings=store_settings)
    yield opened
    opened.close()


# -- the fixture home


@pytest.fixture(scope="session")
def fixture_settings(isolated_env: Path) -> Settings:
    return Settings(home=FIXTURE_HOME)


@pytest.fixture(scope="session")
def fixture_built(fixture_settings: Settings) -> BuildResult:
    return build(fixture_settings)


@pytest.fixture(scope="session")
def fixture_kg(fixture_settings: Settings, fixture_built: BuildResult) -> KnowledgeGraph:
    return load(settings=fixture_settings)


@pytest.fixture(scope="session")
def fixture_reference_kg(fixture_settings: Settings, fixture_built: BuildResult) -> KnowledgeGraph:
    return load("rdflib", settings=fixture_settings)


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
