"""What every route needs from the running app, as FastAPI dependencies (no module globals)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from fastapi import Request

from itsm_prm.config import Settings
from itsm_prm.knowledge_graph import KnowledgeGraph

if TYPE_CHECKING:
    from itsm_prm.executor import QueryService


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_kg(request: Request) -> KnowledgeGraph:
    return request.app.state.kg


def get_executor(request: Request) -> QueryService:
    return request.app.state.executor


def etag_for(kg: KnowledgeGraph, *variant: str) -> str:
    """A strong ETag: the dataset hash (answers are immutable per dataset) plus what else the
    representation depends on (query, format, base URL…)."""
    digest = hashlib.sha256("\x1f".join(variant).encode("utf-8")).hexdigest()[:12]
    return f'"{kg.build_result.key[:32]}-{digest}"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak comparison, RFC 9110)."""
    if not if_none_match:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",") if tag.strip()]
    return "*" in tags or etag in tags
