from pathlib import Path

import pytest

from itsm_prm.config import Settings, default_cache_dir, resources_root
from itsm_prm.errors import ConfigError
from tests.conftest import FIXTURE_HOME

REPO = Path(__file__).resolve().parents[2]


def test_env_prefix_and_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ITSM_PRM_MAX_INPUT_BYTES", "1234")
    s = Settings()
    assert s.max_input_bytes == 1234
    assert s.base_iri == "https://w3id.org/itsm-prm/"


def test_explicit_values_override_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ITSM_PRM_CACHE_DIR", "/nonexistent-from-env")
    assert Settings(cache_dir=tmp_path).cache_dir == tmp_path


def test_default_cache_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_cache_dir() == tmp_path / "itsm-prm"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_dir() == Path.home() / ".cache" / "itsm-prm"


def test_home_overrides_resources_root() -> None:
    assert resources_root(FIXTURE_HOME) == FIXTURE_HOME


def test_without_home_the_repository_root_is_found() -> None:
    # An editable install has no bundled resources/, so the repository root is used.
    assert resources_root(None) == REPO


def test_home_without_sources_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="sources.toml"):
        resources_root(tmp_path)
