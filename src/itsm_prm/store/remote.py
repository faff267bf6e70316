"""A store on any SPARQL 1.1 server: Oxigraph server, Fuseki, GraphDB, Virtuoso, Neptune.

Queries go through SPARQLWrapper (POST, SPARQL JSON results for SELECT/ASK, N-Triples for
CONSTRUCT/DESCRIBE) and are parsed with pyoxigraph, so terms come out exactly as from the
embedded store. Writes are whole graphs: one SPARQL Update request (``DROP SILENT GRAPH … ;
INSERT DATA …``, one transaction) for graphs of up to 500 triples such as an assessment, a Graph
Store Protocol ``PUT`` for bigger ones when the server has a store endpoint.

Servers differ, and the differences are absorbed here:

* bindings: no server has SEP-0007 substitution, so values travel in a ``VALUES`` block placed
  first in the query's WHERE group (where its FILTERs see them; a trailing block would be joined
  after them, and Virtuoso takes a trailing block after SELECT only), each value an RDF term in
  N-Triples syntax (user text is never spliced in any other way). Unlike substitution, the block
  does not reach into sub-queries or nested groups;
* ASK is always sent as ``SELECT * … LIMIT 1``: Virtuoso answers ``ASK { GRAPH <g> { ?s ?p ?o } }``
  with true for any graph ``g`` outside the dataset;
* the default graph: Oxigraph server's is the real default graph, Virtuoso's the union of every
  graph (its own system graphs included), so "the union" is always sent as an explicit list of
  graphs, and an empty list as a graph that does not exist;
* literals: integer subtypes (``xsd:int``, ``xsd:long``…) that engines produce for counts and sums
  become canonical ``xsd:integer``, doubles are written as Oxigraph writes them (``1``, not
  ``1.0``), booleans Virtuoso stores as ``"1"^^xsd:boolean`` become ``"true"^^xsd:boolean``;
  Virtuoso's ``nodeID://`` blank nodes become plain labels. Left as they are, because
  nothing can tell them from real data: Virtuoso answers comparisons and ``true`` with the
  integers 0/1 and divides integers as integers (``1/3`` is ``0``);
* silent truncation: Virtuoso caps answers at ``ResultSetMaxRows`` (10,000 by default) and says so
  only with an ``X-SPARQL-MaxRows`` response header on SELECT answers (CONSTRUCT answers are cut
  at that many triples plus one, with no header at all). Either sign, or an answer as long as
  ``ITSM_PRM_SPARQL_ROW_LIMIT``, raises :class:`~itsm_prm.errors.ResultTruncated`.
"""

from __future__ import annotations

import decimal
import http.client
import json
import math
import re
import socket
import time
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pyoxigraph as ox
from SPARQLWrapper import JSON, POST, TURTLE, URLENCODED, SPARQLWrapper

from itsm_prm.errors import (
    InputError,
    ItsmPrmError,
    ParameterError,
    ResultTruncated,
    StoreTimeout,
    StoreUnavailable,
    UnknownFormatError,
)
from itsm_prm.store.base import RDF_FORMATS, GraphSelector, graph_list
from itsm_prm.store.oxigraph import _FORMATS, from_ox
from itsm_prm.terms import XSD, XSD_BOOLEAN, XSD_DOUBLE, XSD_INTEGER, QueryResult, Term, Triple

if TYPE_CHECKING:
    from itsm_prm.config import Settings

#: A graph that never exists: how an empty dataset is said in the protocol (no parameter at all
#: would mean "the server's default").
EMPTY_GRAPH = "urn:x-itsm-prm:no-graph"

# XSD integer subtypes an engine may give a number (Virtuoso: xsd:int for some aggregates)
INTEGER_SUBTYPES = frozenset(
    XSD + name
    for name in (
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
)

# graphs a server keeps for itself (Virtuoso's schema, LDP and endpoint descriptions): not data
_SERVER_GRAPH_PREFIXES = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localhost:8890/",  # Virtuoso's DefaultHost: its DAV and /sparql description graphs
)

_RESULTS_JSON = "application/sparql-results+json"
_N_TRIPLES = "application/n-triples"
# response media type → how to read it
_RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPH_TYPES = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,  # Virtuoso's older name for N-Triples
    "text/ntriples": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
_CHUNK = 1 << 16
# a graph answer shorter than this was not cut by a server with an unknown cap (Virtuoso's default
# is 10,000); a longer one is checked against COUNT
_TRUST_BELOW = 10000
# graphs up to this size are written with one SPARQL Update request (see RemoteStore.put_graph)
_ATOMIC_TRIPLES = 500

# -- SPARQL text: just enough lexing to find keywords outside strings, IRIs and comments

_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n]*)
      | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
                   |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<var>[?$][^\s{}()\[\];,<>"'\#=!&|*/+^]*)
      | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
      | (?P<word>[^\s{}()\[\];,<>"'\#?$@=!&|*/+^]+)
      | (?P<space>\s+)
      | (?P<punct>.)""",
    re.VERBOSE | re.DOTALL,
)
_IRIREF = re.compile(r"[^<>\"{}|^`\\\x00-\x20]*")
_LANGTAG = re.compile(r"[A-Za-z]+(?:-[A-Za-z0-9]+)*")
_VARNAME = re.compile(r"[A-Za-z0-9_\u00b7\u00c0-\ufffd]+")


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int
    end: int


def _tokens(text: str) -> Iterator[_Token]:
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        if kind not in ("space", "comment"):
            yield _Token(kind, match.group(), match.start(), match.end())


def strip_dataset_clauses(text: str) -> str:
    """``text`` without its ``FROM`` / ``FROM NAMED`` clauses (the caller sends the dataset as
    protocol parameters instead: Virtuoso would add FROM graphs to those, not replace them).

    >>> strip_dataset_clauses("SELECT * FROM <http://ex/a> FROM NAMED ex:b WHERE { ?s ?p '#from' }")
    "SELECT *   WHERE { ?s ?p '#from' }"
    """
    tokens = list(_tokens(text))
    cut: list[tuple[int, int]] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.kind == "word" and token.text.upper() == "FROM":
            j = i + 1
            if j < len(tokens) and tokens[j].kind == "word" and tokens[j].text.upper() == "NAMED":
                j += 1
            if j < len(tokens) and tokens[j].kind in ("iri", "word"):
                cut.append((token.start, tokens[j].end))
                i = j
        i += 1
    for start, end in reversed(cut):
        text = text[:start] + text[end:]
    return text


def _ask_as_select(text: str) -> str:
    """An ASK query as ``SELECT *`` with at most one row: the form a trailing VALUES block works
    with on every server."""
    tokens = list(_tokens(text))
    for token in tokens:
        if token.kind == "word" and token.text.upper() == "ASK":
            has_limit = any(t.kind == "word" and t.text.upper() == "LIMIT" for t in tokens)
            return text[: token.start] + "SELECT *" + text[token.end :] + ("" if has_limit else "\nLIMIT 1")
    return text


def _with_inline_values(text: str, block: str) -> str:
    """The query with ``block`` (a VALUES clause) first in its WHERE group, where the group's
    FILTERs see the bound values as SEP-0007 substitution would let them (a trailing VALUES block
    is joined last: ``FILTER(CONTAINS(?label, ?text))`` would see ``?text`` unbound; Virtuoso
    also accepts a trailing VALUES after SELECT only). The short form ``CONSTRUCT WHERE { T }``
    becomes ``CONSTRUCT { T } WHERE { VALUES … T }``; a query without a WHERE group (``DESCRIBE
    ?x``) gets the block at its end.

    >>> _with_inline_values("SELECT ?s { ?s ?p ?o FILTER(?o = ?v) } ORDER BY ?s", " VALUES (?v) { (1) }")
    'SELECT ?s { VALUES (?v) { (1) }\\n ?s ?p ?o FILTER(?o = ?v) } ORDER BY ?s'
    """
    tokens = list(_tokens(text))
    form = _form(tokens)
    depth, groups, where = 0, 0, None
    for index, token in enumerate(tokens):
        if token.kind == "word" and token.text.upper() == "WHERE" and depth == 0:
            where = token
        elif token.kind == "punct" and token.text == "{":
            if depth == 0:
                groups += 1
                if where or form in ("SELECT", "ASK", "DESCRIBE") or (form == "CONSTRUCT" and groups == 2):
                    if where and form == "CONSTRUCT" and groups == 1:  # short form: template = pattern
                        end = _matching_brace(tokens, index)
                        template = text[token.start : end]
                        return (
                            text[: where.start] + template + " WHERE " + _inline(template, block) + text[end:]
                        )
                    return text[: token.end] + block + "\n" + text[token.end :]
            depth += 1
        elif token.kind == "punct" and token.text == "}":
            depth -= 1
    return text + block


def _form(tokens: Iterable[_Token]) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first such keyword outside strings, IRIs and comments
    (SPARQLWrapper's own guess reads comments: a ``# … asked for`` line made a SELECT an ASK)."""
    return next((t.text.upper() for t in tokens if t.kind == "word" and t.text.upper() in _FORMS), "SELECT")


def query_form(text: str) -> str:
    """The form of a query.

    >>> query_form("# which processes are asked for?\\nPREFIX a: <ask:> SELECT * { ?s a:ASK 'ASK' }")
    'SELECT'
    """
    return _form(_tokens(text))


def _inline(group: str, block: str) -> str:
    return "{" + block + "\n" + group[1:]


def _matching_brace(tokens: list[_Token], start: int) -> int:
    depth = 0
    for token in tokens[start:]:
        if token.kind == "punct" and token.text in "{}":
            depth += 1 if token.text == "{" else -1
            if depth == 0:
                return token.end
    return tokens[-1].end


_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


# -- terms


def sparql_term(term: Term) -> str:
    """A bound value in SPARQL (N-Triples) syntax, checked so it cannot end early."""
    if term.kind == "iri":
        if not _IRIREF.fullmatch(term.value):
            raise ParameterError(f"not a valid IRI: {term.value!r}")
        return f"<{term.value}>"
    if term.kind == "bnode":
        raise ParameterError("a blank node cannot be bound as a query parameter")
    if term.lang and not _LANGTAG.fullmatch(term.lang):
        raise ParameterError(f"not a valid language tag: {term.lang!r}")
    if term.datatype and not _IRIREF.fullmatch(term.datatype):
        raise ParameterError(f"not a valid datatype IRI: {term.datatype!r}")
    return term.n3()


def values_block(bindings: Mapping[str, Term]) -> str:
    """``VALUES (?a ?b) { (… …) }`` for one row of bindings."""
    for name in bindings:
        if not _VARNAME.fullmatch(name):
            raise ParameterError(f"not a valid variable name: {name!r}")
    names = " ".join(f"?{name}" for name in bindings)
    values = " ".join(sparql_term(term) for term in bindings.values())
    return f"\nVALUES ({names}) {{ ({values}) }}"


def _normalise_literal(value: str, datatype: str) -> tuple[str, str]:
    try:
        if datatype in INTEGER_SUBTYPES:
            return str(int(value)), XSD_INTEGER
        if datatype == XSD_DOUBLE:
            return _double_text(float(value)), datatype
        if datatype == XSD_BOOLEAN and value in ("0", "1"):  # Virtuoso stores booleans as 0/1
            return ("true" if value == "1" else "false"), datatype
    except ValueError:
        pass
    return value, datatype


def _double_text(number: float) -> str:
    """A double as Oxigraph writes one: positional notation, no exponent, no trailing ``.0``
    (Virtuoso writes ``1.0`` where Oxigraph writes ``1``).

    >>> _double_text(1.0), _double_text(1e20), _double_text(1.5e-7), _double_text(float("-inf"))
    ('1', '100000000000000000000', '0.00000015', '-INF')
    """
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "INF" if number > 0 else "-INF"
    text = format(decimal.Decimal(repr(number)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _bnode_label(value: str) -> str:
    """A blank node label N-Triples accepts (Virtuoso names them ``nodeID://b10006``)."""
    label = value.removeprefix("nodeID://")
    return re.sub(r"[^A-Za-z0-9_]", "_", label) or "b"


OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


def normalise_term(term: OxTerm) -> OxTerm:
    """The canonical form of an engine's term (integer subtypes → xsd:integer)."""
    if isinstance(term, ox.Literal) and term.language is None:
        value, datatype = _normalise_literal(term.value, term.datatype.value)
        if datatype != term.datatype.value:
            return ox.Literal(value, datatype=ox.NamedNode(datatype))
    return term


def normalise_triple(triple: ox.Triple) -> ox.Triple:
    obj = normalise_term(triple.object)  # type: ignore[arg-type]
    return triple if obj is triple.object else ox.Triple(triple.subject, triple.predicate, obj)


def _term_json(term: Term) -> dict[str, str]:
    if term.kind == "iri":
        return {"type": "uri", "value": term.value}
    if term.lang:
        return {"type": "literal", "value": term.value, "xml:lang": term.lang}
    return {"type": "literal", "value": term.value, "datatype": term.datatype or XSD + "string"}


def _normalise_json(document: dict[str, Any], bindings: Mapping[str, Term] | None = None) -> None:
    """In place: SPARQL JSON results in the canonical form :func:`normalise_term` gives, each bound
    variable with exactly the term it was bound to (SEP-0007's meaning; Virtuoso gives back a bound
    ``true`` as the integer 1)."""
    projected = set(document.get("head", {}).get("vars", []))
    fixed = {name: _term_json(term) for name, term in (bindings or {}).items() if name in projected}
    for row in document.get("results", {}).get("bindings", []):
        row.update(fixed)
        for value in row.values():
            kind = value.get("type")
            if kind == "typed-literal":  # Virtuoso's pre-standard name
                value["type"] = kind = "literal"
            if kind == "literal" and "datatype" in value:
                value["value"], value["datatype"] = _normalise_literal(value["value"], value["datatype"])
            elif kind == "bnode":
                value["value"] = _bnode_label(value["value"])


# -- answers


@dataclass(frozen=True)
class RemoteAnswer:
    """What the server answered, parsed and normalised: ``solutions`` (SELECT), ``boolean`` (ASK)
    or ``triples`` (CONSTRUCT/DESCRIBE)."""

    kind: str  # "select" | "ask" | "graph"
    solutions: ox.QuerySolutions | None = None
    boolean: bool | None = None
    triples: list[ox.Triple] | None = None


class QueryRefused(ItsmPrmError):
    """The server refused a query as malformed (HTTP 400); the message quotes the server."""


def _message(body: bytes, limit: int = 300) -> str:
    # Virtuoso follows its message with the whole query as it rewrote it: keep the message
    text = body.decode("utf-8", "replace").split("\nSPARQL query:", 1)[0]
    text = " ".join(text.split())
    text = re.sub(r"<[^>]+>", " ", text) if text.lstrip().startswith("<") else text  # an HTML page
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class RemoteStore:
    """A SPARQL 1.1 server as a :class:`~itsm_prm.store.base.Store`.

    >>> st = RemoteStore("http://127.0.0.1:7878/query")
    >>> st.update_url, st.store_url
    ('http://127.0.0.1:7878/update', 'http://127.0.0.1:7878/store')
    """

    name = "sparql"
    #: a blank node label from one answer cannot be sent back in the next request
    binds_blank_nodes = False

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None = None,
        store_url: str | None = None,
        user: str | None = None,
        password: str | None = None,
        auth: str = "basic",
        bearer_token: str | None = None,
        timeout_s: float = 30.0,
        row_limit: int | None = None,
    ) -> None:
        self.query_url = query_url
        derived = query_url.endswith("/query")
        stem = query_url[: -len("/query")] if derived else query_url
        self.update_url = update_url or (stem + "/update" if derived else query_url)
        self.store_url = store_url or (stem + "/store" if derived else None)
        self.timeout_s = timeout_s
        self.row_limit = row_limit
        self._headers: dict[str, str] = {}
        self._auth: httpx.Auth | None = None
        if bearer_token:
            self._headers["Authorization"] = f"Bearer {bearer_token}"
        elif user is not None and password is not None:
            self._auth = (
                httpx.DigestAuth(user, password) if auth == "digest" else httpx.BasicAuth(user, password)
            )
        # one client for every request: kept-alive connections, the same auth for queries and writes
        self._http = httpx.Client(timeout=timeout_s, auth=self._auth, headers=self._headers)

    @classmethod
    def from_settings(cls, query_url: str, settings: Settings) -> RemoteStore:
        return cls(
            query_url,
            update_url=settings.sparql_update_url,
            store_url=settings.sparql_store_url,
            user=settings.sparql_user,
            password=settings.sparql_password,
            auth=settings.sparql_auth,
            bearer_token=settings.sparql_bearer_token,
            timeout_s=settings.sparql_timeout_s,
            row_limit=settings.sparql_row_limit,
        )

    def __repr__(self) -> str:
        return f"RemoteStore({self.query_url!r})"

    # -- queries

    def query(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        default_graph_as_union: bool = True,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
    ) -> QueryResult | bool | list[Triple]:
        if default_graphs is None and default_graph_as_union and not _has_dataset(sparql):
            default_graphs = self.graphs()
        answer = self.ask_server(sparql, bindings, default_graphs=default_graphs, named_graphs=named_graphs)
        if answer.kind == "ask":
            return bool(answer.boolean)
        if answer.kind == "graph":
            assert answer.triples is not None
            return [_triple(t) for t in answer.triples]
        assert answer.solutions is not None
        names = [v.value for v in answer.solutions.variables]
        return QueryResult(names, [{n: from_ox(s[n]) for n in names} for s in answer.solutions])

    def ask_server(
        self,
        sparql: str,
        bindings: Mapping[str, Term] | None = None,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout_s: float | None = None,
        max_bytes: int | None = None,
    ) -> RemoteAnswer:
        """Send one query as it is (plus a VALUES block for ``bindings``) with the dataset given as
        protocol parameters (``None``: none sent; an empty list: an empty graph set).

        Raises StoreUnavailable, StoreTimeout, ResultTruncated, QueryRefused, or ResultTooLarge-like
        :class:`ItsmPrmError` when the answer grows past ``max_bytes``.
        """
        wrapper = SPARQLWrapper(self.query_url)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setOnlyConneg(True)  # no format=/output= parameters: the Accept header decides
        block = values_block(bindings) if bindings else ""
        # ASK always travels as SELECT * … LIMIT 1: Virtuoso answers ASK { GRAPH <g> { … } } with
        # true for any graph g outside the dataset, and refuses VALUES after ASK
        form = query_form(sparql)
        ask_rewritten = form == "ASK"
        text = _ask_as_select(sparql) if ask_rewritten else sparql
        if block:
            text = _with_inline_values(text, block)
        wrapper.setQuery(text)
        wrapper.queryType = "SELECT" if ask_rewritten else form  # never an update, whatever it guessed
        graph_form = form in ("CONSTRUCT", "DESCRIBE")
        wrapper.setReturnFormat(TURTLE if graph_form else JSON)
        accept = f"{_N_TRIPLES}, text/plain;q=0.5" if graph_form else _RESULTS_JSON
        wrapper.addCustomHttpHeader("Accept", accept)
        for graph in _protocol_graphs(default_graphs):
            wrapper.addDefaultGraph(graph)
        for graph in _protocol_graphs(named_graphs):
            wrapper.addNamedGraph(graph)
        media_type, headers, body = self._send(wrapper, timeout_s or self.timeout_s, max_bytes)
        answer = self._parse(media_type, headers, body, bindings or {})
        if ask_rewritten and answer.kind == "select":
            assert answer.solutions is not None
            return RemoteAnswer("ask", boolean=any(True for _ in answer.solutions))
        return answer

    def _send(
        self, wrapper: SPARQLWrapper, timeout_s: float, max_bytes: int | None
    ) -> tuple[str, Mapping[str, str], bytes]:
        # SPARQLWrapper builds the request (protocol parameters, encoding, Accept); httpx sends it:
        # SPARQLWrapper's own transport is urllib, which the network guard (itsm_prm.security)
        # refuses process-wide once rdflib has been made safe
        request = wrapper._createRequest()
        deadline = time.monotonic() + timeout_s
        try:
            with self._http.stream(
                request.get_method(),
                request.full_url,
                content=request.data,  # type: ignore[arg-type]
                headers=dict(request.header_items()),
                timeout=timeout_s,
            ) as response:
                if response.status_code >= 300:
                    raise self._http_error(response.status_code, response.read(), self.query_url)
                if response.status_code == 206 or "x-sql-state" in response.headers:
                    # Virtuoso's "anytime" answers: what it found before its own time limit (206 in
                    # newer releases; an X-SQL-State header, e.g. S1TAT, in older ones)
                    state = response.headers.get("x-sql-state", "HTTP 206")
                    raise ResultTruncated(
                        f"the SPARQL server at {self.query_url} stopped the query at its own time limit "
                        f"and sent a partial answer ({state}): raise the limit (Virtuoso: "
                        "MaxQueryExecutionTime in virtuoso.ini) or ask for less"
                    )
                chunks = bytearray()
                for chunk in response.iter_bytes(_CHUNK):
                    chunks += chunk
                    if time.monotonic() > deadline:
                        raise self._timeout(self.query_url)
                    if max_bytes is not None and len(chunks) > max_bytes:
                        raise AnswerTooLarge(max_bytes)
                headers = response.headers
        except httpx.TimeoutException:
            raise self._timeout(self.query_url) from None
        except httpx.HTTPError as exc:
            raise self._down(self.query_url, _root_cause(exc)) from None
        media_type = headers.get("content-type", "").split(";")[0].strip().lower()
        return media_type, headers, bytes(chunks)

    def _parse(
        self, media_type: str, headers: Mapping[str, str], body: bytes, bindings: Mapping[str, Term]
    ) -> RemoteAnswer:
        try:
            if media_type in _RESULT_TYPES:
                return self._parse_results(media_type, headers, body, bindings)
            if media_type in _GRAPH_TYPES:
                triples = [normalise_triple(t) for t in _parse_rdf(body, _GRAPH_TYPES[media_type])]
                if self.row_limit is not None and len(triples) >= self.row_limit:
                    raise self._truncated(f"{len(triples)} triples")
                return RemoteAnswer("graph", triples=triples)
        except (SyntaxError, ValueError) as exc:
            raise StoreUnavailable(
                f"the SPARQL server at {self.query_url} sent an answer that cannot be read: {exc}"
            ) from None
        raise StoreUnavailable(
            f"the SPARQL server at {self.query_url} answered with {media_type or 'no media type'}, "
            "not SPARQL results or N-Triples"
        )

    def _parse_results(
        self, media_type: str, headers: Mapping[str, str], body: bytes, bindings: Mapping[str, Term]
    ) -> RemoteAnswer:
        fmt = _RESULT_TYPES[media_type]
        if fmt == ox.QueryResultsFormat.JSON:
            document = json.loads(body)
            if "boolean" in document:
                return RemoteAnswer("ask", boolean=bool(document["boolean"]))
            rows = len(document.get("results", {}).get("bindings", []))
            cap = headers.get("X-SPARQL-MaxRows")
            if cap is not None:  # Virtuoso: the answer reached ResultSetMaxRows and was cut there
                raise self._truncated(f"{rows} rows, the server's limit (X-SPARQL-MaxRows: {cap.strip()})")
            if self.row_limit is not None and rows >= self.row_limit:
                raise self._truncated(f"{rows} rows")
            _normalise_json(document, bindings)
            body = json.dumps(document).encode()
        parsed = ox.parse_query_results(body, fmt)
        if isinstance(parsed, ox.QueryBoolean):
            return RemoteAnswer("ask", boolean=bool(parsed))
        return RemoteAnswer("select", solutions=parsed)

    # -- errors

    def _truncated(self, what: str) -> ResultTruncated:
        limit = f" (ITSM_PRM_SPARQL_ROW_LIMIT={self.row_limit})" if self.row_limit else ""
        return ResultTruncated(
            f"the SPARQL server at {self.query_url} cut the answer short at {what}{limit}: raise the "
            "server's result limit (Virtuoso: ResultSetMaxRows in the [SPARQL] section of virtuoso.ini) "
            "and ITSM_PRM_SPARQL_ROW_LIMIT with it, or ask for less (LIMIT/OFFSET)"
        )

    @staticmethod
    def _timeout(url: str) -> StoreTimeout:
        return StoreTimeout(f"the SPARQL server at {url} did not answer in time")

    @staticmethod
    def _down(url: str, reason: object) -> StoreUnavailable:
        if isinstance(reason, ConnectionRefusedError):
            why = "connection refused"
        elif isinstance(reason, socket.gaierror):
            why = "its host name does not resolve"
        elif isinstance(reason, ConnectionResetError | http.client.RemoteDisconnected):
            why = "the connection was closed"
        else:
            why = str(reason) or type(reason).__name__
        return StoreUnavailable(f"the SPARQL server at {url} did not answer: {why}")

    @staticmethod
    def _http_error(status: int, body: bytes, url: str) -> ItsmPrmError:
        message = _message(body)
        if status in (401, 403):
            return StoreUnavailable(
                f"the SPARQL server at {url} refused the credentials (HTTP {status}): check "
                "ITSM_PRM_SPARQL_USER/PASSWORD/AUTH or ITSM_PRM_SPARQL_BEARER_TOKEN"
            )
        if status == 400:
            return QueryRefused(f"the SPARQL server at {url} refused the request: {message}")
        if status == 404:
            return StoreUnavailable(f"the SPARQL server at {url} has no endpoint there (HTTP 404)")
        if status >= 500:
            return StoreUnavailable(f"the SPARQL server at {url} failed (HTTP {status}): {message}")
        return ItsmPrmError(f"the SPARQL server at {url} answered HTTP {status}: {message}")

    # -- writes

    def put_graph(self, graph: str, data: bytes) -> None:
        """Replace ``graph``: one SPARQL Update request (``DROP SILENT GRAPH`` + insert) for graphs
        up to ``_ATOMIC_TRIPLES`` triples, a Graph Store Protocol PUT for bigger ones.

        One update request is one transaction on Oxigraph server, whose PUT clears the graph and
        loads the new triples in two (a reader can meet the graph empty in between); Virtuoso
        cannot compile updates of a few thousand triples, and its PUT is ten times faster. The data
        is checked here first, so a server never receives triples it would reject halfway."""
        iri = sparql_term(Term.iri(graph))
        try:
            triples = [q.triple for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
        except SyntaxError as exc:
            raise InputError(f"graph <{graph}>: the data is not N-Triples: {exc}") from None
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        if self.store_url is not None and len(triples) > _ATOMIC_TRIPLES:
            self._write("PUT", self.store_url, params={"graph": graph}, content=body, media_type=_N_TRIPLES)
            return
        # Virtuoso refuses blank nodes in INSERT DATA; an INSERT template makes them fresh everywhere
        blank = any(
            isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in triples
        )
        text = body.decode()
        insert = (
            f"INSERT {{ GRAPH {iri} {{\n{text}}} }} WHERE {{ }}"
            if blank
            else (f"INSERT DATA {{ GRAPH {iri} {{\n{text}}} }}")
        )
        self._update(f"DROP SILENT GRAPH {iri} ;\n{insert}")

    def drop_graph(self, graph: str) -> None:
        self._update(f"DROP SILENT GRAPH {sparql_term(Term.iri(graph))}")

    def _update(self, update: str) -> None:
        self._write(
            "POST",
            self.update_url,
            content=urllib.parse.urlencode({"update": update}).encode(),
            media_type="application/x-www-form-urlencoded",
        )

    def _write(
        self, method: str, url: str, *, content: bytes, media_type: str, params: dict[str, str] | None = None
    ) -> None:
        try:
            response = self._http.request(
                method, url, params=params, content=content, headers={"Content-Type": media_type}
            )
        except httpx.TimeoutException:
            raise self._timeout(url) from None
        except httpx.ConnectError as exc:
            raise self._down(url, _root_cause(exc)) from None
        except httpx.HTTPError as exc:
            raise self._down(url, exc) from None
        if response.status_code >= 300:
            raise self._http_error(response.status_code, response.content, url)

    def load_nquads(self, path: Path) -> None:
        """Put every named graph of an N-Quads file, graph by graph (idempotent)."""
        by_graph: dict[str, list[ox.Triple]] = {}
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS):
            if isinstance(quad.graph_name, ox.NamedNode):
                by_graph.setdefault(quad.graph_name.value, []).append(quad.triple)
        for graph, triples in by_graph.items():
            self.put_graph(graph, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"")

    # -- the dataset

    def graphs(self) -> list[str]:
        # GRAPH ?g {} lists graphs from the index on Oxigraph; Virtuoso answers it with nothing
        found = self._graph_names("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        if not found:
            # GROUP BY, not DISTINCT: Virtuoso took 20 s for DISTINCT ?g over 20,000 quads, 0.05 s for this
            found = self._graph_names("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
        return sorted(g for g in found if not g.startswith(_SERVER_GRAPH_PREFIXES))

    def _graph_names(self, sparql: str) -> set[str]:
        try:
            return self._names(self.ask_server(sparql))
        except ResultTruncated:  # more graphs than the server sends at once (Virtuoso: 10,000)
            pass
        size = max(1, (self.row_limit or _TRUST_BELOW) // 2)
        found: set[str] = set()
        offset = 0
        while True:
            page = self._names(self.ask_server(f"{sparql} LIMIT {size} OFFSET {offset}"))
            found |= page
            offset += size
            if len(page) < size:
                return found

    @staticmethod
    def _names(answer: RemoteAnswer) -> set[str]:
        assert answer.solutions is not None
        return {s["g"].value for s in answer.solutions if isinstance(s["g"], ox.NamedNode)}

    def count(self, graph: str | None = None) -> int:
        if graph is not None:
            name = sparql_term(Term.iri(graph))
            sparql = f"SELECT (COUNT(?s) AS ?n) WHERE {{ GRAPH {name} {{ ?s ?p ?o }} }}"
            result = self.query(sparql, default_graph_as_union=False)
        else:
            sparql = "SELECT (COUNT(?s) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
            result = self.query(sparql)
        assert isinstance(result, QueryResult)
        value = result.rows[0]["n"] if result.rows else None
        return int(value.value) if value is not None else 0

    def graph_triples(self, graph: str) -> list[ox.Triple]:
        """Every triple of one named graph: a Graph Store Protocol GET, else a CONSTRUCT; page by
        page when the server cut the answer (Virtuoso caps both at ResultSetMaxRows + 1 triples,
        silently)."""
        name = sparql_term(Term.iri(graph))
        try:
            triples = self._graph_store_get(graph) if self.store_url else self._construct_graph(name)
        except ResultTruncated:
            return self._graph_in_pages(graph, name)
        if len(triples) < (self.row_limit or _TRUST_BELOW):
            return triples
        if len(set(triples)) < self.count(graph):
            return self._graph_in_pages(graph, name)
        return triples

    def _construct_graph(self, name: str, page: str = "") -> list[ox.Triple]:
        sparql = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {name} {{ ?s ?p ?o }} }}{page}"
        return self.ask_server(sparql).triples or []

    def _graph_in_pages(self, graph: str, name: str) -> list[ox.Triple]:
        # LIMIT/OFFSET without ORDER BY: Virtuoso refuses to sort past MaxSortedTopRows, and its
        # unsorted pages are stable; the total is checked against COUNT, so nothing is lost silently
        size = max(1, (self.row_limit or _TRUST_BELOW) // 2)
        expected = self.count(graph)
        found: dict[ox.Triple, None] = {}
        offset = 0
        while True:
            batch = self._construct_graph(name, f" LIMIT {size} OFFSET {offset}")
            found.update(dict.fromkeys(batch))
            offset += size
            if len(batch) < size or offset >= expected + size:
                break
        if len(found) != expected:
            raise self._truncated(f"{len(found)} of the {expected} triples of graph <{graph}>")
        return list(found)

    def _graph_store_get(self, graph: str) -> list[ox.Triple]:
        assert self.store_url is not None
        try:
            response = self._http.get(self.store_url, params={"graph": graph}, headers={"Accept": _N_TRIPLES})
        except httpx.TimeoutException:
            raise self._timeout(self.store_url) from None
        except httpx.HTTPError as exc:
            raise self._down(self.store_url, _root_cause(exc)) from None
        if response.status_code == 404:
            return []
        if response.status_code >= 300:
            raise self._http_error(response.status_code, response.content, self.store_url)
        media_type = response.headers.get("content-type", _N_TRIPLES).split(";")[0].strip().lower()
        fmt = _GRAPH_TYPES.get(media_type, ox.RdfFormat.N_TRIPLES)
        return [normalise_triple(t) for t in _parse_rdf(response.content, fmt)]

    def export(
        self, fmt: str, graph: GraphSelector = None, prefixes: Mapping[str, str] | None = None
    ) -> bytes:
        if fmt not in _FORMATS:
            raise UnknownFormatError(f"unknown format {fmt!r} (choose from {', '.join(RDF_FORMATS)})")
        graphs = graph_list(graph)
        quads = [
            ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(g))
            for g in (self.graphs() if graphs is None else graphs)
            for t in self.graph_triples(g)
        ]
        # the same sorting and serialiser as the embedded store: the same bytes for the same data
        items: list[ox.Quad] | list[ox.Triple]
        items = sorted(quads, key=str) if RDF_FORMATS[fmt][0] else sorted({q.triple for q in quads}, key=str)
        out = ox.serialize(
            items, format=_FORMATS[fmt], prefixes=dict(prefixes or {}) if fmt not in ("nt", "nq") else None
        )
        assert out is not None
        return out

    def ping(self) -> None:
        """Raise StoreUnavailable/StoreTimeout unless the server answers ``ASK {}``."""
        self.ask_server("ASK {}")

    def close(self) -> None:
        self._http.close()


class AnswerTooLarge(ItsmPrmError):
    """The server's answer grew past the byte limit the caller set."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the answer is larger than {limit} bytes")
        self.limit = limit


def _protocol_graphs(graphs: Sequence[str] | None) -> list[str]:
    if graphs is None:
        return []
    return sorted(set(graphs)) or [EMPTY_GRAPH]


def _has_dataset(sparql: str) -> bool:
    """Whether a trusted query names its own graphs (FROM): then the union is not imposed."""
    from itsm_prm.sparql_policy import check_query

    try:
        return check_query(sparql).has_dataset
    except ItsmPrmError:  # not for the policy to judge here: the server will say what is wrong
        return False


def _parse_rdf(body: bytes, fmt: ox.RdfFormat) -> Iterable[ox.Triple]:
    if fmt == ox.RdfFormat.N_TRIPLES:
        body = re.sub(rb"_:nodeID://", b"_:", body)  # Virtuoso's blank node labels
    return [q.triple for q in ox.parse(body, format=fmt)]  # quads in the default graph


def _root_cause(exc: BaseException) -> BaseException:
    while exc.__cause__ is not None or exc.__context__ is not None:
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return exc


def _triple(t: ox.Triple) -> Triple:
    s, p, o = from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)  # type: ignore[arg-type]
    assert s is not None and p is not None and o is not None
    return (s, p, o)
