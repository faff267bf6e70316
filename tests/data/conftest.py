import pytest
from rdflib import Graph


@pytest.fixture(scope="session")
def compiled(kg) -> Graph:
    """The whole compiled dataset (asserted + inferred), as exported to N-Triples and read back by rdflib."""
    graph = Graph()
    graph.parse(data=kg.export("nt"), format="nt")
    return graph
