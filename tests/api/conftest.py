"""Shared fixtures of the API tests: the app on the repository's real data, and clients.

* ``app`` / ``client``: one app for the session (``create_app(settings, kg)``); entering
  ``TestClient`` runs the lifespan, so the query workers are started and stopped with it.
* ``make_client``: a client on an app with other settings (small limits for the security tests).
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
def app(settings: Settings, kg: KnowledgeGraph) -> FastAPI:
    return create_app(settings, kg)


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
