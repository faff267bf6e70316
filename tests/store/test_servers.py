"""The real SPARQL servers of tests/servers.py: they answer, listen on 127.0.0.1 only, restart on the
same port with their data, and (Virtuoso) hide behind a generated DBA password and cut SELECT answers
at 10 000 rows."""

from __future__ import annotations

import shutil
import socket
import subprocess
import uuid
from pathlib import Path

import httpx
import pyoxigraph
import pytest

from itsm_prm.config import Settings
from tests.servers import HOST, VIRTUOSO_ROW_LIMIT, SparqlServer

JSON = "application/sparql-results+json"
NT = "application/n-triples"
# Virtuoso's factory DBA password, which the fixture must have replaced
FACTORY_PASSWORD = "dba"  # noqa: S105


def fresh_graph() -> str:
    return f"urn:test:servers:{uuid.uuid4().hex}"


def select(server: SparqlServer, query: str) -> httpx.Response:
    response = httpx.get(
        server.query_url, params={"query": query}, headers={"Accept": JSON}, timeout=30, trust_env=False
    )
    assert response.status_code == 200, response.text
    return response


def rows(server: SparqlServer, query: str) -> list[dict[str, dict[str, str]]]:
    return select(server, query).json()["results"]["bindings"]


def graph_size(server: SparqlServer, graph: str) -> int:
    [row] = rows(server, f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    return int(row["n"]["value"])


def client(server: SparqlServer, password: str | None = None) -> httpx.Client:
    """A client with the server's credentials (or ``password`` instead of the real one)."""
    auth: httpx.Auth | None = None
    if server.user is not None:
        auth = httpx.DigestAuth(server.user, password if password is not None else server.password or "")
    return httpx.Client(auth=auth, timeout=60, trust_env=False)  # loopback: no proxy


def update(server: SparqlServer, sparql: str, password: str | None = None) -> httpx.Response:
    with client(server, password) as http:
        return http.post(server.update_url, data={"update": sparql})


def listening_addresses(port: int) -> set[str]:
    """The local addresses of the TCP sockets listening on ``port`` (Linux /proc/net)."""
    found: set[str] = set()
    for table, ipv6 in ((Path("/proc/net/tcp"), False), (Path("/proc/net/tcp6"), True)):
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].split(":")
            if fields[3] != "0A" or int(port_hex, 16) != port:  # 0A = LISTEN
                continue
            if ipv6:
                found.add("ipv6:" + address)
            else:
                found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def other_local_addresses() -> list[str]:
    """Addresses of this machine other than 127.0.0.1: another loopback address (a wildcard bind
    would answer on it) and, when there is a route, the address of the outgoing interface."""
    addresses = ["127.0.0.2"]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # UDP connect sends nothing; it only picks the interface
            own = probe.getsockname()[0]
        except OSError:
            own = None
    if own and not own.startswith("127."):
        addresses.append(own)
    return addresses


def assert_loopback_only(server: SparqlServer) -> None:
    for port in server.ports:
        assert listening_addresses(port) == {"127.0.0.1"}, port
        for address in other_local_addresses():
            with pytest.raises(OSError):
                socket.create_connection((address, port), timeout=2).close()


def assert_down(server: SparqlServer) -> None:
    assert not server.running()
    for port in server.ports:
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()


def assert_restart_keeps_data(server: SparqlServer) -> None:
    graph = fresh_graph()
    assert update(server, f'INSERT DATA {{ GRAPH <{graph}> {{ <urn:s> <urn:p> "kept" }} }}').is_success
    ports, pid = server.ports, server.pid
    try:
        server.stop()
        assert_down(server)
    finally:
        server.start()  # the next tests share this server: bring it back whatever happened
    assert server.ports == ports and server.pid != pid
    assert rows(server, f"SELECT ?o {{ GRAPH <{graph}> {{ <urn:s> <urn:p> ?o }} }}") == [
        {"o": {"type": "literal", "value": "kept"}}
    ]
    assert update(server, f"DROP SILENT GRAPH <{graph}>").is_success


def nt_lines(count: int, subject: str = "urn:s") -> bytes:
    return "".join(f'<{subject}{i}> <urn:p> "{i}" .\n' for i in range(count)).encode()


# -- oxigraph serve


def test_oxigraph_answers(oxigraph_server: SparqlServer) -> None:
    assert select(oxigraph_server, "ASK {}").json()["boolean"] is True
    assert oxigraph_server.store_spec == "sparql:" + oxigraph_server.query_url
    assert oxigraph_server.query_url.startswith("http://127.0.0.1:")
    settings = Settings(store=oxigraph_server.store_spec, **oxigraph_server.settings_overrides)
    assert settings.sparql_update_url == oxigraph_server.base_url + "/update"
    assert settings.sparql_store_url == oxigraph_server.base_url + "/store"
    assert settings.sparql_row_limit is None


def test_oxigraph_listens_on_loopback_only(oxigraph_server: SparqlServer) -> None:
    assert_loopback_only(oxigraph_server)


def test_oxigraph_update_and_graph_store(oxigraph_server: SparqlServer) -> None:
    graph = fresh_graph()
    assert update(
        oxigraph_server, f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:b> <urn:c> }} }}"
    ).is_success
    assert graph_size(oxigraph_server, graph) == 1
    put = httpx.put(
        oxigraph_server.store_url or "",
        params={"graph": graph},
        content=nt_lines(3),
        headers={"Content-Type": NT},
        trust_env=False,
    )
    assert put.is_success, put.text
    assert graph_size(oxigraph_server, graph) == 3  # PUT replaced the graph
    assert update(oxigraph_server, f"DROP SILENT GRAPH <{graph}>").is_success
    assert graph_size(oxigraph_server, graph) == 0


def test_oxigraph_restarts_on_the_same_port_with_its_data(oxigraph_server: SparqlServer) -> None:
    assert_restart_keeps_data(oxigraph_server)


# -- Virtuoso


def test_virtuoso_answers(virtuoso_server: SparqlServer) -> None:
    assert select(virtuoso_server, "ASK {}").json()["boolean"] is True
    settings = Settings(store=virtuoso_server.store_spec, **virtuoso_server.settings_overrides)
    assert settings.store == "sparql:" + virtuoso_server.base_url + "/sparql"
    assert settings.sparql_update_url == virtuoso_server.base_url + "/sparql-auth"
    assert settings.sparql_store_url == virtuoso_server.base_url + "/sparql-graph-crud-auth"
    assert (settings.sparql_user, settings.sparql_auth) == ("dba", "digest")
    assert settings.sparql_password == virtuoso_server.password
    assert settings.sparql_row_limit == VIRTUOSO_ROW_LIMIT == 10000


def test_virtuoso_listens_on_loopback_only(virtuoso_server: SparqlServer) -> None:
    assert len(virtuoso_server.ports) == 2  # the SQL port (isql) and the HTTP port
    assert_loopback_only(virtuoso_server)


def test_virtuoso_has_a_generated_dba_password(virtuoso_server: SparqlServer) -> None:
    password = virtuoso_server.password
    assert password and password != FACTORY_PASSWORD and len(password) == 20
    graph = fresh_graph()
    insert = f"INSERT DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:b> <urn:c> }} }}"
    assert update(virtuoso_server, insert, password=FACTORY_PASSWORD).status_code == 401
    with client(virtuoso_server, password=FACTORY_PASSWORD) as http:
        put = http.put(
            virtuoso_server.store_url or "",
            params={"graph": graph},
            content=nt_lines(1),
            headers={"Content-Type": NT},
        )
    assert put.status_code == 401
    # the anonymous query endpoint refuses updates whatever the password
    anonymous = httpx.post(virtuoso_server.query_url, data={"update": insert}, timeout=30, trust_env=False)
    assert not anonymous.is_success
    assert graph_size(virtuoso_server, graph) == 0


def test_virtuoso_sql_port_refuses_the_factory_password(virtuoso_server: SparqlServer) -> None:
    isql = shutil.which("isql-vt")  # same Debian package as virtuoso-t
    assert isql is not None
    sql = f"{HOST}:{virtuoso_server.ports[0]}"

    def login(password: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [isql, sql, "dba", password, "exec=SELECT 1;"], capture_output=True, text=True, timeout=60
        )

    refused = login(FACTORY_PASSWORD)
    assert refused.returncode != 0 and "Bad login" in refused.stdout + refused.stderr
    assert login(virtuoso_server.password or "").returncode == 0


def test_virtuoso_sparql_update_with_digest_auth(virtuoso_server: SparqlServer) -> None:
    graph = fresh_graph()
    inserted = update(virtuoso_server, f'INSERT DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:b> "c"@en }} }}')
    assert inserted.status_code == 200, inserted.text
    assert rows(virtuoso_server, f"SELECT ?o {{ GRAPH <{graph}> {{ <urn:a> <urn:b> ?o }} }}") == [
        {"o": {"type": "literal", "xml:lang": "en", "value": "c"}}
    ]
    assert update(virtuoso_server, f"DROP SILENT GRAPH <{graph}>").status_code == 200
    assert graph_size(virtuoso_server, graph) == 0
    # dropping an absent graph is fine with SILENT
    assert update(virtuoso_server, f"DROP SILENT GRAPH <{graph}>").status_code == 200


def test_virtuoso_graph_store_protocol_with_digest_auth(virtuoso_server: SparqlServer) -> None:
    graph = fresh_graph()
    with client(virtuoso_server) as http:
        store = virtuoso_server.store_url or ""
        headers = {"Content-Type": NT}
        created = http.put(store, params={"graph": graph}, content=nt_lines(3), headers=headers)
        assert created.status_code == 201, created.text
        blank = b'<urn:x> <urn:y> _:b .\n_:b <urn:z> "in a blank node" .\n'
        replaced = http.put(store, params={"graph": graph}, content=blank, headers=headers)
        assert replaced.status_code == 200, replaced.text
        assert graph_size(virtuoso_server, graph) == 2  # PUT replaced the three triples
        fetched = http.get(store, params={"graph": graph}, headers={"Accept": NT})
        assert fetched.status_code == 200
        assert len(list(pyoxigraph.parse(fetched.content, format=pyoxigraph.RdfFormat.N_TRIPLES))) == 2
        assert http.delete(store, params={"graph": graph}).status_code == 200
        # Virtuoso answers DELETE of an absent graph with 404 (a store's drop_graph must accept it)
        assert http.delete(store, params={"graph": graph}).status_code == 404
    assert graph_size(virtuoso_server, graph) == 0


def test_virtuoso_cuts_answers_at_the_row_limit(virtuoso_server: SparqlServer) -> None:
    """Virtuoso's silent truncation, as the remote store meets it.

    A SELECT with more than ResultSetMaxRows (10000) solutions answers HTTP 200 with exactly 10000
    rows and the response header ``X-SPARQL-MaxRows: 10000`` — the only signal. The header is sent
    whenever the answer reaches the cap, so an honest ``LIMIT 10000`` gets it too; below the cap
    there is none. CONSTRUCT answers and Graph Store GETs are cut at 10001 triples with *no*
    header at all. (An OFFSET without LIMIT over more than 10000 solutions fails with HTTP 500
    "SR350: TOP parameter < 0".)
    """
    graph = fresh_graph()
    total = VIRTUOSO_ROW_LIMIT + 50
    with client(virtuoso_server) as http:
        put = http.put(
            virtuoso_server.store_url or "",
            params={"graph": graph},
            content=nt_lines(total),
            headers={"Content-Type": NT},
        )
        assert put.is_success, put.text
    try:
        assert graph_size(virtuoso_server, graph) == total

        cut = select(virtuoso_server, f"SELECT ?s ?o {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        assert len(cut.json()["results"]["bindings"]) == VIRTUOSO_ROW_LIMIT
        assert cut.headers["X-SPARQL-MaxRows"] == str(VIRTUOSO_ROW_LIMIT)

        at_cap = select(virtuoso_server, f"SELECT ?s {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} LIMIT 10000")
        assert at_cap.headers["X-SPARQL-MaxRows"] == "10000"
        below = select(virtuoso_server, f"SELECT ?s {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} LIMIT 9999")
        assert len(below.json()["results"]["bindings"]) == 9999
        assert "X-SPARQL-MaxRows" not in below.headers

        construct = httpx.get(
            virtuoso_server.query_url,
            params={"query": f"CONSTRUCT {{ ?s ?p ?o }} {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"},
            headers={"Accept": NT},
            timeout=60,
            trust_env=False,
        )
        assert construct.status_code == 200
        triples = list(pyoxigraph.parse(construct.content, format=pyoxigraph.RdfFormat.N_TRIPLES))
        assert len(triples) == VIRTUOSO_ROW_LIMIT + 1
        assert "X-SPARQL-MaxRows" not in construct.headers
    finally:
        assert update(virtuoso_server, f"DROP SILENT GRAPH <{graph}>").is_success


def test_virtuoso_restarts_on_the_same_ports_with_its_data(virtuoso_server: SparqlServer) -> None:
    assert_restart_keeps_data(virtuoso_server)
    dropped = update(virtuoso_server, f"DROP SILENT GRAPH <{fresh_graph()}>", password=FACTORY_PASSWORD)
    assert dropped.status_code == 401  # still not dba/dba
