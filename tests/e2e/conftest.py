"""The real server for end-to-end tests.

``server_url`` (session): ``python -m itsm_prm serve --host 127.0.0.1 --port <free port>`` as a
subprocess, on the session's temporary cache (``ITSM_PRM_CACHE_DIR``, dataset built beforehand),
ready once ``/healthz`` answers. Yields the base URL without a trailing slash
(``http://127.0.0.1:PORT``); the server is stopped with SIGINT (Ctrl-C) at the end.

``start_server`` starts further servers with other options (``--workers 2``…) for one test.

Mind that urllib (and so SPARQLWrapper and rdflib's SPARQLStore) cannot make requests from the
test process once the network guard is installed (``itsm_prm.security``, an audit hook the build
installs): talk to the server with :func:`http_get`, httpx or a subprocess.
"""

from __future__ import annotations

import contextlib
import ctypes
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from itsm_prm.build import BuildResult

START_TIMEOUT_S = 60.0  # generous: a cold build of the dataset takes seconds on a busy machine


def http_get(url: str, headers: dict[str, str] | None = None, timeout: float = 10.0) -> tuple[int, bytes]:
    """GET with http.client: urllib is blocked in this process once a build has installed the
    network guard (an audit hook that refuses every ``urllib.Request``)."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", target, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    """A running ``itsm-prm serve`` process."""

    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self, sig: int = signal.SIGINT, timeout: float = 30.0) -> int:
        """Stop as Ctrl-C does; kill if that does not work in time. Returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def _stop_with_the_tests() -> None:
    """In the server's process before exec: Linux sends it SIGTERM if the test run dies, so an
    interrupted run leaves no server behind (it stops its query workers as it goes)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def launch(args: list[str], log: Path) -> Server:
    port = free_port()
    command = [sys.executable, "-m", "itsm_prm", "serve", "--host", "127.0.0.1", "--port", str(port), *args]
    linux = sys.platform.startswith("linux")
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=os.environ.copy(),
            preexec_fn=_stop_with_the_tests if linux else None,
        )
    server = Server(process, f"http://127.0.0.1:{port}", log)
    try:
        wait_until_ready(server)
    except BaseException:
        server.stop(signal.SIGKILL)  # never leave a server behind, whatever went wrong
        raise
    return server


def wait_until_ready(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if server.process.poll() is not None:
            raise RuntimeError(f"the server exited with {server.process.returncode}:\n{server.log_text()}")
        try:
            status, body = http_get(server.url + "/healthz")
            if status == 200 and json.loads(body).get("status") == "ok":
                return
        except (OSError, ValueError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"the server did not answer /healthz in {START_TIMEOUT_S:g} s:\n{server.log_text()}"
            )
        time.sleep(0.05)


@pytest.fixture(scope="session")
def server_url(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = launch([], tmp_path_factory.mktemp("server") / "server.log")
    yield server.url
    server.stop()


@pytest.fixture
def start_server(built: BuildResult, tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """``start_server("--workers", "2")``: another server for this test, stopped afterwards."""
    servers: list[Server] = []

    def start(*args: str) -> Server:
        server = launch(list(args), tmp_path / f"server-{len(servers)}.log")
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
