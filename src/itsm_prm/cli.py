"""The ``itsm-prm`` command line: argument handling and rendering only; the work is in the core.

Exit codes: 0 success; 1 failure (validation does not conform, self-check violations,
unexpected errors); 2 unusable input (one ``itsm-prm: error: …`` line on stderr, never a
traceback; ``--debug`` shows tracebacks of unexpected errors).
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from pydantic import ValidationError

from itsm_prm import export as exporting
from itsm_prm import queries, render
from itsm_prm._version import __version__
from itsm_prm.build import build as run_build
from itsm_prm.cli_analysis import register as register_analysis
from itsm_prm.cli_assess import assess
from itsm_prm.cli_crosswalk import crosswalk
from itsm_prm.cli_derive import derive_mappings
from itsm_prm.cli_store import load_command
from itsm_prm.cli_tokens import tokens
from itsm_prm.config import Settings
from itsm_prm.errors import ItsmPrmError, ParameterError, SelfCheckFailed, UserError
from itsm_prm.knowledge_graph import KnowledgeGraph, load
from itsm_prm.prefixes import default_prefixes, merge_prefixes, shorten
from itsm_prm.resultsio import GRAPH_FORMATS, graph_to_rdf, serialize
from itsm_prm.store import parse_store_spec
from itsm_prm.store.base import RDF_FORMATS
from itsm_prm.terms import QueryResult
from itsm_prm.validation import RENDER_FORMATS
from itsm_prm.validation import render as render_report

PROG = "itsm-prm"
NOISY_LOGGERS = ("rdflib", "pyshacl", "owlrl")


def _fail(message: str) -> None:
    click.echo(f"{PROG}: error: {' '.join(str(message).split())}", err=True)


class ErrorHandlingGroup(click.Group):
    """Turns every error into one readable stderr line and an exit code (2 = bad input)."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,  # type: ignore[override]
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        debug = "--debug" in argv
        for name in NOISY_LOGGERS:
            logging.getLogger(name).setLevel(logging.DEBUG if debug else logging.ERROR)
        code = 0
        try:
            rv = super().main(argv, prog_name or PROG, complete_var, standalone_mode=False, **extra)
            code = rv if isinstance(rv, int) else 0
        except click.exceptions.Abort:
            _fail("aborted")
            code = 1
        except click.ClickException as exc:
            _fail(exc.format_message())
            code = 2
        except (UserError, ValidationError) as exc:
            _fail(str(exc) if isinstance(exc, UserError) else _settings_message(exc))
            code = 2
        except BrokenPipeError:
            code = 0  # output piped into e.g. `head`
        except Exception as exc:  # last resort: one line, traceback only on request
            if debug:
                traceback.print_exc()
            kind = "" if isinstance(exc, ItsmPrmError) else f"unexpected {type(exc).__name__}: "
            hint = "" if debug else " (run with --debug for details)"
            _fail(f"{kind}{exc}{hint}")
            code = 1
        if standalone_mode:
            sys.exit(code)
        return code


def _settings_message(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    return f"invalid setting ITSM_PRM_{where.upper()}: {first.get('msg')}"


@dataclass
class Context:
    settings: Settings
    debug: bool

    def load(self) -> KnowledgeGraph:
        return load(settings=self.settings)


@click.group(cls=ErrorHandlingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    type=click.Path(path_type=Path, file_okay=False),
    help="Resources root (ontology/, data/, shapes/, queries/). Env: ITSM_PRM_HOME.",
)
@click.option(
    "--cache-dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where compiled datasets are cached. Env: ITSM_PRM_CACHE_DIR.",
)
@click.option(
    "--store",
    metavar="STORE",
    help="memory (default), oxigraph:PATH (on disk), sparql:URL (a SPARQL 1.1 server's query "
    "endpoint) or rdflib. Env: ITSM_PRM_STORE; see docs/deploying.md.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks of unexpected errors.")
@click.version_option(__version__, prog_name=PROG)
@click.pass_context
def cli(
    ctx: click.Context, home: Path | None, cache_dir: Path | None, store: str | None, debug: bool
) -> None:
    """The IT Service Management Process Reference Model as a knowledge graph.

    \b
    Typical use:
      itsm-prm build                         compile (or reuse) the dataset
      itsm-prm info                          what is in it
      itsm-prm query --list                  the named queries
      itsm-prm query process-outcomes -p process=CHAN
      itsm-prm validate assessment.ttl       check a file against the SHACL shapes
      itsm-prm export --format ttl -o prm.ttl
      itsm-prm --store oxigraph:./db serve   serve from a durable on-disk store
    """
    given = {"home": home, "cache_dir": cache_dir, "store": store}
    overrides = {k: v for k, v in given.items() if v is not None}
    ctx.obj = Context(Settings(**overrides), debug)


@cli.command()
@click.option("--force", is_flag=True, help="Rebuild even if the cached dataset is up to date.")
@click.option("--quiet", "-q", is_flag=True, help="No progress display; a one-line summary.")
@click.pass_obj
def build(obj: Context, force: bool, quiet: bool) -> int:
    """Compile the dataset: sources, OWL 2 RL closure, SHACL self-check, cache.

    Unchanged sources reuse the cached dataset. Exit code 1 when the model violates its shapes
    (the report is printed).
    """
    prefixes = default_prefixes(obj.settings.base_iri)
    with render.progress(sys.stderr, enabled=not quiet) as step:
        try:
            result = run_build(obj.settings, force=force, progress=step)
        except SelfCheckFailed as failed:
            click.echo(render.validation_text(failed.report, lambda iri: shorten(iri, prefixes)), nl=False)
            _fail(str(failed))
            return 1
    prefixes = merge_prefixes(prefixes, result.manifest.prefixes)
    click.echo(render.build_summary(result, quiet, lambda iri: shorten(iri, prefixes)), nl=False)
    return 0


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.pass_obj
def info(obj: Context, fmt: str) -> None:
    """Counts per class and named graph, dataset version and hash, cache reuse and timings."""
    kg = obj.load()
    details = kg.info()
    if fmt == "json":
        click.echo(json.dumps(details.to_dict(), indent=2))
        return
    render.info_text(details, render.console(sys.stdout), kg.shorten)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(RENDER_FORMATS),
    default="human",
    show_default=True,
    help="Report format.",
)
@click.pass_obj
def validate(obj: Context, files: tuple[Path, ...], fmt: str) -> int:
    """Validate RDF FILES against the SHACL shapes, in the context of the compiled model.

    The format comes from each file's extension (.ttl .nt .nq .trig .jsonld .rdf .owl .xml).
    Exit code 0 if the files conform, 1 if not, 2 if a file cannot be used.
    """
    kg = obj.load()
    report = kg.validate(*files)
    click.echo(render_report(report, fmt, kg.shorten), nl=False)
    return 0 if report.conforms else 1


def _params(pairs: Sequence[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ParameterError(f"--param {pair!r}: expected NAME=VALUE")
        if name in params:
            raise ParameterError(f"parameter '{name}' given twice")
        params[name] = value
    return params


@cli.command()
@click.argument("name", required=False, metavar="NAME|FILE.rq")
@click.option(
    "--param",
    "-p",
    "pairs",
    multiple=True,
    metavar="NAME=VALUE",
    help="A query parameter (repeatable), e.g. -p process=CHAN.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json", "ttl", "nt"]),
    default="table",
    show_default=True,
    help="Output: a table; the W3C SPARQL results formats (csv, tsv, json); for CONSTRUCT and "
    "DESCRIBE also RDF (ttl, nt).",
)
@click.option("--list", "list_only", is_flag=True, help="List the named queries and their parameters.")
@click.pass_obj
def query(obj: Context, name: str | None, pairs: tuple[str, ...], fmt: str, list_only: bool) -> None:
    """Run a named query (see --list) or a .rq file.

    Parameters are checked and bound by the query engine. IRIs in the table are shortened
    (id:process/INC); csv, tsv and json are the standard SPARQL result formats; the graph a
    CONSTRUCT or DESCRIBE query returns can also be written as Turtle (ttl) or N-Triples (nt).
    """
    catalog = queries.load_catalog(obj.settings.resources_root() / "queries")
    if list_only:
        render.catalog_table(catalog, render.console(sys.stdout))
        return
    if not name:
        raise click.UsageError("give a query NAME or FILE.rq, or --list")
    is_file = name.endswith(".rq") or Path(name).is_file()
    named = queries.load_query_file(Path(name)) if is_file else queries.lookup(catalog, name)
    if named.scoped:
        # scoped queries read the assessment repository for the organisation a bearer token names
        raise UserError(
            f"query '{named.name}' reads stored assessments ({named.access} access): run it through the "
            f"API with a bearer token, GET /api/queries/{named.name}"
        )
    params = _params(pairs)
    kg = obj.load()
    result = kg.run_query(named, params)
    if fmt in GRAPH_FORMATS:
        if isinstance(result, QueryResult | bool):
            raise click.BadParameter(
                f"{fmt} is for the graphs CONSTRUCT and DESCRIBE return; use table, csv, tsv or json",
                param_hint="'--format'",
            )
        click.echo(graph_to_rdf(result, fmt, kg.prefixes), nl=False)
        return
    table: QueryResult | bool = (
        result if isinstance(result, QueryResult | bool) else QueryResult.from_triples(result)
    )
    if fmt == "table":
        render.result_table(table, render.console(sys.stdout), kg.shorten)
    else:
        click.echo(serialize(table, fmt), nl=False)


@cli.command(name="export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(list(RDF_FORMATS)),
    default="ttl",
    show_default=True,
    help="RDF syntax. Triple formats (ttl, jsonld, xml, nt) merge the selected graphs.",
)
@click.option(
    "--graph",
    "graphs",
    multiple=True,
    metavar="IRI|NAME",
    help="Only this named graph (repeatable): an IRI or a short name such as 'prm' or "
    "'mappings/prm-iso15504-5-2006'. Default: all graphs.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write to this file (atomically) instead of stdout.",
)
@click.pass_obj
def export_command(obj: Context, fmt: str, graphs: tuple[str, ...], output: Path | None) -> None:
    """Export the dataset, or some of its named graphs, as RDF."""
    kg = obj.load()
    data = kg.export(fmt, list(graphs) or None)
    if output is None:
        stream = sys.stdout.buffer
        stream.write(data)
        stream.flush()
        return
    exporting.write_atomic(output, data)
    click.echo(f"Wrote {len(data):,} bytes of {fmt} to {output}", err=True)


def _base_url(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not value.startswith(("http://", "https://")):
        raise click.BadParameter(f"{value!r} is not an http(s) URL", param_hint="'--base-url'")
    return value


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="TCP port (0: any free)."
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Server processes sharing the port; each runs ITSM_PRM_QUERY_WORKERS query processes.",
)
@click.option(
    "--base-url",
    callback=_base_url,
    help="Public URL of the service, e.g. https://w3id.org/itsm-prm/. Env: ITSM_PRM_BASE_URL.",
)
@click.option(
    "--log-level",
    type=click.Choice(["critical", "error", "warning", "info", "debug"]),
    default="info",
    show_default=True,
    help="info logs one line per request with its duration.",
)
@click.pass_obj
def serve(obj: Context, host: str, port: int, workers: int, base_url: str | None, log_level: str) -> int:
    """Serve the dataset over HTTP: SPARQL endpoint, named queries, linked data, downloads.

    Builds (or reuses) the compiled dataset, then runs until Ctrl-C. Queries run in separate
    processes with a time limit (ITSM_PRM_QUERY_TIMEOUT_S) and a result-size limit
    (ITSM_PRM_MAX_RESULT_BYTES).
    """
    from itsm_prm.api.server import serve as run_server  # uvicorn and FastAPI only for this command

    settings = obj.settings.model_copy(update={"base_url": base_url}) if base_url else obj.settings
    spec = parse_store_spec(settings.store)
    if workers > 1 and spec.kind == "oxigraph":
        # one process owns a RocksDB directory; forked servers would share its handle unsafely
        raise UserError(
            f"--workers {workers} cannot share the on-disk store {spec.location}: use --workers 1, "
            "or a SPARQL server (--store sparql:URL) for several server processes"
        )
    # with several processes on an in-memory store each would keep its own assessments: the
    # repository refuses to store then (see itsm_prm.api.assessment_repository)
    settings = settings.model_copy(update={"server_processes": workers})
    kg = load(settings=settings)

    def announce(line: str) -> None:
        click.echo(line)
        sys.stdout.flush()

    return run_server(
        settings, kg, host=host, port=port, workers=workers, log_level=log_level, announce=announce
    )


cli.add_command(load_command)
cli.add_command(derive_mappings)
register_analysis(cli)  # mappings, clause, coverage, gaps, changes
cli.add_command(crosswalk)
cli.add_command(assess)
cli.add_command(tokens)


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name=PROG)
