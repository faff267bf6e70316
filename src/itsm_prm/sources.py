"""``data/sources.toml``: the dataset IRI, the inferred-graph IRI and one named graph per source."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from itsm_prm.config import SOURCES_FILE
from itsm_prm.errors import ConfigError


@dataclass(frozen=True)
class GraphSource:
    """One named graph and the files (relative to the resources root) that fill it."""

    iri: str
    title: str
    files: tuple[str, ...]


@dataclass(frozen=True)
class Sources:
    """The parsed ``sources.toml``.

    >>> Sources.parse(b'[dataset]\\niri = "https://e/ds"\\ninferred_graph = "https://e/graph/inferred"\\n'
    ...               b'[[graph]]\\niri = "https://e/graph/a"\\nfiles = ["a.ttl"]\\n').graphs[0].files
    ('a.ttl',)
    """

    dataset_iri: str
    title: str
    inferred_graph: str
    graphs: tuple[GraphSource, ...]

    @classmethod
    def parse(cls, text: bytes, origin: str = str(SOURCES_FILE)) -> Sources:
        try:
            doc = tomllib.loads(text.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{origin}: {exc}") from exc
        dataset = doc.get("dataset")
        if not isinstance(dataset, dict) or not dataset.get("iri") or not dataset.get("inferred_graph"):
            raise ConfigError(f"{origin}: a [dataset] table with 'iri' and 'inferred_graph' is required")
        graphs = []
        for i, entry in enumerate(doc.get("graph", []), start=1):
            files = entry.get("files") if isinstance(entry, dict) else None
            if (
                not isinstance(entry, dict)
                or not entry.get("iri")
                or not isinstance(files, list)
                or not files
            ):
                raise ConfigError(f"{origin}: [[graph]] number {i} needs 'iri' and a non-empty 'files' list")
            graphs.append(GraphSource(str(entry["iri"]), str(entry.get("title", "")), tuple(map(str, files))))
        iris = [g.iri for g in graphs] + [dataset["inferred_graph"]]
        duplicates = sorted({iri for iri in iris if iris.count(iri) > 1})
        if duplicates:
            raise ConfigError(f"{origin}: graph IRI used twice: {', '.join(duplicates)}")
        return cls(
            str(dataset["iri"]), str(dataset.get("title", "")), str(dataset["inferred_graph"]), tuple(graphs)
        )

    @classmethod
    def load(cls, root: Path) -> Sources:
        path = root / SOURCES_FILE
        if not path.is_file():
            raise ConfigError(f"{path}: no such file")
        return cls.parse(path.read_bytes(), str(SOURCES_FILE))

    def files(self) -> list[str]:
        """Every source file, in order of appearance, without repeats."""
        return list(dict.fromkeys(f for g in self.graphs for f in g.files))
