"""Downloads and the dataset's description.

* ``/download``: an index of every file (HTML, or JSON by ``Accept``/``?format=json``);
* ``/download/itsm-prm.{ttl,jsonld,rdf,nt,nq,trig}``: the whole dataset — triple formats hold the union of
  the named graphs (each triple once), dataset formats (N-Quads, TriG) every named graph;
* ``/download/graph/{short-name}.{ext}``: one named graph (``prm``, ``mappings/prm-iso15504-5-2006``);
* ``/.well-known/void``: VoID and DCAT in one document (Turtle by default): the dataset, its dumps, its SPARQL
  endpoint, one subset per named graph, one linkset per mapping set, distributions and the data service.

Every answer derives from the compiled dataset only: bytes are cached per dataset hash, the ETag is that hash.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, VOID, XSD

from itsm_prm.api.conneg import GRAPH_TYPES
from itsm_prm.api.deps import etag_for
from itsm_prm.api.pages import (
    KG,
    PRM,
    RDF_MEDIA,
    SKOS,
    Config,
    Site,
    absolute_root,
    cache_headers,
    cached,
    conditional,
    get_and_head,
    negotiate,
    not_acceptable,
    render,
)
from itsm_prm.crosswalk.exports import FORMATS as CROSSWALK_FORMATS
from itsm_prm.crosswalk.targets import TARGETS
from itsm_prm.export import compact_jsonld, short_graph_name
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.prefixes import PRM_NAMESPACE
from itsm_prm.store.base import RDF_FORMATS
from itsm_prm.terms import QueryResult, Term

router = APIRouter(tags=["downloads"])

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
IANA = "https://www.iana.org/assignments/media-types/"
DCAT_VERSION = URIRef(str(DCAT) + "version")  # DCAT 3; rdflib's closed DCAT namespace predates it

#: file extension → export format, in the order the index lists them
EXTENSIONS: dict[str, str] = {
    "ttl": "ttl",
    "jsonld": "jsonld",
    "rdf": "xml",
    "nt": "nt",
    "nq": "nq",
    "trig": "trig",
}
FORMAT_TITLES = {
    "ttl": ("Turtle", FORMATS["Turtle"]),
    "jsonld": ("JSON-LD", FORMATS["JSON-LD"]),
    "xml": ("RDF/XML", FORMATS["RDF_XML"]),
    "nt": ("N-Triples", FORMATS["N-Triples"]),
    "nq": ("N-Quads", FORMATS["N-Quads"]),
    "trig": ("TriG", FORMATS["TriG"]),
}
DATASET_FILE = "itsm-prm"
DESCRIPTION = (
    "The IT Service Management Process Reference Model (PRM) as an OWL/RDF knowledge graph: its "
    "process groups, processes, purposes, notes and numbered outcomes as the model states them, the "
    "standard editions and ITIL books it refers to, and its references to other standards as SSSOM-shaped "
    "mapping records with set-theory relations and their SKOS projection. One named graph per source, "
    "plus the triples an OWL 2 RL closure infers."
)
KEYWORDS = ("IT service management", "ITIL", "process reference model", "ISO/IEC 15504", "process assessment")
VOID_TYPES = GRAPH_TYPES


@dataclass(frozen=True)
class DownloadFile:
    """One downloadable file."""

    name: str  # path under /download/
    url: str
    graph: str | None  # named graph IRI, or None for the whole dataset
    short_name: str | None
    title: str
    format: str  # export format name
    format_title: str
    media_type: str
    statements: int  # triples (triple formats) or quads (dataset formats)
    filename: str


def _is_dataset_format(fmt: str) -> bool:
    return RDF_FORMATS[fmt][0]


def download_files(kg: KnowledgeGraph, root: str) -> list[DownloadFile]:
    """Every file ``/download`` offers: the whole dataset, then each named graph, each in every format."""
    manifest = kg.build_result.manifest
    union = kg.store.count()
    quads = sum(kg.store.count(g) for g in kg.graphs())
    title = dataset_title(kg)
    files = []
    for ext, fmt in EXTENSIONS.items():
        name = f"{DATASET_FILE}.{ext}"
        files.append(
            DownloadFile(
                name,
                f"{root}download/{name}",
                None,
                None,
                title,
                fmt,
                FORMAT_TITLES[fmt][0],
                RDF_FORMATS[fmt][1],
                quads if _is_dataset_format(fmt) else union,
                name,
            )
        )
    for graph in ordered_graphs(kg):
        short = short_graph_name(graph)
        count = kg.store.count(graph)
        for ext, fmt in EXTENSIONS.items():
            name = f"graph/{short}.{ext}"
            files.append(
                DownloadFile(
                    name,
                    f"{root}download/{name}",
                    graph,
                    short,
                    manifest.graph_titles.get(graph, short),
                    fmt,
                    FORMAT_TITLES[fmt][0],
                    RDF_FORMATS[fmt][1],
                    count,
                    f"{DATASET_FILE}-{short.replace('/', '-')}.{ext}",
                )
            )
    return files


def ordered_graphs(kg: KnowledgeGraph) -> list[str]:
    """The named graphs in the order of ``sources.toml`` (the inferred graph last), then any others."""
    present = kg.graphs()
    listed = [g for g in kg.build_result.manifest.graph_counts if g in present]
    return listed + [g for g in present if g not in listed]


def dataset_title(kg: KnowledgeGraph) -> str:
    from itsm_prm.sources import Sources

    try:
        return Sources.load(kg.settings.resources_root()).title or "itsm-prm"
    except Exception:  # noqa: BLE001 - the title is decoration; never fail a download for it
        return "itsm-prm"


def _file_response(
    request: Request, kg: KnowledgeGraph, graph: str | None, fmt: str, filename: str
) -> Response:
    etag = etag_for(kg, "download", graph or "", fmt)
    if (answer := conditional(request, etag, data=True)) is not None:
        return answer
    body = cached(request, kg, f"download {graph or ''} {fmt}", lambda: kg.export(fmt, graph))
    headers = cache_headers(etag, data=True)
    headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(body, media_type=RDF_FORMATS[fmt][1], headers=headers)


def _not_found(message: str) -> JSONResponse:
    return JSONResponse({"error": message, "status": 404}, status_code=404)


# ---------------------------------------------------------------- routes: files


@get_and_head(
    router,
    "/download",
    summary="Index of downloads",
    description="Every file: the whole dataset and each named graph in Turtle, JSON-LD, RDF/XML, N-Triples, "
    "N-Quads and TriG. HTML for browsers, JSON by `Accept: application/json` or `format=json`.",
    response_class=Response,
)
def download_index(
    request: Request,
    kg: KG,
    settings: Config,
    format: Annotated[str | None, Query(description="html or json")] = None,  # noqa: A002
) -> Response:
    offered = ("text/html", "application/json")
    override = {"json": "application/json", "html": "text/html"}.get((format or "").lower(), format)
    media = negotiate(request, offered, override)
    if media is None:
        return not_acceptable(offered)
    site = Site(request, kg, settings)
    root = absolute_root(request, settings) if media == "application/json" else site.root
    etag = etag_for(kg, "download-index", media, root)
    if (answer := conditional(request, etag, vary=format is None, data=True)) is not None:
        return answer
    headers = cache_headers(etag, vary=format is None, data=True)
    files = download_files(kg, root)
    void_url = root + ".well-known/void"
    if media == "application/json":
        body: dict[str, Any] = {
            "dataset": kg.build_result.manifest.dataset_iri,
            "title": dataset_title(kg),
            "version": kg.build_result.manifest.version,
            "void": void_url,
            "sparql": root + "sparql",
            "files": [asdict(f) for f in files],
        }
        return JSONResponse(body, headers=headers)
    whole = [f for f in files if f.graph is None]
    graphs: dict[str, list[DownloadFile]] = {}
    for f in files:
        if f.graph is not None:
            graphs.setdefault(f.graph, []).append(f)
    return render(
        request,
        "downloads.html",
        {
            "title": "Downloads",
            "whole": whole,
            "graphs": graphs,
            "void_url": void_url,
            "kg_key": kg.build_result.key,
        },
        site=site,
        headers=headers,
    )


@get_and_head(
    router,
    "/download/itsm-prm.{ext}",
    summary="The whole dataset",
    description="Triple formats (ttl, jsonld, rdf, nt) hold the union of all named graphs; dataset formats "
    "(nq, trig) hold every named graph.",
    response_class=Response,
)
def download_dataset(ext: str, request: Request, kg: KG) -> Response:
    fmt = EXTENSIONS.get(ext)
    if fmt is None:
        return _not_found(f"no download itsm-prm.{ext} (choose from {', '.join(EXTENSIONS)})")
    return _file_response(request, kg, None, fmt, f"{DATASET_FILE}.{ext}")


@get_and_head(
    router,
    "/download/graph/{name:path}",
    summary="One named graph",
    description="`{short-name}.{ext}`, e.g. `prm.ttl` or `mappings/prm-iso15504-5-2006.nq`.",
    response_class=Response,
)
def download_graph(name: str, request: Request, kg: KG) -> Response:
    short, _, ext = name.rpartition(".")
    fmt = EXTENSIONS.get(ext)
    by_short = {short_graph_name(g): g for g in kg.graphs()}
    if fmt is None or short not in by_short:
        known = ", ".join(sorted(by_short))
        return _not_found(f"no download graph/{name} (graphs: {known}; extensions: {', '.join(EXTENSIONS)})")
    filename = f"{DATASET_FILE}-{short.replace('/', '-')}.{ext}"
    return _file_response(request, kg, by_short[short], fmt, filename)


# ---------------------------------------------------------------- VoID and DCAT

_PREFIXES = f"""
PREFIX prm: <{PRM}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""
_ONTOLOGY = (
    _PREFIXES
    + """
SELECT ?ontology ?license ?publisher ?creator ?issued ?version WHERE {
  ?ontology a owl:Ontology .
  OPTIONAL { ?ontology dcterms:license ?license }
  OPTIONAL { ?ontology dcterms:publisher ?publisher }
  OPTIONAL { ?ontology dcterms:creator ?creator }
  OPTIONAL { ?ontology dcterms:issued ?issued }
  OPTIONAL { ?ontology owl:versionInfo ?version }
} ORDER BY ?ontology"""
)
_MAPPING_SETS = (
    _PREFIXES
    + """
SELECT ?set ?label ?description ?predicate WHERE {
  ?set a prm:MappingSet .
  OPTIONAL { ?set rdfs:label ?label }
  OPTIONAL { ?set dcterms:description ?description }
  OPTIONAL { ?record prm:inMappingSet ?set ; prm:mappingPredicate ?predicate }
}"""
)
_SUPER_PROPERTIES = (
    "SELECT ?this ?super WHERE { ?this <http://www.w3.org/2000/01/rdf-schema#subPropertyOf> ?super }"
)
# The direct link triples of a set: its records' subject-object pairs joined by some property.
_LINKS = (
    _PREFIXES
    + """
SELECT DISTINCT ?this ?s ?p ?o WHERE {
  ?record prm:inMappingSet ?this ; prm:mappingSubject ?s ; prm:mappingObject ?o .
  ?s ?p ?o .
}"""
)
# The source graph of a set's subjects (or objects): where they are typed, the inferred graph aside.
_TARGET_GRAPH = (
    _PREFIXES
    + """
SELECT ?this ?inferred ?g (COUNT(DISTINCT ?x) AS ?n) WHERE {
  ?record prm:inMappingSet ?this ; prm:%s ?x .
  GRAPH ?g { ?x a ?type }
  FILTER (?g != ?inferred)
} GROUP BY ?this ?inferred ?g ORDER BY DESC(?n) ?g"""
)
_EXAMPLES = (
    _PREFIXES
    + """
SELECT ?x WHERE {
  { SELECT ?x WHERE { ?x a prm:ProcessReferenceModel } ORDER BY ?x LIMIT 1 }
  UNION { SELECT ?x WHERE { ?x a prm:Process ; prm:sectionNumber ?n } ORDER BY ?n LIMIT 1 }
  UNION { SELECT ?x WHERE { ?x a prm:Outcome ; prm:outcomeNumber 1 ; prm:outcomeOf ?p .
                            ?p prm:sectionNumber ?n } ORDER BY ?n LIMIT 1 }
  UNION { SELECT ?x WHERE { ?x a prm:MappingRecord } ORDER BY ?x LIMIT 1 }
}"""
)
_USED_TERMS = "SELECT DISTINCT ?t WHERE { { ?s ?t ?o } UNION { ?s a ?t } FILTER isIRI(?t) }"
_CLASS_COUNTS = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class FILTER(isIRI(?class)) }
GROUP BY ?class ORDER BY ?class
"""


def _rows(result: QueryResult | bool | list[Any]) -> list[dict[str, Term | None]]:
    assert isinstance(result, QueryResult)
    return result.rows


def _term(term: Term) -> URIRef | Literal:
    if term.kind == "iri":
        return URIRef(term.value)
    if term.kind == "literal":
        return (
            Literal(term.value, lang=term.lang)
            if term.lang
            else Literal(term.value, datatype=URIRef(term.datatype or XSD.string))
        )
    raise ValueError("blank nodes are not copied into the dataset description")


def _agent(graph: Graph, term: Term) -> URIRef | BNode:
    """An IRI as it is; a name (the ontology states publisher and creator as text) as a ``foaf:Agent``."""
    if term.kind == "iri":
        return URIRef(term.value)
    agent = BNode()
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, FOAF.name, Literal(term.value)))
    return agent


def _distribution(graph: Graph, f: DownloadFile, subject: URIRef, title: str) -> None:
    url = URIRef(f.url)
    graph.add((subject, VOID.dataDump, url))
    graph.add((subject, DCAT.distribution, url))
    graph.add((url, RDF.type, DCAT.Distribution))
    graph.add((url, DCTERMS.title, Literal(f"{title} ({f.format_title})", lang="en")))
    graph.add((url, DCAT.downloadURL, url))
    graph.add((url, DCAT.accessURL, url))
    graph.add((url, DCAT.mediaType, URIRef(IANA + f.media_type)))
    graph.add((url, DCTERMS.format, FORMAT_TITLES[f.format][1]))
    graph.add((url, DCTERMS.conformsTo, FORMAT_TITLES[f.format][1]))


def void_graph(kg: KnowledgeGraph, root: str) -> Graph:
    """The VoID + DCAT description of the dataset, with absolute URLs under ``root``."""
    manifest = kg.build_result.manifest
    base = kg.settings.base_iri
    g = Graph(bind_namespaces="none")
    for name, ns in {
        "void": VOID,
        "dcat": DCAT,
        "dcterms": DCTERMS,
        "foaf": FOAF,
        "owl": OWL,
        "rdfs": RDFS,
        "xsd": XSD,
        "sd": SD,
        "formats": FORMATS,
        "prm": Namespace(PRM_NAMESPACE),
        "skos": Namespace(SKOS),
    }.items():
        g.bind(name, ns)
    g.bind("id", Namespace(base + "id/"))
    g.bind("graph", Namespace(base + "graph/"))

    dataset = URIRef(manifest.dataset_iri)
    title = dataset_title(kg)
    sparql = URIRef(root + "sparql")
    description_doc = URIRef(root + ".well-known/void")
    g.add((description_doc, RDF.type, VOID.DatasetDescription))
    g.add((description_doc, DCTERMS.title, Literal(f"Description of {title}", lang="en")))
    g.add((description_doc, FOAF.primaryTopic, dataset))

    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, RDF.type, DCAT.Dataset))
    g.add((dataset, DCTERMS.title, Literal(title, lang="en")))
    g.add((dataset, DCTERMS.description, Literal(DESCRIPTION, lang="en")))
    for keyword in KEYWORDS:
        g.add((dataset, DCAT.keyword, Literal(keyword, lang="en")))
    g.add((dataset, DCAT_VERSION, Literal(manifest.version)))
    g.add((dataset, OWL.versionInfo, Literal(manifest.version)))
    g.add((dataset, DCTERMS.modified, Literal(manifest.built_at, datatype=XSD.dateTime)))
    g.add((dataset, DCAT.landingPage, URIRef(root)))
    g.add((dataset, VOID.sparqlEndpoint, sparql))
    g.add((dataset, VOID.uriSpace, Literal(base + "id/")))
    g.add((dataset, VOID.triples, Literal(kg.store.count(), datatype=XSD.integer)))
    ontologies = _rows(kg.store.query(_ONTOLOGY))
    for row in ontologies[:1]:  # the first ontology speaks for the dataset's licence and publisher
        if row["license"] is not None:
            g.add((dataset, DCTERMS.license, _term(row["license"])))
        if row["publisher"] is not None:
            g.add((dataset, DCTERMS.publisher, _agent(g, row["publisher"])))
        if row["creator"] is not None:
            g.add((dataset, DCTERMS.creator, _agent(g, row["creator"])))
        if row["issued"] is not None:
            g.add((dataset, DCTERMS.issued, _term(row["issued"])))
    for row in ontologies:
        if row["ontology"] is not None:
            g.add((dataset, DCTERMS.conformsTo, URIRef(row["ontology"].value)))
    for row in _rows(kg.store.query(_EXAMPLES)):
        if row["x"] is not None:
            g.add((dataset, VOID.exampleResource, URIRef(row["x"].value)))
    model = _rows(
        kg.store.query(_PREFIXES + "SELECT ?m WHERE { ?m a prm:ProcessReferenceModel } ORDER BY ?m")
    )
    for row in model:
        if row["m"] is not None:
            g.add((dataset, VOID.rootResource, URIRef(row["m"].value)))
    for vocabulary in _vocabularies(kg):
        g.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
    for row in _rows(kg.store.query(_CLASS_COUNTS)):
        cls, n = row["class"], row["n"]
        if cls is not None and n is not None and cls.value.startswith(PRM_NAMESPACE):
            partition = BNode()
            g.add((dataset, VOID.classPartition, partition))
            g.add((partition, VOID["class"], URIRef(cls.value)))
            g.add((partition, VOID.entities, Literal(int(n.value), datatype=XSD.integer)))

    files = download_files(kg, root)
    for f in files:
        if f.graph is None:
            _distribution(g, f, dataset, title)
        else:
            subset = URIRef(f.graph)
            _distribution(g, f, subset, f.title)
    for graph_iri in ordered_graphs(kg):
        subset = URIRef(graph_iri)  # a subset is named by its graph's IRI: query it with GRAPH <iri>
        g.add((dataset, VOID.subset, subset))
        g.add((subset, RDF.type, VOID.Dataset))
        g.add((subset, RDF.type, DCAT.Dataset))
        g.add(
            (
                subset,
                DCTERMS.title,
                Literal(manifest.graph_titles.get(graph_iri, short_graph_name(graph_iri)), lang="en"),
            )
        )
        g.add((subset, VOID.triples, Literal(kg.store.count(graph_iri), datatype=XSD.integer)))
        g.add((subset, DCTERMS.isPartOf, dataset))
        g.add((subset, VOID.sparqlEndpoint, sparql))

    _linksets(g, kg, dataset, root)

    service = URIRef(root + "sparql#service")
    g.add((service, RDF.type, DCAT.DataService))
    g.add((service, RDF.type, SD.Service))
    g.add((service, DCTERMS.title, Literal(f"{title}: SPARQL 1.1 endpoint", lang="en")))
    g.add((service, DCAT.endpointURL, sparql))
    g.add((service, SD.endpoint, sparql))
    g.add((service, DCAT.endpointDescription, sparql))  # GET /sparql without a query: the service description
    g.add((service, DCAT.endpointDescription, URIRef(root + "openapi.json")))
    g.add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    g.add((service, DCAT.servesDataset, dataset))
    access = URIRef(root + "sparql#distribution")
    g.add((dataset, DCAT.distribution, access))
    g.add((access, RDF.type, DCAT.Distribution))
    g.add((access, DCTERMS.title, Literal(f"{title}: SPARQL endpoint", lang="en")))
    g.add((access, DCAT.accessURL, sparql))
    g.add((access, DCAT.accessService, service))
    return g


def _vocabularies(kg: KnowledgeGraph) -> list[str]:
    """The vocabularies whose terms the data uses (namespaces; ours as the ontology IRI)."""
    used = [r["t"].value for r in _rows(kg.store.query(_USED_TERMS)) if r["t"] is not None]
    namespaces = {ns for ns in kg.prefixes.values() if ns.endswith(("/", "#"))}
    ours = kg.settings.base_iri
    found: set[str] = set()
    for term in used:
        best = max((ns for ns in namespaces if term.startswith(ns)), key=len, default=None)
        if best is None or (best.startswith(ours) and not best.startswith(PRM_NAMESPACE)):
            continue  # our own id/ and graph/ spaces are data, not vocabularies
        found.add(best.rstrip("#") if best == PRM_NAMESPACE else best)
    return sorted(found)


def _linksets(g: Graph, kg: KnowledgeGraph, dataset: URIRef, root: str) -> None:
    """One ``void:Linkset`` per mapping set: the set-theory and SKOS predicates, targets, link count,
    and for a crosswalk set its downloadable files (SSSOM, STRM spreadsheets, OSCAL)."""
    supers: dict[str, set[str]] = {}
    for row in _rows(kg.store.query(_SUPER_PROPERTIES)):
        if row["this"] is not None and row["super"] is not None:
            supers.setdefault(row["this"].value, set()).add(row["super"].value)
    sets: dict[str, dict[str, Any]] = {}
    for row in _rows(kg.store.query(_MAPPING_SETS)):
        if row["set"] is None:
            continue
        entry = sets.setdefault(row["set"].value, {"label": None, "description": None, "predicates": set()})
        entry["label"] = entry["label"] or (row["label"].value if row["label"] else None)
        entry["description"] = entry["description"] or (
            row["description"].value if row["description"] else None
        )
        if row["predicate"] is not None:
            entry["predicates"].add(row["predicate"].value)
    inferred = Term.iri(kg.build_result.manifest.inferred_graph)
    for iri, entry in sorted(sets.items()):
        linkset = URIRef(iri)
        predicates = set(entry["predicates"])
        for p in list(predicates):
            predicates |= {s for s in supers.get(p, set()) if s.startswith(SKOS)}
        g.add((dataset, VOID.subset, linkset))
        g.add((linkset, RDF.type, VOID.Linkset))
        if entry["label"]:
            g.add((linkset, DCTERMS.title, Literal(entry["label"], lang="en")))
        if entry["description"]:
            g.add((linkset, DCTERMS.description, Literal(entry["description"], lang="en")))
        for p in sorted(predicates):
            g.add((linkset, VOID.linkPredicate, URIRef(p)))
        links = {
            (r["s"], r["p"], r["o"])
            for r in _rows(kg.store.query(_LINKS, {"this": Term.iri(iri)}))
            if r["p"] is not None and r["p"].value in predicates
        }
        g.add((linkset, VOID.triples, Literal(len(links), datatype=XSD.integer)))
        _crosswalk_distributions(g, linkset, root)
        for side, prop in (("mappingSubject", VOID.subjectsTarget), ("mappingObject", VOID.objectsTarget)):
            rows = _rows(kg.store.query(_TARGET_GRAPH % side, {"this": Term.iri(iri), "inferred": inferred}))
            if rows and rows[0]["g"] is not None:
                g.add((linkset, prop, URIRef(rows[0]["g"].value)))


def _crosswalk_distributions(g: Graph, linkset: URIRef, root: str) -> None:
    """The /download/crosswalk/… files of the crosswalk target whose mapping set this linkset is."""
    target = next((t for t in TARGETS.values() if t.mapping_set == str(linkset)), None)
    if target is None:
        return
    for fmt in CROSSWALK_FORMATS.values():
        url = URIRef(f"{root}download/crosswalk/{fmt.filename(target)}")
        g.add((linkset, DCAT.distribution, url))
        g.add((url, RDF.type, DCAT.Distribution))
        g.add((url, DCTERMS.title, Literal(f"{target.label} crosswalk ({fmt.title})", lang="en")))
        g.add((url, DCAT.downloadURL, url))
        g.add((url, DCAT.mediaType, URIRef(IANA + fmt.media_type.split(";")[0])))


def _serialise(graph: Graph, fmt: str) -> bytes:
    names = {"ttl": "turtle", "jsonld": "json-ld", "xml": "xml", "nt": "nt"}
    data = graph.serialize(format=names[fmt], encoding="utf-8")
    if fmt == "jsonld":
        prefixes = {str(name): str(ns) for name, ns in graph.namespaces()}
        data = compact_jsonld(data, prefixes)
    return data


@get_and_head(
    router,
    "/.well-known/void",
    summary="Dataset description (VoID + DCAT)",
    description="Turtle by default; JSON-LD, RDF/XML or N-Triples by `Accept` or `format`.",
    response_class=Response,
)
def void(
    request: Request,
    kg: KG,
    settings: Config,
    format: Annotated[str | None, Query(description="ttl, jsonld, rdfxml or nt")] = None,  # noqa: A002
) -> Response:
    media = negotiate(request, VOID_TYPES, format)
    if media is None:
        return not_acceptable(VOID_TYPES)
    root = absolute_root(request, settings)
    negotiated = format is None
    etag = etag_for(kg, "void", media, root)
    if (answer := conditional(request, etag, vary=negotiated, data=True)) is not None:
        return answer
    fmt = RDF_MEDIA[media]
    if settings.base_url:
        body = cached(request, kg, f"void {fmt}", lambda: _serialise(void_graph(kg, root), fmt))
    else:  # the URLs follow the request's Host: not cached, or any Host header would grow the cache
        body = _serialise(void_graph(kg, root), fmt)
    return Response(body, media_type=media, headers=cache_headers(etag, vary=negotiated, data=True))
