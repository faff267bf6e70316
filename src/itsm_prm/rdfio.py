"""Safe reading of RDF files (user uploads and the curated sources).

* The format comes from the file extension unless given.
* Files over ``max_bytes`` are refused before they are read.
* RDF/XML with a DOCTYPE or ENTITY declaration is refused: entity expansion stalls rdflib and
  makes pyoxigraph allocate gigabytes (tooling baseline, gotcha 11).
* Everything is parsed by pyoxigraph: precise error positions, and JSON-LD never fetches a
  remote ``@context`` (gotcha 12). The result is handed over as an rdflib graph (through
  N-Triples bytes) for owlrl and pyshacl.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from itsm_prm.errors import InputError, UnknownFormatError

#: File extension → format name (the names of :data:`itsm_prm.store.base.RDF_FORMATS`).
EXTENSIONS = {
    ".ttl": "ttl",
    ".turtle": "ttl",
    ".nt": "nt",
    ".nq": "nq",
    ".trig": "trig",
    ".jsonld": "jsonld",
    ".json": "jsonld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}
ALIASES = {
    "turtle": "ttl",
    "json-ld": "jsonld",
    "rdfxml": "xml",
    "rdf/xml": "xml",
    "ntriples": "nt",
    "nquads": "nq",
    "n-triples": "nt",
    "n-quads": "nq",
}
_OX_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}
_UNSAFE_XML = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_OX_POSITION = re.compile(r"^Parser error [^:]*: ")


@dataclass
class ParsedRdf:
    """A parsed file: all its triples (named graphs merged) and the prefixes it declared."""

    graph: Graph
    prefixes: dict[str, str] = field(default_factory=dict)
    triples: int = 0


def format_for(path: Path, explicit: str | None = None) -> str:
    """The format name for ``path``: ``explicit`` if given, else from the extension."""
    if explicit:
        name = ALIASES.get(explicit.lower(), explicit.lower())
        if name not in _OX_FORMATS:
            raise UnknownFormatError(
                f"unknown RDF format {explicit!r} (choose from {', '.join(_OX_FORMATS)})"
            )
        return name
    name = EXTENSIONS.get(path.suffix.lower())
    if name is None:
        raise InputError(
            f"{path}: cannot tell the RDF format from the extension {path.suffix or '(none)'!r} "
            f"(use one of {', '.join(sorted(EXTENSIONS))})"
        )
    return name


def read_bytes(path: Path, max_bytes: int | None, name: str | None = None) -> bytes:
    """The file's bytes, refusing missing files, folders and files over ``max_bytes``."""
    name = name or str(path)
    if not path.exists():
        raise InputError(f"{name}: no such file")
    if not path.is_file():
        raise InputError(f"{name}: not a file")
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        raise InputError(f"{name}: file is {size:,} bytes, over the limit of {max_bytes:,} bytes")
    return path.read_bytes()


def check_xml_is_safe(name: str, data: bytes) -> None:
    """Refuse DOCTYPE/ENTITY declarations (also when UTF-16 encoded)."""
    if _UNSAFE_XML.search(data) or _UNSAFE_XML.search(data.replace(b"\x00", b"")):
        raise InputError(
            f"{name}: RDF/XML with a DOCTYPE or ENTITY declaration is refused (entity expansion)"
        )


def _syntax_error(path: str, exc: SyntaxError) -> InputError:
    message = _OX_POSITION.sub("", exc.msg or str(exc))
    if "LoadDocumentCallback" in message:
        message = "remote JSON-LD @context is not fetched; inline the context in the document"
    if exc.lineno:
        where = f"line {exc.lineno}" + (f", column {exc.offset}" if exc.offset else "")
        return InputError(f"{path} {where}: {message}")
    return InputError(f"{path}: {message}")


def parse_rdf(
    path: Path,
    fmt: str | None = None,
    *,
    max_bytes: int | None = None,
    base_iri: str | None = None,
    name: str | None = None,
) -> ParsedRdf:
    """Parse one RDF file safely into an rdflib graph (named graphs, if any, are merged).

    Blank nodes get fresh labels, so two files never share a blank node by accident.
    Errors raise :class:`InputError` naming the file (as ``name``, default the path), line and column.
    """
    name = name or str(path)
    fmt = format_for(path, fmt)
    data = read_bytes(path, max_bytes, name)
    if fmt == "xml":
        check_xml_is_safe(name, data)
    parser = ox.parse(data, format=_OX_FORMATS[fmt], base_iri=base_iri, rename_blank_nodes=True)
    try:
        triples = {quad.triple for quad in parser}
    except SyntaxError as exc:
        raise _syntax_error(name, exc) from exc
    nt = ox.serialize(sorted(triples, key=str), format=ox.RdfFormat.N_TRIPLES) or b""
    graph = Graph()
    graph.parse(data=nt, format="nt")
    return ParsedRdf(graph, dict(parser.prefixes), len(triples))
