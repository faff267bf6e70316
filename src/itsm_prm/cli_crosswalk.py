"""``itsm-prm crosswalk``: export a crosswalk mapping set as SSSOM/TSV, SSSOM/RDF, CSV, XLSX or OSCAL JSON.

Exit codes as for ``validate``: 0 written; 1 the data cannot be exported as it is (a record whose ID
does not resolve: the message names it); 2 unusable input (an unknown target or format, a mapping set
the dataset does not hold, an output path that cannot be written, binary output to a terminal).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from itsm_prm.crosswalk.exports import FORMATS, resolve_format
from itsm_prm.crosswalk.records import ExportError, read_crosswalk
from itsm_prm.crosswalk.targets import TARGETS, UnknownTarget, resolve_target
from itsm_prm.export import write_atomic


def _stdout_is_terminal() -> bool:
    return sys.stdout.buffer.isatty()


@click.command(name="crosswalk")
@click.option(
    "--to",
    "to",
    required=True,
    metavar="TARGET",
    help=f"The edition mapped to: {', '.join(TARGETS)} (or short: 2005, 2011, 2018).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default="sssom-tsv",
    show_default=True,
    help="sssom-tsv and sssom-ttl (SSSOM with its metadata), csv and xlsx (STRM columns), "
    "oscal-json (OSCAL mapping collection).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to this file (atomically: no partial file on error) instead of stdout. Needed for xlsx "
    "when stdout is a terminal.",
)
@click.pass_obj
def crosswalk(obj: object, to: str, fmt: str, output: Path | None) -> int:
    """Export the model's mappings to one edition (every record, checked) in one format.

    \b
    Examples:
      itsm-prm crosswalk --to 2005                          SSSOM/TSV on stdout
      itsm-prm crosswalk --to iso20000-1:2018 --format xlsx -o crosswalk-2018.xlsx
      itsm-prm crosswalk --to itil4 --format oscal-json -o itil4.oscal.json

    Every subject and object must resolve in the dataset; a record that does not makes the export
    fail (exit code 1) and names the record, rather than leave a row out.
    """
    try:
        target = resolve_target(to)
    except UnknownTarget as exc:
        raise click.BadParameter(str(exc), param_hint="'--to'") from exc
    chosen = resolve_format(fmt)
    if output is None and chosen.binary and _stdout_is_terminal():
        raise click.UsageError(f"{chosen.name} is binary: give -o FILE, or redirect stdout to a file")
    if output is not None and not (output.parent if str(output.parent) else Path(".")).is_dir():
        raise click.BadParameter(f"folder {str(output.parent)!r} does not exist", param_hint="'--output'")
    kg = obj.load()  # type: ignore[attr-defined]
    try:
        crosswalk_data = read_crosswalk(kg, target)
        data = chosen.write(crosswalk_data)
    except ExportError as exc:  # a data error, like a model that does not validate: exit code 1
        click.echo(f"itsm-prm: error: {' '.join(str(exc).split())}", err=True)
        return 1
    if output is None:
        stream = sys.stdout.buffer
        stream.write(data)
        stream.flush()
        return 0
    try:
        write_atomic(output, data)
    except OSError as exc:
        raise click.FileError(str(output), hint=exc.strerror or str(exc)) from exc
    records = len(crosswalk_data.records)
    click.echo(f"Wrote {records} mapping records to {target.label} as {chosen.title} to {output}", err=True)
    return 0
