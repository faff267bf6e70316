"""Crosswalk downloads: /download/crosswalk/{slug}.{suffix} for every target the dataset holds, in every
format, with media type, file name, ETag and caching like the other downloads; 404 (JSON or HTML) for
anything else; a record that does not resolve fails the download with the record named."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from itsm_prm.api import create_app
from itsm_prm.config import Settings
from itsm_prm.crosswalk.exports import FORMATS
from itsm_prm.crosswalk.records import read_crosswalk
from itsm_prm.crosswalk.targets import TARGETS, Target
from itsm_prm.knowledge_graph import KnowledgeGraph
from tests.crosswalk.exports.conftest import PRESENT, target_ids
from tests.crosswalk.exports.patching import ID, patched_kg, record_quads

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
MEDIA = {
    "sssom-tsv": "text/tab-separated-values",
    "sssom-ttl": "text/turtle",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "oscal-json": "application/json",
}


@pytest.mark.parametrize("target", PRESENT, ids=target_ids(PRESENT))
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_file_of_every_present_target(
    client: TestClient, kg: KnowledgeGraph, target: Target, fmt: str
) -> None:
    name = f"{target.slug}.{FORMATS[fmt].suffix}"
    response = client.get(f"/download/crosswalk/{name}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == MEDIA[fmt]
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert response.headers["cache-control"] == "public, max-age=3600"
    assert response.headers["etag"].startswith(f'"{kg.build_result.key[:32]}-')
    if fmt != "xlsx":  # a workbook's zip entries carry the time of writing
        assert response.content == FORMATS[fmt].write(read_crosswalk(kg, target))
    head = client.head(f"/download/crosswalk/{name}")
    assert head.status_code == 200 and head.headers["etag"] == response.headers["etag"]


def test_etag_revalidates_with_304(client: TestClient) -> None:
    url = "/download/crosswalk/prm-iso20000-1-2005.csv"
    etag = client.get(url).headers["etag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = client.get("/download/crosswalk/prm-iso20000-1-2005.sssom.tsv").headers["etag"]
    assert other != etag


@pytest.mark.parametrize(
    "name",
    [
        "prm-iso20000-1-2099.csv",
        "prm-iso20000-1-2005.pdf",
        "prm-iso20000-1-2005",
        "prm-iso20000-1-2005.sssom",
        ".csv",
    ],
)
def test_unknown_slug_or_suffix_is_404(client: TestClient, name: str) -> None:
    response = client.get(f"/download/crosswalk/{name}")
    assert response.status_code == 404
    body = response.json()
    assert body["status"] == 404 and f"no crosswalk download {name}" in body["error"]
    assert "prm-iso20000-1-2005" in body["error"] and ".oscal.json" in body["error"]
    page = client.get(f"/download/crosswalk/{name}", headers={"Accept": BROWSER})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "<h1>Not found</h1>" in page.text and f"no crosswalk download {name}" in page.text


@pytest.fixture(scope="module")
def fixture_client(fixture_settings: Settings, fixture_kg: KnowledgeGraph) -> Iterator[TestClient]:
    """A service on the fixture dataset, which holds no crosswalk mapping set."""
    with TestClient(create_app(fixture_settings, fixture_kg)) as test_client:
        yield test_client


def test_a_set_the_dataset_lacks_is_404(fixture_client: TestClient) -> None:
    response = fixture_client.get("/download/crosswalk/prm-iso20000-1-2005.csv")
    assert response.status_code == 404
    assert (
        "no mapping set <https://w3id.org/itsm-prm/id/mapping-set/prm-iso20000-1-2005>"
        in response.json()["error"]
    )
    page = fixture_client.get("/download", headers={"Accept": BROWSER})
    assert page.status_code == 200 and "/download/crosswalk/" not in page.text


def test_a_record_that_does_not_resolve_fails_the_download(
    settings: Settings, kg: KnowledgeGraph, tmp_path: Path
) -> None:
    broken = patched_kg(
        kg, record_quads("CHAN-99.9", ID + "process/CHAN", ID + "iso20000-1/2005/clause/99.9"), tmp_path
    )
    with TestClient(create_app(settings, broken), raise_server_exceptions=False) as client:
        response = client.get("/download/crosswalk/prm-iso20000-1-2005.oscal.json")
        assert response.status_code == 500
        assert "mapping-set/prm-iso20000-1-2005/CHAN-99.9" in response.json()["error"]
        assert "clause/99.9" in response.json()["error"]
        assert client.get("/download/crosswalk/prm-iso20000-1-2018.csv").status_code == (
            200 if TARGETS["iso20000-1:2018"] in PRESENT else 404
        )


def test_downloads_page_links_every_crosswalk_file(client: TestClient) -> None:
    page = client.get("/download", headers={"Accept": BROWSER})
    assert page.status_code == 200
    assert '<h2 id="crosswalks">Crosswalks</h2>' in page.text
    for target in TARGETS.values():
        for fmt in FORMATS.values():
            link = f'href="/download/crosswalk/{fmt.filename(target)}"'
            assert (link in page.text) == (target in PRESENT), link
