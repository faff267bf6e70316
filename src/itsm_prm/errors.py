"""The exceptions the core raises.

Shells map them to exit codes / HTTP statuses: every ``UserError`` is bad input (CLI exit code 2),
anything else is a bug or an environment problem (exit code 1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from itsm_prm.validation import ValidationReport


class ItsmPrmError(Exception):
    """Base class of every error the package raises on purpose."""


class UserError(ItsmPrmError):
    """The caller's input is unusable; the message says what and where, in one line."""


class InputError(UserError):
    """An RDF file cannot be read: missing, too big, unsafe or malformed (message names file and line)."""


class ConfigError(UserError):
    """Settings or resource files are wrong (e.g. no ``data/sources.toml`` under the resources root)."""


class CatalogError(UserError):
    """A named query file is malformed (bad header, SPARQL that does not parse); names the file."""


class UnknownQueryError(UserError):
    """No named query of that name; the message suggests the closest names."""


class ParameterError(UserError):
    """A query parameter is unknown, missing, badly typed or names nothing in the dataset."""


class QueryPolicyError(UserError):
    """A query uses a feature we refuse (SERVICE, FROM <url>, updates)."""


class UnknownGraphError(UserError):
    """A graph name or IRI is not in the dataset."""


class UnknownFormatError(UserError):
    """An output or input format name is not supported."""


class BuildError(ItsmPrmError):
    """The dataset cannot be compiled (inconsistent ontology, unreadable sources)."""


class SelfCheckFailed(BuildError):
    """The compiled dataset violates its own SHACL shapes; carries the report."""

    def __init__(self, report: ValidationReport) -> None:
        self.report = report
        n = sum(1 for r in report.results if r.severity == "Violation")
        super().__init__(f"SHACL self-check failed: {n} violation{'s' if n != 1 else ''}")


class QuerySyntaxError(UserError):
    """A SPARQL query does not parse."""


class QueryTimeout(ItsmPrmError):
    """A query ran past the time limit and was stopped (HTTP 503)."""


class ResultTooLarge(ItsmPrmError):
    """A query answer exceeded the result-size limit (HTTP 413 / 503)."""


class ServiceBusy(ItsmPrmError):
    """No query worker became free in time (HTTP 503)."""


class StoreError(ItsmPrmError):
    """The store behind the service failed (base of the remote-store errors)."""


class StoreUnavailable(StoreError):
    """The SPARQL server is down, refused the connection or answered with a server error (HTTP 502)."""


class StoreTimeout(StoreError):
    """The SPARQL server did not answer within ITSM_PRM_SPARQL_TIMEOUT_S (HTTP 504)."""


class ResultTruncated(StoreError):
    """The SPARQL server cut the answer short (e.g. Virtuoso's ResultSetMaxRows) (HTTP 502)."""


class AuthenticationError(UserError):
    """No bearer token, or one that is unknown or revoked (HTTP 401)."""


class PermissionDenied(UserError):
    """A valid token that may not do this (HTTP 403)."""


class NotFound(UserError):
    """No such resource for this caller (HTTP 404)."""
