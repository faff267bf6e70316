"""In-process guards for code paths where rdflib handles untrusted input.

rdflib executes SPARQL ``SERVICE``, fetches ``FROM``/``LOAD`` URLs and reads ``file:`` IRIs
(tooling baseline, gotcha 10). Its documented mitigation is an audit hook that refuses
``urllib.Request``; we also switch off graph loading in rdflib's SPARQL engine.
"""

from __future__ import annotations

import functools
import sys
from typing import Any

import rdflib.plugins.sparql


class NetworkAccessBlocked(PermissionError):
    """Raised inside rdflib when something tries to open a URL."""


def _refuse_url_requests(event: str, args: tuple[Any, ...]) -> None:
    if event == "urllib.Request":
        url = args[0] if args else "?"
        raise NetworkAccessBlocked(f"itsm-prm blocks outgoing requests from rdflib ({url})")


@functools.cache  # audit hooks cannot be removed; install once per process
def install_network_guard() -> None:
    """Make rdflib unable to fetch anything in this process. Idempotent."""
    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
    sys.addaudithook(_refuse_url_requests)
