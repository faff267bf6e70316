"""Assessor formats: the CSV and XLSX rating templates, and import of CSV, XLSX, Turtle and JSON-LD.

The template has one row per rating: for each of the ten processes one row per process attribute
(PA 1.1 … PA 5.2), one row per outcome of the process, and one optional row for the capability level
the assessors state (checked against the level derived from the ratings). Columns:

=================  ================================================================================
``process``        process ID (``INC``)
``process_name``   the process name (for reading only)
``kind``           ``attribute``, ``outcome`` or ``level`` (for reading only; ``item`` decides)
``item``           ``PA 1.1`` … ``PA 5.2``, an outcome ID (``INC.3``) or ``capability level``
``item_text``      the attribute name or outcome statement (for reading only)
``rating``         ``N``, ``P``, ``L`` or ``F``; on the ``level`` row a capability level 0–5
``percent``        optional achievement in percent (0–100)
``not_applicable`` ``yes`` for an optional outcome that does not apply (give a ``justification``)
``justification``  why an outcome is not applicable
``evidence``       evidence items, separated by ``;``; a URL at the end of an item is where it is kept
``comment``        the assessor's comment
=================  ================================================================================

A row with neither a rating nor ``not_applicable`` is skipped, so the unrated rows of the template
can stay as they are.

The assessment input is a list of ``field, value`` rows: ``assessment id`` (an IRI such as
``https://example.org/assessment/42`` or ``urn:uuid:…``; required), ``date`` (YYYY-MM-DD),
``sponsor``, ``purpose``, ``organisational unit``, ``constraints``, ``approach``, ``assessors``
and ``participants`` (names separated by ``;``), ``competent assessor``, and one row
``target level INC`` … per process: the highest capability level to examine (0–5), empty when the
process is outside the scope.

* **XLSX**: sheet ``Ratings`` (the rating rows, with drop-down lists) and sheet ``Input`` (the
  ``field, value, help`` rows).
* **CSV**: one file — first the ``field, value, help`` input rows, then an empty row, then the
  rating table starting with its header row (``process, process_name, …``). Row numbers in error
  messages are the rows a spreadsheet program shows.

Import turns the rows into the assessment RDF of ``ontology/assessment.ttl``; it checks only what a
parser must (known processes, attributes and outcomes, letters, numbers, dates, the assessment id)
and points at sheet, row and column. Everything else (bands, scope, one rating per attribute, …) is
the SHACL shapes' job. Turtle and JSON-LD go through :mod:`itsm_prm.rdfio` (size limit, no remote
JSON-LD ``@context``, line numbers).
"""

from __future__ import annotations

import csv
import functools
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from io import BytesIO, StringIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef

from itsm_prm import rdfio
from itsm_prm.assessment.vocabulary import (
    ASMT,
    ATTRIBUTES,
    RATINGS,
    Attribute,
    attribute_by_notation,
    level_iri,
)
from itsm_prm.errors import InputError, UnknownFormatError

if TYPE_CHECKING:
    from itsm_prm.knowledge_graph import KnowledgeGraph

FOAF = Namespace("http://xmlns.com/foaf/0.1/")

#: Formats :func:`load_assessment` reads (plus the other RDF syntaxes :mod:`itsm_prm.rdfio` knows).
IMPORT_FORMATS = ("csv", "xlsx", "ttl", "jsonld")
TEMPLATE_FORMATS = ("csv", "xlsx")

RATINGS_SHEET = "Ratings"
INPUT_SHEET = "Input"
LEVEL_ITEM = "capability level"
#: An XLSX whose parts unpack to more than this is refused before openpyxl reads it (zip bombs).
MAX_UNPACKED_XLSX_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class Column:
    name: str
    width: int  # XLSX width in characters
    help: str  # the "Help" sheet of the XLSX template


COLUMNS: tuple[Column, ...] = (
    Column("process", 9, "Process ID (INC, PRO, CHAN, CONF, REL, SLM, ITFM, CAP, ITSCM, AVA)"),
    Column("process_name", 26, "The process name (for reading only)"),
    Column("kind", 10, "attribute, outcome or level (for reading only: the item decides)"),
    Column("item", 16, "PA 1.1 to PA 5.2, an outcome ID such as INC.3, or 'capability level'"),
    Column("item_text", 60, "The attribute name or the outcome statement (for reading only)"),
    Column(
        "rating",
        8,
        "N (0-15 %), P (>15-50 %), L (>50-85 %) or F (>85-100 %); on the level row a capability level 0-5. "
        "A row with no rating and no not_applicable is skipped",
    ),
    Column("percent", 9, "Optional: the achievement in percent (0-100), inside the band of the rating"),
    Column("not_applicable", 14, "yes for an optional outcome that does not apply; give a justification"),
    Column("justification", 30, "Why the outcome is not applicable"),
    Column(
        "evidence",
        30,
        "Evidence items separated by ; (a URL at the end of an item says where it is kept)",
    ),
    Column("comment", 40, "The assessor's comment"),
)
HEADERS = tuple(c.name for c in COLUMNS)
_COL = {name: index for index, name in enumerate(HEADERS)}


@dataclass(frozen=True)
class InputField:
    key: str
    help: str


INPUT_FIELDS: tuple[InputField, ...] = (
    InputField(
        "assessment id", "Required. An IRI naming the assessment, e.g. https://example.org/assessment/42"
    ),
    InputField("date", "Date of the assessment, YYYY-MM-DD"),
    InputField("sponsor", "Name of the sponsor"),
    InputField("purpose", "Purpose of the assessment"),
    InputField("organisational unit", "The organisational unit assessed"),
    InputField(
        "constraints", "Constraints on the assessment (resources, duration, exclusions, use of outputs)"
    ),
    InputField("approach", "The assessment approach used"),
    InputField("assessors", "Names of the assessors, separated by ;"),
    InputField("competent assessor", "Name of the competent assessor (one of the assessors)"),
    InputField("participants", "Names of the participants, separated by ;"),
)
_TARGET_PREFIX = "target level "
_NAME_LIST_FIELDS = {"assessors", "participants"}
_TEXT_FIELDS = {
    "purpose": ASMT.purpose,
    "organisational unit": ASMT.organisationalUnit,
    "constraints": ASMT.constraints,
}
_FIELD_ALIASES = {
    "organizational unit": "organisational unit",
    "id": "assessment id",
    "assessment": "assessment id",
}


# -- the PRM processes and outcomes the template lists and the import checks against


@dataclass(frozen=True)
class PrmOutcome:
    id: str  # INC.3
    iri: str
    number: int
    statement: str
    optional: bool


@dataclass(frozen=True)
class PrmProcess:
    id: str
    iri: str
    name: str
    outcomes: tuple[PrmOutcome, ...]


@dataclass(frozen=True)
class Catalogue:
    """The model's processes in order, each with its outcomes in order."""

    processes: tuple[PrmProcess, ...]

    @functools.cached_property
    def by_id(self) -> dict[str, PrmProcess]:
        return {p.id.upper(): p for p in self.processes}

    @functools.cached_property
    def outcomes(self) -> dict[str, tuple[PrmProcess, PrmOutcome]]:
        return {o.id.upper(): (p, o) for p in self.processes for o in p.outcomes}


_CATALOGUE_QUERY = """
PREFIX prm:  <https://w3id.org/itsm-prm/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?process ?id ?name ?section ?outcome ?oid ?number ?statement ?optional WHERE {
  ?process a prm:Process ; prm:processId ?id ; prm:processName ?name ; prm:sectionNumber ?section ;
           prm:hasOutcome ?outcome .
  ?outcome prm:outcomeNumber ?number ; skos:notation ?oid ; prm:statement ?statement .
  OPTIONAL { ?outcome prm:isOptional ?optional }
}
"""


def _catalogue_from_rows(rows: Iterable[dict[str, Any]]) -> Catalogue:
    processes: dict[str, tuple[str, str, str, list[PrmOutcome]]] = {}
    for row in rows:
        pid = str(row["id"])
        entry = processes.setdefault(pid, (str(row["process"]), str(row["name"]), str(row["section"]), []))
        optional = row.get("optional")
        entry[3].append(
            PrmOutcome(
                str(row["oid"]),
                str(row["outcome"]),
                int(str(row["number"])),
                str(row["statement"]),
                optional is not None and str(optional).lower() in ("true", "1"),
            )
        )

    def section_key(item: tuple[str, tuple[str, str, str, list[PrmOutcome]]]) -> list[int]:
        return [int(part) if part.isdigit() else 0 for part in item[1][2].split(".")]

    return Catalogue(
        tuple(
            PrmProcess(pid, iri, name, tuple(sorted(outcomes, key=lambda o: o.number)))
            for pid, (iri, name, _section, outcomes) in sorted(processes.items(), key=section_key)
        )
    )


@functools.lru_cache(maxsize=4)
def _catalogue_from_file(path: Path) -> Catalogue:
    graph = Graph()
    graph.parse(path, format="turtle")
    result = graph.query(_CATALOGUE_QUERY)
    names = [str(v) for v in result.vars or []]
    return _catalogue_from_rows(
        {name: value for name, value in zip(names, row, strict=True)}  # type: ignore[arg-type]
        for row in result
    )


def catalogue(kg: KnowledgeGraph | None = None) -> Catalogue:
    """The processes and outcomes from the knowledge graph, or (without one) from the model's source file."""
    if kg is None:
        from itsm_prm.config import Settings  # settings only when no graph is at hand

        return _catalogue_from_file(Settings().resources_root() / "data" / "prm.ttl")
    result = kg.query(_CATALOGUE_QUERY)
    rows = getattr(result, "rows", [])
    return _catalogue_from_rows({k: v for k, v in row.items() if v is not None} for row in rows)


# -- template


def _template_rows(cat: Catalogue) -> list[list[str]]:
    rows: list[list[str]] = []
    for process in cat.processes:
        for attribute in ATTRIBUTES:
            rows.append([process.id, process.name, "attribute", attribute.notation, attribute.name])
        for outcome in process.outcomes:
            text = outcome.statement
            if outcome.optional:
                text += " [optional outcome: may be marked not applicable, with a justification]"
            rows.append([process.id, process.name, "outcome", outcome.id, text])
        rows.append(
            [
                process.id,
                process.name,
                "level",
                LEVEL_ITEM,
                "Optional: the capability level (0-5) the assessors state; checked against the derived level",
            ]
        )
    width = len(HEADERS)
    return [row + [""] * (width - len(row)) for row in rows]


def _input_rows(cat: Catalogue) -> list[list[str]]:
    rows = [[f.key, "", f.help] for f in INPUT_FIELDS]
    rows += [
        [
            f"{_TARGET_PREFIX}{p.id}",
            "",
            f"{p.name}: highest capability level to examine (0-5); empty if outside the scope",
        ]
        for p in cat.processes
    ]
    return rows


def write_template(fmt: str, kg: KnowledgeGraph | None = None) -> bytes:
    """The empty rating template as CSV or XLSX bytes (see the module docstring for the layout)."""
    fmt = fmt.lower()
    cat = catalogue(kg)
    if fmt == "csv":
        out = StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["field", "value", "help"])
        writer.writerows(_input_rows(cat))
        writer.writerow([])
        writer.writerow(HEADERS)
        writer.writerows(_template_rows(cat))
        return out.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheet programs read UTF-8
    if fmt == "xlsx":
        return _xlsx_template(cat)
    raise UnknownFormatError(f"unknown template format {fmt!r} (choose from {', '.join(TEMPLATE_FORMATS)})")


def _xlsx_template(cat: Catalogue) -> bytes:
    from openpyxl import Workbook  # imported on first use: only workbooks need it
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = RATINGS_SHEET
    sheet.append(list(HEADERS))
    rows = _template_rows(cat)
    for row in rows:
        sheet.append(row)
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    for (cell,) in sheet.iter_rows(min_row=2, min_col=_COL["item_text"] + 1, max_col=_COL["item_text"] + 1):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "E2"  # header row and process/name/kind/item stay in view
    sheet.auto_filter.ref = sheet.dimensions

    letters = DataValidation(type="list", formula1='"N,P,L,F"', allow_blank=True)
    letters.error, letters.errorTitle = "Choose N, P, L or F", "Rating"
    levels = DataValidation(type="list", formula1='"0,1,2,3,4,5"', allow_blank=True)
    levels.error, levels.errorTitle = "Choose a capability level from 0 to 5", "Capability level"
    yes_no = DataValidation(type="list", formula1='"yes,no"', allow_blank=True)
    yes_no.error, yes_no.errorTitle = "Choose yes or no", "Not applicable"
    percent = DataValidation(
        type="decimal", operator="between", formula1="0", formula2="100", allow_blank=True
    )
    percent.error, percent.errorTitle = "A percentage from 0 to 100", "Percent"
    rating_col = get_column_letter(_COL["rating"] + 1)
    na_col = get_column_letter(_COL["not_applicable"] + 1)
    percent_col = get_column_letter(_COL["percent"] + 1)
    for number, row in enumerate(rows, start=2):
        kind = row[_COL["kind"]]
        if kind == "level":
            levels.add(f"{rating_col}{number}")
            continue
        letters.add(f"{rating_col}{number}")
        percent.add(f"{percent_col}{number}")
        if kind == "outcome":
            yes_no.add(f"{na_col}{number}")
    for validation in (letters, levels, yes_no, percent):
        validation.showErrorMessage = True
        sheet.add_data_validation(validation)

    info = book.create_sheet(INPUT_SHEET)
    info.append(["field", "value", "help"])
    first_target = None
    for number, row in enumerate(_input_rows(cat), start=2):
        info.append(row)
        if row[0].startswith(_TARGET_PREFIX) and first_target is None:
            first_target = number
    for cell in info[1]:
        cell.font = bold
    for cell in info["A"]:
        cell.font = bold
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 50
    info.column_dimensions["C"].width = 80
    info.freeze_panes = "B2"
    targets = DataValidation(type="list", formula1='"0,1,2,3,4,5"', allow_blank=True)
    targets.error, targets.errorTitle = "Choose a capability level from 0 to 5", "Target level"
    targets.showErrorMessage = True
    targets.add(f"B{first_target}:B{info.max_row}")
    info.add_data_validation(targets)

    help_sheet = book.create_sheet("Help")
    help_sheet.append(["column", "what to write"])
    for column in COLUMNS:
        help_sheet.append([column.name, column.help])
    help_sheet.append([])
    help_sheet.append(
        [
            "capability level",
            "Derived from the ratings by the ISO/IEC 15504-2 rule: level n when every attribute of level n "
            "is L or F and every attribute of the lower levels is F",
        ]
    )
    help_sheet.append(["Input sheet", "One value per field; assessors and participants separated by ;"])
    for cell in help_sheet["A"]:
        cell.font = bold
    for cell in help_sheet[1]:
        cell.font = bold
    help_sheet.column_dimensions["A"].width = 18
    help_sheet.column_dimensions["B"].width = 110

    book.properties.creator = "itsm-prm"
    book.properties.title = "ISO/IEC 15504-2 assessment template (itsm-prm)"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


# -- reading spreadsheets


@dataclass(frozen=True)
class _Cell:
    """One cell's value and where it is, for messages: ``Ratings!F12`` or ``a.csv row 12, column rating``."""

    value: Any
    where: str
    percent_format: bool = False  # an XLSX cell shown as a percentage holds 0.9 for 90 %


@dataclass(frozen=True)
class _Row:
    number: int
    cells: tuple[_Cell, ...]

    def text(self, index: int) -> str:
        return _text(self.cells[index].value) if index < len(self.cells) else ""


class _Locator:
    """Builds the position text for one sheet (XLSX) or one CSV file."""

    def __init__(self, name: str, xlsx: bool) -> None:
        self.name = name
        self.xlsx = xlsx

    def cell(self, row: int, col: int, header: str) -> str:
        if self.xlsx:
            from openpyxl.utils import get_column_letter

            return f"{self.name}!{get_column_letter(col + 1)}{row}"
        return f"{self.name} row {row}, column {header}"

    def row(self, row: int) -> str:
        return f"{self.name}!{row}:{row}" if self.xlsx else f"{self.name} row {row}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _normal(text: str) -> str:
    return " ".join(text.replace("_", " ").lower().split())


def _check_size(data: bytes, name: str, max_bytes: int | None) -> None:
    if max_bytes is not None and len(data) > max_bytes:
        raise InputError(f"{name}: file is {len(data):,} bytes, over the limit of {max_bytes:,} bytes")
    if not data.strip():
        raise InputError(f"{name}: the file is empty")


def _csv_rows(data: bytes, name: str) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (byte {exc.start}); save the CSV as UTF-8") from None
    # Excel writes ";" in locales with a decimal comma: take the first delimiter that yields the rating header
    fallback: list[list[str]] | None = None
    for delimiter in (",", ";", "\t"):
        try:
            rows = list(csv.reader(StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error as exc:
            raise InputError(f"{name}: not a readable CSV file ({exc})") from None
        if any(_is_rating_header(row) for row in rows):
            return rows
        fallback = fallback or rows
    return fallback or []


def _is_rating_header(values: Sequence[str]) -> bool:
    names = {_normal(v) for v in values}
    return {"process", "item", "rating"} <= names


def _sheet_rows(values: Iterable[Sequence[Any]], locator: _Locator, start: int = 1) -> list[_Row]:
    rows = []
    for number, row in enumerate(values, start=start):
        cells = []
        for col, cell in enumerate(row):
            value = getattr(cell, "value", cell)
            fmt = getattr(cell, "number_format", "") or ""
            cells.append(_Cell(value, locator.cell(number, col, ""), "%" in fmt))
        rows.append(_Row(number, tuple(cells)))
    return rows


@dataclass
class _Table:
    """Rows of one section with the column names of its header row."""

    locator: _Locator
    header: dict[str, int]
    rows: list[_Row]

    def get(self, row: _Row, name: str) -> _Cell:
        index = self.header.get(name)
        where_col = index if index is not None else 0
        where = self.locator.cell(row.number, where_col, name)
        if index is None or index >= len(row.cells):
            return _Cell(None, where)
        cell = row.cells[index]
        return _Cell(cell.value, where, cell.percent_format)


def _header(row: _Row) -> dict[str, int]:
    header: dict[str, int] = {}
    for index, cell in enumerate(row.cells):
        name = _normal(_text(cell.value)).replace(" ", "_")
        if name and name not in header:
            header[name] = index
    return header


def _read_csv(data: bytes, name: str) -> tuple[_Table, _Table]:
    locator = _Locator(name, xlsx=False)
    raw = _csv_rows(data, name)
    start = next((i for i, values in enumerate(raw) if _is_rating_header(values)), None)
    if start is None:
        raise InputError(
            f"{name}: no rating table (a header row with the columns {', '.join(HEADERS)}); "
            "start from `itsm-prm assess template --format csv`"
        )
    rows = _sheet_rows(raw, locator)
    input_rows = [r for r in rows[:start] if _normal(r.text(0)) != "field"]
    input_table = _Table(locator, {"field": 0, "value": 1}, input_rows)
    return input_table, _Table(locator, _header(rows[start]), rows[start + 1 :])


def _read_xlsx(data: bytes, name: str) -> tuple[_Table, _Table]:
    buffer = BytesIO(data)
    if not zipfile.is_zipfile(buffer):
        raise InputError(f"{name}: not an XLSX workbook (not a zip file); save it as .xlsx, or send CSV")
    try:
        with zipfile.ZipFile(buffer) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise InputError(f"{name}: not an XLSX workbook ({exc})") from None
    if unpacked > MAX_UNPACKED_XLSX_BYTES:
        raise InputError(
            f"{name}: the workbook unpacks to {unpacked:,} bytes, over {MAX_UNPACKED_XLSX_BYTES:,}"
        )
    from openpyxl import load_workbook

    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a zip that is not a workbook
        raise InputError(f"{name}: not an XLSX workbook ({type(exc).__name__}: {exc})") from None
    try:
        sheets = {_normal(title): title for title in book.sheetnames}
        missing = [s for s in (RATINGS_SHEET, INPUT_SHEET) if _normal(s) not in sheets]
        if missing:
            raise InputError(
                f"{name}: no sheet {' or '.join(repr(s) for s in missing)} "
                f"(the workbook has {', '.join(repr(s) for s in book.sheetnames)})"
            )
        tables = []
        for wanted in (INPUT_SHEET, RATINGS_SHEET):
            title = sheets[_normal(wanted)]
            locator = _Locator(title, xlsx=True)
            rows = [
                r
                for r in _sheet_rows(book[title].iter_rows(), locator)
                if any(_text(c.value) for c in r.cells)
            ]
            if not rows:
                raise InputError(f"{name}: sheet {title!r} is empty")
            header = _header(rows[0])
            if wanted == RATINGS_SHEET and not _is_rating_header(list(header)):
                raise InputError(
                    f"{locator.row(rows[0].number)}: "
                    "the header row needs the columns process, item and rating"
                )
            body = rows[1:] if _normal(rows[0].text(0)) in ("field", "process") else rows
            tables.append(
                _Table(locator, header if wanted == RATINGS_SHEET else {"field": 0, "value": 1}, body)
            )
    finally:
        book.close()
    return tables[0], tables[1]


# -- rows → RDF


_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")
_OUTCOME_ID = re.compile(r"^([A-Za-z]+)\.(\d+)$")
_YES = {"yes", "y", "true", "x", "1", "n/a", "na"}
_NO = {"no", "n", "false", "0", ""}


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "person"


def _names(text: str) -> list[str]:
    return [n.strip() for n in re.split(r"[;\n]", text) if n.strip()]


class _Builder:
    """Collects the triples of one assessment."""

    def __init__(self, assessment: str) -> None:
        self.base = assessment.rstrip("/")
        self.assessment = URIRef(assessment)
        self.input = URIRef(self.base + "/input")
        self.graph = Graph()
        for prefix, ns in (("asmt", ASMT), ("foaf", FOAF), ("xsd", XSD), ("rdfs", RDFS)):
            self.graph.bind(prefix, ns)
        self.graph.add((self.assessment, RDF.type, ASMT.Assessment))
        self.graph.add((self.assessment, ASMT.input, self.input))
        self.graph.add((self.input, RDF.type, ASMT.AssessmentInput))
        self.processes: dict[str, URIRef] = {}
        self.evidence: dict[str, URIRef] = {}

    def person(self, name: str) -> URIRef:
        iri = URIRef(f"{self.base}/person/{_slug(name)}")
        self.graph.add((iri, RDF.type, FOAF.Person))
        self.graph.add((iri, FOAF.name, Literal(name)))
        return iri

    def assessed(self, process: PrmProcess) -> URIRef:
        iri = self.processes.get(process.id)
        if iri is None:
            iri = self.processes[process.id] = URIRef(f"{self.base}/{process.id}")
            self.graph.add((self.assessment, ASMT.assessedProcess, iri))
            self.graph.add((iri, RDF.type, ASMT.AssessedProcess))
            self.graph.add((iri, ASMT.process, URIRef(process.iri)))
        return iri

    def evidence_items(self, text: str) -> list[URIRef]:
        items = []
        for item in _names(text):
            iri = self.evidence.get(item)
            if iri is None:
                iri = self.evidence[item] = URIRef(f"{self.base}/evidence/{len(self.evidence) + 1}")
                # "Incident log Q3 https://…": the trailing URL is where the evidence is kept
                match = re.fullmatch(r"(.*?)\s*(https?://\S+)", item)
                label = (match.group(1) or match.group(2)) if match else item
                self.graph.add((iri, RDF.type, ASMT.EvidenceItem))
                self.graph.add((iri, RDFS.label, Literal(label, lang="en")))
                if match:
                    self.graph.add((iri, ASMT.location, Literal(match.group(2))))
                self.graph.add((self.assessment, ASMT.evidence, iri))
            items.append(iri)
        return items


def _level(cell: _Cell, what: str) -> int:
    text = _text(cell.value)
    if re.fullmatch(r"[0-5](\.0+)?", text):
        return int(float(text))
    raise InputError(f"{cell.where}: {what} {text!r} is not a capability level (0 to 5)")


def _date(cell: _Cell) -> date:
    value = cell.value
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise InputError(f"{cell.where}: {text!r} is not a date (write it as YYYY-MM-DD)")


def _percent(cell: _Cell) -> Decimal | None:
    value = cell.value
    if value is None or _text(value) == "":
        return None
    if isinstance(value, bool):
        raise InputError(f"{cell.where}: percent {value!r} is not a number")
    if isinstance(value, int | float):
        number = Decimal(str(value))
        return number * 100 if cell.percent_format else number
    text = _text(value).rstrip("%").strip().replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise InputError(f"{cell.where}: percent {_text(value)!r} is not a number")
    return number


def _yes_no(cell: _Cell) -> bool:
    text = _normal(_text(cell.value))
    if text in _YES or cell.value is True:
        return True
    if text in _NO or cell.value is False:
        return False
    raise InputError(f"{cell.where}: not_applicable {_text(cell.value)!r} is not yes or no")


def _process(cell: _Cell, cat: Catalogue) -> PrmProcess:
    text = _text(cell.value)
    process = cat.by_id.get(text.upper())
    if process is None:
        known = ", ".join(p.id for p in cat.processes)
        raise InputError(
            f"{cell.where}: "
            + (f"unknown process {text!r} (expected one of {known})" if text else "no process")
        )
    return process


def _item(cell: _Cell, cat: Catalogue) -> Attribute | PrmOutcome | None:
    """The attribute or outcome a row rates; ``None`` for the capability-level row."""
    text = _text(cell.value)
    if _normal(text) in (LEVEL_ITEM, "level"):
        return None
    match = _OUTCOME_ID.match(text)
    if match:
        found = cat.outcomes.get(text.upper())
        if found is None:
            process = cat.by_id.get(match.group(1).upper())
            if process is None:
                raise InputError(f"{cell.where}: unknown outcome {text!r} (no process {match.group(1)!r})")
            raise InputError(
                f"{cell.where}: unknown outcome {text!r} ({process.name} has "
                f"{process.outcomes[0].id} to {process.outcomes[-1].id})"
            )
        return found[1]
    if re.match(r"^\s*(PA)?\s*\d", text, re.IGNORECASE):
        try:
            return attribute_by_notation(text)
        except KeyError:
            pass
    raise InputError(
        f"{cell.where}: unknown attribute or outcome {text!r} "
        f"(expected PA 1.1 to PA 5.2, an outcome such as INC.3, or {LEVEL_ITEM!r})"
    )


def _input_to_rdf(table: _Table, cat: Catalogue, name: str) -> _Builder:
    values: dict[str, _Cell] = {}
    targets: list[tuple[PrmProcess, _Cell]] = []
    known = {f.key for f in INPUT_FIELDS}
    for row in table.rows:
        key_cell, value_cell = table.get(row, "field"), table.get(row, "value")
        key = _normal(_text(key_cell.value))
        key = _FIELD_ALIASES.get(key, key)
        if not key:
            if _text(value_cell.value):
                raise InputError(f"{key_cell.where}: a value without a field name")
            continue
        if key.startswith(_TARGET_PREFIX):
            pid = key[len(_TARGET_PREFIX) :].split()[0].upper()
            process = _process(_Cell(pid, key_cell.where), cat)
            targets.append((process, value_cell))
            continue
        if key not in known:
            raise InputError(
                f"{key_cell.where}: unknown input field {_text(key_cell.value)!r} "
                f"(expected {', '.join(sorted(known))} or 'target level <process>')"
            )
        if key in values:
            raise InputError(f"{key_cell.where}: the field {key!r} is given twice")
        values[key] = value_cell

    where = table.locator.name
    id_cell = values.get("assessment id")
    if id_cell is None:
        raise InputError(f"{where}: no 'assessment id' row (an IRI naming the assessment)")
    assessment = _text(id_cell.value)
    if not assessment:
        raise InputError(
            f"{id_cell.where}: assessment id is missing "
            "(give an IRI such as https://example.org/assessment/42 or urn:uuid:…)"
        )
    if not _IRI.match(assessment):
        raise InputError(
            f"{id_cell.where}: assessment id {assessment!r} is not an IRI "
            "(e.g. https://example.org/assessment/42 or urn:uuid:…)"
        )

    builder = _Builder(assessment)
    g, a, i = builder.graph, builder.assessment, builder.input
    text = {key: _text(cell.value) for key, cell in values.items()}
    if "date" in values and text["date"]:
        g.add((a, ASMT.assessmentDate, Literal(_date(values["date"]).isoformat(), datatype=XSD.date)))
    if text.get("approach"):
        g.add((a, ASMT.approach, Literal(text["approach"], lang="en")))
    for key, predicate in _TEXT_FIELDS.items():
        if text.get(key):
            g.add((i, predicate, Literal(text[key], lang="en")))
    if text.get("sponsor"):
        g.add((i, ASMT.sponsor, builder.person(text["sponsor"])))
    for person in _names(text.get("assessors", "")):
        g.add((i, ASMT.assessor, builder.person(person)))
    for person in _names(text.get("participants", "")):
        g.add((i, ASMT.participant, builder.person(person)))
    if text.get("competent assessor"):
        g.add((i, ASMT.competentAssessor, builder.person(text["competent assessor"])))
    for process, cell in targets:
        if not _text(cell.value):
            continue  # outside the scope
        level = _level(cell, f"target level of {process.id}")
        item = BNode()
        g.add((i, ASMT.scopeItem, item))
        g.add((item, RDF.type, ASMT.ScopeItem))
        g.add((item, ASMT.process, URIRef(process.iri)))
        g.add((item, ASMT.targetLevel, level_iri(level)))
        # a process in scope is assessed, rated or not (the shapes say what is missing)
        builder.assessed(process)
    return builder


def _ratings_to_rdf(table: _Table, cat: Catalogue, builder: _Builder) -> None:
    g = builder.graph
    for row in table.rows:
        rating_cell = table.get(row, "rating")
        na_cell = table.get(row, "not_applicable")
        rating_text = _text(rating_cell.value)
        not_applicable = _yes_no(na_cell)
        if not rating_text and not not_applicable:
            continue  # an unrated template row
        process = _process(table.get(row, "process"), cat)
        item = _item(table.get(row, "item"), cat)
        node = builder.assessed(process)
        if item is None:
            if not_applicable:
                raise InputError(f"{na_cell.where}: not_applicable is for optional outcomes only")
            level = _level(rating_cell, f"the capability level of {process.id}")
            g.add((node, ASMT.statedCapabilityLevel, level_iri(level)))
            continue
        rating = BNode()
        if isinstance(item, PrmOutcome):
            g.add((node, ASMT.outcomeRating, rating))
            g.add((rating, RDF.type, ASMT.OutcomeRating))
            g.add((rating, ASMT.outcome, URIRef(item.iri)))
        else:
            if not_applicable:
                raise InputError(
                    f"{na_cell.where}: not_applicable is for optional outcomes only, not {item.notation}"
                )
            g.add((node, ASMT.attributeRating, rating))
            g.add((rating, RDF.type, ASMT.AttributeRating))
            g.add((rating, ASMT.attribute, item.iri))
        if rating_text:
            letter = RATINGS.get(rating_text.upper())
            if letter is None:
                raise InputError(f"{rating_cell.where}: {rating_text!r} is not a rating (N, P, L or F)")
            g.add((rating, ASMT.rating, letter.iri))
        if not_applicable:
            g.add((rating, ASMT.notApplicable, Literal(True)))
        percent = _percent(table.get(row, "percent"))
        if percent is not None:
            g.add((rating, ASMT.percent, Literal(percent, datatype=XSD.decimal)))
        justification = _text(table.get(row, "justification").value)
        if justification:
            g.add((rating, ASMT.justification, Literal(justification, lang="en")))
        for evidence in builder.evidence_items(_text(table.get(row, "evidence").value)):
            g.add((rating, ASMT.evidence, evidence))
        comment = _text(table.get(row, "comment").value)
        if comment:
            g.add((rating, RDFS.comment, Literal(comment, lang="en")))


def _spreadsheet_to_rdf(input_table: _Table, ratings: _Table, cat: Catalogue) -> Graph:
    builder = _input_to_rdf(input_table, cat, input_table.locator.name)
    _ratings_to_rdf(ratings, cat, builder)
    return builder.graph


# -- import


def _sniff(data: bytes) -> str:
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:2048]
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head[:1] in (b"{", b"["):
        return "jsonld"
    if re.search(
        rb"^\s*(@prefix|@base|PREFIX|BASE)\b", head, re.IGNORECASE | re.MULTILINE
    ) or head.startswith(b"<"):
        return "ttl"
    return "csv"


def import_format(fmt: str | None, filename: str | None, data: bytes) -> str:
    """The format to read: ``fmt`` if given, else the file extension, else the content."""
    if fmt:
        name = fmt.lower()
        name = {"excel": "xlsx", "xls": "xlsx"}.get(name, rdfio.ALIASES.get(name, name))
        if name not in ("csv", "xlsx", *rdfio.EXTENSIONS.values()):
            raise UnknownFormatError(
                f"unknown assessment format {fmt!r} (choose from {', '.join(IMPORT_FORMATS)})"
            )
        return name
    suffix = Path(filename).suffix.lower() if filename else ""
    if suffix in (".csv", ".xlsx"):
        return suffix[1:]
    if suffix in rdfio.EXTENSIONS:
        return rdfio.EXTENSIONS[suffix]
    return _sniff(data)


def load_assessment(
    data: bytes,
    fmt: str | None = None,
    filename: str | None = None,
    *,
    kg: KnowledgeGraph | None = None,
    max_bytes: int | None = None,
) -> Graph:
    """Read one assessment (CSV, XLSX, Turtle, JSON-LD) into an rdflib graph of the assessment vocabulary.

    The format comes from ``fmt``, else the extension of ``filename``, else the content. Errors raise
    :class:`~itsm_prm.errors.InputError` naming sheet, row and column (spreadsheets) or line (RDF).
    ``kg`` supplies the processes and outcomes (default: the model's source file).
    """
    fmt = import_format(fmt, filename, data)
    name = filename or {"csv": "ratings.csv", "xlsx": "ratings.xlsx"}.get(fmt, f"assessment.{fmt}")
    name = Path(name).name  # messages name the file, never a folder of the machine
    _check_size(data, name, max_bytes)
    if fmt == "csv":
        inputs, ratings = _read_csv(data, name)
        return _spreadsheet_to_rdf(inputs, ratings, catalogue(kg))
    if fmt == "xlsx":
        inputs, ratings = _read_xlsx(data, name)
        return _spreadsheet_to_rdf(inputs, ratings, catalogue(kg))
    # RDF: through the safe reader, which wants a file
    with tempfile.TemporaryDirectory(prefix="itsm-prm-assessment-") as folder:
        path = Path(folder) / "upload"
        path.write_bytes(data)
        parsed = rdfio.parse_rdf(path, fmt, max_bytes=max_bytes, name=name)
    graph = parsed.graph
    for prefix, ns in (("asmt", ASMT), ("foaf", FOAF)):
        graph.bind(prefix, ns)
    return graph
