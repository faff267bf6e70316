"""Put the compiled dataset into a durable store, graph by graph, and only what changed.

A store that outlives the process (``oxigraph:PATH``, a SPARQL server) keeps a bookkeeping graph,
:data:`META_GRAPH`, naming every reference graph it holds with the SHA-256 of its content. A load
compares the build's graphs with that record and replaces only the graphs whose content differs,
drops reference graphs the build no longer has, and writes the record last: loading the same
build twice changes nothing, and a load cut short is completed by the next one.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from itsm_prm.build import BuildResult
from itsm_prm.store.base import Store
from itsm_prm.terms import QueryResult

DCTERMS = "http://purl.org/dc/terms/"
SD_NAMED_GRAPH = "http://www.w3.org/ns/sparql-service-description#NamedGraph"


def meta_graph(base_iri: str) -> str:
    """The bookkeeping graph: never part of the public dataset."""
    return base_iri + "graph/meta"


@dataclass
class PublishReport:
    """What a load did: graphs written, left as they were, and dropped."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    triples_written: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.written or self.dropped)


def split_graphs(dataset_path: Path) -> dict[str, bytes]:
    """The compiled N-Quads file as graph IRI → N-Triples (lines sorted, so the hash is stable).

    The compiled dataset is canonical N-Quads written by our build (one quad per line, every quad
    in a named graph), so a line splits at its last term safely: the graph IRI is the text
    between the last ``<`` and the closing `` .``.
    """
    lines: dict[str, list[str]] = {}
    with dataset_path.open(encoding="utf-8") as stream:
        for line in stream:
            text = line.rstrip("\n")
            if not text or text.startswith("#"):
                continue
            body, _, graph = text[: -len(" .")].rpartition(" <")
            lines.setdefault(graph.rstrip(">"), []).append(body + " .\n")
    return {graph: "".join(sorted(rows)).encode("utf-8") for graph, rows in lines.items()}


def content_hash(ntriples: bytes) -> str:
    return "sha256:" + hashlib.sha256(ntriples).hexdigest()


def published_hashes(store: Store, base_iri: str) -> dict[str, str]:
    """Graph → hash, as the store's bookkeeping graph records them (empty for a fresh store)."""
    sparql = (
        f"SELECT ?g ?h WHERE {{ GRAPH <{meta_graph(base_iri)}> {{ ?g <{DCTERMS}identifier> ?h }} }}"
    )
    result = store.query(sparql, default_graph_as_union=False)
    assert isinstance(result, QueryResult)
    return {
        row["g"].value: row["h"].value for row in result.rows if row["g"] is not None and row["h"] is not None
    }


def _meta_ntriples(hashes: dict[str, str], dataset_iri: str) -> bytes:
    lines = []
    for graph, digest in sorted(hashes.items()):
        lines.append(f"<{graph}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{SD_NAMED_GRAPH}> .")
        lines.append(f'<{graph}> <{DCTERMS}identifier> "{digest}" .')
        lines.append(f"<{graph}> <{DCTERMS}isPartOf> <{dataset_iri}> .")
    return ("\n".join(lines) + "\n").encode("utf-8")


def is_current(store: Store, build_result: BuildResult, base_iri: str) -> bool:
    """Whether the store already holds exactly this build's reference graphs."""
    wanted = {g: content_hash(data) for g, data in split_graphs(build_result.dataset_path).items()}
    return published_hashes(store, base_iri) == wanted


def publish(
    store: Store,
    build_result: BuildResult,
    base_iri: str,
    progress: Callable[[str, int, int], None] | None = None,
) -> PublishReport:
    """Make the store's reference graphs equal to the build's (see the module docstring).

    ``progress(graph, done, total)`` is called after each graph written.
    """
    started = time.perf_counter()
    report = PublishReport()
    graphs = split_graphs(build_result.dataset_path)
    wanted = {g: content_hash(data) for g, data in graphs.items()}
    have = published_hashes(store, base_iri)
    todo = [g for g in sorted(graphs) if have.get(g) != wanted[g]]
    for done, graph in enumerate(todo, 1):
        store.put_graph(graph, graphs[graph])
        report.written.append(graph)
        report.triples_written += graphs[graph].count(b"\n")
        if progress is not None:
            progress(graph, done, len(todo))
    report.unchanged = [g for g in sorted(graphs) if g not in todo]
    for graph in sorted(set(have) - set(wanted)):
        store.drop_graph(graph)
        report.dropped.append(graph)
    if report.changed or have != wanted:
        store.put_graph(meta_graph(base_iri), _meta_ntriples(wanted, build_result.manifest.dataset_iri))
    report.seconds = time.perf_counter() - started
    return report
