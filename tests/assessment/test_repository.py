"""The assessment repository's core on the embedded stores: in memory, on disk (reopened), and the rdflib
reference engine — the same records, the same exports, and the scoped named queries give the same answers
on Oxigraph and rdflib."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from itsm_prm import queries, resultsio
from itsm_prm.assessment import repository
from itsm_prm.assessment.io import load_assessment
from itsm_prm.assessment.profile import Profile, build_profile, process_names
from itsm_prm.assessment.repository import AssessmentRepository, registry_graph
from itsm_prm.config import Settings
from itsm_prm.errors import ConfigError, NotFound, UserError
from itsm_prm.knowledge_graph import KnowledgeGraph, load
from itsm_prm.terms import QueryResult, Term

ROOT = Path(__file__).resolve().parents[2]
VALID = ROOT / "data" / "examples" / "assessments" / "valid-all-ten.ttl"
BASE = "https://w3id.org/itsm-prm/"
CATALOG = queries.load_catalog(ROOT / "queries")
XSD_DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")


@pytest.fixture(scope="module")
def assessment(kg: KnowledgeGraph) -> tuple[Graph, Profile]:
    graph = load_assessment(VALID.read_bytes(), "ttl", kg=kg)
    return graph, build_profile(graph, names=process_names(kg))


@pytest.fixture(params=["memory", "oxigraph"])
def fresh(request: pytest.FixtureRequest, settings: Settings, tmp_path: Path) -> Iterator[KnowledgeGraph]:
    """A knowledge graph on a new store of each kind (nothing shared with other tests)."""
    spec = f"oxigraph:{tmp_path / 'store'}" if request.param == "oxigraph" else request.param
    kg = load(spec, settings=settings)
    yield kg
    kg.close()


def test_store_list_get_export_delete(fresh: KnowledgeGraph, assessment: tuple[Graph, Profile]) -> None:
    graph, profile = assessment
    repo = AssessmentRepository(fresh)
    first = repo.store(graph, profile, "acme", created=datetime(2026, 1, 2, 3, 4, 5, 678000, UTC))
    second = repo.store(graph, profile, "acme")
    other = repo.store(graph, profile, "beta")
    assert first.created == "2026-01-02T03:04:05.678Z"
    assert [s.created for s in repo.list("acme")][0] == first.created
    whole = repo.store(graph, profile, "gamma", created=datetime(2026, 1, 1, tzinfo=UTC))
    assert [s.created for s in repo.list("gamma")] == [whole.created] == ["2026-01-01T00:00:00.000Z"]
    assert [s.id for s in repo.list("acme")] == [first.id, second.id]  # oldest first
    assert repo.graphs_of("beta") == [f"{BASE}graph/assessments/{other.id}"]
    assert repo.list("nobody") == []

    got = repo.get(first.id, "acme", names=process_names(fresh))
    assert got.subject == "https://example.org/assessment/2026-itsm" and got.profile is not None
    assert got.profile.to_dict()["processes"] == profile.to_dict()["processes"]

    exported = Graph().parse(data=repo.export(first.id, "acme", "nt"), format="nt")
    stored = Graph()
    for triple in (*graph, *profile.to_graph()):
        stored.add(triple)
    record = {t for t in exported if t[0] == URIRef(first.graph)}
    assert {str(p) for _, p, _ in record} == {
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
        "http://purl.org/dc/terms/publisher",
        "http://purl.org/dc/terms/created",
        "http://purl.org/dc/terms/subject",
    }
    for triple in record:
        exported.remove(triple)
    # exactly what was validated, plus the derived statements (Oxigraph keeps decimals by value: 95.0 → 95)
    assert isomorphic(by_value(exported), by_value(stored))

    # the registry graph indexes the records (rebuilt in the background)
    repo.sync_registry()
    registry = Graph().parse(data=fresh.backend.export("nt", registry_graph(BASE)), format="nt")
    assert {str(s) for s in registry.subjects()} == {first.graph, second.graph, other.graph, whole.graph}

    # another organisation's id is answered as a missing one
    for action in (
        lambda: repo.get(first.id, "beta"),
        lambda: repo.export(first.id, "beta", "ttl"),
        lambda: repo.delete(first.id, "beta"),
        lambda: repo.get("f" * 32, "acme"),
        lambda: repo.get("not-an-id", "acme"),
    ):
        with pytest.raises(NotFound):
            action()
    repo.delete(first.id, "acme")
    assert [s.id for s in repo.list("acme")] == [second.id]
    assert first.graph not in fresh.backend.graphs()
    repo.sync_registry()
    registry = Graph().parse(data=fresh.backend.export("nt", registry_graph(BASE)), format="nt")
    assert URIRef(first.graph) not in set(registry.subjects())
    # the public view never shows any of it
    assert not any("/graph/assessments" in g for g in fresh.graphs())
    repo.close()


def test_a_store_without_a_private_part_refuses_assessments(
    settings: Settings, assessment: tuple[Graph, Profile]
) -> None:
    kg = load("rdflib", settings=settings)  # the reference engine: its public view is the whole store
    with pytest.raises(ConfigError, match="to the public"):
        AssessmentRepository(kg).store(*assessment, "acme")
    assert not any("/graph/assessments" in g for g in kg.backend.graphs())


def by_value(graph: Graph) -> Graph:
    """``graph`` with decimals in one lexical form per value."""
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype == XSD_DECIMAL:
            o = Literal(format(Decimal(str(o)).normalize(), "f"), datatype=XSD_DECIMAL)
        out.add((s, p, o))
    return out


def test_bad_organisation_and_reserved_iris(kg: KnowledgeGraph, assessment: tuple[Graph, Profile]) -> None:
    repo = AssessmentRepository(load(settings=kg.settings))
    graph, profile = assessment
    with pytest.raises(UserError, match="slug"):
        repo.store(graph, profile, "Not A Slug")
    forged = Graph()
    for triple in graph:
        forged.add(triple)
    forged.add(
        (
            URIRef(f"{BASE}graph/assessments/{'a' * 32}"),
            URIRef("http://purl.org/dc/terms/publisher"),
            URIRef(f"{BASE}id/organisation/victim"),
        )
    )
    with pytest.raises(UserError, match="reserved"):
        repo.store(forged, profile, "forger")
    assert repo.backend.graphs() == repo.kg.reference_graphs  # nothing written


def test_on_disk_store_keeps_assessments_across_reopening(
    settings: Settings, tmp_path: Path, assessment: tuple[Graph, Profile]
) -> None:
    spec = f"oxigraph:{tmp_path / 'store'}"
    kg = load(spec, settings=settings)
    stored = AssessmentRepository(kg).store(*assessment, "acme")
    before = AssessmentRepository(kg).export(stored.id, "acme", "nq")
    kg.close()
    again = load(spec, settings=settings)
    try:
        repo = AssessmentRepository(again)
        assert [s.id for s in repo.list("acme")] == [stored.id]
        assert repo.export(stored.id, "acme", "nq") == before
    finally:
        again.close()


# ---------------------------------------------------------------- the scoped named queries


def run_scoped(kg: KnowledgeGraph, name: str, organisation: str | None = None) -> QueryResult:
    """As the API runs them: on the whole store, ``?organisation`` bound by the engine."""
    query = CATALOG[name]
    bindings = {}
    if organisation is not None:
        bindings["organisation"] = Term.iri(f"{BASE}id/organisation/{organisation}")
    result = kg.backend.query(query.sparql, bindings, default_graph_as_union=False)
    assert isinstance(result, QueryResult)
    return result


def test_catalog_marks_the_scoped_queries() -> None:
    assert CATALOG["assessment-history"].access == "organisation"
    assert CATALOG["assessment-level-distribution"].access == "administrator"
    assert all(q.access is None for name, q in CATALOG.items() if not name.startswith("assessment-"))


def test_access_header_is_checked() -> None:
    text = "#+ summary: s\n#+ access: {access}\nSELECT ?x WHERE {{ ?x ?p ?o }}\n"
    with pytest.raises(queries.CatalogError, match="access must be one of"):
        queries.parse_query_text(text.format(access="everyone"), "q")
    with pytest.raises(queries.CatalogError, match=r"must use \?organisation"):
        queries.parse_query_text(text.format(access="organisation"), "q")
    unprojected = "#+ summary: s\n#+ access: organisation\nSELECT ?x WHERE { ?x ?p ?organisation }\n"
    with pytest.raises(queries.CatalogError, match="SELECT clause"):
        queries.parse_query_text(unprojected, "q")
    as_param = (
        "#+ summary: s\n#+ access: organisation\n#+ params: {organisation: iri}\n"
        "SELECT ?organisation WHERE { ?x ?p ?organisation }\n"
    )
    with pytest.raises(queries.CatalogError, match="token"):
        queries.parse_query_text(as_param, "q")
    assert queries.parse_query_text(text.format(access="administrator"), "q").scoped


def _comparable(result: QueryResult) -> list[str]:
    return [
        json.dumps(row, sort_keys=True)
        for row in json.loads(resultsio.to_json(result))["results"]["bindings"]
    ]


def test_scoped_queries_agree_on_oxigraph_and_rdflib(
    settings: Settings, assessment: tuple[Graph, Profile]
) -> None:
    """The same stored assessments in both engines give the same rows in the same order."""
    graph, profile = assessment
    source = load(settings=settings)
    repo = AssessmentRepository(source)
    graphs = {}
    for number, organisation in enumerate(("acme", "acme", "beta")):
        stored = repo.store(graph, profile, organisation, created=datetime(2026, 1, 1 + number, tzinfo=UTC))
        # fixed graph names, so that rows compare as they are
        name = f"{BASE}graph/assessments/{number:032x}"
        graphs[name] = source.backend.export("nt", stored.graph).replace(stored.graph.encode(), name.encode())
    source.close()
    answers = []
    for spec in ("memory", "rdflib"):
        kg = load(spec, settings=settings)
        for name, data in graphs.items():  # the repository's layout, written as it writes it
            kg.backend.put_graph(name, data)
        history = run_scoped(kg, "assessment-history", "acme")
        distribution = run_scoped(kg, "assessment-level-distribution")
        answers.append((_comparable(history), _comparable(distribution)))
        kg.close()
    (history, distribution), (ref_history, ref_distribution) = answers
    assert history == ref_history and distribution == ref_distribution
    assert len(history) == 20  # ten processes, two assessments of acme
    rows = [json.loads(row) for row in history]
    assert [r["assessmentGraph"]["value"][-1] for r in rows] == ["0"] * 10 + ["1"] * 10
    assert rows[0]["processId"]["value"] == "INC" and rows[0]["derivedLevel"]["value"] == "2"
    assert rows[0]["targetLevel"]["value"] == "3" and rows[0]["date"]["value"] == "2026-10-01"
    levels = {
        (json.loads(r)["processId"]["value"], json.loads(r)["level"]["value"]): json.loads(r)
        for r in distribution
    }
    assert levels[("INC", "2")]["assessments"]["value"] == "3"
    assert levels[("INC", "2")]["organisations"]["value"] == "2"
    assert not any("organisation/" in row or "graph/assessments" in row for row in distribution)


def test_registry_is_read_page_by_page(
    settings: Settings, assessment: tuple[Graph, Profile], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(repository, "REGISTRY_PAGE", 3)  # four triples per record: pages cut records apart
    kg = load(settings=settings)
    repo = AssessmentRepository(kg)
    stored = [repo.store(*assessment, organisation, update_registry=False) for organisation in ("a", "b", "c")]
    repo.rebuild_registry()
    registry = Graph().parse(data=kg.backend.export("nt", registry_graph(BASE)), format="nt")
    assert len(registry) == 12 and {str(s) for s in registry.subjects()} == {s.graph for s in stored}
    repo.close()
    kg.close()
