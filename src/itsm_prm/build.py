"""Compile the dataset: sources → OWL 2 RL closure → SHACL self-check → cached N-Quads.

The result lives in ``<cache_dir>/<key>/``: ``dataset.nq`` (every named graph, inferred
triples included), ``validation.json`` (the self-check report) and ``manifest.json``
(written last). An unchanged set of inputs reuses the entry.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from itsm_prm import cache
from itsm_prm._version import __version__
from itsm_prm.closure import owl_rl_closure
from itsm_prm.config import SOURCES_FILE, Settings
from itsm_prm.errors import BuildError, SelfCheckFailed
from itsm_prm.rdfio import parse_rdf
from itsm_prm.sources import Sources
from itsm_prm.validation import ValidationReport, check, load_shapes

DATASET_FILE = "dataset.nq"
REPORT_FILE = "validation.json"
SHAPES_DIR = "shapes"

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Manifest:
    """What ``manifest.json`` records about one compiled dataset."""

    key: str
    version: str
    dataset_iri: str
    inferred_graph: str
    built_at: str  # ISO 8601, UTC
    build_seconds: float
    owlrl_seconds: float
    shacl_seconds: float
    graph_counts: dict[str, int]
    graph_titles: dict[str, str]
    shapes_checked: bool
    conforms: bool | None  # None when there were no shapes to check
    warnings: int
    inferred_removed: int  # owlrl output dropped by the closure filter
    prefixes: dict[str, str] = field(default_factory=dict)
    ontology_graphs: list[str] = field(default_factory=list)  # graphs filled from ontology/ files

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Manifest:
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in names})  # type: ignore[arg-type]


@dataclass
class BuildResult:
    """The outcome of :func:`build`. ``seconds`` is this call's time: the whole build, or only
    the cache check when ``reused``."""

    key: str
    directory: Path
    manifest: Manifest
    reused: bool
    seconds: float
    report: ValidationReport | None = None

    @property
    def dataset_path(self) -> Path:
        return self.directory / DATASET_FILE


def input_files(root: Path, sources: Sources) -> list[str]:
    """Every file the compiled dataset depends on, relative to the resources root."""
    shapes = sorted(f"{SHAPES_DIR}/{p.name}" for p in (root / SHAPES_DIR).glob("*.ttl"))
    return [str(SOURCES_FILE), *sources.files(), *shapes]


def _reuse(settings: Settings, key: str, started: float) -> BuildResult | None:
    data = cache.read_manifest(settings.cache_dir, key)
    if data is None:
        return None
    directory = cache.entry_dir(settings.cache_dir, key)
    if not (directory / DATASET_FILE).is_file():
        return None
    report = None
    if (directory / REPORT_FILE).is_file():
        report = ValidationReport.from_dict(json.loads((directory / REPORT_FILE).read_text(encoding="utf-8")))
    return BuildResult(key, directory, Manifest.from_dict(data), True, time.perf_counter() - started, report)


def _load_sources(root: Path, sources: Sources, progress: Progress) -> tuple[Dataset, Graph, dict[str, str]]:
    dataset = Dataset()
    union = Graph()
    prefixes: dict[str, str] = {}
    for source in sources.graphs:
        target = dataset.graph(URIRef(source.iri))
        for name in source.files:
            progress(f"Reading {name}")
            parsed = parse_rdf(root / name, name=name)
            prefixes.update({k: v for k, v in parsed.prefixes.items() if k not in prefixes})
            for t in parsed.graph:
                target.add(t)
                union.add(t)
    return dataset, union, prefixes


def _nquads(dataset: Dataset) -> bytes:
    text = dataset.serialize(format="nquads", encoding="utf-8")
    lines = sorted(line for line in text.splitlines() if line.strip())
    return b"\n".join(lines) + b"\n"


def build(
    settings: Settings | None = None, *, force: bool = False, progress: Progress | None = None
) -> BuildResult:
    """Compile the dataset, or reuse the cached one when no input changed.

    Raises :class:`InputError` for unreadable sources, :class:`BuildError` when the OWL 2 RL
    reasoner finds the model inconsistent, :class:`SelfCheckFailed` (with the report) on SHACL
    violations. Example::

        >>> result = build()            # doctest: +SKIP
        >>> result.reused, result.manifest.graph_counts  # doctest: +SKIP
    """
    settings = settings or Settings()
    say = progress or (lambda _msg: None)
    started = time.perf_counter()
    root = settings.resources_root()
    sources = Sources.load(root)
    key = cache.content_key(root, input_files(root, sources), __version__)
    if not force:
        reused = _reuse(settings, key, started)
        if reused is not None:
            return reused

    dataset, union, declared = _load_sources(root, sources, say)

    say("Computing the OWL 2 RL closure")
    closure = owl_rl_closure(union)
    if closure.errors:
        shown = "; ".join(closure.errors[:5]) + (" …" if len(closure.errors) > 5 else "")
        raise BuildError(f"OWL 2 RL reasoner found {len(closure.errors)} problem(s): {shown}")
    inferred = dataset.graph(URIRef(sources.inferred_graph))
    for t in closure.inferred:
        inferred.add(t)
        union.add(t)

    say("Checking the model against its SHACL shapes")
    shapes = load_shapes(root / SHAPES_DIR)
    report: ValidationReport | None = None
    if shapes is not None:
        report = check(union, shapes)
        if not report.conforms:
            raise SelfCheckFailed(report)

    say("Writing the compiled dataset")
    titles = {g.iri: g.title for g in sources.graphs}
    titles[sources.inferred_graph] = "Inferred triples (OWL 2 RL closure)"
    manifest = Manifest(
        key=key,
        version=__version__,
        dataset_iri=sources.dataset_iri,
        inferred_graph=sources.inferred_graph,
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        build_seconds=round(time.perf_counter() - started, 3),
        owlrl_seconds=round(closure.seconds, 3),
        shacl_seconds=round(report.seconds, 3) if report else 0.0,
        graph_counts={iri: len(dataset.graph(URIRef(iri))) for iri in titles},
        graph_titles=titles,
        shapes_checked=report is not None,
        conforms=report.conforms if report else None,
        warnings=report.warnings if report else 0,
        inferred_removed=closure.raw_new - len(closure.inferred),
        prefixes=declared,
        ontology_graphs=[g.iri for g in sources.graphs if all(f.startswith("ontology/") for f in g.files)],
    )

    def fill(folder: Path) -> None:
        (folder / DATASET_FILE).write_bytes(_nquads(dataset))
        if report is not None:
            (folder / REPORT_FILE).write_text(json.dumps(report.to_dict(), indent=2), encoding="utf-8")
        (folder / cache.MANIFEST).write_text(json.dumps(asdict(manifest), indent=2), encoding="utf-8")

    directory = cache.write_entry(settings.cache_dir, key, fill)
    return BuildResult(key, directory, manifest, False, time.perf_counter() - started, report)
