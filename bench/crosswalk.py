"""Benchmark: the crosswalk — derivation of the 2011/2018 sets, reading a set's records, each export
format, and the crosswalk page (first answer and cached answer) over HTTP.

Prints numbers only; nothing here asserts a time. Run from the repository root:

    .venv/bin/python bench/crosswalk.py [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import itsm_prm
from itsm_prm.crosswalk import derive
from itsm_prm.crosswalk.exports import FORMATS, export_crosswalk
from itsm_prm.crosswalk.records import read_crosswalk
from itsm_prm.crosswalk.targets import TARGETS

ROOT = Path(__file__).resolve().parents[1]


def timed(action: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median milliseconds over ``repeat`` runs, and the last result."""
    samples, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000, result


def http_get(url: str) -> tuple[float, int]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        size = len(response.read())
    return (time.perf_counter() - started) * 1000, size


def serve_and_measure(port: int) -> None:
    server = subprocess.Popen(
        [sys.executable, "-m", "itsm_prm", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        print("\ncrosswalk page over HTTP (one server process)")
        print(f"{'page':24} {'first ms':>9} {'cached ms':>10} {'KB':>6}")
        for target in TARGETS.values():
            url = f"{base}/crosswalk/{target.short}"
            first, size = http_get(url)
            cached = statistics.median(http_get(url)[0] for _ in range(20))
            print(f"/crosswalk/{target.short:14} {first:9.1f} {cached:10.2f} {size / 1024:6.0f}")
    finally:
        server.terminate()
        server.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20, help="runs per measurement (default 20)")
    parser.add_argument("--port", type=int, default=8791, help="port for the HTTP part (default 8791)")
    args = parser.parse_args()

    kg = itsm_prm.load()
    print("derivation through the edition crosswalk (derive + review + render)")
    for key in ("iso20000-1:2011", "iso20000-1:2018"):
        target = TARGETS[key]
        review = derive.load_review(derive.review_path(ROOT, target))
        ms, text = timed(lambda t=target, r=review: derive.render(derive.derive(kg, t), r), args.repeat)
        print(f"  {key:18} {ms:8.1f} ms  {str(text).count('a prm:MappingRecord'):4} records")

    print("\nreading a set's records, and each export format (median ms)")
    names = list(FORMATS)
    print(f"{'target':18} {'records':>7} {'read':>7} " + " ".join(f"{n:>11}" for n in names))
    for target in TARGETS.values():
        read_ms, crosswalk = timed(lambda t=target: read_crosswalk(kg, t), args.repeat)
        cells = []
        for name in names:
            ms, _ = timed(lambda t=target, n=name: export_crosswalk(kg, t, n), max(3, args.repeat // 4))
            cells.append(f"{ms:11.1f}")
        count = len(crosswalk.records)  # type: ignore[attr-defined]
        print(f"{target.key:18} {count:7} {read_ms:7.1f} " + " ".join(cells))

    serve_and_measure(args.port)


if __name__ == "__main__":
    main()
