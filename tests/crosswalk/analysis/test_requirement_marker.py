"""``prm:statesRequirements false`` marks informative clauses: the shipped 2005 data marks exactly clauses 1,
1.1, 1.2 and 2, the ontology defines the term, and the shapes keep the marker consistent."""

from __future__ import annotations

from pathlib import Path

import pytest

from itsm_prm.knowledge_graph import KnowledgeGraph

ID = "https://w3id.org/itsm-prm/id/"
MINIMAL = (Path(__file__).resolve().parents[2] / "shapes" / "fixtures" / "minimal-model.ttl").read_text()
CLAUSE_1 = '    prm:clauseNumber "1" ;\n'
CLAUSE_1_1 = '    prm:clauseNumber "1.1" ;\n'
MARK = "    prm:statesRequirements false ;\n"


def marked(kg: KnowledgeGraph) -> set[str]:
    result = kg.query(
        "PREFIX prm: <https://w3id.org/itsm-prm/ontology#> "
        "SELECT ?n WHERE { ?c prm:statesRequirements false ; prm:clauseNumber ?n ; prm:inEdition ?e }",
    )
    return {row["n"].value for row in result.rows}  # type: ignore[union-attr]


def test_shipped_informative_clauses(kg: KnowledgeGraph) -> None:
    assert marked(kg) == {"1", "1.1", "1.2", "2"}


def test_the_term_is_defined(kg: KnowledgeGraph) -> None:
    ask = (
        "PREFIX prm: <https://w3id.org/itsm-prm/ontology#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX owl: <http://www.w3.org/2002/07/owl#> "
        "ASK { prm:statesRequirements a owl:DatatypeProperty ; rdfs:label ?l ; skos:definition ?d ; "
        "rdfs:isDefinedBy <https://w3id.org/itsm-prm/ontology> }"
    )
    assert kg.query(ask) is True


def validate(kg: KnowledgeGraph, tmp_path: Path, text: str) -> list[tuple[str, str]]:
    path = tmp_path / "model.ttl"
    path.write_text(text, encoding="utf-8")
    return [(r.focus, r.message) for r in kg.validate(path).results if r.severity == "Violation"]


def test_marked_clause_and_sub_clause_conform(kg: KnowledgeGraph, tmp_path: Path) -> None:
    assert CLAUSE_1 in MINIMAL and CLAUSE_1_1 in MINIMAL
    text = MINIMAL.replace(CLAUSE_1, CLAUSE_1 + MARK).replace(CLAUSE_1_1, CLAUSE_1_1 + MARK)
    assert validate(kg, tmp_path, text) == []


def test_sub_clause_of_an_informative_clause_must_be_marked(kg: KnowledgeGraph, tmp_path: Path) -> None:
    found = validate(kg, tmp_path, MINIMAL.replace(CLAUSE_1, CLAUSE_1 + MARK))
    assert found == [
        (
            ID + "std/2020",
            "Clause Test standard:2020 1.1 Application sits under a clause that states no requirements, "
            "so it must say prm:statesRequirements false too.",
        )
    ]


@pytest.mark.parametrize("value", ["true", '"no"', "false , true"])
def test_only_false_once(kg: KnowledgeGraph, tmp_path: Path, value: str) -> None:
    text = MINIMAL.replace(CLAUSE_1_1, CLAUSE_1_1 + f"    prm:statesRequirements {value} ;\n")
    found = validate(kg, tmp_path, text)
    assert (
        ID + "std/2020/clause/1.1",
        "prm:statesRequirements is stated only as false, at most once (a clause without it states "
        "requirements).",
    ) in found
