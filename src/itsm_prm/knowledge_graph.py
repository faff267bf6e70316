"""The loaded knowledge graph: one object for queries, named queries, validation, export, info."""

from __future__ import annotations

import functools
import time
from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph, URIRef

from itsm_prm import export as exporting
from itsm_prm import info as dataset_info
from itsm_prm import queries, validation
from itsm_prm.build import SHAPES_DIR, BuildResult, build
from itsm_prm.config import Settings
from itsm_prm.prefixes import default_prefixes, merge_prefixes, shorten
from itsm_prm.publish import PublishReport, publish
from itsm_prm.store import StoreSpec, open_store, parse_store_spec
from itsm_prm.store.base import Store
from itsm_prm.store.view import DatasetView
from itsm_prm.terms import QueryResult, Term, Triple, to_term

ASK_SUBJECT = "ASK { ?s ?p ?o }"


@functools.lru_cache(maxsize=512)
def _check_policy(sparql: str) -> None:
    """Parse and apply the query policy; raises for a refused query (failures are not cached)."""
    queries.parse_sparql(sparql)


class KnowledgeGraph:
    """A compiled dataset loaded into a store. Get one with :func:`itsm_prm.load`::

    >>> kg = itsm_prm.load()                                   # doctest: +SKIP
    >>> kg.run("process-outcomes", process="CHAN").rows[0]     # doctest: +SKIP
    >>> kg.query("SELECT ?p WHERE { ?p a ?c }", c=Term.iri(...))  # doctest: +SKIP
    """

    def __init__(
        self,
        store: Store,
        build_result: BuildResult,
        settings: Settings,
        load_seconds: float,
        *,
        spec: StoreSpec | None = None,
        published: PublishReport | None = None,
        reference: Store | None = None,
    ) -> None:
        #: the whole store: reference data, and the assessment repository's graphs
        self.backend = store
        #: the reference data only, what every query of the knowledge graph itself runs on: an
        #: in-memory copy of the compiled dataset when given (the embedded stores), else a view of
        #: the store restricted to the reference graphs (a SPARQL server)
        self.store: Store = reference or DatasetView(store, self.reference_graphs_of(build_result))
        self._reference = reference
        self.build_result = build_result
        self.settings = settings
        self.load_seconds = load_seconds
        self.spec = spec or StoreSpec("memory")
        self.published = published

    @staticmethod
    def reference_graphs_of(build_result: BuildResult) -> list[str]:
        return sorted(build_result.manifest.graph_counts)

    @property
    def reference_graphs(self) -> list[str]:
        """The named graphs of the compiled dataset: what the public endpoint shows."""
        return self.reference_graphs_of(self.build_result)

    def close(self) -> None:
        """Release the store (the RocksDB lock of an on-disk store)."""
        self.backend.close()
        if self._reference is not None and self._reference is not self.backend:
            self._reference.close()

    # -- names and prefixes

    @functools.cached_property
    def prefixes(self) -> dict[str, str]:
        """``prm:``, ``id:``, ``graph:``, the usual vocabularies, then prefixes declared in the sources."""
        return merge_prefixes(default_prefixes(self.settings.base_iri), self.build_result.manifest.prefixes)

    def shorten(self, iri: str) -> str:
        """``https://w3id.org/itsm-prm/id/process/INC`` → ``id:process/INC``."""
        return shorten(iri, self.prefixes)

    def graphs(self) -> list[str]:
        return self.store.graphs()

    # -- queries

    @functools.cached_property
    def catalog(self) -> dict[str, queries.NamedQuery]:
        """The named queries (``queries/*.rq``) by name."""
        return queries.load_catalog(self.settings.resources_root() / "queries")

    def query(self, sparql: str, **bindings: Any) -> QueryResult | bool | list[Triple]:
        """Run SPARQL over the union of all graphs; keyword arguments bind variables
        (use ``Term.iri(...)`` for IRIs; plain ``str``/``int``/``bool`` become literals)."""
        _check_policy(sparql)  # refuses SERVICE; the same text is parsed once
        return self.store.query(sparql, {name: to_term(value) for name, value in bindings.items()})

    def exists(self, iri: str) -> bool:
        """Whether ``iri`` is the subject of some triple."""
        return bool(self.store.query(ASK_SUBJECT, {"s": Term.iri(iri)}))

    def run(self, name: str, **params: Any) -> QueryResult | bool | list[Triple]:
        """Run a named query; parameters are checked and bound by the engine.

        Returns a :class:`QueryResult` for SELECT (``bool`` for ASK, triples for CONSTRUCT).
        """
        return self.run_query(queries.lookup(self.catalog, name), params)

    def run_query(
        self, query: queries.NamedQuery, params: dict[str, Any]
    ) -> QueryResult | bool | list[Triple]:
        bindings = queries.bind(query, params, base_iri=self.settings.base_iri, exists=self.exists)
        return self.store.query(query.sparql, bindings)

    # -- validation, export, info

    @functools.cached_property
    def ontology_graph(self) -> Graph:
        """The compiled ontology as an rdflib Memory graph: the ontology graphs plus the inferred
        triples about their terms (e.g. the closed class hierarchy)."""
        dataset = Dataset()
        dataset.parse(self.build_result.dataset_path, format="nquads")
        manifest = self.build_result.manifest
        graph = Graph()
        for iri in manifest.ontology_graphs:
            for t in dataset.graph(URIRef(iri)):
                graph.add(t)
        terms = set(graph.subjects())
        for s, p, o in dataset.graph(URIRef(manifest.inferred_graph)):
            if s in terms:
                graph.add((s, p, o))
        return graph

    def validate(self, *paths: str | Path) -> validation.ValidationReport:
        """Validate RDF files against all shapes, with the compiled ontology as ``ont_graph``."""
        shapes = validation.load_shapes(self.settings.resources_root() / SHAPES_DIR)
        ontology = self.ontology_graph if len(self.ontology_graph) else None
        return validation.validate_files(
            [Path(p) for p in paths], shapes, ontology, max_bytes=self.settings.max_input_bytes
        )

    def export(self, fmt: str, graph: str | list[str] | None = None) -> bytes:
        """Serialise as ``ttl``, ``jsonld``, ``xml``, ``nt``, ``nq`` or ``trig``; ``graph`` takes
        IRIs or short names (``prm``, ``mappings/prm-iso15504-5-2006``)."""
        return exporting.export(self.store, fmt, graph, self.prefixes)

    def info(self) -> dataset_info.DatasetInfo:
        """Counts per class and named graph, versions, content hash, build and load timings."""
        return dataset_info.collect(self.store, self.build_result, self.load_seconds)


def load(
    store: str | StoreSpec | None = None, *, settings: Settings | None = None, force: bool = False
) -> KnowledgeGraph:
    """Build (or reuse) the compiled dataset and open it in a store.

    ``store`` (default: ``settings.store``, i.e. ``ITSM_PRM_STORE``, else ``memory``) is
    ``memory`` (embedded Oxigraph), ``oxigraph:PATH`` (on disk), ``sparql:URL`` (a SPARQL 1.1
    server) or ``rdflib`` (the reference engine). A durable store receives the reference graphs
    that changed since the last load (:func:`itsm_prm.publish.publish`); what else it holds
    (stored assessments) is left alone.

    With the embedded stores the knowledge graph's own queries (pages, linked data, named queries
    in-process) run on an in-memory copy of the compiled dataset: the reference data is immutable per
    build, and an on-disk lookup costs about five times an in-memory one.

        >>> kg = load()                      # doctest: +SKIP
        >>> kg.info().total_triples          # doctest: +SKIP
    """
    settings = settings or Settings()
    spec = parse_store_spec(store) if isinstance(store, str) else (store or parse_store_spec(settings.store))
    result = build(settings, force=force)
    started = time.perf_counter()
    target = open_store(spec, settings)
    published = None
    reference: Store | None = None
    try:
        if spec.durable:
            published = publish(target, result, settings.base_iri)
        else:
            target.load_nquads(result.dataset_path)
        if spec.kind == "rdflib":
            reference = target  # the reference engine holds nothing but the compiled dataset
        elif spec.kind in ("memory", "oxigraph"):
            reference = open_store("memory")
            reference.load_nquads(result.dataset_path)
    except BaseException:
        target.close()
        raise
    seconds = time.perf_counter() - started
    return KnowledgeGraph(
        target, result, settings, seconds, spec=spec, published=published, reference=reference
    )
