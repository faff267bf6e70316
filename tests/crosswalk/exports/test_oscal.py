"""The OSCAL mapping collection loads with compliance-trestle's pydantic models and holds every record:
as a map, or (no counterpart) in the source gap summary; UUIDs are reproducible."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from trestle.oscal.mapping import Model

from itsm_prm.crosswalk.oscal import mapping_collection
from itsm_prm.crosswalk.records import Crosswalk
from itsm_prm.crosswalk.targets import Target
from tests.crosswalk.exports.conftest import PRESENT, target_ids

pytestmark = pytest.mark.parametrize("target", PRESENT, ids=target_ids(PRESENT))


def test_loads_with_trestle_and_holds_every_record(
    target: Target, crosswalks: dict[str, Crosswalk], exported: dict[tuple[str, str], Path]
) -> None:
    crosswalk = crosswalks[target.key]
    model = Model.model_validate(json.loads(exported[(target.key, "oscal-json")].read_text(encoding="utf-8")))
    collection = model.mapping_collection
    assert collection.metadata.oscal_version.root.root.startswith("1.2")
    assert collection.provenance.method == "human"
    (mapping,) = collection.mappings if isinstance(collection.mappings, list) else [collection.mappings]
    assert mapping.target_resource.href == target.edition
    records = [r for r in crosswalk.records if r.object is not None]
    maps = {m.uuid: m for m in mapping.maps}
    assert len(maps) == len(mapping.maps) == len(records)
    for r in records:
        m = maps[str(uuid.uuid5(uuid.NAMESPACE_URL, r.iri))]
        assert m.relationship == r.relation.oscal
        assert [(s.type, s.id_ref) for s in m.sources] == [
            ("control" if r.subject.kind == "process" else "statement", r.subject.id)
        ]
        assert [t.id_ref for t in m.targets] == [r.object.id]
        props = {p.name: p.value for p in m.props}
        assert props["record"] == r.iri and props["strength"] == str(r.strength)
    unmatched = sorted({r.subject.id for r in crosswalk.records if r.object is None})
    gap = mapping.source_gap_summary
    if unmatched:
        assert sorted(i for sel in gap.unmapped_controls for i in sel.with_ids) == unmatched
        assert sorted(p.value for p in mapping.props if p.name == "no-counterpart") == unmatched
    else:
        assert gap is None


def test_the_same_data_gives_the_same_document(target: Target, crosswalks: dict[str, Crosswalk]) -> None:
    assert mapping_collection(crosswalks[target.key]) == mapping_collection(crosswalks[target.key])
    doc = mapping_collection(crosswalks[target.key])["mapping-collection"]
    assert doc["mappings"][0]["uuid"] == str(uuid.uuid5(uuid.NAMESPACE_URL, target.mapping_set))
    assert doc["metadata"]["last-modified"] == f"{crosswalks[target.key].last_modified}T00:00:00Z"
