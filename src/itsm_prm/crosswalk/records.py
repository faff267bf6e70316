"""A target's mapping records, read from the graph and checked before any export writes them.

:func:`read_crosswalk` runs one SPARQL query for the records of a target's mapping set (the set is
bound by the engine, never pasted into the text) and a few small ones for the set's metadata. Every
record must resolve: its subject is a process or outcome of the model with a label, its object a
clause or practice of the target's edition, or ``sssom:NoTermFound`` with "not related to". A record
that does not resolve makes the whole read fail with :class:`ExportError` naming the record and the
ID at fault — an export never drops a row silently.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from itsm_prm.crosswalk.targets import Target
from itsm_prm.errors import ItsmPrmError, UserError
from itsm_prm.prefixes import PRM_NAMESPACE
from itsm_prm.terms import QueryResult, Term

if TYPE_CHECKING:
    from itsm_prm.knowledge_graph import KnowledgeGraph

PRM = PRM_NAMESPACE
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
OWL = "http://www.w3.org/2002/07/owl#"
FOAF = "http://xmlns.com/foaf/0.1/"
PAV = "http://purl.org/pav/"
PROV = "http://www.w3.org/ns/prov#"
SSSOM = "https://w3id.org/sssom/"
SEMAPV = "https://w3id.org/semapv/vocab/"
NO_TERM_FOUND = SSSOM + "NoTermFound"
MAPPING_CHAINING = SEMAPV + "MappingChaining"


class ExportError(ItsmPrmError):
    """The mapping records cannot be exported as they are (a data error: an ID that does not resolve,
    a record missing a required part). The message names the record and what is wrong."""


class MappingSetMissing(UserError):
    """The target is known, but the dataset holds no mapping set for it (yet)."""


@dataclass(frozen=True)
class Relation:
    """One NIST IR 8477 set-theory relation and how each export format writes it."""

    iri: str
    words: str  # as GRC spreadsheets write it
    oscal: str  # OSCAL mapping-collection relationship token
    coverage: str  # the coverage rule: full, partial or none
    meaning: str  # one line, our words


RELATIONS: dict[str, Relation] = {
    r.iri: r
    for r in (
        Relation(PRM + "equalTo", "equal", "equal-to", "full", "the two elements cover the same ground"),
        Relation(
            PRM + "supersetOf",
            "superset of",
            "superset-of",
            "full",
            "the model's element covers everything the target element covers, and more",
        ),
        Relation(
            PRM + "subsetOf",
            "subset of",
            "subset-of",
            "partial",
            "everything the model's element covers the target element covers too, and the target covers more",
        ),
        Relation(
            PRM + "intersectsWith",
            "intersects with",
            "intersects-with",
            "partial",
            "the two share some ground and each covers something the other does not",
        ),
        Relation(
            PRM + "notRelatedTo",
            "not related",
            "no-relationship",
            "none",
            "the two share no ground; with no target element, the model's element has no counterpart",
        ),
    )
}

COVERAGE_RULE = (
    "A target element is fully covered when some element of the model is equal to it or a superset of it, "
    "partially covered when the best relation is subset of or intersects with, and not covered otherwise."
)


@dataclass(frozen=True)
class Element:
    """One side of a mapping: a process or outcome of the model, or a clause or practice of the target."""

    iri: str
    id: str  # CHAN, CHAN.5, 8.5.1, incident-management
    label: str
    kind: str  # process, outcome, clause, practice
    text: str | None = None  # subject: the model's purpose or outcome statement; object: our paraphrase


@dataclass(frozen=True)
class MappingRecord:
    """One record of a mapping set, with everything an export writes about it."""

    iri: str
    label: str | None
    subject: Element
    predicate: str
    object: Element | None  # None: sssom:NoTermFound, the subject has no counterpart
    justification: str
    rationale: str | None
    strength: int | None
    status: str | None
    authors: tuple[str, ...]
    date: str | None
    reviewers: tuple[str, ...]
    review_date: str | None
    cardinality: str | None
    comment: str | None
    editorial_notes: tuple[str, ...]
    subject_source: str | None
    object_source: str | None
    derived_from: tuple[str, ...]  # prov:wasDerivedFrom: the records this one was chained from
    sort_key: tuple[object, ...]

    @property
    def relation(self) -> Relation:
        return RELATIONS[self.predicate]

    @property
    def object_iri(self) -> str:
        return self.object.iri if self.object is not None else NO_TERM_FOUND

    @property
    def derived(self) -> bool:
        """Derived through another mapping rather than curated directly."""
        return bool(self.derived_from) or self.justification == MAPPING_CHAINING


@dataclass(frozen=True)
class Source:
    """The model or a standard edition a mapping set joins, with the version SSSOM pins."""

    iri: str
    label: str
    version: str | None


@dataclass(frozen=True)
class MappingSetInfo:
    """The mapping set's own metadata."""

    iri: str
    title: str
    description: str | None
    license: str | None
    creators: tuple[str, ...]
    cited_sources: tuple[str, ...]  # dcterms:source, IRIs or citations as text
    derived_from: tuple[str, ...]
    subject_source: Source
    object_source: Source


@dataclass(frozen=True)
class Crosswalk:
    """A target's mapping set and its records, resolved and in a stable order."""

    target: Target
    mapping_set: MappingSetInfo
    records: tuple[MappingRecord, ...]
    agent_names: dict[str, str]  # author, reviewer and creator IRIs → names
    dataset_version: str
    dataset_key: str

    @property
    def last_modified(self) -> str | None:
        """The latest authoring or review date of any record (ISO 8601 date)."""
        dates = [d for r in self.records for d in (r.date, r.review_date) if d]
        return max(dates) if dates else None


# One row per value combination of a record; folded per record in Python so that repeated or
# conflicting values are seen (and refused) rather than silently picked by the engine.
RECORDS_QUERY = f"""
PREFIX prm: <{PRM}>
PREFIX rdfs: <{RDFS}>
PREFIX skos: <{SKOS}>
PREFIX dcterms: <{DCTERMS}>
PREFIX pav: <{PAV}>
PREFIX prov: <{PROV}>
SELECT ?set ?record ?recordLabel ?subject ?predicate ?object ?justification ?rationale ?strength
       ?status ?author ?date ?reviewer ?reviewDate ?cardinality ?comment ?editorialNote
       ?subjectSource ?objectSource ?derivedFrom
       ?subjectKind ?subjectId ?subjectName ?subjectLabel ?subjectText ?section ?outcomeNumber
       ?objectEdition ?objectKind ?objectNumber ?objectNotation ?objectTitle ?objectLabel ?objectParaphrase
WHERE {{
  ?record prm:inMappingSet ?set .
  OPTIONAL {{ ?record rdfs:label ?recordLabel }}
  OPTIONAL {{ ?record prm:mappingPredicate ?predicate }}
  OPTIONAL {{ ?record prm:justification ?justification }}
  OPTIONAL {{ ?record prm:rationale ?rationale }}
  OPTIONAL {{ ?record prm:strength ?strength }}
  OPTIONAL {{ ?record prm:mappingStatus ?status }}
  OPTIONAL {{ ?record pav:authoredBy ?author }}
  OPTIONAL {{ ?record pav:authoredOn ?date }}
  OPTIONAL {{ ?record pav:curatedBy ?reviewer }}
  OPTIONAL {{ ?record pav:curatedOn ?reviewDate }}
  OPTIONAL {{ ?record prm:mappingCardinality ?cardinality }}
  OPTIONAL {{ ?record rdfs:comment ?comment }}
  OPTIONAL {{ ?record skos:editorialNote ?editorialNote }}
  OPTIONAL {{ ?record prm:subjectSource ?subjectSource }}
  OPTIONAL {{ ?record prm:objectSource ?objectSource }}
  OPTIONAL {{ ?record prov:wasDerivedFrom ?derivedFrom }}
  OPTIONAL {{
    ?record prm:mappingSubject ?subject .
    OPTIONAL {{ ?subject a prm:Process . BIND ("process" AS ?subjectKind) }}
    OPTIONAL {{ ?subject a prm:Outcome . BIND ("outcome" AS ?subjectKind) }}
    OPTIONAL {{ ?subject prm:processId ?subjectId }}
    OPTIONAL {{ ?subject skos:notation ?subjectId }}
    OPTIONAL {{ ?subject prm:processName ?subjectName }}
    OPTIONAL {{ ?subject rdfs:label ?subjectLabel }}
    OPTIONAL {{ ?subject prm:statement ?subjectText }}
    OPTIONAL {{ ?purpose prm:purposeOf ?subject ; prm:statement ?subjectText }}
    OPTIONAL {{ ?subject prm:sectionNumber ?section }}
    OPTIONAL {{ ?subject prm:outcomeOf/prm:sectionNumber ?section }}
    OPTIONAL {{ ?subject prm:outcomeNumber ?outcomeNumber }}
  }}
  OPTIONAL {{
    ?record prm:mappingObject ?object .
    OPTIONAL {{ ?object prm:inEdition ?objectEdition }}
    OPTIONAL {{ ?object a prm:Clause . BIND ("clause" AS ?objectKind) }}
    OPTIONAL {{ ?object a prm:ManagementPractice . BIND ("practice" AS ?objectKind) }}
    OPTIONAL {{ ?object prm:clauseNumber ?objectNumber }}
    OPTIONAL {{ ?object skos:notation ?objectNotation }}
    OPTIONAL {{ ?object dcterms:title ?objectTitle }}
    OPTIONAL {{ ?object rdfs:label ?objectLabel }}
    OPTIONAL {{ ?object prm:paraphrase ?objectParaphrase }}
  }}
}}
"""

# The properties of one resource (the set, its sources, its agents): a handful of triples each.
DESCRIBE_QUERY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"


def local_name(iri: str | None) -> str:
    """``…ontology#SemanticRationale`` → ``SemanticRationale``."""
    return (iri or "").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def term_words(iri: str | None, suffix: str = "") -> str:
    """A term's local name in words: ``prm:SemanticRationale`` → ``semantic`` (with ``suffix`` "Rationale"),
    ``prm:StatusNotComplete`` → ``not complete``."""
    name = local_name(iri).removesuffix(suffix).removeprefix("Status")
    return "".join(f" {c.lower()}" if c.isupper() else c for c in name).strip()


def _rows(result: object) -> list[dict[str, Term | None]]:
    assert isinstance(result, QueryResult)
    return result.rows


def _natural(text: str) -> tuple[object, ...]:
    """Sort key in which ``6.10`` follows ``6.9`` and ``IV.1.10`` follows ``IV.1.9``."""
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


def _preferred(literals: Iterable[Term]) -> str | None:
    """The English (or untagged) text first, then any other; ties broken by the text itself."""
    ranked = sorted(literals, key=lambda t: (0 if t.lang in (None, "en") else 1, t.value))
    return ranked[0].value if ranked else None


class _Values:
    """The values one record's rows give each variable, de-duplicated, in first-seen order."""

    def __init__(self, record: str) -> None:
        self.record = record
        self.values: dict[str, dict[Term, None]] = defaultdict(dict)

    def add(self, row: dict[str, Term | None]) -> None:
        for name, term in row.items():
            if term is not None:
                self.values[name][term] = None

    def all(self, name: str) -> list[Term]:
        return list(self.values.get(name, {}))

    def one(self, name: str, what: str, *, required: bool = False) -> Term | None:
        """The single value of a variable; two different values is a data error, so is none if required."""
        terms = self.all(name)
        if len(terms) > 1:
            shown = ", ".join(sorted(t.value for t in terms))
            raise ExportError(f"mapping record <{self.record}> has {len(terms)} values for {what}: {shown}")
        if not terms and required:
            raise ExportError(f"mapping record <{self.record}> has no {what}")
        return terms[0] if terms else None


def _text(term: Term | None) -> str | None:
    return term.value if term is not None else None


def _subject(values: _Values, record: str) -> tuple[Element, tuple[object, ...]]:
    subject = values.one("subject", "subject", required=True)
    assert subject is not None
    kinds = {t.value for t in values.all("subjectKind")}
    ids = values.all("subjectId")
    label = _preferred(values.all("subjectName")) or _preferred(values.all("subjectLabel"))
    if len(kinds) != 1 or not ids or not label:
        missing = "is not a process or outcome of the model" if len(kinds) != 1 else "has no ID or label"
        raise ExportError(
            f"mapping record <{record}>: subject <{subject.value}> does not resolve (it {missing})"
        )
    kind = kinds.pop()
    section = _text(values.one("section", "process section number")) or ""
    number = values.one("outcomeNumber", "outcome number")
    key = (_natural(section), int(number.value) if number is not None else 0)
    return Element(
        subject.value, sorted(t.value for t in ids)[0], label, kind, _preferred(values.all("subjectText"))
    ), key


def _object(values: _Values, record: str, predicate: str, target: Target) -> Element | None:
    obj = values.one("object", "object", required=True)
    assert obj is not None
    if obj.value == NO_TERM_FOUND:
        if predicate != PRM + "notRelatedTo":
            raise ExportError(
                f"mapping record <{record}>: sssom:NoTermFound (no counterpart) goes only with "
                f"'not related to', not <{predicate}>"
            )
        return None
    editions = {t.value for t in values.all("objectEdition")}
    if target.edition not in editions:
        where = f"is in {', '.join(sorted(editions))}" if editions else "is not in the dataset"
        raise ExportError(
            f"mapping record <{record}>: object <{obj.value}> does not resolve in {target.label} (it {where})"
        )
    number = values.one("objectNumber", "clause number") or values.one("objectNotation", "object notation")
    object_id = number.value if number is not None else obj.value.rstrip("/").rsplit("/", 1)[-1]
    title = _preferred(values.all("objectTitle")) or _preferred(values.all("objectLabel"))
    if not title:
        raise ExportError(f"mapping record <{record}>: object <{obj.value}> has no title or label")
    kinds = sorted(t.value for t in values.all("objectKind"))
    kind = kinds[0] if kinds else target.element_kind
    return Element(obj.value, object_id, title, kind, _preferred(values.all("objectParaphrase")))


def _record(values: _Values, target: Target) -> MappingRecord:
    record = values.record
    predicate_term = values.one("predicate", "relation (prm:mappingPredicate)", required=True)
    assert predicate_term is not None
    predicate = predicate_term.value
    if predicate not in RELATIONS:
        raise ExportError(f"mapping record <{record}>: <{predicate}> is not a set-theory relation")
    justification = values.one("justification", "justification", required=True)
    assert justification is not None
    subject, subject_key = _subject(values, record)
    obj = _object(values, record, predicate, target)
    strength = values.one("strength", "strength")
    if strength is not None and not strength.value.isdigit():
        raise ExportError(f"mapping record <{record}>: strength {strength.value!r} is not a whole number")
    object_key = _natural(obj.id) if obj is not None else (("~",),)  # no counterpart after the mappings
    return MappingRecord(
        iri=record,
        label=_preferred(values.all("recordLabel")),
        subject=subject,
        predicate=predicate,
        object=obj,
        justification=justification.value,
        rationale=_text(values.one("rationale", "rationale")),
        strength=int(strength.value) if strength is not None else None,
        status=_text(values.one("status", "status")),
        authors=tuple(sorted(t.value for t in values.all("author"))),
        date=_text(values.one("date", "authoring date")),
        reviewers=tuple(sorted(t.value for t in values.all("reviewer"))),
        review_date=_text(values.one("reviewDate", "review date")),
        cardinality=_text(values.one("cardinality", "cardinality")),
        comment=_preferred(values.all("comment")),
        editorial_notes=tuple(sorted(t.value for t in values.all("editorialNote"))),
        subject_source=_text(values.one("subjectSource", "subject source")),
        object_source=_text(values.one("objectSource", "object source")),
        derived_from=tuple(sorted(t.value for t in values.all("derivedFrom"))),
        sort_key=(subject_key, object_key, record),
    )


def _describe(kg: KnowledgeGraph, iri: str) -> dict[str, list[Term]]:
    properties: dict[str, dict[Term, None]] = defaultdict(dict)
    for row in _rows(kg.query(DESCRIBE_QUERY, s=Term.iri(iri))):
        if row["p"] is not None and row["o"] is not None:
            properties[row["p"].value][row["o"]] = None
    return {p: list(values) for p, values in properties.items()}


def _source(kg: KnowledgeGraph, iri: str | None, what: str, set_iri: str) -> Source:
    if iri is None:
        raise ExportError(f"mapping set <{set_iri}> names no {what}")
    props = _describe(kg, iri)
    label = _preferred(props.get(RDFS + "label", [])) or _preferred(props.get(DCTERMS + "title", []))
    if not label:
        raise ExportError(f"mapping set <{set_iri}>: its {what} <{iri}> does not resolve")
    version = _preferred(props.get(OWL + "versionInfo", []))
    if version is None and (issued := _preferred(props.get(DCTERMS + "issued", []))):
        version = issued[:4]  # the edition's year: ISO/IEC 20000-1:2005 → 2005
    return Source(iri, label, version)


def _set_info(kg: KnowledgeGraph, target: Target) -> MappingSetInfo:
    props = _describe(kg, target.mapping_set)
    if PRM + "MappingSet" not in {t.value for t in props.get(RDF_TYPE, [])}:
        raise MappingSetMissing(
            f"no mapping set <{target.mapping_set}> for {target.label} in the dataset (yet)"
        )

    def iris(prop: str) -> tuple[str, ...]:
        return tuple(sorted(t.value for t in props.get(prop, []) if t.kind == "iri"))

    subject_sources, object_sources = iris(PRM + "subjectSource"), iris(PRM + "objectSource")
    object_source = _source(
        kg, object_sources[0] if object_sources else None, "object source", target.mapping_set
    )
    if object_source.iri != target.edition:
        raise ExportError(
            f"mapping set <{target.mapping_set}> maps to <{object_source.iri}>, not to {target.label}"
        )
    return MappingSetInfo(
        iri=target.mapping_set,
        title=_preferred(props.get(RDFS + "label", [])) or target.slug,
        description=_preferred(props.get(DCTERMS + "description", [])),
        license=next(iter(iris(DCTERMS + "license")), None),
        creators=iris(DCTERMS + "creator"),
        cited_sources=tuple(sorted(t.value for t in props.get(DCTERMS + "source", []))),
        derived_from=iris(PROV + "wasDerivedFrom"),
        subject_source=_source(
            kg, subject_sources[0] if subject_sources else None, "subject source", target.mapping_set
        ),
        object_source=object_source,
    )


def _agent_names(kg: KnowledgeGraph, iris: Iterable[str]) -> dict[str, str]:
    names = {}
    for iri in sorted(set(iris)):
        props = _describe(kg, iri)
        name = _preferred(props.get(FOAF + "name", [])) or _preferred(props.get(RDFS + "label", []))
        if name:
            names[iri] = name
    return names


def read_crosswalk(kg: KnowledgeGraph, target: Target) -> Crosswalk:
    """Every record of the target's mapping set, resolved; :class:`ExportError` if any does not resolve,
    :class:`MappingSetMissing` if the dataset has no such set."""
    info = _set_info(kg, target)
    grouped: dict[str, _Values] = {}
    for row in _rows(kg.query(RECORDS_QUERY, set=Term.iri(target.mapping_set))):
        record = row["record"]
        if record is None:
            continue
        grouped.setdefault(record.value, _Values(record.value)).add(row)
    if not grouped:
        raise ExportError(f"mapping set <{target.mapping_set}> holds no mapping records")
    records = sorted((_record(values, target) for values in grouped.values()), key=lambda r: r.sort_key)
    for r in records:  # the set pins its editions; a record must not say otherwise
        for mine, theirs, what in (
            (r.subject_source, info.subject_source.iri, "subject source"),
            (r.object_source, info.object_source.iri, "object source"),
        ):
            if mine is not None and mine != theirs:
                raise ExportError(
                    f"mapping record <{r.iri}>: its {what} <{mine}> differs from the set's <{theirs}>"
                )
    agents = [a for r in records for a in (*r.authors, *r.reviewers)] + list(info.creators)
    manifest = kg.build_result.manifest
    return Crosswalk(
        target=target,
        mapping_set=info,
        records=tuple(records),
        agent_names=_agent_names(kg, agents),
        dataset_version=manifest.version,
        dataset_key=manifest.key,
    )
