"""Content negotiation in one place: media types, ``Accept`` parsing, ``?format=`` overrides.

Every route that can answer in several formats asks :func:`negotiate` with the formats it
offers; ``None`` means 406 Not Acceptable. The ``format`` override (a short name such as
``ttl`` or a media type) wins over the ``Accept`` header, for links that cannot send headers.
"""

from __future__ import annotations

from collections.abc import Sequence

import mimeparse

#: short name → media type, for every format the service speaks
MEDIA_TYPES: dict[str, str] = {
    # SPARQL results (SELECT / ASK)
    "srj": "application/sparql-results+json",
    "srx": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    # RDF (CONSTRUCT / DESCRIBE, linked data, downloads)
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "xml": "application/rdf+xml",
    "nt": "application/n-triples",
    "nq": "application/n-quads",
    "trig": "application/trig",
    # documents
    "html": "text/html",
    "json": "application/json",
}

#: other names and media types clients use for the same things
ALIASES: dict[str, str] = {
    "json": "application/sparql-results+json",  # for SPARQL results; routes may override
    "xml": "application/rdf+xml",
    "turtle": "text/turtle",
    "json-ld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "rdfxml": "application/rdf+xml",
    "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
    "nquads": "application/n-quads",
    "application/x-turtle": "text/turtle",
    "text/plain": "application/n-triples",  # old N-Triples media type
    "application/json": "application/json",
    "application/sparql-results+json": "application/sparql-results+json",
    "rdf+xml": "application/rdf+xml",  # SPARQLWrapper's RDFXML
    "n3": "text/turtle",  # SPARQLWrapper's N3: Turtle is a subset of N3
    "text/n3": "text/turtle",
    "application/turtle": "text/turtle",
    "application/x-json+ld": "application/ld+json",
    "sparql-results+json": "application/sparql-results+json",
    "sparql-results+xml": "application/sparql-results+xml",
}

#: media types some clients put in ``Accept`` for one we offer (SPARQLWrapper sends
#: ``application/turtle``, older tools ``application/x-turtle``); used only when the
#: canonical type is offered and the alias itself is not
ACCEPT_ALIASES: dict[str, str] = {
    "application/x-turtle": "text/turtle",
    "application/turtle": "text/turtle",
    "application/x-json+ld": "application/ld+json",
    "application/json": "application/ld+json",  # JSON for a graph: JSON-LD
    "application/sparql-results+json": "application/json",  # when only plain JSON is offered
}

SELECT_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "application/json",
)
GRAPH_TYPES = ("text/turtle", "application/ld+json", "application/rdf+xml", "application/n-triples")
DATASET_TYPES = ("application/n-quads", "application/trig")


def media_type_of(name: str, offered: Sequence[str]) -> str | None:
    """Resolve a ``format`` override (short name, alias or media type) against what is offered."""
    key = name.strip().lower()
    candidates = [MEDIA_TYPES.get(key), ALIASES.get(key), key]
    if key in ("json", "xml"):  # ambiguous short names: the SPARQL-results or the RDF meaning
        candidates = [
            "application/sparql-results+json" if key == "json" else "application/sparql-results+xml",
            "application/ld+json" if key == "json" else "application/rdf+xml",
            "application/json",
        ]
    for candidate in candidates:
        if candidate and candidate in offered:
            return candidate
    return None


def negotiate(accept: str | None, offered: Sequence[str], override: str | None = None) -> str | None:
    """The media type to answer with, or ``None`` (406).

    The first offered type is the default (no or empty ``Accept``, or ``*/*``).

    >>> negotiate("text/html,application/xhtml+xml,*/*;q=0.8", ["text/turtle", "text/html"])
    'text/html'
    >>> negotiate("application/sparql-results+json", ["text/turtle"]) is None
    True
    >>> negotiate(None, ["text/turtle"], override="jsonld") is None
    True
    """
    if override:
        return media_type_of(override, offered)
    if not accept or not accept.strip():
        return offered[0]
    aliases = {a: c for a, c in ACCEPT_ALIASES.items() if c in offered and a not in offered}
    # mimeparse prefers the *last* of equally good candidates: offer ours in reverse order,
    # aliases before them so that a tie (e.g. ``*/*``) goes to a canonical type
    candidates = list(aliases) + list(reversed(offered))
    try:
        best = mimeparse.best_match(candidates, accept)
    except (ValueError, mimeparse.MimeTypeParseException):
        return None
    return aliases.get(best, best) or None


#: the short name to advertise for each media type (``format=`` accepts these and more)
SHORT_NAMES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
    "application/n-triples": "nt",
    "application/n-quads": "nq",
    "application/trig": "trig",
    "text/html": "html",
}


def describe(offered: Sequence[str]) -> str:
    """The formats a route offers, for a 406 message: media types and their short names.

    >>> describe(["text/turtle", "application/n-triples"])
    'text/turtle (ttl), application/n-triples (nt)'
    """
    return ", ".join(f"{m} ({SHORT_NAMES[m]})" if m in SHORT_NAMES else m for m in offered)
