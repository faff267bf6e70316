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
    triples for CONSTRUCT/DESCRIBE. ``bindings`` are bound by the engine, never spliced
    into the query text. With ``default_graph_as_union`` the default graph is the union
    of all named graphs.
    """

    name: str

    def load_nquads(self, path: Path) -> None: ...

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        default_graph_as_union: bool = True,
    ) -> QueryResult | bool | list[Triple]: ...

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
