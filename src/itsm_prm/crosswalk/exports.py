"""The crosswalk export formats, in one registry the CLI (``--format``) and the downloads
(``/download/crosswalk/{slug}.{suffix}``) both read.

    >>> FORMATS["sssom-tsv"].filename(TARGETS["iso20000-1:2018"])
    'prm-iso20000-1-2018.sssom.tsv'
    >>> format_for_suffix("oscal.json").name
    'oscal-json'
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from itsm_prm.crosswalk.records import Crosswalk, read_crosswalk
from itsm_prm.crosswalk.targets import TARGETS, Target
from itsm_prm.errors import UnknownFormatError

if TYPE_CHECKING:
    from itsm_prm.knowledge_graph import KnowledgeGraph

__all__ = ["FORMATS", "TARGETS", "ExportFormat", "export_crosswalk", "format_for_suffix", "resolve_format"]


@dataclass(frozen=True)
class ExportFormat:
    """One way of writing a crosswalk."""

    name: str  # what --format takes: sssom-tsv
    suffix: str  # file name ending after the slug: sssom.tsv
    title: str
    media_type: str
    binary: bool  # not text: never written to a terminal
    writer: str  # module:function, imported on first use (openpyxl only when a workbook is asked for)

    @property
    def write(self) -> Callable[[Crosswalk], bytes]:
        module, _, function = self.writer.partition(":")
        return getattr(importlib.import_module(module), function)

    def filename(self, target: Target) -> str:
        return f"{target.slug}.{self.suffix}"


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat(
            "sssom-tsv",
            "sssom.tsv",
            "SSSOM/TSV",
            "text/tab-separated-values; charset=utf-8",
            False,
            "itsm_prm.crosswalk.sssom:to_sssom_tsv",
        ),
        ExportFormat(
            "sssom-ttl",
            "sssom.ttl",
            "SSSOM/RDF (Turtle)",
            "text/turtle",
            False,
            "itsm_prm.crosswalk.sssom:to_sssom_rdf",
        ),
        ExportFormat(
            "csv",
            "csv",
            "CSV (STRM columns)",
            "text/csv; charset=utf-8",
            False,
            "itsm_prm.crosswalk.strm:to_csv",
        ),
        ExportFormat(
            "xlsx",
            "xlsx",
            "Excel workbook (STRM columns)",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            True,
            "itsm_prm.crosswalk.strm:to_xlsx",
        ),
        ExportFormat(
            "oscal-json",
            "oscal.json",
            "OSCAL mapping collection (JSON)",
            "application/json",
            False,
            "itsm_prm.crosswalk.oscal:to_oscal_json",
        ),
    )
}


def resolve_format(name: str) -> ExportFormat:
    """The format called ``name``, or :class:`UnknownFormatError` listing the choices."""
    try:
        return FORMATS[name.strip().lower()]
    except KeyError:
        raise UnknownFormatError(
            f"unknown crosswalk format '{name}' (choose from {', '.join(FORMATS)})"
        ) from None


def format_for_suffix(suffix: str) -> ExportFormat:
    """The format whose files end in ``suffix`` (``sssom.tsv``), or :class:`UnknownFormatError`."""
    for f in FORMATS.values():
        if f.suffix == suffix:
            return f
    known = ", ".join("." + f.suffix for f in FORMATS.values())
    raise UnknownFormatError(f"unknown crosswalk file type '.{suffix}' (choose from {known})")


def export_crosswalk(kg: KnowledgeGraph, target: Target, fmt: ExportFormat | str) -> bytes:
    """The target's mapping set in one format; ExportError when a record does not resolve,
    MappingSetMissing when the dataset has no such set."""
    chosen = resolve_format(fmt) if isinstance(fmt, str) else fmt
    return chosen.write(read_crosswalk(kg, target))
