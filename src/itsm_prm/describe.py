"""What the dataset says about one resource: its symmetric concise bounded description.

The description of an IRI is

* its outgoing triples, plus the outgoing triples of every blank node they reach, recursively
  (the concise bounded description, CBD — so an OWL property chain or an RDF list comes whole);
* its incoming triples (the *symmetric* CBD), without expanding their blank-node subjects;

taken from every named graph: asserted and inferred triples alike. Each triple remembers the graphs
that state it, so a page can tell an asserted fact from one the OWL 2 RL closure added.

    >>> kg = itsm_prm.load()                                              # doctest: +SKIP
    >>> d = describe(kg.store, "https://w3id.org/itsm-prm/id/process/INC")  # doctest: +SKIP
    >>> to_rdf(d.triples, "ttl", kg.prefixes)                              # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rdflib import Graph

from itsm_prm.errors import UnknownFormatError
from itsm_prm.export import compact_jsonld
from itsm_prm.queries import is_iri
from itsm_prm.resultsio import to_ntriples
from itsm_prm.store.base import Store
from itsm_prm.terms import QueryResult, Term, Triple

# ?g is projected so each triple's graphs are known; the bound variable (?s or ?o) must be projected
# too (SEP-0007 substitutions).
_QUADS = "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"

#: format name → rdflib serializer name (the names of ``store.base.RDF_FORMATS`` for triples)
_RDFLIB_FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "xml": "xml", "nt": "nt"}

#: the most blank nodes followed from one resource (a guard against runaway lists)
MAX_BLANK_NODES = 10_000
#: the longest chain of blank nodes followed on a store that cannot bind a blank node
MAX_BLANK_DEPTH = 64


def _chain_query(depth: int) -> str:
    """The triples of the blank nodes ``depth`` steps from ``?x0`` along blank nodes only.

    A SPARQL server cannot be handed a blank node it returned (a label means nothing in the next
    request), so there the nodes are reached by their path from the focus instead of by name;
    the labels one server gives are stable, so the steps join up into one description.
    """
    steps = " . ".join(f"?x{i} ?p{i + 1} ?x{i + 1}" for i in range(depth - 1))
    last = f"?x{depth - 1} ?p{depth} ?s"
    pattern = f"{steps} . {last}" if steps else last
    blank = " && ".join([f"isBlank(?x{i})" for i in range(1, depth)] + ["isBlank(?s)"])
    return f"SELECT DISTINCT ?s ?p ?o ?g ?x0 WHERE {{ GRAPH ?g {{ {pattern} . ?s ?p ?o }} FILTER({blank}) }}"


@dataclass
class Description:
    """The triples about ``focus`` and the graphs each one is stated in (first-seen order)."""

    focus: Term
    statements: dict[Triple, list[str]] = field(default_factory=dict)

    @property
    def triples(self) -> list[Triple]:
        return list(self.statements)

    def __bool__(self) -> bool:
        return bool(self.statements)

    def __len__(self) -> int:
        return len(self.statements)

    def outgoing(self) -> list[Triple]:
        """Triples whose subject is the focus."""
        return [t for t in self.statements if t[0] == self.focus]

    def incoming(self) -> list[Triple]:
        """Triples whose object is the focus (a self-reference counts as outgoing only)."""
        return [t for t in self.statements if t[2] == self.focus and t[0] != self.focus]

    def blank(self) -> list[Triple]:
        """Triples about the blank nodes the outgoing triples reach."""
        return [t for t in self.statements if t[0].kind == "bnode"]

    def only_in(self, triple: Triple, graph: str) -> bool:
        """Whether ``triple`` is stated in ``graph`` and nowhere else (e.g. only inferred)."""
        return self.statements.get(triple) == [graph]


def _add(description: Description, result: QueryResult | bool | list[Triple]) -> list[Triple]:
    added: list[Triple] = []
    assert isinstance(result, QueryResult)
    for row in result.rows:
        s, p, o, g = row["s"], row["p"], row["o"], row["g"]
        if s is None or p is None or o is None:
            continue
        triple = (s, p, o)
        graphs = description.statements.setdefault(triple, [])
        if not graphs:
            added.append(triple)
        if g is not None and g.value not in graphs:
            graphs.append(g.value)
    return added


def valid_iri(iri: str) -> bool:
    """An absolute IRI without whitespace (``$`` in a regex lets a final newline through)."""
    return is_iri(iri) and not any(c.isspace() for c in iri)


def describe(store: Store, iri: str, *, incoming: bool = True) -> Description:
    """The symmetric CBD of ``iri`` over all named graphs; empty if the dataset does not mention it
    (or ``iri`` is no IRI at all: user input reaches here from URLs)."""
    focus = Term.iri(iri)
    description = Description(focus)
    if not valid_iri(iri):
        return description
    if getattr(store, "binds_blank_nodes", True):
        frontier = [focus]
        seen: set[Term] = {focus}
        while frontier:
            node = frontier.pop()
            for _, _, o in _add(description, store.query(_QUADS, {"s": node})):
                if o.kind == "bnode" and o not in seen and len(seen) <= MAX_BLANK_NODES:
                    seen.add(o)
                    frontier.append(o)
    else:
        _follow_by_paths(store, description, focus)
    if incoming:
        _add(description, store.query(_QUADS, {"o": focus}))
    return description


def _follow_by_paths(store: Store, description: Description, focus: Term) -> None:
    """Outgoing triples, then blank nodes one step further each round, until none is left."""
    reached = _add(description, store.query(_QUADS, {"s": focus}))
    depth, blanks = 1, sum(1 for t in reached if t[2].kind == "bnode")
    while blanks and depth <= MAX_BLANK_DEPTH and len(description) <= MAX_BLANK_NODES:
        reached = _add(description, store.query(_chain_query(depth), {"x0": focus}))
        blanks = sum(1 for t in reached if t[2].kind == "bnode")
        depth += 1


def to_rdf(triples: list[Triple], fmt: str, prefixes: Mapping[str, str]) -> bytes:
    """Serialise triples as ``ttl``, ``jsonld``, ``xml`` or ``nt`` (JSON-LD compacted like the exports)."""
    if fmt not in _RDFLIB_FORMATS:
        raise UnknownFormatError(f"unknown format {fmt!r} (choose from {', '.join(_RDFLIB_FORMATS)})")
    ntriples = to_ntriples(triples)
    if fmt == "nt":
        return ntriples.encode("utf-8")
    graph = Graph(bind_namespaces="none")
    for name, namespace in prefixes.items():
        graph.bind(name, namespace)
    graph.parse(data=ntriples, format="nt")
    data = graph.serialize(format=_RDFLIB_FORMATS[fmt], encoding="utf-8")
    if fmt == "jsonld":
        data = compact_jsonld(data, prefixes)
    return data
