"""Exports parse in the other library: Oxigraph's output in rdflib, rdflib's output in pyoxigraph."""

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph

from itsm_prm.errors import UnknownFormatError, UnknownGraphError
from itsm_prm.export import compact_jsonld, resolve_graphs, short_graph_name, write_atomic
from itsm_prm.knowledge_graph import KnowledgeGraph

RDFLIB_FORMATS = {
    "ttl": "turtle",
    "jsonld": "json-ld",
    "xml": "xml",
    "nt": "nt",
    "nq": "nquads",
    "trig": "trig",
}
OX_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}
DATASET_FORMATS = ("nq", "trig")
PRM_GRAPH = "https://w3id.org/itsm-prm/graph/prm"


def _expected(kg: KnowledgeGraph, fmt: str) -> int:
    graphs = kg.store.graphs()
    return sum(kg.store.count(g) for g in graphs) if fmt in DATASET_FORMATS else kg.store.count()


def _count_with_rdflib(data: bytes, fmt: str) -> int:
    if fmt in DATASET_FORMATS:
        ds = Dataset()
        ds.parse(data=data, format=RDFLIB_FORMATS[fmt])
        return sum(1 for _ in ds.quads((None, None, None, None)))
    return len(Graph().parse(data=data, format=RDFLIB_FORMATS[fmt]))


def _count_with_oxigraph(data: bytes, fmt: str) -> int:
    quads = list(ox.parse(data, format=OX_FORMATS[fmt]))
    return len(quads) if fmt in DATASET_FORMATS else len({q.triple for q in quads})


@pytest.mark.parametrize("fmt", sorted(RDFLIB_FORMATS))
def test_oxigraph_export_parses_in_rdflib(fixture_kg: KnowledgeGraph, fmt: str) -> None:
    data = fixture_kg.export(fmt)
    assert _count_with_rdflib(data, fmt) == _expected(fixture_kg, fmt) > 100


@pytest.mark.parametrize("fmt", sorted(RDFLIB_FORMATS))
def test_rdflib_export_parses_in_pyoxigraph(fixture_reference_kg: KnowledgeGraph, fmt: str) -> None:
    data = fixture_reference_kg.export(fmt)
    assert _count_with_oxigraph(data, fmt) == _expected(fixture_reference_kg, fmt) > 100


@pytest.mark.parametrize("fmt", ["ttl", "nt", "nq"])
def test_real_dataset_round_trips(kg: KnowledgeGraph, fmt: str) -> None:
    assert _count_with_rdflib(kg.export(fmt), fmt) == _expected(kg, fmt)


def test_union_is_deduplicated(fixture_kg: KnowledgeGraph) -> None:
    quads = sum(fixture_kg.store.count(g) for g in fixture_kg.store.graphs())
    assert fixture_kg.store.count() <= quads
    assert _count_with_rdflib(fixture_kg.export("nt"), "nt") == fixture_kg.store.count()


def test_readable_prefixes(fixture_kg: KnowledgeGraph) -> None:
    turtle = fixture_kg.export("ttl").decode()
    assert "@prefix prm: <https://w3id.org/itsm-prm/ontology#> ." in turtle
    assert "prm:Process" in turtle
    doc = json.loads(fixture_kg.export("jsonld"))
    assert doc["@context"]["prm"] == "https://w3id.org/itsm-prm/ontology#"
    assert any(node.get("@id") == "id:process/INC" for node in doc["@graph"])
    xml = fixture_kg.export("xml").decode()
    assert 'xmlns:prm="https://w3id.org/itsm-prm/ontology#"' in xml


def test_graph_selection_by_short_name_and_iri(fixture_kg: KnowledgeGraph) -> None:
    by_name = fixture_kg.export("nq", "prm")
    by_iri = fixture_kg.export("nq", [PRM_GRAPH])
    assert by_name == by_iri
    assert {q.graph_name.value for q in ox.parse(by_name, format=ox.RdfFormat.N_QUADS)} == {PRM_GRAPH}
    two = fixture_kg.export("trig", ["prm", "mappings/prm-iso15504-5-2006"])
    assert len({q.graph_name for q in ox.parse(two, format=ox.RdfFormat.TRIG)}) == 2
    assert _count_with_rdflib(fixture_kg.export("ttl", "prm"), "ttl") == fixture_kg.store.count(PRM_GRAPH)


def test_unknown_graph_and_format(fixture_kg: KnowledgeGraph) -> None:
    with pytest.raises(UnknownGraphError, match="unknown graph 'nope' \\(known: inferred, mappings/"):
        fixture_kg.export("ttl", "nope")
    with pytest.raises(UnknownFormatError, match="unknown format 'yaml'"):
        fixture_kg.export("yaml")


def test_short_names() -> None:
    assert short_graph_name("https://w3id.org/itsm-prm/graph/mappings/x") == "mappings/x"
    assert resolve_graphs(None, ["a"]) is None
    assert resolve_graphs(["https://w3id.org/itsm-prm/graph/x"], ["https://w3id.org/itsm-prm/graph/x"]) == [
        "https://w3id.org/itsm-prm/graph/x"
    ]


def test_compact_jsonld_keeps_meaning() -> None:
    expanded = json.dumps(
        [
            {
                "@id": "https://w3id.org/itsm-prm/id/process/INC",
                "@type": ["https://w3id.org/itsm-prm/ontology#Process"],
                "https://w3id.org/itsm-prm/ontology#number": [
                    {"@value": "1", "@type": "http://www.w3.org/2001/XMLSchema#integer"}
                ],
            }
        ]
    ).encode()
    prefixes = {
        "prm": "https://w3id.org/itsm-prm/ontology#",
        "id": "https://w3id.org/itsm-prm/id/",
        "xsd": "http://www.w3.org/2001/XMLSchema#",
    }
    compacted = compact_jsonld(expanded, prefixes)
    assert json.loads(compacted)["@graph"][0]["@id"] == "id:process/INC"
    before = {str(t) for t in ox.parse(expanded, format=ox.RdfFormat.JSON_LD)}
    after = {str(t) for t in ox.parse(compacted, format=ox.RdfFormat.JSON_LD)}
    assert before == after


def test_write_atomic_replaces_whole_files(tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    target.write_bytes(b"old")
    write_atomic(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert [p.name for p in tmp_path.iterdir()] == ["out.ttl"]
