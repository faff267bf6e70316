"""``itsm-prm load``: put the compiled dataset into a durable store (on-disk Oxigraph or a SPARQL server)."""

from __future__ import annotations

import sys

import click

from itsm_prm.build import build
from itsm_prm.config import Settings
from itsm_prm.errors import UserError
from itsm_prm.publish import publish
from itsm_prm.store import open_store, parse_store_spec


@click.command("load")
@click.option("--quiet", "-q", is_flag=True, help="Only the one-line summary.")
@click.pass_obj
def load_command(obj: object, quiet: bool) -> None:
    """Publish the compiled dataset to the store given by --store (or ITSM_PRM_STORE).

    Graph by graph, and only what changed: the store keeps the SHA-256 of every reference graph
    in its bookkeeping graph (graph/meta), so a second load of the same build writes nothing.
    Stored assessments are left alone.

    \b
    Examples:
      itsm-prm --store oxigraph:/var/lib/itsm-prm load
      itsm-prm --store sparql:http://127.0.0.1:7878/query load
      ITSM_PRM_SPARQL_USER=dba ITSM_PRM_SPARQL_PASSWORD=… ITSM_PRM_SPARQL_AUTH=digest \\
        itsm-prm --store sparql:http://127.0.0.1:8890/sparql load
    """
    settings: Settings = obj.settings  # type: ignore[attr-defined]
    spec = parse_store_spec(settings.store)
    if not spec.durable:
        raise UserError(
            f"--store {spec} keeps nothing after the command ends; load into oxigraph:PATH or sparql:URL"
        )
    result = build(settings)
    store = open_store(spec, settings)

    def progress(graph: str, done: int, total: int) -> None:
        if not quiet:
            click.echo(f"  [{done}/{total}] {graph}", err=True)

    try:
        report = publish(store, result, settings.base_iri, progress=progress)
    finally:
        store.close()
    summary = (
        f"{spec}: {len(report.written)} graphs written ({report.triples_written:,} triples), "
        f"{len(report.unchanged)} unchanged, {len(report.dropped)} dropped in {report.seconds:.2f} s"
    )
    click.echo(summary)
    sys.stdout.flush()
