"""A copy of the compiled dataset with extra quads, loaded into a store of its own: how the tests make
records that do not resolve (the build's shapes would refuse them in the sources)."""

from __future__ import annotations

from pathlib import Path

from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.store import open_store

ID = "https://w3id.org/itsm-prm/id/"
PRM = "https://w3id.org/itsm-prm/ontology#"
GRAPH_2005 = "https://w3id.org/itsm-prm/graph/mappings/prm-iso20000-1-2005"
SET_2005 = ID + "mapping-set/prm-iso20000-1-2005"


def record_quads(
    name: str,
    subject: str,
    obj: str,
    predicate: str = PRM + "subsetOf",
    mapping_set: str = SET_2005,
    graph: str = GRAPH_2005,
) -> str:
    """N-Quads of one complete mapping record ``{mapping_set}/{name}`` (subject and object as given)."""
    record = f"<{mapping_set}/{name}>"
    g = f"<{graph}>"
    lines = [
        f"{record} <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{PRM}MappingRecord> {g} .",
        f"{record} <{PRM}inMappingSet> <{mapping_set}> {g} .",
        f"{record} <{PRM}mappingSubject> <{subject}> {g} .",
        f"{record} <{PRM}mappingPredicate> <{predicate}> {g} .",
        f"{record} <{PRM}mappingObject> <{obj}> {g} .",
        f"{record} <{PRM}justification> <https://w3id.org/semapv/vocab/ManualMappingCuration> {g} .",
        f"{record} <{PRM}rationale> <{PRM}SemanticRationale> {g} .",
        f'{record} <{PRM}strength> "5"^^<http://www.w3.org/2001/XMLSchema#integer> {g} .',
        f"{record} <{PRM}mappingStatus> <{PRM}StatusComplete> {g} .",
        f"{record} <http://purl.org/pav/authoredBy> <{ID}organisation/itsm-prm> {g} .",
        f'{record} <http://purl.org/pav/authoredOn> "2026-11-25"^^<http://www.w3.org/2001/XMLSchema#date> {g} .',
        f'{record} <http://www.w3.org/2000/01/rdf-schema#comment> "test record"@en {g} .',
    ]
    return "\n".join(lines) + "\n"


def patched_kg(kg: KnowledgeGraph, extra_nquads: str, folder: Path) -> KnowledgeGraph:
    """The compiled dataset of ``kg`` plus ``extra_nquads``, in a fresh embedded store."""
    path = folder / "patched.nq"
    path.write_bytes(Path(kg.build_result.dataset_path).read_bytes() + extra_nquads.encode("utf-8"))
    store = open_store("memory")
    store.load_nquads(path)
    # the build result still names the real dataset: only in-process queries see the extra quads
    return KnowledgeGraph(store, kg.build_result, kg.settings, 0.0)
