"""``GET /crosswalk`` and ``GET /crosswalk/{target}``: the model's crosswalk to one edition, as a page.

A processes × elements matrix (each cell the relation of a mapping record, coloured, with the strength,
rationale and why in its tooltip), a switch between the editions, the coverage of each element, group
and edition, the gap lists and the downloads of the mapping set.

Everything comes from named queries, so the page shows what ``/api/queries/…`` and ``itsm-prm query``
answer: ``crosswalk-matrix`` for the cells; ``crosswalk-coverage``, ``crosswalk-coverage-summary``,
``crosswalk-gaps`` and ``crosswalk-unmapped-outcomes`` for the analysis (the coverage rule has one
implementation, in those queries). A home whose catalog lacks one of them still gets a page that says so.

No script is needed: tooltips are ``title`` attributes; ``static/crosswalk.js`` only shows them at once,
on hover and on keyboard focus.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse

from itsm_prm.api.answer_cache import remember
from itsm_prm.api.deps import etag_for
from itsm_prm.api.pages import (
    KG,
    PRM,
    STATIC_DIR,
    Config,
    Link,
    Site,
    cache_headers,
    cached,
    conditional,
    get_and_head,
    render,
    wants_html,
)
from itsm_prm.crosswalk.exports import FORMATS
from itsm_prm.crosswalk.targets import TARGETS, Target, UnknownTarget, resolve_target
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.terms import QueryResult, Term

router = APIRouter(tags=["pages"])

DEFAULT_TARGET = "iso20000-1:2005"
NO_TERM_FOUND = "https://w3id.org/sssom/NoTermFound"
_DERIVED_FROM = "SELECT ?set ?source WHERE { ?set <http://www.w3.org/ns/prov#wasDerivedFrom> ?source }"

#: the named queries the page reads
MATRIX = "crosswalk-matrix"
COVERAGE = "crosswalk-coverage"
SUMMARY = "crosswalk-coverage-summary"
GAPS = "crosswalk-gaps"
UNMAPPED = "crosswalk-unmapped-outcomes"

#: the page's script, versioned by content so a changed file is a new URL
SCRIPT = "crosswalk.js"
SCRIPT_VERSION = hashlib.sha256((STATIC_DIR / SCRIPT).read_bytes()).hexdigest()[:12]


@dataclass(frozen=True)
class Relation:
    """How a set-theory relation looks in the matrix."""

    key: str  # CSS class suffix
    symbol: str
    words: str  # as the tooltip reads: "CHAN equal to 9.2"
    meaning: str  # for the legend
    rank: int  # the strongest relation colours an outcome-level cell


RELATIONS: dict[str, Relation] = {
    PRM + "equalTo": Relation(
        "equal", "=", "equal to", "the process and the element cover the same ground", 0
    ),
    PRM + "supersetOf": Relation(
        "superset", "⊃", "superset of", "the process covers all the element asks, and more", 1
    ),
    PRM + "subsetOf": Relation(
        "subset", "⊂", "subset of", "the process covers part of what the element asks", 2
    ),
    PRM + "intersectsWith": Relation(
        "intersects",
        "∩",
        "intersects with",
        "they share some ground; each covers something the other does not",
        3,
    ),
    PRM + "notRelatedTo": Relation("not-related", "∅", "not related to", "they share no ground", 4),
}
UNKNOWN_RELATION = Relation("unknown", "?", "related to", "a relation this page does not know", 5)

#: a line about each export format (the formats themselves: itsm_prm.crosswalk.exports.FORMATS)
DOWNLOAD_NOTES = {
    "sssom-tsv": "the mapping set with its metadata header, for sssom-py and spreadsheets",
    "sssom-ttl": "the same records as RDF",
    "csv": "one row per record, in the columns of a NIST IR 8477 set-theory relationship mapping",
    "xlsx": "the same rows as a workbook",
    "oscal-json": "for tools that read OSCAL",
}


# ---------------------------------------------------------------- view models


@dataclass
class Entry:
    """One mapping record as a cell shows it."""

    record: str
    href: str
    subject_id: str
    level: str  # "process" or "outcome"
    relation: Relation
    strength: str | None
    rationale: str | None
    justification: str | None
    comment: str | None
    derived: bool = False

    def facts(self) -> str:
        """``strength 9 of 10 · semantic rationale · manual mapping curation``."""
        facts = [f"strength {self.strength} of 10" if self.strength else "no strength given"]
        if self.rationale:
            facts.append(f"{self.rationale} rationale")
        if self.justification:
            facts.append(self.justification)
        if self.derived:
            facts.append("derived through the edition crosswalk, reviewed")
        return " · ".join(facts)

    def describe(self) -> str:
        """The record in full, for a tooltip: subject, relation, facts and why."""
        why = f"\nWhy: {self.comment}" if self.comment else ""
        return f"{self.subject_id} {self.relation.words} · {self.facts()}{why}"

    def brief(self) -> str:
        return f"{self.subject_id} {self.relation.words} (strength {self.strength or '?'})"


@dataclass
class Column:
    iri: str
    href: str
    number: str  # a clause number, or a practice's IRI slug
    title: str
    heading: str  # what the column header shows: the clause number, or the practice's name
    group: str
    coverage: str | None = None
    covered_by: str | None = None  # what the coverage query says covers it


@dataclass
class Summary:
    elements: int
    full: int
    partial: int
    none: int
    full_percent: str
    covered_percent: str


@dataclass
class Group:
    iri: str
    href: str | None
    number: str | None
    title: str
    columns: list[Column] = field(default_factory=list)
    summary: Summary | None = None


@dataclass
class Cell:
    kind: str  # "process", "outcomes" or "empty"
    relation: Relation | None = None
    label: str = ""
    tooltip: str = ""
    href: str | None = None
    outcomes: list[Entry] = field(default_factory=list)  # outcome-level records, linked one by one


@dataclass
class Row:
    process: Link
    identifier: str
    name: str
    cells: list[Cell]
    no_counterpart: Entry | None = None  # an explicit "no counterpart in this edition"


@dataclass
class Gap:
    link: Link
    number: str
    title: str


@dataclass
class UnmappedOutcome:
    link: Link
    identifier: str
    statement: str
    record: str | None
    comment: str | None


@dataclass
class Tab:
    key: str
    label: str
    href: str
    current: bool
    derived: bool


@dataclass
class CrosswalkView:
    target: Target
    tabs: list[Tab]
    edition: Link
    mapping_set: Link | None  # None: the dataset has no mapping set for this edition yet
    missing_queries: list[str]  # named queries the page reads that this home's catalog lacks
    derived_from: list[Link]
    groups: list[Group] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    records: int = 0
    overall: Summary | None = None
    gaps: list[Gap] | None = None  # None: not available (query missing)
    unmapped: list[UnmappedOutcome] | None = None
    downloads: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def columns(self) -> list[Column]:
        return [c for g in self.groups for c in g.columns]


# ---------------------------------------------------------------- reading the named queries


def _text(row: dict[str, Term | None], name: str) -> str | None:
    term = row.get(name)
    return term.value if term is not None else None


def _rows(kg: KnowledgeGraph, name: str, **params: Any) -> list[dict[str, Term | None]]:
    result = kg.run(name, **params)
    assert isinstance(result, QueryResult), f"{name} is a SELECT query"
    return result.rows


def _percent(value: str | None) -> str:
    if value is None:
        return "–"
    try:
        number = round(float(value), 1)
    except ValueError:
        return value
    return f"{number:g}%"


def _int(value: str | None) -> int:
    try:
        return int(float(value)) if value is not None else 0
    except ValueError:
        return 0


def _words(site: Site, iri: str) -> str:
    """A label, else the local name in words (``semapv:ManualMappingCuration``: manual mapping curation)."""
    if site.has_label(iri):
        return site.label(iri)
    local = re.split(r"[#/:]", iri)[-1]
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", local).lower() or iri


def _summary(row: dict[str, Term | None]) -> Summary:
    return Summary(
        elements=_int(_text(row, "elements")),
        full=_int(_text(row, "full")),
        partial=_int(_text(row, "partial")),
        none=_int(_text(row, "none")),
        full_percent=_percent(_text(row, "fullPercent")),
        covered_percent=_percent(_text(row, "coveredPercent")),
    )


def _entry(site: Site, row: dict[str, Term | None]) -> Entry:
    record = _text(row, "record") or ""
    rationale = _text(row, "rationale")
    justification = _text(row, "justification")
    return Entry(
        record=record,
        href=site.href(record),
        subject_id=_text(row, "subjectId") or "",
        level=_text(row, "level") or "process",
        relation=RELATIONS.get(_text(row, "relation") or "", UNKNOWN_RELATION),
        strength=_text(row, "strength"),
        rationale=site.label(rationale) if rationale else None,
        justification=_words(site, justification) if justification else None,
        comment=_text(row, "comment"),
        derived=_text(row, "derived") == "true",
    )


def _columns(site: Site, kg: KnowledgeGraph, target: Target) -> list[Group]:
    """The edition's requirement elements, grouped, with their coverage (``crosswalk-coverage``)."""
    groups: dict[str, Group] = {}
    seen: set[str] = set()
    for row in _rows(kg, COVERAGE, edition=target.key):
        element = _text(row, "element")
        if element is None or element in seen:
            continue
        seen.add(element)
        number = _text(row, "number") or site.label(element)
        title = _text(row, "title") or site.label(element)
        group_iri = _text(row, "group") or ""
        group = groups.get(group_iri)
        if group is None:
            group = groups[group_iri] = Group(
                group_iri,
                site.href(group_iri) if group_iri else None,
                _text(row, "groupNumber"),
                _text(row, "groupTitle") or (site.label(group_iri) if group_iri else "Other"),
            )
        group.columns.append(
            Column(
                iri=element,
                href=site.href(element),
                number=number,
                title=title,
                heading=number if target.element_kind == "clause" else title,
                group=group_iri,
                coverage=_text(row, "coverage"),
                covered_by=_text(row, "subjects"),
            )
        )
    return list(groups.values())


def _cell(process_id: str, name: str, column: Column, entries: list[Entry]) -> Cell:
    """The process-level record decides the cell; without one, the outcome-level records make it."""
    element = column.title if column.heading == column.title else f"{column.number} {column.title}"
    direct = [e for e in entries if e.level == "process"]
    outcomes = [e for e in entries if e.level == "outcome"]
    if direct:
        head = direct[0]
        lines = [f"{process_id} {name} — {head.relation.words} — {element}", head.facts()]
        lines += [f"Why: {e.comment}" for e in direct if e.comment]
        if outcomes:  # the outcome records briefly; each has its own page, and its own cell elsewhere
            lines.append("Outcome level as well: " + "; ".join(e.brief() for e in outcomes))
        return Cell("process", head.relation, head.relation.symbol, "\n".join(lines), head.href, outcomes)
    if outcomes:
        strongest = min(outcomes, key=lambda e: e.relation.rank).relation
        count = f"{len(outcomes)} outcome{'s' if len(outcomes) > 1 else ''}"
        lines = [
            f"{process_id} {name}: {count} {'map' if len(outcomes) > 1 else 'maps'} to {element}"
            " (outcome level; none for the process)",
            *(e.describe() for e in outcomes),
        ]
        return Cell("outcomes", strongest, count, "\n".join(lines), outcomes[0].href, outcomes)
    return Cell("empty", tooltip=f"{process_id} {name}: no record for {element}")


def _derived_from(site: Site, target: Target) -> list[Link]:
    """The sets a derived mapping set was composed from (its ``prov:wasDerivedFrom``)."""
    result = site.kg.query(_DERIVED_FROM, set=Term.iri(target.mapping_set))
    assert isinstance(result, QueryResult)
    sources = sorted({t.value for t in result.column("source") if t is not None and t.kind == "iri"})
    return [site.link(s) for s in sources]


def _matrix(site: Site, target: Target, columns: list[Column]) -> tuple[list[Row], int]:
    """One row per process of the model, in its order; one cell per column."""
    by_cell: dict[tuple[str, str], list[Entry]] = {}
    no_counterpart: dict[str, Entry] = {}
    records: set[str] = set()
    for row in _rows(site.kg, MATRIX, edition=target.key):
        process, element = _text(row, "process"), _text(row, "object")
        if process is None or element is None:
            continue
        entry = _entry(site, row)
        records.add(entry.record)
        if element == NO_TERM_FOUND:
            if entry.level == "process":
                no_counterpart[process] = entry
            continue  # an outcome without counterpart is in the list of unmapped outcomes
        cell = by_cell.setdefault((process, element), [])
        if all(e.record != entry.record for e in cell):  # a record with two comments is still one
            cell.append(entry)
    rows: list[Row] = []
    for row in _rows(site.kg, "processes"):
        process = _text(row, "process")
        if process is None or any(r.process.iri == process for r in rows):
            continue
        identifier, name = _text(row, "id") or "", _text(row, "name") or site.label(process)
        cells = [_cell(identifier, name, c, by_cell.get((process, c.iri), [])) for c in columns]
        rows.append(Row(site.link(process), identifier, name, cells, no_counterpart.get(process)))
    return rows, len(records)


def _gaps(site: Site, target: Target) -> list[Gap]:
    gaps: list[Gap] = []
    for row in _rows(site.kg, GAPS, edition=target.key):
        element = _text(row, "element")
        if element and all(g.link.iri != element for g in gaps):
            title = _text(row, "title") or site.label(element)
            number = _text(row, "number") or ""
            gaps.append(Gap(site.link(element), number if target.element_kind == "clause" else "", title))
    return gaps


def _unmapped(site: Site, target: Target) -> list[UnmappedOutcome]:
    unmapped: list[UnmappedOutcome] = []
    for row in _rows(site.kg, UNMAPPED, edition=target.key):
        outcome = _text(row, "outcome")
        if outcome and all(u.link.iri != outcome for u in unmapped):
            record = _text(row, "record")
            unmapped.append(
                UnmappedOutcome(
                    site.link(outcome),
                    _text(row, "outcomeId") or site.label(outcome),
                    _text(row, "statement") or "",
                    site.href(record) if record else None,
                    _text(row, "comment"),
                )
            )
    return unmapped


def build_view(site: Site, target: Target) -> CrosswalkView:
    """Everything the page shows about one target; each part comes from its named query, and a part
    whose query the catalog lacks is left out (the page says so) rather than failing the page."""
    kg = site.kg
    tabs = [
        Tab(t.key, t.label, site.url(f"crosswalk/{t.short}"), t.key == target.key, t.derived)
        for t in TARGETS.values()
    ]
    has_set = kg.exists(target.mapping_set)
    view = CrosswalkView(
        target=target,
        tabs=tabs,
        edition=site.link(target.edition),
        mapping_set=site.link(target.mapping_set) if has_set else None,
        missing_queries=[q for q in (MATRIX, COVERAGE, SUMMARY, GAPS, UNMAPPED) if q not in kg.catalog],
        derived_from=_derived_from(site, target) if has_set else [],
    )
    if not has_set or MATRIX in view.missing_queries or COVERAGE in view.missing_queries:
        return view
    view.groups = _columns(site, kg, target)
    view.rows, view.records = _matrix(site, target, view.columns)
    if SUMMARY not in view.missing_queries:
        summaries = {(_text(r, "group") or ""): _summary(r) for r in _rows(kg, SUMMARY, edition=target.key)}
        for group in view.groups:
            group.summary = summaries.get(group.iri)
        view.overall = summaries.get("")  # the whole-edition row has no group
    if GAPS not in view.missing_queries:
        view.gaps = _gaps(site, target)
    if UNMAPPED not in view.missing_queries:
        view.unmapped = _unmapped(site, target)
    view.downloads = [
        (site.url(f"download/crosswalk/{f.filename(target)}"), f.title, DOWNLOAD_NOTES.get(f.name, ""))
        for f in FORMATS.values()
    ]
    return view


# ---------------------------------------------------------------- routes


def content_security_policy(site_root: str) -> str:
    """The page loads nothing from another host than the site's, and runs only its own script file.

    Stated in a ``<meta>`` of the page, not a header: the answer cache keeps a page's body and a few
    headers, and the policy must hold for every copy. The site's stylesheet and script may come from
    ``base_url`` when that is another address of this service.
    """
    parts = urlsplit(site_root)
    site = f" {parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""
    return (
        f"default-src 'self'; script-src 'self'{site}; style-src 'self'{site}; img-src 'self' data:; "
        "object-src 'none'; base-uri 'self'; form-action 'self'"
    )


def _page(request: Request, kg: KnowledgeGraph, site: Site, target: Target, canonical: str) -> Response:
    etag = etag_for(kg, "crosswalk-page", target.key, site.root, SCRIPT_VERSION)
    if (answer := conditional(request, etag)) is not None:
        return answer
    # the view once per dataset, target and site root; the page once per request line (answer cache)
    view = cached(request, kg, f"crosswalk-view:{target.key}:{site.root}", lambda: build_view(site, target))
    context = {
        "title": f"Crosswalk to {target.label}",
        "view": view,
        "relations": list(RELATIONS.values()),
        "canonical": canonical,
        "script": site.url(f"static/{SCRIPT}?v={SCRIPT_VERSION}"),
        "csp": content_security_policy(site.root),
    }
    response = render(request, "crosswalk.html", context, site=site, headers=cache_headers(etag))
    remember(request, response)  # the next identical GET is answered before routing
    return response


@get_and_head(router, "/crosswalk", summary="Crosswalk page (ISO/IEC 20000-1:2005)", response_class=Response)
def crosswalk_default(request: Request, kg: KG, settings: Config) -> Response:
    site = Site(request, kg, settings)
    target = TARGETS[DEFAULT_TARGET]
    return _page(request, kg, site, target, site.url(f"crosswalk/{target.short}"))


@get_and_head(
    router,
    "/crosswalk/{target:path}",
    summary="Crosswalk page of one edition",
    description="The model's processes × the edition's elements, coverage, gaps and downloads, as HTML. "
    "`target`: `2005`, `2011`, `2018`, `itil4` or a full name such as `iso20000-1:2018`.",
    response_class=Response,
)
def crosswalk_target(
    request: Request,
    target: Annotated[str, Path(description="the edition: 2005, 2011, 2018, itil4, iso20000-1:2018 …")],
    kg: KG,
    settings: Config,
) -> Response:
    site = Site(request, kg, settings)
    if not target.strip("/ "):  # /crosswalk/ is /crosswalk
        return crosswalk_default(request, kg, settings)
    try:
        chosen = resolve_target(target)
    except UnknownTarget as exc:
        if not wants_html(request):
            return JSONResponse({"error": str(exc), "status": 404}, status_code=404)
        choices = [(t.label, site.url(f"crosswalk/{t.short}")) for t in TARGETS.values()]
        context = {"title": "Unknown crosswalk target", "message": str(exc), "choices": choices}
        return render(request, "crosswalk_unknown.html", context, site=site, status_code=404)
    return _page(request, kg, site, chosen, site.url(f"crosswalk/{chosen.short}"))
