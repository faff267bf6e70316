"""Durability of the on-disk store: what ``POST /api/assessments`` acknowledged survives SIGKILL of the
server, and a write killed half-way leaves the graph as it was before or as it was written — never a part.

The first test runs the real ``itsm-prm serve`` with ``--store oxigraph:DIR`` as a subprocess, kills it
with SIGKILL (no shutdown code runs, nothing is flushed on the way out) and starts a new server on the
same directory. The second kills a process in the middle of replacing a large graph — the repository's
every write is one such ``put_graph`` — and reopens the store.
"""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import sys
import textwrap
import urllib.parse
from pathlib import Path

import pytest

from itsm_prm.build import BuildResult
from itsm_prm.store.oxigraph import OxigraphStore
from itsm_prm.tokens import TokenStore
from tests.e2e.conftest import Server, launch

VALID = Path(__file__).resolve().parents[2] / "data" / "examples" / "assessments" / "valid-all-ten.ttl"


def request(
    method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    """One HTTP request with http.client (urllib is blocked in the test process by the network guard)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request(method, target, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def start(store: Path, log: Path, monkeypatch: pytest.MonkeyPatch) -> Server:
    monkeypatch.setenv("ITSM_PRM_STORE", f"oxigraph:{store}")  # launch() passes the environment on
    return launch([], log)


def test_an_acknowledged_assessment_survives_sigkill(
    built: BuildResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tokens = TokenStore(tmp_path / "tokens.json")
    monkeypatch.setenv("ITSM_PRM_TOKENS_FILE", str(tokens.path))
    auth = {"Authorization": f"Bearer {tokens.create('durable')[1]}"}
    store = tmp_path / "store"

    first = start(store, tmp_path / "first.log", monkeypatch)
    try:
        status, body = request(
            "POST", first.url + "/api/assessments", VALID.read_bytes(), {**auth, "Content-Type": "text/turtle"}
        )
        assert status == 201, body
        stored = json.loads(body)
        url = f"{first.url}/api/assessments/{stored['id']}"
        _, quads = request("GET", url + "?format=nq", headers=auth)
        _, record = request("GET", url, headers=auth)
    finally:
        assert first.stop(signal.SIGKILL) == -signal.SIGKILL  # killed, not shut down

    second = start(store, tmp_path / "second.log", monkeypatch)
    try:
        url = f"{second.url}/api/assessments/{stored['id']}"
        status, listed = request("GET", second.url + "/api/assessments", headers=auth)
        assert status == 200
        assert [item["id"] for item in json.loads(listed)["assessments"]] == [stored["id"]]
        status, again = request("GET", url + "?format=nq", headers=auth)
        assert status == 200 and again == quads  # the same graph, byte for byte
        assert request("GET", url, headers=auth)[1] == record  # record and profile
    finally:
        second.stop()


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from itsm_prm.store.oxigraph import OxigraphStore

    store = OxigraphStore(Path(sys.argv[1]))
    graph, size = sys.argv[2], int(sys.argv[3])
    def version(name, n):
        return "".join(f'<urn:s{i}> <urn:version> "{name} {i}" .\\n' for i in range(n)).encode()
    store.put_graph(graph, version("v1", 1000))
    big = version("v2", size)
    print("writing", flush=True)
    store.put_graph(graph, big)
    print("done", flush=True)
    """
)


def test_a_write_killed_half_way_leaves_no_partial_graph(tmp_path: Path) -> None:
    store, graph, size = tmp_path / "store", "https://w3id.org/itsm-prm/graph/assessments/" + "b" * 32, 200_000
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(store), graph, str(size)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    try:
        assert writer.stdout.readline().strip() == "writing"  # the first version is committed
        writer.send_signal(signal.SIGKILL)  # while the second is being written (it takes seconds)
        rest = writer.stdout.read()
    finally:
        writer.kill()
        writer.wait()
    reopened = OxigraphStore(store)
    try:
        count = reopened.count(graph)
        versions = {row.split('"')[1].split()[0] for row in reopened.export("nt", graph).decode().splitlines()}
    finally:
        reopened.close()
    if "done" in rest:  # the kill came too late to interrupt anything: the new version is all there
        assert (count, versions) == (size, {"v2"})
    else:  # killed half-way: the graph is exactly the previous version
        assert (count, versions) == (1000, {"v1"})
