from pathlib import Path

import pytest

from itsm_prm.errors import ConfigError
from itsm_prm.sources import Sources
from tests.conftest import FIXTURE_HOME

REPO = Path(__file__).resolve().parents[2]


def test_fixture_sources() -> None:
    s = Sources.load(FIXTURE_HOME)
    assert s.dataset_iri == "https://w3id.org/itsm-prm/dataset"
    assert s.inferred_graph == "https://w3id.org/itsm-prm/graph/inferred"
    assert [g.iri.rsplit("/graph/", 1)[1] for g in s.graphs] == [
        "ontology",
        "prm",
        "mappings/prm-iso15504-5-2006",
    ]
    assert s.files() == ["ontology/prm.ttl", "data/prm.ttl", "data/mappings/prm-iso15504-5-2006.ttl"]


def test_repository_sources_parse() -> None:
    s = Sources.load(REPO)
    assert s.graphs and all(g.files for g in s.graphs)
    assert s.inferred_graph not in {g.iri for g in s.graphs}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (b"[dataset\n", "sources.toml"),
        (b'[[graph]]\niri = "x"\nfiles = ["a.ttl"]\n', "[dataset]"),
        (b'[dataset]\niri = "d"\ninferred_graph = "i"\n[[graph]]\niri = "g"\nfiles = []\n', "files"),
        (
            b'[dataset]\niri = "d"\ninferred_graph = "g"\n[[graph]]\niri = "g"\nfiles = ["a.ttl"]\n',
            "used twice",
        ),
    ],
)
def test_malformed_sources(text: bytes, message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        Sources.parse(text)
