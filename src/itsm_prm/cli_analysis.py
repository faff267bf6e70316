"""Crosswalk analysis on the command line: ``mappings``, ``clause``, ``coverage``, ``gaps``, ``changes``.

Thin shells over the ``crosswalk-*`` named queries, run through the core (:class:`KnowledgeGraph`), so
the CLI, the API (``/api/queries/crosswalk-…``) and Python answer alike. ``--format table`` shows the
columns a reader needs; ``csv``, ``tsv`` and ``json`` are the W3C SPARQL result formats with every
column of the query. A bad edition, process, outcome or clause exits with code 2 and one line.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, Protocol

import click

from itsm_prm import render
from itsm_prm.crosswalk.targets import TARGETS, Target, UnknownTarget, resolve_target
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.resultsio import serialize
from itsm_prm.terms import QueryResult

FORMATS = ("table", "csv", "tsv", "json")
TARGET_HELP = f"The edition: {', '.join(TARGETS)} (or short: 2005, 2011, 2018)."

# (header, variable) pairs shown by --format table; the other formats keep every column
Columns = Sequence[tuple[str, str]]
MAPPING_COLUMNS: Columns = (
    ("subject", "subjectId"),
    ("relation", "relationLabel"),
    ("element", "objectId"),
    ("title", "objectTitle"),
    ("strength", "strength"),
    ("derived", "derived"),
    ("why", "comment"),
)
REVERSE_COLUMNS: Columns = (
    ("element", "objectId"),
    ("title", "objectTitle"),
    ("subject", "subjectId"),
    ("kind", "subjectKind"),
    ("relation", "relationLabel"),
    ("strength", "strength"),
    ("why", "comment"),
)
COVERAGE_COLUMNS: Columns = (
    ("group", "groupNumber"),
    ("element", "number"),
    ("title", "title"),
    ("coverage", "coverage"),
    ("best relation", "bestRelationLabel"),
    ("covered by", "subjects"),
)
SUMMARY_COLUMNS: Columns = (
    ("group", "groupNumber"),
    ("title", "groupTitle"),
    ("elements", "elements"),
    ("full", "full"),
    ("partial", "partial"),
    ("none", "none"),
    ("full %", "fullPercent"),
    ("covered %", "coveredPercent"),
)
GAP_COLUMNS: Columns = (("group", "groupNumber"), ("element", "number"), ("title", "title"))
UNMAPPED_COLUMNS: Columns = (("outcome", "outcomeId"), ("statement", "statement"), ("why", "comment"))
CHANGE_COLUMNS: Columns = (
    ("subject", "subjectId"),
    ("2005", "number2005"),
    ("2005 title", "title2005"),
    ("relation", "relation2005Label"),
    ("2011", "number2011"),
    ("2018", "number2018"),
    ("2018 title", "title2018"),
    ("change", "editionChange"),
    ("reviewed 2018", "reviewedNumber2018"),
    ("2018 relation", "relation2018Label"),
)


class _Loads(Protocol):
    """The CLI context object (``itsm_prm.cli.Context``): it loads the knowledge graph."""

    def load(self) -> KnowledgeGraph: ...


def _target(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Target | None:
    if value is None:
        return None
    try:
        return resolve_target(value)
    except UnknownTarget as exc:
        raise click.BadParameter(str(exc), param_hint="'--to'") from exc


def _to_option(required: bool = True) -> Any:
    return click.option(
        "--to", "target", required=required, metavar="EDITION", callback=_target, help=TARGET_HELP
    )


def _format_option() -> Any:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="A table of the main columns, or every column as a W3C SPARQL result (csv, tsv, json).",
    )


def _show(kg: KnowledgeGraph, name: str, params: dict[str, Any], columns: Columns, fmt: str) -> None:
    """Run the named query and print its answer: the chosen columns as a table, or all of it."""
    result = kg.run(name, **params)
    assert isinstance(result, QueryResult)  # the crosswalk queries are SELECT queries
    if fmt != "table":
        click.echo(serialize(result, fmt), nl=False)
        return
    table = QueryResult(
        [header for header, _ in columns],
        [{header: row.get(variable) for header, variable in columns} for row in result.rows],
    )
    render.result_table(table, render.console(sys.stdout), kg.shorten)


@click.command()
@click.argument("subject")
@_to_option()
@click.option(
    "--process-only", is_flag=True, help="For a process, leave out the records of its outcomes."
)
@_format_option()
@click.pass_obj
def mappings(obj: _Loads, subject: str, target: Target, process_only: bool, fmt: str) -> None:
    """The mapping records of a process (and its outcomes) or of one outcome to an edition.

    SUBJECT is a process ID (CHAN), an outcome (CHAN.5) or an IRI. For 2011 and 2018 the records are
    those of the derived, reviewed sets ("derived" says which came through the edition crosswalk).

    \b
    Examples:
      itsm-prm mappings CHAN --to 2005
      itsm-prm mappings CHAN.5 --to iso20000-1:2018 --format csv
      itsm-prm mappings INC --to itil4 --process-only
    """
    params = {"subject": subject, "edition": target.key, "include_outcomes": not process_only}
    _show(obj.load(), "crosswalk-mappings", params, MAPPING_COLUMNS, fmt)


@click.command()
@click.argument("element")
@_to_option()
@_format_option()
@click.pass_obj
def clause(obj: _Loads, element: str, target: Target, fmt: str) -> None:
    """Which processes and outcomes map to a clause (or its sub-clauses) or an ITIL 4 practice.

    ELEMENT is a clause number of the edition (9.2), an ITIL 4 practice (change-enablement, or its
    name in quotes) or an IRI; an element the edition does not have is an error (exit code 2).

    \b
    Examples:
      itsm-prm clause 9.2 --to 2005
      itsm-prm clause 8.5 --to 2018               8.5 and every clause under it
      itsm-prm clause "Incident management" --to itil4
    """
    params = {"element": element, "edition": target.key}
    _show(obj.load(), "crosswalk-reverse", params, REVERSE_COLUMNS, fmt)


@click.command()
@_to_option()
@click.option("--summary", is_flag=True, help="Counts and percentages per clause group and overall.")
@_format_option()
@click.pass_obj
def coverage(obj: _Loads, target: Target, summary: bool, fmt: str) -> None:
    """How fully the model covers each requirement of an edition: full, partial or none.

    The rule, over every record (process and outcome level) whose object is the clause or practice:
    "equal to" or "superset of" → full; otherwise "subset of" or "intersects with" → partial;
    otherwise (no record, or only "not related to") → none. Only leaf clauses that state
    requirements count (not, for example, the 2005 edition's scope and terms). --summary gives, per
    top-level clause (or practice category) and for the whole edition (group "all"), the counts and
    fullPercent = 100·full/elements, coveredPercent = 100·(full+partial)/elements.

    \b
    Examples:
      itsm-prm coverage --to 2005
      itsm-prm coverage --to 2018 --summary
    """
    if summary:
        _show(obj.load(), "crosswalk-coverage-summary", {"edition": target.key}, SUMMARY_COLUMNS, fmt)
    else:
        _show(obj.load(), "crosswalk-coverage", {"edition": target.key}, COVERAGE_COLUMNS, fmt)


@click.command()
@_to_option()
@click.option(
    "--outcomes",
    is_flag=True,
    help="The model's outcomes without a counterpart in the edition, instead of the edition's "
    "uncovered requirements.",
)
@_format_option()
@click.pass_obj
def gaps(obj: _Loads, target: Target, outcomes: bool, fmt: str) -> None:
    """The gaps: requirements of an edition nothing in the model covers (or, with --outcomes, the
    model's outcomes with no counterpart in the edition, with the reason when a record states it).

    \b
    Examples:
      itsm-prm gaps --to 2005
      itsm-prm gaps --to 2018 --outcomes
    """
    if outcomes:
        params = {"edition": target.key}
        _show(obj.load(), "crosswalk-unmapped-outcomes", params, UNMAPPED_COLUMNS, fmt)
    else:
        _show(obj.load(), "crosswalk-gaps", {"edition": target.key}, GAP_COLUMNS, fmt)


@click.command()
@click.argument("process")
@_format_option()
@click.pass_obj
def changes(obj: _Loads, process: str, fmt: str) -> None:
    """What changes for a process in ISO/IEC 20000-1:2018: its 2005 clauses next to their successors.

    PROCESS is a process ID (CHAN), an outcome (CHAN.5) or an IRI. Each 2005 clause of the process
    and its outcomes is followed through the edition crosswalk (2005 → 2011 → 2018); "change" sums up
    the way ("equal", "superset", "subset", "intersects", "split" into several clauses, "changed"
    when the steps disagree, or no successor); the reviewed 2018 record, if any, is shown beside it.

    \b
    Examples:
      itsm-prm changes CHAN
      itsm-prm changes ITSCM --format csv
    """
    _show(obj.load(), "crosswalk-changes-2018", {"process": process}, CHANGE_COLUMNS, fmt)


ANALYSIS_COMMANDS = (mappings, clause, coverage, gaps, changes)


def register(group: click.Group) -> None:
    """Add the analysis commands to the ``itsm-prm`` group."""
    for command in ANALYSIS_COMMANDS:
        group.add_command(command)
