"""Crosswalk spreadsheets with the columns of NIST IR 8477 STRM sheets (CSV and XLSX).

The model is the focal document: its process or outcome is the FDE (focal document element), the clause
or practice is the target. Relations are written in words as GRC sheets do ("subset of"). The XLSX has a
second sheet, "About", with the set's metadata, licence, the relation legend and the coverage rule.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from itsm_prm.crosswalk.records import (
    COVERAGE_RULE,
    RELATIONS,
    Crosswalk,
    MappingRecord,
    local_name,
    term_words,
)


@dataclass(frozen=True)
class Column:
    header: str
    width: int  # XLSX column width in characters
    value: Callable[[Crosswalk, MappingRecord], str | int | None]


def _agents(crosswalk: Crosswalk, iris: tuple[str, ...]) -> str:
    return "; ".join(crosswalk.agent_names.get(i, i) for i in iris)


COLUMNS: tuple[Column, ...] = (
    Column("FDE#", 10, lambda c, r: r.subject.id),
    Column("FDE name", 28, lambda c, r: r.subject.label),
    Column("FDE text", 60, lambda c, r: r.subject.text),
    Column("STRM rationale", 14, lambda c, r: term_words(r.rationale, "Rationale")),
    Column("STRM relationship", 18, lambda c, r: r.relation.words),
    Column("Strength of relationship", 12, lambda c, r: r.strength),
    Column("Target ID", 14, lambda c, r: r.object.id if r.object else ""),
    Column("Target title", 36, lambda c, r: r.object.label if r.object else "(no counterpart)"),
    Column("Target paraphrase (ours)", 48, lambda c, r: r.object.text if r.object else ""),
    Column("Notes", 70, lambda c, r: " ".join((r.comment or "", *r.editorial_notes)).strip()),
    Column("Status", 12, lambda c, r: term_words(r.status)),
    Column("Justification", 24, lambda c, r: local_name(r.justification)),
    Column("Cardinality", 11, lambda c, r: r.cardinality),
    Column("Author", 22, lambda c, r: _agents(c, r.authors)),
    Column("Date", 12, lambda c, r: r.date),
    Column("Reviewer", 22, lambda c, r: _agents(c, r.reviewers)),
    Column("Review date", 12, lambda c, r: r.review_date),
    Column("Derived from", 60, lambda c, r: " ".join(r.derived_from)),
    Column("FDE IRI", 40, lambda c, r: r.subject.iri),
    Column("Target IRI", 48, lambda c, r: r.object_iri),
    Column("Record IRI", 56, lambda c, r: r.iri),
)
HEADERS = tuple(c.header for c in COLUMNS)


def strm_rows(crosswalk: Crosswalk) -> list[list[str | int | None]]:
    """One row per record, in :data:`COLUMNS` order."""
    return [[column.value(crosswalk, record) for column in COLUMNS] for record in crosswalk.records]


def to_csv(crosswalk: Crosswalk) -> bytes:
    """CSV (RFC 4180, UTF-8 with a byte-order mark so spreadsheet programs read the accents)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows([["" if v is None else v for v in row] for row in strm_rows(crosswalk)])
    return out.getvalue().encode("utf-8-sig")


def about_rows(crosswalk: Crosswalk) -> list[tuple[str, str]]:
    """The "About" sheet: what the set is, where it comes from, how to read it."""
    info = crosswalk.mapping_set

    def source(s: object) -> str:
        label, version, iri = (getattr(s, k) for k in ("label", "version", "iri"))
        return f"{label} (version {version}) <{iri}>" if version else f"{label} <{iri}>"

    rows: list[tuple[str, str]] = [
        ("Mapping set", info.title),
        ("Mapping set IRI", info.iri),
        ("Description", info.description or ""),
        ("Focal document (FDE)", source(info.subject_source)),
        ("Target", source(info.object_source)),
        ("Records", str(len(crosswalk.records))),
        (
            "Derived",
            "yes: carried through the ISO/IEC 20000-1 edition crosswalk, then reviewed"
            if crosswalk.target.derived
            else "no: curated directly",
        ),
        ("Derived from", " ".join(info.derived_from)),
        ("Licence", info.license or ""),
        ("Creator", _agents(crosswalk, info.creators)),
        ("Sources cited", "; ".join(info.cited_sources)),
        ("Dataset version", f"{crosswalk.dataset_version} (content hash {crosswalk.dataset_key[:12]})"),
        ("Last modified", crosswalk.last_modified or ""),
        ("", ""),
        ("Relationship (STRM)", "Meaning, and coverage of the target element"),
    ]
    rows += [(r.words, f"{r.meaning}; coverage: {r.coverage}") for r in RELATIONS.values()]
    rows += [
        ("Coverage rule", COVERAGE_RULE),
        (
            "Strength of relationship",
            "1 (weak) to 10 (strong), NIST IR 8477; SSSOM confidence = strength / 10",
        ),
        ("Target paraphrase", "Our own one-line paraphrase of the clause, never the standard's text"),
    ]
    return [(k, v) for k, v in rows if v or not k]


def to_xlsx(crosswalk: Crosswalk) -> bytes:
    """XLSX: sheet "Crosswalk" (bold, frozen header, auto-filter) and sheet "About"."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Crosswalk"
    sheet.append(list(HEADERS))
    for row in strm_rows(crosswalk):
        sheet.append(row)
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    wrap = Alignment(vertical="top", wrap_text=True)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "B2"  # the header row and the FDE# column stay in view
    sheet.auto_filter.ref = sheet.dimensions

    about = book.create_sheet("About")
    for key, value in about_rows(crosswalk):
        about.append([key, value])
    for cell in about["A"]:
        cell.font = bold
        cell.alignment = wrap
    for cell in about["B"]:
        cell.alignment = wrap
    about.column_dimensions["A"].width = 26
    about.column_dimensions["B"].width = 100

    # fixed document properties: the same dataset gives the same file contents
    book.properties.creator = "itsm-prm"
    book.properties.title = crosswalk.mapping_set.title
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
