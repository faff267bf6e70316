"""Benchmark: compile the dataset (cold and cached), load it, and run every named query on both engines.

Prints numbers only; nothing here asserts a time. Run from the repository root:

    .venv/bin/python bench/build_and_query.py [--repeat 50]

Each build runs in a fresh temporary cache; engines are compared in the same process, side by side,
because this machine is noisy.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import itsm_prm
from itsm_prm.config import Settings


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50, help="runs per query and engine (default 50)")
    parser.add_argument("--builds", type=int, default=3, help="cold builds to time (default 3)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(cache_dir=Path(tmp))
        cold = []
        for _ in range(args.builds):
            result = itsm_prm.build(force=True, settings=settings)
            cold.append(result.seconds)
        manifest = result.manifest
        warm = [itsm_prm.build(settings=settings).seconds for _ in range(20)]
        print(f"dataset: {sum(manifest.graph_counts.values())} quads in {len(manifest.graph_counts)} graphs")
        print(f"cold build (load + OWL 2 RL + SHACL), median of {args.builds}: "
              f"{statistics.median(cold):.2f} s  (last: OWL 2 RL {manifest.owlrl_seconds:.2f} s, "
              f"SHACL {manifest.shacl_seconds:.2f} s)")
        print(f"cached build (hash check), median of 20: {median_ms(warm):.2f} ms")

        engines = {}
        for name in ("memory", "rdflib"):
            loads = []
            for _ in range(5):
                started = time.perf_counter()
                kg = itsm_prm.load(name, settings=settings)
                loads.append(time.perf_counter() - started)
            engines[name] = kg
            print(f"load into {name:7s} (incl. cache check), median of 5: {median_ms(loads):.1f} ms")

        print()
        print(f"named queries, median of {args.repeat} runs (ms):")
        print(f"  {'query':45s} {'rows':>5s} {'oxigraph':>9s} {'rdflib':>9s} {'ratio':>7s}")
        catalog = engines["memory"].catalog
        for qname in sorted(catalog):
            params = {p: spec["example"] for p, spec in catalog[qname].params.items()}
            times = {}
            rows = 0
            for engine, kg in engines.items():
                samples = []
                for _ in range(args.repeat):
                    started = time.perf_counter()
                    result = kg.run(qname, **params)
                    samples.append(time.perf_counter() - started)
                times[engine] = median_ms(samples)
                rows = len(result.rows)
            print(f"  {qname:45s} {rows:5d} {times['memory']:9.2f} {times['rdflib']:9.2f} "
                  f"{times['rdflib'] / times['memory']:6.0f}x")


if __name__ == "__main__":
    main()
