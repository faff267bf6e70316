"""``/healthz``: the service is up and its query workers answer."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from itsm_prm.api.deps import get_executor, get_kg
from itsm_prm.executor import QueryService
from itsm_prm.knowledge_graph import KnowledgeGraph

router = APIRouter(tags=["service"])


@router.get("/healthz", summary="Liveness and readiness")
def healthz(
    kg: Annotated[KnowledgeGraph, Depends(get_kg)],
    executor: Annotated[QueryService, Depends(get_executor)],
) -> dict[str, object]:
    return {
        "status": "ok",
        "dataset": kg.build_result.key,
        "triples": kg.store.count(),
        "query_workers": executor.alive(),
        "store": str(kg.spec),
    }
