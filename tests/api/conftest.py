"""Shared fixtures of the API tests: the app on the repository's real data, and clients.

* ``app`` / ``client``: one app per store for the session; every test that uses them runs once on
  each store (:data:`STORES`): embedded Oxigraph in memory and on disk, ``oxigraph serve`` and
  Virtuoso as remote SPARQL servers. Entering ``TestClient`` runs the lifespan, so the query
  service is started and stopped with it.
* ``make_client``: a client on an in-memory app with other settings (small limits for the
  security tests, which are about the embedded worker pool).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from itsm_prm.api import create_app
from itsm_prm.config import Settings
from itsm_prm.knowledge_graph import KnowledgeGraph


@pytest.fixture(scope="session")
def app(store_settings: Settings, store_kg: KnowledgeGraph) -> FastAPI:
    return create_app(store_settings, store_kg)


@pytest.fixture(scope="session")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def make_client(settings: Settings, kg: KnowledgeGraph) -> Iterator[Callable[..., TestClient]]:
    """``make_client(query_timeout_s=1)``: a started client whose settings differ from the default."""
    with ExitStack() as stack:

        def make(**overrides: Any) -> TestClient:
            changed = settings.model_copy(update=overrides)
            return stack.enter_context(TestClient(create_app(changed, kg)))

        yield make


@pytest.fixture(scope="session")
def crawl_budget(store_kind: str) -> int | None:
    """How many pages a whole-site link crawl visits: all of them on the in-memory store; a
    breadth-first sample (every kind of page, fewer of each) on the others, where the same pages come
    from the same reference data and only the store behind them differs."""
    return None if store_kind == "memory" else 150
