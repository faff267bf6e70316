"""Benchmark: the assessment repository with 10,000 stored assessments — bulk load, an organisation's
profile history and the cross-organisation level distribution, on embedded on-disk Oxigraph
(``oxigraph:PATH``) and on a remote ``oxigraph serve`` (``sparql:URL``) started by this script.

Generates N synthetic ten-process assessments (seeded; attribute ratings N/P/L/F rated contiguously up
to the target level with percentages inside their letter's band, all 61 outcomes rated, evidence, the
derived levels of the ISO/IEC 15504-2 rule from ``itsm_prm.assessment.levels`` and the derived-statement
graph of ``itsm_prm.assessment.profile.Profile.to_graph``) spread over M organisations, each with
assessments on several dates, and stores them in the repository layout (one named graph per assessment
holding its record, the registry index in ``graph/assessments``). Then it times, per store:

* the bulk load: every assessment through the repository's own write path when
  ``itsm_prm.assessment.repository`` provides it (``AssessmentRepository.store``, the registry index
  rebuilt once at the end), else ``Store.put_graph`` per assessment (the output says which);
  generating the assessments is not counted;
* the named queries ``assessment-history`` (one organisation, bound from its token) and
  ``assessment-level-distribution`` (all organisations) through ``kg.backend.query`` on the whole
  store, as the API runs scoped queries: median and p95 of R runs after one warm-up.

Prints numbers and a Markdown table; nothing here asserts a time. Run from the repository root:

    .venv/bin/python bench/assessment_repository.py [--assessments 10000] [--organisations 100] [--runs 20]
        [--store-dir DIR] [--stores embedded,remote] [--reuse]

With ``--store-dir DIR`` the stores stay in DIR; ``--reuse`` then queries them again without loading (the
query times of a quiet moment, with the CPU time beside the wall time).
"""

from __future__ import annotations

import argparse
import importlib
import math
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from assessment_batch import LETTER_WEIGHTS, PROCESSES, PrmOutcome, outcomes_by_process, percent_in_band
from rdflib import Graph, URIRef

import itsm_prm
from itsm_prm import queries
from itsm_prm.assessment.levels import derive_level
from itsm_prm.assessment.profile import ProcessProfile, Profile
from itsm_prm.assessment.vocabulary import ASMT, ATTRIBUTES, LEVELS, RATINGS, process_iri
from itsm_prm.config import Settings
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.terms import QueryResult, Term

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
XSD = "http://www.w3.org/2001/XMLSchema#"
FOAF = "http://xmlns.com/foaf/0.1/"
DCTERMS = "http://purl.org/dc/terms/"
STORED_ASSESSMENT = "https://w3id.org/itsm-prm/assessment#StoredAssessment"
QUERY_NAMES = ("assessment-history", "assessment-level-distribution")
A = str(ASMT)


# ---------------------------------------------------------------- synthetic assessments


@dataclass(frozen=True)
class Synthetic:
    """One stored assessment: its id, owner, when it was stored, its node and its N-Triples."""

    id: str  # uuid4 hex, 32 characters
    organisation: str
    created: datetime
    date: str  # asmt:assessmentDate
    subject: str  # the asmt:Assessment node
    submitted: bytes  # the triples as an assessor sends them
    profile: Profile  # the derived levels (Profile.to_graph gives their statements)

    def derived(self) -> bytes:
        """The derived statements as N-Triples."""
        return self.profile.to_graph().serialize(format="nt", encoding="utf-8")

    def triples(self) -> int:
        """Triples of the stored graph: submitted, derived (one level per process and 10 of PROV) and the
        4 of the record."""
        return self.submitted.count(b"\n") + len(self.profile.processes) + 10 + 4


def organisation_slugs(count: int) -> list[str]:
    return [f"org-{n:03d}" for n in range(count)]


def _iri(value: str) -> str:
    return f"<{value}>"


def _text(value: str, lang: str | None = None) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def _typed(value: str, datatype: str) -> str:
    return f'"{value}"^^<{XSD}{datatype}>'


class _Lines:
    """N-Triples lines of one graph."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{s} {p} {o} .\n")

    def encode(self) -> bytes:
        return "".join(self.lines).encode("utf-8")


def synthetic_assessment(
    index: int,
    organisation: str,
    date: str,
    rng: random.Random,
    outcomes: dict[str, list[PrmOutcome]],
) -> tuple[str, bytes, Profile]:
    """One ten-process assessment as N-Triples (blank nodes for scope items and ratings, as
    assessors write them), and the profile of its derived levels."""
    base = f"https://example.org/{organisation}/assessment/{index}"
    a, input_node = _iri(base), _iri(f"{base}/input")
    g = _Lines()
    t = _iri(RDF_TYPE)
    people = {role: _iri(f"{base}/person/{role}") for role in ("sponsor", "lead", "second", "participant")}
    g.add(a, t, _iri(A + "Assessment"))
    g.add(a, _iri(A + "input"), input_node)
    g.add(a, _iri(A + "assessmentDate"), _typed(date, "date"))
    g.add(a, _iri(A + "approach"), _text("Interviews with process owners and review of work products", "en"))
    g.add(input_node, t, _iri(A + "AssessmentInput"))
    g.add(input_node, _iri(A + "sponsor"), people["sponsor"])
    g.add(input_node, _iri(A + "purpose"), _text("Capability determination and improvement baseline", "en"))
    g.add(input_node, _iri(A + "organisationalUnit"), _text(f"IT operations of {organisation}", "en"))
    g.add(input_node, _iri(A + "constraints"), _text("Five working days; no access to supplier data", "en"))
    g.add(input_node, _iri(A + "assessor"), people["lead"])
    g.add(input_node, _iri(A + "assessor"), people["second"])
    g.add(input_node, _iri(A + "competentAssessor"), people["lead"])
    g.add(input_node, _iri(A + "participant"), people["participant"])
    for role, person in people.items():
        g.add(person, t, _iri(FOAF + "Person"))
        g.add(person, _iri(FOAF + "name"), _text(f"{role.title()} {index}"))
    processes = []
    blank = 0
    for pid in PROCESSES:
        process = _iri(str(process_iri(pid)))
        node = _iri(f"{base}/{pid}")
        evidence = _iri(f"{base}/evidence/{pid}")
        g.add(a, _iri(A + "evidence"), evidence)
        g.add(evidence, t, _iri(A + "EvidenceItem"))
        g.add(evidence, _iri(RDFS_LABEL), _text(f"{pid} records and interview notes", "en"))
        g.add(
            evidence,
            _iri(A + "location"),
            _text(f"https://example.org/evidence/{organisation}/{index}/{pid}"),
        )
        highest = rng.choice((1, 2, 2, 3, 3, 4, 5))  # highest level examined = the target
        blank += 1
        scope = f"_:s{blank}"
        g.add(input_node, _iri(A + "scopeItem"), scope)
        g.add(scope, t, _iri(A + "ScopeItem"))
        g.add(scope, _iri(A + "process"), process)
        g.add(scope, _iri(A + "targetLevel"), _iri(str(LEVELS[highest])))
        g.add(a, _iri(A + "assessedProcess"), node)
        g.add(node, t, _iri(A + "AssessedProcess"))
        g.add(node, _iri(A + "process"), process)
        letters: dict[str, str] = {}
        for attribute in ATTRIBUTES:
            if attribute.level > highest:
                break  # rated contiguously from PA 1.1 up to the examined level
            letter = rng.choices(list(LETTER_WEIGHTS), weights=list(LETTER_WEIGHTS.values()))[0]
            letters[attribute.notation] = letter
            blank += 1
            rating = f"_:r{blank}"
            g.add(node, _iri(A + "attributeRating"), rating)
            g.add(rating, t, _iri(A + "AttributeRating"))
            g.add(rating, _iri(A + "attribute"), _iri(str(attribute.iri)))
            g.add(rating, _iri(A + "rating"), _iri(str(RATINGS[letter].iri)))
            g.add(rating, _iri(A + "percent"), _typed(str(percent_in_band(rng, letter)), "decimal"))
            g.add(rating, _iri(A + "evidence"), evidence)
        level = derive_level(letters)
        g.add(node, _iri(A + "statedCapabilityLevel"), _iri(str(LEVELS[level])))
        outcome_letters = "LF" if letters["PA 1.1"] == "F" else "NPLF"
        for outcome in outcomes[pid]:
            blank += 1
            rating = f"_:o{blank}"
            g.add(node, _iri(A + "outcomeRating"), rating)
            g.add(rating, t, _iri(A + "OutcomeRating"))
            g.add(rating, _iri(A + "outcome"), _iri(outcome.iri))
            if outcome.optional and rng.random() < 0.5:
                g.add(rating, _iri(A + "notApplicable"), _typed("true", "boolean"))
                g.add(rating, _iri(A + "justification"), _text("No internal charging in this unit", "en"))
            else:
                g.add(rating, _iri(A + "rating"), _iri(str(RATINGS[rng.choice(outcome_letters)].iri)))
                g.add(rating, _iri(A + "evidence"), evidence)
        processes.append(
            ProcessProfile(
                node=URIRef(f"{base}/{pid}"),
                process=str(process_iri(pid)),
                process_id=pid,
                name=pid,
                target_level=highest,
                derived_level=level,
                stated_level=level,
                attributes={},
                outcomes=(),
            )
        )
    return base, g.encode(), Profile(URIRef(base), date, tuple(processes))


def generate(
    count: int, organisations: list[str], seed: int, outcomes: dict[str, list[PrmOutcome]]
) -> Iterator[Synthetic]:
    """``count`` assessments, round-robin over the organisations; each organisation's assessments are
    dated about a quarter apart from 2019 on, stored the day after. Same seed, same assessments."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    start = datetime(2019, 1, 7, 9, 0, tzinfo=UTC)
    for index in range(count):
        organisation = organisations[index % len(organisations)]
        round_number = index // len(organisations)
        day = start + timedelta(days=91 * round_number + rng.randint(0, 60))
        date = day.date().isoformat()
        subject, submitted, profile = synthetic_assessment(index, organisation, date, rng, outcomes)
        created = day + timedelta(days=1, seconds=rng.randint(0, 86_399))
        yield Synthetic(
            id=uuid.UUID(int=rng.getrandbits(128), version=4).hex,
            organisation=organisation,
            created=created,
            date=date,
            subject=subject,
            submitted=submitted,
            profile=profile,
        )


# ---------------------------------------------------------------- writing


def assessment_graph(base_iri: str, assessment_id: str) -> str:
    return f"{base_iri}graph/assessments/{assessment_id}"


def registry_graph(base_iri: str) -> str:
    return f"{base_iri}graph/assessments"


def record_lines(base_iri: str, item: Synthetic) -> str:
    g = _iri(assessment_graph(base_iri, item.id))
    created = item.created.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        f"{g} <{RDF_TYPE}> <{STORED_ASSESSMENT}> .\n"
        f"{g} <{DCTERMS}publisher> <{base_iri}id/organisation/{item.organisation}> .\n"
        f"{g} <{DCTERMS}created> {_typed(created, 'dateTime')} .\n"
        f"{g} <{DCTERMS}subject> <{item.subject}> .\n"
    )


class Writer:
    """Puts stored assessments into the store; ``how`` says through which path. ``prepare`` turns a
    generated assessment into what the path takes (not timed), ``write`` stores it (timed)."""

    how: str

    def prepare(self, item: Synthetic) -> Any:
        return item

    def write(self, prepared: Any) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Whatever the path writes once after the last assessment (timed)."""


class RepositoryWriter(Writer):
    """The repository's own write path: ``AssessmentRepository.store`` per assessment (the caller has
    validated it; one atomic ``put_graph`` of data, derived statements and record) with the registry
    index rebuilt once at the end, as a bulk load does (``update_registry=False``)."""

    how = "AssessmentRepository.store per assessment (update_registry=False) + rebuild_registry once"

    def __init__(self, kg: KnowledgeGraph) -> None:
        from itsm_prm.assessment.repository import AssessmentRepository

        self.repo = AssessmentRepository(kg)

    def prepare(self, item: Synthetic) -> tuple[Graph, Profile, str, datetime]:
        graph = Graph().parse(data=item.submitted.decode("utf-8"), format="nt")
        return graph, item.profile, item.organisation, item.created

    def write(self, prepared: tuple[Graph, Profile, str, datetime]) -> None:
        graph, profile, organisation, created = prepared
        self.repo.store(graph, profile, organisation, created=created, update_registry=False)

    def finish(self) -> None:
        self.repo.rebuild_registry()


class PutGraphWriter(Writer):
    """Without ``itsm_prm.assessment.repository``: ``Store.put_graph`` per assessment graph (data,
    derived statements and the record), the registry graph written once at the end."""

    how = "Store.put_graph per assessment + registry graph once at the end"

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.store = kg.backend
        self.base = kg.settings.base_iri
        self.registry: list[str] = []

    def prepare(self, item: Synthetic) -> tuple[str, bytes, str]:
        record = record_lines(self.base, item)
        data = item.submitted + item.derived() + record.encode()
        return assessment_graph(self.base, item.id), data, record

    def write(self, prepared: tuple[str, bytes, str]) -> None:
        graph, data, record = prepared
        self.store.put_graph(graph, data)
        self.registry.append(record)

    def finish(self) -> None:
        self.store.put_graph(registry_graph(self.base), "".join(self.registry).encode("utf-8"))


def make_writer(kg: KnowledgeGraph) -> Writer:
    """The repository's write path when the package has it, else plain graph writes."""
    try:
        importlib.import_module("itsm_prm.assessment.repository")
    except ImportError:
        return PutGraphWriter(kg)
    return RepositoryWriter(kg)


def bulk_load(writer: Writer, items: Iterator[Synthetic], progress_every: int) -> tuple[float, int, int]:
    """Seconds spent in the write path only (generation excluded), assessments, triples written."""
    spent = 0.0
    count = triples = 0
    wall = time.perf_counter()
    for item in items:
        prepared = writer.prepare(item)
        started = time.perf_counter()
        writer.write(prepared)
        spent += time.perf_counter() - started
        count += 1
        triples += item.triples()
        if progress_every and count % progress_every == 0:
            print(
                f"    {count:6d} stored, {spent:7.1f} s in the write path "
                f"({time.perf_counter() - wall:.0f} s wall)",
                file=sys.stderr,
                flush=True,
            )
    started = time.perf_counter()
    writer.finish()
    spent += time.perf_counter() - started
    return spent, count, triples


# ---------------------------------------------------------------- queries


@dataclass
class Latency:
    samples_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)  # CPU time of this process and the server's
    rows: int = 0

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu_ms)

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]  # nearest rank


def query_text(query: queries.NamedQuery) -> str:
    """The query without its ``#+`` header lines. Comments change nothing for the engines, but
    SPARQLWrapper 2.0 (the remote store's client) takes the query form from the text and can be
    misled by a header comment (an apostrophe in a description made it read the history query as an
    ASK); without the header every store answers the same rows, which the table shows."""
    return "\n".join(line for line in query.sparql.splitlines() if not line.startswith("#+"))


def run_named(kg: KnowledgeGraph, query: queries.NamedQuery, organisation: str) -> int:
    """Run a named query the way the API runs a scoped one (``api/named_queries.py``): on the whole
    store (``kg.backend``, no union default graph: the queries name their graphs), the organisation of
    an ``access: organisation`` query bound to ``?organisation`` by the engine."""
    bindings = queries.bind(query, {}, base_iri=kg.settings.base_iri, exists=lambda _iri: True)
    if getattr(query, "access", None) == "organisation":
        bindings["organisation"] = Term.iri(f"{kg.settings.base_iri}id/organisation/{organisation}")
    result = kg.backend.query(query_text(query), bindings, default_graph_as_union=False)
    return len(result.rows) if isinstance(result, QueryResult) else 1


def cpu_seconds(server_pid: int | None) -> float:
    """CPU time used so far by this process (all its threads) and, for a remote store, by the server
    process: on a shared machine the wall time depends on the neighbours, the CPU time much less."""
    used = time.process_time()
    if server_pid is not None:
        fields = Path(f"/proc/{server_pid}/stat").read_text().rsplit(")", 1)[1].split()
        used += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return used


def time_query(
    kg: KnowledgeGraph,
    query: queries.NamedQuery,
    organisations: list[str],
    runs: int,
    server_pid: int | None = None,
) -> Latency:
    """One warm-up, then ``runs`` timed runs; an organisation's query asks for a different
    organisation each run, so no run repeats the previous one's working set."""
    latency = Latency()
    for run in range(runs + 1):
        organisation = organisations[(run * 7 + 3) % len(organisations)]
        cpu = cpu_seconds(server_pid)
        started = time.perf_counter()
        rows = run_named(kg, query, organisation)
        elapsed = (time.perf_counter() - started) * 1000
        if run:  # run 0 is the warm-up
            latency.samples_ms.append(elapsed)
            latency.cpu_ms.append((cpu_seconds(server_pid) - cpu) * 1000)
            latency.rows = rows
    return latency


# ---------------------------------------------------------------- stores


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class OxigraphServer:
    """``oxigraph serve`` on 127.0.0.1, on disk at ``location``; stopped by its pid."""

    def __init__(self, location: Path) -> None:
        self.location = location
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/query"

    def start(self, timeout_s: float = 120.0) -> None:
        binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [binary, "serve", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.query_url}?query=ASK%7B%7D", timeout=1):  # noqa: S310
                    return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError(f"oxigraph serve exited with {self.process.returncode}") from None
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"oxigraph serve did not answer within {timeout_s:g} s")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def directory_mib(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / (1 << 20)


@dataclass
class Row:
    store: str
    how: str
    assessments: int
    triples: int
    load_s: float
    size_mib: float
    latencies: dict[str, Latency]


def measure(
    label: str,
    spec: str,
    settings: Settings,
    args: argparse.Namespace,
    organisations: list[str],
    outcomes: dict[str, list[PrmOutcome]],
    size_of: Path,
    server_pid: int | None = None,
    reuse: bool = False,
) -> Row:
    print(f"\n== {label}: {spec}", flush=True)
    started = time.perf_counter()
    kg = itsm_prm.load(spec, settings=settings)
    print(f"  reference data published in {time.perf_counter() - started:.2f} s", flush=True)
    try:
        writer = make_writer(kg)
        if reuse:
            load_s, count, triples = math.nan, args.assessments, 0
            print("  store reused as it is (--reuse): no bulk load", flush=True)
        else:
            print(f"  write path: {writer.how}", flush=True)
            items = generate(args.assessments, organisations, args.seed, outcomes)
            load_s, count, triples = bulk_load(writer, items, args.progress_every)
            print(
                f"  bulk load: {count} assessments, {triples:,} triples in {load_s:.1f} s "
                f"({load_s * 1000 / max(count, 1):.1f} ms per assessment)",
                flush=True,
            )
        latencies: dict[str, Latency] = {}
        catalog = kg.catalog
        for name in QUERY_NAMES:
            if name not in catalog:
                print(f"  {name}: not in queries/ yet — not measured", flush=True)
                continue
            latency = time_query(kg, catalog[name], organisations, args.runs, server_pid)
            latencies[name] = latency
            print(
                f"  {name}: median {latency.median:.1f} ms, p95 {latency.p95:.1f} ms, CPU median "
                f"{latency.cpu_median:.1f} ms ({args.runs} runs after one warm-up; {latency.rows} rows)",
                flush=True,
            )
    finally:
        kg.close()
    return Row(label, writer.how, count, triples, load_s, directory_mib(size_of), latencies)


def reusable(location: Path, reuse: bool) -> bool:
    """Whether to query what ``location`` holds (``--reuse`` and a store there); else start afresh."""
    if reuse and location.is_dir() and any(location.iterdir()):
        return True
    shutil.rmtree(location, ignore_errors=True)
    return False


def markdown(rows: list[Row]) -> str:
    head = (
        "| store | assessments | triples | bulk load s | ms / assessment | on disk MiB "
        "| history median ms | p95 | CPU | distribution median ms | p95 | CPU | rows |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    lines = []
    for row in rows:
        cells = []
        for name in QUERY_NAMES:
            lat = row.latencies.get(name)
            cells += [f"{lat.median:.1f}", f"{lat.p95:.1f}", f"{lat.cpu_median:.1f}"] if lat else ["–"] * 3
        loaded = not math.isnan(row.load_s)  # --reuse: nothing loaded in this run
        load = f"{row.triples:,} | {row.load_s:.1f} | {row.load_s * 1000 / max(row.assessments, 1):.1f}"
        lines.append(
            f"| {row.store} | {row.assessments:,} | {load if loaded else '– | – | –'} | {row.size_mib:.0f} | "
            + " | ".join(cells)
            + f" | {' / '.join(str(row.latencies[n].rows) for n in QUERY_NAMES if n in row.latencies)} |"
        )
    return head + "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assessments", type=int, default=10_000, help="stored assessments (default 10000)")
    parser.add_argument("--organisations", type=int, default=100, help="organisations (default 100)")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per query after one warm-up")
    parser.add_argument("--store-dir", type=Path, help="where the stores go (default: a temporary folder)")
    parser.add_argument("--stores", default="embedded,remote", help="embedded, remote or both (default)")
    parser.add_argument("--seed", type=int, default=15504)
    parser.add_argument("--progress-every", type=int, default=1000, help="progress line every n assessments")
    parser.add_argument("--keep", action="store_true", help="keep the stores afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --store-dir: query the stores a previous run left there, without loading again",
    )
    args = parser.parse_args()
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]

    root = args.store_dir or Path(tempfile.mkdtemp(prefix="itsm-prm-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    settings = Settings()
    organisations = organisation_slugs(args.organisations)
    outcomes = outcomes_by_process(itsm_prm.load())
    print(
        f"{args.assessments} synthetic ten-process assessments over {args.organisations} organisations "
        f"(seed {args.seed}); stores under {root}"
    )
    rows: list[Row] = []
    try:
        if "embedded" in stores:
            location = root / "embedded"
            reuse = reusable(location, args.reuse)
            rows.append(
                measure(
                    "oxigraph:PATH (embedded)",
                    f"oxigraph:{location}",
                    settings,
                    args,
                    organisations,
                    outcomes,
                    location,
                    reuse=reuse,
                )
            )
        if "remote" in stores:
            location = root / "remote"
            reuse = reusable(location, args.reuse)
            server = OxigraphServer(location)
            server.start()
            assert server.process is not None
            try:
                rows.append(
                    measure(
                        "sparql: → oxigraph serve (127.0.0.1)",
                        f"sparql:{server.query_url}",
                        settings,
                        args,
                        organisations,
                        outcomes,
                        location,
                        server_pid=server.process.pid,
                        reuse=reuse,
                    )
                )
            finally:
                server.stop()
    finally:
        if not args.keep and args.store_dir is None:
            shutil.rmtree(root, ignore_errors=True)
    print()
    print(f"write path: {rows[0].how if rows else '–'}")
    print(markdown(rows), end="")


if __name__ == "__main__":
    main()
