"""Linked data: the home page, every ``id/…`` IRI by content negotiation, ``/resource?iri=…``, ``/static``.

A resource answers as HTML for browsers and as Turtle, JSON-LD, RDF/XML or N-Triples for agents
(``Vary: Accept``); ``?format=`` or a file extension (``/id/process/INC.ttl``) picks one without headers.
The RDF answer is the resource's symmetric concise bounded description from all graphs, asserted and
inferred (:mod:`itsm_prm.describe`). This router goes last in the app: ``/id/{path}`` catches everything
under ``/id/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import FileResponse, JSONResponse

from itsm_prm import describe as describing
from itsm_prm.api.deps import etag_for
from itsm_prm.api.pages import (
    DCTERMS,
    FORMAT_NAMES,
    KG,
    OWL,
    PRM,
    RDF,
    RDF_MEDIA,
    RDF_TYPE,
    RESOURCE_TYPES,
    SKOS,
    STATIC_DIR,
    Config,
    Link,
    Site,
    Value,
    cache_headers,
    conditional,
    get_and_head,
    negotiate,
    not_acceptable,
    render,
    requested_format,
    split_extension,
    wants_html,
)
from itsm_prm.config import Settings
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.terms import QueryResult, Term, Triple

router = APIRouter(tags=["linked data"])

_PREFIXES = f"""
PREFIX prm: <{PRM}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <{SKOS}>
PREFIX dcterms: <{DCTERMS}>
PREFIX owl: <{OWL}>
PREFIX pav: <http://purl.org/pav/>
"""

#: text shown prominently under the title, best first
LEAD_PROPERTIES = (
    PRM + "statement",
    PRM + "paraphrase",
    SKOS + "definition",
    DCTERMS + "description",
    PRM + "abstract",
)

#: properties that lead from a resource to the one above it (breadcrumbs), best first; the second list
#: is read backwards (the parent states it)
PARENT_UP = (
    "subClauseOf",
    "outcomeOf",
    "purposeOf",
    "noteOf",
    "relationshipSubject",
    "inMappingSet",
    "inGroup",
    "partOfModel",
    "historyEntryOf",
    "inEdition",
    "editionOf",
)
PARENT_DOWN = ("hasOutcomeGroup", "hasReference")
_PARENTS = (
    _PREFIXES
    + f"""
SELECT ?this ?p ?parent WHERE {{
  {{ VALUES ?p {{ {" ".join("prm:" + p for p in PARENT_UP)} }} ?this ?p ?parent }}
  UNION
  {{ VALUES ?p {{ {" ".join("prm:" + p for p in PARENT_DOWN)} }} ?parent ?p ?this }}
  FILTER (isIRI(?parent) && ?parent != ?this)
}}"""
)
_PARENT_ORDER = [PRM + p for p in PARENT_UP + PARENT_DOWN]

_OUTCOMES = (
    _PREFIXES
    + """
SELECT ?this ?outcome ?n ?notation ?statement ?paraphrase ?optional ?heading WHERE {
  ?this prm:hasOutcome ?outcome .
  OPTIONAL { ?outcome prm:outcomeNumber ?n }
  OPTIONAL { ?outcome skos:notation ?notation }
  OPTIONAL { ?outcome prm:statement ?statement }
  OPTIONAL { ?outcome prm:paraphrase ?paraphrase }
  OPTIONAL { ?outcome prm:isOptional ?optional }
  OPTIONAL { ?outcome prm:inOutcomeGroup ?group . ?group prm:heading ?heading }
}"""
)

_NOTES = (
    _PREFIXES
    + """
SELECT ?this ?note ?n ?statement ?section WHERE {
  ?this prm:hasNote ?note .
  OPTIONAL { ?note prm:noteNumber ?n }
  OPTIONAL { ?note prm:statement ?statement }
  OPTIONAL { ?note prm:inSection ?section }
}"""
)

_PURPOSE = (
    _PREFIXES
    + """
SELECT ?this ?purpose ?statement WHERE {
  ?this prm:hasPurpose ?purpose .
  OPTIONAL { ?purpose prm:statement ?statement }
}"""
)

# The mapping records whose subject or object is the resource, or that a mapping set publishes.
_MAPPINGS = (
    _PREFIXES
    + """
SELECT ?this ?record ?subject ?object ?predicate ?kind ?page ?citation ?comment ?justification
       ?rationale ?status ?author ?date WHERE {
  { ?record prm:mappingSubject ?this } UNION { ?record prm:mappingObject ?this }
  UNION { ?record prm:inMappingSet ?this }
  ?record a prm:MappingRecord ; prm:mappingSubject ?subject ; prm:mappingObject ?object .
  OPTIONAL { ?record prm:mappingPredicate ?predicate }
  OPTIONAL { ?record prm:referenceKind ?kind }
  OPTIONAL { ?record prm:citedPage ?page }
  OPTIONAL { ?record prm:citationText ?citation }
  OPTIONAL { ?record rdfs:comment ?comment }
  OPTIONAL { ?record prm:justification ?justification }
  OPTIONAL { ?record prm:rationale ?rationale }
  OPTIONAL { ?record prm:mappingStatus ?status }
  OPTIONAL { ?record pav:authoredBy ?author }
  OPTIONAL { ?record pav:authoredOn ?date }
}"""
)

_MODEL = (
    _PREFIXES
    + """
SELECT ?model ?version ?issued ?abstract ?creator ?contributor WHERE {
  ?model a prm:ProcessReferenceModel .
  OPTIONAL { ?model owl:versionInfo ?version }
  OPTIONAL { ?model dcterms:issued ?issued }
  OPTIONAL { ?model prm:abstract ?abstract }
  OPTIONAL { ?model dcterms:creator ?creator }
  OPTIONAL { ?model dcterms:contributor ?contributor }
}"""
)

# The authors of the model's current version: the history row with the model's own version label.
_AUTHORS = (
    _PREFIXES
    + """
SELECT ?model ?person WHERE {
  ?model a prm:ProcessReferenceModel ; prm:versionLabel ?label ; prm:hasHistoryEntry ?entry .
  ?entry prm:versionLabel ?label ; dcterms:creator ?person .
}"""
)

_GROUPS = (
    _PREFIXES
    + """
SELECT ?group ?groupSection ?process ?id ?section ?book WHERE {
  { ?process a prm:Process . OPTIONAL { ?process prm:inGroup ?group } }
  UNION { ?group prm:hasProcess ?process }
  OPTIONAL { ?group prm:sectionNumber ?groupSection }
  OPTIONAL { ?group prm:describedIn ?book }
  OPTIONAL { ?process prm:processId ?id }
  OPTIONAL { ?process prm:sectionNumber ?section }
}"""
)

_ALL_OUTCOMES = (
    _PREFIXES
    + """
SELECT ?process ?outcome ?n ?notation ?statement WHERE {
  ?process a prm:Process ; prm:hasOutcome ?outcome .
  OPTIONAL { ?outcome prm:outcomeNumber ?n }
  OPTIONAL { ?outcome skos:notation ?notation }
  OPTIONAL { ?outcome prm:statement ?statement }
}"""
)

_EXTERNAL_PROCESSES = (
    _PREFIXES
    + """
SELECT ?process ?id ?edition WHERE {
  ?process a prm:ExternalProcess .
  OPTIONAL { ?process prm:processId ?id }
  OPTIONAL { ?process prm:inEdition ?edition }
}"""
)

_EDITIONS = (
    _PREFIXES
    + """
SELECT ?edition ?title ?document WHERE {
  ?edition a prm:StandardEdition .
  OPTIONAL { ?edition dcterms:title ?title }
  OPTIONAL { ?edition prm:editionOf ?document }
}"""
)

_BOOKS = (
    _PREFIXES
    + """
SELECT ?book ?title ?edition WHERE {
  ?book a prm:ItilBook .
  OPTIONAL { ?book dcterms:title ?title }
  OPTIONAL { ?book prm:inEdition ?edition }
}"""
)

_CLAUSES = (
    _PREFIXES
    + """
SELECT ?clause ?number ?edition WHERE {
  ?clause a prm:Clause .
  OPTIONAL { ?clause prm:clauseNumber ?number }
  OPTIONAL { ?clause prm:inEdition ?edition }
}"""
)

_MAPPING_SETS = (
    _PREFIXES
    + """
SELECT ?set ?description (COUNT(DISTINCT ?record) AS ?records) WHERE {
  ?set a prm:MappingSet .
  OPTIONAL { ?set dcterms:description ?description }
  OPTIONAL { ?record prm:inMappingSet ?set }
} GROUP BY ?set ?description"""
)

_NOTE_SECTIONS = {PRM + "PurposeSection": 0, PRM + "OutcomesSection": 1}
_NUMBER = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[Any, ...]:
    """Sort ``outcome 10`` after ``outcome 9`` and ``SUP.10`` after ``SUP.9``."""
    return tuple(int(part) if part.isdigit() else part.lower() for part in _NUMBER.split(text))


def _rows(result: QueryResult | bool | list[Triple]) -> list[dict[str, Term | None]]:
    assert isinstance(result, QueryResult)
    return result.rows


def _text(term: Term | None) -> str | None:
    return term.value if term is not None else None


def _int(term: Term | None) -> int | None:
    try:
        return int(term.value) if term is not None else None
    except ValueError:
        return None


def _query(kg: KnowledgeGraph, sparql: str, this: str | None = None) -> list[dict[str, Term | None]]:
    bindings = {"this": Term.iri(this)} if this is not None else None
    return _rows(kg.store.query(sparql, bindings))


# ---------------------------------------------------------------- view models


@dataclass
class OutcomeItem:
    link: Link
    number: int | None
    notation: str | None
    text: str | None
    optional: bool
    heading: str | None
    current: bool = False


@dataclass
class NoteItem:
    link: Link
    number: int | None
    text: str | None
    section: int  # 0 after the purpose, 1 after the outcomes


@dataclass
class MappingRow:
    record: Link
    subject: Link
    object: Link
    subject_is_this: bool
    object_is_this: bool
    relation: Link | None
    kind: Link | None
    page: str | None
    citation: str | None
    comment: str | None
    justification: Link | None
    rationale: Link | None
    status: Link | None
    authors: list[Link] = field(default_factory=list)
    date: str | None = None


@dataclass
class PropertyGroup:
    prop: Link
    values: list[Value]


@dataclass
class ResourcePage:
    iri: str
    title: str
    curie: str
    identifier: str | None
    types: list[Value]
    lead: list[tuple[Link, Value]]
    breadcrumbs: list[Link]
    properties: list[PropertyGroup]
    incoming: list[PropertyGroup]
    mappings: list[MappingRow]
    formats: list[tuple[str, str]]
    purpose: str | None = None
    purpose_link: Link | None = None
    outcomes_intro: str | None = None
    outcomes: list[OutcomeItem] = field(default_factory=list)
    notes: list[NoteItem] = field(default_factory=list)
    parent_process: Link | None = None
    siblings: list[OutcomeItem] = field(default_factory=list)


def _outcomes(site: Site, process: str, current: str | None = None) -> list[OutcomeItem]:
    items: dict[str, OutcomeItem] = {}
    for row in _query(site.kg, _OUTCOMES, process):
        outcome = _text(row["outcome"])
        if outcome is None or outcome in items:
            continue
        items[outcome] = OutcomeItem(
            link=site.link(outcome),
            number=_int(row["n"]),
            notation=_text(row["notation"]),
            text=_text(row["statement"]) or _text(row["paraphrase"]),
            optional=_text(row["optional"]) == "true",
            heading=_text(row["heading"]),
            current=outcome == current,
        )
    return sorted(items.values(), key=lambda o: (o.number is None, o.number or 0, natural_key(o.link.label)))


def _notes(site: Site, process: str) -> list[NoteItem]:
    items: dict[str, NoteItem] = {}
    for row in _query(site.kg, _NOTES, process):
        note = _text(row["note"])
        if note is None or note in items:
            continue
        items[note] = NoteItem(
            link=site.link(note),
            number=_int(row["n"]),
            text=_text(row["statement"]),
            section=_NOTE_SECTIONS.get(_text(row["section"]) or "", 0),
        )
    return sorted(items.values(), key=lambda n: (n.section, n.number or 0, natural_key(n.link.label)))


def mapping_rows(site: Site, iri: str) -> list[MappingRow]:
    """The mapping records about ``iri`` (as subject or object) or published by it (a mapping set)."""
    rows: dict[str, MappingRow] = {}
    for row in _query(site.kg, _MAPPINGS, iri):
        record = _text(row["record"])
        subject, obj = _text(row["subject"]), _text(row["object"])
        if record is None or subject is None or obj is None:
            continue

        def link(name: str, row: dict[str, Term | None] = row) -> Link | None:
            value = _text(row[name])
            return site.link(value) if value else None

        if record not in rows:
            rows[record] = MappingRow(
                record=site.link(record),
                subject=site.link(subject),
                object=site.link(obj),
                subject_is_this=subject == iri,
                object_is_this=obj == iri,
                relation=link("predicate"),
                kind=link("kind"),
                page=_text(row["page"]),
                citation=_text(row["citation"]),
                comment=_text(row["comment"]),
                justification=link("justification"),
                rationale=link("rationale"),
                status=link("status"),
                date=_text(row["date"]),
            )
        author = link("author")
        if author is not None and author not in rows[record].authors:
            rows[record].authors.append(author)
    return sorted(rows.values(), key=lambda r: (natural_key(r.subject.label), natural_key(r.object.label)))


def breadcrumbs(site: Site, iri: str, limit: int = 8) -> list[Link]:
    """Home, then the chain of containers above ``iri`` (group, process, …), outermost first."""
    chain: list[str] = []
    current = iri
    while len(chain) < limit:
        best: tuple[int, str] | None = None
        for row in _query(site.kg, _PARENTS, current):
            p, parent = _text(row["p"]), _text(row["parent"])
            if p in _PARENT_ORDER and parent and parent not in chain and parent != iri:
                rank = _PARENT_ORDER.index(p)
                if best is None or (rank, parent) < best:
                    best = (rank, parent)
        if best is None:
            break
        chain.append(best[1])
        current = best[1]
    home = Link(site.url(), "Home", "", "")
    return [home, *(site.link(p) for p in reversed(chain))]


def _value(
    site: Site, term: Term, description: describing.Description, triple: Triple, depth: int = 0
) -> Value:
    inferred = description.only_in(triple, site.data.inferred_graph)
    if term.kind != "bnode" or depth > 4:
        return site.value(term, inferred)
    about = [t for t in description.blank() if t[0] == term]
    first = [t for t in about if t[1].value == RDF + "first"]
    if first:  # an RDF list: its items in order
        items: list[Value] = []
        node, seen = term, set()
        while node.kind == "bnode" and node not in seen:
            seen.add(node)
            here = [t for t in description.blank() if t[0] == node]
            head = next((t for t in here if t[1].value == RDF + "first"), None)
            if head is not None:
                items.append(_value(site, head[2], description, head, depth + 1))
            rest = next((t for t in here if t[1].value == RDF + "rest"), None)
            if rest is None:
                break
            node = rest[2]
        return Value("list", "", inferred=inferred, children=[(Link("", "", "", ""), items)])
    children = [
        (prop, [_value(site, t[2], description, t, depth + 1) for t in triples])
        for prop, triples in _grouped(site, about, key=2)
    ]
    return Value("bnode", "_:" + term.value, inferred=inferred, children=children)


def _grouped(site: Site, triples: Iterable[Triple], key: int) -> list[tuple[Link, list[Triple]]]:
    """Triples grouped by predicate (``rdf:type`` first, then by the property's label), each group
    sorted by its values, the triple's end at index ``key`` (2 for objects, 0 for subjects)."""
    groups: dict[str, list[Triple]] = {}
    for t in triples:
        groups.setdefault(t[1].value, []).append(t)

    def sort_value(t: Triple) -> tuple[Any, ...]:
        term = t[key]
        text = site.label(term.value) if term.kind == "iri" else term.value
        return natural_key(text)

    ordered = sorted(groups, key=lambda p: (p != RDF_TYPE, natural_key(site.label(p))))
    return [(site.link(p), sorted(groups[p], key=sort_value)) for p in ordered]


def _incoming(description: describing.Description) -> list[Triple]:
    """Incoming triples, less those from blank nodes the outgoing side already shows (a list's cells)."""
    inside = {t[0] for t in description.blank()}
    return [t for t in description.incoming() if t[0] not in inside]


def _inferred(value: Value) -> bool:
    return value.inferred


def resource_page(site: Site, iri: str, description: describing.Description) -> ResourcePage:
    outgoing = description.outgoing()
    types = [
        _value(site, t[2], description, t)
        for t in sorted(outgoing, key=lambda t: natural_key(site.label(t[2].value)))
        if t[1].value == RDF_TYPE
    ]
    types.sort(key=lambda v: v.inferred)  # asserted types first
    type_iris = {t[2].value for t in outgoing if t[1].value == RDF_TYPE}
    lead = [
        (site.link(t[1].value), _value(site, t[2], description, t))
        for p in LEAD_PROPERTIES
        for t in outgoing
        if t[1].value == p and t[2].kind == "literal"
    ]
    # asserted values first (a stable sort keeps the label order within each kind)
    properties = [
        PropertyGroup(prop, sorted((_value(site, t[2], description, t) for t in triples), key=_inferred))
        for prop, triples in _grouped(site, outgoing, key=2)
    ]
    incoming = [
        PropertyGroup(prop, sorted((_value(site, t[0], description, t) for t in triples), key=_inferred))
        for prop, triples in _grouped(site, _incoming(description), key=0)
    ]
    identifier = next(
        (t[2].value for t in outgoing if t[1].value in (PRM + "processId", SKOS + "notation")), None
    )
    page = ResourcePage(
        iri=iri,
        title=site.label(iri),
        curie=site.curie(iri),
        identifier=identifier,
        types=types,
        lead=lead,
        breadcrumbs=breadcrumbs(site, iri),
        properties=properties,
        incoming=incoming,
        mappings=mapping_rows(site, iri),
        formats=[(FORMAT_NAMES[f], site.format_url(iri, f)) for f in ("ttl", "jsonld", "xml", "nt")],
    )
    predicates = {t[1].value for t in outgoing}
    if PRM + "hasOutcome" in predicates:
        page.outcomes = _outcomes(site, iri)
        page.notes = _notes(site, iri)
        purpose = _query(site.kg, _PURPOSE, iri)
        if purpose:
            page.purpose = _text(purpose[0]["statement"])
            page.purpose_link = site.link(_text(purpose[0]["purpose"]) or iri)
        page.outcomes_intro = next(
            (t[2].value for t in outgoing if t[1].value == PRM + "outcomesIntroduction"), None
        )
    parent = next((t[2].value for t in outgoing if t[1].value == PRM + "outcomeOf"), None)
    if parent is not None and (PRM + "Outcome" in type_iris or PRM + "OutcomeDefinition" in type_iris):
        page.parent_process = site.link(parent)
        page.siblings = _outcomes(site, parent, current=iri)
    return page


# ---------------------------------------------------------------- the home page


@dataclass
class ProcessEntry:
    link: Link
    identifier: str | None
    section: str | None
    outcomes: list[OutcomeItem]


@dataclass
class GroupEntry:
    link: Link
    section: str | None
    book: Link | None
    processes: list[ProcessEntry]


def home_context(site: Site) -> dict[str, Any]:
    kg = site.kg
    models: dict[str, dict[str, Any]] = {}
    for row in _query(kg, _MODEL):
        model = _text(row["model"])
        if model is None:
            continue
        entry = models.setdefault(
            model,
            {
                "link": site.link(model),
                "version": _text(row["version"]),
                "issued": _text(row["issued"]),
                "abstract": _text(row["abstract"]),
                "organisations": [],
                "authors": [],
            },
        )
        for name in ("creator", "contributor"):
            org = _text(row[name])
            if org and site.link(org) not in entry["organisations"]:
                entry["organisations"].append(site.link(org))
    for row in _query(kg, _AUTHORS):
        model, person = _text(row["model"]), _text(row["person"])
        if model in models and person and site.link(person) not in models[model]["authors"]:
            models[model]["authors"].append(site.link(person))

    outcomes: dict[str, dict[str, OutcomeItem]] = {}
    for row in _query(kg, _ALL_OUTCOMES):
        process, outcome = _text(row["process"]), _text(row["outcome"])
        if process and outcome:
            outcomes.setdefault(process, {})[outcome] = OutcomeItem(
                site.link(outcome),
                _int(row["n"]),
                _text(row["notation"]),
                _text(row["statement"]),
                False,
                None,
            )
    # every process, under its group (from either direction of the link), else under "Other processes"
    groups: dict[str, GroupEntry] = {}
    for row in _query(kg, _GROUPS):
        group, process = _text(row["group"]), _text(row["process"])
        if process is None:
            continue
        book = _text(row["book"])
        group_link = site.link(group) if group else Link("", "Other processes", "", "")
        entry = groups.setdefault(
            group or "",
            GroupEntry(group_link, _text(row["groupSection"]), site.link(book) if book else None, []),
        )
        if all(p.link.iri != process for p in entry.processes):
            items = sorted(outcomes.get(process, {}).values(), key=lambda o: o.number or 0)
            entry.processes.append(
                ProcessEntry(site.link(process), _text(row["id"]), _text(row["section"]), items)
            )
    placed = {p.link.iri for key, g in groups.items() if key for p in g.processes}
    if "" in groups:  # a process with a group is listed there only
        groups[""].processes = [p for p in groups[""].processes if p.link.iri not in placed]
        if not groups[""].processes:
            del groups[""]
    for entry in groups.values():
        entry.processes.sort(key=lambda p: natural_key(p.section or p.link.label))
    ordered_groups = sorted(
        groups.values(), key=lambda g: (not g.link.iri, natural_key(g.section or g.link.label))
    )

    external: dict[str, list[Link]] = {}
    for row in _query(kg, _EXTERNAL_PROCESSES):
        process = _text(row["process"])
        if process:
            edition = _text(row["edition"]) or ""
            links = external.setdefault(edition, [])
            if site.link(process) not in links:
                links.append(site.link(process))
    external_groups = [
        (site.link(edition) if edition else None, sorted(links, key=lambda link: natural_key(link.label)))
        for edition, links in sorted(external.items(), key=lambda item: natural_key(site.label(item[0])))
    ]

    editions = sorted(
        {(_text(r["edition"]) or ""): r for r in _query(kg, _EDITIONS) if r["edition"] is not None}.items(),
        key=lambda item: natural_key(site.label(item[0])),
    )
    clauses: dict[str, list[Link]] = {}
    for row in _query(kg, _CLAUSES):
        clause = _text(row["clause"])
        if clause:
            clauses.setdefault(_text(row["edition"]) or "", []).append(site.link(clause))
    books = {(_text(r["book"]) or ""): r for r in _query(kg, _BOOKS) if r["book"] is not None}
    mapping_sets = [
        {
            "link": site.link(_text(r["set"]) or ""),
            "description": _text(r["description"]),
            "records": _int(r["records"]),
        }
        for r in _query(kg, _MAPPING_SETS)
        if r["set"] is not None
    ]
    mapping_sets.sort(key=lambda s: natural_key(s["link"].label))
    return {
        "models": list(models.values()),
        "groups": ordered_groups,
        "external_groups": external_groups,
        "editions": [
            {
                "link": site.link(iri),
                "title": _text(row["title"]),
                "document": site.link(_text(row["document"]) or "") if row["document"] else None,
                "clauses": sorted(clauses.get(iri, []), key=lambda link: natural_key(link.label)),
            }
            for iri, row in editions
        ],
        "unplaced_clauses": sorted(clauses.get("", []), key=lambda link: natural_key(link.label)),
        "books": [
            {"link": site.link(iri), "title": _text(row["title"])}
            for iri, row in sorted(books.items(), key=lambda item: natural_key(site.label(item[0])))
        ],
        "mapping_sets": mapping_sets,
        "triples": kg.store.count(),
        "graph_count": len(kg.build_result.manifest.graph_counts),
    }


# ---------------------------------------------------------------- routes


@get_and_head(router, "/", summary="Home page", response_class=Response)
def home(request: Request, kg: KG, settings: Config) -> Response:
    site = Site(request, kg, settings)
    etag = etag_for(kg, "home", site.root)
    if (answer := conditional(request, etag)) is not None:
        return answer
    context = home_context(site)
    return render(
        request, "home.html", {"title": site.data.title, **context}, site=site, headers=cache_headers(etag)
    )


def not_found(request: Request, site: Site, iri: str) -> Response:
    message = f"{iri} is not described in this dataset"
    if wants_html(request):
        return render(
            request,
            "not_found.html",
            {"title": "Not found", "iri": iri, "message": message},
            site=site,
            status_code=404,
        )
    return JSONResponse({"error": message, "status": 404}, status_code=404)


def answer_resource(
    request: Request,
    kg: KnowledgeGraph,
    settings: Settings,
    iri: str,
    description: describing.Description,
    override: str | None,
) -> Response:
    """The resource in the negotiated format, a 304, a 404 or a 406."""
    site = Site(request, kg, settings)
    if not description:
        return not_found(request, site, iri)
    media = negotiate(request, RESOURCE_TYPES, override)
    if media is None:
        return not_acceptable(RESOURCE_TYPES)
    negotiated = override is None  # the same URL answers differently by Accept
    etag = etag_for(kg, "resource", iri, media, site.root)
    if (answer := conditional(request, etag, vary=negotiated)) is not None:
        return answer
    headers = cache_headers(etag, vary=negotiated)
    alternates = [(site.format_url(iri, fmt), media_type) for media_type, fmt in RDF_MEDIA.items()]
    alternates.append((site.format_url(iri, "html"), "text/html"))
    headers["Link"] = ", ".join(f'<{url}>; rel="alternate"; type="{kind}"' for url, kind in alternates)
    if media == "text/html":
        page = resource_page(site, iri, description)
        return render(
            request, "resource.html", {"title": page.title, "page": page}, site=site, headers=headers
        )
    fmt = RDF_MEDIA.get(media, "jsonld")  # application/json: JSON-LD is JSON
    if negotiated:
        headers["Content-Location"] = site.format_url(iri, fmt)
    body = describing.to_rdf(description.triples, fmt, kg.prefixes)
    return Response(body, media_type=media, headers=headers)


@router.get("/static/{name}", include_in_schema=False)
def static(name: str) -> Response:
    """The site's stylesheet (a route, not a mount, so the router stays self-contained)."""
    files = {p.name: p for p in STATIC_DIR.iterdir() if p.is_file()}
    if name not in files:
        return JSONResponse({"error": f"no static file {name!r}", "status": 404}, status_code=404)
    return FileResponse(files[name], headers={"Cache-Control": "public, max-age=3600"})


@get_and_head(
    router,
    "/resource",
    summary="Describe any IRI of the dataset",
    description="HTML or RDF (Turtle, JSON-LD, RDF/XML, N-Triples) by `Accept` or `format`.",
    response_class=Response,
)
def resource_by_iri(
    request: Request,
    iri: Annotated[str, Query(description="the IRI to describe")],
    kg: KG,
    settings: Config,
    format: Annotated[str | None, Query(description="ttl, jsonld, rdfxml, nt or html")] = None,  # noqa: A002
) -> Response:
    if not describing.valid_iri(iri):
        return JSONResponse({"error": f"not an absolute IRI: {iri!r}", "status": 400}, status_code=400)
    return answer_resource(request, kg, settings, iri, describing.describe(kg.store, iri), format)


@get_and_head(
    router,
    "/id/{path:path}",
    summary="Dereference an id/ IRI",
    description="Every `https://w3id.org/itsm-prm/id/…` IRI, by content negotiation; `?format=` or an "
    "extension (`.ttl`, `.jsonld`, `.rdf`, `.nt`, `.html`) picks a representation.",
    response_class=Response,
)
def resource_by_path(
    request: Request,
    path: str,
    kg: KG,
    settings: Config,
    format: Annotated[str | None, Query(description="ttl, jsonld, rdfxml, nt or html")] = None,  # noqa: A002
) -> Response:
    base = settings.base_iri + "id/"
    stem, extension = split_extension(path)
    iri = base + stem
    description = describing.describe(kg.store, iri)
    if extension and not description:  # an IRI may itself end like an extension
        whole = describing.describe(kg.store, base + path)
        if whole:
            iri, description, extension = base + path, whole, None
    override = requested_format(request, extension)
    return answer_resource(request, kg, settings, iri, description, override)
