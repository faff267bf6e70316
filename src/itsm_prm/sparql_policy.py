"""The gate every query from outside passes before it runs: read-only, no federation.

The query is parsed with rdflib's SPARQL parser, which decodes ``\\u`` escapes first, so
``\\u0053ERVICE`` is caught like ``SERVICE`` (a keyword regex would miss it; tooling baseline,
gotcha 10). The checks work on the parse tree:

* ``SERVICE`` anywhere (sub-queries, ``EXISTS`` filters, ``OPTIONAL``…) → :class:`QueryPolicyError`;
* text that is not a query but is (or starts out as) a SPARQL Update → :class:`QueryPolicyError`
  naming the operations (``LOAD``, ``INSERT DATA``…);
* anything else that does not parse → :class:`QuerySyntaxError` with the parser's line and column.

Parsing costs milliseconds (gotcha 17), so results are cached by query text.

>>> check_query("ASK { ?s ?p ?o }").form
'ASK'
>>> check_query("LOAD <http://example.org/>")
Traceback (most recent call last):
...
itsm_prm.errors.QueryPolicyError: this endpoint is read-only: SPARQL Update (LOAD) is refused
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass
from typing import Literal

from pyparsing import ParseBaseException, ParseResults
from rdflib.plugins.sparql.algebra import translatePrologue, traverse
from rdflib.plugins.sparql.parser import Prologue, Update1, parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from itsm_prm.errors import QueryPolicyError, QuerySyntaxError

QueryForm = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]

#: pyparsing (rdflib's SPARQL parser) is not thread-safe; FastAPI parses in a thread pool
PARSER_LOCK = threading.Lock()

# queries longer than this are checked every time rather than kept in the cache
_CACHEABLE_CHARS = 16 * 1024

_FORMS: dict[str, QueryForm] = {
    "SelectQuery": "SELECT",
    "AskQuery": "ASK",
    "ConstructQuery": "CONSTRUCT",
    "DescribeQuery": "DESCRIBE",
}

# rdflib's names of the update operations → the SPARQL keywords a user wrote
_UPDATE_KEYWORDS = {
    "Load": "LOAD",
    "Clear": "CLEAR",
    "Drop": "DROP",
    "Create": "CREATE",
    "Add": "ADD",
    "Move": "MOVE",
    "Copy": "COPY",
    "InsertData": "INSERT DATA",
    "DeleteData": "DELETE DATA",
    "DeleteWhere": "DELETE WHERE",
    "Modify": "DELETE/INSERT",
}

# the prologue and the first operation of an update, to recognise a malformed update
_UPDATE_START = Prologue + Update1

SERVICE_REFUSED = "federated queries (SERVICE) are not allowed"
READ_ONLY = "this endpoint is read-only: SPARQL Update{ops} is refused"


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the policy: its form decides which media types can answer it."""

    form: QueryForm
    has_dataset: bool = False  # FROM / FROM NAMED: the query picks its own graphs
    from_graphs: tuple[str, ...] = ()  # the IRIs of its FROM clauses (resolved against BASE/PREFIX)
    from_named_graphs: tuple[str, ...] = ()  # … and of its FROM NAMED clauses

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def read_only_error(operations: list[str] | None = None) -> QueryPolicyError:
    """The refusal of an update, naming its operations when they are known."""
    ops = f" ({', '.join(dict.fromkeys(operations))})" if operations else ""
    return QueryPolicyError(READ_ONLY.format(ops=ops))


def update_operations(text: str) -> list[str] | None:
    """The operations of a SPARQL Update request in order, or ``None`` when ``text`` is not one."""
    try:
        with PARSER_LOCK:
            parsed = parseUpdate(text)
    except ParseBaseException:
        return None
    except Exception:  # rdflib raises plain exceptions for e.g. bad escapes; not an update then
        return None
    return [_UPDATE_KEYWORDS.get(op.name, op.name.upper()) for op in parsed.request or []]


def refuse_update(text: str) -> QueryPolicyError:
    """The refusal of a request sent as an update (``update=`` or ``application/sparql-update``)."""
    return read_only_error(update_operations(text))


def check_query(text: str) -> CheckedQuery:
    """Parse ``text`` as a SPARQL query and apply the policy; see the module docstring."""
    if len(text) <= _CACHEABLE_CHARS:
        return _check_cached(text)
    return _check(text)


@functools.lru_cache(maxsize=2048)
def _check_cached(text: str) -> CheckedQuery:
    return _check(text)


def _check(text: str) -> CheckedQuery:
    try:
        with PARSER_LOCK:
            tree = parseQuery(text)
    except ParseBaseException as exc:
        raise _not_a_query(text, exc) from exc
    except Exception as exc:  # e.g. an invalid \u escape; rdflib raises plain exceptions there
        raise QuerySyntaxError(f"SPARQL syntax error: {_one_line(str(exc))}") from exc
    names: set[str] = set()

    def visit(node: object) -> None:
        if isinstance(node, CompValue):
            names.add(node.name)

    traverse(tree, visitPost=visit)
    if "ServiceGraphPattern" in names:
        raise QueryPolicyError(SERVICE_REFUSED)
    defaults, named = _dataset_clauses(tree)
    return CheckedQuery(_FORMS[tree[1].name], "datasetClause" in tree[1], defaults, named)


def _dataset_clauses(tree: ParseResults) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The graph IRIs of the query's FROM and FROM NAMED clauses, absolute as the query means them
    (a remote store needs them: servers differ on how FROM combines with the protocol's graphs)."""
    if "datasetClause" not in tree[1]:  # (CompValue.get answers a missing key with its name)
        return (), ()
    clauses = tree[1]["datasetClause"]
    prologue = translatePrologue(tree[0], None)
    defaults: list[str] = []
    named: list[str] = []
    for clause in clauses:
        target, iri = (defaults, clause["default"]) if "default" in clause else (named, clause["named"])
        target.append(str(prologue.absolutize(iri)))
    return tuple(defaults), tuple(named)


def _not_a_query(text: str, query_error: ParseBaseException) -> QueryPolicyError | QuerySyntaxError:
    """A text that fails as a query: an update (refused), or a syntax error (reported)."""
    operations = update_operations(text)
    if operations:  # an empty text parses as an empty update: that is no query, not an update
        return read_only_error(operations)
    # Not a whole update either. If its first operation parses further than the query grammar
    # got, it is an update with a mistake in it: refuse it rather than point at the mistake.
    try:
        with PARSER_LOCK:
            _UPDATE_START.parse_string(text)
    except ParseBaseException as update_error:
        if update_error.loc <= query_error.loc:
            return _syntax_error(query_error)
    except Exception:
        return _syntax_error(query_error)
    return read_only_error()


def _syntax_error(exc: ParseBaseException) -> QuerySyntaxError:
    found = f", found {exc.found}" if getattr(exc, "found", None) else ""
    message = _one_line(f"{exc.msg}{found}")
    return QuerySyntaxError(f"SPARQL syntax error at line {exc.lineno}, column {exc.col}: {message}")


def _one_line(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
