"""Settings (environment variables with the ``ITSM_PRM_`` prefix, overridden by CLI flags)
and the one place that knows where the curated resources live."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from itsm_prm.errors import ConfigError

SOURCES_FILE = Path("data") / "sources.toml"


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/itsm-prm``, else ``~/.cache/itsm-prm``."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "itsm-prm"


def default_state_dir() -> Path:
    """``$XDG_STATE_HOME/itsm-prm``, else ``~/.local/state/itsm-prm`` (tokens live here)."""
    xdg = os.environ.get("XDG_STATE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "state"
    return base / "itsm-prm"


class Settings(BaseSettings):
    """All knobs of the package. Example::

    >>> Settings(cache_dir="/tmp/c").cache_dir.name
    'c'
    """

    model_config = SettingsConfigDict(env_prefix="ITSM_PRM_", extra="ignore")

    home: Path | None = Field(
        default=None, description="resources root (ontology/, data/, shapes/, queries/)"
    )
    cache_dir: Path = Field(default_factory=default_cache_dir, description="where compiled datasets go")
    base_iri: str = "https://w3id.org/itsm-prm/"
    max_input_bytes: int = Field(default=50 * 1024 * 1024, gt=0, description="largest user RDF file read")
    # -- the HTTP service
    base_url: str | None = Field(
        default=None,
        description="public URL the service is reached at (e.g. https://w3id.org/itsm-prm/); when it is "
        "the base IRI, every id/ IRI dereferences here",
    )
    query_timeout_s: float = Field(default=10.0, gt=0, description="time limit of one SPARQL query")
    max_result_bytes: int = Field(default=20 * 1024 * 1024, gt=0, description="largest query answer served")
    max_body_bytes: int = Field(default=1024 * 1024, gt=0, description="largest HTTP request body accepted")
    query_workers: int = Field(default=2, ge=1, le=32, description="processes that run SPARQL queries")
    # -- the store (see docs/deploying.md)
    store: str = Field(
        default="memory",
        description="memory (embedded Oxigraph), oxigraph:PATH (embedded, on disk), sparql:URL (a SPARQL "
        "1.1 server's query endpoint) or rdflib (the reference engine)",
    )
    sparql_update_url: str | None = Field(
        default=None, description="SPARQL Update endpoint; default: the query URL with /query → /update"
    )
    sparql_store_url: str | None = Field(
        default=None,
        description="Graph Store Protocol endpoint; default: the query URL with /query → /store, else "
        "writes go through SPARQL Update",
    )
    sparql_user: str | None = None
    sparql_password: str | None = None
    sparql_auth: Literal["basic", "digest"] = "basic"
    sparql_bearer_token: str | None = None
    sparql_timeout_s: float = Field(default=30.0, gt=0, description="time limit of one request to the server")
    sparql_row_limit: int | None = Field(
        default=None,
        gt=0,
        description="the server's silent cap on result rows (Virtuoso: ResultSetMaxRows, 10000 by "
        "default); an answer with exactly that many rows is refused as truncated",
    )
    server_processes: int = Field(
        default=1, ge=1, description="set by `serve --workers`: server processes sharing the port"
    )
    tokens_file: Path = Field(
        default_factory=lambda: default_state_dir() / "tokens.json",
        description="bearer tokens of the assessment repository (hashed)",
    )

    def resources_root(self) -> Path:
        """The folder holding ``data/sources.toml`` and its siblings (see :func:`resources_root`)."""
        return resources_root(self.home)


def resources_root(home: Path | None = None) -> Path:
    """Find the resources: ``home`` if given, else the installed package's ``resources/``,
    else the repository root (editable install / source checkout)."""
    if home is not None:
        root = Path(home)
        if not (root / SOURCES_FILE).is_file():
            raise ConfigError(
                f"{root / SOURCES_FILE}: no such file (ITSM_PRM_HOME points to the wrong folder?)"
            )
        return root
    packaged = Path(__file__).resolve().parent / "resources"
    if (packaged / SOURCES_FILE).is_file():
        return packaged
    repo = Path(__file__).resolve().parents[2]  # src/itsm_prm/config.py → repository root
    if (repo / SOURCES_FILE).is_file():
        return repo
    raise ConfigError(f"cannot find {SOURCES_FILE} in the package or the repository; set ITSM_PRM_HOME")
