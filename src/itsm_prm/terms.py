"""Store-independent RDF terms and query results.

Every store converts its native terms into these, so callers (CLI, API, tests) never see
pyoxigraph or rdflib objects and results from two engines compare with ``==``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal as TypingLiteral

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
XSD_INTEGER = XSD + "integer"
XSD_BOOLEAN = XSD + "boolean"
XSD_DOUBLE = XSD + "double"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

TermKind = TypingLiteral["iri", "literal", "bnode"]


def _escape_literal(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )


@dataclass(frozen=True, slots=True)
class Term:
    """One RDF term. Literals always carry a datatype (RDF 1.1): ``xsd:string`` for simple
    literals, ``rdf:langString`` for language-tagged ones.

    >>> Term.iri("https://w3id.org/itsm-prm/id/process/INC").n3()
    '<https://w3id.org/itsm-prm/id/process/INC>'
    >>> Term.literal("Incident Management", lang="en").n3()
    '"Incident Management"@en'
    >>> str(Term.literal(3))
    '3'
    """

    kind: TermKind
    value: str
    datatype: str | None = None
    lang: str | None = None

    def __post_init__(self) -> None:
        if self.kind == "literal":
            if self.lang and self.datatype not in (None, RDF_LANGSTRING):
                raise ValueError("a language-tagged literal has datatype rdf:langString")
            if self.datatype is None:
                object.__setattr__(self, "datatype", RDF_LANGSTRING if self.lang else XSD_STRING)
        elif self.datatype is not None or self.lang is not None:
            raise ValueError(f"an {self.kind} has no datatype or language")

    @classmethod
    def iri(cls, value: str) -> Term:
        return cls("iri", value)

    @classmethod
    def bnode(cls, value: str) -> Term:
        return cls("bnode", value)

    @classmethod
    def literal(
        cls, value: str | int | float | bool, datatype: str | None = None, lang: str | None = None
    ) -> Term:
        """A literal; Python bools, ints and floats get their XSD datatype."""
        if isinstance(value, bool):  # before int: bool is an int subclass
            return cls("literal", "true" if value else "false", datatype or XSD_BOOLEAN)
        if isinstance(value, int):
            return cls("literal", str(value), datatype or XSD_INTEGER)
        if isinstance(value, float):
            return cls("literal", repr(value), datatype or XSD_DOUBLE)
        return cls("literal", value, datatype, lang)

    def n3(self) -> str:
        """N-Triples / SPARQL syntax of the term."""
        if self.kind == "iri":
            return f"<{self.value}>"
        if self.kind == "bnode":
            return f"_:{self.value}"
        text = f'"{_escape_literal(self.value)}"'
        if self.lang:
            return f"{text}@{self.lang}"
        if self.datatype and self.datatype != XSD_STRING:
            return f"{text}^^<{self.datatype}>"
        return text

    def __str__(self) -> str:
        return self.value


def to_term(value: Term | str | int | float | bool) -> Term:
    """Coerce a Python value to a term: terms pass, ``str`` becomes a plain literal.

    IRIs must be given as ``Term.iri(...)`` so a string is never mistaken for one.
    """
    if isinstance(value, Term):
        return value
    return Term.literal(value)


Triple = tuple[Term, Term, Term]


@dataclass(slots=True)
class QueryResult:
    """The answer of a SELECT query: variable names in order, one dict per row
    (a variable left unbound in a row maps to ``None``)."""

    variables: list[str]
    rows: list[dict[str, Term | None]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Term | None]]:
        return iter(self.rows)

    def column(self, name: str) -> list[Term | None]:
        """All values of one variable, in row order."""
        return [row.get(name) for row in self.rows]

    @classmethod
    def from_triples(cls, triples: list[Triple]) -> QueryResult:
        """A CONSTRUCT/DESCRIBE answer as a three-column table."""
        names = ["subject", "predicate", "object"]
        return cls(names, [dict(zip(names, t, strict=True)) for t in triples])
