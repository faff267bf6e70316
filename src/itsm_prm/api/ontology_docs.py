"""Ontology documentation: ``/ontology`` (pyLODE HTML, or the ontology as RDF) and ``/ontology/shapes``
(the SHACL shapes described in words, or the shapes graph as RDF).

The ontology IRI ``{base_iri}ontology`` is served at ``/ontology``; its terms live in the hash namespace
``{base_iri}ontology#``, so a term IRI lands on the page and the browser scrolls to the fragment. pyLODE names
its anchors after labels (``#equalto``); the page is rewritten so every term's anchor is its local name
(``#equalTo``), which is what the IRI's fragment says. The shapes namespace ``{base_iri}shapes#`` maps to
``/ontology/shapes`` the same way.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from rdflib import Graph, Literal, Node, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SH

from itsm_prm.api.conneg import GRAPH_TYPES
from itsm_prm.api.deps import etag_for
from itsm_prm.api.pages import (
    EXTENSION_FORMATS,
    KG,
    RDF_MEDIA,
    Config,
    Link,
    Site,
    cache_headers,
    cached,
    conditional,
    get_and_head,
    negotiate,
    not_acceptable,
    requested_format,
    templates,
)
from itsm_prm.build import SHAPES_DIR
from itsm_prm.config import Settings
from itsm_prm.export import compact_jsonld
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.validation import load_shapes

log = logging.getLogger(__name__)

router = APIRouter(tags=["ontology"])

DOC_TYPES = ("text/html", *GRAPH_TYPES)
#: extensions of the ontology and shapes documents (``.owl`` is RDF/XML, as ontology tools expect)
DOC_EXTENSIONS = {**EXTENSION_FORMATS, ".owl": "rdfxml"}
_RDFLIB_FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "xml": "xml", "nt": "nt"}

_NAV_STYLE = """<style>
.site-header{background:#12335b;margin:-2em -70px 1.5em;padding:0.6em 240px 0.6em 70px;
  font:16px/1.5 system-ui,sans-serif}
.site-header nav{display:flex;flex-wrap:wrap;gap:1rem;align-items:center}
.site-header ul{list-style:none;display:flex;flex-wrap:wrap;gap:0.9rem;margin:0;padding:0}
.site-header a{color:#fff;text-decoration:none}.site-header a:hover{text-decoration:underline}
.site-header .brand{font-weight:700}
</style>"""
_ANCHOR = re.compile(r'\b(id="|href="#)([^"]+)"')
_HREF = re.compile(r'href="([^"#]+)(#[^"]*)?"')


def _format_of(ext: str) -> str | None:
    return DOC_EXTENSIONS.get("." + ext.lower())


def _serialise(graph: Graph, fmt: str, prefixes: dict[str, str]) -> bytes:
    """An rdflib graph as ttl, jsonld (compacted like the exports), xml or nt."""
    out = Graph(bind_namespaces="none")
    for name, namespace in prefixes.items():
        out.bind(name, namespace)
    for triple in graph:
        out.add(triple)
    data = out.serialize(format=_RDFLIB_FORMATS[fmt], encoding="utf-8")
    return compact_jsonld(data, prefixes) if fmt == "jsonld" else data


# ---------------------------------------------------------------- the ontology


def anchor_terms(page: str, fids: dict[str, str], namespace: str) -> str:
    """Rename pyLODE's anchors of the namespace's terms to their local names, links included."""
    existing = set(re.findall(r'\bid="([^"]+)"', page))
    renames: dict[str, str] = {}
    for iri, fid in fids.items():
        if not fid or not iri.startswith(namespace):
            continue
        local = iri[len(namespace) :]
        if local and local != fid and local not in existing:  # never steal another element's id
            renames[fid] = local
    return _ANCHOR.sub(lambda m: m.group(1) + renames.get(m.group(2), m.group(2)) + '"', page)


def _pylode(kg: KnowledgeGraph) -> str:
    """pyLODE's page for the compiled ontology, term anchors renamed to local names (about a second)."""
    from pylode import OntPub  # imported here: it loads its background ontologies on import

    # pyLODE documents one ontology: modules such as the assessment vocabulary bring their own
    # owl:Ontology header and namespace, which would otherwise win at random. Their terms stay.
    core = URIRef(kg.settings.base_iri + "ontology")
    modules = {s for s in kg.ontology_graph.subjects(RDF.type, OWL.Ontology) if s != core}
    graph = Graph()
    for triple in kg.ontology_graph:  # a copy: pyLODE adds its own inferences to the graph it gets
        if triple[0] not in modules:
            graph.add(triple)
    for name, namespace in kg.prefixes.items():
        graph.bind(name, namespace)
    doc = OntPub(ontology=graph, sort_subjects=True)  # a stable, alphabetical table of contents
    page = doc.make_html()
    namespace = next(
        (str(ns) for ns in graph.objects(core, URIRef("http://purl.org/vocab/vann/preferredNamespaceUri"))),
        kg.settings.base_iri + "ontology#",
    )
    return anchor_terms(page, dict(doc.fids), namespace)


def ontology_html(request: Request, site: Site) -> str:
    """The pyLODE page with our site header, and links to our IRIs pointed at this site's pages."""
    raw = cached(request, site.kg, "pylode", lambda: _pylode(site.kg))

    def local(match: re.Match[str]) -> str:
        iri = html.unescape(match.group(1))
        if not iri.startswith(site.base):
            return match.group(0)
        fragment = match.group(2) or ""
        return f'href="{html.escape(site.href(iri))}{fragment}"'

    page = _HREF.sub(local, raw)
    nav = templates.get_template("_nav.html").render(site=site)
    page = page.replace("</head>", _NAV_STYLE + "\n</head>", 1)
    return page.replace("<body>", "<body>\n" + nav, 1)


def _ontology_rdf(kg: KnowledgeGraph, fmt: str) -> bytes:
    return kg.export(fmt, list(kg.build_result.manifest.ontology_graphs))


def _document(
    request: Request,
    kg: KnowledgeGraph,
    settings: Settings,
    override: str | None,
    name: str,
    html_page,  # noqa: ANN001 - Callable[[Site], str]
    rdf,  # noqa: ANN001 - Callable[[str], bytes]
) -> Response:
    media = negotiate(request, DOC_TYPES, override)
    if media is None:
        return not_acceptable(DOC_TYPES)
    site = Site(request, kg, settings)
    negotiated = override is None
    etag = etag_for(kg, name, media, site.root)
    if (answer := conditional(request, etag, vary=negotiated)) is not None:
        return answer
    headers = cache_headers(etag, vary=negotiated)
    if media == "text/html":
        return HTMLResponse(html_page(site), headers=headers)
    fmt = RDF_MEDIA[media]
    body = cached(request, kg, f"{name}-{fmt}", lambda: rdf(fmt))
    return Response(body, media_type=media, headers=headers)


@get_and_head(
    router,
    "/ontology",
    summary="The ontology: documentation (HTML) or RDF",
    description="pyLODE documentation for browsers; Turtle, JSON-LD, RDF/XML or N-Triples by `Accept` or "
    "`format`. Term IRIs (`…/ontology#Process`) land on the page's anchors.",
    response_class=Response,
)
def ontology(
    request: Request,
    kg: KG,
    settings: Config,
    format: Annotated[str | None, Query(description="html, ttl, jsonld, rdfxml or nt")] = None,  # noqa: A002
) -> Response:
    return _document(
        request,
        kg,
        settings,
        requested_format(request),
        "ontology",
        lambda site: ontology_html(request, site),
        lambda fmt: _ontology_rdf(kg, fmt),
    )


# ---------------------------------------------------------------- the shapes


@dataclass(frozen=True)
class Part:
    """A piece of a sentence: plain text, code, or a link."""

    text: str
    link: Link | None = None
    code: bool = False


Phrase = list[Part]


@dataclass
class ConstraintDoc:
    path: Phrase
    words: list[Phrase]
    messages: list[str]
    severity: str | None = None
    name: str | None = None


@dataclass
class SparqlDoc:
    messages: list[str]
    select: str
    severity: str | None = None


@dataclass
class ShapeDoc:
    anchor: str
    iri: str
    label: str
    curie: str
    comment: str | None
    targets: list[Phrase]
    target_queries: list[str]
    node_words: list[Phrase]
    properties: list[ConstraintDoc] = field(default_factory=list)
    sparql: list[SparqlDoc] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    severity: str | None = None
    deactivated: bool = False


_NUMBERS = {0: "no", 1: "one", 2: "two", 3: "three"}
_NODE_KINDS = {
    SH.IRI: "an IRI",
    SH.Literal: "a literal",
    SH.BlankNode: "a blank node",
    SH.BlankNodeOrIRI: "a blank node or an IRI",
    SH.BlankNodeOrLiteral: "a blank node or a literal",
    SH.IRIOrLiteral: "an IRI or a literal",
}


def _count(n: int) -> str:
    return _NUMBERS.get(n, str(n))


def _values(n: int) -> str:
    return "value" if n == 1 else "values"


class ShapesReader:
    """Describes SHACL shapes in words, with links to the ontology's terms."""

    def __init__(self, shapes: Graph, site: Site) -> None:
        self.g = shapes
        self.site = site

    def label(self, node: Node) -> str:
        for predicate in (RDFS.label, SH.name):
            values = sorted(str(o) for o in self.g.objects(node, predicate) if isinstance(o, Literal))
            if values:
                return values[0]
        return self.site.label(str(node)) if isinstance(node, URIRef) else str(node)

    def term(self, node: Node) -> Part:
        if isinstance(node, URIRef):
            iri = str(node)
            link = self.site.link(iri)
            if not self.site.has_label(iri):
                link = Link(link.href, self.site.curie(iri), iri, self.site.curie(iri), link.external)
            return Part("", link)
        if isinstance(node, Literal):
            return Part(f'"{node}"', code=True)
        return Part(str(node), code=True)

    def path(self, node: Node) -> Phrase:
        """A property path: a link for a plain property, else SPARQL path syntax with CURIEs."""
        if isinstance(node, URIRef):
            return [self.term(node), Part(" "), Part(self.site.curie(str(node)), code=True)]
        return [Part(self.path_text(node), code=True)]

    def path_text(self, node: Node) -> str:
        if isinstance(node, URIRef):
            return self.site.curie(str(node))
        if (node, RDF.first, None) in self.g:
            return "/".join(self.path_text(p) for p in Collection(self.g, node))
        for predicate, template in (
            (SH.inversePath, "^{}"),
            (SH.zeroOrMorePath, "{}*"),
            (SH.oneOrMorePath, "{}+"),
            (SH.zeroOrOnePath, "{}?"),
        ):
            inner = self.g.value(node, predicate)
            if inner is not None:
                return template.format(self.path_text(inner))
        alternatives = self.g.value(node, SH.alternativePath)
        if alternatives is not None:
            return "(" + "|".join(self.path_text(p) for p in Collection(self.g, alternatives)) + ")"
        return str(node)

    def _one(self, node: Node, predicate: URIRef) -> Node | None:
        return self.g.value(node, predicate)

    def words(self, node: Node) -> list[Phrase]:
        """Each constraint of a shape (property or node) as a phrase."""
        out: list[Phrase] = []
        low = self._one(node, SH.minCount)
        high = self._one(node, SH.maxCount)
        lo = int(low) if isinstance(low, Literal) else None
        hi = int(high) if isinstance(high, Literal) else None
        if lo is not None and hi is not None:
            text = f"exactly {_count(lo)} {_values(lo)}" if lo == hi else f"between {lo} and {hi} values"
            out.append([Part(text)])
        elif lo is not None:
            out.append([Part(f"at least {_count(lo)} {_values(lo)}")])
        elif hi is not None:
            out.append([Part(f"at most {_count(hi)} {_values(hi)}")])
        for datatype in self.g.objects(node, SH.datatype):
            out.append([Part("values of datatype "), Part(self.site.curie(str(datatype)), code=True)])
        for cls in self.g.objects(node, SH["class"]):
            out.append([Part("each value an instance of "), self.term(cls)])
        for kind in self.g.objects(node, SH.nodeKind):
            out.append([Part("each value " + _NODE_KINDS.get(kind, self.site.curie(str(kind))))])
        for members in self.g.objects(node, SH["in"]):
            items = list(Collection(self.g, members))
            phrase: Phrase = [Part("each value one of ")]
            for i, item in enumerate(items):
                if i:
                    phrase.append(Part(", "))
                phrase.append(self.term(item))
            out.append(phrase)
        for value in self.g.objects(node, SH.hasValue):
            out.append([Part("has the value "), self.term(value)])
        for pattern in self.g.objects(node, SH.pattern):
            flags = self._one(node, SH.flags)
            out.append(
                [Part("matches the pattern "), Part(str(pattern), code=True)]
                + ([Part(f" (flags {flags})")] if flags else [])
            )
        for name, text in (
            (SH.minLength, "at least {} characters long"),
            (SH.maxLength, "at most {} characters long"),
            (SH.minInclusive, "at least {}"),
            (SH.maxInclusive, "at most {}"),
            (SH.minExclusive, "more than {}"),
            (SH.maxExclusive, "less than {}"),
        ):
            for limit in self.g.objects(node, name):
                out.append([Part(text.format(limit))])
        for languages in self.g.objects(node, SH.languageIn):
            out.append([Part("language one of " + ", ".join(str(x) for x in Collection(self.g, languages)))])
        if self._one(node, SH.uniqueLang) == Literal(True):
            out.append([Part("at most one value per language")])
        for name, text in (
            (SH.equals, "the same values as "),
            (SH.disjoint, "no value in common with "),
            (SH.lessThan, "each value less than every value of "),
            (SH.lessThanOrEquals, "each value at most every value of "),
        ):
            for other in self.g.objects(node, name):
                out.append([Part(text), self.term(other)])
        for shape in self.g.objects(node, SH.node):
            out.append([Part("each value conforms to the shape "), self.term(shape)])
        for inner in self.g.objects(node, SH["not"]):
            for phrase in self.words(inner):
                out.append([Part("must not: "), *phrase])
        if self._one(node, SH.closed) == Literal(True):
            out.append([Part("closed: no properties other than those listed")])
        return out

    def messages(self, node: Node) -> list[str]:
        return sorted(str(m) for m in self.g.objects(node, SH.message))

    def severity(self, node: Node) -> str | None:
        value = self._one(node, SH.severity)
        return str(value).rsplit("#", 1)[-1] if value is not None else None

    def targets(self, shape: Node) -> tuple[list[Phrase], list[str]]:
        phrases: list[Phrase] = []
        queries: list[str] = []
        for cls in self.g.objects(shape, SH.targetClass):
            phrases.append([Part("every instance of "), self.term(cls)])
        for node in self.g.objects(shape, SH.targetNode):
            phrases.append([Part("the node "), self.term(node)])
        for prop in self.g.objects(shape, SH.targetSubjectsOf):
            phrases.append([Part("every subject of "), self.term(prop)])
        for prop in self.g.objects(shape, SH.targetObjectsOf):
            phrases.append([Part("every object of "), self.term(prop)])
        for target in self.g.objects(shape, SH.target):
            select = self._one(target, SH.select)
            phrases.append([Part("the nodes a SPARQL query selects")])
            if select is not None:
                queries.append(_dedent(str(select)))
        if (shape, RDF.type, RDFS.Class) in self.g:
            phrases.append([Part("every instance of the shape itself (it is also a class)")])
        return phrases, queries

    def shape(self, node: URIRef) -> ShapeDoc:
        iri = str(node)
        targets, queries = self.targets(node)
        doc = ShapeDoc(
            anchor=_anchor(iri),
            iri=iri,
            label=self.label(node),
            curie=self.site.curie(iri),
            comment=next((str(c) for c in self.g.objects(node, RDFS.comment)), None),
            targets=targets,
            target_queries=queries,
            node_words=self.words(node),
            messages=self.messages(node),
            severity=self.severity(node),
            deactivated=self._one(node, SH.deactivated) == Literal(True),
        )
        for prop in self.g.objects(node, SH.property):
            path = self._one(prop, SH.path)
            doc.properties.append(
                ConstraintDoc(
                    path=self.path(path) if path is not None else [Part("(no path)")],
                    words=self.words(prop),
                    messages=self.messages(prop),
                    severity=self.severity(prop),
                    name=str(self._one(prop, SH.name)) if self._one(prop, SH.name) else None,
                )
            )
        doc.properties.sort(key=lambda c: "".join(p.text or (p.link.label if p.link else "") for p in c.path))
        for constraint in self.g.objects(node, SH.sparql):
            select = self._one(constraint, SH.select)
            doc.sparql.append(
                SparqlDoc(self.messages(constraint), _dedent(str(select or "")), self.severity(constraint))
            )
        doc.sparql.sort(key=lambda s: s.messages)
        return doc

    def node_shapes(self) -> list[ShapeDoc]:
        shapes: set[URIRef] = {s for s in self.g.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}
        return sorted((self.shape(s) for s in shapes), key=lambda d: (d.label.lower(), d.iri))

    def property_shapes(self) -> list[ShapeDoc]:
        """Property shapes with IRIs of their own (anonymous ones are described with their node shape)."""
        found = {s for s in self.g.subjects(RDF.type, SH.PropertyShape) if isinstance(s, URIRef)}
        docs = []
        for node in sorted(found):
            doc = self.shape(node)
            path = self._one(node, SH.path)
            doc.properties = [
                ConstraintDoc(
                    self.path(path) if path is not None else [Part("(no path)")],
                    self.words(node),
                    self.messages(node),
                    self.severity(node),
                )
            ]
            doc.node_words = []
            docs.append(doc)
        return docs


def _anchor(iri: str) -> str:
    """``…/shapes#ProcessShape`` → ``ProcessShape`` (the fragment the shape's IRI already has)."""
    return re.sub(r"[^A-Za-z0-9_.:-]", "-", iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]) or "shape"


def _dedent(text: str) -> str:
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    indents = [len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()]
    cut = min(indents) if indents else 0
    return "\n".join([lines[0].strip(), *(line[cut:] for line in lines[1:])]) if lines else ""


def shapes_graph(request: Request, kg: KnowledgeGraph) -> Graph:
    def build() -> Graph:
        graph = load_shapes(kg.settings.resources_root() / SHAPES_DIR)
        return graph if graph is not None else Graph()

    return cached(request, kg, "shapes-graph", build)


def _shapes_html(request: Request, site: Site) -> str:
    graph = shapes_graph(request, site.kg)
    reader = ShapesReader(graph, site)
    ontologies = sorted(
        str(o) for o in graph.subjects(RDF.type, URIRef("http://www.w3.org/2002/07/owl#Ontology"))
    )
    return templates.get_template("shapes.html").render(
        request=request,
        site=site,
        title="SHACL shapes",
        node_shapes=reader.node_shapes(),
        property_shapes=reader.property_shapes(),
        documents=[Link(site.href(o), reader.label(URIRef(o)), o, site.curie(o)) for o in ontologies],
        formats=[(name, site.url(f"ontology/shapes{ext}")) for name, ext in _FORMAT_LINKS],
    )


_FORMAT_LINKS = (("Turtle", ".ttl"), ("JSON-LD", ".jsonld"), ("RDF/XML", ".rdf"), ("N-Triples", ".nt"))


@get_and_head(
    router,
    "/ontology/shapes",
    summary="The SHACL shapes: documentation (HTML) or RDF",
    description="Every node shape with its targets and constraints in words, or the shapes graph as Turtle, "
    "JSON-LD, RDF/XML or N-Triples by `Accept` or `format`.",
    response_class=Response,
)
def shapes(
    request: Request,
    kg: KG,
    settings: Config,
    format: Annotated[str | None, Query(description="html, ttl, jsonld, rdfxml or nt")] = None,  # noqa: A002
) -> Response:
    return _document(
        request,
        kg,
        settings,
        requested_format(request),
        "shapes",
        lambda site: _shapes_html(request, site),
        lambda fmt: _serialise(shapes_graph(request, kg), fmt, kg.prefixes),
    )


@get_and_head(router, "/ontology/shapes.{ext}", include_in_schema=False)
def shapes_file(
    request: Request,
    ext: str,
    kg: KG,
    settings: Config,
) -> Response:
    fmt = _format_of(ext)
    if fmt is None:
        return _no_such_file(request, f"/ontology/shapes.{ext}")
    return _document(
        request,
        kg,
        settings,
        request.query_params.get("format") or fmt,
        "shapes",
        lambda site: _shapes_html(request, site),
        lambda f: _serialise(shapes_graph(request, kg), f, kg.prefixes),
    )


@get_and_head(router, "/ontology.{ext}", include_in_schema=False)
def ontology_file(
    request: Request,
    ext: str,
    kg: KG,
    settings: Config,
) -> Response:
    fmt = _format_of(ext)
    if fmt is None:
        return _no_such_file(request, f"/ontology.{ext}")
    return _document(
        request,
        kg,
        settings,
        request.query_params.get("format") or fmt,
        "ontology",
        lambda site: ontology_html(request, site),
        lambda f: _ontology_rdf(kg, f),
    )


def version_path(kg: KnowledgeGraph) -> str | None:
    """The ontology's ``owl:versionIRI`` as a path under ``ontology/`` (``0.1.0``), if it is one of ours."""
    prefix = kg.settings.base_iri + "ontology/"
    for version in kg.ontology_graph.objects(URIRef(kg.settings.base_iri + "ontology"), OWL.versionIRI):
        if str(version).startswith(prefix) and "/" not in str(version)[len(prefix) :]:
            return str(version)[len(prefix) :]
    return None


# Registered after /ontology/shapes: the version IRI (FOOPS!, O'FAIRe) resolves to this version's documents;
# the service publishes one version, so any other answers 404.
@get_and_head(router, "/ontology/{version}", include_in_schema=False)
def ontology_version(request: Request, version: str, kg: KG, settings: Config) -> Response:
    current = version_path(kg)
    stem, extension = version, None
    for ext in DOC_EXTENSIONS:
        if current is not None and version == current + ext:
            stem, extension = current, ext
    if current is None or stem != current:
        return _no_such_file(request, f"/ontology/{version}")
    override = request.query_params.get("format") or (DOC_EXTENSIONS[extension] if extension else None)
    return _document(
        request,
        kg,
        settings,
        override,
        "ontology",
        lambda site: ontology_html(request, site),
        lambda f: _ontology_rdf(kg, f),
    )


def _no_such_file(request: Request, path: str) -> Response:
    known = ", ".join(sorted(DOC_EXTENSIONS))
    return JSONResponse({"error": f"no such document {path} (extensions: {known})", "status": 404}, 404)


def term_anchors(page: str) -> Iterable[str]:
    """The ids a page defines (for tests and link checks)."""
    return re.findall(r'\bid="([^"]+)"', page)
