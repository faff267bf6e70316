"""The reference store: an rdflib ``Dataset``, used to cross-check query results in tests.

Bindings go through ``initBindings``. Creating this store installs the network guard
(:mod:`itsm_prm.security`) because rdflib's SPARQL engine would otherwise follow URLs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from pyparsing import ParseException
from rdflib import BNode, Dataset, Graph, Literal, URIRef, Variable
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.term import Node

from itsm_prm.errors import QuerySyntaxError, UnknownFormatError
from itsm_prm.security import install_network_guard
from itsm_prm.store.base import RDF_FORMATS, GraphSelector, graph_list
from itsm_prm.terms import RDF_LANGSTRING, XSD_STRING, QueryResult, Term, Triple

_FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "xml": "xml", "nt": "nt", "nq": "nquads", "trig": "trig"}


def from_rdflib(node: Node | None) -> Term | None:
    """rdflib term → :class:`Term` (simple literals get ``xsd:string``)."""
    if node is None:
        return None
    if isinstance(node, URIRef):
        return Term.iri(str(node))
    if isinstance(node, BNode):
        return Term.bnode(str(node))
    if isinstance(node, Literal):
        datatype = str(node.datatype) if node.datatype else (RDF_LANGSTRING if node.language else XSD_STRING)
        return Term("literal", str(node), datatype, node.language)
    raise TypeError(f"unsupported term {node!r}")


def to_rdflib(term: Term) -> URIRef | BNode | Literal:
    """:class:`Term` → rdflib term."""
    if term.kind == "iri":
        return URIRef(term.value)
    if term.kind == "bnode":
        return BNode(term.value)
    if term.lang:
        return Literal(term.value, lang=term.lang)
    datatype = None if term.datatype in (None, XSD_STRING) else URIRef(term.datatype)
    return Literal(term.value, datatype=datatype)


def _triple(t: tuple[Node, Node, Node]) -> Triple:
    s, p, o = (from_rdflib(x) for x in t)
    assert s is not None and p is not None and o is not None
    return (s, p, o)


class RdflibStore:
    """rdflib ``Dataset`` in memory."""

    name = "rdflib"

    def __init__(self) -> None:
        install_network_guard()
        self._ds = Dataset(default_union=True)

    def load_nquads(self, path: Path) -> None:
        self._ds.parse(str(path), format="nquads")

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        default_graph_as_union: bool = True,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult | bool | list[Triple]:
        init = {Variable(name): to_rdflib(value) for name, value in (bindings or {}).items()}
        dataset = self._ds
        if default_graphs is not None or named_graphs is not None:
            dataset = self._restricted(default_graphs, named_graphs, default_graph_as_union)
        else:
            dataset.default_union = default_graph_as_union
        try:
            result = dataset.query(sparql, initBindings=init)
        except ParseException as exc:
            raise QuerySyntaxError(f"SPARQL syntax error: {exc}") from exc
        finally:
            self._ds.default_union = True
        if result.type == "ASK":
            return bool(result.askAnswer)
        if result.type == "SELECT":
            names = [str(v) for v in result.vars or []]
            rows = [{name: from_rdflib(row[i]) for i, name in enumerate(names)} for row in result]
            return QueryResult(names, rows)
        return [_triple(t) for t in result]

    def _restricted(
        self, defaults: Sequence[str] | None, named: Sequence[str] | None, union: bool
    ) -> Dataset:
        """A copy holding the requested dataset (slow, but this engine is for cross-checks only):
        the default graph is the union of ``defaults``, ``GRAPH`` reaches ``named``."""
        everything = [str(g.identifier) for g in self._named()]
        named = everything if named is None else list(named)
        copy = Dataset(default_union=False)
        for iri in named:
            target = copy.graph(URIRef(iri))
            for t in self._ds.graph(URIRef(iri)):
                target.add(t)
        default = copy.graph(DATASET_DEFAULT_GRAPH_ID)
        for iri in everything if defaults is None and union else list(defaults or []):
            for t in self._ds.graph(URIRef(iri)):
                default.add(t)
        return copy

    def put_graph(self, graph: str, data: bytes) -> None:
        parsed = Graph().parse(data=data, format="nt")  # parse first: a bad payload changes nothing
        self.drop_graph(graph)
        target = self._ds.graph(URIRef(graph))
        for t in parsed:
            target.add(t)

    def drop_graph(self, graph: str) -> None:
        self._ds.remove_graph(URIRef(graph))

    def close(self) -> None:
        """Nothing to release: the dataset lives in memory."""

    def _named(self) -> list[Graph]:
        return [g for g in self._ds.graphs() if g.identifier != DATASET_DEFAULT_GRAPH_ID]

    def graphs(self) -> list[str]:
        return sorted(str(g.identifier) for g in self._named() if len(g))

    def count(self, graph: str | None = None) -> int:
        if graph is not None:
            return sum(1 for _ in self._ds.quads((None, None, None, URIRef(graph))))
        return len({(s, p, o) for s, p, o, _ in self._ds.quads((None, None, None, None))})

    def export(
        self, fmt: str, graph: GraphSelector = None, prefixes: Mapping[str, str] | None = None
    ) -> bytes:
        if fmt not in _FORMATS:
            raise UnknownFormatError(f"unknown format {fmt!r} (choose from {', '.join(RDF_FORMATS)})")
        wanted = graph_list(graph)
        selected = [g for g in self._named() if wanted is None or str(g.identifier) in wanted]
        out: Graph
        if RDF_FORMATS[fmt][0]:
            out = Dataset()
            for g in selected:
                target = out.graph(g.identifier)
                for t in g:
                    target.add(t)
        else:
            out = Graph()
            for g in selected:
                for t in g:
                    out.add(t)
        for prefix, ns in (prefixes or {}).items():
            out.bind(prefix, ns, override=True, replace=True)
        return out.serialize(format=_FORMATS[fmt], encoding="utf-8")
