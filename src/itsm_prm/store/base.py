"""The store interface every engine implements.

Core code talks to this protocol only; engines convert their native terms to
:class:`itsm_prm.terms.Term` so results are comparable across engines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from itsm_prm.terms import QueryResult, Term, Triple

#: Export format names → (is a dataset format, media type).
RDF_FORMATS: dict[str, tuple[bool, str]] = {
    "ttl": (False, "text/turtle"),
    "jsonld": (False, "application/ld+json"),
    "xml": (False, "application/rdf+xml"),
    "nt": (False, "application/n-triples"),
    "nq": (True, "application/n-quads"),
    "trig": (True, "application/trig"),
}

GraphSelector = str | Sequence[str] | None


def graph_list(graph: GraphSelector) -> list[str] | None:
    """Normalise a graph selector: ``None`` means every graph."""
    if graph is None:
        return None
    return [graph] if isinstance(graph, str) else list(graph)


@runtime_checkable
class Store(Protocol):
    """A read-mostly RDF dataset with SPARQL.

    ``query`` returns a :class:`QueryResult` for SELECT, a ``bool`` for ASK and a list of
    triples for CONSTRUCT/DESCRIBE. ``bindings`` are bound by the engine (or a ``VALUES``
    block), never spliced into the query text. With ``default_graph_as_union`` the default
    graph is the union of all named graphs; ``default_graphs`` / ``named_graphs`` restrict the
    dataset to the listed graphs and win over union mode.

    Writes are whole named graphs: ``put_graph`` replaces one atomically (all or nothing),
    ``drop_graph`` removes one.
    """

    name: str

    def load_nquads(self, path: Path) -> None: ...

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        default_graph_as_union: bool = True,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult | bool | list[Triple]: ...

    def put_graph(self, graph: str, data: bytes) -> None:
        """Replace named graph ``graph`` with the triples of ``data`` (N-Triples), atomically."""
        ...

    def drop_graph(self, graph: str) -> None:
        """Remove named graph ``graph``; nothing happens when it does not exist."""
        ...

    def close(self) -> None: ...

    def graphs(self) -> list[str]: ...

    def count(self, graph: str | None = None) -> int:
        """Triples in one named graph, or distinct triples in the union when ``graph`` is None."""
        ...

    def export(
        self, fmt: str, graph: GraphSelector = None, prefixes: Mapping[str, str] | None = None
    ) -> bytes:
        """Serialise: triple formats (ttl, jsonld, xml, nt) write the de-duplicated union of the
        selected graphs; dataset formats (nq, trig) write the selected named graphs."""
        ...
