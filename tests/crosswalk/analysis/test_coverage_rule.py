"""The coverage rule on a small graph written here, with the answers worked out by hand.

The graph uses the 2005 edition's IRI (the ``edition`` parameter only takes registered editions) with
made-up clauses: every relation once, an element with only "not related to", elements covered only
through outcomes, a parent clause with its own record (it must not count, nor lend its record to its
sub-clauses), an informative clause (``prm:statesRequirements false``) with a record, a record of
another mapping set on an otherwise uncovered clause, and a 2018 record that must not leak into 2005.
Each query runs on Oxigraph and on the rdflib reference engine, which must agree.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Dataset, URIRef

from itsm_prm import queries
from itsm_prm.errors import ParameterError
from itsm_prm.store import open_store
from itsm_prm.store.base import Store
from itsm_prm.terms import QueryResult, Term

BASE = "https://w3id.org/itsm-prm/"
ID = BASE + "id/"
C = ID + "iso20000-1/2005/clause/"
QUERIES = Path(__file__).resolve().parents[3] / "queries"
CATALOG = queries.load_catalog(QUERIES)

GRAPH = """
@prefix prm:    <https://w3id.org/itsm-prm/ontology#> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix sssom:  <https://w3id.org/sssom/> .
@prefix prov:   <http://www.w3.org/ns/prov#> .
@base           <https://w3id.org/itsm-prm/id/> .

prm:equalTo rdfs:label "equal to"@en .        prm:supersetOf rdfs:label "superset of"@en .
prm:subsetOf rdfs:label "subset of"@en .      prm:intersectsWith rdfs:label "intersects with"@en .
prm:notRelatedTo rdfs:label "not related to"@en .

<model> a prm:ProcessReferenceModel .
<process/PA> a prm:Process ; prm:processId "PA" ; prm:sectionNumber "IV.1" ;
    prm:hasOutcome <process/PA/outcome/1> , <process/PA/outcome/2> , <process/PA/outcome/3> .
<process/PB> a prm:Process ; prm:processId "PB" ; prm:sectionNumber "IV.2" ;
    prm:hasOutcome <process/PB/outcome/1> , <process/PB/outcome/2> , <process/PB/outcome/3> .
<process/PA/outcome/1> prm:outcomeOf <process/PA> ; prm:outcomeNumber 1 ; skos:notation "PA.1" ; prm:statement "One."@en .
<process/PA/outcome/2> prm:outcomeOf <process/PA> ; prm:outcomeNumber 2 ; skos:notation "PA.2" ; prm:statement "Two."@en .
<process/PA/outcome/3> prm:outcomeOf <process/PA> ; prm:outcomeNumber 3 ; skos:notation "PA.3" ; prm:statement "Three."@en .
<process/PB/outcome/1> prm:outcomeOf <process/PB> ; prm:outcomeNumber 1 ; skos:notation "PB.1" ; prm:statement "Four."@en .
<process/PB/outcome/2> prm:outcomeOf <process/PB> ; prm:outcomeNumber 2 ; skos:notation "PB.2" ; prm:statement "Five."@en .
<process/PB/outcome/3> prm:outcomeOf <process/PB> ; prm:outcomeNumber 3 ; skos:notation "PB.3" ; prm:statement "Six."@en .

<iso20000-1/2005> a prm:StandardEdition .
<iso20000-1/2018> a prm:StandardEdition .
<iso20000-1/2005/clause/1> a prm:Clause ; prm:inEdition <iso20000-1/2005> ; prm:clauseNumber "1" ;
    dcterms:title "Scope"@en ; prm:statesRequirements false .
<iso20000-1/2005/clause/1.1> a prm:Clause ; prm:inEdition <iso20000-1/2005> ; prm:clauseNumber "1.1" ;
    dcterms:title "Aim"@en ; prm:subClauseOf <iso20000-1/2005/clause/1> ; prm:statesRequirements false .
<iso20000-1/2005/clause/2> a prm:Clause ; prm:inEdition <iso20000-1/2005> ; prm:clauseNumber "2" ;
    dcterms:title "Two"@en .
<iso20000-1/2005/clause/2.1> a prm:Clause ; prm:inEdition <iso20000-1/2005> ; prm:clauseNumber "2.1" ;
    dcterms:title "Equal"@en ; prm:subClauseOf <iso20000-1/2005/clause/2> .
<iso20000-1/2005/clause/2.2> a prm:Clause ; prm:inEdition <iso20000-1/2005> ; prm:clauseNumber "2.2" ;
    dcterms:title "Superset through an outcome"@en ; prm:subClauseOf <iso20000-1/2005/clause/2> .
<iso20000-1/2005/clause/2.3> a prm:Clause ; prm:inEdition <iso20000-1/2005> ; prm:clauseNumber "2.3" ;
    dcterms:title "Subset and intersects"@en ; prm:subClauseOf <iso20000-1/2005/clause/2> .
<iso20000-1/2005/clause/2.4> a prm:Clause ; prm:inEdition <iso20000-1/2005> ; prm:clauseNumber "2.4" ;
    dcterms:title "Intersects through an outcome"@en ; prm:subClauseOf <iso20000-1/2005/clause/2> .
<iso20000-1/2005/clause/2.5> a prm:Clause ; prm:inEdition <iso20000-1/2005> ; prm:clauseNumber "2.5" ;
    dcterms:title "Not related"@en ; prm:subClauseOf <iso20000-1/2005/clause/2> .
<iso20000-1/2005/clause/2.6> a prm:Clause ; prm:inEdition <iso20000-1/2005> ; prm:clauseNumber "2.6" ;
    dcterms:title "Other set only"@en ; prm:subClauseOf <iso20000-1/2005/clause/2> .
<iso20000-1/2005/clause/3> a prm:Clause ; prm:inEdition <iso20000-1/2005> ; prm:clauseNumber "3" ;
    dcterms:title "Top-level leaf"@en .
<iso20000-1/2005/clause/4> a prm:Clause ; prm:inEdition <iso20000-1/2005> ; prm:clauseNumber "4" ;
    dcterms:title "Four"@en .
<iso20000-1/2005/clause/4.1> a prm:Clause ; prm:inEdition <iso20000-1/2005> ; prm:clauseNumber "4.1" ;
    dcterms:title "Four one"@en ; prm:subClauseOf <iso20000-1/2005/clause/4> .
<iso20000-1/2005/clause/4.1.1> a prm:Clause ; prm:inEdition <iso20000-1/2005> ; prm:clauseNumber "4.1.1" ;
    dcterms:title "Deep"@en ; prm:subClauseOf <iso20000-1/2005/clause/4.1> .
<iso20000-1/2005/clause/4.2> a prm:Clause ; prm:inEdition <iso20000-1/2005> ; prm:clauseNumber "4.2" ;
    dcterms:title "Four two"@en ; prm:subClauseOf <iso20000-1/2005/clause/4> .
<iso20000-1/2005/clause/4.10> a prm:Clause ; prm:inEdition <iso20000-1/2005> ; prm:clauseNumber "4.10" ;
    dcterms:title "Four ten"@en ; prm:subClauseOf <iso20000-1/2005/clause/4> .
<iso20000-1/2018/clause/9> a prm:Clause ; prm:inEdition <iso20000-1/2018> ; prm:clauseNumber "9" ;
    dcterms:title "Later"@en .

<set/2005> a prm:MappingSet ; prm:subjectSource <model> ; prm:objectSource <iso20000-1/2005> .
<set/2018> a prm:MappingSet ; prm:subjectSource <model> ; prm:objectSource <iso20000-1/2018> .
<set/other> a prm:MappingSet ; prm:subjectSource <other-model> ; prm:objectSource <iso20000-1/2005> .

<r/1>  prm:inMappingSet <set/2005> ; prm:mappingSubject <process/PA> ; prm:mappingPredicate prm:equalTo ;
       prm:mappingObject <iso20000-1/2005/clause/1.1> .
<r/2>  prm:inMappingSet <set/2005> ; prm:mappingSubject <process/PB> ; prm:mappingPredicate prm:equalTo ;
       prm:mappingObject <iso20000-1/2005/clause/2> .
<r/3>  prm:inMappingSet <set/2005> ; prm:mappingSubject <process/PA> ; prm:mappingPredicate prm:equalTo ;
       prm:mappingObject <iso20000-1/2005/clause/2.1> ; prm:strength 9 ; rdfs:comment "Same ground."@en .
<r/4>  prm:inMappingSet <set/2005> ; prm:mappingSubject <process/PA/outcome/1> ; prm:mappingPredicate prm:supersetOf ;
       prm:mappingObject <iso20000-1/2005/clause/2.2> .
<r/5>  prm:inMappingSet <set/2005> ; prm:mappingSubject <process/PB> ; prm:mappingPredicate prm:subsetOf ;
       prm:mappingObject <iso20000-1/2005/clause/2.3> .
<r/6>  prm:inMappingSet <set/2005> ; prm:mappingSubject <process/PA/outcome/2> ; prm:mappingPredicate prm:intersectsWith ;
       prm:mappingObject <iso20000-1/2005/clause/2.3> .
<r/7>  prm:inMappingSet <set/2005> ; prm:mappingSubject <process/PB/outcome/1> ; prm:mappingPredicate prm:intersectsWith ;
       prm:mappingObject <iso20000-1/2005/clause/2.4> .
<r/8>  prm:inMappingSet <set/2005> ; prm:mappingSubject <process/PB/outcome/2> ; prm:mappingPredicate prm:notRelatedTo ;
       prm:mappingObject <iso20000-1/2005/clause/2.5> .
<r/9>  prm:inMappingSet <set/other> ; prm:mappingSubject <process/PA> ; prm:mappingPredicate prm:equalTo ;
       prm:mappingObject <iso20000-1/2005/clause/2.6> .
<r/10> prm:inMappingSet <set/2005> ; prm:mappingSubject <process/PA> ; prm:mappingPredicate prm:subsetOf ;
       prm:mappingObject <iso20000-1/2005/clause/3> .
<r/11> prm:inMappingSet <set/2005> ; prm:mappingSubject <process/PB> ; prm:mappingPredicate prm:equalTo ;
       prm:mappingObject <iso20000-1/2005/clause/3> .
<r/12> prm:inMappingSet <set/2005> ; prm:mappingSubject <process/PB> ; prm:mappingPredicate prm:subsetOf ;
       prm:mappingObject <iso20000-1/2005/clause/4.1.1> .
<r/13> prm:inMappingSet <set/2018> ; prm:mappingSubject <process/PA/outcome/3> ; prm:mappingPredicate prm:equalTo ;
       prm:mappingObject <iso20000-1/2018/clause/9> ; prov:wasDerivedFrom <r/3> .
<r/14> prm:inMappingSet <set/2005> ; prm:mappingSubject <process/PB/outcome/2> ; prm:mappingPredicate prm:notRelatedTo ;
       prm:mappingObject sssom:NoTermFound ; rdfs:comment "Nothing like it in the standard."@en .
<r/15> prm:inMappingSet <set/2018> ; prm:mappingSubject <process/PB/outcome/3> ; prm:mappingPredicate prm:notRelatedTo ;
       prm:mappingObject sssom:NoTermFound .
"""

# coverage of the requirement leaves, worked out from the records above (clause: coverage, best
# relation, covering subjects, records): clause 1 and 1.1 are informative, 2 and 4 and 4.1 are parents
EXPECTED = {
    "2.1": ("full", "equal to", {"PA"}, 1),
    "2.2": ("full", "superset of", {"PA.1"}, 1),
    "2.3": ("partial", "subset of", {"PB", "PA.2"}, 2),
    "2.4": ("partial", "intersects with", {"PB.1"}, 1),
    "2.5": ("none", "not related to", set(), 1),
    "2.6": ("none", None, set(), 0),
    "3": ("full", "equal to", {"PA", "PB"}, 2),
    "4.1.1": ("partial", "subset of", {"PB"}, 1),
    "4.2": ("none", None, set(), 0),
    "4.10": ("none", None, set(), 0),
}
GROUPS = {"2.1": "2", "2.2": "2", "2.3": "2", "2.4": "2", "2.5": "2", "2.6": "2", "3": "3"}


@pytest.fixture(scope="module", params=["memory", "rdflib"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Store:
    dataset = Dataset()
    dataset.graph(URIRef("https://example.org/graph/fixture")).parse(data=GRAPH, format="turtle")
    path = tmp_path_factory.mktemp("coverage") / "fixture.nq"
    dataset.serialize(path, format="nquads")
    opened = open_store(request.param)
    opened.load_nquads(path)
    return opened


def run(store: Store, name: str, **params: object) -> QueryResult:
    query = CATALOG[name]
    exists: Callable[[str], bool] = lambda iri: bool(  # noqa: E731
        store.query("ASK { ?s ?p ?o }", {"s": Term.iri(iri)})
    )
    result = store.query(query.sparql, queries.bind(query, params, base_iri=BASE, exists=exists))
    assert isinstance(result, QueryResult)
    return result


def text(term: Term | None) -> str | None:
    return None if term is None else term.value


def test_coverage_per_element(store: Store) -> None:
    rows = run(store, "crosswalk-coverage", edition="2005").rows
    # numeric clause order (4.2 before 4.10); parents and informative clauses left out
    assert [text(r["number"]) for r in rows] == list(EXPECTED)
    for row in rows:
        number = text(row["number"])
        coverage, best, subjects, records = EXPECTED[number]
        assert text(row["coverage"]) == coverage, number
        assert text(row["bestRelationLabel"]) == best, number
        listed = text(row["subjects"])
        assert set(listed.split("; ")) - {""} == subjects, number
        assert int(text(row["records"])) == records, number
        assert text(row["edition"]) == ID + "iso20000-1/2005"
        assert text(row["groupNumber"]) == GROUPS.get(number, "4"), number


def test_coverage_summary(store: Store) -> None:
    rows = run(store, "crosswalk-coverage-summary", edition="2005").rows
    got = [
        (
            text(r["groupNumber"]),
            text(r["groupTitle"]),
            *(int(text(r[k])) for k in ("elements", "full", "partial", "none")),
            float(text(r["fullPercent"])),
            float(text(r["coveredPercent"])),
        )
        for r in rows
    ]
    assert got == [
        ("2", "Two", 6, 2, 2, 2, 33.3, 66.7),
        ("3", "Top-level leaf", 1, 1, 0, 0, 100.0, 100.0),
        ("4", "Four", 3, 0, 1, 2, 0.0, 33.3),
        (None, "all", 10, 3, 3, 4, 30.0, 60.0),
    ]
    assert rows[-1]["group"] is None


def test_gaps(store: Store) -> None:
    rows = run(store, "crosswalk-gaps", edition="2005").rows
    assert [(text(r["number"]), text(r["groupNumber"])) for r in rows] == [
        ("2.5", "2"), ("2.6", "2"), ("4.2", "4"), ("4.10", "4")
    ]


def test_other_edition_is_separate(store: Store) -> None:
    rows = run(store, "crosswalk-coverage", edition="iso20000-1:2018").rows
    assert [(text(r["number"]), text(r["coverage"]), text(r["subjects"])) for r in rows] == [
        ("9", "full", "PA.3")
    ]


def test_unmapped_outcomes(store: Store) -> None:
    rows = run(store, "crosswalk-unmapped-outcomes", edition="2005").rows
    # PA.3 has a 2018 record only; PB.2 has only "not related" records (one to a clause, one saying
    # there is no counterpart: a row each); PB.3 has a 2018 no-counterpart record only
    assert [(text(r["outcomeId"]), text(r["record"]), text(r["comment"])) for r in rows] == [
        ("PA.3", None, None),
        ("PB.2", ID + "r/14", "Nothing like it in the standard."),
        ("PB.2", ID + "r/8", None),
        ("PB.3", None, None),
    ]
    later = run(store, "crosswalk-unmapped-outcomes", edition="2018").rows
    assert [(text(r["outcomeId"]), text(r["record"])) for r in later] == [
        ("PA.1", None), ("PA.2", None), ("PB.1", None), ("PB.2", None), ("PB.3", ID + "r/15")
    ]


def test_mappings_of_a_process_with_and_without_outcomes(store: Store) -> None:
    rows = run(store, "crosswalk-mappings", subject="PA", edition="2005").rows
    assert [(text(r["subjectId"]), text(r["subjectKind"]), text(r["objectId"]), text(r["relationLabel"]))
            for r in rows] == [
        ("PA", "process", "1.1", "equal to"),
        ("PA", "process", "2.1", "equal to"),
        ("PA", "process", "3", "subset of"),
        ("PA.1", "outcome", "2.2", "superset of"),
        ("PA.2", "outcome", "2.3", "intersects with"),
    ]
    assert {text(r["subject"]) for r in rows} == {ID + "process/PA"}
    assert text(rows[1]["strength"]) == "9" and text(rows[1]["comment"]) == "Same ground."
    alone = run(store, "crosswalk-mappings", subject="PA", edition="2005", include_outcomes=False).rows
    assert [text(r["objectId"]) for r in alone] == ["1.1", "2.1", "3"]


def test_mappings_of_an_outcome_and_no_counterpart(store: Store) -> None:
    rows = run(store, "crosswalk-mappings", subject="PB.2", edition="2005").rows
    assert {(text(r["objectId"]), text(r["objectTitle"]), text(r["relationLabel"])) for r in rows} == {
        ("2.5", "Not related", "not related to"),
        (None, "no counterpart", "not related to"),
    }
    derived = run(store, "crosswalk-mappings", subject="PA.3", edition="2018").rows
    assert [(text(r["objectId"]), text(r["derived"])) for r in derived] == [("9", "true")]


def test_reverse_takes_sub_clauses(store: Store) -> None:
    rows = run(store, "crosswalk-reverse", element="2", edition="2005").rows
    assert [(text(r["objectId"]), text(r["subjectId"]), text(r["subjectKind"])) for r in rows] == [
        ("2", "PB", "process"),
        ("2.1", "PA", "process"),
        ("2.2", "PA.1", "outcome"),
        ("2.3", "PA.2", "outcome"),
        ("2.3", "PB", "process"),
        ("2.4", "PB.1", "outcome"),
        ("2.5", "PB.2", "outcome"),
    ]
    assert {text(r["element"]) for r in rows} == {C + "2"}
    # the other set's record on 2.6 is not the model's
    assert run(store, "crosswalk-reverse", element=C + "2.6", edition="2005").rows == []


@pytest.mark.parametrize("element", ["9", "2.7", ID + "iso20000-1/2018/clause/9", "incident-management"])
def test_reverse_refuses_an_element_outside_the_edition(store: Store, element: str) -> None:
    with pytest.raises(ParameterError, match=r"parameter 'element': no clause .* in ISO/IEC 20000-1:2005"):
        run(store, "crosswalk-reverse", element=element, edition="2005")
