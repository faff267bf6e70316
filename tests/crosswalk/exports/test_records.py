"""Reading a target's mapping records: every record, resolved, in a stable order; records that do not
resolve fail the read with the record named; a set the dataset lacks is a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from itsm_prm.crosswalk.records import (
    MAPPING_CHAINING,
    NO_TERM_FOUND,
    PRM,
    Crosswalk,
    ExportError,
    MappingSetMissing,
    read_crosswalk,
)
from itsm_prm.crosswalk.targets import TARGETS, Target
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.terms import QueryResult, Term
from tests.crosswalk.exports.conftest import PRESENT, target_ids
from tests.crosswalk.exports.patching import ID, patched_kg, record_quads

T2005 = TARGETS["iso20000-1:2005"]


def test_the_2005_set_is_in_the_dataset() -> None:
    assert T2005 in PRESENT


@pytest.mark.parametrize("target", PRESENT, ids=target_ids(PRESENT))
def test_every_record_of_the_set_is_read(
    target: Target, kg: KnowledgeGraph, crosswalks: dict[str, Crosswalk]
) -> None:
    count = kg.query(
        "SELECT (COUNT(DISTINCT ?r) AS ?n) ?set WHERE { ?r <https://w3id.org/itsm-prm/ontology#inMappingSet> ?set } GROUP BY ?set",
        set=Term.iri(target.mapping_set),
    )
    assert isinstance(count, QueryResult)
    records = crosswalks[target.key].records
    assert len(records) == int(count.rows[0]["n"].value) > 0
    assert len({r.iri for r in records}) == len(records)


@pytest.mark.parametrize("target", PRESENT, ids=target_ids(PRESENT))
def test_every_record_resolves_in_the_target_edition(
    target: Target, crosswalks: dict[str, Crosswalk]
) -> None:
    crosswalk = crosswalks[target.key]
    assert crosswalk.mapping_set.object_source.iri == target.edition
    for r in crosswalk.records:
        assert r.subject.kind in ("process", "outcome") and r.subject.label and r.subject.id
        assert r.subject.iri.startswith(ID + "process/")
        if r.object is None:
            assert r.predicate == PRM + "notRelatedTo" and r.object_iri == NO_TERM_FOUND
        else:
            assert r.object.iri.startswith(target.edition + "/")
            assert r.object.kind == target.element_kind and r.object.id and r.object.label


@pytest.mark.parametrize("target", PRESENT, ids=target_ids(PRESENT))
def test_the_rdflib_engine_reads_the_same_records(
    target: Target, reference_kg: KnowledgeGraph, crosswalks: dict[str, Crosswalk]
) -> None:
    again = read_crosswalk(reference_kg, target)
    assert again.records == crosswalks[target.key].records
    assert again.mapping_set == crosswalks[target.key].mapping_set


@pytest.mark.parametrize("target", PRESENT, ids=target_ids(PRESENT))
def test_derived_sets_say_so(target: Target, crosswalks: dict[str, Crosswalk]) -> None:
    """A derived set's chained records name the records they come from; a reviewer may add others."""
    records = crosswalks[target.key].records
    chained = [r for r in records if r.justification == MAPPING_CHAINING]
    assert all(r.derived_from and r.derived for r in chained)
    if target.derived:
        assert chained and crosswalks[target.key].mapping_set.derived_from
    else:
        assert not any(r.derived for r in records)


@pytest.mark.parametrize("target", list(TARGETS.values()), ids=target_ids(list(TARGETS.values())))
def test_a_target_reads_exactly_when_the_sources_hold_its_set(target: Target, kg: KnowledgeGraph) -> None:
    if target in PRESENT:
        assert read_crosswalk(kg, target).records
    else:
        with pytest.raises(MappingSetMissing, match="no mapping set .* in the dataset"):
            read_crosswalk(kg, target)


def test_a_set_missing_from_another_dataset_is_an_error(fixture_kg: KnowledgeGraph) -> None:
    with pytest.raises(
        MappingSetMissing, match=r"no mapping set <.*prm-iso20000-1-2005> for ISO/IEC 20000-1:2005"
    ):
        read_crosswalk(fixture_kg, T2005)


def test_what_the_2005_set_says_checked_by_hand(crosswalks: dict[str, Crosswalk]) -> None:
    """Expectations read off data/mappings/prm-iso20000-1-2005.ttl by hand."""
    crosswalk = crosswalks[T2005.key]
    info = crosswalk.mapping_set
    assert info.license == "https://creativecommons.org/licenses/by/4.0/"
    assert (info.subject_source.iri, info.subject_source.version) == (ID + "model", "3.0")
    assert (info.object_source.label, info.object_source.version) == ("ISO/IEC 20000-1:2005", "2005")
    by_pair = {(r.subject.id, r.object.id if r.object else None): r for r in crosswalk.records}
    inc = by_pair[("INC", "8.2")]
    assert (inc.relation.words, inc.strength, inc.subject.label, inc.object.label) == (
        "equal",
        9,
        "Incident Management",
        "Incident management",
    )
    assert inc.rationale == PRM + "SemanticRationale" and inc.status == PRM + "StatusComplete"
    assert inc.subject.text.startswith("The purpose of the Incident Management is to restore normal service")
    itfm = by_pair[("ITFM", "6.4")]
    assert (itfm.relation.words, itfm.relation.oscal, itfm.strength) == ("superset of", "superset-of", 8)
    for process in ("ITSCM", "AVA"):
        assert by_pair[(process, "6.3")].relation.words == "subset of"
    assert crosswalk.records[0].subject.id == "INC"  # the model's order: INC first, its outcomes after it
    assert crosswalk.agent_names[ID + "organisation/itsm-prm"] == "itsm-prm contributors"


def test_no_counterpart_records_are_kept(crosswalks: dict[str, Crosswalk]) -> None:
    unmatched = [r for r in crosswalks[T2005.key].records if r.object is None]
    for r in unmatched:
        assert r.relation.words == "not related" and r.cardinality == "1:0" and r.comment


# ---------------------------------------------------------------- records that do not resolve


@pytest.fixture
def broken(kg: KnowledgeGraph, tmp_path: Path):  # noqa: ANN201 - a factory
    def make(extra: str) -> KnowledgeGraph:
        return patched_kg(kg, extra, tmp_path)

    return make


def test_an_object_that_does_not_exist_fails_the_read_naming_the_record(broken) -> None:  # noqa: ANN001
    kg = broken(record_quads("CHAN-99.9", ID + "process/CHAN", ID + "iso20000-1/2005/clause/99.9"))
    with pytest.raises(ExportError) as info:
        read_crosswalk(kg, T2005)
    message = str(info.value)
    assert "mapping-set/prm-iso20000-1-2005/CHAN-99.9" in message
    assert "iso20000-1/2005/clause/99.9" in message and "not in the dataset" in message


def test_an_object_of_another_edition_fails_the_read(broken) -> None:  # noqa: ANN001
    kg = broken(record_quads("CHAN-2018", ID + "process/CHAN", ID + "iso20000-1/2018/clause/8.5.1"))
    with pytest.raises(
        ExportError,
        match=r"CHAN-2018>: object <.*2018/clause/8\.5\.1> does not resolve in ISO/IEC 20000-1:2005 \(it is in .*iso20000-1/2018\)",
    ):
        read_crosswalk(kg, T2005)


def test_a_subject_that_does_not_exist_fails_the_read(broken) -> None:  # noqa: ANN001
    kg = broken(record_quads("XYZ-9.2", ID + "process/XYZ", ID + "iso20000-1/2005/clause/9.2"))
    with pytest.raises(ExportError, match=r"XYZ-9\.2>: subject <.*process/XYZ> does not resolve"):
        read_crosswalk(kg, T2005)


def test_no_term_found_with_a_relation_other_than_not_related_fails(broken) -> None:  # noqa: ANN001
    kg = broken(record_quads("CHAN-none", ID + "process/CHAN", "https://w3id.org/sssom/NoTermFound"))
    with pytest.raises(ExportError, match="CHAN-none>: sssom:NoTermFound .* goes only with 'not related to'"):
        read_crosswalk(kg, T2005)


def test_a_record_with_two_strengths_fails(broken) -> None:  # noqa: ANN001
    extra = record_quads("CHAN-9.2-twice", ID + "process/CHAN", ID + "iso20000-1/2005/clause/9.2")
    extra += extra.splitlines()[7].replace('"5"', '"6"') + "\n"  # a second prm:strength
    with pytest.raises(ExportError, match="CHAN-9.2-twice> has 2 values for strength: 5, 6"):
        read_crosswalk(broken(extra), T2005)


def test_a_well_formed_extra_record_is_read(broken) -> None:  # noqa: ANN001
    """The patching itself is sound: a complete, resolvable record goes through."""
    kg = broken(record_quads("CHAN-9.1", ID + "process/CHAN", ID + "iso20000-1/2005/clause/9.1"))
    crosswalk = read_crosswalk(kg, T2005)
    (record,) = [r for r in crosswalk.records if r.iri.endswith("/CHAN-9.1")]
    assert (record.subject.id, record.object.id, record.strength) == ("CHAN", "9.1", 5)
