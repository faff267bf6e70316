"""What is in the loaded dataset: counts per class and per named graph, versions, timings."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from itsm_prm.build import BuildResult
from itsm_prm.export import short_graph_name
from itsm_prm.prefixes import PRM_NAMESPACE
from itsm_prm.store.base import Store
from itsm_prm.terms import QueryResult

CLASS_COUNTS = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class FILTER(isIRI(?class)) } GROUP BY ?class
"""
ONTOLOGY_VERSION = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT ?version WHERE { ?o a owl:Ontology ; owl:versionInfo ?version } ORDER BY ?version LIMIT 1
"""


@dataclass(frozen=True)
class GraphInfo:
    iri: str
    name: str  # short name, e.g. "prm" or "mappings/prm-iso15504-5-2006"
    title: str
    triples: int


@dataclass(frozen=True)
class DatasetInfo:
    """Summary of a loaded dataset (see :meth:`itsm_prm.KnowledgeGraph.info`)."""

    dataset_iri: str
    version: str  # package version that compiled the dataset
    ontology_version: str | None  # owl:versionInfo of the ontology
    key: str  # content hash of the inputs
    built_at: str
    build_seconds: float
    owlrl_seconds: float
    shacl_seconds: float
    reused: bool
    check_seconds: float
    load_seconds: float
    store: str
    shapes_checked: bool
    conforms: bool | None
    warnings: int
    total_triples: int
    graphs: list[GraphInfo] = field(default_factory=list)
    classes: list[tuple[str, int]] = field(default_factory=list)  # (class IRI, instances)

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["classes"] = [{"class": c, "instances": n} for c, n in self.classes]
        return data


def class_counts(store: Store) -> list[tuple[str, int]]:
    """Instances per class (inferred types included); ``prm:`` classes first, then by IRI."""
    result = store.query(CLASS_COUNTS)
    assert isinstance(result, QueryResult)
    counts = []
    for row in result.rows:
        cls, n = row.get("class"), row.get("n")
        if cls is not None and n is not None:
            counts.append((cls.value, int(n.value)))
    return sorted(counts, key=lambda item: (not item[0].startswith(PRM_NAMESPACE), item[0]))


def collect(store: Store, build: BuildResult, load_seconds: float) -> DatasetInfo:
    manifest = build.manifest
    version = store.query(ONTOLOGY_VERSION)
    assert isinstance(version, QueryResult)
    ontology_version = version.rows[0]["version"] if version.rows else None
    graphs = [
        GraphInfo(iri, short_graph_name(iri), manifest.graph_titles.get(iri, ""), store.count(iri))
        for iri in store.graphs()
    ]
    return DatasetInfo(
        dataset_iri=manifest.dataset_iri,
        version=manifest.version,
        ontology_version=ontology_version.value if ontology_version else None,
        key=build.key,
        built_at=manifest.built_at,
        build_seconds=manifest.build_seconds,
        owlrl_seconds=manifest.owlrl_seconds,
        shacl_seconds=manifest.shacl_seconds,
        reused=build.reused,
        check_seconds=round(build.seconds, 4),
        load_seconds=round(load_seconds, 4),
        store=store.name,
        shapes_checked=manifest.shapes_checked,
        conforms=manifest.conforms,
        warnings=manifest.warnings,
        total_triples=store.count(None),
        graphs=graphs,
        classes=class_counts(store),
    )
