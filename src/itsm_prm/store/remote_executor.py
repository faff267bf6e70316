"""The query service of a ``sparql:`` store: untrusted SPARQL answered by the remote server.

It has the interface of the embedded worker pool (:class:`itsm_prm.executor.QueryExecutor`) and
gives the same bytes: the same policy (:func:`itsm_prm.sparql_policy.check_query`), the same
dataset rules, and answers serialised by pyoxigraph exactly as the workers do
(:mod:`itsm_prm.query_worker`), after the store has normalised the server's dialect.

The dataset a query sees is the public graphs plus ``extra_graphs``; the protocol's
``default_graphs``/``named_graphs`` and the query's FROM / FROM NAMED clauses pick graphs within
it, never beyond. The server is always told the dataset as protocol parameters, and the query's own
dataset clauses are taken out of the text first: Virtuoso adds FROM graphs to the protocol's
instead of replacing them, which would let a query name any graph of the server.

The time limit is the request's: a server that does not answer in time gets
:class:`~itsm_prm.errors.StoreTimeout` (the server itself may go on computing; give it its own
limit, e.g. Virtuoso's ``MaxQueryExecutionTime`` or ``oxigraph serve --timeout-s``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence

import pyoxigraph as ox

from itsm_prm.errors import (
    ItsmPrmError,
    ParameterError,
    QueryPolicyError,
    ServiceBusy,
    StoreTimeout,
    UnknownFormatError,
    UserError,
)
from itsm_prm.executor import Answer, AnswerKind, too_large_error
from itsm_prm.query_worker import _WITH_PREFIXES, GRAPH_FORMATS, RESULT_FORMATS, LimitedWriter, TooLarge
from itsm_prm.sparql_policy import CheckedQuery, check_query
from itsm_prm.store.remote import (
    AnswerTooLarge,
    QueryRefused,
    RemoteAnswer,
    RemoteStore,
    strip_dataset_clauses,
)
from itsm_prm.terms import Term

log = logging.getLogger("itsm_prm.remote_executor")

# the server's SPARQL JSON is bigger than what we write (CSV above all): how much more we read
_DOWNLOAD_FACTOR = 10

_TRUE = ox.parse_query_results('{"head":{},"boolean":true}', ox.QueryResultsFormat.JSON)
_FALSE = ox.parse_query_results('{"head":{},"boolean":false}', ox.QueryResultsFormat.JSON)

_KINDS: dict[str, AnswerKind] = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "graph", "DESCRIBE": "graph"}


def query_dataset(
    checked: CheckedQuery,
    allowed: Sequence[str],
    default_graphs: Sequence[str] | None = None,
    named_graphs: Sequence[str] | None = None,
) -> tuple[list[str], list[str]]:
    """The default and named graphs a query may see, within ``allowed`` — the rules of the embedded
    engine: protocol lists win over the query's FROM / FROM NAMED, each side on its own; a query with
    FROM but no FROM NAMED has no named graphs (and the other way round); no lists and no clauses:
    the union of ``allowed`` is the default graph and every allowed graph is a named graph.

    >>> query_dataset(check_query("SELECT * FROM <a> WHERE {}"), ["a", "b"])
    (['a'], [])
    >>> query_dataset(check_query("ASK {}"), ["a", "b"], named_graphs=["b", "secret"])
    (['a', 'b'], ['b'])
    """
    within = set(allowed)
    if default_graphs is not None:
        defaults = set(default_graphs) & within
    elif checked.has_dataset:
        defaults = set(checked.from_graphs) & within
    else:
        defaults = within
    if named_graphs is not None:
        named = set(named_graphs) & within
    elif checked.has_dataset:
        named = set(checked.from_named_graphs) & within
    else:
        named = within
    return sorted(defaults), sorted(named)


class RemoteQueryExecutor:
    """Runs untrusted queries on a :class:`RemoteStore`. Thread-safe (each call is one request)."""

    def __init__(
        self,
        store: RemoteStore,
        public_graphs: Sequence[str],
        *,
        timeout_s: float = 10.0,
        max_result_bytes: int = 20 * 1024 * 1024,
        prefixes: Mapping[str, str] | None = None,
    ) -> None:
        self.store = store
        self.public_graphs = sorted(public_graphs)
        self.timeout_s = timeout_s
        self.max_result_bytes = max_result_bytes
        self.prefixes = dict(prefixes or {})
        self._lock = threading.Lock()
        self._started = False
        self._closed = False

    def __enter__(self) -> RemoteQueryExecutor:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Check that the server answers; a server that is down now is logged, not fatal: queries
        get a clear error until it is back."""
        with self._lock:
            if self._started:
                return
            self._started = True
        try:
            self.store.ping()
        except ItsmPrmError as exc:
            log.warning("%s", exc)

    def close(self) -> None:
        """Stop serving; the store belongs to the caller and stays open."""
        with self._lock:
            self._closed = True

    def alive(self) -> int:
        """1 while the service is started and not closed (no request to the server)."""
        with self._lock:
            return int(self._started and not self._closed)

    def run(
        self,
        sparql: str,
        media_type: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        extra_graphs: Sequence[str] | None = None,
    ) -> Answer:
        """Run one query on the server and return its answer serialised as ``media_type``.

        Raises what :meth:`itsm_prm.executor.QueryExecutor.run` raises, with StoreUnavailable /
        StoreTimeout / ResultTruncated for a server that is down, slow or cuts the answer.
        """
        if not self._started or self._closed:
            raise ServiceBusy("the query service is not running")
        checked = check_query(sparql)
        kind = _KINDS[checked.form]
        self._check_media_type(kind, media_type)
        allowed = self.public_graphs + list(extra_graphs or [])
        defaults, named = query_dataset(checked, allowed, default_graphs, named_graphs)
        text = self._without_dataset(sparql) if checked.has_dataset else sparql
        limit_s = min(self.timeout_s, self.store.timeout_s)
        try:
            answer = self.store.ask_server(
                text,
                bindings,
                default_graphs=defaults,
                named_graphs=named,
                timeout_s=limit_s,
                max_bytes=self.max_result_bytes * _DOWNLOAD_FACTOR,
            )
        except StoreTimeout as exc:
            if self.timeout_s <= self.store.timeout_s:
                raise StoreTimeout(
                    f"{exc} (the query time limit is {self.timeout_s:g} s: ITSM_PRM_QUERY_TIMEOUT_S)"
                ) from None
            raise
        except AnswerTooLarge:
            raise too_large_error(self.max_result_bytes) from None
        except QueryRefused as exc:
            if bindings:
                raise ParameterError(str(exc)) from None
            raise UserError(f"the query failed: {exc}") from None
        try:
            body = self._serialise(answer, media_type)
        except ItsmPrmError as exc:
            failure: ItsmPrmError | None = exc
        else:
            failure = None
        # pyoxigraph's parsed answers belong to this thread: drop the answer here, and raise an
        # error that keeps no frame holding it (else it would be freed on the event loop's thread)
        del answer
        if failure is not None:
            failure.__context__ = None
            raise failure.with_traceback(None)
        return Answer(kind, media_type, body)

    @staticmethod
    def _check_media_type(kind: AnswerKind, media_type: str) -> None:
        # the embedded workers' own messages
        if kind == "graph" and media_type not in GRAPH_FORMATS:
            raise UnknownFormatError(f"a graph cannot be written as {media_type}")
        if kind != "graph" and media_type not in RESULT_FORMATS:
            raise UnknownFormatError(f"{kind} results cannot be written as {media_type}")

    @staticmethod
    def _without_dataset(sparql: str) -> str:
        text = strip_dataset_clauses(sparql)
        try:
            left = check_query(text).has_dataset
        except ItsmPrmError:
            left = True
        if left:  # e.g. FROM written with \u escapes: refuse rather than let the server read it
            raise QueryPolicyError(
                "the query's FROM clauses cannot be read here; name the graphs with the protocol's "
                "default-graph-uri / named-graph-uri parameters instead"
            )
        return text

    def _serialise(self, answer: RemoteAnswer, media_type: str) -> bytes:
        writer = LimitedWriter(self.max_result_bytes)
        try:
            if answer.kind == "graph":
                used = self.prefixes if media_type in _WITH_PREFIXES else None
                ox.serialize(answer.triples or [], writer, GRAPH_FORMATS[media_type], prefixes=used)
            elif answer.kind == "ask":
                (_TRUE if answer.boolean else _FALSE).serialize(writer, RESULT_FORMATS[media_type])
            else:
                assert answer.solutions is not None
                answer.solutions.serialize(writer, RESULT_FORMATS[media_type])
        except TooLarge:
            raise too_large_error(self.max_result_bytes) from None
        except Exception:
            if writer.exceeded:  # pyoxigraph may wrap the writer's exception in its own
                raise too_large_error(self.max_result_bytes) from None
            raise
        return bytes(writer.buffer)
