"""The default store: embedded Oxigraph (pyoxigraph), in memory or on disk (RocksDB, durable).

Parameters go through pyoxigraph's ``substitutions=`` (SEP-0007), so a value is always one RDF
term and never query text. SEP-0007 requires a substituted variable of a SELECT query to be
projected; the named-query catalog checks that when it loads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox

from itsm_prm.errors import ConfigError, ParameterError, QuerySyntaxError, UnknownFormatError
from itsm_prm.store.base import RDF_FORMATS, GraphSelector, graph_list
from itsm_prm.terms import QueryResult, Term, Triple

_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


def from_ox(term: OxTerm | None) -> Term | None:
    """pyoxigraph term → :class:`Term`."""
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return Term.iri(term.value)
    if isinstance(term, ox.BlankNode):
        return Term.bnode(term.value)
    if isinstance(term, ox.Literal):
        return Term("literal", term.value, term.datatype.value, term.language)
    raise TypeError(f"unsupported term {term!r}")  # RDF-star triples are not used here


def to_ox(term: Term) -> OxTerm:
    """:class:`Term` → pyoxigraph term."""
    if term.kind == "iri":
        return ox.NamedNode(term.value)
    if term.kind == "bnode":
        return ox.BlankNode(term.value)
    if term.lang:
        return ox.Literal(term.value, language=term.lang)
    return ox.Literal(
        term.value, datatype=ox.NamedNode(term.datatype or "http://www.w3.org/2001/XMLSchema#string")
    )


def _triple(t: ox.Triple) -> Triple:
    s, p, o = from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)
    assert s is not None and p is not None and o is not None
    return (s, p, o)


def _graph_node(graph: str) -> ox.NamedNode:
    return ox.NamedNode(graph)


class OxigraphStore:
    """A pyoxigraph store: in memory, or on disk at ``path`` (created when missing).

    Every write is one Oxigraph transaction, so a graph is replaced whole or not at all, and an
    acknowledged write on disk survives the process being killed (RocksDB's write-ahead log).

    >>> st = OxigraphStore()
    >>> st.count()
    0
    """

    name = "oxigraph"

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        if path is None:
            self._store = ox.Store()
            return
        try:
            path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(path))
        except OSError as exc:  # another process holds the RocksDB lock, or no permission
            raise ConfigError(f"cannot open the store at {path}: {exc}") from exc

    def load_nquads(self, path: Path) -> None:
        """Load a dataset file: a bulk load into an empty in-memory store, else graph by graph,
        each replaced in its own transaction (loading the same file twice changes nothing)."""
        if self.path is None and len(self._store) == 0:
            self._store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
            return
        by_graph: dict[str, list[ox.Triple]] = {}
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
            if isinstance(quad.graph_name, ox.NamedNode):
                by_graph.setdefault(quad.graph_name.value, []).append(quad.triple)
        for graph, triples in by_graph.items():
            self._replace(graph, triples)

    def put_graph(self, graph: str, data: bytes) -> None:
        triples = list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
        self._replace(graph, triples)

    def _replace(self, graph: str, triples: list[ox.Triple]) -> None:
        # DROP + INSERT DATA in one update request: Oxigraph runs it as one transaction
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        name = _graph_node(graph)
        self._store.update(f"DROP SILENT GRAPH {name} ; INSERT DATA {{ GRAPH {name} {{ {body.decode()} }} }}")

    def drop_graph(self, graph: str) -> None:
        self._store.update(f"DROP SILENT GRAPH {_graph_node(graph)}")

    def close(self) -> None:
        if self.path is not None:
            self._store.flush()
        del self._store  # releases the RocksDB lock once the last reference goes

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        default_graph_as_union: bool = True,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult | bool | list[Triple]:
        substitutions = {ox.Variable(name): to_ox(value) for name, value in (bindings or {}).items()}
        dataset: dict[str, object] = {"use_default_graph_as_union": default_graph_as_union}
        if default_graphs is not None:
            dataset = {"default_graph": [_graph_node(g) for g in default_graphs]}
        if named_graphs is not None:
            dataset["named_graphs"] = [_graph_node(g) for g in named_graphs]
        try:
            result = self._store.query(sparql, substitutions=substitutions or None, **dataset)  # type: ignore[arg-type]
        except SyntaxError as exc:
            raise QuerySyntaxError(f"SPARQL syntax error: {exc}") from exc
        except RuntimeError as exc:
            if substitutions:  # e.g. a bound variable missing from the SELECT clause (SEP-0007)
                raise ParameterError(str(exc)) from exc
            raise
        if isinstance(result, ox.QueryBoolean):
            return bool(result)
        if isinstance(result, ox.QuerySolutions):
            names = [v.value for v in result.variables]
            rows = [{name: from_ox(solution[name]) for name in names} for solution in result]
            return QueryResult(names, rows)
        return [_triple(t) for t in result]

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))

    def count(self, graph: str | None = None) -> int:
        if graph is not None:
            return sum(1 for _ in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        res = self._store.query(
            "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
            use_default_graph_as_union=True,
        )
        assert isinstance(res, ox.QuerySolutions)
        return int(next(iter(res))["n"].value)

    def _quads(self, graphs: list[str] | None) -> Iterable[ox.Quad]:
        if graphs is None:
            return [q for q in self._store if not isinstance(q.graph_name, ox.DefaultGraph)]
        return [q for g in graphs for q in self._store.quads_for_pattern(None, None, None, ox.NamedNode(g))]

    def export(
        self, fmt: str, graph: GraphSelector = None, prefixes: Mapping[str, str] | None = None
    ) -> bytes:
        if fmt not in _FORMATS:
            raise UnknownFormatError(f"unknown format {fmt!r} (choose from {', '.join(RDF_FORMATS)})")
        quads = self._quads(graph_list(graph))
        is_dataset = RDF_FORMATS[fmt][0]
        # Sorted output: stable diffs, and Turtle groups each subject's statements together.
        items: list[ox.Quad] | list[ox.Triple]
        items = sorted(quads, key=str) if is_dataset else sorted({q.triple for q in quads}, key=str)
        out = ox.serialize(
            items, format=_FORMATS[fmt], prefixes=dict(prefixes or {}) if fmt not in ("nt", "nq") else None
        )
        assert out is not None
        return out
