"""Validate one ISO/IEC 15504-2 assessment against ``shapes/assessment.shapes.ttl``.

The submitted graph is checked together with a small context graph taken once from the
knowledge graph (the model's processes and outcomes, the measurement framework's concepts),
not the whole dataset: the shapes need only that, and pyshacl's time grows with the data.
Two rules live here because they need the capability level rule of :mod:`levels`: input may
not state a derived capability level, and a stated level must equal the derived one.

>>> report = validate_assessment(kg, graph)          # doctest: +SKIP
>>> [r.message for r in report.results]              # doctest: +SKIP
['Incident Management: PA 2.1 is rated but PA 1.1 is not.']
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from rdflib import RDF, RDFS, SH, XSD, BNode, Graph, Literal, URIRef, Variable
from rdflib.query import Result
from rdflib.term import Node

from itsm_prm.assessment.vocabulary import ASMT, LEVELS
from itsm_prm.build import SHAPES_DIR
from itsm_prm.errors import ConfigError
from itsm_prm.rdfio import parse_rdf
from itsm_prm.store.rdflib import to_rdflib
from itsm_prm.validation import SEVERITY_ORDER, ValidationReport, ValidationResult, check

if TYPE_CHECKING:
    from itsm_prm.knowledge_graph import KnowledgeGraph

SHAPES_FILE = "assessment.shapes.ttl"
SHAPES_NAMESPACE = "https://w3id.org/itsm-prm/shapes/assessment#"
PRM = "https://w3id.org/itsm-prm/ontology#"
PROCESS_NAME = URIRef(PRM + "processName")

# What the shapes need from the knowledge graph: processes, outcomes, framework concepts.
CONTEXT_QUERY = """
PREFIX prm: <https://w3id.org/itsm-prm/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX asmt: <https://w3id.org/itsm-prm/assessment#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
CONSTRUCT {
    ?process a prm:Process ; prm:processName ?name ; prm:processId ?id .
    ?outcome prm:outcomeOf ?process ; skos:notation ?outcomeNotation ; prm:isOptional ?optional .
    ?concept ?predicate ?object .
} WHERE {
    {
        ?process a prm:Process ; prm:processName ?name ; prm:processId ?id .
        OPTIONAL {
            ?outcome prm:outcomeOf ?process ; skos:notation ?outcomeNotation .
            OPTIONAL { ?outcome prm:isOptional ?optional }
        }
    } UNION {
        VALUES ?scheme {
            <https://w3id.org/itsm-prm/id/iso15504-2/2003/capability-levels>
            <https://w3id.org/itsm-prm/id/iso15504-2/2003/process-attributes>
            <https://w3id.org/itsm-prm/id/iso15504-2/2003/rating-scale>
        }
        VALUES ?predicate {
            rdf:type skos:notation skos:prefLabel skos:inScheme asmt:levelNumber asmt:atLevel
            asmt:minPercent asmt:maxPercent asmt:minExclusive
        }
        ?concept skos:inScheme ?scheme ; ?predicate ?object .
    }
}
"""

_lock = threading.Lock()
_contexts: dict[str, Graph] = {}
_shapes: dict[Path, Graph] = {}


def context_graph(kg: KnowledgeGraph) -> Graph:
    """The processes, outcomes and framework concepts of ``kg``, cached per compiled dataset."""
    key = kg.build_result.key
    with _lock:
        cached = _contexts.get(key)
    if cached is not None:
        return cached
    graph = Graph()
    result = kg.query(CONTEXT_QUERY)
    assert isinstance(result, list)  # a CONSTRUCT gives triples
    for s, p, o in result:
        graph.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    if not any(graph.triples((None, ASMT.atLevel, None))):
        raise ConfigError("the knowledge graph has no ISO/IEC 15504-2 framework (ontology/assessment.ttl)")
    with _lock:
        _contexts[key] = graph
    return graph


def assessment_shapes(kg: KnowledgeGraph) -> Graph:
    """``shapes/assessment.shapes.ttl``, parsed once per file."""
    path = kg.settings.resources_root() / SHAPES_DIR / SHAPES_FILE
    with _lock:
        cached = _shapes.get(path)
    if cached is not None:
        return cached
    if not path.is_file():
        raise ConfigError(f"no assessment shapes ({SHAPES_DIR}/{SHAPES_FILE})")
    shapes = parse_rdf(path).graph
    for node, text in list(shapes.subject_objects(SH.select)):
        shapes.set((node, SH.select, Literal(_one_line(str(text), path))))
    with _lock:
        _shapes[path] = shapes
    return shapes


_IRIS_AND_STRINGS = re.compile(r'<[^<>\s]*>|"(?:[^"\\]|\\.)*"')


def _one_line(sparql: str, path: Path) -> str:
    """A SPARQL constraint's text with its lines joined.

    pyshacl checks each query text with regular expressions, once per focus node, whose time
    grows with lines x length: one line makes them about ten times faster. Joining lines is
    safe only without comments, so a ``#`` outside an IRI or a string is refused.
    """
    if "#" in _IRIS_AND_STRINGS.sub("", sparql):
        raise ConfigError(f"{path.name}: a SPARQL constraint has a comment; keep comments outside sh:select")
    return " ".join(line.strip() for line in sparql.splitlines() if line.strip())


def _literal_to_ox(node: Literal) -> ox.Literal:
    try:
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype is not None:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
    except ValueError:  # a tag rdflib accepts but Oxigraph does not: the text is what the rules read
        pass
    return ox.Literal(str(node))


def _from_ox_literal(term: ox.Literal) -> Literal:
    if term.language:
        return Literal(term.value, lang=term.language)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


class _OxigraphQueryGraph(Graph):
    """An rdflib Memory graph whose SPARQL queries run on a pyoxigraph copy of its triples.

    pyshacl runs each SPARQL constraint once per focus node through ``graph.query(text)``:
    rdflib would parse the text every time (0.1-0.4 s each) and evaluate it 15-90x slower
    than Oxigraph. Core constraints keep using the Memory store. The graph must not change
    after construction (the assessment shapes have no SHACL rules). Blank nodes get fresh
    Oxigraph identifiers, mapped both ways, so any rdflib identifier is accepted.
    """

    def __init__(self, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        super().__init__()
        for t in triples:
            self.add(t)
        self._to_ox_bnode: dict[BNode, ox.BlankNode] = {}
        self._from_ox_bnode: dict[ox.BlankNode, BNode] = {}
        self._ox = ox.Store()
        self._ox.bulk_extend(ox.Quad(self._to_ox(s), self._to_ox(p), self._to_ox(o)) for s, p, o in self)  # type: ignore[arg-type]

    def _to_ox(self, node: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
        if isinstance(node, URIRef):
            return ox.NamedNode(str(node))
        if isinstance(node, BNode):
            mapped = self._to_ox_bnode.get(node)
            if mapped is None:
                mapped = self._to_ox_bnode[node] = ox.BlankNode()
                self._from_ox_bnode[mapped] = node
            return mapped
        assert isinstance(node, Literal)
        return _literal_to_ox(node)

    def _from_ox(self, term: Any) -> Node:
        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.BlankNode):
            return self._from_ox_bnode.get(term) or BNode(term.value)
        return _from_ox_literal(term)

    def query(  # type: ignore[override]
        self,
        query_object: Any,
        processor: str = "sparql",
        result: str = "sparql",
        initNs: Mapping[str, Any] | None = None,
        initBindings: Mapping[str, Node] | None = None,  # noqa: N803
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Result:
        if not isinstance(query_object, str) or initNs:
            return super().query(
                query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
            )
        substitutions = {ox.Variable(str(k)): self._to_ox(v) for k, v in (initBindings or {}).items()}
        solutions = self._ox.query(query_object, substitutions=substitutions or None)
        if isinstance(solutions, ox.QueryBoolean):
            answer = Result("ASK")
            answer.askAnswer = bool(solutions)
            return answer
        assert isinstance(solutions, ox.QuerySolutions), "pyshacl asks SELECT and ASK queries only"
        names = [v.value for v in solutions.variables]
        answer = Result("SELECT")
        answer.vars = [Variable(n) for n in names]
        answer.bindings = [
            {Variable(n): self._from_ox(row[n]) for n in names if row[n] is not None} for row in solutions
        ]
        return answer


def _owner(node: Node, parents: dict[Node, Node]) -> Node:
    """The nearest IRI above a blank node (a rating → its assessed process)."""
    seen: set[Node] = set()
    while isinstance(node, BNode) and node in parents and node not in seen:
        seen.add(node)
        node = parents[node]
    return node


def _process_names(data: Graph, context: Graph) -> dict[Node, str]:
    """Assessed process node → the model's name of its process (Incident Management)."""
    names: dict[Node, str] = {}
    for assessed, process in data.subject_objects(ASMT.process):
        name = context.value(process, PROCESS_NAME)
        if name is not None and (assessed, RDF.type, ASMT.ScopeItem) not in data:
            names[assessed] = str(name)
    return names


def _name(node: Node, names: dict[Node, str]) -> str:
    return names.get(node, str(node))


def _capability_level_results(data: Graph, names: dict[Node, str]) -> list[ValidationResult]:
    """Derived levels are never input; a stated level must equal the level the ratings give."""
    from itsm_prm.assessment.levels import attribute_letters, derive_level  # the one level rule

    results: list[ValidationResult] = []
    if not any(data.triples((None, RDF.type, ASMT.Assessment))) and not any(
        data.triples((None, ASMT.input, None))
    ):
        # shapes only check what is there: an empty or unrelated file would otherwise "conform"
        results.append(
            ValidationResult(
                severity="Violation",
                focus=str(ASMT.Assessment),
                focus_label="assessment",
                path=None,
                value=None,
                message="The data holds no assessment (a node of type asmt:Assessment).",
                shape=None,
            )
        )
    for node, value in data.subject_objects(ASMT.derivedCapabilityLevel):
        results.append(
            ValidationResult(
                severity="Violation",
                focus=str(node),
                focus_label=names.get(node),
                path=str(ASMT.derivedCapabilityLevel),
                value=str(value),
                message=(
                    f"{_name(node, names)}: the input states a derived capability level; capability levels "
                    "are derived from the ratings (state an expected level with asmt:statedCapabilityLevel)."
                ),
                shape=None,
            )
        )
    processes = set(data.subjects(RDF.type, ASMT.AssessedProcess)) | set(
        data.objects(None, ASMT.assessedProcess)
    )
    for node in sorted(processes, key=str):
        stated = list(data.objects(node, ASMT.statedCapabilityLevel))
        if len(stated) != 1 or stated[0] not in LEVELS:
            continue  # the shapes report a missing, repeated or unknown level
        stated_level = LEVELS.index(stated[0])  # type: ignore[arg-type]
        derived = derive_level(attribute_letters(data, node))
        if derived != stated_level:
            results.append(
                ValidationResult(
                    severity="Violation",
                    focus=str(node),
                    focus_label=names.get(node),
                    path=str(ASMT.statedCapabilityLevel),
                    value=str(stated[0]),
                    message=(
                        f"{_name(node, names)}: the input states capability level {stated_level}, "
                        f"the ratings give level {derived}."
                    ),
                    shape=None,
                )
            )
    return results


def _add_to_results_graph(report: ValidationReport, extra: list[ValidationResult]) -> None:
    """Record the Python rules' results in pyshacl's results graph too (for ``--format turtle``)."""
    graph = report.graph
    if graph is None:
        return
    report_node = next(iter(graph.subjects(RDF.type, SH.ValidationReport)), None)
    for result in extra:
        node = BNode()
        if report_node is not None:
            graph.add((report_node, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.resultSeverity, SH[result.severity]))
        graph.add((node, SH.focusNode, URIRef(result.focus)))
        if result.path:
            graph.add((node, SH.resultPath, URIRef(result.path)))
        if result.value:
            graph.add((node, SH.value, URIRef(result.value)))
        graph.add((node, SH.resultMessage, Literal(result.message)))
    if report_node is not None:
        graph.set((report_node, SH.conforms, Literal(report.conforms)))


def _canonical_decimal(lexical: str) -> str | None:
    """``40.0`` → ``40``, ``042.50`` → ``42.5`` (the form Oxigraph keeps); None if not a decimal."""
    try:
        number = Decimal(lexical.strip())
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _canonical_decimals(data: Graph) -> Graph:
    """The data with every xsd:decimal in canonical form, so a report quotes a percentage the same
    whichever engine evaluated the constraint (Oxigraph stores canonical forms, rdflib keeps input)."""
    out = Graph()
    for s, p, o in data:
        if isinstance(o, Literal) and o.datatype == XSD.decimal:
            canonical = _canonical_decimal(str(o))
            if canonical is not None and canonical != str(o):
                o = Literal(canonical, datatype=XSD.decimal)
        out.add((s, p, o))
    return out


def validate_assessment(kg: KnowledgeGraph, data: Graph, *, reference: bool = False) -> ValidationReport:
    """Validate one assessment graph; results name the process, attribute or outcome concerned.

    Results about blank nodes (ratings, scope items) are reported at the nearest IRI holding
    them (the assessed process or the assessment input), so a report is stable across parses.
    ``reference=True`` lets pyshacl evaluate the SPARQL constraints with rdflib itself, as the
    reference the Oxigraph-backed default is tested against (same report on every example).
    """
    data = _canonical_decimals(data)
    context = context_graph(kg)
    shapes = assessment_shapes(kg)
    names = _process_names(data, context)
    parents: dict[Node, Node] = {o: s for s, _, o in data if isinstance(o, BNode)}

    work: Graph
    if reference:
        work = Graph()
        for triple in chain(data, context):
            work.add(triple)
    else:
        work = _OxigraphQueryGraph(chain(data, context))
    labels = Graph()
    for node, name in names.items():
        labels.add((node, RDFS.label, Literal(name)))
    report = check(work, shapes, label_graphs=[labels])

    results: list[ValidationResult] = []
    for result in report.results:
        focus: Node = BNode(result.focus[2:]) if result.focus.startswith("_:") else URIRef(result.focus)
        owner = _owner(focus, parents)
        if owner != focus:
            message = result.message
            if owner in names and not message.startswith(names[owner] + ":"):
                message = f"{names[owner]}: {message[:1].lower()}{message[1:]}"
            result = replace(
                result,
                focus=str(owner) if not isinstance(owner, BNode) else f"_:{owner}",
                focus_label=names.get(owner),
                message=message,
            )
        results.append(result)
    extra = _capability_level_results(data, names)
    results.extend(extra)
    results.sort(key=lambda r: (SEVERITY_ORDER.index(r.severity), r.focus, r.path or "", r.message))
    report.results = results
    report.conforms = not any(r.severity == "Violation" for r in results)
    _add_to_results_graph(report, extra)
    return report
