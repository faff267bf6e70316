"""Stores behind one interface (:class:`itsm_prm.store.base.Store`).

``--store`` / ``ITSM_PRM_STORE`` picks one:

* ``memory`` — embedded Oxigraph in memory (the default; assessments last as long as the process);
* ``oxigraph:PATH`` — embedded Oxigraph on disk at PATH (durable);
* ``sparql:URL`` — a SPARQL 1.1 server whose query endpoint is URL (see :mod:`itsm_prm.store.remote`);
* ``rdflib`` — rdflib's engine in memory, the reference used to cross-check results.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from itsm_prm.errors import ConfigError
from itsm_prm.store.base import RDF_FORMATS, Store

if TYPE_CHECKING:
    from itsm_prm.config import Settings

__all__ = ["RDF_FORMATS", "Store", "StoreSpec", "open_store", "parse_store_spec"]

STORE_KINDS = ("memory", "oxigraph:PATH", "sparql:URL", "rdflib")

StoreKind = Literal["memory", "oxigraph", "sparql", "rdflib"]


@dataclass(frozen=True)
class StoreSpec:
    """A parsed ``--store`` value: its kind and, for ``oxigraph:``/``sparql:``, where it is."""

    kind: StoreKind
    location: str = ""

    @property
    def durable(self) -> bool:
        """Whether what is written survives a restart (on-disk and remote stores)."""
        return self.kind in ("oxigraph", "sparql")

    def __str__(self) -> str:
        return f"{self.kind}:{self.location}" if self.location else self.kind


def parse_store_spec(text: str) -> StoreSpec:
    """``memory`` | ``rdflib`` | ``oxigraph:PATH`` | ``sparql:URL``.

    >>> parse_store_spec("oxigraph:/var/lib/itsm-prm")
    StoreSpec(kind='oxigraph', location='/var/lib/itsm-prm')
    >>> parse_store_spec("sparql:http://127.0.0.1:7878/query").location
    'http://127.0.0.1:7878/query'
    """
    value = text.strip()
    if value in ("memory", "oxigraph"):
        return StoreSpec("memory")
    if value == "rdflib":
        return StoreSpec("rdflib")
    kind, _, location = value.partition(":")
    if kind == "oxigraph" and location:
        return StoreSpec("oxigraph", location)
    if kind == "sparql" and location:
        if not location.startswith(("http://", "https://")):
            raise ConfigError(f"store {text!r}: the SPARQL endpoint must be an http(s) URL")
        return StoreSpec("sparql", location)
    raise ConfigError(f"unknown store {text!r} (choose from {', '.join(STORE_KINDS)})")


def open_store(spec: str | StoreSpec = "memory", settings: Settings | None = None) -> Store:
    """Open the store ``spec`` names: a new empty one for ``memory``/``rdflib``, the existing
    data for ``oxigraph:PATH`` and ``sparql:URL``."""
    parsed = spec if isinstance(spec, StoreSpec) else parse_store_spec(spec)
    if parsed.kind == "memory":
        from itsm_prm.store.oxigraph import OxigraphStore

        return OxigraphStore()
    if parsed.kind == "oxigraph":
        from itsm_prm.store.oxigraph import OxigraphStore

        return OxigraphStore(Path(parsed.location).expanduser())
    if parsed.kind == "rdflib":
        from itsm_prm.store.rdflib import RdflibStore

        return RdflibStore()
    from itsm_prm.config import Settings
    from itsm_prm.store.remote import RemoteStore

    return RemoteStore.from_settings(parsed.location, settings or Settings())
