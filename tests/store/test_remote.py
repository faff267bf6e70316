"""RemoteStore against real servers (``oxigraph serve`` and Virtuoso): writes, bindings, datasets,
truncation, and a server that is down, slow or refuses the credentials."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from itsm_prm.errors import InputError, ParameterError, ResultTruncated, StoreTimeout, StoreUnavailable
from itsm_prm.store import open_store
from itsm_prm.store.oxigraph import OxigraphStore
from itsm_prm.store.remote import QueryRefused, RemoteStore, strip_dataset_clauses, values_block
from itsm_prm.terms import XSD, QueryResult, Term
from tests.servers import VIRTUOSO_ROW_LIMIT, SparqlServer, free_port, make_oxigraph_server
from tests.store.conftest import store_for

EX = "http://test.example/"
P = Term.iri(EX + "p")


def nt(*lines: str) -> bytes:
    return "".join(line + " .\n" for line in lines).encode()


def select(store: RemoteStore, sparql: str, graphs: list[str], **bindings: Term) -> list[tuple[str, ...]]:
    result = store.query(sparql, bindings or None, default_graphs=graphs)
    assert isinstance(result, QueryResult)
    return [tuple(t.n3() if t else "" for t in row.values()) for row in result]


# -- writes


def test_put_replace_drop(store: RemoteStore, fresh_graph: Callable[[], str]) -> None:
    g = fresh_graph()
    store.put_graph(g, nt(f"<{EX}a> <{EX}p> <{EX}b>", f'<{EX}a> <{EX}p> "x"'))
    assert g in store.graphs()
    assert store.count(g) == 2
    store.put_graph(g, nt(f'<{EX}c> <{EX}p> "replaced"'))  # replaces, never adds
    assert select(store, "SELECT ?s ?o WHERE { ?s ?p ?o }", [g]) == [(f"<{EX}c>", '"replaced"')]
    store.drop_graph(g)
    assert g not in store.graphs()
    assert store.count(g) == 0
    store.drop_graph(g)  # absent: no error


def test_big_graphs_go_through_the_graph_store(store: RemoteStore, fresh_graph: Callable[[], str]) -> None:
    g = fresh_graph()
    assert store.store_url is not None
    store.put_graph(g, nt(*(f'<{EX}s{i}> <{EX}p> "{i}"' for i in range(600))))  # a PUT
    assert store.count(g) == 600
    store.put_graph(g, nt(f'<{EX}s> <{EX}p> "small"'))  # an update request
    assert store.count(g) == 1


def test_bad_data_leaves_the_graph_as_it_was(store: RemoteStore, fresh_graph: Callable[[], str]) -> None:
    g = fresh_graph()
    store.put_graph(g, nt(f'<{EX}a> <{EX}p> "kept"'))
    for data in (
        b'<http://x/a> <http://x/p> "unterminated .\n',
        nt(*(f"<{EX}s{i}> <{EX}p> {i}" for i in range(600))),
    ):
        with pytest.raises(InputError, match="not N-Triples"):
            store.put_graph(g, data)
    assert select(store, "SELECT ?o WHERE { ?s ?p ?o }", [g]) == [('"kept"',)]


def test_put_graph_with_blank_nodes(store: RemoteStore, fresh_graph: Callable[[], str]) -> None:
    g = fresh_graph()
    store.put_graph(g, nt(f"<{EX}a> <{EX}p> _:x", f'_:x <{EX}p> "inner"'))
    rows = select(store, f"SELECT ?o WHERE {{ <{EX}a> <{EX}p> ?b . ?b <{EX}p> ?o }}", [g])
    assert rows == [('"inner"',)]


def test_writes_through_sparql_update_when_there_is_no_graph_store(
    server: SparqlServer, fresh_graph: Callable[[], str]
) -> None:
    store = store_for(server, sparql_store_url=None)
    if server.name == "oxigraph":  # /query → /store is derived; point the query URL elsewhere
        store.store_url = None
    assert store.store_url is None
    g = fresh_graph()
    store.put_graph(g, nt(f"<{EX}a> <{EX}p> _:x", f'_:x <{EX}p> "über \\"q\\"\\n"'))
    store.put_graph(g, nt(f'<{EX}a> <{EX}p> "second"'))
    assert select(store, "SELECT ?o WHERE { ?s ?p ?o }", [g]) == [('"second"',)]
    assert store.export("nt", g) == nt(f'<{EX}a> <{EX}p> "second"')


def test_load_nquads_is_idempotent(
    store: RemoteStore, fresh_graph: Callable[[], str], tmp_path: Path
) -> None:
    g1, g2 = fresh_graph(), fresh_graph()
    path = tmp_path / "d.nq"
    path.write_text(
        f'<{EX}a> <{EX}p> "1" <{g1}> .\n<{EX}b> <{EX}p> "2" <{g2}> .\n<{EX}c> <{EX}p> "3" <{g2}> .\n'
    )
    store.load_nquads(path)
    store.load_nquads(path)
    assert (store.count(g1), store.count(g2)) == (1, 2)


def test_export_gives_the_embedded_stores_bytes(store: RemoteStore, fresh_graph: Callable[[], str]) -> None:
    g1, g2 = fresh_graph(), fresh_graph()
    data1 = nt(f'<{EX}a> <{EX}p> "één"@nl', f"<{EX}a> <{EX}q> <{EX}b>")
    data2 = nt(f'<{EX}b> <{EX}p> "2024-01-01"^^<{XSD}date>', f"<{EX}a> <{EX}q> <{EX}b>")
    embedded = OxigraphStore()
    for target in (store, embedded):
        target.put_graph(g1, data1)
        target.put_graph(g2, data2)
    prefixes = {"ex": EX}
    for fmt in ("ttl", "nt", "nq", "trig", "jsonld", "xml"):
        assert store.export(fmt, [g1, g2], prefixes) == embedded.export(fmt, [g1, g2], prefixes), fmt


# -- bindings


@pytest.mark.parametrize(
    "value",
    [
        Term.literal('say "hi"\nand\tgo \\ back'),
        Term.literal("ünïcödé ✓ 𝄞"),
        Term.literal("Incident", lang="en-GB"),
        Term.literal("42", datatype=XSD + "integer"),
        Term.literal(True),  # Virtuoso stores it as "1"^^xsd:boolean
        Term.literal("} } ; DROP ALL ; SELECT * { #"),
        Term.iri(EX + "target"),
    ],
    ids=["quotes-newlines", "unicode", "language", "typed", "boolean", "injection", "iri"],
)
def test_bindings_are_one_term(store: RemoteStore, fresh_graph: Callable[[], str], value: Term) -> None:
    g = fresh_graph()
    store.put_graph(g, nt(f"<{EX}hit> {P.n3()} {value.n3()}", f'<{EX}miss> {P.n3()} "other"'))
    rows = select(store, "SELECT ?s ?o WHERE { ?s ?p ?o }", [g], o=value)
    assert rows == [(f"<{EX}hit>", value.n3().replace("@en-GB", "@en-gb"))]
    assert store.query("ASK { ?s ?p ?o }", {"o": value}, default_graphs=[g]) is True
    assert store.query("ASK { ?s ?p ?o }", {"o": Term.literal("absent")}, default_graphs=[g]) is False
    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", {"o": value}, default_graphs=[g])
    assert isinstance(triples, list) and [t[0].value for t in triples] == [EX + "hit"]
    short = store.query("CONSTRUCT WHERE { ?s ?p ?o }", {"o": value}, default_graphs=[g])
    assert short == triples


@pytest.mark.parametrize(
    "bindings",
    [
        {"o": Term.iri("http://x/> } ; DROP ALL #")},
        {"o": Term.literal("x", lang="en } DROP")},
        {"o": Term.bnode("b0")},
        {"o) } DROP ALL #": Term.literal("x")},
    ],
    ids=["iri", "language", "blank-node", "variable"],
)
def test_bindings_that_would_end_early_are_refused(bindings: dict[str, Term]) -> None:
    with pytest.raises(ParameterError):
        values_block(bindings)


# -- datasets


def test_dataset_restriction(store: RemoteStore, fresh_graph: Callable[[], str]) -> None:
    public, secret = fresh_graph(), fresh_graph()
    store.put_graph(public, nt(f'<{EX}a> <{EX}p> "public"'))
    store.put_graph(secret, nt(f'<{EX}a> <{EX}p> "secret"'))
    assert select(store, "SELECT ?o WHERE { ?s ?p ?o }", [public]) == [('"public"',)]
    assert select(store, "SELECT ?o WHERE { ?s ?p ?o }", []) == []
    named = store.query("SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", default_graphs=[], named_graphs=[public])
    assert isinstance(named, QueryResult) and [r["g"] for r in named] == [Term.iri(public)]
    hidden = store.query(
        f"ASK {{ GRAPH <{secret}> {{ ?s ?p ?o }} }}", default_graphs=[], named_graphs=[public]
    )
    assert hidden is False
    union = store.query(f"SELECT ?o WHERE {{ <{EX}a> ?p ?o }} ORDER BY ?o")
    assert isinstance(union, QueryResult)
    assert [r["o"] for r in union] == [Term.literal("public"), Term.literal("secret")]


def test_graphs_are_listed_page_by_page_past_the_row_limit(
    server: SparqlServer, store: RemoteStore, fresh_graph: Callable[[], str]
) -> None:
    for _ in range(3):
        store.put_graph(fresh_graph(), nt(f'<{EX}a> <{EX}p> "x"'))
    capped = store_for(server, sparql_row_limit=2)
    assert capped.graphs() == store.graphs()


def test_server_graphs_are_not_data(store: RemoteStore) -> None:
    # Virtuoso keeps its schema and endpoint descriptions as graphs of its own
    assert not [g for g in store.graphs() if "openlinksw" in g or g.startswith("http://localhost:8890/")]


def test_strip_dataset_clauses() -> None:
    text = (
        "PREFIX from: <http://x/> SELECT ?from # FROM <c>\n"
        'FROM <http://a> from NAMED from:b FROM\n<http://c> WHERE { ?from from:p "FROM <d>" }'
    )
    stripped = strip_dataset_clauses(text)
    assert "http://a" not in stripped and "from:b" not in stripped and "http://c" not in stripped
    assert "PREFIX from: <http://x/> SELECT ?from # FROM <c>\n" in stripped
    assert stripped.endswith('WHERE { ?from from:p "FROM <d>" }')


# -- truncation


def test_row_limit_marks_full_answers_truncated(server: SparqlServer, fresh_graph: Callable[[], str]) -> None:
    store = store_for(server, sparql_row_limit=3)
    g = fresh_graph()
    store.put_graph(g, nt(*(f'<{EX}s{i}> <{EX}p> "{i}"' for i in range(3))))
    assert len(select(store, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 2", [g])) == 2
    with pytest.raises(ResultTruncated, match=r"3 rows.*ITSM_PRM_SPARQL_ROW_LIMIT=3"):
        store.query("SELECT ?s WHERE { ?s ?p ?o }", default_graphs=[g])
    with pytest.raises(ResultTruncated, match="3 triples"):
        store.query("CONSTRUCT WHERE { ?s ?p ?o }", default_graphs=[g])


def test_virtuoso_truncation_is_detected(virtuoso_server: SparqlServer) -> None:
    """Virtuoso cuts SELECT answers at ResultSetMaxRows and says so only in X-SPARQL-MaxRows;
    CONSTRUCT answers are cut at one triple more, with no header."""
    g = f"http://test.example/graph/truncation-{free_port()}"
    big = nt(*(f'<{EX}s{i}> <{EX}p> "{i}"^^<{XSD}integer>' for i in range(VIRTUOSO_ROW_LIMIT + 50)))
    unconfigured = store_for(virtuoso_server, sparql_row_limit=None)
    configured = store_for(virtuoso_server)
    unconfigured.put_graph(g, big)
    try:
        assert unconfigured.count(g) == VIRTUOSO_ROW_LIMIT + 50
        for st in (unconfigured, configured):  # the header alone is enough for SELECT
            with pytest.raises(ResultTruncated, match="X-SPARQL-MaxRows: 10000"):
                st.query("SELECT ?s WHERE { ?s ?p ?o }", default_graphs=[g])
        with pytest.raises(ResultTruncated, match="10001 triples"):
            configured.query("CONSTRUCT WHERE { ?s ?p ?o }", default_graphs=[g])
        rows = select(configured, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 9999", [g])
        assert len(rows) == 9999
        # the Graph Store Protocol GET is cut too (silently): export reads the graph page by page
        embedded = OxigraphStore()
        embedded.put_graph(g, big)
        without_store = store_for(virtuoso_server, sparql_store_url=None)
        for st in (unconfigured, configured, without_store):
            assert st.export("nt", g) == embedded.export("nt", g)
    finally:
        unconfigured.drop_graph(g)


# -- a server that is down, slow, or says no


def test_down_server_then_recovery(tmp_path: Path) -> None:
    server = make_oxigraph_server(tmp_path)
    server.start()
    try:
        store = open_store(server.store_spec)
        assert isinstance(store, RemoteStore)
        g = EX + "graph/durable"
        store.put_graph(g, nt(f'<{EX}a> <{EX}p> "kept"'))
        server.stop()
        with pytest.raises(StoreUnavailable, match=r"did not answer: connection refused"):
            store.query("ASK { ?s ?p ?o }")
        with pytest.raises(StoreUnavailable, match="connection refused"):
            store.put_graph(g, nt(f'<{EX}a> <{EX}p> "lost"'))
        server.start()
        assert select(store, "SELECT ?o WHERE { ?s ?p ?o }", [g]) == [('"kept"',)]
    finally:
        server.stop()


def test_unknown_host() -> None:
    store = RemoteStore("http://no-such-host.invalid/query", timeout_s=5)
    with pytest.raises(StoreUnavailable, match="does not resolve"):
        store.query("ASK {}")


def test_slow_server_times_out(slow_server: str) -> None:
    store = RemoteStore(slow_server + "/query", timeout_s=0.3)
    with pytest.raises(StoreTimeout, match="did not answer in time"):
        store.query("ASK {}")
    with pytest.raises(StoreTimeout):
        store.put_graph(EX + "g", nt(f'<{EX}a> <{EX}p> "x"'))


def test_refused_credentials(virtuoso_server: SparqlServer) -> None:
    store = store_for(virtuoso_server, sparql_password="wrong")  # noqa: S106
    with pytest.raises(StoreUnavailable, match="refused the credentials"):
        store.put_graph(EX + "graph/never", nt(f'<{EX}a> <{EX}p> "x"'))


def test_malformed_query_names_the_servers_message(store: RemoteStore) -> None:
    with pytest.raises(QueryRefused, match="refused the request: .+"):
        store.query("SELECT ?s WHERE { ?s ?p ?o } }", default_graphs=[])


def test_bearer_token_is_sent(slow_server: str) -> None:
    store = RemoteStore(slow_server + "/query", bearer_token="t0k3n", user="u", password="p")  # noqa: S106
    assert store._headers == {"Authorization": "Bearer t0k3n"}


def test_derived_urls() -> None:
    oxi = RemoteStore("http://h:7878/query")
    assert (oxi.update_url, oxi.store_url) == ("http://h:7878/update", "http://h:7878/store")
    other = RemoteStore("http://h/sparql")
    assert (other.update_url, other.store_url) == ("http://h/sparql", None)


def test_parsed_virtuoso_blank_nodes() -> None:
    from itsm_prm.store.remote import _parse_rdf

    [triple] = _parse_rdf(b"_:nodeID://b10006 <http://x/p> _:nodeID://b10007 .\n", ox.RdfFormat.N_TRIPLES)
    assert isinstance(triple.subject, ox.BlankNode) and triple.subject.value == "b10006"


def test_works_behind_the_network_guard(store: RemoteStore, fresh_graph: Callable[[], str]) -> None:
    """The guard that stops rdflib from fetching URLs refuses every urllib request in the process;
    the remote store's own requests do not go through urllib."""
    from itsm_prm.security import install_network_guard

    install_network_guard()
    g = fresh_graph()
    store.put_graph(g, nt(f'<{EX}a> <{EX}p> "guarded"'))
    assert select(store, "SELECT ?o WHERE { ?s ?p ?o }", [g]) == [('"guarded"',)]


@pytest.mark.parametrize("path", ["/206/sparql", "/sparql"], ids=["http-206", "x-sql-state"])
def test_partial_answers_at_the_servers_time_limit(partial_server: str, path: str) -> None:
    store = RemoteStore(partial_server + path)
    with pytest.raises(ResultTruncated, match="partial answer"):
        store.query("SELECT ?s WHERE { ?s ?p ?o }", default_graphs=[])
