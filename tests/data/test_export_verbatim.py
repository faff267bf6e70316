"""`itsm-prm export --format nt` carries every outcome statement, purpose and note of the seed verbatim,
and the Turtle / JSON-LD / RDF/XML exports hold the same texts when read by an independent parser."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, Namespace

from .seed_reader import read_seed

PRM = Namespace("https://w3id.org/itsm-prm/ontology#")


def seed_texts() -> list[str]:
    doc = read_seed()
    texts = []
    for proc in doc.processes:
        texts.append(proc.purpose)
        texts.extend(note.text for note in proc.notes)
        texts.extend(outcome.statement for outcome in proc.outcomes)
    return texts


def export(fmt: str, target: Path) -> bytes:
    done = subprocess.run(
        [sys.executable, "-m", "itsm_prm", "export", "--format", fmt, "-o", str(target)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return target.read_bytes()


def test_ntriples_export_holds_every_text_verbatim(tmp_path):
    raw = export("nt", tmp_path / "itsm-prm.nt").decode("utf-8")
    texts = seed_texts()
    assert len(texts) == 10 + 17 + 61
    # Read as RDF: each text is a prm:statement literal, exactly, with its language tag.
    graph = Graph().parse(data=raw, format="nt")
    statements = set(graph.objects(None, PRM.statement))
    for text in texts:
        assert Literal(text, lang="en") in statements, text
    # Read as text: N-Triples escapes only quotes, backslashes and line breaks (UTF-8 stays as it is),
    # so every line of every text appears as written once its quotes are escaped.
    for text in texts:
        for line in text.split("\n"):
            assert line.replace("\\", "\\\\").replace('"', '\\"') in raw, line


@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "xml"])
def test_other_exports_hold_the_texts_in_pyoxigraph(tmp_path, fmt):
    data = export(fmt, tmp_path / f"itsm-prm.{fmt}")
    parse_format = {"ttl": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD, "xml": ox.RdfFormat.RDF_XML}[fmt]
    statements = {
        q.object.value for q in ox.parse(data, format=parse_format)
        if q.predicate == ox.NamedNode(str(PRM.statement))
    }
    assert set(seed_texts()) <= statements
