"""``itsm-prm assess``: the assessor's loop on the command line — template, validate, profile, report, export.

A thin shell over ``itsm_prm.assessment``: reading a file is ``io.load_assessment``, checking it is
``validate.validate_assessment``, the capability levels and the profile are ``profile.build_profile``,
the HTML page is ``report.render_report``. Exit codes as for ``itsm-prm validate``: 0 the assessment
conforms (or the file was written); 1 it has violations; 2 unusable input (a missing or malformed file,
with the line, or the sheet, row and column at fault), on one line.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from rdflib import Dataset, Graph

from itsm_prm.assessment.io import load_assessment, write_template
from itsm_prm.assessment.profile import TABLE_COLUMNS, Profile, build_profile, process_names
from itsm_prm.assessment.report import render_report
from itsm_prm.assessment.validate import validate_assessment
from itsm_prm.export import write_atomic
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.rdfio import read_bytes
from itsm_prm.validation import RENDER_FORMATS, ValidationReport
from itsm_prm.validation import render as render_report_text

#: what ``assess export`` writes: our name → (rdflib serializer, what the message calls it)
EXPORT_FORMATS = {"ttl": ("turtle", "Turtle"), "jsonld": ("json-ld", "JSON-LD")}


def export_graph(graph: Graph, derived: Profile, fmt: str) -> bytes:
    """The assessment as given plus the derived statements.

    JSON-LD keeps the derived statements in their own named graph (the profile's graph IRI); Turtle
    has no graphs, so there they sit beside the input, and that graph IRI's ``prov:wasGeneratedBy``
    says where they come from.
    """
    serializer, _ = EXPORT_FORMATS[fmt]
    statements = derived.to_graph()
    if fmt == "jsonld":
        dataset = Dataset()
        default = dataset.default_context
        for triple in graph:
            default.add(triple)
        named = dataset.graph(statements.identifier)
        for triple in statements:
            named.add(triple)
        return dataset.serialize(format=serializer).encode("utf-8")
    merged = Graph()
    for source in (graph, statements):
        for prefix, namespace in source.namespaces():
            merged.bind(prefix, namespace, override=False)
        for triple in source:
            merged.add(triple)
    return merged.serialize(format=serializer).encode("utf-8")


_FILE = click.Path(path_type=Path, exists=True, dir_okay=False, readable=True)
_OUTPUT = click.Path(path_type=Path, dir_okay=False, writable=True)


def read_assessment(obj: Any, kg: KnowledgeGraph, path: Path) -> Graph:
    """The assessment in ``path`` (CSV, XLSX, Turtle or JSON-LD, by extension or content) as a graph."""
    limit = obj.settings.max_input_bytes
    data = read_bytes(path, limit, path.name)
    return load_assessment(data, None, path.name, kg=kg, max_bytes=limit)


def _check_folder(output: Path | None) -> None:
    if output is not None and not (output.parent if str(output.parent) else Path(".")).is_dir():
        raise click.BadParameter(f"folder {str(output.parent)!r} does not exist", param_hint="'--output'")


def _write(output: Path | None, data: bytes, what: str) -> None:
    """To ``output`` atomically (no partial file on error), or to stdout."""
    if output is None:
        stream = sys.stdout.buffer
        stream.write(data)
        stream.flush()
        return
    try:
        write_atomic(output, data)
    except OSError as exc:
        raise click.FileError(str(output), hint=exc.strerror or str(exc)) from exc
    click.echo(f"Wrote {what} to {output}", err=True)


def _verdict(report: ValidationReport, consequence: str) -> str:
    """One stderr line when the assessment does not conform."""
    n = report.violations
    return (
        f"itsm-prm: the assessment does not conform ({n} violation{'' if n == 1 else 's'}): "
        f"{consequence}; see `itsm-prm assess validate`"
    )


def _assess(obj: Any, path: Path) -> tuple[KnowledgeGraph, Graph, ValidationReport, Profile]:
    kg = obj.load()
    graph = read_assessment(obj, kg, path)
    report = validate_assessment(kg, graph)
    profile = build_profile(graph, names=process_names(kg))
    return kg, graph, report, profile


@click.group(name="assess")
def assess() -> None:
    """Process assessments against the PRM (ISO/IEC 15504-2): ratings, validation, capability levels.

    \b
    The assessor's loop:
      itsm-prm assess template --format xlsx -o ratings.xlsx   a sheet to fill in (one row per rating)
      itsm-prm assess validate ratings.xlsx                   messages name process, attribute, outcome
      itsm-prm assess profile ratings.xlsx                    derived capability level per process
      itsm-prm assess report ratings.xlsx -o report.html      one self-contained HTML page
      itsm-prm assess export ratings.xlsx --format ttl        the assessment and its derived levels as RDF

    An assessment file is CSV, XLSX (the template's layout), Turtle or JSON-LD; the format comes from
    the extension (.csv .xlsx .ttl .jsonld .json) or the content.
    """


@assess.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx"]),
    default="xlsx",
    show_default=True,
    help="xlsx: a workbook with drop-down lists for ratings and levels; csv: one file, input rows first.",
)
@click.option(
    "--output",
    "-o",
    type=_OUTPUT,
    help="Write to this file instead of stdout (needed for xlsx when stdout is a terminal).",
)
@click.pass_obj
def template(obj: Any, fmt: str, output: Path | None) -> int:
    """An empty assessment of the ten processes: one row per process attribute and per outcome."""
    if output is None and fmt == "xlsx" and sys.stdout.isatty():
        raise click.UsageError("xlsx is binary: give -o FILE, or redirect stdout to a file")
    _check_folder(output)
    data = write_template(fmt, obj.load())
    _write(output, data, f"the {fmt.upper()} assessment template")
    return 0


@assess.command()
@click.argument("file", type=_FILE)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(RENDER_FORMATS),
    default="human",
    show_default=True,
    help="Report format: human (one line per finding), json (the API's report), turtle (SHACL report).",
)
@click.pass_obj
def validate(obj: Any, file: Path, fmt: str) -> int:
    """Check an assessment FILE: required input items, scope, one rating per attribute, letters and bands,
    outcome ratings, justifications, stated levels.

    Exit code 0 if it conforms (warnings are reported only), 1 if not, 2 if the file cannot be read.
    """
    kg = obj.load()
    report = validate_assessment(kg, read_assessment(obj, kg, file))
    click.echo(render_report_text(report, fmt, kg.shorten), nl=False)
    return 0 if report.conforms else 1


@assess.command()
@click.argument("file", type=_FILE)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "ttl"]),
    default="table",
    show_default=True,
    help="table: one row per process; json: the API's profile; ttl: the derived statements as Turtle.",
)
@click.pass_obj
def profile(obj: Any, file: Path, fmt: str) -> int:
    """The capability profile of an assessment FILE: attribute ratings, target and derived level per process.

    Levels follow the ISO/IEC 15504-2 rule (level n: its attributes L or F, all lower ones F). Exit code 1
    when the assessment does not conform (the profile is still printed), 2 if the file cannot be read.
    """
    _, _, report, derived = _assess(obj, file)
    if fmt == "json":
        click.echo(derived.to_json())
    elif fmt == "ttl":
        click.echo(derived.to_graph().serialize(format="turtle"), nl=False)
    else:
        click.echo(_table(derived.to_table()), nl=False)
    if not report.conforms:
        click.echo(_verdict(report, "the levels are derived from the ratings as given"), err=True)
        return 1
    return 0


def _table(rows: list[dict[str, str]]) -> str:
    """Rows as aligned text columns under a header (:data:`TABLE_COLUMNS`)."""
    if not rows:
        return "(no assessed process)\n"
    header = list(TABLE_COLUMNS)
    body = [[row.get(column, "") for column in header] for row in rows]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in [header, ["-" * w for w in widths], *body]
    ]
    return "\n".join(lines) + "\n"


@assess.command()
@click.argument("file", type=_FILE)
@click.option("--output", "-o", type=_OUTPUT, required=True, help="The HTML file to write.")
@click.pass_obj
def report(obj: Any, file: Path, output: Path) -> int:
    """A self-contained HTML report of an assessment FILE: input summary, capability profile chart
    (processes × attributes, target vs achieved level), findings by process, validation summary.

    The page needs nothing from the network (inline styles and SVG). Exit code 0 when written, also for an
    assessment with violations (the report shows them); 2 if the file cannot be read.
    """
    _check_folder(output)
    _, graph, checked, derived = _assess(obj, file)
    html = render_report(graph, derived, checked, source=file.name)
    _write(output, html.encode("utf-8"), "the assessment report")
    return 0


@assess.command()
@click.argument("file", type=_FILE)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(EXPORT_FORMATS)),
    default="ttl",
    show_default=True,
    help="ttl (Turtle) or jsonld (JSON-LD).",
)
@click.option("--output", "-o", type=_OUTPUT, help="Write to this file instead of stdout.")
@click.pass_obj
def export(obj: Any, file: Path, fmt: str, output: Path | None) -> int:
    """An assessment FILE (any supported format) as RDF, with the derived capability levels added.

    The derived statements carry their provenance (generated by itsm-prm); input that states them
    itself is refused by validation. Exit code 1 when the assessment does not conform (nothing is written).
    """
    _check_folder(output)
    _, graph, checked, derived = _assess(obj, file)
    if not checked.conforms:
        click.echo(_verdict(checked, "nothing written"), err=True)
        return 1
    _, name = EXPORT_FORMATS[fmt]
    data = export_graph(graph, derived, fmt)
    _write(output, data, f"the assessment as {name}")
    return 0
