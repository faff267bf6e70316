"""The assessment report as one self-contained HTML page (inline CSS and SVG; nothing from the network).

What an assessor hands over: the assessment input (sponsor, purpose, unit, scope, assessors), the
capability profile chart (processes × attributes coloured by rating letter; target against achieved level
per process as bars), the findings of validation grouped by process, and the validation summary.

The view (:func:`build_view`) is shared with the upload page of the service, which shows the same parts
inside the site's layout; every value is escaped by jinja2's autoescape.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from rdflib import FOAF, RDF, RDFS, Graph, Literal, URIRef
from rdflib.term import Node

from itsm_prm._version import __version__
from itsm_prm.assessment.profile import Profile
from itsm_prm.assessment.vocabulary import ASMT, ATTRIBUTES, LEVEL_NAMES, RATING_LABELS
from itsm_prm.validation import ValidationReport, ValidationResult

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "api" / "templates"
REPORT_TEMPLATE = "assessment_report.html"
NOT_RATED = "–"

# geometry of the level bars (SVG user units)
BAR_ROW = 26
BAR_LABEL = 230
BAR_UNIT = 70  # one capability level


@dataclass(frozen=True)
class Cell:
    notation: str
    letter: str  # N, P, L, F, or NOT_RATED
    percent: str | None
    title: str  # the tooltip: attribute name, letter meaning, percent


@dataclass
class ProcessRow:
    identifier: str
    name: str
    iri: str
    target: int | None
    derived: int
    stated: int | None
    cells: list[Cell]
    outcomes: list[Cell] = field(default_factory=list)


@dataclass(frozen=True)
class Bar:
    """One process in the level chart: a target outline and an achieved bar, in SVG coordinates."""

    y: int
    label: str
    achieved_width: int
    target_width: int | None
    achieved: int
    target: int | None
    reached: bool


@dataclass
class FindingGroup:
    heading: str
    results: list[ValidationResult] = field(default_factory=list)


@dataclass
class ReportView:
    title: str
    source: str | None
    facts: list[tuple[str, str]]
    scope: list[tuple[str, str]]
    attributes: list[tuple[str, str, int]]  # notation, name, level
    rows: list[ProcessRow]
    bars: list[Bar]
    chart_height: int
    chart_width: int
    level_ticks: list[tuple[int, int, str]]  # x, level, name
    findings: list[FindingGroup]
    report: ValidationReport
    ratings: list[tuple[str, str]]
    bar_label: int = BAR_LABEL
    version: str = __version__

    @property
    def verdict(self) -> str:
        return "conforms" if self.report.conforms else "does not conform"


# ---------------------------------------------------------------- reading the assessment


def _texts(graph: Graph, subject: Node, predicate: URIRef) -> list[str]:
    values = []
    for value in graph.objects(subject, predicate):
        if isinstance(value, Literal):
            values.append(str(value))
        else:
            name = graph.value(value, FOAF.name) or graph.value(value, RDFS.label)
            values.append(str(name) if name is not None else str(value))
    return sorted(values)


def _facts(graph: Graph) -> tuple[str, list[tuple[str, str]]]:
    """The assessment's IRI and the input items worth a line each."""
    assessment = next(iter(graph.subjects(RDF.type, ASMT.Assessment)), None)
    if assessment is None:
        return "", []
    facts: list[tuple[str, str]] = [("Assessment", str(assessment))]
    facts += [("Date", v) for v in _texts(graph, assessment, ASMT.assessmentDate)]
    facts += [("Approach", v) for v in _texts(graph, assessment, ASMT.approach)]
    source = graph.value(assessment, ASMT.input)
    if source is not None:
        for label, predicate in (
            ("Sponsor", ASMT.sponsor),
            ("Purpose", ASMT.purpose),
            ("Organisational unit", ASMT.organisationalUnit),
            ("Constraints", ASMT.constraints),
            ("Competent assessor", ASMT.competentAssessor),
            ("Assessors", ASMT.assessor),
            ("Participants", ASMT.participant),
        ):
            values = _texts(graph, source, predicate)
            if values:
                facts.append((label, ", ".join(values)))
    evidence = len(set(graph.objects(assessment, ASMT.evidence)))
    facts.append(("Evidence items", str(evidence)))
    return str(assessment), facts


def _scope(graph: Graph, names: dict[str, str]) -> list[tuple[str, str]]:
    """Scope items in the model's process order (``names`` is in that order), others after them."""
    order = {iri: index for index, iri in enumerate(names)}
    scope = []
    for item in graph.subjects(RDF.type, ASMT.ScopeItem):
        process = graph.value(item, ASMT.process)
        target = graph.value(item, ASMT.targetLevel)
        if process is None:
            continue
        level = _level_number(target)
        name = names.get(str(process), str(process))
        key = (order.get(str(process), len(order)), name)
        scope.append((key, (name, f"level {level}" if level is not None else "—")))
    return [entry for _, entry in sorted(scope)]


def _level_number(level: Any) -> int | None:
    if level is None:
        return None
    if isinstance(level, int):
        return level
    tail = str(level).rstrip("/").rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else None


# ---------------------------------------------------------------- the profile


def _rows(profile: Profile) -> list[ProcessRow]:
    rows = []
    for process in profile.processes:
        cells = []
        for attribute in ATTRIBUTES:
            rating = process.attributes.get(attribute.notation)
            letter = rating.letter if rating is not None else NOT_RATED
            percent = None
            if rating is not None and rating.percent is not None:
                percent = f"{rating.percent.normalize():f}"
            meaning = RATING_LABELS.get(letter, "not rated")
            title = f"{attribute.notation} {attribute.name}: {meaning}"
            if percent:
                title += f" ({percent} %)"
            cells.append(Cell(attribute.notation, letter, percent, title))
        outcomes = []
        for score in process.outcomes:
            if score.not_applicable:
                title = f"{score.label}: not applicable — {score.justification or 'no justification given'}"
                outcomes.append(Cell(score.label, "n/a", None, title))
            else:
                letter = score.letter or NOT_RATED
                outcomes.append(
                    Cell(score.label, letter, None, f"{score.label}: {RATING_LABELS.get(letter, '?')}")
                )
        rows.append(
            ProcessRow(
                identifier=process.process_id,
                name=process.name,
                iri=str(process.process),
                target=process.target_level,
                derived=process.derived_level,
                stated=process.stated_level,
                cells=cells,
                outcomes=outcomes,
            )
        )
    return rows


def _bars(rows: list[ProcessRow]) -> list[Bar]:
    return [
        Bar(
            y=index * BAR_ROW + 30,
            label=f"{row.identifier} {row.name}",
            achieved_width=row.derived * BAR_UNIT,
            target_width=row.target * BAR_UNIT if row.target is not None else None,
            achieved=row.derived,
            target=row.target,
            reached=row.target is None or row.derived >= row.target,
        )
        for index, row in enumerate(rows)
    ]


def _findings(report: ValidationReport, rows: list[ProcessRow], graph: Graph) -> list[FindingGroup]:
    """Results grouped by the process they concern (the focus node's assessed process), the rest apart."""
    owner: dict[str, str] = {}
    by_process = {row.iri: f"{row.identifier} {row.name}" for row in rows}
    for assessed in graph.subjects(RDF.type, ASMT.AssessedProcess):
        process = graph.value(assessed, ASMT.process)
        heading = by_process.get(str(process), str(process)) if process is not None else str(assessed)
        owner[_key(assessed)] = heading
        for predicate in (ASMT.attributeRating, ASMT.outcomeRating):
            for rating in graph.objects(assessed, predicate):
                owner[_key(rating)] = heading
    groups: dict[str, FindingGroup] = {}
    for result in report.results:
        heading = owner.get(result.focus, "The assessment as a whole")
        groups.setdefault(heading, FindingGroup(heading)).results.append(result)
    return sorted(groups.values(), key=lambda g: (g.heading == "The assessment as a whole", g.heading))


def _key(node: Node) -> str:
    """How a focus node is written in the report: an IRI, or ``_:id`` for a blank node."""
    return str(node) if isinstance(node, URIRef) else f"_:{node}"


def build_view(
    graph: Graph, profile: Profile, report: ValidationReport, *, source: str | None = None
) -> ReportView:
    rows = _rows(profile)
    names = {row.iri: f"{row.identifier} {row.name}" for row in rows}
    assessment, facts = _facts(graph)
    bars = _bars(rows)
    return ReportView(
        title=f"Assessment report{f' · {source}' if source else ''}",
        source=source,
        facts=facts,
        scope=_scope(graph, names),
        attributes=[(a.notation, a.name, a.level) for a in ATTRIBUTES],
        rows=rows,
        bars=bars,
        chart_height=len(bars) * BAR_ROW + 40,
        chart_width=BAR_LABEL + 5 * BAR_UNIT + 20,
        level_ticks=[(BAR_LABEL + n * BAR_UNIT, n, LEVEL_NAMES[n]) for n in range(6)],
        findings=_findings(report, rows, graph),
        report=report,
        ratings=list(RATING_LABELS.items()),
    )


# ---------------------------------------------------------------- rendering


def environment(extra: Iterable[Path] = ()) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([TEMPLATES_DIR, *extra]),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def render_report(
    graph: Graph, profile: Profile, report: ValidationReport, *, source: str | None = None
) -> str:
    """The whole report page as HTML text (``source``: the file name the title shows)."""
    view = build_view(graph, profile, report, source=source)
    return environment().get_template(REPORT_TEMPLATE).render(view=view)
