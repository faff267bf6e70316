"""Stores behind one interface (:class:`itsm_prm.store.base.Store`)."""

from __future__ import annotations

from itsm_prm.errors import UserError
from itsm_prm.store.base import RDF_FORMATS, Store

__all__ = ["RDF_FORMATS", "Store", "open_store"]

STORE_KINDS = ("memory", "rdflib")


def open_store(kind: str = "memory") -> Store:
    """A new, empty store: ``memory`` (embedded Oxigraph, the default) or ``rdflib`` (reference engine)."""
    if kind in ("memory", "oxigraph"):
        from itsm_prm.store.oxigraph import OxigraphStore

        return OxigraphStore()
    if kind == "rdflib":
        from itsm_prm.store.rdflib import RdflibStore

        return RdflibStore()
    raise UserError(f"unknown store {kind!r} (choose from {', '.join(STORE_KINDS)})")
