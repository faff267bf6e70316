"""SSSOM exports of a crosswalk: SSSOM/TSV (YAML metadata block + one row per record) and SSSOM/RDF.

Both follow the SSSOM specification: the predicate is our set-theory relation (``prm:subsetOf``),
"no counterpart" is ``sssom:NoTermFound`` with ``prm:notRelatedTo``, confidence is strength / 10, and
strength, rationale and status travel as declared extension slots (``ext_…``). Derived records name
the records they were chained from in ``see_also`` and carry the justification
``semapv:MappingChaining``. Identifiers are CURIEs in TSV; an IRI no prefix covers fails the export.
SSSOM/RDF is written with rdflib (mappings as ``owl:Axiom`` named by their record IRI, propagatable
slots on every mapping, as the specification recommends for RDF).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import yaml
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, XSD

from itsm_prm.crosswalk.records import (
    PRM,
    SEMAPV,
    SSSOM,
    Crosswalk,
    ExportError,
    MappingRecord,
)

ITSMPRM = "https://w3id.org/itsm-prm/id/"
LINKML = "https://w3id.org/linkml/"
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
PAV = Namespace("http://purl.org/pav/")
SSSOM_NS = Namespace(SSSOM)

#: SSSOM's built-in prefixes: usable without a declaration, and left out of the CURIE map
BUILT_IN_PREFIXES = {
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "semapv": SEMAPV,
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "sssom": SSSOM,
}
#: the prefixes our identifiers need; only those a file uses go into its CURIE map
DECLARED_PREFIXES = {
    "itsmprm": ITSMPRM,
    "linkml": LINKML,
    "prm": PRM,
    "xsd": XSD_NS,
}


@dataclass(frozen=True)
class Extension:
    """A defined SSSOM extension slot."""

    slot_name: str
    property: str  # IRI
    type_hint: str  # IRI
    is_reference: bool  # the value is an identifier (CURIE in TSV, IRI in RDF)


EXTENSIONS = (
    Extension("ext_rationale", PRM + "rationale", LINKML + "Uriorcurie", True),
    Extension("ext_status", PRM + "mappingStatus", LINKML + "Uriorcurie", True),
    Extension("ext_strength", PRM + "strength", XSD_NS + "integer", False),
)  # sorted on their property, as canonical SSSOM/TSV wants

#: the mapping columns in the order of SSSOM's Mapping slots, then the extensions
COLUMNS = (
    "record_id",
    "subject_id",
    "subject_label",
    "subject_category",
    "predicate_id",
    "predicate_label",
    "object_id",
    "object_label",
    "object_category",
    "mapping_justification",
    "author_id",
    "author_label",
    "reviewer_id",
    "reviewer_label",
    "mapping_date",
    "review_date",
    "confidence",
    "mapping_cardinality",
    "see_also",
    "comment",
    *(e.slot_name for e in EXTENSIONS),
)
MULTIVALUED = {"author_id", "author_label", "reviewer_id", "reviewer_label", "see_also"}
PROPAGATABLE = {"mapping_date"}  # of our columns, those a set-level value may stand for


class Curies:
    """IRI ↔ CURIE with a fixed prefix map; remembers which prefixes were used."""

    def __init__(self) -> None:
        self.prefixes = {**BUILT_IN_PREFIXES, **DECLARED_PREFIXES}
        self.used: set[str] = set()

    def curie(self, iri: str, where: str) -> str:
        best = max(
            ((name, ns) for name, ns in self.prefixes.items() if iri.startswith(ns) and len(iri) > len(ns)),
            key=lambda item: len(item[1]),
            default=None,
        )
        if best is None:
            raise ExportError(f"{where}: no prefix for <{iri}>, so it cannot be written as a CURIE")
        self.used.add(best[0])
        return f"{best[0]}:{iri[len(best[1]) :]}"

    def curie_map(self) -> dict[str, str]:
        """The declared (not built-in) prefixes in use, sorted by name."""
        return {name: DECLARED_PREFIXES[name] for name in sorted(self.used) if name in DECLARED_PREFIXES}


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def confidence(record: MappingRecord) -> float | None:
    """SSSOM confidence from the NIST IR 8477 strength (1–10)."""
    return round(record.strength / 10, 3) if record.strength is not None else None


def _comment(record: MappingRecord) -> str:
    notes = " ".join(f"Editorial note: {_one_line(n)}" for n in record.editorial_notes)
    return _one_line(f"{record.comment or ''} {notes}")


def _names(crosswalk: Crosswalk, iris: Iterable[str]) -> list[str]:
    return [crosswalk.agent_names.get(iri, "") for iri in iris]


def _escape_multi(values: Sequence[str]) -> str:
    return "|".join(v.replace("\\", "\\\\").replace("|", "\\|") for v in values)


def _format_number(value: float) -> str:
    return format(value, "g")


def _row(crosswalk: Crosswalk, record: MappingRecord, curies: Curies) -> dict[str, str | list[str]]:
    where = f"mapping record <{record.iri}>"
    row: dict[str, str | list[str]] = {
        "record_id": curies.curie(record.iri, where),
        "subject_id": curies.curie(record.subject.iri, where),
        "subject_label": _one_line(record.subject.label),
        "subject_category": record.subject.kind,
        "predicate_id": curies.curie(record.predicate, where),
        "predicate_label": record.relation.words,
        "object_id": curies.curie(record.object_iri, where),
        "object_label": _one_line(record.object.label) if record.object else "",
        "object_category": record.object.kind if record.object else "",
        "mapping_justification": curies.curie(record.justification, where),
        "author_id": [curies.curie(a, where) for a in record.authors],
        "author_label": [n for n in _names(crosswalk, record.authors) if n],
        "reviewer_id": [curies.curie(a, where) for a in record.reviewers],
        "reviewer_label": [n for n in _names(crosswalk, record.reviewers) if n],
        "mapping_date": record.date or "",
        "review_date": record.review_date or "",
        "confidence": _format_number(c) if (c := confidence(record)) is not None else "",
        "mapping_cardinality": record.cardinality or "",
        "see_also": list(record.derived_from),  # NonRelativeURI: full IRIs
        "comment": _comment(record),
        "ext_rationale": curies.curie(record.rationale, where) if record.rationale else "",
        "ext_status": curies.curie(record.status, where) if record.status else "",
        "ext_strength": str(record.strength) if record.strength is not None else "",
    }
    if len(row["author_label"]) != len(record.authors):
        row["author_label"] = []  # labels only when every author has one, so the lists line up
    if len(row["reviewer_label"]) != len(record.reviewers):
        row["reviewer_label"] = []
    return row


def _set_metadata(crosswalk: Crosswalk, curies: Curies) -> dict[str, object]:
    info = crosswalk.mapping_set
    where = f"mapping set <{info.iri}>"
    creators = [curies.curie(c, where) for c in info.creators]
    creator_names = _names(crosswalk, info.creators)
    cited_iris = [s for s in info.cited_sources if s.startswith(("http://", "https://"))]
    cited_text = [s for s in info.cited_sources if s not in cited_iris]
    comment = " ".join(
        part
        for part in (
            "Derived through the ISO/IEC 20000-1 edition crosswalk, then reviewed."
            if crosswalk.target.derived
            else "",
            f"Sources: {'; '.join(cited_text)}." if cited_text else "",
            f"Exported from itsm-prm dataset {crosswalk.dataset_key[:12]}.",
        )
        if part
    )
    meta: dict[str, object] = {
        "mapping_set_id": info.iri,
        "mapping_set_version": crosswalk.dataset_version,
        "mapping_set_source": list(info.derived_from),
        "mapping_set_title": info.title,
        "mapping_set_description": info.description,
        "creator_id": creators,
        "creator_label": creator_names if all(creator_names) else [],
        "license": info.license,
        "subject_source": curies.curie(info.subject_source.iri, where),
        "subject_source_version": info.subject_source.version,
        "object_source": curies.curie(info.object_source.iri, where),
        "object_source_version": info.object_source.version,
        "see_also": cited_iris,
        "comment": comment,
    }
    if not info.license:
        raise ExportError(f"{where} has no licence (SSSOM requires one)")
    return {k: v for k, v in meta.items() if v not in (None, "", [])}


def sssom_table(
    crosswalk: Crosswalk,
) -> tuple[dict[str, object], list[str], list[dict[str, str | list[str]]]]:
    """The metadata block (as a mapping) and the rows: shared by the TSV writer and the tests."""
    curies = Curies()
    rows = [_row(crosswalk, r, curies) for r in crosswalk.records]
    meta = _set_metadata(crosswalk, curies)
    columns = [c for c in COLUMNS if any(row[c] not in ("", []) for row in rows)]  # no empty columns
    for column in [c for c in columns if c in PROPAGATABLE]:  # condense a value every row shares
        values = {str(row[column]) for row in rows}
        if len(values) == 1 and "" not in values:
            meta[column] = values.pop()
            columns.remove(column)
    extensions = [e for e in EXTENSIONS if e.slot_name in columns]
    for e in extensions:  # the definitions' own CURIEs need their prefixes declared too
        curies.curie(e.property, "extension definitions")
        curies.curie(e.type_hint, "extension definitions")
    ordered: dict[str, object] = {"curie_map": curies.curie_map(), **meta}
    if extensions:
        ordered["extension_definitions"] = [
            {
                "slot_name": e.slot_name,
                "property": curies.curie(e.property, "extension definitions"),
                "type_hint": curies.curie(e.type_hint, "extension definitions"),
            }
            for e in extensions
        ]
    return ordered, columns, rows


def to_sssom_tsv(crosswalk: Crosswalk) -> bytes:
    """SSSOM/TSV: the ``#``-prefixed YAML metadata block, then a header line and one row per record."""
    meta, columns, rows = sssom_table(crosswalk)
    header = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, default_flow_style=False, width=10_000)
    out = io.StringIO()
    out.writelines(f"#{line}\n" for line in header.splitlines())
    writer = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_escape_multi(v) if isinstance(v, list) else v for v in (row[c] for c in columns)])
    return out.getvalue().encode("utf-8")


# ---------------------------------------------------------------- SSSOM/RDF


def to_sssom_rdf(crosswalk: Crosswalk) -> bytes:
    """SSSOM/RDF as Turtle: the set (``sssom:MappingSet``) and one ``owl:Axiom`` per record."""
    meta, columns, _rows = sssom_table(crosswalk)  # the same checks (CURIEs, licence) as the TSV
    info = crosswalk.mapping_set
    g = Graph(bind_namespaces="none")
    for name, ns in {
        **BUILT_IN_PREFIXES,
        **DECLARED_PREFIXES,
        "dcterms": str(DCTERMS),
        "pav": str(PAV),
        "prov": "http://www.w3.org/ns/prov#",
    }.items():
        g.bind(name, Namespace(ns))

    mapping_set = URIRef(info.iri)
    g.add((mapping_set, RDF.type, SSSOM_NS.MappingSet))
    g.add((mapping_set, DCTERMS.title, Literal(info.title)))
    if info.description:
        g.add((mapping_set, DCTERMS.description, Literal(info.description)))
    g.add((mapping_set, DCTERMS.license, URIRef(str(meta["license"]))))
    g.add((mapping_set, OWL.versionInfo, Literal(crosswalk.dataset_version)))
    for iri in info.derived_from:
        g.add((mapping_set, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"), URIRef(iri)))
    for iri in info.creators:
        g.add((mapping_set, DCTERMS.creator, URIRef(iri)))
    for label in meta.get("creator_label", []):  # type: ignore[union-attr]
        g.add((mapping_set, SSSOM_NS.creator_label, Literal(label)))
    for iri in meta.get("see_also", []):  # type: ignore[union-attr]
        g.add((mapping_set, RDFS.seeAlso, URIRef(iri)))
    g.add((mapping_set, RDFS.comment, Literal(str(meta["comment"]))))
    for e in (e for e in EXTENSIONS if e.slot_name in columns):
        definition = BNode(f"extension-{e.slot_name}")
        g.add((mapping_set, SSSOM_NS.extension_definitions, definition))
        g.add((definition, RDF.type, SSSOM_NS.ExtensionDefinition))
        g.add((definition, SSSOM_NS.slot_name, Literal(e.slot_name)))
        g.add((definition, SSSOM_NS.property, URIRef(e.property)))
        g.add((definition, SSSOM_NS.type_hint, URIRef(e.type_hint)))

    for record in crosswalk.records:
        m = URIRef(record.iri)
        g.add((mapping_set, SSSOM_NS.mappings, m))
        g.add((m, RDF.type, OWL.Axiom))
        g.add((m, OWL.annotatedSource, URIRef(record.subject.iri)))
        g.add((m, OWL.annotatedProperty, URIRef(record.predicate)))
        g.add((m, OWL.annotatedTarget, URIRef(record.object_iri)))
        g.add((m, SSSOM_NS.subject_label, Literal(record.subject.label)))
        g.add((m, SSSOM_NS.subject_category, Literal(record.subject.kind)))
        g.add((m, SSSOM_NS.predicate_label, Literal(record.relation.words)))
        if record.object is not None:
            g.add((m, SSSOM_NS.object_label, Literal(record.object.label)))
            g.add((m, SSSOM_NS.object_category, Literal(record.object.kind)))
        g.add((m, SSSOM_NS.mapping_justification, URIRef(record.justification)))
        for author in record.authors:
            g.add((m, PAV.authoredBy, URIRef(author)))
            if author in crosswalk.agent_names:
                g.add((m, SSSOM_NS.author_label, Literal(crosswalk.agent_names[author])))
        for reviewer in record.reviewers:
            g.add((m, SSSOM_NS.reviewer_id, URIRef(reviewer)))
            if reviewer in crosswalk.agent_names:
                g.add((m, SSSOM_NS.reviewer_label, Literal(crosswalk.agent_names[reviewer])))
        if record.date:
            g.add((m, DCTERMS.created, Literal(record.date, datatype=XSD.date)))
        if record.review_date:
            g.add((m, SSSOM_NS.review_date, Literal(record.review_date, datatype=XSD.date)))
        if (c := confidence(record)) is not None:
            g.add((m, SSSOM_NS.confidence, Literal(c, datatype=XSD.double)))
        if record.cardinality:
            g.add((m, SSSOM_NS.mapping_cardinality, Literal(record.cardinality)))
        for iri in record.derived_from:
            g.add((m, RDFS.seeAlso, URIRef(iri)))
        if comment := _comment(record):
            g.add((m, RDFS.comment, Literal(comment)))
        # propagated: every mapping carries the sources and versions the set pins
        g.add((m, SSSOM_NS.subject_source, URIRef(info.subject_source.iri)))
        g.add((m, SSSOM_NS.object_source, URIRef(info.object_source.iri)))
        if info.subject_source.version:
            g.add((m, SSSOM_NS.subject_source_version, Literal(info.subject_source.version)))
        if info.object_source.version:
            g.add((m, SSSOM_NS.object_source_version, Literal(info.object_source.version)))
        if record.rationale:
            g.add((m, URIRef(PRM + "rationale"), URIRef(record.rationale)))
        if record.status:
            g.add((m, URIRef(PRM + "mappingStatus"), URIRef(record.status)))
        if record.strength is not None:
            g.add((m, URIRef(PRM + "strength"), Literal(record.strength, datatype=XSD.integer)))
    return g.serialize(format="turtle", encoding="utf-8")
