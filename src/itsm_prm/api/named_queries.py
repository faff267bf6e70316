"""Named queries as REST, grlc-style: ``GET /api/queries`` lists the catalog and every
``queries/*.rq`` becomes its own operation ``GET /api/queries/{name}``.

Each operation's query parameters come from the query's ``#+ params:`` header as a real
function signature (``Annotated[int, Query(description=…, examples=…)]``), so FastAPI both
documents them in OpenAPI (type, description, example, required) and answers 422 for a missing
or ill-typed value. Values then go through :func:`itsm_prm.queries.bind` (unknown process → 422
naming the parameter) and reach the engine as bindings, never as query text.

A scoped query (``#+ access: organisation|administrator``, see :mod:`itsm_prm.queries`) reads the
assessment repository: it needs a bearer token (401 without one; an organisation's token on an
administrator's query is 403), runs in-process on the whole store (``kg.backend``: its text is
ours, and the query workers hold the reference data only) with ``?organisation`` bound from the
token, and its answer is never cached (``Cache-Control: private, no-store``).

The catalog belongs to the app's knowledge graph, which this module-level router cannot see when
``create_app`` includes it; so the per-query operations are added by :func:`install` — called by
the router's lifespan, before the first request (or earlier by the app factory; it is idempotent).
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from itsm_prm import queries, resultsio
from itsm_prm.api.answer_cache import remember
from itsm_prm.api.auth import require_principal
from itsm_prm.api.conneg import GRAPH_TYPES, negotiate
from itsm_prm.api.deps import etag_for, etag_matches, get_kg
from itsm_prm.assessment.repository import organisation_iri
from itsm_prm.errors import PermissionDenied, UnknownFormatError
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.queries import NamedQuery, QueryParam
from itsm_prm.terms import QueryResult, Term
from itsm_prm.tokens import Principal

PREFIX = "/api/queries"
TAG = "named queries"
#: SELECT/ASK answers, the default first
RESULT_TYPES = (
    "application/sparql-results+json",
    "text/csv",
    "text/tab-separated-values",
    "application/sparql-results+xml",
    "application/json",
)
#: answers of the scoped queries, serialised here (:mod:`itsm_prm.resultsio`)
SCOPED_TYPES = (
    "application/sparql-results+json",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
)
_SCOPED_FORMATS = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
#: answers a spreadsheet or a shell script wants as a file
DOWNLOADS = {"text/csv": "csv", "text/tab-separated-values": "tsv"}
PYTHON_TYPES: dict[str, type] = {"integer": int, "boolean": bool}
TYPE_HINTS = {"iri-or-id": " (an ID such as CHAN, or an IRI)", "iri": " (an absolute IRI)"}
CACHE_CONTROL = "public, max-age=300"
FORMAT_HELP = (
    "Answer format, overriding the Accept header (for links and spreadsheets): "
    "json, csv, tsv or xml (or a media type)."
)
_INSTALLED = "named_query_operations"


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    install(app)
    yield


router = APIRouter(tags=[TAG], lifespan=_lifespan)


# ---------------------------------------------------------------- the catalog


class ParamInfo(BaseModel):
    type: str = Field(description="iri-or-id, iri, string, integer or boolean")
    required: bool
    default: Any = None
    example: Any = None
    description: str | None = None


class QueryInfo(BaseModel):
    name: str
    summary: str
    description: str
    tags: list[str]
    kind: str = Field(description="SELECT, ASK, CONSTRUCT or DESCRIBE")
    params: dict[str, ParamInfo]
    sparql: str
    access: str | None = Field(
        default=None,
        description="who may run it: null (anyone), organisation or administrator (with a bearer token)",
    )
    url: str = Field(description="the operation that runs this query")
    example_url: str = Field(description="the operation with the example parameter values")


class Catalog(BaseModel):
    queries: list[QueryInfo]


def _example_values(query: NamedQuery) -> dict[str, str]:
    return {p.name: _as_text(p.example) for p in query.params.values() if p.example is not None}


def _as_text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


@router.get(
    PREFIX,
    summary="The named-query catalog",
    description="Every named query (`queries/*.rq`): its summary, tags, typed parameters, SPARQL text "
    "and the URL of the operation that runs it.",
    response_model=Catalog,
    responses={304: {"description": "Not modified (the `If-None-Match` ETag still holds)"}},
)
def catalog(request: Request, kg: Annotated[KnowledgeGraph, Depends(get_kg)]) -> Catalog | Response:
    # the URLs in the catalog depend on the address it was asked at
    headers = {"ETag": etag_for(kg, "catalog", str(request.base_url)), "Cache-Control": CACHE_CONTROL}
    if etag_matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    items = []
    for query in kg.catalog.values():
        url = request.url_for(_route_name(query))
        items.append(
            QueryInfo(
                name=query.name,
                summary=query.summary,
                description=query.description,
                tags=list(query.tags),
                kind=query.kind,
                params={
                    p.name: ParamInfo(
                        type=p.type,
                        required=p.required,
                        default=p.default,
                        example=p.example,
                        description=p.description,
                    )
                    for p in query.params.values()
                },
                sparql=query.sparql,
                access=query.access,
                url=str(url),
                example_url=str(url.include_query_params(**_example_values(query))),
            )
        )
    return JSONResponse(Catalog(queries=items).model_dump(mode="json"), headers=headers)


# ---------------------------------------------------------------- one operation per query


def install(app: FastAPI) -> None:
    """Add ``GET /api/queries/{name}`` for every query of the app's catalog (once per app)."""
    if getattr(app.state, _INSTALLED, False):
        return
    kg: KnowledgeGraph = app.state.kg
    operations = APIRouter(prefix=PREFIX, tags=[TAG])
    for query in kg.catalog.values():
        offered = RESULT_TYPES if query.kind in ("SELECT", "ASK") else GRAPH_TYPES
        if query.scoped:
            offered = SCOPED_TYPES
        operations.add_api_route(
            f"/{query.name}",
            _operation(query, offered),
            methods=["GET"],
            name=_route_name(query),
            operation_id=f"query_{query.name.replace('-', '_')}",
            summary=query.summary or query.name,
            description=_operation_description(query),
            response_class=Response,
            responses=_responses(offered),
            openapi_extra={"x-query-tags": list(query.tags)},
        )
    # after the real operations: a misspelt name gets a 404 that suggests the close ones
    operations.add_api_route("/{name}", _unknown_query, methods=["GET"], include_in_schema=False)
    app.include_router(operations)
    app.openapi_schema = None  # the schema is cached on first use; it must see the new operations
    setattr(app.state, _INSTALLED, True)


def _route_name(query: NamedQuery) -> str:
    return f"named-query:{query.name}"


def _unknown_query(name: str, kg: Annotated[KnowledgeGraph, Depends(get_kg)]) -> Response:
    queries.lookup(kg.catalog, name)  # raises UnknownQueryError (404) with suggestions
    raise AssertionError("unreachable: known queries have their own operation")


def _operation_description(query: NamedQuery) -> str:
    parts = [query.description] if query.description else []
    if query.tags:
        parts.append("Tags: " + ", ".join(f"`{t}`" for t in query.tags) + ".")
    if query.access == "organisation":
        parts.append(
            "Needs an organisation's bearer token: the query reads that organisation's stored "
            "assessments only (`?organisation` is bound from the token)."
        )
    elif query.access == "administrator":
        parts.append("Needs an administrator's bearer token; the answer names no organisation.")
    parts.append(
        "Parameters are bound by the SPARQL engine, never pasted into the query text. "
        "Answers in SPARQL JSON by default; `Accept` or `?format=` selects CSV, TSV or XML."
    )
    parts.append(f"```sparql\n{query.sparql.strip()}\n```")
    return "\n\n".join(parts)


def _responses(offered: tuple[str, ...]) -> dict[int | str, dict[str, Any]]:
    return {
        200: {"description": "The query's answer", "content": {media: {} for media in offered}},
        304: {"description": "Not modified (the `If-None-Match` ETag still holds)"},
        404: {"description": "No such named query"},
        406: {"description": "None of the acceptable formats is offered"},
        422: {"description": "A parameter is missing, ill-typed or names nothing in the dataset"},
    }


def _parameter(param: QueryParam, python_name: str) -> inspect.Parameter:
    """The query parameter as FastAPI sees it: a typed, documented keyword argument.

    The Python name is ours (``p0``, ``p1``…) and the header's name is the alias, so a parameter
    may be called ``from`` or ``in`` (fine for SPARQL, not for Python).
    """
    python_type: Any = PYTHON_TYPES.get(param.type, str)
    doc = param.description or f"the value bound to ?{param.name}" + TYPE_HINTS.get(param.type, "")
    options: dict[str, Any] = {"alias": param.name, "description": doc}
    if param.example is not None:
        options["examples"] = [param.example]
        options["openapi_examples"] = {"example": {"summary": "example", "value": param.example}}
    if param.type == "iri":
        options["json_schema_extra"] = {"format": "iri"}
    elif param.type == "edition":  # the documented choices; bind() also takes labels and edition IRIs
        options["json_schema_extra"] = {"enum": queries.edition_choices()}
    if param.required and param.default is None:
        default: Any = inspect.Parameter.empty
    else:
        default = param.default
        python_type = python_type | None
    return inspect.Parameter(
        python_name,
        inspect.Parameter.KEYWORD_ONLY,
        annotation=Annotated[python_type, Query(**options)],
        default=default,
    )


def _operation(query: NamedQuery, offered: tuple[str, ...]) -> Callable[..., Response]:
    """An endpoint whose signature lists the query's parameters (plus ``format``)."""
    names = {f"p{i}": name for i, name in enumerate(query.params)}
    override = "format" not in query.params  # a query's own ``format`` parameter wins

    async def endpoint(request: Request, **values: Any) -> Response:
        fmt = values.pop("format_override", None)
        return await answer(request, query, {names[k]: v for k, v in values.items()}, offered, fmt)

    signature = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request),
        *(_parameter(query.params[name], python_name) for python_name, name in names.items()),
    ]
    if override:
        signature.append(
            inspect.Parameter(
                "format_override",
                inspect.Parameter.KEYWORD_ONLY,
                annotation=Annotated[
                    str | None, Query(alias="format", description=FORMAT_HELP, examples=["csv"])
                ],
                default=None,
            )
        )
    endpoint.__signature__ = inspect.Signature(signature)  # type: ignore[attr-defined]
    endpoint.__name__ = f"query_{query.name.replace('-', '_')}"
    return endpoint


async def answer(
    request: Request,
    query: NamedQuery,
    values: Mapping[str, Any],
    offered: tuple[str, ...],
    fmt: str | None,
) -> Response:
    """Check and bind the values, negotiate, answer from cache validators or run the query."""
    kg: KnowledgeGraph = request.app.state.kg
    principal = _scope(request, query)
    # names FastAPI ignores (a typo such as ?proces=CHAN) go to bind(), which refuses them by name
    known = set(query.params) | {"format"}
    raw = {k: v for k, v in values.items() if v is not None}
    raw.update({k: request.query_params[k] for k in request.query_params if k not in known})
    bindings = await run_in_threadpool(
        queries.bind, query, raw, base_iri=kg.settings.base_iri, exists=kg.exists
    )
    media_type = negotiate(request.headers.get("accept"), offered, fmt)
    if media_type is None:
        wanted = f"format {fmt!r}" if fmt else f"Accept: {request.headers.get('accept')}"
        raise UnknownFormatError(f"cannot answer {wanted}; offered: {', '.join(offered)}")
    if query.scoped:
        return await _scoped_answer(request, query, bindings, media_type, principal)
    headers = {
        "ETag": _etag(kg, query, bindings, media_type),
        "Cache-Control": CACHE_CONTROL,
        "Vary": "Accept",
    }
    if etag_matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    if media_type in DOWNLOADS:
        headers["Content-Disposition"] = f'attachment; filename="{query.name}.{DOWNLOADS[media_type]}"'
    executor = request.app.state.executor
    result = await run_in_threadpool(executor.run, query.sparql, media_type, bindings=bindings)
    content_type = media_type + ("; charset=utf-8" if media_type.startswith("text/") else "")
    response = Response(result.body, media_type=content_type, headers=headers)
    remember(request, response)  # the next identical GET is answered before routing
    return response


def _scope(request: Request, query: NamedQuery) -> Principal | None:
    """The caller of a scoped query: 401 without a valid token, 403 when it may not run this one."""
    if not query.scoped:
        return None
    principal = require_principal(request)
    if query.access == "administrator" and not principal.admin:
        raise PermissionDenied(f"query '{query.name}' needs an administrator's token")
    if query.access == "organisation" and (principal.admin or principal.organisation is None):
        raise PermissionDenied(f"query '{query.name}' reads one organisation's assessments: use its token")
    return principal


async def _scoped_answer(
    request: Request,
    query: NamedQuery,
    bindings: dict[str, Term],
    media_type: str,
    principal: Principal | None,
) -> Response:
    """Run a scoped query on the whole store, ``?organisation`` bound from the token."""
    kg: KnowledgeGraph = request.app.state.kg
    bound = dict(bindings)
    if query.access == "organisation":
        assert principal is not None and principal.organisation is not None
        iri = organisation_iri(kg.settings.base_iri, principal.organisation)
        bound[queries.ORGANISATION_VARIABLE] = Term.iri(iri)

    def run() -> bytes:
        result = kg.backend.query(query.sparql, bound, default_graph_as_union=False)
        if not isinstance(result, QueryResult | bool):
            raise UnknownFormatError(f"query '{query.name}' must be a SELECT or ASK query")
        return resultsio.serialize(result, _SCOPED_FORMATS[media_type]).encode("utf-8")

    body = await run_in_threadpool(run)
    headers = {"Cache-Control": "private, no-store", "Vary": "Accept, Authorization"}
    if media_type in DOWNLOADS:
        headers["Content-Disposition"] = f'attachment; filename="{query.name}.{DOWNLOADS[media_type]}"'
    content_type = media_type + ("; charset=utf-8" if media_type.startswith("text/") else "")
    return Response(body, media_type=content_type, headers=headers)


def _etag(kg: KnowledgeGraph, query: NamedQuery, bindings: Mapping[str, Term], media_type: str) -> str:
    """Same dataset, query, bound values and format → same answer → same tag."""
    bound = [f"{name}={term.n3()}" for name, term in sorted(bindings.items())]
    return etag_for(kg, "named-query", query.name, query.sparql, media_type, *bound)
