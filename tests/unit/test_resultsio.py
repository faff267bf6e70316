import csv
import io
import json

from itsm_prm.resultsio import to_csv, to_json, to_tsv
from itsm_prm.terms import XSD_INTEGER, QueryResult, Term

RESULT = QueryResult(
    ["s", "label", "n", "b"],
    [
        {
            "s": Term.iri("https://w3id.org/itsm-prm/id/process/INC"),
            "label": Term.literal('Say "hi",\nthen go', lang="en"),
            "n": Term("literal", "3", XSD_INTEGER),
            "b": Term.bnode("b0"),
        },
        {"s": Term.iri("urn:x"), "label": Term.literal("tab\there"), "n": None, "b": None},
    ],
)


def test_json_follows_the_w3c_format() -> None:
    doc = json.loads(to_json(RESULT))
    assert doc["head"]["vars"] == ["s", "label", "n", "b"]
    first, second = doc["results"]["bindings"]
    assert first["s"] == {"type": "uri", "value": "https://w3id.org/itsm-prm/id/process/INC"}
    assert first["label"] == {"type": "literal", "value": 'Say "hi",\nthen go', "xml:lang": "en"}
    assert first["n"] == {"type": "literal", "value": "3", "datatype": XSD_INTEGER}
    assert first["b"] == {"type": "bnode", "value": "b0"}
    assert set(second) == {"s", "label"}  # unbound variables are left out
    assert json.loads(to_json(True)) == {"head": {}, "boolean": True}


def test_csv_quotes_and_uses_crlf() -> None:
    text = to_csv(RESULT)
    assert text.startswith("s,label,n,b\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[1] == ["https://w3id.org/itsm-prm/id/process/INC", 'Say "hi",\nthen go', "3", "_:b0"]
    assert rows[2] == ["urn:x", "tab\there", "", ""]


def test_tsv_uses_rdf_term_syntax() -> None:
    lines = to_tsv(RESULT).splitlines()
    assert lines[0] == "?s\t?label\t?n\t?b"
    assert lines[1].split("\t") == [
        "<https://w3id.org/itsm-prm/id/process/INC>",
        '"Say \\"hi\\",\\nthen go"@en',
        f'"3"^^<{XSD_INTEGER}>',
        "_:b0",
    ]
    assert lines[2].split("\t") == ["<urn:x>", '"tab\\there"', "", ""]
