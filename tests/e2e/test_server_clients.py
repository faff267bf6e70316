"""Third-party SPARQL clients against the real server (``itsm-prm serve`` on 127.0.0.1):
SPARQLWrapper 2.0 in every result format and request method, and rdflib's ``SPARQLStore``;
then ``--workers 2`` and a clean Ctrl-C / SIGTERM shutdown that leaves no query worker behind.

Both clients use urllib, which the network guard blocks inside the test process (see
``conftest.py``), so they run in a fresh interpreter: this file doubles as a script
(``python test_server_clients.py URL``) that runs every probe below and prints what it observed
as JSON; the tests then check the observations.
"""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

PRM = "https://w3id.org/itsm-prm/ontology#"
IDS = ["AVA", "CAP", "CHAN", "CONF", "INC", "ITFM", "ITSCM", "PRO", "REL", "SLM"]
SELECT = f"PREFIX prm: <{PRM}> SELECT ?p ?id WHERE {{ ?p a prm:Process ; prm:processId ?id }} ORDER BY ?id"
ASK_TRUE = f"ASK {{ ?p a <{PRM}Process> }}"
ASK_FALSE = f"ASK {{ ?p a <{PRM}NoSuchClass> }}"
CONSTRUCT = f"PREFIX prm: <{PRM}> CONSTRUCT {{ ?p prm:processId ?id }} WHERE {{ ?p a prm:Process ; prm:processId ?id }}"
INC = "https://w3id.org/itsm-prm/id/process/INC"

# ---------------------------------------------------------------- the probes (run in a subprocess)

PROBES: dict[str, Callable[[str], Any]] = {}


def probe(function: Callable[[str], Any]) -> Callable[[str], Any]:
    PROBES[function.__name__] = function
    return function


def _wrapper(url: str, query: str, fmt: str, method: str = "GET") -> Any:
    from SPARQLWrapper import POST, POSTDIRECTLY, SPARQLWrapper

    client = SPARQLWrapper(url + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    if method != "GET":
        client.setMethod(POST)
        if method == "POST direct":
            client.setRequestMethod(POSTDIRECTLY)
    return client


def _ids(graph: Any) -> list[str]:
    from rdflib import URIRef

    return sorted(str(o) for o in graph.objects(None, URIRef(PRM + "processId")))


@probe
def sparqlwrapper_select_json(url: str) -> dict[str, Any]:
    out = {}
    for method in ("GET", "POST form", "POST direct"):
        result = _wrapper(url, SELECT, "json", method).query()
        rows = result.convert()["results"]["bindings"]
        out[method] = {"type": result.info()["content-type"], "ids": [row["id"]["value"] for row in rows]}
    return out


@probe
def sparqlwrapper_select_xml(url: str) -> dict[str, Any]:
    result = _wrapper(url, SELECT, "xml").query()
    document = result.convert()
    literals = sorted(node.firstChild.data for node in document.getElementsByTagName("literal"))
    return {"type": result.info()["content-type"], "document": type(document).__name__, "ids": literals}


@probe
def sparqlwrapper_select_csv(url: str) -> dict[str, Any]:
    result = _wrapper(url, SELECT, "csv").query()
    rows = list(csv.DictReader(io.StringIO(result.convert().decode())))
    return {"type": result.info()["content-type"], "ids": [row["id"] for row in rows]}


@probe
def sparqlwrapper_select_tsv(url: str) -> dict[str, Any]:
    result = _wrapper(url, SELECT, "tsv").query()
    lines = result.convert().decode().splitlines()
    return {
        "type": result.info()["content-type"],
        "header": lines[0],
        "ids": [ln.split("\t")[1] for ln in lines[1:]],
    }


@probe
def sparqlwrapper_ask(url: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for query in (ASK_TRUE, ASK_FALSE):
        answers = out.setdefault("true" if query == ASK_TRUE else "false", {})
        answers["json"] = _wrapper(url, query, "json").query().convert()["boolean"]
        document = _wrapper(url, query, "xml").query().convert()
        answers["xml"] = document.getElementsByTagName("boolean")[0].firstChild.data
    return out


@probe
def sparqlwrapper_construct(url: str) -> dict[str, Any]:
    from rdflib import Graph

    out = {}
    for fmt in ("turtle", "json-ld", "rdf+xml", "xml", "n3"):
        result = _wrapper(url, CONSTRUCT, fmt).query()
        converted = result.convert()
        if isinstance(converted, bytes):  # SPARQLWrapper leaves Turtle/N3 to the caller
            converted = Graph().parse(data=converted, format="n3")
        out[fmt] = {"type": result.info()["content-type"], "ids": _ids(converted)}
    # SPARQLWrapper has no N-Triples format; its N3 family reads application/n-triples
    client = _wrapper(url, CONSTRUCT, "n3")
    client.setOnlyConneg(True)  # no format=n3 parameter: the Accept header decides
    client.addCustomHttpHeader("Accept", "application/n-triples")
    result = client.query()
    graph = Graph().parse(data=result.convert(), format="nt")
    out["n-triples"] = {"type": result.info()["content-type"], "ids": _ids(graph)}
    return out


@probe
def sparqlwrapper_describe(url: str) -> list[str]:
    return _ids(_wrapper(url, f"DESCRIBE <{INC}>", "rdf+xml").query().convert())


@probe
def sparqlwrapper_malformed(url: str) -> dict[str, str]:
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    try:
        _wrapper(url, "SELECT ?s WHERE { ?s ?p", "json").query()
    except QueryBadFormed as exc:
        return {"error": type(exc).__name__, "message": str(exc)}
    return {"error": "none"}


@probe
def sparqlwrapper_update(url: str) -> dict[str, Any]:
    import urllib.error

    client = _wrapper(
        url, "INSERT DATA { <https://example.org/s> <https://example.org/p> 1 }", "json", "POST form"
    )
    try:
        client.query()
    except urllib.error.HTTPError as exc:
        return {"status": exc.code, "error": json.loads(exc.read())["error"]}
    return {"status": "accepted"}


@probe
def sparqlstore(url: str) -> dict[str, Any]:
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    out = {}
    for return_format, method in (("xml", "GET"), ("json", "GET"), ("json", "POST"), ("xml", "POST_FORM")):
        graph = Graph(store=SPARQLStore(url + "/sparql", returnFormat=return_format, method=method))
        seen: dict[str, Any] = {
            "ids": [str(row.id) for row in graph.query(SELECT)],
            "ask": [graph.query(ASK_TRUE).askAnswer, graph.query(ASK_FALSE).askAnswer],
        }
        if return_format == "xml":  # its Accept header then allows RDF/XML for graphs
            seen["construct"] = _ids(graph.query(CONSTRUCT).graph)
        out[f"{return_format} {method}"] = seen
    return out


@probe
def sparqlstore_triples(url: str) -> list[str]:
    from rdflib import Graph, URIRef
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(store=SPARQLStore(url + "/sparql"))
    return [str(o) for o in graph.objects(URIRef(INC), URIRef(PRM + "processId"))]


def run_probes(url: str) -> dict[str, Any]:
    observed: dict[str, Any] = {}
    for name, function in PROBES.items():
        try:
            observed[name] = function(url)
        except Exception as exc:  # report, do not stop: each test names what failed
            observed[name] = {"failed": f"{type(exc).__name__}: {exc}"}
    return observed


# ---------------------------------------------------------------- the tests


@pytest.fixture(scope="module")
def observed(server_url: str) -> dict[str, Any]:
    run = subprocess.run(
        [sys.executable, __file__, server_url], capture_output=True, text=True, timeout=300, check=False
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_sparqlwrapper_select_json(observed: dict[str, Any]) -> None:
    for method in ("GET", "POST form", "POST direct"):
        assert observed["sparqlwrapper_select_json"][method] == {
            "type": "application/sparql-results+json",
            "ids": IDS,
        }


def test_sparqlwrapper_select_xml(observed: dict[str, Any]) -> None:
    assert observed["sparqlwrapper_select_xml"] == {
        "type": "application/sparql-results+xml",
        "document": "Document",
        "ids": IDS,
    }


def test_sparqlwrapper_select_csv(observed: dict[str, Any]) -> None:
    assert observed["sparqlwrapper_select_csv"] == {"type": "text/csv; charset=utf-8", "ids": IDS}


def test_sparqlwrapper_select_tsv(observed: dict[str, Any]) -> None:
    assert observed["sparqlwrapper_select_tsv"] == {
        "type": "text/tab-separated-values; charset=utf-8",
        "header": "?p\t?id",
        "ids": [f'"{i}"' for i in IDS],
    }


def test_sparqlwrapper_ask(observed: dict[str, Any]) -> None:
    assert observed["sparqlwrapper_ask"] == {
        "true": {"json": True, "xml": "true"},
        "false": {"json": False, "xml": "false"},
    }


@pytest.mark.parametrize(
    ("fmt", "media_type"),
    [
        ("turtle", "text/turtle; charset=utf-8"),
        ("json-ld", "application/ld+json"),
        ("rdf+xml", "application/rdf+xml"),
        ("xml", "application/rdf+xml"),
        ("n3", "text/turtle; charset=utf-8"),  # Turtle is N3
        ("n-triples", "application/n-triples"),
    ],
)
def test_sparqlwrapper_construct(observed: dict[str, Any], fmt: str, media_type: str) -> None:
    assert observed["sparqlwrapper_construct"][fmt] == {"type": media_type, "ids": IDS}


def test_sparqlwrapper_describe(observed: dict[str, Any]) -> None:
    assert "INC" in observed["sparqlwrapper_describe"]


def test_sparqlwrapper_malformed_query(observed: dict[str, Any]) -> None:
    malformed = observed["sparqlwrapper_malformed"]
    assert malformed["error"] == "QueryBadFormed" and "line 1, column" in malformed["message"]


def test_sparqlwrapper_update_is_refused(observed: dict[str, Any]) -> None:
    update = observed["sparqlwrapper_update"]
    assert update["status"] == 403 and "read-only" in update["error"]


@pytest.mark.parametrize("variant", ["xml GET", "json GET", "json POST", "xml POST_FORM"])
def test_rdflib_sparqlstore(observed: dict[str, Any], variant: str) -> None:
    seen = observed["sparqlstore"][variant]
    assert seen["ids"] == IDS and seen["ask"] == [True, False]
    if variant.startswith("xml"):
        assert seen["construct"] == IDS


def test_rdflib_sparqlstore_triples(observed: dict[str, Any]) -> None:
    assert observed["sparqlstore_triples"] == ["INC"]


# ---------------------------------------------------------------- several server processes, shutdown


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def gone(pids: set[int]) -> bool:
    for pid in pids:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        return False
    return True


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs Linux /proc to list the processes")
@pytest.mark.parametrize(("workers", "sig"), [(1, signal.SIGINT), (2, signal.SIGINT), (2, signal.SIGTERM)])
def test_workers_and_clean_shutdown(start_server: Callable[..., Any], workers: int, sig: int) -> None:
    server = start_server("--workers", str(workers))
    with httpx.Client(base_url=server.url) as client:  # httpx: urllib is blocked in this process
        for number in range(10):
            answer = client.get("/sparql", params={"query": f"{ASK_TRUE} # {number}"})
            assert answer.status_code == 200 and answer.json()["boolean"] is True
            assert client.get("/healthz").json()["query_workers"] == 2
    # every server process runs ITSM_PRM_QUERY_WORKERS (2) query workers; forked servers are counted too;
    # /healthz answered from one server process, the others may still be starting theirs
    expected = 2 if workers == 1 else workers * 3
    deadline = time.monotonic() + 60
    while len(processes := descendants(server.process.pid)) < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(processes) == expected
    assert server.stop(sig) == 0
    assert gone(processes)
    assert "itsm-prm: serving http://127.0.0.1:" in server.log_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "http"], "Invalid value for '--port'"),
        (["--workers", "0"], "Invalid value for '--workers'"),
        (["--base-url", "w3id.org/itsm-prm/"], "is not an http(s) URL"),
        (["--log-level", "loud"], "Invalid value for '--log-level'"),
        (["--host", "no-such-host.invalid"], "cannot listen on 'no-such-host.invalid'"),
    ],
)
def test_bad_options_exit_2_with_one_line(built: Any, args: list[str], message: str) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "itsm_prm", "serve", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2
    assert run.stderr.startswith("itsm-prm: error: ") and message in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_a_busy_port_exits_2(server_url: str) -> None:
    port = server_url.rsplit(":", 1)[1]
    run = subprocess.run(
        [sys.executable, "-m", "itsm_prm", "serve", "--port", port],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2
    assert (
        run.stderr.strip()
        == f"itsm-prm: error: cannot listen on 127.0.0.1:{port}: the address is already in use"
    )


if __name__ == "__main__":
    print(json.dumps(run_probes(sys.argv[1])))
