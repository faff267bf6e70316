"""Fixtures of the export tests: the crosswalk targets whose mapping set the dataset holds, their records
(read once), and every export written once to a session folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from itsm_prm.crosswalk.exports import FORMATS
from itsm_prm.crosswalk.records import Crosswalk, read_crosswalk
from itsm_prm.crosswalk.targets import TARGETS, Target
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.sources import Sources

REPOSITORY = Path(__file__).resolve().parents[3]
_GRAPHS = {g.iri for g in Sources.load(REPOSITORY).graphs}
#: the targets whose mapping graph the sources list (the others must fail with MappingSetMissing)
PRESENT: list[Target] = [t for t in TARGETS.values() if t.mapping_graph in _GRAPHS]


def target_ids(targets: list[Target]) -> list[str]:
    return [t.short for t in targets]


@pytest.fixture(scope="session")
def crosswalks(kg: KnowledgeGraph) -> dict[str, Crosswalk]:
    return {t.key: read_crosswalk(kg, t) for t in PRESENT}


@pytest.fixture(scope="session")
def exported(
    crosswalks: dict[str, Crosswalk], tmp_path_factory: pytest.TempPathFactory
) -> dict[tuple[str, str], Path]:
    """(target key, format name) → the file, written once per session."""
    folder = tmp_path_factory.mktemp("crosswalk-exports")
    files = {}
    for key, crosswalk in crosswalks.items():
        for fmt in FORMATS.values():
            path = folder / fmt.filename(TARGETS[key])
            path.write_bytes(fmt.write(crosswalk))
            files[(key, fmt.name)] = path
    return files
