"""``POST /api/assessments/validate``, ``POST /api/assessments/profile`` and the upload page ``/assess``:
every supported body, the report and profile they answer with, and 400 (with the position), 413, 415."""

from __future__ import annotations

import re
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph

from itsm_prm.assessment.io import write_template
from itsm_prm.knowledge_graph import KnowledgeGraph
from tests.cli.test_cli_assess import (
    ASSESSMENT,
    EXPECTED_LEVELS,
    EXPECTED_TARGETS,
    INPUT,
    VALID,
    assert_self_contained,
    expected_results,
    fill_template,
    invalid_examples,
    profile_rows,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
VALIDATE = "/api/assessments/validate"
PROFILE = "/api/assessments/profile"


@pytest.fixture(scope="module")
def filled_csv(kg: KnowledgeGraph) -> bytes:
    return fill_template(write_template("csv", kg).decode("utf-8")).encode("utf-8")


@pytest.fixture(scope="module")
def valid_ttl() -> bytes:
    return VALID.read_bytes()


def test_validate_the_valid_example_as_turtle(client: TestClient, valid_ttl: bytes) -> None:
    response = client.post(VALIDATE, content=valid_ttl, headers={"Content-Type": "text/turtle"})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["conforms"] is True and report["violations"] == 0
    assert set(report) == {"conforms", "violations", "warnings", "results"}


@pytest.mark.parametrize("example", invalid_examples(), ids=lambda p: p.stem)
def test_validate_answers_as_the_cli_does(client: TestClient, example: Path) -> None:
    """The report type of ``itsm-prm validate --format json``, with each invalid example's results."""
    response = client.post(VALIDATE, content=example.read_bytes(), headers={"Content-Type": "text/turtle"})
    assert response.status_code == 200, response.text
    report = response.json()
    for result in report["results"]:
        assert set(result) == {"severity", "focus", "focus_label", "path", "value", "message", "shape"}
    found = sorted((r["severity"], r["focus"], r["message"]) for r in report["results"])
    assert found == expected_results(example)
    assert report["conforms"] is (report["violations"] == 0)


def test_profile_of_the_filled_csv(client: TestClient, filled_csv: bytes) -> None:
    response = client.post(PROFILE, content=filled_csv, headers={"Content-Type": "text/csv"})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert set(answer) == {"profile", "validation"}
    profile = answer["profile"]
    assert profile["assessment"] == ASSESSMENT
    assert {p["processId"]: p["derivedLevel"] for p in profile["processes"]} == EXPECTED_LEVELS
    assert {p["processId"]: p["targetLevel"] for p in profile["processes"]} == EXPECTED_TARGETS
    assert isinstance(answer["validation"]["conforms"], bool)


def test_profile_of_an_xlsx_upload(client: TestClient, kg: KnowledgeGraph) -> None:
    workbook = openpyxl.load_workbook(BytesIO(write_template("xlsx", kg)))
    values = {**INPUT, "target level INC": "2", "target level PRO": ""}
    for row in workbook["Input"].iter_rows(min_row=2):
        if row[0].value in values:
            row[1].value = values[row[0].value]
    ratings = workbook["Ratings"]
    header = [c.value for c in ratings[1]]
    for row in ratings.iter_rows(min_row=2):
        if row[0].value == "INC" and row[header.index("item")].value in ("PA 1.1", "PA 2.1", "PA 2.2"):
            row[header.index("rating")].value = "F"
    body = BytesIO()
    workbook.save(body)
    response = client.post(PROFILE, content=body.getvalue(), headers={"Content-Type": XLSX})
    assert response.status_code == 200, response.text
    processes = response.json()["profile"]["processes"]
    assert [(p["processId"], p["targetLevel"], p["derivedLevel"]) for p in processes] == [("INC", 2, 2)]


def test_json_ld_body(client: TestClient, valid_ttl: bytes) -> None:
    body = Graph().parse(data=valid_ttl, format="turtle").serialize(format="json-ld")
    response = client.post(VALIDATE, content=body, headers={"Content-Type": "application/ld+json"})
    assert response.status_code == 200, response.text
    assert response.json()["conforms"] is True


def test_form_upload_to_the_api(client: TestClient, valid_ttl: bytes) -> None:
    files = {"file": ("valid-all-ten.ttl", valid_ttl, "application/octet-stream")}
    response = client.post(PROFILE, files=files)
    assert response.status_code == 200, response.text
    assert len(response.json()["profile"]["processes"]) == 10


# -- errors


def test_malformed_turtle_is_400_with_line_and_column(client: TestClient, valid_ttl: bytes) -> None:
    broken = valid_ttl.replace(b" .\n", b" \n", 1)
    response = client.post(VALIDATE, content=broken, headers={"Content-Type": "text/turtle"})
    assert response.status_code == 400
    assert re.search(r"line \d+, column \d+", response.json()["error"]), response.json()


def test_bad_spreadsheet_cell_is_400_with_row_and_column(client: TestClient, filled_csv: bytes) -> None:
    bad = filled_csv.replace(b",PA 2.1,Performance management,L,", b",PA 2.1,Performance management,X,")
    assert bad != filled_csv
    response = client.post(PROFILE, content=bad, headers={"Content-Type": "text/csv"})
    assert response.status_code == 400
    message = response.json()["error"]
    assert "row" in message and "rating" in message and "'X'" in message, message


def test_unsupported_content_type_is_415(client: TestClient, valid_ttl: bytes) -> None:
    for content_type in ("application/rdf+xml", "text/plain", None):
        headers = {"Content-Type": content_type} if content_type else {}
        response = client.post(VALIDATE, content=valid_ttl, headers=headers)
        assert response.status_code == 415, (content_type, response.text)
        assert "text/turtle" in response.json()["error"]


def test_body_over_the_limit_is_413(make_client: Callable[..., TestClient], valid_ttl: bytes) -> None:
    small = make_client(max_body_bytes=1024)
    assert len(valid_ttl) > 1024
    for path in (VALIDATE, PROFILE):
        response = small.post(path, content=valid_ttl, headers={"Content-Type": "text/turtle"})
        assert response.status_code == 413
        assert "ITSM_PRM_MAX_BODY_BYTES" in response.json()["error"]


def test_empty_body_is_400(client: TestClient) -> None:
    response = client.post(VALIDATE, content=b"", headers={"Content-Type": "text/turtle"})
    assert response.status_code == 400
    assert "empty" in response.json()["error"]


def test_get_is_not_allowed(client: TestClient) -> None:
    assert client.get(VALIDATE).status_code == 405


def test_openapi_documents_both_operations(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (VALIDATE, PROFILE, "/api/assessments/report"):
        operation = paths[path]["post"]
        assert set(operation["requestBody"]["content"]) == {
            "text/turtle",
            "application/ld+json",
            "text/csv",
            XLSX,
            "multipart/form-data",
        }
        assert {"200", "400", "413", "415"} <= set(operation["responses"])


# -- the upload page


def test_upload_page_has_a_form_that_works_without_script(client: TestClient) -> None:
    response = client.get("/assess")
    assert response.status_code == 200
    html = response.text
    assert re.search(r'<form[^>]+method="post"[^>]+enctype="multipart/form-data"', html)
    assert 'name="file"' in html and "<script" not in html
    assert 'href="/assess"' in client.get("/").text, "linked from the site navigation"


def test_upload_page_shows_the_report_and_the_profile(client: TestClient, valid_ttl: bytes) -> None:
    files = {"file": ("valid-all-ten.ttl", valid_ttl, "text/turtle")}
    response = client.post("/assess", files=files)
    assert response.status_code == 200, response.text
    html = response.text
    assert "valid-all-ten.ttl" in html
    assert 'data-conforms="true"' in html
    assert profile_rows(html) == 10


def test_upload_page_shows_a_bad_file_as_an_error(client: TestClient, valid_ttl: bytes) -> None:
    files = {"file": ("broken.ttl", valid_ttl.replace(b" .\n", b" \n", 1), "text/turtle")}
    response = client.post("/assess", files=files)
    assert response.status_code == 400
    assert 'id="upload-error"' in response.text and "broken.ttl line" in response.text


NO_ASSESSMENT = b"@prefix x: <https://example.org/> .\nx:a x:b x:c .\n"


def test_validate_a_file_without_an_assessment_is_a_report(client: TestClient) -> None:
    response = client.post(VALIDATE, content=NO_ASSESSMENT, headers={"Content-Type": "text/turtle"})
    assert response.status_code == 200, response.text
    assert response.json()["conforms"] is False


def test_profile_of_a_file_without_an_assessment_is_400(client: TestClient) -> None:
    response = client.post(PROFILE, content=NO_ASSESSMENT, headers={"Content-Type": "text/turtle"})
    assert response.status_code == 400
    assert "asmt:Assessment" in response.json()["error"]


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        ("multipart/form-data", b"xx", "not a readable multipart/form-data body"),
        (
            "multipart/form-data; boundary=zz",
            b'--zz\r\nContent-Disposition: form-data; name="other"\r\n\r\n1\r\n--zz--\r\n',
            "no file field 'file'",
        ),
        (
            "multipart/form-data; boundary=zz",
            b'--zz\r\nContent-Disposition: form-data; name="file"; filename="a.ttl"\r\n\r\n\r\n--zz--\r\n',
            "no file chosen",
        ),
    ],
)
def test_bad_form_uploads_are_400(client: TestClient, content_type: str, body: bytes, expected: str) -> None:
    response = client.post(VALIDATE, content=body, headers={"Content-Type": content_type})
    assert response.status_code == 400
    assert expected in response.json()["error"]


def test_upload_page_refuses_an_unsupported_body_with_415(client: TestClient) -> None:
    response = client.post("/assess", content=b"x", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415
    assert 'id="upload-error"' in response.text


def test_report_download_is_one_self_contained_page(client: TestClient, valid_ttl: bytes) -> None:
    files = {"file": ("valid all ten.ttl", valid_ttl, "text/turtle")}
    response = client.post("/api/assessments/report", files=files)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-disposition"] == 'attachment; filename="valid-all-ten-report.html"'
    assert_self_contained(response.text)
    assert profile_rows(response.text) == 10
    page = client.get("/assess").text
    assert 'formaction="/api/assessments/report"' in page, "the upload form offers the download"
