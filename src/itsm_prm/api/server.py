"""Run the service under uvicorn: ``itsm-prm serve``.

We bind the listening socket ourselves, with ``IPPROTO_TCP``: asyncio sets TCP_NODELAY only on
sockets created with that protocol, and uvicorn's own ``--workers`` mode creates them without it,
which costs every keep-alive request a 44 ms delayed-ACK stall (tooling baseline, gotcha 1).
With ``workers > 1`` the socket is shared by that many forked uvicorn servers; each one starts
its own query worker processes in the app's lifespan.
"""

from __future__ import annotations

import contextlib
import copy
import errno
import functools
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from itsm_prm.api.app import create_app
from itsm_prm.config import Settings
from itsm_prm.errors import UserError
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.query_worker import die_with_parent

log = logging.getLogger("itsm_prm.api")

LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket (``port`` 0: any free port); bad hosts and busy ports are user errors."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise UserError(f"cannot listen on {host!r}: {exc.strerror}") from exc
    family, _, _, _, address = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        reason = "the address is already in use" if exc.errno == errno.EADDRINUSE else exc.strerror
        raise UserError(f"cannot listen on {host}:{port}: {reason}") from exc
    sock.set_inheritable(True)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging plus our request log (one line per request, with its time)."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["itsm_prm"] = {"handlers": ["default"], "level": level.upper(), "propagate": False}
    return config


class _Server(uvicorn.Server):
    """A uvicorn server that calls ``on_ready`` once it accepts connections."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None] | None) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and self._on_ready is not None:
            self._on_ready()


def serve(
    settings: Settings,
    kg: KnowledgeGraph,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    log_level: str = "info",
    announce: Callable[[str], None] = print,
) -> int:
    """Serve ``kg`` until interrupted (Ctrl-C / SIGTERM); returns the exit code.

    ``announce`` receives one line with the URL once the service answers.
    """
    sock = bind_socket(host, port)
    url = url_of(sock)
    config = uvicorn.Config(
        functools.partial(create_app, settings, kg),
        factory=True,
        log_config=log_config(log_level),
        log_level=log_level,
        access_log=False,  # app.py logs each request once, with its duration
        timeout_graceful_shutdown=int(settings.query_timeout_s) + 2,
    )
    processes = f" ({workers} server processes)" if workers > 1 else ""
    ready_line = f"itsm-prm: serving {url} (SPARQL endpoint {url}sparql){processes}; Ctrl-C stops"

    def ready() -> None:
        announce(ready_line)

    if workers == 1:
        return _run_one(config, sock, ready)
    return _run_many(config, sock, workers, ready)


def _run_one(config: uvicorn.Config, sock: socket.socket, ready: Callable[[], None] | None) -> int:
    # uvicorn re-raises the signal that stopped it once it has shut down cleanly: make SIGTERM
    # end the process with status 0 like Ctrl-C does, instead of dying by the signal
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = _Server(config, ready)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    except SystemExit as exc:  # uvicorn exits this way when the app fails to start
        if exc.code not in (0, None):
            return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
        sock.close()
    return 0 if server.started else 1


def _run_many(config: uvicorn.Config, sock: socket.socket, workers: int, ready: Callable[[], None]) -> int:
    parent = os.getpid()
    children: list[int] = []
    for number in range(workers):
        pid = os.fork()
        if pid == 0:  # child: one uvicorn server on the shared socket, gone with the parent
            code = 1
            try:
                die_with_parent(parent)
                code = _run_one(config, sock, ready if number == 0 else None)
            except Exception:
                log.exception("server process %d failed", os.getpid())
            finally:
                logging.shutdown()
                os._exit(code)
        children.append(pid)
    sock.close()  # the children hold it
    stopping = False

    def stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGTERM)

    handlers = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    failed = False
    try:
        while children:
            try:
                pid, status = os.waitpid(-1, 0)
            except ChildProcessError:
                break
            except InterruptedError:
                continue
            if pid in children:
                children.remove(pid)
                if not stopping:  # one server died on its own: take the others down too
                    log.error("server process %d stopped (%s); stopping the others", pid, status)
                    failed = True
                    stop(signal.SIGTERM, None)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    return 1 if failed else 0
