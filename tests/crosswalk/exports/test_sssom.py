"""SSSOM exports read back by the SSSOM reference tool (sssom-py): the TSV parses and passes
`sssom validate`, the RDF parses; both hold every record with its subject, predicate and object."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import OWL, RDF
from sssom.parsers import parse_sssom_rdf, parse_sssom_table

from itsm_prm.crosswalk.records import Crosswalk
from itsm_prm.crosswalk.sssom import DECLARED_PREFIXES
from itsm_prm.crosswalk.targets import Target
from tests.crosswalk.exports.conftest import PRESENT, target_ids

SSSOM = Namespace("https://w3id.org/sssom/")
PRM = Namespace("https://w3id.org/itsm-prm/ontology#")
BUILT_IN = {"sssom": str(SSSOM), "semapv": "https://w3id.org/semapv/vocab/"}


def expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return {**DECLARED_PREFIXES, **BUILT_IN}[prefix] + local


def triples(crosswalk: Crosswalk) -> list[tuple[str, str, str]]:
    return sorted((r.subject.iri, r.predicate, r.object_iri) for r in crosswalk.records)


def header_and_rows(path: Path) -> tuple[str, list[dict[str, str]]]:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    header = "".join(line for line in lines if line.startswith("#"))
    body = "".join(line for line in lines if not line.startswith("#"))
    return header, list(csv.DictReader(io.StringIO(body), delimiter="\t"))


pytestmark = pytest.mark.parametrize("target", PRESENT, ids=target_ids(PRESENT))


def test_tsv_parses_with_sssom_and_holds_every_record(
    target: Target, crosswalks: dict[str, Crosswalk], exported: dict[tuple[str, str], Path]
) -> None:
    crosswalk = crosswalks[target.key]
    # not strict=True: sssom-py 0.4.21 rejects every file in strict mode (it inverts its own metadata
    # check); `sssom validate` below checks the prefixes, and expand() fails on an undeclared one
    # propagate=False keeps the set-level slots (sources, versions) in the metadata, as written
    msdf = parse_sssom_table(exported[(target.key, "sssom-tsv")], propagate=False)
    assert len(msdf.df) == len(crosswalk.records)
    got = sorted(
        (expand(s), expand(p), expand(o))
        for s, p, o in zip(msdf.df["subject_id"], msdf.df["predicate_id"], msdf.df["object_id"], strict=True)
    )
    assert got == triples(crosswalk)
    meta = msdf.metadata
    assert meta["mapping_set_id"] == target.mapping_set
    assert meta["license"] == crosswalk.mapping_set.license
    assert expand(meta["object_source"]) == target.edition
    assert meta["subject_source_version"] == "3.0"
    if crosswalk.mapping_set.object_source.version:
        assert meta["object_source_version"] == crosswalk.mapping_set.object_source.version


def test_sssom_validate_passes_on_the_tsv(target: Target, exported: dict[tuple[str, str], Path]) -> None:
    tool = shutil.which("sssom", path=str(Path(sys.executable).parent))
    assert tool, "the sssom command comes with the test dependencies"
    done = subprocess.run(
        [tool, "validate", str(exported[(target.key, "sssom-tsv")])],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_tsv_columns_hold_each_record_exactly(
    target: Target, crosswalks: dict[str, Crosswalk], exported: dict[tuple[str, str], Path]
) -> None:
    """Read with the csv module as well, for what sssom-py drops: the extension slots."""
    crosswalk = crosswalks[target.key]
    header, rows = header_and_rows(exported[(target.key, "sssom-tsv")])
    assert "#extension_definitions:" in header and "#  property: prm:strength" in header
    assert [expand(row["record_id"]) for row in rows] == [r.iri for r in crosswalk.records]
    for row, record in zip(rows, crosswalk.records, strict=True):
        assert row["predicate_label"] == record.relation.words
        if record.strength is None:
            assert row["ext_strength"] == row["confidence"] == ""
        else:
            assert row["ext_strength"] == str(record.strength)
            assert float(row["confidence"]) == pytest.approx(record.strength / 10)
        assert expand(row["ext_rationale"]) == record.rationale
        assert expand(row["mapping_justification"]) == record.justification
        assert row["subject_label"] == record.subject.label
        assert row["object_label"] == (record.object.label if record.object else "")
        if record.object is None:
            assert row["object_id"] == "sssom:NoTermFound" and row["mapping_cardinality"] == "1:0"
        if record.derived_from:
            assert row["see_also"].split("|") == list(record.derived_from)


def test_rdf_holds_every_record_as_an_axiom(
    target: Target, crosswalks: dict[str, Crosswalk], exported: dict[tuple[str, str], Path]
) -> None:
    crosswalk = crosswalks[target.key]
    graph = Graph().parse(exported[(target.key, "sssom-ttl")], format="turtle")
    mapping_set = URIRef(target.mapping_set)
    assert (mapping_set, RDF.type, SSSOM.MappingSet) in graph
    axioms = set(graph.subjects(RDF.type, OWL.Axiom))
    assert {str(a) for a in axioms} == {r.iri for r in crosswalk.records}
    assert set(graph.objects(mapping_set, SSSOM.mappings)) == axioms
    for r in crosswalk.records:
        m = URIRef(r.iri)
        assert graph.value(m, OWL.annotatedSource) == URIRef(r.subject.iri)
        assert graph.value(m, OWL.annotatedProperty) == URIRef(r.predicate)
        assert graph.value(m, OWL.annotatedTarget) == URIRef(r.object_iri)
        strength = graph.value(m, PRM.strength)
        assert (strength.toPython() if strength is not None else None) == r.strength
        assert graph.value(m, SSSOM.object_source) == URIRef(target.edition)


def test_rdf_parses_with_sssom_like_the_tsv(
    target: Target, crosswalks: dict[str, Crosswalk], exported: dict[tuple[str, str], Path]
) -> None:
    from_rdf = parse_sssom_rdf(str(exported[(target.key, "sssom-ttl")]))
    from_tsv = parse_sssom_table(exported[(target.key, "sssom-tsv")])
    assert len(from_rdf.df) == len(crosswalks[target.key].records)
    columns = ["record_id", "subject_id", "predicate_id", "object_id", "mapping_justification", "confidence"]

    def rows(df) -> list[tuple]:  # noqa: ANN001
        return sorted(tuple(str(v) for v in row) for row in df[columns].itertuples(index=False))

    assert rows(from_rdf.df) == rows(from_tsv.df)
    assert from_rdf.metadata["mapping_set_id"] == target.mapping_set
