"""SPARQL query results in the W3C formats: JSON, CSV and TSV (SPARQL 1.1 Query Results) for
SELECT and ASK; Turtle and N-Triples for the graphs CONSTRUCT and DESCRIBE return."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping

from rdflib import Graph

from itsm_prm.terms import RDF_LANGSTRING, XSD_STRING, QueryResult, Term, Triple

RESULT_FORMATS = ("json", "csv", "tsv")
GRAPH_FORMATS = ("ttl", "nt")


def _json_term(term: Term) -> dict[str, str]:
    if term.kind == "iri":
        return {"type": "uri", "value": term.value}
    if term.kind == "bnode":
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.lang:
        out["xml:lang"] = term.lang
    elif term.datatype and term.datatype not in (XSD_STRING, RDF_LANGSTRING):
        out["datatype"] = term.datatype
    return out


def to_json(result: QueryResult | bool) -> str:
    """``application/sparql-results+json``."""
    if isinstance(result, bool):
        return json.dumps({"head": {}, "boolean": result}) + "\n"
    bindings = [
        {name: _json_term(value) for name, value in row.items() if value is not None} for row in result.rows
    ]
    doc = {"head": {"vars": result.variables}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    return f"_:{term.value}" if term.kind == "bnode" else term.value


def to_csv(result: QueryResult | bool) -> str:
    """``text/csv``: plain values (no datatypes or languages), CRLF line ends."""
    if isinstance(result, bool):
        return f"boolean\r\n{'true' if result else 'false'}\r\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow([_csv_value(row.get(name)) for name in result.variables])
    return buffer.getvalue()


def to_tsv(result: QueryResult | bool) -> str:
    """``text/tab-separated-values``: ``?var`` header, terms in N-Triples syntax."""
    if isinstance(result, bool):
        return f"?boolean\n{'true' if result else 'false'}\n"
    lines = ["\t".join(f"?{name}" for name in result.variables)]
    for row in result.rows:
        lines.append("\t".join("" if (t := row.get(name)) is None else t.n3() for name in result.variables))
    return "\n".join(lines) + "\n"


def serialize(result: QueryResult | bool, fmt: str) -> str:
    return {"json": to_json, "csv": to_csv, "tsv": to_tsv}[fmt](result)


def to_ntriples(triples: list[Triple]) -> str:
    """``application/n-triples``, one line per triple, in the engine's order."""
    return "".join(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in triples)


def graph_to_rdf(triples: list[Triple], fmt: str, prefixes: Mapping[str, str]) -> str:
    """A CONSTRUCT/DESCRIBE answer as N-Triples, or as Turtle with the dataset's prefixes."""
    ntriples = to_ntriples(triples)
    if fmt == "nt":
        return ntriples
    graph = Graph(bind_namespaces="none")
    for name, namespace in prefixes.items():
        graph.bind(name, namespace)
    graph.parse(data=ntriples, format="nt")
    return graph.serialize(format="turtle")
