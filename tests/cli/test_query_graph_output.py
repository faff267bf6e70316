"""CONSTRUCT and DESCRIBE answers can be written as RDF; asking that of a SELECT is bad input."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from rdflib import Graph, Literal, URIRef

from itsm_prm.cli import cli

CONSTRUCT = """PREFIX prm: <https://w3id.org/itsm-prm/ontology#>
CONSTRUCT { ?process prm:processId ?id } WHERE { ?process a prm:Process ; prm:processId ?id }
"""
PROCESS_ID = URIRef("https://w3id.org/itsm-prm/ontology#processId")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "q.rq"
    path.write_text(text, encoding="utf-8")
    return path


def test_construct_as_turtle_and_ntriples(tmp_path):
    query = write(tmp_path, CONSTRUCT)
    for fmt, syntax in (("ttl", "turtle"), ("nt", "nt")):
        result = CliRunner().invoke(cli, ["query", str(query), "--format", fmt])
        assert result.exit_code == 0, result.stderr
        graph = Graph().parse(data=result.stdout, format=syntax)
        assert len(graph) == 10
        assert (URIRef("https://w3id.org/itsm-prm/id/process/CHAN"), PROCESS_ID, Literal("CHAN")) in graph


def test_rdf_format_for_a_select_is_bad_input():
    result = CliRunner().invoke(cli, ["query", "processes", "--format", "ttl"])
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "itsm-prm: error: Invalid value for '--format': ttl is for the graphs CONSTRUCT and DESCRIBE return; "
        "use table, csv, tsv or json"
    ]
