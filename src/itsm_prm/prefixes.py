"""Prefix maps and IRI shortening for readable output (tables, Turtle, JSON-LD, reports)."""

from __future__ import annotations

from collections.abc import Mapping

PRM_NAMESPACE = "https://w3id.org/itsm-prm/ontology#"

STANDARD_PREFIXES: dict[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "vann": "http://purl.org/vocab/vann/",
    "prov": "http://www.w3.org/ns/prov#",
    "sh": "http://www.w3.org/ns/shacl#",
    "foaf": "http://xmlns.com/foaf/0.1/",
}


def default_prefixes(base_iri: str) -> dict[str, str]:
    """Our own namespaces first (``prm:``, ``prmsh:``, ``id:``, ``graph:``), then the usual vocabularies."""
    return {
        "prm": PRM_NAMESPACE,
        "prmsh": f"{base_iri}shapes#",
        "id": f"{base_iri}id/",
        "graph": f"{base_iri}graph/",
        **STANDARD_PREFIXES,
    }


def merge_prefixes(base: Mapping[str, str], declared: Mapping[str, str]) -> dict[str, str]:
    """Add prefixes declared in the data, never rebinding a name or a namespace already mapped."""
    merged = dict(base)
    namespaces = set(merged.values())
    for name, ns in sorted(declared.items()):
        if name and name not in merged and ns not in namespaces and "://" in ns:
            merged[name] = ns
            namespaces.add(ns)
    return merged


def shorten(iri: str, prefixes: Mapping[str, str]) -> str:
    """``https://w3id.org/itsm-prm/id/process/INC`` → ``id:process/INC`` (longest namespace wins).

    >>> shorten("https://w3id.org/itsm-prm/id/process/INC", default_prefixes("https://w3id.org/itsm-prm/"))
    'id:process/INC'
    >>> shorten("http://example.org/x", {})
    'http://example.org/x'
    """
    best = ""
    best_name = ""
    for name, ns in prefixes.items():
        if iri.startswith(ns) and len(ns) > len(best) and len(iri) > len(ns):
            best, best_name = ns, name
    return f"{best_name}:{iri[len(best) :]}" if best else iri
