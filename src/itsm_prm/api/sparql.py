"""``/sparql``: the SPARQL 1.1 Protocol, read-only.

* queries by ``GET ?query=``, ``POST`` form (``query=``) or ``POST application/sparql-query``,
  with ``default-graph-uri`` / ``named-graph-uri`` (repeatable) for the dataset;
* SELECT/ASK as SPARQL JSON (default), XML, CSV or TSV; CONSTRUCT/DESCRIBE as Turtle (default),
  JSON-LD, RDF/XML or N-Triples; chosen by ``Accept`` or a ``format`` parameter (``json``, ``ttl``,
  a media type…); 406 lists what can be served;
* updates (``update=``, ``application/sparql-update``, or update text sent as a query) → 403;
  ``SERVICE`` → 403; the policy reads the parsed query (:mod:`itsm_prm.sparql_policy`);
* without a query: the SPARQL Service Description (RDF), or for a browser a redirect to ``/query``;
* answers come from the worker pool (:mod:`itsm_prm.executor`) with its time and size limits, and
  are cached: the data is immutable per dataset hash, so an ETag of dataset hash + request
  answers ``If-None-Match`` with 304 without running anything.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, VOID
from starlette.concurrency import run_in_threadpool

from itsm_prm.api.answer_cache import remember
from itsm_prm.api.assessment_repository import PRIVATE, repository
from itsm_prm.api.auth import optional_principal
from itsm_prm.api.conneg import GRAPH_TYPES, SELECT_TYPES, describe, media_type_of, negotiate
from itsm_prm.api.deps import etag_for, etag_matches
from itsm_prm.errors import UnknownFormatError, UserError
from itsm_prm.executor import QueryExecutor, QueryService
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.sparql_policy import check_query, refuse_update
from itsm_prm.tokens import Principal

router = APIRouter(tags=["sparql"])

PATH = "/sparql"
QUERY_PAGE = "/query"  # the HTML query editor browsers are sent to
CACHE_CONTROL = "public, max-age=600"
FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
#: what the service writes, as W3C format IRIs for the service description
RESULT_FORMAT_IRIS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "JSON-LD",
    "RDF_XML",
    "N-Triples",
)
#: media type → rdflib serializer, for the service description
_RDFLIB_FORMATS = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
    "application/n-triples": "nt",
}


# ---------------------------------------------------------------- the protocol request


@dataclass
class ProtocolRequest:
    """The SPARQL protocol parameters of one request, wherever they came from."""

    query: str | None = None
    update: str | None = None
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=list)

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, str]]) -> ProtocolRequest:
        """Read protocol parameters; other names (SPARQLWrapper's ``output=``…) are ignored."""
        out = cls()
        queries = [v for k, v in pairs if k == "query"]
        updates = [v for k, v in pairs if k == "update"]
        if len(queries) > 1 or len(updates) > 1:
            raise UserError("give one query (or update) per request, not several")
        if queries and updates:
            raise UserError("give either a query or an update, not both")
        out.query = queries[0] if queries else None
        out.update = updates[0] if updates else None
        out.default_graphs = [v for k, v in pairs if k == "default-graph-uri"]
        out.named_graphs = [v for k, v in pairs if k == "named-graph-uri"]
        out.formats = [v for k, v in pairs if k == "format" and v.strip()]
        return out


def _pick_media_type(accept: str | None, offered: tuple[str, ...], formats: list[str]) -> str:
    """``format`` wins over ``Accept``; the first recognised ``format`` value counts (SPARQLWrapper
    repeats it, e.g. ``format=tsv&format=text/tab-separated-values``)."""
    if formats:
        for name in formats:
            if media := media_type_of(name, offered):
                return media
        wanted = f"format={formats[0]!r}"
    else:
        if media := negotiate(accept, offered):
            return media
        wanted = f"Accept: {accept}"
    raise UnknownFormatError(f"cannot answer with {wanted}; this answer is available as {describe(offered)}")


# ---------------------------------------------------------------- the response cache


class ResponseCache:
    """A small LRU of serialised answers, bounded in entries and in bytes (thread-safe).

    Keys are digests of the request (:func:`request_key`), so a long query text is not kept."""

    def __init__(self, max_entries: int = 512, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, bytes] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            body = self._items.get(key)
            if body is not None:
                self._items.move_to_end(key)
            return body

    def put(self, key: str, body: bytes) -> None:
        if len(body) > self.max_bytes // 8:  # one big answer must not evict everything else
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = body
            self._bytes += len(body)
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                _, old = self._items.popitem(last=False)
                self._bytes -= len(old)

    def __len__(self) -> int:
        return len(self._items)


_STATE_LOCK = threading.Lock()


def response_cache(request: Request) -> ResponseCache:
    """The app's cache (one per app: each app may serve another dataset)."""
    state = request.app.state
    with _STATE_LOCK:
        if not hasattr(state, "sparql_cache"):
            state.sparql_cache = ResponseCache()
        return state.sparql_cache


def request_key(*parts: object) -> str:
    """What decides the answer (query text, media type, graphs), as one digest."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()


# ---------------------------------------------------------------- answering


def _answer(request: Request, proto: ProtocolRequest) -> tuple[Response, str | None]:
    """Everything after the body is read; runs in the thread pool (parsing and waiting block).
    Returns the response and, for a query answer, the key it is cached under."""
    principal = optional_principal(request)  # a wrong or revoked token is 401, never the public answer
    if proto.update is not None:
        raise refuse_update(proto.update)
    if proto.query is None:
        return _service_description(request, proto), None
    checked = check_query(proto.query)
    offered = GRAPH_TYPES if checked.returns_graph else SELECT_TYPES
    media_type = _pick_media_type(request.headers.get("accept"), offered, proto.formats)
    if principal is not None:
        return _private_answer(request, proto, media_type, principal), None
    kg: KnowledgeGraph = request.app.state.kg
    key = request_key(
        proto.query,
        media_type,
        tuple(proto.default_graphs) or None,
        tuple(proto.named_graphs) or None,
    )
    headers = {"ETag": etag_for(kg, "sparql", key), "Cache-Control": CACHE_CONTROL, "Vary": "Accept"}
    # 304 only for GET/HEAD: for other methods a matching If-None-Match would mean 412 (RFC 9110)
    if request.method in ("GET", "HEAD") and etag_matches(request.headers.get("if-none-match"),
                                                          headers["ETag"]):
        return Response(status_code=304, headers=headers), None
    cache = response_cache(request)
    body = cache.get(key)
    if body is None:
        executor: QueryExecutor = request.app.state.executor
        answer = executor.run(
            proto.query,
            media_type,
            default_graphs=proto.default_graphs or None,
            named_graphs=proto.named_graphs or None,
        )
        body = answer.body
        cache.put(key, body)
    return Response(body, media_type=media_type, headers=headers), key


def _private_answer(
    request: Request, proto: ProtocolRequest, media_type: str, principal: Principal
) -> Response:
    """A caller with a token: the reference data plus its organisation's own assessment graphs
    (an administrator's token: the reference data). Neither cached nor validated by ETag."""
    graphs: list[str] = []
    if principal.organisation is not None and not principal.admin:
        graphs = repository(request).graphs_of(principal.organisation)
    executor: QueryService = request.app.state.executor
    answer = executor.run(
        proto.query or "",
        media_type,
        default_graphs=proto.default_graphs or None,
        named_graphs=proto.named_graphs or None,
        extra_graphs=graphs,
    )
    return Response(answer.body, media_type=media_type, headers={**PRIVATE, "Vary": "Accept, Authorization"})


def _endpoint_url(request: Request) -> str:
    base_url = request.app.state.settings.base_url
    if base_url:
        return base_url.rstrip("/") + PATH
    return str(request.url_for("sparql_get"))


def _service_description(request: Request, proto: ProtocolRequest) -> Response:
    offered = (*GRAPH_TYPES, "text/html")
    accept = request.headers.get("accept")
    media_type = _pick_media_type(accept, offered, proto.formats)
    if media_type == "text/html":  # a browser: the query page is the human face of the endpoint
        return RedirectResponse(request.scope.get("root_path", "") + QUERY_PAGE, status_code=303)
    kg: KnowledgeGraph = request.app.state.kg
    endpoint = _endpoint_url(request)
    key = request_key("service-description", endpoint, media_type)
    headers = {"ETag": etag_for(kg, "sparql", key), "Cache-Control": CACHE_CONTROL, "Vary": "Accept"}
    if request.method in ("GET", "HEAD") and etag_matches(request.headers.get("if-none-match"),
                                                          headers["ETag"]):
        return Response(status_code=304, headers=headers), None
    cache = response_cache(request)
    body = cache.get(key)
    if body is None:
        graph = service_description(endpoint, kg)
        body = graph.serialize(format=_RDFLIB_FORMATS[media_type], encoding="utf-8")
        cache.put(key, body)
    return Response(body, media_type=media_type, headers=headers)


def service_description(endpoint: str, kg: KnowledgeGraph) -> Graph:
    """The SPARQL 1.1 Service Description of the endpoint at ``endpoint``: language, result
    formats, union default graph, and every named graph with its size and title."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in (("sd", SD), ("formats", FORMATS), ("void", VOID), ("dcterms", DCTERMS)):
        graph.bind(prefix, namespace)
    graph.bind("rdfs", RDFS)
    manifest = kg.build_result.manifest
    service = BNode("service")
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, URIRef(endpoint)))
    graph.add((service, DCTERMS.title, Literal("itsm-prm SPARQL endpoint (read-only)", lang="en")))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for name in RESULT_FORMAT_IRIS:
        graph.add((service, SD.resultFormat, FORMATS[name]))
    dataset = BNode("dataset")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, RDFS.seeAlso, URIRef(manifest.dataset_iri)))
    default = BNode("default-graph")
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, DCTERMS.description, Literal("the union of all named graphs", lang="en")))
    graph.add((default, VOID.triples, Literal(kg.store.count())))
    for number, (iri, triples) in enumerate(sorted(manifest.graph_counts.items())):
        named, described = BNode(f"named-graph-{number}"), BNode(f"graph-{number}")
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(iri)))
        graph.add((named, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        graph.add((described, VOID.triples, Literal(triples)))
        if title := manifest.graph_titles.get(iri):
            graph.add((described, DCTERMS.title, Literal(title, lang="en")))
    return graph


# ---------------------------------------------------------------- routes

_QUERY_DOC = "A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE). Without one: the service description."
_FORMAT_DOC = (
    "Answer format, overriding Accept: json, xml, csv, tsv (SELECT/ASK); ttl, jsonld, rdfxml, nt "
    "(CONSTRUCT/DESCRIBE); or a media type."
)
_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {
        "description": "The answer (or the service description)",
        "content": {media: {} for media in (*SELECT_TYPES, *GRAPH_TYPES)},
    },
    303: {"description": "A browser without a query is sent to the query page"},
    304: {"description": "Not modified (If-None-Match)"},
    400: {"description": "Malformed SPARQL: the parser's message with line and column"},
    403: {"description": "Refused: SPARQL Update, or SERVICE (federated query)"},
    406: {"description": "None of the acceptable formats can be served; the message lists those that can"},
    413: {"description": "The request body or the answer is over its size limit"},
    415: {"description": "POST body of another type than a form or application/sparql-query"},
    503: {"description": "The query hit the time limit, or every query worker stayed busy"},
}


@router.get(
    PATH,
    name="sparql_get",
    summary="SPARQL 1.1 query (GET)",
    response_class=Response,
    responses=_RESPONSES,
)
async def sparql_get(
    request: Request,
    query: Annotated[str | None, Query(description=_QUERY_DOC)] = None,
    default_graph_uri: Annotated[list[str] | None, Query(alias="default-graph-uri")] = None,
    named_graph_uri: Annotated[list[str] | None, Query(alias="named-graph-uri")] = None,
    format: Annotated[str | None, Query(description=_FORMAT_DOC)] = None,  # noqa: A002 - the protocol's name
) -> Response:
    # the declared parameters document the route; repeated values are read from the raw list
    proto = ProtocolRequest.from_pairs(request.query_params.multi_items())
    response, key = await run_in_threadpool(_answer, request, proto)
    if key is not None:
        remember(request, response)  # the next identical GET is answered before routing
    return response


# HEAD answers like GET (the server sends no body); left out of the OpenAPI document
router.add_api_route(
    PATH, sparql_get, methods=["HEAD"], name="sparql_head", response_class=Response, include_in_schema=False
)


@router.post(
    PATH,
    name="sparql_post",
    summary="SPARQL 1.1 query (POST form or application/sparql-query)",
    response_class=Response,
    responses=_RESPONSES,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                FORM: {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "query": {"type": "string", "description": _QUERY_DOC},
                            "default-graph-uri": {"type": "array", "items": {"type": "string"}},
                            "named-graph-uri": {"type": "array", "items": {"type": "string"}},
                            "format": {"type": "string", "description": _FORMAT_DOC},
                        },
                    }
                },
                SPARQL_QUERY: {"schema": {"type": "string"}},
            },
        }
    },
)
async def sparql_post(request: Request) -> Response:
    mime = request.headers.get("content-type", "").split(";")[0].strip().lower()
    url_pairs = request.query_params.multi_items()
    body = await request.body()
    if mime == SPARQL_UPDATE:
        raise refuse_update(_text(body))
    if mime == FORM:
        proto = ProtocolRequest.from_pairs(url_pairs + parse_qsl(_text(body), keep_blank_values=True))
    elif mime == SPARQL_QUERY:
        proto = ProtocolRequest.from_pairs(url_pairs)
        if proto.query is not None or proto.update is not None:
            raise UserError("with application/sparql-query the query is the body, not a query= parameter")
        proto.query = _text(body)
    else:
        return JSONResponse(
            {
                "error": f"cannot read a request body of type {mime or 'unknown'!r}: send the query as "
                f"{FORM} (query=…) or as {SPARQL_QUERY}",
                "status": 415,
            },
            status_code=415,
        )
    response, _ = await run_in_threadpool(_answer, request, proto)
    return response


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(f"the request body is not UTF-8 (byte {exc.start})") from exc
