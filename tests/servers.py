"""Real SPARQL 1.1 servers for the test-suite: ``oxigraph serve`` and Debian's Virtuoso.

Both fixtures are session-scoped and lazy: a server starts the first time a test asks for it and is
stopped (and waited for) at the end of the session. Each listens on 127.0.0.1 only, on free ports,
with its data in a temporary directory. A missing server program is a test *error* naming what to
install — never a skip.

Sessions share one server, so tests write to named graphs of their own and drop them afterwards.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

HOST = "127.0.0.1"
# Debian's default ResultSetMaxRows, kept on purpose: the product must notice the silent truncation.
VIRTUOSO_ROW_LIMIT = 10000
READY_TIMEOUT_S = 30.0
# Virtuoso's first start creates the database and installs its packages (~5 s here; CI may be slower).
VIRTUOSO_READY_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 30.0


class ServerError(RuntimeError):
    """A test server could not be started (missing program, early exit, never ready)."""


def free_port() -> int:
    """A TCP port free on the loopback interface right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return "(no output)"
    return text[-limit:] or "(no output)"


@dataclass
class SparqlServer:
    """A running SPARQL server process and the URLs/credentials a store needs to reach it."""

    name: str
    command: list[str]
    workdir: Path
    base_url: str
    query_url: str
    update_url: str
    store_url: str | None
    user: str | None = None
    password: str | None = None
    auth: str | None = None
    row_limit: int | None = None
    ports: tuple[int, ...] = ()
    ready_timeout_s: float = READY_TIMEOUT_S
    startup_s: float | None = None  # how long the last start() took until the server answered
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def store_spec(self) -> str:
        return "sparql:" + self.query_url

    @property
    def settings_overrides(self) -> dict[str, Any]:
        """Keyword arguments for ``Settings(**overrides)`` (together with ``store=store_spec``)."""
        return {
            "sparql_update_url": self.update_url,
            "sparql_store_url": self.store_url,
            "sparql_user": self.user,
            "sparql_password": self.password,
            "sparql_auth": self.auth or "basic",
            "sparql_row_limit": self.row_limit,
        }

    @property
    def log_path(self) -> Path:
        return self.workdir / f"{self.name}.log"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        """Start the server (same ports, same data) and wait until it answers ``ASK {}``."""
        if self.running():
            return
        began = time.monotonic()
        with self.log_path.open("ab") as log:
            # own session: a Ctrl-C of pytest does not reach the server before our own stop()
            self.process = subprocess.Popen(
                self.command,
                cwd=self.workdir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        self.startup_s = time.monotonic() - began

    def stop(self) -> None:
        """SIGTERM the server and wait for it to exit (SIGKILL if it does not within the limit)."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_S)

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout_s
        last_error = "no answer yet"
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise ServerError(
                    f"{self.name} exited with status {self.process.returncode} before answering; "
                    f"command: {' '.join(self.command)}\noutput:\n{_tail(self.log_path)}"
                )
            try:
                response = httpx.get(
                    self.query_url,
                    params={"query": "ASK {}"},
                    headers={"Accept": "application/sparql-results+json"},
                    timeout=2.0,
                    trust_env=False,  # a loopback server: never through a proxy from the environment
                )
                if response.status_code == 200:
                    return
                last_error = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                last_error = f"{type(exc).__name__}: {exc}"
            time.sleep(0.1)
        raise ServerError(
            f"{self.name} did not answer {self.query_url}?query=ASK{{}} within {self.ready_timeout_s:.0f} s "
            f"(last: {last_error}); output:\n{_tail(self.log_path)}"
        )


def _started(make: Callable[[Path], SparqlServer], workdir: Path) -> SparqlServer:
    """Make and start a server; a failure fails the requesting test (an error, never a skip) with the
    reason alone, not a traceback."""
    try:
        server = make(workdir)
        server.start()
    except ServerError as exc:
        reason = str(exc)
    else:
        return server
    pytest.fail(reason, pytrace=False)


# -- Oxigraph


def oxigraph_program() -> str:
    """The ``oxigraph`` CLI of this virtualenv (the test extra installs it), else one on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise ServerError(
            "the `oxigraph` server program is missing: install the test extra "
            "(pip install -e '.[test]', which brings oxigraph>=0.5,<0.6) or run `make test`"
        )
    return found


def make_oxigraph_server(workdir: Path) -> SparqlServer:
    port = free_port()
    base = f"http://{HOST}:{port}"
    data = workdir / "data"
    data.mkdir(parents=True, exist_ok=True)
    return SparqlServer(
        name="oxigraph",
        command=[oxigraph_program(), "serve", "--location", str(data), "--bind", f"{HOST}:{port}"],
        workdir=workdir,
        base_url=base,
        query_url=base + "/query",
        update_url=base + "/update",
        store_url=base + "/store",
        ports=(port,),
    )


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparqlServer]:
    """``oxigraph serve`` on a fresh on-disk store: /query, /update, /store, no authentication."""
    server = _started(make_oxigraph_server, tmp_path_factory.mktemp("oxigraph-server"))
    try:
        yield server
    finally:
        server.stop()


# -- Virtuoso

VIRTUOSO_MISSING = (
    "Virtuoso is missing (`virtuoso-t` not on PATH): install Debian's package with "
    "`apt-get install virtuoso-opensource` (as root), or run `make test`, which installs it"
)


def virtuoso_ini(workdir: Path, sql_port: int, http_port: int) -> str:
    """A minimal virtuoso.ini written from scratch: the database in ``workdir``, both listeners on
    127.0.0.1 (Debian's own ini binds every interface), Debian's SPARQL limits."""
    db = workdir / "db"
    return f"""\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = {HOST}:{sql_port}
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
AllowOSCalls = 0
DirsAllowed = ., {db}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000

[HTTPServer]
ServerPort = {HOST}:{http_port}
ServerRoot = {workdir / "vsp"}
MaxClientConnections = 10
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
Charset = UTF-8
EnabledDavVSP = 0
HTTPProxyEnabled = 0

[SPARQL]
ResultSetMaxRows = {VIRTUOSO_ROW_LIMIT}
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 60
"""


def _create_virtuoso_database(program: str, workdir: Path, password: str) -> None:
    """Create the database with the DBA (and DAV) password set before any listener opens:
    ``+pwdold/+pwddba`` runs Virtuoso in its password-change mode, which creates the database,
    changes the passwords, checkpoints and exits — so dba/dba is never reachable. (The password is on
    this one-shot process's command line for a moment; acceptable for a throwaway test database.)"""
    log = workdir / "virtuoso-create.log"
    with log.open("wb") as out:
        result = subprocess.run(
            [
                program,
                "+foreground",
                "+configfile",
                "virtuoso.ini",
                "+pwdold",
                "dba",
                "+pwddba",
                password,
                "+pwddav",
                secrets.token_hex(10),  # the DAV account is not used: a password nobody knows
            ],
            cwd=workdir,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=VIRTUOSO_READY_TIMEOUT_S,
            check=False,
        )
    output = _tail(log)
    if result.returncode != 0 or "The DBA password is changed" not in output:
        raise ServerError(
            f"creating the Virtuoso database failed (status {result.returncode}); output:\n{output}"
        )


def make_virtuoso_server(workdir: Path) -> SparqlServer:
    program = shutil.which("virtuoso-t")
    if program is None:
        raise ServerError(VIRTUOSO_MISSING)
    sql_port, http_port = free_port(), free_port()
    while http_port == sql_port:
        http_port = free_port()
    (workdir / "db").mkdir(parents=True, exist_ok=True)
    (workdir / "vsp").mkdir(exist_ok=True)
    (workdir / "virtuoso.ini").write_text(virtuoso_ini(workdir, sql_port, http_port))
    # hex: safe on a command line (never starts with "-" or "+"). 20 characters (80 bits) because
    # Virtuoso 7.2's HTTP digest login refuses longer passwords that its SQL login accepts.
    password = secrets.token_hex(10)
    _create_virtuoso_database(program, workdir, password)
    base = f"http://{HOST}:{http_port}"
    return SparqlServer(
        name="virtuoso",
        command=[program, "+foreground", "+configfile", "virtuoso.ini"],
        workdir=workdir,
        base_url=base,
        query_url=base + "/sparql",
        # the authenticated endpoints (HTTP digest); the anonymous /sparql refuses updates
        update_url=base + "/sparql-auth",
        # Graph Store Protocol: PUT/DELETE/GET with ?graph=IRI (checked in tests/store/test_servers.py)
        store_url=base + "/sparql-graph-crud-auth",
        user="dba",
        password=password,
        auth="digest",
        row_limit=VIRTUOSO_ROW_LIMIT,
        ports=(sql_port, http_port),
        ready_timeout_s=VIRTUOSO_READY_TIMEOUT_S,
    )


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparqlServer]:
    """Virtuoso 7 on a fresh database with a random DBA password; query /sparql (anonymous),
    update /sparql-auth and store /sparql-graph-crud-auth (digest auth as ``dba``)."""
    server = _started(make_virtuoso_server, tmp_path_factory.mktemp("virtuoso-server"))
    try:
        yield server
    finally:
        server.stop()
