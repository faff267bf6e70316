"""The default store: embedded, in-memory Oxigraph (pyoxigraph).

Parameters go through pyoxigraph's ``substitutions=`` (SEP-0007), so a value is always one RDF
term and never query text. SEP-0007 requires a substituted variable of a SELECT query to be
projected; the named-query catalog checks that when it loads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pyoxigraph as ox

from itsm_prm.errors import ParameterError, QuerySyntaxError, UnknownFormatError
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


class OxigraphStore:
    """In-memory pyoxigraph store.

    >>> st = OxigraphStore()
    >>> st.count()
    0
    """

    name = "oxigraph"

    def __init__(self) -> None:
        self._store = ox.Store()

    def load_nquads(self, path: Path) -> None:
        self._store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        default_graph_as_union: bool = True,
    ) -> QueryResult | bool | list[Triple]:
        substitutions = {ox.Variable(name): to_ox(value) for name, value in (bindings or {}).items()}
        try:
            result = self._store.query(
                sparql,
                use_default_graph_as_union=default_graph_as_union,
                substitutions=substitutions or None,
            )
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
