"""The crosswalk as an OSCAL mapping collection (OSCAL 1.2 control mapping model), as JSON.

One ``mapping`` from the model (source resource) to the target edition (target resource); one ``map``
per record, with the relationship token (``equal-to``, ``subset-of``, …), the matching rationale, the
model's process (``control``) or outcome (``statement``) as source and the clause or practice as target.
Records that say the model's element has no counterpart go to the mapping's ``source-gap-summary``
(and keep their reason as a property). Strength, status, justification, cardinality and derivation are
properties in our namespace; OSCAL's confidence score is left out, as the strength is not a probability.
UUIDs are version-5 UUIDs of IRIs, so the same data always gives the same document.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from typing import Any

from itsm_prm.crosswalk.records import PRM, Crosswalk, ExportError, MappingRecord, local_name, term_words

OSCAL_VERSION = "1.2.0"
PROPS_NS = PRM  # our properties' namespace: the ontology's
STATUS_TOKENS = {  # prm:mappingStatus → OSCAL provenance status
    "StatusDraft": "draft",
    "StatusComplete": "complete",
    "StatusNotComplete": "not-complete",
    "StatusDeprecated": "deprecated",
    "StatusSuperseded": "superseded",
}


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "#".join(parts)))


def _prop(name: str, value: str | int, remarks: str | None = None) -> dict[str, Any]:
    prop: dict[str, Any] = {"name": name, "ns": PROPS_NS, "value": " ".join(str(value).split())}
    if remarks:
        prop["remarks"] = remarks
    return prop


def _rationale(record: MappingRecord) -> str | None:
    return term_words(record.rationale, "Rationale") or None


def _status(iri: str | None) -> str | None:
    return STATUS_TOKENS.get(local_name(iri)) if iri else None


def _map(record: MappingRecord) -> dict[str, Any]:
    assert record.object is not None
    props = [_prop("record", record.iri), _prop("justification", record.justification)]
    if record.strength is not None:
        props.append(_prop("strength", record.strength))
    if status := _status(record.status):
        props.append(_prop("status", status))
    if record.cardinality:
        props.append(_prop("cardinality", record.cardinality))
    props += [_prop("derived-from", iri) for iri in record.derived_from]
    entry: dict[str, Any] = {
        "uuid": _uuid(record.iri),
        "relationship": record.relation.oscal,
        "sources": [
            {
                "type": "control" if record.subject.kind == "process" else "statement",
                "id-ref": record.subject.id,
            }
        ],
        "targets": [{"type": "control", "id-ref": record.object.id}],
        "props": props,
    }
    if rationale := _rationale(record):
        entry["matching-rationale"] = rationale
    remarks = " ".join((record.comment or "", *record.editorial_notes)).strip()
    if remarks:
        entry["remarks"] = remarks
    return entry


def mapping_collection(crosswalk: Crosswalk) -> dict[str, Any]:
    """The OSCAL document as a JSON-ready mapping (``{"mapping-collection": {...}}``)."""
    info = crosswalk.mapping_set
    records = crosswalk.records
    mapped = [r for r in records if r.object is not None]
    unmatched = [r for r in records if r.object is None]
    if not mapped:  # OSCAL wants at least one map
        raise ExportError(
            f"mapping set <{info.iri}> has no record with a counterpart to write as an OSCAL map"
        )
    rationales = Counter(x for r in records if (x := _rationale(r)))
    statuses = {_status(r.status) for r in records}
    # the set's status: the records' common status, else "not-complete"
    status = statuses.pop() if len(statuses) == 1 and None not in statuses else "not-complete"
    last = crosswalk.last_modified or "1970-01-01"
    metadata: dict[str, Any] = {
        "title": info.title,
        "last-modified": f"{last}T00:00:00Z",
        "version": crosswalk.dataset_version,
        "oscal-version": OSCAL_VERSION,
        "props": [_prop("mapping-set", info.iri)],
    }
    if info.license:
        metadata["links"] = [{"href": info.license, "rel": "license"}]
    remarks = [f"Exported from itsm-prm dataset {crosswalk.dataset_key[:12]}."]
    if crosswalk.target.derived:
        remarks.insert(0, "Derived through the ISO/IEC 20000-1 edition crosswalk, then reviewed.")
    metadata["remarks"] = " ".join(remarks)
    mapping: dict[str, Any] = {
        "uuid": _uuid(info.iri),
        "source-resource": {"type": "catalog", "href": info.subject_source.iri},
        "target-resource": {"type": "catalog", "href": info.object_source.iri},
        "maps": [_map(r) for r in mapped],
    }
    if unmatched:
        mapping["source-gap-summary"] = {
            "uuid": _uuid(info.iri, "source-gap-summary"),
            "unmapped-controls": [{"with-ids": list(dict.fromkeys(r.subject.id for r in unmatched))}],
        }
        mapping["props"] = [_prop("no-counterpart", r.subject.id, r.comment) for r in unmatched]
    provenance: dict[str, Any] = {
        "method": "human",
        "matching-rationale": rationales.most_common(1)[0][0] if rationales else "semantic",
        "status": status,
        "mapping-description": info.description or info.title,
    }
    collection = {
        "uuid": _uuid(info.iri, "oscal-mapping-collection", crosswalk.dataset_key),
        "metadata": metadata,
        "provenance": provenance,
        "mappings": [mapping],
    }
    return {"mapping-collection": collection}


def to_oscal_json(crosswalk: Crosswalk) -> bytes:
    return json.dumps(mapping_collection(crosswalk), indent=2, ensure_ascii=False).encode("utf-8") + b"\n"
