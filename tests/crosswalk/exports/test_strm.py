"""CSV and XLSX with STRM columns: every record once, in the records' order; the workbook's header is
bold and frozen with an auto-filter, and its "About" sheet carries the metadata and the legend."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from itsm_prm.crosswalk.records import RELATIONS, Crosswalk
from itsm_prm.crosswalk.strm import HEADERS
from itsm_prm.crosswalk.targets import Target
from tests.crosswalk.exports.conftest import PRESENT, target_ids

pytestmark = pytest.mark.parametrize("target", PRESENT, ids=target_ids(PRESENT))


def check_rows(rows: list[dict[str, object]], crosswalk: Crosswalk) -> None:
    assert [row["Record IRI"] for row in rows] == [r.iri for r in crosswalk.records]
    for row, r in zip(rows, crosswalk.records, strict=True):
        assert row["FDE#"] == r.subject.id and row["FDE IRI"] == r.subject.iri
        assert row["STRM relationship"] == r.relation.words
        assert str(row["Strength of relationship"]) == ("" if r.strength is None else str(r.strength))
        assert row["Target IRI"] == r.object_iri
        assert row["Target ID"] == (r.object.id if r.object else "")
        assert row["STRM rationale"] in ("syntactic", "semantic", "functional")
        assert row["Derived from"] == " ".join(r.derived_from)
        assert row["Notes"].startswith(r.comment or "")


def test_csv_holds_every_record(
    target: Target, crosswalks: dict[str, Crosswalk], exported: dict[tuple[str, str], Path]
) -> None:
    data = exported[(target.key, "csv")].read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # spreadsheet programs read UTF-8 by its BOM
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    assert tuple(reader.fieldnames or ()) == HEADERS
    check_rows(list(reader), crosswalks[target.key])


def test_xlsx_holds_every_record_with_a_usable_header(
    target: Target, crosswalks: dict[str, Crosswalk], exported: dict[tuple[str, str], Path]
) -> None:
    book = load_workbook(exported[(target.key, "xlsx")])
    assert book.sheetnames == ["Crosswalk", "About"]
    sheet = book["Crosswalk"]
    header = [c.value for c in sheet[1]]
    assert tuple(header) == HEADERS
    assert all(c.font.bold for c in sheet[1])
    assert sheet.freeze_panes == "B2"
    assert (
        sheet.auto_filter.ref
        == f"A1:{sheet.cell(1, len(HEADERS)).column_letter}{len(crosswalks[target.key].records) + 1}"
    )
    assert sheet.column_dimensions["C"].width > sheet.column_dimensions["A"].width  # the FDE text is wide
    rows = [
        {h: ("" if v is None else v) for h, v in zip(header, values, strict=True)}
        for values in sheet.iter_rows(min_row=2, values_only=True)
    ]
    check_rows(rows, crosswalks[target.key])


def test_xlsx_about_sheet(
    target: Target, crosswalks: dict[str, Crosswalk], exported: dict[tuple[str, str], Path]
) -> None:
    about = dict(load_workbook(exported[(target.key, "xlsx")])["About"].iter_rows(values_only=True))
    info = crosswalks[target.key].mapping_set
    assert about["Mapping set IRI"] == target.mapping_set
    assert about["Licence"] == info.license
    assert about["Records"] == str(len(crosswalks[target.key].records))
    assert target.label in about["Target"]
    assert about["Coverage rule"].startswith("A target element is fully covered when")
    for relation in RELATIONS.values():
        assert about[relation.words].endswith(f"coverage: {relation.coverage}")
    assert about["Derived"].startswith("yes" if target.derived else "no")
