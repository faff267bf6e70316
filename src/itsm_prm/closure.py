"""OWL 2 RL closure with owlrl, filtered to the triples worth storing.

owlrl emits generalized RDF (literal subjects, reflexive ``owl:sameAs`` for every node,
axioms about built-in vocabulary, tautologies; tooling baseline, gotcha 3). We keep only
new, meaningful, storable triples, and turn owlrl's inconsistency messages into errors.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from owlrl import DeductiveClosure, OWLRL_Semantics
from owlrl.Namespaces import ERRNS
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

BUILTIN_NAMESPACES = (str(RDF), str(RDFS), str(OWL), str(XSD))
TOP_CLASSES = {OWL.Thing, RDFS.Resource}
# Classes whose membership only restates a datatype (e.g. "1"^^xsd:integer a xsd:decimal).
LITERAL_CLASSES = {RDFS.Literal, RDF.langString, RDF.PlainLiteral, RDF.XMLLiteral, RDF.HTML}
REFLEXIVE_TAUTOLOGIES = {
    OWL.sameAs,
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    OWL.equivalentClass,
    OWL.equivalentProperty,
}

TripleT = tuple[Node, Node, Node]


@dataclass
class ClosureResult:
    """The kept inferred triples, owlrl's error messages, and timings."""

    inferred: set[TripleT]
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    raw_new: int = 0  # new triples before filtering, to see what the filter removed


def _is_builtin(node: Node) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(BUILTIN_NAMESPACES)


def keep(triple: TripleT, input_bnodes: set[BNode]) -> bool:
    """Whether an inferred triple is worth storing (see module docstring)."""
    s, p, o = triple
    if isinstance(s, Literal) or not isinstance(p, URIRef):
        return False
    if any(isinstance(n, BNode) and n not in input_bnodes for n in triple):
        return False  # a node the reasoner made up
    if _is_builtin(s):
        return False
    if p in REFLEXIVE_TAUTOLOGIES and s == o:
        return False
    if p == RDF.type and (o in TOP_CLASSES or o in LITERAL_CLASSES or str(o).startswith(str(XSD))):
        return False
    return not (p in (RDFS.subClassOf, RDFS.domain, RDFS.range) and o in TOP_CLASSES)


def owl_rl_closure(source: Graph) -> ClosureResult:
    """Run owlrl on a copy of ``source`` (rdflib Memory store, gotcha 3) and return what it added."""
    started = time.perf_counter()
    work = Graph()
    for t in source:
        work.add(t)
    input_bnodes = {n for t in source for n in t if isinstance(n, BNode)}
    DeductiveClosure(OWLRL_Semantics).expand(work)
    errors = sorted(str(msg) for msg in work.objects(None, ERRNS.error))
    new = {t for t in work if t not in source}
    kept = {t for t in new if keep(t, input_bnodes)}
    return ClosureResult(kept, errors, time.perf_counter() - started, len(new))
