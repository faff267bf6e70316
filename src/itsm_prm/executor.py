"""Run untrusted SPARQL where it can be stopped: a pool of worker processes.

pyoxigraph has no timeout or cancel, and holds the GIL while it evaluates (tooling baseline,
gotcha 7), so a runaway query cannot be interrupted in-process. Each worker
(:mod:`itsm_prm.query_worker`) holds its own in-memory store loaded from the compiled N-Quads
and answers one request at a time. The parent waits on the worker's pipe with a deadline;
at the deadline it kills the worker (SIGKILL), starts a replacement in the background and
reports :class:`QueryTimeout`. The other workers keep serving meanwhile.

Workers are plain subprocesses running ``query_worker.py`` as a script rather than
``multiprocessing`` children: a spawned ``multiprocessing`` child re-imports the parent's
``__main__`` (the whole CLI with rdflib, 0.5 s), while the script needs only pyoxigraph and
starts and loads the dataset in well under 100 ms.

>>> with QueryExecutor(dataset_path) as executor:                            # doctest: +SKIP
...     executor.run("ASK { ?s ?p ?o }", "application/sparql-results+json").body
b'{"head":{},"boolean":true}'
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

from itsm_prm.errors import (
    ItsmPrmError,
    ParameterError,
    QuerySyntaxError,
    QueryTimeout,
    ResultTooLarge,
    ServiceBusy,
    UnknownFormatError,
    UserError,
)
from itsm_prm.sparql_policy import check_query
from itsm_prm.terms import Term

log = logging.getLogger("itsm_prm.executor")

_LENGTH = struct.Struct(">I")
# run as a script by path, never imported here: the parent needs no pyoxigraph
_WORKER_SCRIPT = Path(__file__).resolve().with_name("query_worker.py")

AnswerKind = Literal["select", "ask", "graph"]


@dataclass(frozen=True)
class Answer:
    """A serialised query answer: ``kind`` is ``select``, ``ask`` or ``graph``."""

    kind: AnswerKind
    media_type: str
    body: bytes


def size_text(n: int) -> str:
    """Bytes in the unit the limit was probably set in.

    >>> size_text(20 * 1024 * 1024), size_text(512 * 1024), size_text(1500)
    ('20 MB', '512 KB', '1,500 bytes')
    """
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n:,} bytes"


def _brief(message: str, limit: int = 300) -> str:
    """One line, without the character classes pyoxigraph lists among the expected tokens
    (``['0' ..= '9' | …]``), which help nobody."""
    text = re.sub(r"(,\s*)?\[[^\]]*\]", "", message)
    text = " ".join(text.split()).replace("one of ,", "one of").strip(" ,")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def too_large_error(limit: int) -> ResultTooLarge:
    return ResultTooLarge(
        f"result-size limit exceeded: the answer is larger than {size_text(limit)} "
        "(ITSM_PRM_MAX_RESULT_BYTES)"
    )


def timeout_error(limit_s: float) -> QueryTimeout:
    return QueryTimeout(f"query time limit of {limit_s:g} s exceeded (ITSM_PRM_QUERY_TIMEOUT_S)")


class QueryService(Protocol):
    """What the API runs untrusted SPARQL on: :class:`QueryExecutor` (embedded stores) or
    :class:`itsm_prm.store.remote_executor.RemoteQueryExecutor` (a SPARQL server)."""

    def start(self) -> None: ...

    def close(self) -> None: ...

    def alive(self) -> int: ...

    def run(
        self,
        sparql: str,
        media_type: str,
        *,
        bindings: Mapping[str, Term] | None = None,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        extra_graphs: Sequence[str] | None = None,
    ) -> Answer: ...


class _Deadline(Exception):
    """The worker did not answer in time."""


class _WorkerGone(Exception):
    """The worker's pipe closed (it crashed, ran out of memory or was killed)."""


class _Worker:
    """One worker process and its two pipes. Used by one thread at a time."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        assert proc.stdin is not None and proc.stdout is not None
        self._in = proc.stdin.fileno()
        self._out = proc.stdout.fileno()
        self.pid = proc.pid

    def send(self, payload: bytes) -> None:
        data = _LENGTH.pack(len(payload)) + payload
        try:
            view = memoryview(data)
            while view:  # os.write may write less than asked on a pipe
                view = view[os.write(self._in, view) :]
        except OSError as exc:  # BrokenPipeError: the worker is gone
            raise _WorkerGone(str(exc)) from exc

    def _read(self, size: int, deadline: float) -> bytes:
        chunks = bytearray()
        while len(chunks) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _Deadline
            readable, _, _ = select.select([self._out], [], [], remaining)
            if not readable:
                raise _Deadline
            chunk = os.read(self._out, min(size - len(chunks), 1 << 20))
            if not chunk:
                raise _WorkerGone(self.exit_reason())
            chunks += chunk
        return bytes(chunks)

    def receive(self, deadline: float) -> bytes:
        (size,) = _LENGTH.unpack(self._read(_LENGTH.size, deadline))
        return self._read(size, deadline)

    def kill(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.kill()

    def reap(self, timeout: float = 5.0) -> None:
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning("query worker %d did not exit after SIGKILL", self.pid)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()

    def exit_reason(self) -> str:
        try:
            code = self.proc.wait(1.0)
        except subprocess.TimeoutExpired:
            return "its pipe closed"
        if code < 0:
            try:
                return f"killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"killed by signal {-code}"
        return f"exit status {code}"


class QueryExecutor:
    """A pool of query worker processes over one compiled dataset (N-Quads file).

    The default graph is the union of all named graphs unless ``default_graphs`` is given.
    Thread-safe: each call takes a free worker for the duration of one query.
    ``memory_limit_bytes`` caps what one worker may allocate beyond the loaded store
    (0 = no cap); a query that needs more kills its worker and gets a clear error.
    """

    def __init__(
        self,
        dataset_path: str | os.PathLike[str],
        *,
        workers: int = 2,
        timeout_s: float = 10.0,
        max_result_bytes: int = 20 * 1024 * 1024,
        prefixes: Mapping[str, str] | None = None,
        memory_limit_bytes: int = 2 << 30,
        start_timeout_s: float = 60.0,
        fetch_graphs: Callable[[list[str]], bytes] | None = None,
    ) -> None:
        if workers < 1:
            raise ValueError("at least one query worker is needed")
        self.dataset_path = Path(dataset_path)
        self.workers = workers
        self.timeout_s = timeout_s
        self.max_result_bytes = max_result_bytes
        self.prefixes = dict(prefixes or {})
        self.memory_limit_bytes = memory_limit_bytes
        self.start_timeout_s = start_timeout_s
        # N-Quads of some graphs of the store the service runs on (for extra_graphs)
        self.fetch_graphs = fetch_graphs
        self._cond = threading.Condition()
        self._idle: list[_Worker] = []
        self._ready: set[_Worker] = set()  # started and loaded: idle or busy
        self._processes: set[_Worker] = set()  # every process not yet killed
        self._closed = False
        self._started = False
        # Linux kills a worker when the *thread* that started it ends (PR_SET_PDEATHSIG), so every
        # worker is started from this one long-lived thread.
        self._spawner = ThreadPoolExecutor(1, thread_name_prefix="itsm-prm-query-spawner")

    # -- life cycle

    def __enter__(self) -> QueryExecutor:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Start the workers (in parallel) and return once all have loaded the dataset."""
        with self._cond:
            if self._started:
                return
            self._started = True
        if not self.dataset_path.is_file():
            raise ItsmPrmError(f"{self.dataset_path}: no such dataset file (run `itsm-prm build`)")
        pending = self._spawner.submit(lambda: [self._launch() for _ in range(self.workers)]).result()
        deadline = time.monotonic() + self.start_timeout_s
        try:
            for worker in pending:
                self._await_ready(worker, deadline)
        except ItsmPrmError:
            self.close()
            raise
        log.info("%d query workers ready", len(pending))

    def close(self) -> None:
        """Kill every worker; calls still waiting get :class:`ServiceBusy`."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            workers = list(self._processes)
            self._idle.clear()
            self._ready.clear()
            self._cond.notify_all()
        for worker in workers:
            worker.kill()
        self._spawner.shutdown(wait=True, cancel_futures=True)
        for worker in workers:
            worker.reap()

    def alive(self) -> int:
        """How many workers are loaded and serving (idle or busy)."""
        with self._cond:
            return sum(1 for w in self._ready if w.proc.poll() is None)

    # -- queries

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
        """Run one query and return its answer serialised as ``media_type``.

        The dataset is the compiled one plus ``extra_graphs`` (graphs of the store, e.g. an
        organisation's assessments), which the worker holds for this query only.

        The query policy (:func:`itsm_prm.sparql_policy.check_query`: no ``SERVICE``, no updates)
        is applied here too, whoever the caller: Oxigraph would otherwise execute both.
        Raises :class:`QueryPolicyError`, :class:`QuerySyntaxError`, :class:`QueryTimeout`,
        :class:`ResultTooLarge`, :class:`ServiceBusy` (no worker free within the time limit) or
        :class:`UnknownFormatError` (``media_type`` does not suit the query form).
        """
        checked = check_query(sparql)  # cached: the router has usually checked this text already
        request = {
            "query": sparql,
            "media_type": media_type,
            # the union of all graphs is the default graph, unless the request or the query's
            # FROM clauses name the graphs (Oxigraph would let the union win over FROM)
            "union": default_graphs is None and not checked.has_dataset,
            "bindings": {name: [t.kind, t.value, t.datatype, t.lang] for name, t in (bindings or {}).items()},
            "default_graphs": list(default_graphs) if default_graphs is not None else None,
            "named_graphs": list(named_graphs) if named_graphs is not None else None,
        }
        if extra_graphs:
            if self.fetch_graphs is None:
                raise ItsmPrmError("this query service cannot add graphs to its dataset")
            request["extra_graphs"] = list(extra_graphs)
            request["extra"] = self.fetch_graphs(list(extra_graphs)).decode("utf-8")
        payload = json.dumps(request).encode()
        worker = self._acquire()
        try:
            worker.send(payload)
            deadline = time.monotonic() + self.timeout_s
            header = json.loads(worker.receive(deadline))
            body = worker.receive(deadline)
        except _Deadline:
            self._discard(worker)
            log.warning("query stopped at the time limit (%gs); worker %d killed", self.timeout_s, worker.pid)
            raise timeout_error(self.timeout_s) from None
        except _WorkerGone as exc:
            self._discard(worker)
            raise self._crash_error(str(exc)) from None
        except BaseException:
            self._discard(worker)  # the pipe is in an unknown state: never reuse it
            raise
        self._release(worker)
        if header["ok"]:
            return Answer(header["kind"], header["media_type"], body)
        raise self._error(header, bool(bindings))

    def _error(self, header: dict[str, Any], has_bindings: bool) -> ItsmPrmError:
        kind, message = header["error"], header["message"]
        if kind == "syntax":
            return QuerySyntaxError(f"SPARQL syntax error: {_brief(message)}")
        if kind == "too_large":
            return too_large_error(self.max_result_bytes)
        if kind == "format":
            return UnknownFormatError(message)
        if has_bindings:  # e.g. a bound variable missing from the SELECT clause (SEP-0007)
            return ParameterError(_brief(message))
        return UserError(f"the query failed: {_brief(message)}")

    def _crash_error(self, reason: str) -> ServiceBusy:
        if self._closed:
            return ServiceBusy("the query service is shutting down")
        if "SIGABRT" in reason or "SIGSEGV" in reason:
            limit = f" ({size_text(self.memory_limit_bytes)})" if self.memory_limit_bytes else ""
            return ServiceBusy(f"the query was stopped: it needed more memory than a query may use{limit}")
        return ServiceBusy(f"the query worker stopped unexpectedly ({reason}); try again")

    # -- the pool

    def _acquire(self) -> _Worker:
        deadline = time.monotonic() + self.timeout_s
        with self._cond:
            if not self._started:
                raise ServiceBusy("the query service has not been started")
            while not self._idle:
                if self._closed:
                    raise ServiceBusy("the query service is shutting down")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ServiceBusy(
                        f"all {self.workers} query workers stayed busy for {self.timeout_s:g} s "
                        "(ITSM_PRM_QUERY_TIMEOUT_S); try again"
                    )
                self._cond.wait(remaining)
            return self._idle.pop()

    def _release(self, worker: _Worker) -> None:
        with self._cond:
            if worker in self._ready:  # else close() ran meanwhile and killed it
                self._idle.append(worker)
                self._cond.notify()

    def _discard(self, worker: _Worker) -> None:
        """Kill a worker that cannot be trusted any more and start another in its place."""
        worker.kill()
        with self._cond:
            self._ready.discard(worker)
            self._processes.discard(worker)
            closed = self._closed
        if not closed:
            try:
                self._spawner.submit(self._replace, worker)
            except RuntimeError:  # the spawner shut down meanwhile (close())
                worker.reap()
        else:
            worker.reap()

    def _replace(self, old: _Worker) -> None:
        old.reap()
        for attempt in range(3):
            if self._closed:
                return
            try:
                worker = self._launch()
                self._await_ready(worker, time.monotonic() + self.start_timeout_s)
                return
            except Exception as exc:  # keep the pool alive: log, wait, try again
                if self._closed:
                    return
                log.error("could not start a query worker (attempt %d): %s", attempt + 1, exc)
                time.sleep(1.0)

    def _launch(self) -> _Worker:
        """Start one worker process (call in the spawner thread); it is ready once it says so."""
        command = [
            sys.executable,
            "-P",  # keep the script's folder (the package) off sys.path
            str(_WORKER_SCRIPT),
            str(self.dataset_path),
            str(self.max_result_bytes),
            str(os.getpid()),
            str(self.memory_limit_bytes),
        ]
        proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True)  # noqa: S603
        worker = _Worker(proc)
        with self._cond:
            self._processes.add(worker)
            closed = self._closed
        if closed:
            worker.kill()
        with contextlib.suppress(_WorkerGone):  # _await_ready reports why it is gone
            worker.send(json.dumps(self.prefixes).encode())
        return worker

    def _await_ready(self, worker: _Worker, deadline: float) -> None:
        try:
            message = json.loads(worker.receive(deadline))
        except (_Deadline, _WorkerGone) as exc:
            worker.kill()
            with self._cond:
                self._processes.discard(worker)
            reason = "it did not load the dataset in time" if isinstance(exc, _Deadline) else str(exc)
            raise ItsmPrmError(f"query worker did not start: {reason}") from None
        if not message.get("ready"):
            worker.kill()
            with self._cond:
                self._processes.discard(worker)
            raise ItsmPrmError(f"query worker did not start: {message.get('error')}")
        with self._cond:
            if self._closed:
                worker.kill()
                return
            self._ready.add(worker)
            self._idle.append(worker)
            self._cond.notify()
        log.debug("query worker %d ready in %.3f s", worker.pid, message.get("seconds", 0.0))
