"""A read-only view of a store restricted to some named graphs.

The public face of the service (linked data, pages, downloads, the knowledge graph's own queries)
must see the reference data only, while the same store also holds organisations' assessments.
Every query through the view runs on a dataset made of the view's graphs, whatever the caller asks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from itsm_prm.errors import ItsmPrmError
from itsm_prm.store.base import GraphSelector, Store, graph_list
from itsm_prm.terms import QueryResult, Term, Triple

_DISTINCT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"


class DatasetView:
    """``store`` seen through ``graphs`` only: the default graph is their union, ``GRAPH`` reaches
    only them. Writes are refused."""

    def __init__(self, store: Store, graphs: Sequence[str]) -> None:
        self.backend = store
        self.name = store.name
        self.binds_blank_nodes: bool = getattr(store, "binds_blank_nodes", True)
        self._graphs = sorted(graphs)
        self._allowed = frozenset(graphs)

    def load_nquads(self, path: Path) -> None:
        raise ItsmPrmError("a dataset view is read-only")

    def _within(self, graphs: Sequence[str] | None) -> list[str]:
        return self._graphs if graphs is None else [g for g in graphs if g in self._allowed]

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        default_graph_as_union: bool = True,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult | bool | list[Triple]:
        defaults = self._within(default_graphs) if default_graph_as_union or default_graphs else []
        return self.backend.query(
            sparql,
            bindings,
            default_graph_as_union=False,
            default_graphs=defaults,
            named_graphs=self._within(named_graphs),
        )

    def graphs(self) -> list[str]:
        """The view's graphs. Not asked of the store: listing a server's graphs can mean scanning
        every quad it holds (Virtuoso), and a view's graphs are the published reference graphs."""
        return list(self._graphs)

    def count(self, graph: str | None = None) -> int:
        if graph is not None:
            return self.backend.count(graph) if graph in self._allowed else 0
        result = self.query(_DISTINCT_TRIPLES)
        assert isinstance(result, QueryResult)
        value = result.rows[0]["n"]
        return int(value.value) if value is not None else 0

    def export(
        self, fmt: str, graph: GraphSelector = None, prefixes: Mapping[str, str] | None = None
    ) -> bytes:
        return self.backend.export(fmt, self._within(graph_list(graph)), prefixes)

    def put_graph(self, graph: str, data: bytes) -> None:
        raise ItsmPrmError("a dataset view is read-only")

    def drop_graph(self, graph: str) -> None:
        raise ItsmPrmError("a dataset view is read-only")

    def close(self) -> None:
        """The view does not own its store."""
