from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef

from itsm_prm.closure import keep, owl_rl_closure
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.terms import QueryResult

PRM = "https://w3id.org/itsm-prm/ontology#"
INC = URIRef("https://w3id.org/itsm-prm/id/process/INC")
INFERRED = "https://w3id.org/itsm-prm/graph/inferred"

TTL = """
@prefix prm: <https://w3id.org/itsm-prm/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
prm:Process rdfs:subClassOf prm:ModelElement .
prm:hasOutcome owl:inverseOf prm:outcomeOf .
<https://w3id.org/itsm-prm/id/process/INC> a prm:Process ; rdfs:label "Incident Management"@en ;
    prm:hasOutcome <https://w3id.org/itsm-prm/id/process/INC/outcome/1> .
<https://w3id.org/itsm-prm/id/process/INC/outcome/1> prm:number 1 .
"""


def test_closure_keeps_meaningful_inferences_only() -> None:
    source = Graph().parse(data=TTL, format="turtle")
    result = owl_rl_closure(source)
    assert (INC, RDF.type, URIRef(PRM + "ModelElement")) in result.inferred
    assert (URIRef(str(INC) + "/outcome/1"), URIRef(PRM + "outcomeOf"), INC) in result.inferred
    assert result.raw_new > len(result.inferred)  # the filter removed owlrl's noise
    for s, p, o in result.inferred:
        assert not isinstance(s, Literal)
        assert not (p == OWL.sameAs and s == o)
        assert not str(s).startswith((str(RDF), str(RDFS), str(OWL), str(XSD)))
        assert not (p == RDF.type and o in (OWL.Thing, RDFS.Resource))
        assert (s, p, o) not in source
    assert result.errors == []


def test_keep_rules() -> None:
    known = BNode()
    assert not keep((Literal("x"), OWL.sameAs, Literal("x")), set())
    assert not keep((INC, OWL.sameAs, INC), set())
    assert not keep((INC, RDF.type, OWL.Thing), set())
    assert not keep((INC, RDF.type, XSD.integer), set())
    assert not keep((URIRef(PRM + "A"), RDFS.subClassOf, URIRef(PRM + "A")), set())
    assert not keep((URIRef(PRM + "A"), OWL.equivalentClass, URIRef(PRM + "A")), set())
    assert not keep((XSD.integer, RDF.type, RDFS.Datatype), set())
    assert not keep((INC, RDF.type, BNode()), set())  # a node the reasoner made up
    assert keep((INC, RDF.type, known), {known})  # a restriction from the input
    assert keep((INC, RDF.type, URIRef(PRM + "ModelElement")), set())


def test_compiled_inferred_graph_has_no_generalized_rdf(fixture_kg: KnowledgeGraph) -> None:
    kg = fixture_kg
    rows = kg.store.query(
        "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }", None, default_graph_as_union=False
    )
    assert isinstance(rows, QueryResult)
    inferred = kg.store.query(
        f"SELECT ?s ?p ?o WHERE {{ GRAPH <{INFERRED}> {{ ?s ?p ?o }} }}", None, default_graph_as_union=False
    )
    assert isinstance(inferred, QueryResult) and len(inferred) > 0
    for row in inferred.rows:
        s, p, o = row["s"], row["p"], row["o"]
        assert s is not None and p is not None and o is not None
        assert s.kind != "literal"
        assert not (p.value == str(OWL.sameAs) and s == o)
        assert not (p.value == str(RDF.type) and o.value in (str(OWL.Thing), str(RDFS.Resource)))
    types = kg.store.query(
        f"ASK {{ GRAPH <{INFERRED}> {{ <{INC}> a <{PRM}ModelElement> }} }}",
        None,
        default_graph_as_union=False,
    )
    assert types is True
