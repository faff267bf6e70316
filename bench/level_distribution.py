"""The cross-organisation level distribution at scale, embedded in memory and on disk.

Bulk-loads N synthetic stored assessments (each graph: its record's publisher, ten assessed processes
with their derived level, and filler triples standing for the ratings) next to the compiled dataset,
then times the named query ``assessment-level-distribution`` as the API runs it (in-process on the
whole store). Quicker to set up than ``bench/assessment_repository.py``, which stores every
assessment through the repository's write path; the query sees the same shape of data.

    .venv/bin/python bench/level_distribution.py --assessments 10000 --runs 10
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

import itsm_prm

BASE = "https://w3id.org/itsm-prm/"
ASMT = "https://w3id.org/itsm-prm/assessment#"
PROCESSES = ("INC", "PRO", "CHAN", "CONF", "REL", "SLM", "ITFM", "CAP", "ITSCM", "AVA")


def synthetic(path: Path, assessments: int, organisations: int, filler: int) -> int:
    rng = random.Random(15504)  # noqa: S311 - reproducible synthetic data, not secrets
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for i in range(assessments):
            graph = f"<{BASE}graph/assessments/{i:032x}>"
            organisation = f"<{BASE}id/organisation/org{i % organisations}>"
            out.write(f"{graph} <http://purl.org/dc/terms/publisher> {organisation} {graph} .\n")
            count += 1
            for j, process in enumerate(PROCESSES):
                node = f"_:a{i}p{j}"
                level = rng.choice((0, 1, 1, 2, 2, 2, 3, 3, 4))
                out.write(f"{node} <{ASMT}process> <{BASE}id/process/{process}> {graph} .\n")
                concept = f"<{BASE}id/iso15504-2/2003/capability-level/{level}>"
                out.write(f"{node} <{ASMT}derivedCapabilityLevel> {concept} {graph} .\n")
                for k in range(filler):
                    out.write(f'{node} <{ASMT}filler{k}> "{k}" {graph} .\n')
                count += 2 + filler
    return count


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--assessments", type=int, default=10_000)
    parser.add_argument("--organisations", type=int, default=100)
    parser.add_argument("--filler", type=int, default=60, help="other triples per assessed process")
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()

    kg = itsm_prm.load()
    query = kg.catalog["assessment-level-distribution"]
    with tempfile.TemporaryDirectory(prefix="prm-distribution-") as scratch:
        data = Path(scratch) / "assessments.nq"
        quads = synthetic(data, args.assessments, args.organisations, args.filler)
        print(f"{args.assessments:,} assessments, {quads:,} quads, {args.organisations} organisations")
        print("| store | load s | rows | median ms | p95 ms |")
        print("|---|---|---|---|---|")
        for name, store in (("memory", ox.Store()), ("on disk", ox.Store(str(Path(scratch) / "db")))):
            started = time.perf_counter()
            store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
            store.bulk_load(path=str(kg.build_result.dataset_path), format=ox.RdfFormat.N_QUADS)
            loaded = time.perf_counter() - started
            rows = len(list(store.query(query.sparql, use_default_graph_as_union=True)))  # warm-up
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                list(store.query(query.sparql, use_default_graph_as_union=True))
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            print(f"| {name} | {loaded:.1f} | {rows} | {statistics.median(times):.0f} | {p95:.0f} |")
            del store


if __name__ == "__main__":
    main()
