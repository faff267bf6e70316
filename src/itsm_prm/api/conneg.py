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
    try:
        # mimeparse prefers the *last* of equally good candidates: offer ours in reverse order
        best = mimeparse.best_match(list(reversed(offered)), accept)
    except (ValueError, mimeparse.MimeTypeParseException):
        return None
    return best or None
