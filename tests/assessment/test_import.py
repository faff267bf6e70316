"""Import of assessments: filled CSV / XLSX templates → the contract's RDF; Turtle and JSON-LD; every error's position."""

from __future__ import annotations

import csv
import io
import socket
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from itsm_prm.assessment.io import HEADERS, import_format, load_assessment, write_template
from itsm_prm.assessment.vocabulary import ASMT, ID15504
from itsm_prm.errors import InputError, UnknownFormatError

FIXTURES = Path(__file__).parent / "fixtures"
A = "https://example.org/assessment/7"
PROC = "https://w3id.org/itsm-prm/id/process/"
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")

#: The input of the Turtle fixture, as an assessor types it.
INPUT = {
    "assessment id": A,
    "date": "2026-10-01",
    "sponsor": "Sam Sponsor",
    "purpose": "Baseline before the service desk merger",
    "organisational unit": "Service desk",
    "constraints": "Two days on site",
    "approach": "Interviews and document review",
    "assessors": "Ada Assessor",
    "competent assessor": "Ada Assessor",
    "participants": "Pat Participant",
    "target level INC": "2",
}
#: The ratings of the Turtle fixture: (process, item) → column values.
RATINGS = {
    ("INC", "PA 1.1"): {
        "rating": "F",
        "percent": "90.0",
        "evidence": "Incident log 2026-Q3 https://intranet.example.org/incidents",
        "comment": "All incidents are logged",
    },
    ("INC", "INC.1"): {"rating": "L"},
}


# -- filling the templates as an assessor would


def fill_csv(
    inputs: dict[str, str], ratings: dict[tuple[str, str], dict[str, str]], delimiter: str = ","
) -> bytes:
    rows = list(csv.reader(io.StringIO(write_template("csv").decode("utf-8-sig"))))
    start = rows.index(list(HEADERS))
    for row in rows[:start]:
        if row and row[0] in inputs:
            row[1] = inputs[row[0]]
    for row in rows[start + 1 :]:
        for column, value in ratings.get((row[0], row[3]), {}).items():
            row[HEADERS.index(column)] = value
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode("utf-8")


def csv_row_of(data: bytes, process: str, item: str) -> int:
    """The spreadsheet row number of a rating row in a filled CSV."""
    for number, row in enumerate(csv.reader(io.StringIO(data.decode("utf-8-sig"))), start=1):
        if row[:1] == [process] and row[3] == item:
            return number
    raise AssertionError(f"no row {process} {item}")


def fill_xlsx(
    inputs: dict[str, str | object], ratings: dict[tuple[str, str], dict[str, object]]
) -> tuple[bytes, dict[tuple[str, str], int]]:
    """The filled workbook and the row number of every (process, item)."""
    book = load_workbook(io.BytesIO(write_template("xlsx")))
    for row in book["Input"].iter_rows(min_row=2):
        if row[0].value in inputs:
            row[1].value = inputs[row[0].value]
    where: dict[tuple[str, str], int] = {}
    for row in book["Ratings"].iter_rows(min_row=2):
        key = (row[0].value, row[3].value)
        where[key] = row[0].row  # type: ignore[index]
        for column, value in ratings.get(key, {}).items():  # type: ignore[arg-type]
            row[HEADERS.index(column)].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), where


def fixture_graph() -> Graph:
    return Graph().parse(FIXTURES / "assessment.ttl")


# -- round trips


def test_filled_csv_template_gives_the_same_graph_as_the_turtle_fixture() -> None:
    graph = load_assessment(fill_csv(INPUT, RATINGS), filename="ratings.csv")
    assert isomorphic(graph, fixture_graph())


def test_filled_xlsx_template_gives_the_same_graph_as_the_turtle_fixture() -> None:
    data, _ = fill_xlsx(INPUT, RATINGS)  # type: ignore[arg-type]
    assert isomorphic(load_assessment(data, filename="ratings.xlsx"), fixture_graph())


def test_csv_saved_with_semicolons_reads_the_same() -> None:
    graph = load_assessment(fill_csv(INPUT, RATINGS, delimiter=";"), filename="ratings.csv")
    assert isomorphic(graph, fixture_graph())


def test_xlsx_native_cells_percent_format_na_level_and_scope() -> None:
    """Excel's own cell types: a date cell, numbers, a cell shown as 85 %; N/A outcomes, a stated level."""
    from datetime import datetime

    optional = "ITFM.4"
    inputs = {
        **INPUT,
        "date": datetime(2026, 10, 1),
        "target level INC": 3,
        "target level ITFM": 1.0,
        "assessors": "Ada Assessor; Bo Second",
    }
    ratings: dict[tuple[str, str], dict[str, object]] = {
        ("INC", "PA 1.1"): {"rating": "f", "percent": 90},
        ("INC", "PA 2.1"): {"rating": "L", "percent": 0.85},
        ("INC", "capability level"): {"rating": 2},
        ("ITFM", optional): {"not_applicable": "yes", "justification": "No charging in this unit"},
        ("ITFM", "ITFM.1"): {"rating": "P", "evidence": "Budget 2026; https://intranet.example.org/budget"},
    }
    data, where = fill_xlsx(inputs, ratings)
    book = load_workbook(io.BytesIO(data))
    book["Ratings"][f"G{where[('INC', 'PA 2.1')]}"].number_format = "0%"
    out = io.BytesIO()
    book.save(out)
    g = load_assessment(out.getvalue(), fmt="xlsx")

    inc, itfm = URIRef(f"{A}/INC"), URIRef(f"{A}/ITFM")
    assert set(g.objects(URIRef(A), ASMT.assessedProcess)) == {inc, itfm}
    assert g.value(URIRef(A), ASMT.assessmentDate) == Literal("2026-10-01", datatype=XSD_DATE)
    assert g.value(inc, ASMT.statedCapabilityLevel) == URIRef(f"{ID15504}capability-level/2")
    targets = {
        (g.value(s, ASMT.process), g.value(s, ASMT.targetLevel))
        for s in g.objects(URIRef(f"{A}/input"), ASMT.scopeItem)
    }
    assert targets == {
        (URIRef(PROC + "INC"), URIRef(f"{ID15504}capability-level/3")),
        (URIRef(PROC + "ITFM"), URIRef(f"{ID15504}capability-level/1")),
    }
    assert len(set(g.objects(URIRef(f"{A}/input"), ASMT.assessor))) == 2

    def rating_of(process: URIRef, item: URIRef) -> URIRef:
        for r in g.objects(process, ASMT.attributeRating | ASMT.outcomeRating):
            if item in (g.value(r, ASMT.attribute), g.value(r, ASMT.outcome)):
                return r  # type: ignore[return-value]
        raise AssertionError(item)

    pa11 = rating_of(inc, URIRef(f"{ID15504}process-attribute/PA1.1"))
    assert g.value(pa11, ASMT.rating) == URIRef(f"{ID15504}rating/F")
    assert g.value(pa11, ASMT.percent).eq(Literal("90", datatype=XSD_DECIMAL))  # type: ignore[union-attr]
    pa21 = rating_of(inc, URIRef(f"{ID15504}process-attribute/PA2.1"))
    assert g.value(pa21, ASMT.percent).toPython() == 85  # type: ignore[union-attr]
    na = rating_of(itfm, URIRef(PROC + "ITFM/outcome/4"))
    assert (na, RDF.type, ASMT.OutcomeRating) in g
    assert g.value(na, ASMT.notApplicable) == Literal(True)
    assert g.value(na, ASMT.rating) is None
    assert g.value(na, ASMT.justification) == Literal("No charging in this unit", lang="en")
    itfm1 = rating_of(itfm, URIRef(PROC + "ITFM/outcome/1"))
    evidence = set(g.objects(itfm1, ASMT.evidence))
    assert {str(g.value(e, RDFS.label)) for e in evidence} == {
        "Budget 2026",
        "https://intranet.example.org/budget",
    }
    assert {str(g.value(e, ASMT.location)) for e in evidence if g.value(e, ASMT.location)} == {
        "https://intranet.example.org/budget"
    }
    assert evidence <= set(g.objects(URIRef(A), ASMT.evidence))
    # the unrated rows of the template add nothing
    assert len(list(g.subjects(RDF.type, ASMT.AttributeRating))) == 2
    assert len(list(g.subjects(RDF.type, ASMT.OutcomeRating))) == 2


def test_the_same_evidence_text_is_one_evidence_item() -> None:
    ratings = {
        ("INC", "PA 1.1"): {"rating": "F", "evidence": "Incident log"},
        ("INC", "INC.1"): {"rating": "L", "evidence": "Incident log"},
    }
    g = load_assessment(fill_csv(INPUT, ratings), filename="ratings.csv")
    assert len(list(g.subjects(RDF.type, ASMT.EvidenceItem))) == 1


def test_an_empty_target_level_leaves_the_process_outside_the_scope() -> None:
    g = load_assessment(fill_csv({**INPUT, "target level INC": ""}, {}), filename="ratings.csv")
    assert list(g.objects(URIRef(f"{A}/input"), ASMT.scopeItem)) == []
    assert list(g.objects(URIRef(A), ASMT.assessedProcess)) == []


def test_input_carries_no_derived_statements() -> None:
    g = load_assessment(fill_csv(INPUT, {("INC", "capability level"): {"rating": "1"}}), filename="x.csv")
    assert list(g.subject_objects(ASMT.derivedCapabilityLevel)) == []


# -- errors point at sheet, row and column


def _xlsx_error(inputs: dict[str, object], ratings: dict[tuple[str, str], dict[str, object]]) -> str:
    data, _ = fill_xlsx(inputs, ratings)
    with pytest.raises(InputError) as info:
        load_assessment(data, filename="ratings.xlsx")
    return str(info.value)


def _csv_error(inputs: dict[str, str], ratings: dict[tuple[str, str], dict[str, str]]) -> str:
    with pytest.raises(InputError) as info:
        load_assessment(fill_csv(inputs, ratings), filename="ratings.csv")
    return str(info.value)


# (what, input changes, rating row, rating row values, XLSX message, CSV message)
# The rating rows of INC: PA 1.1 is row 2 (XLSX) / 24 (CSV: 20 input rows, 1 empty, 1 header before it).
RATING_ERRORS = [
    (
        "bad letter",
        ("INC", "PA 1.1"),
        {"rating": "X"},
        "Ratings!F2: 'X' is not a rating (N, P, L or F)",
        "ratings.csv row 24, column rating: 'X' is not a rating (N, P, L or F)",
    ),
    (
        "percent not a number",
        ("INC", "PA 2.1"),
        {"rating": "F", "percent": "ninety"},
        "Ratings!G3: percent 'ninety' is not a number",
        "ratings.csv row 25, column percent: percent 'ninety' is not a number",
    ),
    (
        "not_applicable not yes or no",
        ("INC", "INC.1"),
        {"not_applicable": "maybe"},
        "Ratings!H11: not_applicable 'maybe' is not yes or no",
        "ratings.csv row 33, column not_applicable: not_applicable 'maybe' is not yes or no",
    ),
    (
        "not applicable on an attribute",
        ("INC", "PA 1.1"),
        {"not_applicable": "yes"},
        "Ratings!H2: not_applicable is for optional outcomes only, not PA 1.1",
        "ratings.csv row 24, column not_applicable: not_applicable is for optional outcomes only, not PA 1.1",
    ),
    (
        "stated level not a level",
        ("INC", "capability level"),
        {"rating": "7"},
        "Ratings!F18: the capability level of INC '7' is not a capability level (0 to 5)",
        "ratings.csv row 40, column rating: the capability level of INC '7' is not a capability level (0 to 5)",
    ),
]


@pytest.mark.parametrize(("what", "key", "values", "xlsx_message", "csv_message"), RATING_ERRORS)
def test_rating_errors_name_sheet_row_and_column(
    what: str, key: tuple[str, str], values: dict[str, str], xlsx_message: str, csv_message: str
) -> None:
    assert _xlsx_error(INPUT, {key: values}) == xlsx_message  # type: ignore[arg-type]
    assert _csv_error(INPUT, {key: values}) == csv_message


@pytest.mark.parametrize(
    ("column", "value", "xlsx_message", "csv_message"),
    [
        (
            "process",
            "XYZ",
            "Ratings!A2: unknown process 'XYZ' (expected one of INC, PRO, CHAN, CONF, REL, SLM, ITFM, CAP, ITSCM, AVA)",
            "ratings.csv row 24, column process: unknown process 'XYZ' (expected one of INC, PRO, CHAN, CONF, REL, SLM, ITFM, CAP, ITSCM, AVA)",
        ),
        (
            "process",
            "",
            "Ratings!A2: no process",
            "ratings.csv row 24, column process: no process",
        ),
        (
            "item",
            "PA 6.1",
            "Ratings!D2: unknown attribute or outcome 'PA 6.1' (expected PA 1.1 to PA 5.2, an outcome such as INC.3, or 'capability level')",
            "ratings.csv row 24, column item: unknown attribute or outcome 'PA 6.1' (expected PA 1.1 to PA 5.2, an outcome such as INC.3, or 'capability level')",
        ),
        (
            "item",
            "INC.9",
            "Ratings!D2: unknown outcome 'INC.9' (Incident Management has INC.1 to INC.7)",
            "ratings.csv row 24, column item: unknown outcome 'INC.9' (Incident Management has INC.1 to INC.7)",
        ),
        (
            "item",
            "FOO.1",
            "Ratings!D2: unknown outcome 'FOO.1' (no process 'FOO')",
            "ratings.csv row 24, column item: unknown outcome 'FOO.1' (no process 'FOO')",
        ),
    ],
)
def test_unknown_process_attribute_or_outcome_is_named_with_its_cell(
    column: str, value: str, xlsx_message: str, csv_message: str
) -> None:
    """The first template row (INC, PA 1.1) is rated F and one of its identifying cells overwritten."""
    data, _ = fill_xlsx(INPUT, {("INC", "PA 1.1"): {"rating": "F", column: value}})  # type: ignore[arg-type]
    with pytest.raises(InputError) as info:
        load_assessment(data, filename="ratings.xlsx")
    assert str(info.value) == xlsx_message

    rows = list(csv.reader(io.StringIO(fill_csv(INPUT, {("INC", "PA 1.1"): {"rating": "F"}}).decode())))
    rows[23][HEADERS.index(column)] = value
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    with pytest.raises(InputError) as info:
        load_assessment(out.getvalue().encode(), filename="ratings.csv")
    assert str(info.value) == csv_message


@pytest.mark.parametrize(
    ("field", "value", "xlsx_message", "csv_message"),
    [
        (
            "date",
            "01/10/2026",
            "Input!B3: '01/10/2026' is not a date (write it as YYYY-MM-DD)",
            "ratings.csv row 3, column value: '01/10/2026' is not a date (write it as YYYY-MM-DD)",
        ),
        (
            "date",
            "2026-02-30",
            "Input!B3: '2026-02-30' is not a date (write it as YYYY-MM-DD)",
            "ratings.csv row 3, column value: '2026-02-30' is not a date (write it as YYYY-MM-DD)",
        ),
        (
            "assessment id",
            "",
            "Input!B2: assessment id is missing (give an IRI such as https://example.org/assessment/42 or urn:uuid:…)",
            "ratings.csv row 2, column value: assessment id is missing (give an IRI such as https://example.org/assessment/42 or urn:uuid:…)",
        ),
        (
            "assessment id",
            "assessment 42",
            "Input!B2: assessment id 'assessment 42' is not an IRI (e.g. https://example.org/assessment/42 or urn:uuid:…)",
            "ratings.csv row 2, column value: assessment id 'assessment 42' is not an IRI (e.g. https://example.org/assessment/42 or urn:uuid:…)",
        ),
        (
            "target level INC",
            "high",
            "Input!B12: target level of INC 'high' is not a capability level (0 to 5)",
            "ratings.csv row 12, column value: target level of INC 'high' is not a capability level (0 to 5)",
        ),
    ],
)
def test_input_errors_name_sheet_row_and_column(
    field: str, value: str, xlsx_message: str, csv_message: str
) -> None:
    assert _xlsx_error({**INPUT, field: value}, {}) == xlsx_message
    assert _csv_error({**INPUT, field: value}, {}) == csv_message


def _edit_input_key(old: str, new: str) -> tuple[bytes, bytes]:
    """The filled XLSX and CSV with one input field name changed."""
    data, _ = fill_xlsx(INPUT, RATINGS)  # type: ignore[arg-type]
    book = load_workbook(io.BytesIO(data))
    for row in book["Input"].iter_rows():
        if row[0].value == old:
            row[0].value = new
            row[1].value = new and row[1].value
    out = io.BytesIO()
    book.save(out)
    text = fill_csv(INPUT, RATINGS).decode().replace(f"{old},", f"{new},", 1)
    return out.getvalue(), text.encode()


def test_a_missing_assessment_id_row_is_named() -> None:
    xlsx, csv_data = _edit_input_key("assessment id", "")
    with pytest.raises(InputError, match=r"^Input: no 'assessment id' row"):
        load_assessment(xlsx, filename="ratings.xlsx")
    with pytest.raises(InputError, match=r"^ratings.csv row 2, column field: a value without a field name"):
        load_assessment(csv_data, filename="ratings.csv")


def test_an_unknown_input_field_is_named() -> None:
    xlsx, csv_data = _edit_input_key("sponsor", "sponsr")
    with pytest.raises(InputError, match=r"^Input!A4: unknown input field 'sponsr' \(expected "):
        load_assessment(xlsx, filename="ratings.xlsx")
    with pytest.raises(InputError, match=r"^ratings.csv row 4, column field: unknown input field 'sponsr'"):
        load_assessment(csv_data, filename="ratings.csv")


def test_an_unknown_process_in_a_target_level_row_is_named() -> None:
    xlsx, csv_data = _edit_input_key("target level INC", "target level XYZ")
    with pytest.raises(InputError, match=r"^Input!A12: unknown process 'XYZ'"):
        load_assessment(xlsx, filename="ratings.xlsx")
    with pytest.raises(InputError, match=r"^ratings.csv row 12, column field: unknown process 'XYZ'"):
        load_assessment(csv_data, filename="ratings.csv")


# -- whole-file errors


def _zip_without_workbook() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return out.getvalue()


def _workbook_without_input_sheet() -> bytes:
    book = Workbook()
    book.active.title = "Ratings"  # type: ignore[union-attr]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "ratings.csv", r"^ratings.csv: the file is empty$"),
        (b"  \r\n", "ratings.xlsx", r"^ratings.xlsx: the file is empty$"),
        (
            b"process,item\nINC,PA 1.1\n",
            "ratings.csv",
            r"^ratings.csv: no rating table \(a header row with the columns process, process_name, ",
        ),
        (b"\xff\xfe\x00garbage", "ratings.csv", r"^ratings.csv: not UTF-8 text \(byte 0\)"),
        (
            b"process,kind,item\nthis is text",
            "ratings.xlsx",
            r"^ratings.xlsx: not an XLSX workbook \(not a zip file\); save it as .xlsx, or send CSV$",
        ),
        (_zip_without_workbook(), "ratings.xlsx", r"^ratings.xlsx: not an XLSX workbook \("),
        (
            _workbook_without_input_sheet(),
            "ratings.xlsx",
            r"^ratings.xlsx: no sheet 'Input' \(the workbook has 'Ratings'\)$",
        ),
    ],
)
def test_unusable_files_are_refused_in_one_line(data: bytes, filename: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        load_assessment(data, filename=filename)
    assert "\n" not in str(info.value)


def test_a_ratings_sheet_without_the_rating_columns_is_named() -> None:
    data, _ = fill_xlsx(INPUT, {})  # type: ignore[arg-type]
    book = load_workbook(io.BytesIO(data))
    book["Ratings"]["F1"].value = "score"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(
        InputError, match=r"^Ratings!1:1: the header row needs the columns process, item and rating$"
    ):
        load_assessment(out.getvalue(), filename="ratings.xlsx")


def test_files_over_the_size_limit_are_refused() -> None:
    data = fill_csv(INPUT, RATINGS)
    with pytest.raises(
        InputError, match=r"^ratings.csv: file is [\d,]+ bytes, over the limit of 1,000 bytes$"
    ):
        load_assessment(data, filename="ratings.csv", max_bytes=1000)
    with pytest.raises(InputError, match=r"over the limit of 100 bytes$"):
        load_assessment((FIXTURES / "assessment.ttl").read_bytes(), filename="a.ttl", max_bytes=100)


def test_messages_name_the_file_never_its_folder() -> None:
    with pytest.raises(InputError, match=r"^ratings.csv: the file is empty$"):
        load_assessment(b"", filename="/home/someone/uploads/ratings.csv")


# -- RDF


def test_turtle_and_json_ld_fixtures_import_to_the_same_graph() -> None:
    ttl = load_assessment((FIXTURES / "assessment.ttl").read_bytes(), filename="assessment.ttl")
    jsonld = load_assessment((FIXTURES / "assessment.jsonld").read_bytes(), filename="assessment.jsonld")
    assert len(ttl) == 40
    assert isomorphic(ttl, jsonld)
    assert isomorphic(ttl, fixture_graph())


def test_malformed_turtle_is_refused_with_its_line() -> None:
    text = (FIXTURES / "assessment.ttl").read_bytes().replace(b"asmt:purpose", b"asmt:purpose asmt:", 1)
    with pytest.raises(InputError, match=r"^assessment.ttl line 18, column \d+: "):
        load_assessment(text, filename="assessment.ttl")


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every attempt to open a connection is recorded and fails."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        raise OSError("network access in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


def test_json_ld_with_a_remote_context_is_refused_without_fetching_it(no_network: list[object]) -> None:
    document = b"""{"@context": "https://example.org/assessment-context.jsonld",
                    "@id": "https://example.org/assessment/1", "@type": "Assessment"}"""
    with pytest.raises(InputError, match=r"remote JSON-LD @context is not fetched"):
        load_assessment(document, filename="assessment.jsonld")
    with pytest.raises(InputError, match=r"remote JSON-LD @context is not fetched"):
        load_assessment(document)  # sniffed as JSON-LD
    assert no_network == []


# -- which format


@pytest.mark.parametrize(
    ("fmt", "filename", "data", "expected"),
    [
        ("XLSX", None, b"", "xlsx"),
        ("turtle", None, b"", "ttl"),
        ("json-ld", None, b"", "jsonld"),
        (None, "ratings.CSV", b"", "csv"),
        (None, "a.xlsx", b"", "xlsx"),
        (None, "a.ttl", b"", "ttl"),
        (None, "a.json", b"", "jsonld"),
        (None, None, b"PK\x03\x04rest", "xlsx"),
        (None, None, b'  {"@context": {}}', "jsonld"),
        (None, None, b"@prefix asmt: <https://w3id.org/itsm-prm/assessment#> .", "ttl"),
        (None, None, b"PREFIX asmt: <https://w3id.org/itsm-prm/assessment#>", "ttl"),
        (None, None, b"<https://example.org/a> a <https://example.org/B> .", "ttl"),
        (None, None, b"\xef\xbb\xbffield,value,help\r\n", "csv"),
        (None, "upload.bin", b"field,value\n", "csv"),
    ],
)
def test_format_from_name_extension_or_content(
    fmt: str | None, filename: str | None, data: bytes, expected: str
) -> None:
    assert import_format(fmt, filename, data) == expected


def test_an_unknown_format_name_is_refused() -> None:
    with pytest.raises(
        UnknownFormatError, match=r"unknown assessment format 'ods' \(choose from csv, xlsx, ttl, jsonld\)"
    ):
        load_assessment(b"x", fmt="ods")


@pytest.mark.parametrize(
    "loader", [lambda d: load_assessment(d), lambda d: load_assessment(d, filename="a.csv")]
)
def test_content_sniffing_reads_a_csv_without_a_name(loader: Callable[[bytes], Graph]) -> None:
    assert isomorphic(loader(fill_csv(INPUT, RATINGS)), fixture_graph())


def test_rdf_xml_with_an_entity_declaration_is_refused() -> None:
    document = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [<!ENTITY a "aaaaaaaaaa">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>"""
    with pytest.raises(
        InputError, match=r"^assessment.rdf: RDF/XML with a DOCTYPE or ENTITY declaration is refused"
    ):
        load_assessment(document, filename="assessment.rdf")
