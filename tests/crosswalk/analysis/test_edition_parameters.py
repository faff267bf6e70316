"""The ``edition`` and ``edition-element`` parameter types: what they accept, what they bind, how they refuse."""

from __future__ import annotations

import pytest

from itsm_prm import queries
from itsm_prm.errors import CatalogError, ParameterError
from itsm_prm.terms import Term

BASE = "https://w3id.org/itsm-prm/"
ID = BASE + "id/"
KNOWN = {
    ID + "iso20000-1/2005/clause/8.2",
    ID + "iso20000-1/2018/clause/8.5.1",
    ID + "itil/4/practice/incident-management",
}

QUERY = queries.parse_query_text(
    "#+ params: {element: {type: edition-element, required: true}, edition: {type: edition, required: true}}\n"
    "SELECT ?edition ?element WHERE { ?element <https://w3id.org/itsm-prm/ontology#inEdition> ?edition }\n",
    "reverse",
)


def bind(**values: object) -> dict[str, Term]:
    return queries.bind(QUERY, values, base_iri=BASE, exists=KNOWN.__contains__)


@pytest.mark.parametrize(
    ("given", "edition"),
    [
        ("2005", "iso20000-1/2005"),
        ("iso20000-1:2005", "iso20000-1/2005"),
        ("ISO/IEC 20000-1:2005", "iso20000-1/2005"),
        (" 2011 ", "iso20000-1/2011"),
        ("ISO20000-1:2018", "iso20000-1/2018"),
        ("itil4", "itil/4"),
        ("ITIL 4", "itil/4"),
        (ID + "iso20000-1/2018", "iso20000-1/2018"),
        (Term.iri(ID + "itil/4"), "itil/4"),
    ],
)
def test_edition_binds_the_edition_iri(given: object, edition: str) -> None:
    param = QUERY.params["edition"]
    assert queries.coerce(param, given, BASE) == Term.iri(ID + edition)


@pytest.mark.parametrize("given", ["2006", "iso20000-1", "itil3", "", ID + "iso15504-5/2006"])
def test_unknown_edition_names_the_parameter_and_the_choices(given: str) -> None:
    with pytest.raises(ParameterError) as caught:
        bind(element="8.2", edition=given)
    message = str(caught.value)
    assert message.startswith("parameter 'edition': unknown crosswalk target")
    assert "iso20000-1:2005, iso20000-1:2011, iso20000-1:2018, itil4" in message


@pytest.mark.parametrize(
    ("element", "edition", "iri"),
    [
        ("8.2", "2005", "iso20000-1/2005/clause/8.2"),
        (" 8.5.1 ", "2018", "iso20000-1/2018/clause/8.5.1"),
        ("clause/8.2", "2005", "iso20000-1/2005/clause/8.2"),
        (ID + "iso20000-1/2005/clause/8.2", "2005", "iso20000-1/2005/clause/8.2"),
        ("incident-management", "itil4", "itil/4/practice/incident-management"),
        ("Incident management", "ITIL 4", "itil/4/practice/incident-management"),
    ],
)
def test_element_binds_the_iri_within_the_edition(element: str, edition: str, iri: str) -> None:
    bound = bind(element=element, edition=edition)
    assert bound["element"] == Term.iri(ID + iri)
    assert bound["edition"].kind == "iri"


@pytest.mark.parametrize(
    ("element", "edition", "message"),
    [
        ("8.2", "2018", "parameter 'element': no clause '8.2' in ISO/IEC 20000-1:2018"),
        ("6.9", "2005", "parameter 'element': no clause '6.9' in ISO/IEC 20000-1:2005"),
        (ID + "iso20000-1/2018/clause/8.5.1", "2005", "no clause '" + ID + "iso20000-1/2018/clause/8.5.1'"),
        ("change-management", "itil4", "parameter 'element': no practice 'change-management' in ITIL 4"),
        ("8.2>", "2005", "parameter 'element': '8.2>' is not a clause number, practice name or IRI"),
        ("", "2005", "is not a clause number, practice name or IRI"),
    ],
)
def test_element_outside_the_edition_is_refused(element: str, edition: str, message: str) -> None:
    with pytest.raises(ParameterError, match=message.replace(".", r"\.").replace("?", r"\?")):
        bind(element=element, edition=edition)


def test_missing_element_is_refused_by_name() -> None:
    with pytest.raises(ParameterError, match="missing required parameter 'element'"):
        bind(edition="2005")


def test_element_type_needs_an_edition_parameter() -> None:
    with pytest.raises(CatalogError, match="edition-element parameter needs an edition parameter"):
        queries.parse_query_text(
            "#+ params: {element: {type: edition-element}}\nSELECT ?element WHERE { ?element ?p ?o }\n", "bad"
        )


def test_edition_choices_are_the_keys_and_short_forms() -> None:
    assert queries.edition_choices() == [
        "iso20000-1:2005", "2005", "iso20000-1:2011", "2011", "iso20000-1:2018", "2018", "itil4"
    ]


def test_element_without_an_edition_value_is_refused() -> None:
    optional = queries.parse_query_text(
        "#+ params: {element: {type: edition-element, required: true}, edition: {type: edition}}\n"
        "SELECT ?edition ?element WHERE { ?element ?p ?edition }\n",
        "optional-edition",
    )
    with pytest.raises(ParameterError, match=r"parameter 'element' needs an edition \(parameter 'edition'\)"):
        queries.bind(optional, {"element": "8.2"}, base_iri=BASE, exists=KNOWN.__contains__)
