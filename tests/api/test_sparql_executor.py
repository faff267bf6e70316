"""The query executor (core, no HTTP): worker processes over the compiled dataset, answers
serialised in the worker, engine-bound parameters, and the limits — a query past its time is
killed with its worker and the pool heals, answers past their size are refused, a worker that
dies is replaced."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from itsm_prm.build import BuildResult
from itsm_prm.errors import (
    ItsmPrmError,
    QueryPolicyError,
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
    ServiceBusy,
    UnknownFormatError,
)
from itsm_prm.executor import QueryExecutor
from itsm_prm.terms import Term

PRM = "https://w3id.org/itsm-prm/ontology#"
GRAPH = "https://w3id.org/itsm-prm/graph/"
JSON = "application/sparql-results+json"
EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
NAME_OF = f"SELECT ?p ?name WHERE {{ ?p <{PRM}processName> ?name }}"


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def executor(built: BuildResult) -> Iterator[QueryExecutor]:
    with QueryExecutor(built.dataset_path, workers=2, prefixes={"prm": PRM}) as started:
        yield started


def bindings_of(body: bytes) -> list[dict[str, dict[str, str]]]:
    return json.loads(body)["results"]["bindings"]


def test_kinds_and_media_types(executor: QueryExecutor) -> None:
    select = executor.run(f"SELECT ?p WHERE {{ ?p a <{PRM}Process> }}", JSON)
    assert (select.kind, select.media_type, len(bindings_of(select.body))) == ("select", JSON, 10)
    ask = executor.run(f"ASK {{ ?p a <{PRM}Process> }}", "text/csv")
    assert (ask.kind, ask.body) == ("ask", b"true")
    graph = executor.run(f"CONSTRUCT WHERE {{ ?p a <{PRM}Process> }}", "text/turtle")
    assert graph.kind == "graph" and graph.body.startswith(b"@prefix prm:")


def test_the_form_decides_what_can_be_written(executor: QueryExecutor) -> None:
    with pytest.raises(UnknownFormatError, match="cannot be written as text/turtle"):
        executor.run("ASK {}", "text/turtle")
    with pytest.raises(UnknownFormatError, match="graph cannot be written as text/csv"):
        executor.run("CONSTRUCT WHERE { ?s ?p ?o }", "text/csv")


def test_bindings_are_terms_not_text(executor: QueryExecutor) -> None:
    inc = Term.iri("https://w3id.org/itsm-prm/id/process/INC")
    rows = bindings_of(executor.run(NAME_OF, JSON, bindings={"p": inc}).body)
    assert [r["name"]["value"] for r in rows] == ["Incident Management"]
    # a value shaped like SPARQL stays one literal: no row has it as a name
    sneaky = Term.literal('x" } UNION { ?p ?q ?name } #')
    rows = bindings_of(executor.run(NAME_OF, JSON, bindings={"name": sneaky}).body)
    assert rows == []


def test_default_and_named_graphs(executor: QueryExecutor) -> None:
    ask = f"ASK {{ ?p a <{PRM}Process> }}"
    assert executor.run(ask, "text/csv").body == b"true"  # the union of all graphs
    assert executor.run(ask, "text/csv", default_graphs=[GRAPH + "itil-v2"]).body == b"false"
    assert executor.run(ask, "text/csv", default_graphs=[GRAPH + "prm"]).body == b"true"
    names = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    rows = bindings_of(executor.run(names, JSON, named_graphs=[GRAPH + "prm"]).body)
    assert [r["g"]["value"] for r in rows] == [GRAPH + "prm"]


def test_errors_from_the_engine_name_the_position(executor: QueryExecutor) -> None:
    with pytest.raises(QuerySyntaxError, match=r"error at 1:\d+: .*Prefix not found"):
        executor.run("SELECT * WHERE { ?s nope:p ?o }", JSON)


def test_the_policy_applies_to_every_caller(executor: QueryExecutor) -> None:
    with pytest.raises(QueryPolicyError, match="SERVICE"):
        executor.run("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", JSON)
    with pytest.raises(QueryPolicyError, match="read-only"):
        executor.run("LOAD <http://127.0.0.1:9/>", JSON)


def test_concurrent_callers_get_their_own_answers(executor: QueryExecutor) -> None:
    processes = [f"https://w3id.org/itsm-prm/id/process/{i}" for i in ("INC", "CHAN", "PRO", "REL", "SLM")]
    answers: dict[str, str] = {}

    def ask(iri: str) -> None:
        for _ in range(5):
            rows = bindings_of(executor.run(NAME_OF, JSON, bindings={"p": Term.iri(iri)}).body)
            answers[iri] = rows[0]["name"]["value"]

    threads = [threading.Thread(target=ask, args=(iri,)) for iri in processes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers[processes[0]] == "Incident Management"
    assert answers[processes[1]] == "Change Management"
    assert len(set(answers.values())) == 5


def test_time_limit_kills_the_worker_and_the_pool_heals(built: BuildResult) -> None:
    with QueryExecutor(built.dataset_path, workers=2, timeout_s=1) as executor:
        before = {w.pid for w in executor._ready}
        with pytest.raises(
            QueryTimeout, match=r"^query time limit of 1 s exceeded \(ITSM_PRM_QUERY_TIMEOUT_S\)$"
        ):
            executor.run(EXPLOSIVE, JSON)
        assert wait_until(lambda: executor.alive() == 2)
        after = {w.pid for w in executor._ready}
        killed = before - after
        assert len(killed) == 1 and not any(pid_alive(pid) for pid in killed)
        assert executor.run("ASK {}", "text/csv").body == b"true"


def test_result_size_limit(built: BuildResult) -> None:
    with QueryExecutor(built.dataset_path, workers=1, max_result_bytes=20 * 1024 * 1024) as big:
        assert len(big.run("SELECT * WHERE { ?s ?p ?o }", JSON).body) > 100_000
    with QueryExecutor(built.dataset_path, workers=1, max_result_bytes=100_000) as executor:
        with pytest.raises(ResultTooLarge, match=r"larger than 100,000 bytes \(ITSM_PRM_MAX_RESULT_BYTES\)"):
            executor.run("SELECT * WHERE { ?s ?p ?o }", JSON)
        with pytest.raises(ResultTooLarge):
            executor.run("CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples")
        assert executor.run("ASK {}", "text/csv").body == b"true"  # the same worker serves on


def test_no_free_worker_within_the_time_limit(built: BuildResult) -> None:
    with QueryExecutor(built.dataset_path, workers=1, timeout_s=0.5) as executor:
        held = executor._acquire()  # as if a query were running on the only worker
        try:
            with pytest.raises(ServiceBusy, match="stayed busy"):
                executor.run("ASK {}", "text/csv")
        finally:
            executor._release(held)
        assert executor.run("ASK {}", "text/csv").body == b"true"


def test_a_worker_that_dies_is_replaced(built: BuildResult) -> None:
    with QueryExecutor(built.dataset_path, workers=1) as executor:
        (worker,) = executor._ready
        worker.proc.kill()
        worker.proc.wait()
        with pytest.raises(ServiceBusy, match="stopped unexpectedly"):
            executor.run("ASK {}", "text/csv")
        assert wait_until(lambda: executor.alive() == 1)
        assert executor.run("ASK {}", "text/csv").body == b"true"


def test_memory_limit(built: BuildResult) -> None:
    sort_cross_product = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"
    with QueryExecutor(built.dataset_path, workers=1, timeout_s=30, memory_limit_bytes=64 << 20) as executor:
        with pytest.raises(ServiceBusy, match=r"more memory than a query may use \(64 MB\)"):
            executor.run(sort_cross_product, JSON)
        assert wait_until(lambda: executor.alive() == 1)


def test_close_kills_every_worker(built: BuildResult) -> None:
    executor = QueryExecutor(built.dataset_path, workers=2)
    executor.start()
    pids = [w.pid for w in executor._ready]
    executor.close()
    assert executor.alive() == 0 and not any(pid_alive(pid) for pid in pids)
    with pytest.raises(ServiceBusy, match="shutting down"):
        executor.run("ASK {}", "text/csv")


def test_a_missing_dataset_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ItsmPrmError, match="no such dataset file"):
        QueryExecutor(tmp_path / "missing.nq").start()
    broken = tmp_path / "broken.nq"
    broken.write_text("this is not N-Quads\n")
    with pytest.raises(ItsmPrmError, match="query worker did not start"):
        QueryExecutor(broken, workers=1).start()
