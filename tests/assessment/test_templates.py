"""The assessor's rating templates: one row per attribute, outcome and stated level; input rows; XLSX drop-downs."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from itsm_prm.assessment.io import HEADERS, catalogue, write_template
from itsm_prm.assessment.vocabulary import ATTRIBUTES
from itsm_prm.errors import UnknownFormatError

PROCESS_IDS = ["INC", "PRO", "CHAN", "CONF", "REL", "SLM", "ITFM", "CAP", "ITSCM", "AVA"]
ATTRIBUTE_NOTATIONS = [
    "PA 1.1",
    "PA 2.1",
    "PA 2.2",
    "PA 3.1",
    "PA 3.2",
    "PA 4.1",
    "PA 4.2",
    "PA 5.1",
    "PA 5.2",
]


def csv_sections() -> tuple[list[list[str]], list[dict[str, str]]]:
    rows = list(csv.reader(io.StringIO(write_template("csv").decode("utf-8-sig"))))
    start = rows.index(list(HEADERS))
    return rows[:start], [dict(zip(HEADERS, row, strict=True)) for row in rows[start + 1 :]]


def test_catalogue_lists_the_ten_processes_and_61_outcomes_in_the_models_order() -> None:
    cat = catalogue()
    assert [p.id for p in cat.processes] == PROCESS_IDS
    assert sum(len(p.outcomes) for p in cat.processes) == 61
    assert [o.id for o in cat.by_id["INC"].outcomes] == [f"INC.{n}" for n in range(1, 8)]
    assert cat.by_id["INC"].name == "Incident Management"
    optional = [o.id for p in cat.processes for o in p.outcomes if o.optional]
    assert optional and all(o.startswith("ITFM.") for o in optional)


def test_catalogue_from_the_knowledge_graph_equals_the_one_from_the_source_file(kg: object) -> None:
    assert catalogue(kg) == catalogue()  # type: ignore[arg-type]


def test_csv_template_has_one_row_per_attribute_outcome_and_level_of_every_process() -> None:
    _, ratings = csv_sections()
    assert len(ratings) == 10 * 9 + 61 + 10
    assert list(dict.fromkeys(r["process"] for r in ratings)) == PROCESS_IDS
    for pid in PROCESS_IDS:
        rows = [r for r in ratings if r["process"] == pid]
        assert [r["item"] for r in rows if r["kind"] == "attribute"] == ATTRIBUTE_NOTATIONS
        assert [r["item_text"] for r in rows if r["kind"] == "attribute"] == [a.name for a in ATTRIBUTES]
        outcomes = [r["item"] for r in rows if r["kind"] == "outcome"]
        assert outcomes == [o.id for o in catalogue().by_id[pid].outcomes]
        assert [r["item"] for r in rows if r["kind"] == "level"] == ["capability level"]
    assert {r["rating"] for r in ratings} == {""}  # nothing is pre-rated
    inc1 = next(r for r in ratings if r["item"] == "INC.1")
    assert inc1["process_name"] == "Incident Management"
    assert inc1["item_text"] == "An Event Management Strategy is developed;"
    itfm_optional = [r for r in ratings if r["process"] == "ITFM" and "optional outcome" in r["item_text"]]
    assert {r["item"] for r in itfm_optional} == {
        o.id for o in catalogue().by_id["ITFM"].outcomes if o.optional
    }


def test_csv_template_starts_with_the_input_rows_and_one_target_level_per_process() -> None:
    inputs, _ = csv_sections()
    assert inputs[0] == ["field", "value", "help"]
    keys = [row[0] for row in inputs[1:] if row]
    assert keys == [
        "assessment id",
        "date",
        "sponsor",
        "purpose",
        "organisational unit",
        "constraints",
        "approach",
        "assessors",
        "competent assessor",
        "participants",
        *[f"target level {pid}" for pid in PROCESS_IDS],
    ]
    assert inputs[-1] == []  # the empty row that separates the input from the rating table


def test_csv_template_is_utf8_with_a_byte_order_mark_for_spreadsheet_programs() -> None:
    assert write_template("csv").startswith(b"\xef\xbb\xbf")


def test_xlsx_template_has_ratings_and_input_sheets_with_bold_frozen_headers() -> None:
    book = load_workbook(io.BytesIO(write_template("xlsx")))
    assert book.sheetnames == ["Ratings", "Input", "Help"]
    ratings, inputs = book["Ratings"], book["Input"]
    assert [c.value for c in ratings[1]] == list(HEADERS)
    assert all(c.font.bold for c in ratings[1])
    assert ratings.freeze_panes == "E2"
    assert ratings.max_row == 1 + 161
    assert ratings.column_dimensions["E"].width == 60
    assert [c.value for c in inputs[1]] == ["field", "value", "help"]
    assert inputs["A2"].value == "assessment id" and inputs["A12"].value == "target level INC"
    assert inputs.max_row == 1 + 10 + 10
    explained = [row[0] for row in book["Help"].iter_rows(min_row=2, max_row=12, values_only=True)]
    assert explained == list(HEADERS)


def _validation_cells(sheet: object, formula: str) -> set[str]:
    cells: set[str] = set()
    for dv in sheet.data_validations.dataValidation:  # type: ignore[attr-defined]
        if dv.formula1 == formula:
            for cell_range in dv.sqref.ranges:
                cells.update(
                    f"{cell.column_letter}{cell.row}"
                    for row in sheet.iter_rows(  # type: ignore[attr-defined]
                        min_row=cell_range.min_row,
                        max_row=cell_range.max_row,
                        min_col=cell_range.min_col,
                        max_col=cell_range.max_col,
                    )
                    for cell in row
                )
    return cells


def test_xlsx_template_has_drop_down_lists_for_ratings_levels_and_not_applicable() -> None:
    book = load_workbook(io.BytesIO(write_template("xlsx")))
    ratings = book["Ratings"]
    kinds = {row: ratings[f"C{row}"].value for row in range(2, ratings.max_row + 1)}
    letters = _validation_cells(ratings, '"N,P,L,F"')
    levels = _validation_cells(ratings, '"0,1,2,3,4,5"')
    yes_no = _validation_cells(ratings, '"yes,no"')
    assert letters == {f"F{r}" for r, kind in kinds.items() if kind in ("attribute", "outcome")}
    assert levels == {f"F{r}" for r, kind in kinds.items() if kind == "level"}
    assert yes_no == {f"H{r}" for r, kind in kinds.items() if kind == "outcome"}
    assert all(dv.showErrorMessage for dv in ratings.data_validations.dataValidation)
    targets = _validation_cells(book["Input"], '"0,1,2,3,4,5"')
    assert targets == {f"B{r}" for r in range(12, 22)}


def test_unknown_template_format_is_refused() -> None:
    with pytest.raises(UnknownFormatError, match="choose from csv, xlsx"):
        write_template("ods")
