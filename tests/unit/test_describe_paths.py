"""On a SPARQL server a blank node cannot be named in a query, so ``describe`` reaches blank nodes by
their path from the focus: the result must equal following them by name."""

from __future__ import annotations

import pytest

from itsm_prm.describe import describe
from itsm_prm.store.view import DatasetView

PRM = "https://w3id.org/itsm-prm/ontology#"


class PathsOnly(DatasetView):
    """The same store, declared unable to bind blank nodes (as a remote store is)."""

    binds_blank_nodes = False

    def __init__(self, store, graphs):
        super().__init__(store, graphs)
        self.binds_blank_nodes = False


@pytest.mark.parametrize(
    "iri",
    [PRM + "partOfModel", PRM + "Process", "https://w3id.org/itsm-prm/id/process/INC", PRM + "nothing-here"],
)
def test_paths_reach_the_same_blank_nodes_as_names(kg, iri):
    by_name = describe(kg.store, iri)
    by_path = describe(PathsOnly(kg.store, kg.reference_graphs), iri)
    assert set(by_path.statements) == set(by_name.statements)
    assert {t: sorted(g) for t, g in by_path.statements.items()} == {
        t: sorted(g) for t, g in by_name.statements.items()
    }


def test_a_property_chain_comes_whole(kg):
    description = describe(PathsOnly(kg.store, kg.reference_graphs), PRM + "partOfModel")
    assert len(description.blank()) >= 4  # two list cells: rdf:first and rdf:rest each
