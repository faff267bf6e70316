"""The app factory. Routers live in their own modules; this file only assembles them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from itsm_prm._version import __version__
from itsm_prm.api import (
    assessment_repository,
    assessments,
    crosswalk_downloads,
    crosswalk_page,
    downloads,
    errors,
    health,
    linked_data,
    named_queries,
    ontology_docs,
    query_page,
    sparql,
)
from itsm_prm.api.access_log import AccessLog
from itsm_prm.api.answer_cache import CachedAnswers
from itsm_prm.api.body_limit import BodySizeLimit
from itsm_prm.config import Settings
from itsm_prm.executor import QueryExecutor, QueryService
from itsm_prm.knowledge_graph import KnowledgeGraph, load


def query_service(settings: Settings, kg: KnowledgeGraph) -> QueryService:
    """Where untrusted SPARQL runs: worker processes over the compiled dataset for the embedded
    stores (killed at the time limit), the server itself for a ``sparql:`` store."""
    if kg.spec.kind == "sparql":
        from itsm_prm.store.remote_executor import RemoteQueryExecutor

        return RemoteQueryExecutor(
            kg.backend,  # type: ignore[arg-type]
            kg.reference_graphs,
            timeout_s=settings.query_timeout_s,
            max_result_bytes=settings.max_result_bytes,
            prefixes=kg.prefixes,
        )
    return QueryExecutor(
        kg.build_result.dataset_path,
        workers=settings.query_workers,
        timeout_s=settings.query_timeout_s,
        max_result_bytes=settings.max_result_bytes,
        prefixes=kg.prefixes,  # Turtle and RDF/XML answers use the dataset's prefixes
        fetch_graphs=lambda graphs: kg.backend.export("nq", graphs),  # an organisation's own graphs
    )


def create_app(settings: Settings | None = None, kg: KnowledgeGraph | None = None) -> FastAPI:
    """Build the service on the compiled dataset (built or reused from the cache).

    Query workers start with the app (``with TestClient(app)`` or under uvicorn) and stop with it.
    """
    settings = settings or Settings()
    kg = kg or load(settings=settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        executor = query_service(settings, kg)
        executor.start()
        app.state.executor = executor
        try:
            yield
        finally:
            executor.close()

    app = FastAPI(
        title="itsm-prm",
        version=__version__,
        description="The IT Service Management Process Reference Model (PRM v3.0) as a knowledge graph: "
        "SPARQL 1.1 endpoint, named queries, linked data, downloads.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.kg = kg

    # innermost of the middlewares, so a 413 is still logged and carries CORS headers
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(CachedAnswers)  # repeated GETs of immutable answers, before routing
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "POST", "DELETE", "OPTIONS"],
        # Authorization: the repository's bearer tokens (no cookies, so no credentials mode needed)
        allow_headers=["Accept", "Content-Type", "Authorization"],
        expose_headers=["ETag", "Content-Type", "Content-Disposition", "Location"],
    )

    app.add_middleware(AccessLog)  # outermost: the logged time covers everything

    errors.install(app)
    routers = (health, sparql, named_queries, downloads, crosswalk_downloads, ontology_docs, query_page)
    routers += (assessments, assessment_repository)
    for module in (*routers, crosswalk_page, linked_data):  # linked_data last: /id/{path} catches the rest
        app.include_router(module.router)
    named_queries.install(app)  # one operation per named query, so app.openapi() lists them at once
    return app
