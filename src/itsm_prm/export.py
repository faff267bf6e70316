"""RDF export: format and graph selection, readable prefixes, atomic file output."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from itsm_prm.errors import UnknownFormatError, UnknownGraphError
from itsm_prm.store.base import RDF_FORMATS, Store


def short_graph_name(iri: str) -> str:
    """``https://w3id.org/itsm-prm/graph/mappings/prm-iso15504-5-2006`` → ``mappings/prm-iso15504-5-2006``."""
    marker = "/graph/"
    return iri.split(marker, 1)[1] if marker in iri else iri


def resolve_graphs(names: Sequence[str] | None, available: Sequence[str]) -> list[str] | None:
    """Graph IRIs for full IRIs or short names; ``None``/empty selects every graph."""
    if not names:
        return None
    by_short = {short_graph_name(iri): iri for iri in available}
    chosen = []
    for name in names:
        iri = name if name in available else by_short.get(name.strip("/"))
        if iri is None:
            known = ", ".join(sorted(by_short)) or "none"
            raise UnknownGraphError(f"unknown graph {name!r} (known: {known})")
        chosen.append(iri)
    return list(dict.fromkeys(chosen))


def _compact_iri(iri: Any, prefixes: Mapping[str, str], used: dict[str, str]) -> Any:
    if not isinstance(iri, str) or iri.startswith("_:"):
        return iri  # blank nodes and anything unexpected stay as they are
    best = max(
        (ns for ns in prefixes.values() if iri.startswith(ns) and len(iri) > len(ns)), key=len, default=None
    )
    if best is None:
        return iri
    local = iri[len(best) :]
    if local.startswith("//"):  # would read as an absolute IRI
        return iri
    name = next(n for n, ns in prefixes.items() if ns == best)
    used[name] = best
    return f"{name}:{local}"


def _compact(node: Any, prefixes: Mapping[str, str], used: dict[str, str]) -> Any:
    if isinstance(node, list):
        return [_compact(x, prefixes, used) for x in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "@id":
            out[key] = _compact_iri(value, prefixes, used)
        elif key == "@type":
            types = value if isinstance(value, list) else [value]
            # rdflib writes a blank-node class as {"@id": "_:b"}; JSON-LD wants the identifier itself
            types = [t["@id"] if isinstance(t, dict) and "@id" in t else t for t in types]
            compacted = [_compact_iri(t, prefixes, used) for t in types]
            out[key] = compacted if isinstance(value, list) else compacted[0]
        elif key.startswith("@"):
            out[key] = _compact(value, prefixes, used)
        else:
            out[_compact_iri(key, prefixes, used)] = _compact(value, prefixes, used)
    return out


def compact_jsonld(data: bytes, prefixes: Mapping[str, str]) -> bytes:
    """Rewrite expanded JSON-LD with compact IRIs (``prm:Process``) and an inline ``@context``.

    Only prefixes ending in ``/`` or ``#`` are used: JSON-LD 1.1 treats those as prefixes.
    """
    usable = {k: v for k, v in prefixes.items() if v.endswith(("/", "#"))}
    doc = json.loads(data)
    nodes = doc.get("@graph", doc) if isinstance(doc, dict) else doc
    used: dict[str, str] = {}
    compacted = _compact(nodes, usable, used)
    out = {"@context": dict(sorted(used.items())), "@graph": compacted}
    return json.dumps(out, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


def export(
    store: Store,
    fmt: str,
    graph: str | Sequence[str] | None = None,
    prefixes: Mapping[str, str] | None = None,
) -> bytes:
    """Serialise the dataset (or the named graphs selected by IRI or short name)."""
    if fmt not in RDF_FORMATS:
        raise UnknownFormatError(f"unknown format {fmt!r} (choose from {', '.join(RDF_FORMATS)})")
    names = [graph] if isinstance(graph, str) else graph
    graphs = resolve_graphs(names, store.graphs())
    data = store.export(fmt, graphs, prefixes)
    if fmt == "jsonld":
        data = compact_jsonld(data, prefixes or {})
    return data


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same folder, then rename."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
