import pytest

from itsm_prm.terms import RDF_LANGSTRING, XSD_BOOLEAN, XSD_DOUBLE, XSD_STRING, QueryResult, Term, to_term


def test_literals_always_have_a_datatype() -> None:
    assert Term.literal("x").datatype == XSD_STRING
    assert Term.literal("x", lang="en").datatype == RDF_LANGSTRING
    assert Term.literal(True) == Term("literal", "true", XSD_BOOLEAN)
    assert Term.literal(1.5).datatype == XSD_DOUBLE


def test_n3_and_str() -> None:
    assert Term.literal('a"b\\c\n').n3() == '"a\\"b\\\\c\\n"'
    assert Term.literal(2).n3() == '"2"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert Term.bnode("b1").n3() == "_:b1"
    assert str(Term.iri("urn:x")) == "urn:x"


def test_invalid_terms() -> None:
    with pytest.raises(ValueError):
        Term("iri", "urn:x", datatype=XSD_STRING)
    with pytest.raises(ValueError):
        Term("literal", "x", datatype=XSD_STRING, lang="en")


def test_to_term_never_guesses_iris() -> None:
    assert to_term("https://example.org/").kind == "literal"
    assert to_term(Term.iri("urn:x")).kind == "iri"


def test_query_result_helpers() -> None:
    t = (Term.iri("urn:s"), Term.iri("urn:p"), Term.literal("o"))
    result = QueryResult.from_triples([t])
    assert result.variables == ["subject", "predicate", "object"]
    assert result.column("object") == [Term.literal("o")] and len(result) == 1
