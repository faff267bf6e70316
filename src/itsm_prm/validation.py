"""SHACL validation with pyshacl, reported as one :class:`ValidationReport` type.

Used twice: by the build (self-check of the compiled model) and for user files
(``itsm-prm validate``). pyshacl always runs on rdflib's Memory store (gotcha 5) with
``inference="none"``: the OWL 2 RL closure is already compiled into the dataset.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from itertools import chain
from pathlib import Path
from typing import Literal as TypingLiteral

from pyshacl import validate as pyshacl_validate
from rdflib import RDF, RDFS, SH, SKOS, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from itsm_prm.closure import owl_rl_closure
from itsm_prm.errors import ConfigError, UnknownFormatError
from itsm_prm.rdfio import parse_rdf
from itsm_prm.security import install_network_guard

Severity = TypingLiteral["Violation", "Warning", "Info"]
SEVERITY_ORDER: tuple[Severity, ...] = ("Violation", "Warning", "Info")
_SEVERITIES: dict[Node, Severity] = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result. ``focus`` is an IRI (or ``_:id`` for a blank node)."""

    severity: Severity
    focus: str
    focus_label: str | None
    path: str | None
    value: str | None
    message: str
    shape: str | None


@dataclass
class ValidationReport:
    """``conforms`` is true when no result has severity Violation (warnings are reported only)."""

    conforms: bool
    results: list[ValidationResult] = field(default_factory=list)
    graph: Graph | None = field(default=None, repr=False, compare=False)  # pyshacl's results graph
    seconds: float = field(default=0.0, compare=False)

    def count(self, severity: Severity) -> int:
        return sum(1 for r in self.results if r.severity == severity)

    @property
    def violations(self) -> int:
        return self.count("Violation")

    @property
    def warnings(self) -> int:
        return self.count("Warning")

    def to_dict(self) -> dict[str, object]:
        return {
            "conforms": self.conforms,
            "violations": self.violations,
            "warnings": self.warnings,
            "results": [asdict(r) for r in self.results],
        }

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ValidationReport:
        results = data.get("results", [])
        assert isinstance(results, list)
        return cls(bool(data["conforms"]), [ValidationResult(**r) for r in results])


# ---------------------------------------------------------------- reading pyshacl's graph


def _node_text(node: Node) -> str:
    if isinstance(node, BNode):
        return f"_:{node}"
    return str(node)


def _path_text(graph: Graph, path: Node) -> str:
    """A SHACL property path in SPARQL property-path syntax (IRIs unabbreviated)."""
    if isinstance(path, URIRef):
        return str(path)
    if (path, RDF.first, None) in graph:  # sequence path
        return "/".join(_path_text(graph, p) for p in Collection(graph, path))
    for predicate, template in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner = graph.value(path, predicate)
        if inner is not None:
            return template.format(_path_text(graph, inner))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path_text(graph, p) for p in Collection(graph, alternatives)) + ")"
    return _node_text(path)


def label_of(node: Node, graphs: Sequence[Graph]) -> str | None:
    """``rdfs:label`` (English or untagged preferred), else ``skos:prefLabel``."""
    for predicate in (RDFS.label, SKOS.prefLabel):
        labels = [o for g in graphs for o in g.objects(node, predicate) if isinstance(o, Literal)]
        if labels:
            labels.sort(key=lambda lit: (lit.language not in (None, "en"), lit.language or "", str(lit)))
            return str(labels[0])
    return None


def _shape_name(shape: Node | None, shapes: Graph | None) -> str | None:
    """The shape's IRI; for an anonymous property shape, the IRI of the node shape holding it."""
    if shape is None:
        return None
    if not isinstance(shape, BNode):
        return _node_text(shape)
    if shapes is not None:
        parent = next(iter(shapes.subjects(SH.property, shape)), None)
        if parent is not None and not isinstance(parent, BNode):
            return _node_text(parent)
    return None


def report_from_graph(
    results: Graph, label_graphs: Sequence[Graph], seconds: float = 0.0, shapes: Graph | None = None
) -> ValidationReport:
    """Read pyshacl's results graph into a :class:`ValidationReport` (sorted, stable)."""
    items = []
    for node in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(node, SH.focusNode)
        if focus is None:
            continue
        path = results.value(node, SH.resultPath)
        value = results.value(node, SH.value)
        shape = results.value(node, SH.sourceShape)
        messages = sorted(str(m) for m in results.objects(node, SH.resultMessage))
        component = results.value(node, SH.sourceConstraintComponent)
        items.append(
            ValidationResult(
                severity=_SEVERITIES.get(results.value(node, SH.resultSeverity) or SH.Violation, "Violation"),
                focus=_node_text(focus),
                focus_label=label_of(focus, label_graphs),
                path=_path_text(results, path) if path is not None else None,
                value=_node_text(value) if value is not None else None,
                message=messages[0] if messages else f"constraint {component} not satisfied",
                shape=_shape_name(shape, shapes),
            )
        )
    items.sort(key=lambda r: (SEVERITY_ORDER.index(r.severity), r.focus, r.path or "", r.message))
    conforms = not any(r.severity == "Violation" for r in items)
    return ValidationReport(conforms, items, results, seconds)


# ---------------------------------------------------------------- running pyshacl


def load_shapes(shapes_dir: Path) -> Graph | None:
    """The union of ``shapes/*.ttl``, or ``None`` when there is none."""
    files = sorted(shapes_dir.glob("*.ttl")) if shapes_dir.is_dir() else []
    if not files:
        return None
    shapes = Graph()
    for path in files:
        for t in parse_rdf(path).graph:
            shapes.add(t)
    return shapes


def _drop_results(results: Graph, keep: Callable[[Node], bool]) -> None:
    """Remove the results whose focus node ``keep`` rejects, with their blank-node details."""
    for node in list(results.subjects(RDF.type, SH.ValidationResult)):
        focus = results.value(node, SH.focusNode)
        if focus is not None and keep(focus):
            continue
        results.remove((None, SH.result, node))
        pending = [node]
        while pending:
            current = pending.pop()
            pending.extend(o for o in results.objects(current, None) if isinstance(o, BNode) and o != current)
            results.remove((current, None, None))


def check(
    data: Graph,
    shapes: Graph,
    *,
    ontology: Graph | None = None,
    focus: Callable[[Node], bool] | None = None,
    label_graphs: Sequence[Graph] = (),
) -> ValidationReport:
    """Validate ``data`` in place (SHACL rules, if the shapes have any, add to it).

    ``ontology`` is handed to pyshacl as ``ont_graph``: its class and property axioms are
    mixed into the data graph, so ``sh:class`` and ``sh:targetClass`` see the hierarchy.
    ``focus`` keeps only the results about the nodes it accepts.
    """
    install_network_guard()  # shapes may hold SPARQL; rdflib must not follow URLs from the data
    started = time.perf_counter()
    _, results, _ = pyshacl_validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        advanced=True,
        inplace=True,
        allow_warnings=True,
        allow_infos=True,
    )
    assert isinstance(results, Graph)
    if focus is not None:
        _drop_results(results, focus)
    labels = [data, *([ontology] if ontology is not None else []), *label_graphs]
    report = report_from_graph(results, labels, time.perf_counter() - started, shapes)
    for report_node in results.subjects(RDF.type, SH.ValidationReport):
        results.set((report_node, SH.conforms, Literal(report.conforms)))
    return report


def validate_files(
    paths: Iterable[Path], shapes: Graph | None, ontology: Graph | None, *, max_bytes: int | None
) -> ValidationReport:
    """Validate user files the way the build checks the model.

    The files are merged, closed under OWL 2 RL together with the compiled ontology (so
    inferred types, inverses and property chains are there, as in the compiled dataset) and
    validated with the ontology as pyshacl's ``ont_graph``. Only results about resources the
    files describe (their subjects) are reported: the ontology itself was checked at build time.
    """
    user = Graph()
    for path in paths:
        for t in parse_rdf(path, max_bytes=max_bytes).graph:
            user.add(t)
    if shapes is None:
        raise ConfigError("no SHACL shapes (shapes/*.ttl) to validate against")
    own = set(user.subjects())
    data = Graph()
    for t in user:
        data.add(t)
    if ontology is not None:
        both = Graph()
        for t in chain(user, ontology):
            both.add(t)
        closure = owl_rl_closure(both)
        for t in closure.inferred:
            if t[0] in own:
                data.add(t)
    return check(data, shapes, ontology=ontology, focus=lambda node: node in own)


# ---------------------------------------------------------------- renderers

RENDER_FORMATS = ("human", "json", "turtle")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render_human(report: ValidationReport, shorten: Callable[[str], str] = str) -> str:
    """One line per result, grouped by severity, then ``Conforms: yes/no — N violations, M warnings``."""
    lines: list[str] = []
    for severity in SEVERITY_ORDER:
        group = [r for r in report.results if r.severity == severity]
        if not group:
            continue
        lines.append(f"{severity}s ({len(group)}):")
        for r in group:
            focus = shorten(r.focus) + (f" ({r.focus_label})" if r.focus_label else "")
            where = f" {shorten(r.path)}" if r.path else ""
            # SPARQL-based constraints report the focus node itself as the value: say it once
            value = f" = {shorten(r.value)}" if r.value and r.value != r.focus else ""
            shape = f"  [{shorten(r.shape)}]" if r.shape else ""
            lines.append(f"  {focus}{where}{value}: {r.message}{shape}")
    verdict = "yes" if report.conforms else "no"
    lines.append(
        f"Conforms: {verdict} — {_plural(report.violations, 'violation')}, "
        f"{_plural(report.warnings, 'warning')}"
    )
    return "\n".join(lines) + "\n"


def render_json(report: ValidationReport) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


def render_turtle(report: ValidationReport) -> str:
    graph = report.graph if report.graph is not None else Graph()
    graph.bind("sh", SH)
    return graph.serialize(format="turtle")


def render(report: ValidationReport, fmt: str, shorten: Callable[[str], str] = str) -> str:
    if fmt == "human":
        return render_human(report, shorten)
    if fmt == "json":
        return render_json(report)
    if fmt == "turtle":
        return render_turtle(report)
    raise UnknownFormatError(f"unknown report format {fmt!r} (choose from {', '.join(RENDER_FORMATS)})")
