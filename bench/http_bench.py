"""HTTP benchmark: our /sparql and a named-query operation against rdflib-endpoint and `oxigraph serve`,
same data, same queries, same run, loaded by `wrk` on 127.0.0.1. Prints numbers; asserts nothing.

    .venv/bin/pip install -e '.[bench]'          # rdflib-endpoint and the oxigraph server
    apt-get install -y wrk                        # the load generator (Debian package)
    .venv/bin/python bench/http_bench.py [--duration 8] [--rounds 2]

Every server gets the same triples: the compiled dataset's union, exported once as N-Triples. Servers and
rounds are interleaved because this 2-core machine is noisy, and wrk shares the cores with the server, so
absolute numbers are pessimistic: compare them with each other only. Every server binds 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PRM = "https://w3id.org/itsm-prm/ontology#"
QUERIES = {
    "point": "SELECT ?p ?o WHERE { <https://w3id.org/itsm-prm/id/process/INC/outcome/2> ?p ?o }",
    "100 rows": f"SELECT ?s ?p ?o WHERE {{ ?s a <{PRM}Outcome> ; ?p ?o }} LIMIT 100",
}
ACCEPT = "application/sparql-results+json"
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 60.0, headers: dict[str, str] | None = None) -> float:
    """Poll until the URL answers 200; return the seconds it took."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        try:
            request = urllib.request.Request(url, headers=headers or {})
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except OSError:
            time.sleep(0.02)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


@dataclass
class Server:
    name: str
    start: Callable[[], subprocess.Popen]
    url: Callable[[str], str]  # query text -> request URL
    ready: str
    process: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        self.process = self.start()
        wait_for(self.ready)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def sparql_get(base: str) -> Callable[[str], str]:
    return lambda q: f"{base}?{urllib.parse.urlencode({'query': q})}"


# Each request a different text (a numbered comment after the query): no answer cache can help.
UNIQUE_LUA = """
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, wrk.path .. "%0A%23" .. counter .. "-" .. math.random(1, 1000000000))
end
"""


def run_wrk(url: str, duration: int, unique: bool = False) -> tuple[float, float, float]:
    """Requests per second, p50 and p99 latency (ms) of a bounded wrk run (2 threads, 16 connections);
    with ``unique`` every request carries a different query text."""
    script: list[str] = []
    if unique:
        lua = Path(tempfile.mkstemp(suffix=".lua")[1])
        lua.write_text(UNIQUE_LUA)
        script = ["-s", str(lua)]
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{duration}s", "--latency", "-H", f"Accept: {ACCEPT}", *script, url],
        capture_output=True, text=True, check=True, timeout=duration + 30,
    ).stdout
    if re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        raise RuntimeError(f"wrk saw error responses for {url}:\n{out}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def percentile(p: str) -> float:
        value, unit = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    return rps, percentile("50"), percentile("99")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=8, help="seconds per wrk run (default 8)")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds; medians reported")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install -y wrk")

    work = Path(tempfile.mkdtemp(prefix="itsm-prm-bench-"))
    env = {**os.environ, "ITSM_PRM_CACHE_DIR": str(work / "cache")}
    itsm = [str(BIN / "itsm-prm")]
    subprocess.run([*itsm, "build", "-q"], env=env, check=True)
    data = work / "itsm-prm.nt"
    subprocess.run([*itsm, "export", "--format", "nt", "-o", str(data)], env=env, check=True)
    triples = sum(1 for _ in data.open(encoding="utf-8"))

    # start-up to first answer, on a warm cache (what `make serve` does after the first build)
    port = free_port()
    started = time.perf_counter()
    proc = subprocess.Popen([*itsm, "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(sparql_get(f"http://127.0.0.1:{port}/sparql")(QUERIES["point"]), headers={"Accept": ACCEPT})
    startup = time.perf_counter() - started
    proc.terminate()
    proc.wait(10)

    def ours(workers: int, extra_env: dict[str, str] | None = None) -> Server:
        port = free_port()
        return Server(
            f"itsm-prm /sparql ({workers} worker{'s' if workers > 1 else ''})",
            lambda: subprocess.Popen(
                [*itsm, "serve", "--port", str(port), "--workers", str(workers)],
                env={**env, **(extra_env or {})}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
            sparql_get(f"http://127.0.0.1:{port}/sparql"),
            f"http://127.0.0.1:{port}/healthz",
        )

    def rdflib_endpoint() -> Server:
        port = free_port()
        return Server(
            "rdflib-endpoint",
            lambda: subprocess.Popen(
                [str(BIN / "rdflib-endpoint"), "serve", "--host", "127.0.0.1", "--port", str(port),
                 str(data)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
            sparql_get(f"http://127.0.0.1:{port}/"),
            sparql_get(f"http://127.0.0.1:{port}/")("ASK {}"),
        )

    def oxigraph_serve() -> Server:
        port = free_port()

        def start() -> subprocess.Popen:
            proc = subprocess.Popen([str(BIN / "oxigraph"), "serve", "--bind", f"127.0.0.1:{port}"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            wait_for(f"http://127.0.0.1:{port}/query?query=ASK%7B%7D")
            request = urllib.request.Request(f"http://127.0.0.1:{port}/store?default", data=data.read_bytes(),
                                             headers={"Content-Type": "application/n-triples"}, method="POST")
            urllib.request.urlopen(request, timeout=30).close()
            return proc

        return Server("oxigraph serve (in memory)", start, sparql_get(f"http://127.0.0.1:{port}/query"),
                      f"http://127.0.0.1:{port}/query?query=ASK%7B%7D")

    servers = [ours(1), ours(2), rdflib_endpoint(), oxigraph_serve()]
    results: dict[tuple[str, str], list[tuple[float, float, float]]] = {}
    for _ in range(args.rounds):
        for server in servers:
            with server:
                for label, query in QUERIES.items():
                    url = server.url(query)
                    wait_for(url, headers={"Accept": ACCEPT})
                    results.setdefault((server.name, label), []).append(run_wrk(url, args.duration))
                    # the same query with a different text every time: what a first-time query costs
                    results.setdefault((server.name, label + " *"), []).append(
                        run_wrk(url, args.duration, unique=True))
                if server.name.startswith("itsm-prm /sparql (1"):
                    base = server.url("")[: -len("/sparql?query=")]
                    url = f"{base}/api/queries/process-outcomes?process=CHAN"
                    wait_for(url, headers={"Accept": ACCEPT})
                    results.setdefault(("itsm-prm named query process-outcomes (1 worker)", "7 rows"), []) \
                        .append(run_wrk(url, args.duration))

    print(f"data: {triples} triples; wrk -t2 -c16 -d{args.duration}s, {args.rounds} interleaved rounds, "
          "medians")
    print(f"itsm-prm serve: start-up to first /sparql answer (warm cache): {startup:.2f} s")
    print()
    print("* = every request a different query text (a numbered comment), so no answer is ever repeated")
    print(f"{'server':52s} {'query':10s} {'req/s':>9s} {'p50 ms':>8s} {'p99 ms':>8s}")
    for (name, label), runs in results.items():
        rps = statistics.median(r[0] for r in runs)
        p50 = statistics.median(r[1] for r in runs)
        p99 = statistics.median(r[2] for r in runs)
        print(f"{name:52s} {label:10s} {rps:9.0f} {p50:8.2f} {p99:8.2f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
