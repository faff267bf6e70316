"""RemoteQueryExecutor: on ``oxigraph serve`` and on Virtuoso it gives the embedded worker pool's
answers, byte for byte, and keeps every query inside the public graphs plus the caller's own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox
import pytest

from itsm_prm.errors import (
    QueryPolicyError,
    ResultTooLarge,
    StoreTimeout,
    StoreUnavailable,
    UnknownFormatError,
)
from itsm_prm.executor import QueryExecutor
from itsm_prm.store.remote import RemoteStore
from itsm_prm.store.remote_executor import RemoteQueryExecutor
from itsm_prm.terms import Term
from tests.servers import free_port
from tests.store.conftest import SERVERS, store_for

EX = "http://test.example/"
JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
PREFIXES = {"ex": EX}


@dataclass
class Setup:
    remote: RemoteQueryExecutor
    embedded: QueryExecutor
    store: RemoteStore
    public: list[str]
    secret: str
    extra: str
    server: str


def dataset(run: str) -> tuple[str, list[str], str, str]:
    pub1, pub2 = f"{EX}{run}/pub1", f"{EX}{run}/pub2"
    lines = [
        (f"{EX}inc", f"{EX}label", '"Incident Management"@en', pub1),
        (f"{EX}inc", f"{EX}label", '"Gestion des incidents"@fr', pub2),
        (f"{EX}inc", f"{EX}note", '"says \\"hi\\"\\nthen ünïcödé ✓"', pub1),
        (f"{EX}inc", f"{EX}level", f'"3"^^<{"http://www.w3.org/2001/XMLSchema#"}integer>', pub1),
        (f"{EX}chg", f"{EX}label", '"Change Management"@en', pub1),
        (f"{EX}chg", f"{EX}level", f'"2"^^<{"http://www.w3.org/2001/XMLSchema#"}integer>', pub1),
        (f"{EX}chg", f"{EX}since", f'"2024-05-01"^^<{"http://www.w3.org/2001/XMLSchema#"}date>', pub2),
        (f"{EX}chg", f"{EX}related", f"<{EX}inc>", pub2),
    ]
    text = "".join(f"<{s}> <{p}> {o} <{g}> .\n" for s, p, o, g in lines)
    return text, [pub1, pub2], f"{EX}{run}/secret", f"{EX}{run}/extra"


@pytest.fixture(scope="module", params=SERVERS)
def setup(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    server = request.getfixturevalue(f"{request.param}_server")
    run = uuid.uuid4().hex
    text, public, secret, extra = dataset(run)
    path = tmp_path_factory.mktemp("executor") / "dataset.nq"
    path.write_text(text)
    store = store_for(server)
    store.load_nquads(path)
    store.put_graph(secret, f'<{EX}inc> <{EX}label> "SECRET" .\n'.encode())
    store.put_graph(extra, f'<{EX}inc> <{EX}label> "ours" .\n'.encode())
    with (
        QueryExecutor(path, workers=1, prefixes=PREFIXES) as embedded,
        RemoteQueryExecutor(store, public, prefixes=PREFIXES) as remote,
    ):
        yield Setup(remote, embedded, store, public, secret, extra, server.name)
    for graph in [*public, secret, extra]:
        store.drop_graph(graph)
    store.close()


SAME_BYTES = [
    (
        "SELECT ?s ?label WHERE { ?s <http://test.example/label> ?label FILTER(lang(?label) = 'en') } ORDER BY ?s",
        JSON,
    ),
    (
        "SELECT ?s ?label WHERE { ?s <http://test.example/label> ?label FILTER(lang(?label) = 'en') } ORDER BY ?s",
        XML,
    ),
    (
        "SELECT ?s ?label WHERE { ?s <http://test.example/label> ?label FILTER(lang(?label) = 'en') } ORDER BY ?s",
        CSV,
    ),
    (
        "SELECT ?s ?label WHERE { ?s <http://test.example/label> ?label FILTER(lang(?label) = 'en') } ORDER BY ?s",
        TSV,
    ),
    ("SELECT ?note WHERE { ?s <http://test.example/note> ?note }", JSON),
    ("SELECT ?note WHERE { ?s <http://test.example/note> ?note }", TSV),
    ("SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s ORDER BY ?s", JSON),
    ("SELECT ?s (COUNT(?o) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s ORDER BY ?s", CSV),
    (
        "SELECT (SUM(?l) AS ?sum) (AVG(?l) AS ?avg) (MAX(?l) AS ?max) (COUNT(DISTINCT ?s) AS ?n) "
        "WHERE { ?s <http://test.example/level> ?l }",
        JSON,
    ),
    ("SELECT ?since WHERE { ?s <http://test.example/since> ?since }", XML),
    ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g", JSON),
    ("SELECT ?x WHERE { OPTIONAL { ?x <http://test.example/none> ?y } }", JSON),
    ("ASK { ?s <http://test.example/related> ?o }", JSON),
    ("ASK { ?s <http://test.example/label> 'SECRET' }", JSON),
    ("ASK { ?s <http://test.example/label> 'ours' }", XML),
]


@pytest.mark.parametrize(("sparql", "media_type"), SAME_BYTES)
def test_same_bytes_as_the_worker_pool(setup: Setup, sparql: str, media_type: str) -> None:
    expected = setup.embedded.run(sparql, media_type)
    got = setup.remote.run(sparql, media_type)
    assert (got.kind, got.media_type) == (expected.kind, expected.media_type)
    assert got.body.decode() == expected.body.decode()


@pytest.mark.parametrize(
    ("sparql", "bindings"),
    [
        (
            "SELECT ?s ?label WHERE { ?s <http://test.example/label> ?label }",
            {"label": Term.literal("Change Management", lang="en")},
        ),
        ("SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?p", {"s": Term.iri(EX + "chg")}),
        ("SELECT ?s ?o WHERE { ?s ?p ?o }", {"o": Term.literal('says "hi"\nthen ünïcödé ✓')}),
        # a FILTER of the WHERE group sees the bound value, as with SEP-0007 substitution
        (
            "SELECT ?text ?s WHERE { ?s <http://test.example/label> ?l FILTER(CONTAINS(LCASE(STR(?l)), ?text)) } ORDER BY ?s",
            {"text": Term.literal("management")},
        ),
        # a comment that says "asked" does not make this SELECT an ASK
        (
            "# the labels asked for\nSELECT ?s ?l WHERE { ?s <http://test.example/label> ?l }",
            {"s": Term.iri(EX + "chg")},
        ),
        ("ASK { ?s ?p ?o }", {"s": Term.iri(EX + "inc")}),
        ("ASK { ?s ?p ?o }", {"s": Term.iri(EX + "nothing")}),
    ],
)
def test_bindings_give_the_worker_pools_answer(setup: Setup, sparql: str, bindings: dict[str, Term]) -> None:
    expected = setup.embedded.run(sparql, JSON, bindings=bindings)
    assert setup.remote.run(sparql, JSON, bindings=bindings).body == expected.body


def graph_of(body: bytes) -> set[str]:
    return {str(t) for t in ox.parse(body, format=ox.RdfFormat.TURTLE)}


@pytest.mark.parametrize(
    "sparql",
    [
        "CONSTRUCT WHERE { ?s <http://test.example/label> ?o }",
        "CONSTRUCT { ?s <http://test.example/rel> ?o } WHERE { ?s <http://test.example/related> ?o }",
        "DESCRIBE <http://test.example/chg>",
    ],
)
def test_construct_gives_the_worker_pools_graph(setup: Setup, sparql: str) -> None:
    expected = setup.embedded.run(sparql, TURTLE)
    got = setup.remote.run(sparql, TURTLE)
    # the same triples, in the engine's own order (the worker pool does not sort them either)
    assert graph_of(got.body) == graph_of(expected.body)
    assert got.body.startswith(b"@prefix ex: <http://test.example/> .\n")


def test_single_triple_construct_is_byte_identical(setup: Setup) -> None:
    sparql = "CONSTRUCT WHERE { ?s <http://test.example/related> ?o }"
    assert setup.remote.run(sparql, TURTLE).body == setup.embedded.run(sparql, TURTLE).body


# -- the dataset a query may see


def labels(setup: Setup, sparql: str, **kwargs: object) -> list[str]:
    body = setup.remote.run(sparql, CSV, **kwargs).body.decode()  # type: ignore[arg-type]
    return sorted(line for line in body.split("\r\n")[1:] if line)


def test_secret_graph_is_invisible(setup: Setup) -> None:
    secret = setup.secret
    queries = [
        "SELECT ?l WHERE { ?s <http://test.example/label> ?l }",
        f"SELECT ?l FROM <{secret}> WHERE {{ ?s <http://test.example/label> ?l }}",
        f"SELECT ?l FROM NAMED <{secret}> WHERE {{ GRAPH ?g {{ ?s <http://test.example/label> ?l }} }}",
        f"SELECT ?l WHERE {{ GRAPH <{secret}> {{ ?s <http://test.example/label> ?l }} }}",
        "SELECT ?l WHERE { GRAPH ?g { ?s <http://test.example/label> ?l } }",
        f"PREFIX s: <{secret}> SELECT ?l FROM s: WHERE {{ ?s <http://test.example/label> ?l }}",
    ]
    for sparql in queries:
        assert "SECRET" not in labels(setup, sparql), sparql
    protocol = labels(setup, "SELECT ?l WHERE { ?s ?p ?l }", default_graphs=[secret], named_graphs=[secret])
    assert protocol == []
    ask = f"ASK {{ GRAPH <{secret}> {{ ?s ?p ?o }} }}"
    assert (
        setup.remote.run(ask, JSON).body
        == setup.embedded.run(ask, JSON).body
        == b'{"head":{},"boolean":false}'
    )


def test_extra_graphs_join_the_dataset(setup: Setup) -> None:
    sparql = "SELECT ?l WHERE { <http://test.example/inc> <http://test.example/label> ?l }"
    assert "ours" not in labels(setup, sparql)
    assert "ours" in labels(setup, sparql, extra_graphs=[setup.extra])
    assert labels(setup, sparql, extra_graphs=[setup.extra], default_graphs=[setup.extra]) == ["ours"]
    named = f"SELECT ?l WHERE {{ GRAPH <{setup.extra}> {{ ?s ?p ?l }} }}"
    assert labels(setup, named) == []
    assert labels(setup, named, extra_graphs=[setup.extra]) == ["ours"]


def test_from_clauses_pick_within_the_dataset(setup: Setup) -> None:
    pub1, pub2 = setup.public
    sparql = f"SELECT ?l FROM <{pub2}> FROM <{setup.secret}> WHERE {{ ?s <http://test.example/label> ?l }}"
    assert labels(setup, sparql) == ["Gestion des incidents"]
    only_named = f"SELECT ?l FROM NAMED <{pub1}> WHERE {{ ?s <http://test.example/label> ?l }}"
    assert labels(setup, only_named) == []  # FROM NAMED alone: an empty default graph
    expected = setup.embedded.run(sparql, JSON).body
    assert setup.remote.run(sparql, JSON).body == expected


def test_escaped_from_is_refused(setup: Setup) -> None:
    # \u escapes hide FROM from a lexer; the parse tree still shows it: refused, never sent
    with pytest.raises(QueryPolicyError, match="FROM"):
        setup.remote.run(f"SELECT * FR\\u004FM <{setup.secret}> WHERE {{ ?s ?p ?o }}", JSON)


# -- policy, formats and limits: the worker pool's errors


def test_policy_and_formats(setup: Setup) -> None:
    with pytest.raises(QueryPolicyError, match="SERVICE"):
        setup.remote.run("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", JSON)
    with pytest.raises(QueryPolicyError, match="read-only"):
        setup.remote.run("DROP ALL", JSON)
    with pytest.raises(UnknownFormatError) as remote_error:
        setup.remote.run("CONSTRUCT WHERE { ?s ?p ?o }", CSV)
    with pytest.raises(UnknownFormatError) as embedded_error:
        setup.embedded.run("CONSTRUCT WHERE { ?s ?p ?o }", CSV)
    assert str(remote_error.value) == str(embedded_error.value)


def test_result_size_limit(setup: Setup) -> None:
    small = RemoteQueryExecutor(setup.store, setup.public, max_result_bytes=100)
    small.start()
    with pytest.raises(ResultTooLarge, match="100 bytes"):
        small.run("SELECT ?s ?p ?o WHERE { ?s ?p ?o }", JSON)
    assert small.run("ASK { ?s ?p ?o }", JSON).body == b'{"head":{},"boolean":true}'


def test_down_and_slow_servers(slow_server: str) -> None:
    down = RemoteQueryExecutor(RemoteStore(f"http://127.0.0.1:{free_port()}/query"), [EX + "g"])
    down.start()  # logged, not fatal
    assert down.alive() == 1
    with pytest.raises(StoreUnavailable, match="connection refused"):
        down.run("ASK { ?s ?p ?o }", JSON)
    slow = RemoteQueryExecutor(RemoteStore(slow_server + "/query"), [EX + "g"], timeout_s=0.3)
    slow.start()
    with pytest.raises(StoreTimeout, match=r"query time limit is 0\.3 s"):
        slow.run("ASK { ?s ?p ?o }", JSON)
    slow.close()
    assert slow.alive() == 0
