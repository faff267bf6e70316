"""What the HTML pages and linked-data routes share: templates, links from IRIs to local pages,
labels, per-dataset caches, ETags and conditional requests, content negotiation of RDF formats.

IRIs and local paths: every IRI under ``{base_iri}id/`` is served at ``/id/…``, the ontology at
``/ontology`` (its terms at anchors of that page), the shapes namespace at ``/ontology/shapes``, the
dataset IRI at ``/.well-known/void``. When ``settings.base_url`` is the base IRI, those paths *are* the
IRIs; otherwise links go to the same paths under ``base_url`` (or under the app's root path), so the site
is navigable on any host. Any other IRI the dataset describes is at ``/resource?iri=…``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

import jinja2
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates

from itsm_prm._version import __version__
from itsm_prm.api import conneg
from itsm_prm.api.deps import etag_matches, get_kg, get_settings
from itsm_prm.config import Settings
from itsm_prm.export import short_graph_name
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.prefixes import PRM_NAMESPACE
from itsm_prm.sources import Sources
from itsm_prm.terms import RDF_LANGSTRING, XSD_STRING, QueryResult, Term

HERE = Path(__file__).parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
PAV = "http://purl.org/pav/"
PRM = PRM_NAMESPACE
RDF_TYPE = RDF + "type"

#: page cache lifetime; the ETag (dataset hash) makes revalidation cheap
CACHE_CONTROL = "public, max-age=600"
#: downloads and dataset descriptions change only with the dataset
CACHE_CONTROL_DATA = "public, max-age=3600"

#: RDF media types the linked-data routes speak → export format names
RDF_MEDIA: dict[str, str] = {
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}
#: format name → the extension of links to one representation
FORMAT_EXTENSIONS = {"ttl": ".ttl", "jsonld": ".jsonld", "xml": ".rdf", "nt": ".nt", "html": ".html"}
#: extensions a URL may end with to ask for one representation (only these: IDs contain dots, ``SUP.8``)
EXTENSION_FORMATS = {".ttl": "ttl", ".jsonld": "jsonld", ".rdf": "rdfxml", ".nt": "nt", ".html": "html"}
#: the offered representations of a resource; the first is the default (browsers, ``*/*``)
RESOURCE_TYPES = ("text/html", *RDF_MEDIA, "application/json")
FORMAT_NAMES = {"ttl": "Turtle", "jsonld": "JSON-LD", "xml": "RDF/XML", "nt": "N-Triples"}

#: labels of the common vocabularies' properties, which the dataset does not describe
WELL_KNOWN_LABELS: dict[str, str] = {
    RDF_TYPE: "type",
    RDFS + "label": "label",
    RDFS + "comment": "comment",
    RDFS + "seeAlso": "see also",
    RDFS + "isDefinedBy": "is defined by",
    RDFS + "subClassOf": "subclass of",
    RDFS + "subPropertyOf": "subproperty of",
    RDFS + "domain": "domain",
    RDFS + "range": "range",
    OWL + "Class": "OWL class",
    OWL + "ObjectProperty": "object property",
    OWL + "DatatypeProperty": "datatype property",
    OWL + "AnnotationProperty": "annotation property",
    OWL + "SymmetricProperty": "symmetric property",
    OWL + "TransitiveProperty": "transitive property",
    OWL + "NamedIndividual": "named individual",
    OWL + "Ontology": "ontology",
    FOAF + "Person": "person",
    FOAF + "Organization": "organisation",
    FOAF + "Agent": "agent",
    OWL + "versionInfo": "version",
    OWL + "versionIRI": "version IRI",
    OWL + "inverseOf": "inverse of",
    OWL + "propertyChainAxiom": "property chain",
    OWL + "imports": "imports",
    OWL + "sameAs": "same as",
    OWL + "equivalentClass": "equivalent class",
    OWL + "equivalentProperty": "equivalent property",
    SKOS + "definition": "definition",
    SKOS + "notation": "notation",
    SKOS + "note": "note",
    SKOS + "editorialNote": "editorial note",
    SKOS + "altLabel": "alternative label",
    SKOS + "prefLabel": "preferred label",
    SKOS + "exactMatch": "exact match",
    SKOS + "closeMatch": "close match",
    SKOS + "broadMatch": "broad match",
    SKOS + "narrowMatch": "narrow match",
    SKOS + "relatedMatch": "related match",
    SKOS + "mappingRelation": "mapping relation",
    DCTERMS + "title": "title",
    DCTERMS + "identifier": "identifier",
    DCTERMS + "bibliographicCitation": "citation",
    DCTERMS + "subject": "subject",
    DCTERMS + "isPartOf": "is part of",
    DCTERMS + "hasPart": "has part",
    DCTERMS + "description": "description",
    DCTERMS + "creator": "creator",
    DCTERMS + "contributor": "contributor",
    DCTERMS + "publisher": "publisher",
    DCTERMS + "issued": "issued",
    DCTERMS + "modified": "modified",
    DCTERMS + "date": "date",
    DCTERMS + "source": "source",
    DCTERMS + "license": "licence",
    DCTERMS + "conformsTo": "conforms to",
    FOAF + "name": "name",
    PAV + "authoredBy": "authored by",
    PAV + "authoredOn": "authored on",
    "http://purl.org/vocab/vann/preferredNamespacePrefix": "preferred namespace prefix",
    "http://purl.org/vocab/vann/preferredNamespaceUri": "preferred namespace IRI",
}

#: label properties, best first
LABEL_PROPERTIES = (RDFS + "label", SKOS + "prefLabel", FOAF + "name", DCTERMS + "title")

# ?g: an asserted label wins over one the closure derived (rdfs:label from prm:processName)
_LABELS = f"""
SELECT ?s ?p ?label ?g WHERE {{
  VALUES ?p {{ {" ".join(f"<{p}>" for p in LABEL_PROPERTIES)} }}
  GRAPH ?g {{ ?s ?p ?label }}
  FILTER (isIRI(?s) && isLiteral(?label))
}}
"""
_SUBJECTS = "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER isIRI(?s) }"

T = TypeVar("T")

#: route parameters: the loaded dataset and the service's settings
KG = Annotated[KnowledgeGraph, Depends(get_kg)]
Config = Annotated[Settings, Depends(get_settings)]


# ---------------------------------------------------------------- routes


Endpoint = Callable[..., Any]


def get_and_head(router: APIRouter, path: str, **options: Any) -> Callable[[Endpoint], Endpoint]:
    """Register a GET route and its HEAD twin (kept out of the OpenAPI document: one operation each)."""

    def decorate(endpoint: Endpoint) -> Endpoint:
        router.add_api_route(path, endpoint, methods=["GET"], **options)
        head = {k: v for k, v in options.items() if k in ("response_class", "name")}
        router.add_api_route(path, endpoint, methods=["HEAD"], include_in_schema=False, **head)
        return endpoint

    return decorate


# ---------------------------------------------------------------- templates


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,  # every value is escaped unless a template marks it safe
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,  # a typo in a template fails the tests, not silently
    )
    env.globals["version"] = __version__
    return env


templates = Jinja2Templates(env=_environment())


# ---------------------------------------------------------------- per-dataset caches


def cached(request: Request, kg: KnowledgeGraph, name: str, factory: Callable[[], T]) -> T:
    """A value computed once per dataset hash and kept on the app (no module-level state).

    One lock per value keeps two first requests from computing the same slow value (pyLODE) twice,
    without holding up requests for other values; a factory may itself use other cached values.
    """
    state = request.app.state.__dict__  # dict.setdefault is atomic: no lock needed to create the lock
    guard: threading.Lock = state.setdefault("_itsm_prm_cache_guard", threading.Lock())
    key = kg.build_result.key
    with guard:
        store: dict[str, dict[str, Any]] = state.setdefault("_itsm_prm_cache", {})
        locks: dict[tuple[str, str], threading.Lock] = state.setdefault("_itsm_prm_cache_locks", {})
        if key not in store:
            store.clear()  # another dataset: what was cached is stale
            locks.clear()
            store[key] = {}
        values = store[key]
        if name in values:
            return values[name]
        lock = locks.setdefault((key, name), threading.Lock())
    with lock:
        with guard:
            if name in values:
                return values[name]
        value = factory()
        with guard:
            values[name] = value
        return value


# ---------------------------------------------------------------- ETags and conditional requests


def not_modified(request: Request, etag: str) -> bool:
    """Whether ``If-None-Match`` names the current representation."""
    return etag_matches(request.headers.get("if-none-match"), etag)


def cache_headers(etag: str, *, vary: bool = False, data: bool = False) -> dict[str, str]:
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL_DATA if data else CACHE_CONTROL}
    if vary:
        headers["Vary"] = "Accept"
    return headers


def conditional(request: Request, etag: str, *, vary: bool = False, data: bool = False) -> Response | None:
    """A 304 answer when the client's copy is current, else ``None``."""
    if not_modified(request, etag):
        return Response(status_code=304, headers=cache_headers(etag, vary=vary, data=data))
    return None


# ---------------------------------------------------------------- negotiation


def requested_format(request: Request, extension: str | None = None) -> str | None:
    """The ``?format=`` override or the path's extension format (a short name), if any."""
    explicit = request.query_params.get("format")
    if explicit:
        return explicit
    if extension:
        return EXTENSION_FORMATS.get(extension)
    return None


def split_extension(path: str) -> tuple[str, str | None]:
    """``process/INC.ttl`` → (``process/INC``, ``.ttl``); unknown endings stay part of the path."""
    for extension in EXTENSION_FORMATS:
        if path.endswith(extension) and len(path) > len(extension):
            return path[: -len(extension)], extension
    return path, None


def negotiate(request: Request, offered: Iterable[str], override: str | None) -> str | None:
    """The media type to answer with, ``None`` for 406. ``html`` and ``json`` overrides name documents."""
    offered = tuple(offered)
    if override and override.strip().lower() in ("html", "text/html"):
        return "text/html" if "text/html" in offered else None
    if override and override.strip().lower() in ("json", "jsonld", "json-ld"):
        return "application/ld+json" if "application/ld+json" in offered else None
    return conneg.negotiate(request.headers.get("accept"), offered, override)


def wants_html(request: Request) -> bool:
    """For error pages: whether the client prefers HTML to JSON."""
    return conneg.negotiate(request.headers.get("accept"), ("application/json", "text/html")) == "text/html"


def not_acceptable(offered: Iterable[str]) -> JSONResponse:
    names = ", ".join(offered)
    return JSONResponse(
        {"error": f"none of the offered formats is acceptable (offered: {names})", "status": 406},
        status_code=406,
        headers={"Vary": "Accept"},
    )


# ---------------------------------------------------------------- links and labels


@dataclass(frozen=True)
class Link:
    """A resource as a page shows it: where it links to and what it is called."""

    href: str
    label: str
    iri: str
    curie: str
    external: bool = False


@dataclass(frozen=True)
class Value:
    """One object of a property: a link, a literal (with language or datatype) or a blank node."""

    kind: str  # "link", "literal", "bnode"
    text: str
    link: Link | None = None
    lang: str | None = None
    datatype: str | None = None  # CURIE, for typed literals other than strings
    inferred: bool = False
    children: list[tuple[Link, list[Value]]] = field(default_factory=list)  # a blank node's properties


@dataclass
class DatasetView:
    """What every page needs from one dataset, computed once per dataset hash."""

    title: str
    labels: dict[str, str]
    subjects: frozenset[str]
    prefixes: dict[str, str]
    base_iri: str
    inferred_graph: str


def _best_labels(result: QueryResult, inferred_graph: str) -> dict[str, str]:
    ranked: dict[str, tuple[tuple[int, int, int, str], str]] = {}
    for row in result.rows:
        s, p, label, g = row["s"], row["p"], row["label"], row["g"]
        if s is None or p is None or label is None:
            continue
        rank = (
            LABEL_PROPERTIES.index(p.value),
            1 if g is not None and g.value == inferred_graph else 0,
            0 if label.lang in (None, "en") else 1,
            label.value,  # a stable choice among equals
        )
        if s.value not in ranked or rank < ranked[s.value][0]:
            ranked[s.value] = (rank, label.value)
    return {iri: text for iri, (_, text) in ranked.items()}


def dataset_view(request: Request, kg: KnowledgeGraph) -> DatasetView:
    def build() -> DatasetView:
        labels = kg.store.query(_LABELS)
        subjects = kg.store.query(_SUBJECTS)
        assert isinstance(labels, QueryResult) and isinstance(subjects, QueryResult)
        try:
            title = Sources.load(kg.settings.resources_root()).title
        except Exception:  # noqa: BLE001 - a missing title must not break every page
            title = ""
        return DatasetView(
            title=title or "itsm-prm",
            labels=_best_labels(labels, kg.build_result.manifest.inferred_graph),
            subjects=frozenset(t.value for t in subjects.column("s") if t is not None),
            prefixes=kg.prefixes,
            base_iri=kg.settings.base_iri,
            inferred_graph=kg.build_result.manifest.inferred_graph,
        )

    return cached(request, kg, "dataset-view", build)


def site_root(request: Request, settings: Settings) -> str:
    """Where the site's pages live, ending in ``/``: ``base_url`` if configured, else the app's root path."""
    if settings.base_url:
        return settings.base_url.rstrip("/") + "/"
    return request.scope.get("root_path", "").rstrip("/") + "/"


def absolute_root(request: Request, settings: Settings) -> str:
    """An absolute URL of the site root (for VoID, DCAT and other documents read elsewhere)."""
    if settings.base_url:
        return settings.base_url.rstrip("/") + "/"
    return str(request.base_url).rstrip("/") + "/"


class Site:
    """One request's view for HTML: labels, CURIEs and links from IRIs to pages of this site."""

    def __init__(self, request: Request, kg: KnowledgeGraph, settings: Settings) -> None:
        self.request = request
        self.kg = kg
        self.settings = settings
        self.data = dataset_view(request, kg)
        self.root = site_root(request, settings)
        self.base = settings.base_iri

    # -- addresses

    def url(self, path: str = "") -> str:
        """A page of this site, ``path`` relative to the site root (``ontology``, ``download``)."""
        return self.root + path.lstrip("/")

    def local_path(self, iri: str) -> str | None:
        """The site path (relative to the root) that serves ``iri``, if it is one of ours."""
        if not iri.startswith(self.base):
            return None
        rest = iri[len(self.base) :]
        if rest.startswith("id/") or rest == "ontology" or rest.startswith("ontology#"):
            return rest
        if rest.startswith("ontology/") and "/" not in rest[len("ontology/") :]:
            return rest  # a version IRI of the ontology (answered if it is the current one)
        if rest == "shapes" or rest.startswith("shapes#"):
            return "ontology/shapes" + rest[len("shapes") :]
        if rest == "dataset":
            return ".well-known/void"
        if rest.startswith("graph/") and len(rest) > len("graph/"):
            return f"download/graph/{short_graph_name(iri)}.ttl"
        return None

    def resource_url(self, iri: str) -> str:
        return self.url("resource?iri=" + quote(iri, safe=""))

    def href(self, iri: str) -> str:
        """Where a link to ``iri`` goes: our page for it, else the IRI itself."""
        path = self.local_path(iri)
        if path is not None:
            return self.url(path)
        if iri in self.data.subjects:
            return self.resource_url(iri)
        return iri

    def format_url(self, iri: str, fmt: str) -> str:
        """A link to one representation of a resource page (``.ttl``, ``.html``, …)."""
        path = self.local_path(iri)
        if path is not None and path.startswith("id/"):
            return self.url(path + FORMAT_EXTENSIONS[fmt])
        return self.resource_url(iri) + f"&format={'rdfxml' if fmt == 'xml' else fmt}"

    # -- names

    def curie(self, iri: str) -> str:
        return self.kg.shorten(iri)

    def label(self, iri: str) -> str:
        """The resource's label; for properties of common vocabularies a built-in one; else a CURIE."""
        return self.data.labels.get(iri) or WELL_KNOWN_LABELS.get(iri) or self.curie(iri)

    def has_label(self, iri: str) -> bool:
        return iri in self.data.labels or iri in WELL_KNOWN_LABELS

    def link(self, iri: str) -> Link:
        href = self.href(iri)
        external = href == iri and not self.is_ours(iri)
        return Link(href, self.label(iri), iri, self.curie(iri), external=external)

    def is_ours(self, iri: str) -> bool:
        return iri.startswith(self.base)

    def value(self, term: Term, inferred: bool = False) -> Value:
        if term.kind == "iri":
            link = self.link(term.value)
            return Value("link", link.label, link=link, inferred=inferred)
        if term.kind == "bnode":
            return Value("bnode", "_:" + term.value, inferred=inferred)
        datatype = None
        if term.datatype not in (None, XSD_STRING, RDF_LANGSTRING):
            datatype = self.curie(term.datatype or "")
        return Value("literal", term.value, lang=term.lang, datatype=datatype, inferred=inferred)


def render(
    request: Request,
    name: str,
    context: Mapping[str, Any],
    *,
    site: Site,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    """Render a page with the shared context (site, navigation)."""
    full = {"site": site, "title": "", **context}
    return templates.TemplateResponse(
        request, name, full, status_code=status_code, headers=dict(headers or {}), media_type="text/html"
    )
