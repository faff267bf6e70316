"""Differential test: every public named query gives the same answer, row for row, on every store —
embedded Oxigraph on disk, ``oxigraph serve`` and Virtuoso as remote SPARQL servers — as on the
in-memory store. Engine dialects (Virtuoso's xsd:int counts, 0/1 booleans, typed-literal JSON) must
not show through."""

from __future__ import annotations

import pytest

from tests.queries.test_named_queries import PUBLIC, comparable

OTHER_STORES = ["oxigraph-path", "oxigraph-server", "virtuoso"]


@pytest.mark.parametrize("store_kind", OTHER_STORES, indirect=True)
@pytest.mark.parametrize("name", PUBLIC)
def test_every_store_answers_like_memory(kg, store_kg, store_kind, name):
    query = kg.catalog[name]
    params = {p: spec["example"] for p, spec in query.params.items()}
    expected = kg.run(name, **params)
    got = store_kg.run(name, **params)
    assert expected.rows, f"{name} returned no rows for its example parameters"
    assert got.variables == expected.variables
    assert comparable(got) == comparable(expected)


@pytest.mark.parametrize("store_kind", OTHER_STORES, indirect=True)
def test_the_store_holds_the_reference_data_and_the_view_shows_only_it(kg, store_kg, store_kind):
    assert store_kg.store.graphs() == kg.store.graphs()
    for graph in kg.reference_graphs:
        assert store_kg.store.count(graph) == kg.store.count(graph), graph
    assert store_kg.store.count() == kg.store.count()
