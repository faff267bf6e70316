"""The crosswalk analysis queries as API operations: the ``edition`` parameter's OpenAPI schema, 422s that
name the field (bad edition, clause the edition lacks), and answers in JSON and CSV."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from fastapi.testclient import TestClient

ID = "https://w3id.org/itsm-prm/id/"
EDITION_QUERIES = (
    "crosswalk-coverage",
    "crosswalk-coverage-summary",
    "crosswalk-gaps",
    "crosswalk-mappings",
    "crosswalk-reverse",
    "crosswalk-unmapped-outcomes",
)


def bindings(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in row.items()} for row in response.json()["results"]["bindings"]]


@pytest.mark.parametrize("name", EDITION_QUERIES)
def test_edition_is_documented_with_its_choices(client: TestClient, name: str) -> None:
    operation = client.get("/openapi.json").json()["paths"][f"/api/queries/{name}"]["get"]
    edition = next(p for p in operation["parameters"] if p["name"] == "edition")
    assert edition["required"] is True
    assert edition["schema"]["type"] == "string"
    assert edition["schema"]["enum"] == [
        "iso20000-1:2005", "2005", "iso20000-1:2011", "2011", "iso20000-1:2018", "2018", "itil4"
    ]


def test_catalog_lists_the_parameter_types(client: TestClient) -> None:
    listed = {q["name"]: q for q in client.get("/api/queries").json()["queries"]}
    assert listed["crosswalk-reverse"]["params"]["edition"]["type"] == "edition"
    assert listed["crosswalk-reverse"]["params"]["element"]["type"] == "edition-element"


@pytest.mark.parametrize("name", EDITION_QUERIES)
def test_unknown_edition_is_422_naming_the_field(client: TestClient, name: str) -> None:
    params = {"edition": "2006", "subject": "CHAN", "element": "8.2"}
    wanted = {"crosswalk-mappings": ("subject", "edition"), "crosswalk-reverse": ("element", "edition")}
    sent = {k: params[k] for k in wanted.get(name, ("edition",))}
    response = client.get(f"/api/queries/{name}", params=sent)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error.startswith("parameter 'edition': unknown crosswalk target '2006'")
    assert "iso20000-1:2018" in error


def test_clause_not_in_the_edition_is_422(client: TestClient) -> None:
    response = client.get("/api/queries/crosswalk-reverse", params={"element": "8.5.1", "edition": "2005"})
    assert response.status_code == 422
    assert response.json()["error"] == "parameter 'element': no clause '8.5.1' in ISO/IEC 20000-1:2005"
    response = client.get(
        "/api/queries/crosswalk-reverse", params={"element": "change-management", "edition": "itil4"}
    )
    assert response.status_code == 422
    assert response.json()["error"] == "parameter 'element': no practice 'change-management' in ITIL 4"


def test_missing_element_is_422(client: TestClient) -> None:
    response = client.get("/api/queries/crosswalk-reverse", params={"edition": "2005"})
    assert response.status_code == 422
    assert "element" in response.text


def test_unknown_subject_is_422(client: TestClient) -> None:
    response = client.get("/api/queries/crosswalk-mappings", params={"subject": "XYZ", "edition": "2005"})
    assert response.status_code == 422
    assert response.json()["error"].startswith("unknown subject 'XYZ'")


def test_reverse_by_spelled_edition_and_practice_name(client: TestClient) -> None:
    rows = bindings(
        client.get(
            "/api/queries/crosswalk-reverse", params={"element": "Change enablement", "edition": "ITIL 4"}
        )
    )
    assert [(r["subjectId"], r["relationLabel"], r["element"]) for r in rows] == [
        ("CHAN", "equal to", ID + "itil/4/practice/change-enablement")
    ]


def test_coverage_summary_as_csv(client: TestClient) -> None:
    response = client.get(
        "/api/queries/crosswalk-coverage-summary", params={"edition": "iso20000-1:2005", "format": "csv"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows[-1]["groupTitle"] == "all" and rows[-1]["group"] == ""
    assert (rows[-1]["elements"], rows[-1]["full"], rows[-1]["partial"], rows[-1]["none"]) == ("25", "8", "5", "12")
    assert float(rows[-1]["fullPercent"]) == 32.0 and float(rows[-1]["coveredPercent"]) == 52.0


def test_mappings_include_outcomes_flag(client: TestClient) -> None:
    url = "/api/queries/crosswalk-mappings"
    everything = bindings(client.get(url, params={"subject": "CHAN", "edition": "2005"}))
    alone = bindings(client.get(url, params={"subject": "CHAN", "edition": "2005", "include_outcomes": "false"}))
    assert len(everything) == 10
    assert [(r["subjectId"], r["objectId"]) for r in alone] == [("CHAN", "9.2")]
    response = client.get(url, params={"subject": "CHAN", "edition": "2005", "include_outcomes": "maybe"})
    assert response.status_code == 422
