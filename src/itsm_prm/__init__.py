"""itsm-prm: the IT Service Management Process Reference Model as a knowledge graph.

The Python API the CLI and other shells use::

    import itsm_prm

    result = itsm_prm.build()                # compile (or reuse the cached) dataset
    kg = itsm_prm.load()                     # embedded Oxigraph store
    kg.run("process-outcomes", process="CHAN")
    kg.validate("assessment.ttl").conforms
    kg.export("ttl", graph="prm")
    kg.info().classes
"""

from __future__ import annotations

from itsm_prm._version import __version__
from itsm_prm.build import BuildResult, Manifest
from itsm_prm.build import build as _build
from itsm_prm.config import Settings
from itsm_prm.errors import (
    BuildError,
    InputError,
    ItsmPrmError,
    ParameterError,
    SelfCheckFailed,
    UnknownQueryError,
    UserError,
)
from itsm_prm.info import DatasetInfo
from itsm_prm.knowledge_graph import KnowledgeGraph, load
from itsm_prm.queries import NamedQuery, QueryParam
from itsm_prm.terms import QueryResult, Term
from itsm_prm.validation import ValidationReport, ValidationResult

__all__ = [
    "BuildError",
    "BuildResult",
    "DatasetInfo",
    "InputError",
    "ItsmPrmError",
    "KnowledgeGraph",
    "Manifest",
    "NamedQuery",
    "ParameterError",
    "QueryParam",
    "QueryResult",
    "SelfCheckFailed",
    "Settings",
    "Term",
    "UnknownQueryError",
    "UserError",
    "ValidationReport",
    "ValidationResult",
    "__version__",
    "build",
    "load",
]


def build(force: bool = False, *, settings: Settings | None = None) -> BuildResult:
    """Compile the dataset (sources → OWL 2 RL closure → SHACL self-check → cache), or reuse it.

    >>> itsm_prm.build().reused   # doctest: +SKIP
    True
    """
    return _build(settings, force=force)
