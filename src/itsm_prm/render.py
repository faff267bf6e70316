"""Text rendering for the CLI with rich: build summaries, info, query results, the catalog.

Every value from the data goes in as ``rich.text.Text`` so square brackets in literals are
never read as console markup.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import IO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from itsm_prm.build import BuildResult
from itsm_prm.info import DatasetInfo
from itsm_prm.queries import NamedQuery
from itsm_prm.terms import QueryResult, Term
from itsm_prm.validation import ValidationReport, render_human

Shorten = Callable[[str], str]


def console(file: IO[str]) -> Console:
    """A console on ``file``; wide when not a terminal so piped tables do not wrap."""
    probe = Console(file=file)
    width = None if probe.is_terminal else 200
    return Console(file=file, width=width, highlight=False, soft_wrap=False)


@contextmanager
def progress(file: IO[str], enabled: bool) -> Iterator[Callable[[str], None]]:
    """A spinner showing the current build step on ``file`` (stderr); silent unless a terminal."""
    out = Console(file=file, highlight=False)
    if not enabled or not out.is_terminal:
        yield lambda _message: None
        return
    with out.status("Building…") as status:
        yield lambda message: status.update(Text(message))


def _s(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds < 0.1 else f"{seconds:.2f} s"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def self_check_line(shapes_checked: bool, conforms: bool | None, warnings: int) -> str:
    if not shapes_checked:
        return "SHACL self-check skipped: no shapes in shapes/"
    state = "conforms" if conforms else "does not conform"
    return f"SHACL self-check: {state}, {_plural(warnings, 'warning')}"


def build_summary(result: BuildResult, quiet: bool, shorten: Shorten = str) -> str:
    m = result.manifest
    key = result.key[:12]
    total = sum(m.graph_counts.values())
    inferred = m.graph_counts.get(m.inferred_graph, 0)
    if result.reused:
        head = (
            f"Reused cached dataset {key} (checked in {_s(result.seconds)}; "
            f"built {m.built_at} in {_s(m.build_seconds)})"
        )
    else:
        head = (
            f"Built dataset {key} in {_s(result.seconds)} "
            f"(OWL 2 RL {_s(m.owlrl_seconds)}, SHACL {_s(m.shacl_seconds)})"
        )
    if quiet:
        return head + "\n"
    lines = [
        head,
        f"  {_plural(len(m.graph_counts), 'graph')}, {_plural(total, 'triple')} ({inferred:,} inferred)",
        f"  {self_check_line(m.shapes_checked, m.conforms, m.warnings)}",
        f"  cache: {result.directory}",
    ]
    text = "\n".join(lines) + "\n"
    if result.report is not None and result.report.results:
        text += "\n" + render_human(result.report, shorten)
    return text


def info_text(info: DatasetInfo, out: Console, shorten: Shorten) -> None:
    reuse = (
        f"reused the cache (checked in {_s(info.check_seconds)})"
        if info.reused
        else f"built now in {_s(info.check_seconds)}"
    )
    out.print(Text(f"itsm-prm {info.version} — {info.dataset_iri}"))
    if info.ontology_version:
        out.print(Text(f"  ontology version {info.ontology_version}"))
    out.print(Text(f"  dataset key {info.key}"))
    out.print(
        Text(
            f"  built {info.built_at} in {_s(info.build_seconds)} "
            f"(OWL 2 RL {_s(info.owlrl_seconds)}, SHACL {_s(info.shacl_seconds)})"
        )
    )
    out.print(Text(f"  {reuse}; loaded into {info.store} in {_s(info.load_seconds)}"))
    out.print(Text(f"  {self_check_line(info.shapes_checked, info.conforms, info.warnings)}"))
    graphs = Table(title="Named graphs", title_justify="left")
    graphs.add_column("graph")
    graphs.add_column("triples", justify="right")
    graphs.add_column("title")
    for g in info.graphs:
        graphs.add_row(Text(g.name), Text(f"{g.triples:,}"), Text(g.title))
    out.print(graphs)
    classes = Table(title="Classes", title_justify="left")
    classes.add_column("class")
    classes.add_column("instances", justify="right")
    for cls, n in info.classes:
        classes.add_row(Text(shorten(cls)), Text(f"{n:,}"))
    out.print(classes)
    out.print(
        Text(
            f"Total: {_plural(info.total_triples, 'distinct triple')} in {_plural(len(info.graphs), 'graph')}"
        )
    )


def _cell(term: Term | None, shorten: Shorten) -> Text:
    if term is None:
        return Text("")
    if term.kind == "iri":
        return Text(shorten(term.value))
    if term.kind == "bnode":
        return Text(f"_:{term.value}")
    return Text(term.value)


def result_table(result: QueryResult | bool, out: Console, shorten: Shorten) -> None:
    if isinstance(result, bool):
        out.print(Text("true" if result else "false"))
        return
    table = Table()
    for name in result.variables:
        table.add_column(name, overflow="fold")  # wrap long IRIs rather than cut them
    for row in result.rows:
        table.add_row(*(_cell(row.get(name), shorten) for name in result.variables))
    out.print(table)
    out.print(Text(_plural(len(result.rows), "row")))


def catalog_table(catalog: dict[str, NamedQuery], out: Console) -> None:
    table = Table(title="Named queries", title_justify="left")
    table.add_column("name")
    table.add_column("summary")
    table.add_column("parameters")
    for name, q in sorted(catalog.items()):
        params = []
        for p in q.params.values():
            flags = (
                "required"
                if p.required
                else (f"default {p.default}" if p.default is not None else "optional")
            )
            example = f", e.g. {p.example}" if p.example is not None else ""
            params.append(f"{p.name} ({p.type}, {flags}{example})")
        table.add_row(Text(name), Text(q.summary), Text("\n".join(params) or "-"))
    out.print(table)


def validation_text(report: ValidationReport, shorten: Shorten) -> str:
    return render_human(report, shorten)
