"""What every route needs from the running app, as FastAPI dependencies (no module globals)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import Request

from itsm_prm.config import Settings
from itsm_prm.knowledge_graph import KnowledgeGraph

if TYPE_CHECKING:
    from itsm_prm.executor import QueryExecutor


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_kg(request: Request) -> KnowledgeGraph:
    return request.app.state.kg


def get_executor(request: Request) -> QueryExecutor:
    return request.app.state.executor


def dataset_etag(kg: KnowledgeGraph) -> str:
    """A strong ETag for everything derived from the compiled dataset (its content hash)."""
    return f'"{kg.build_result.key[:32]}"'
