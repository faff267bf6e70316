"""Mapping sets derived through the edition crosswalk: the composition rule, the review file, and the
committed 2011 and 2018 files, checked against expectations written by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Namespace

from itsm_prm.cli import cli
from itsm_prm.crosswalk import derive
from itsm_prm.crosswalk.targets import TARGETS

REPO = Path(__file__).resolve().parents[2]
PRM = Namespace("https://w3id.org/itsm-prm/ontology#")
ID = Namespace("https://w3id.org/itsm-prm/id/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SEMAPV = Namespace("https://w3id.org/semapv/vocab/")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
PAV = Namespace("http://purl.org/pav/")


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("equal", "equal", "equal"),
        ("equal", "subset", "subset"),
        ("superset", "equal", "superset"),
        ("subset", "subset", "subset"),
        ("superset", "superset", "superset"),
        ("superset", "subset", "intersects"),  # the middle set lies in both
        ("intersects", "subset", "intersects"),
        ("superset", "intersects", "intersects"),
        ("subset", "superset", None),  # A ⊆ B ⊇ C: A and C may be disjoint
        ("subset", "intersects", None),
        ("intersects", "superset", None),
        ("intersects", "intersects", None),
        ("equal", None, None),  # not related stops a chain
    ],
)
def test_composition(first, second, expected):
    assert derive.compose(first, second) == expected


def records(compiled, year: str, subject: str) -> dict[str, str]:
    """Clause number → relation local name of the derived records of one subject."""
    found = {}
    for record in compiled.subjects(PRM.mappingSubject, ID[subject]):
        if compiled.value(record, PRM.inMappingSet) != ID[f"mapping-set/prm-iso20000-1-{year}"]:
            continue
        target = compiled.value(record, PRM.mappingObject)
        number = compiled.value(target, PRM.clauseNumber)
        found[str(number) if number else "none"] = str(compiled.value(record, PRM.mappingPredicate)).split("#")[1]
    return found


def test_process_level_2018(compiled):
    # 2018 8.5.1 has three sub-clauses; the model's process, equal to the whole, is a superset of each.
    assert records(compiled, "2018", "process/CHAN") == {
        "8.5.1.1": "supersetOf", "8.5.1.2": "supersetOf", "8.5.1.3": "supersetOf"}
    assert records(compiled, "2018", "process/PRO") == {"8.6.3": "equalTo"}
    # 2005 kept service requests inside incident management; 2018 splits them out.
    assert records(compiled, "2018", "process/INC") == {"8.6.1": "supersetOf", "8.6.2": "supersetOf"}
    # 2005 10.1 is part of 2011 release and deployment, which became 2018 8.5.3.
    assert records(compiled, "2018", "process/REL") == {"8.5.3": "subsetOf"}
    # 2005 6.3 joined continuity and availability; the review assigns each process its 2018 half.
    assert records(compiled, "2018", "process/AVA") == {"8.7.1": "equalTo"}
    assert records(compiled, "2018", "process/ITSCM") == {"8.7.2": "equalTo"}


def test_outcome_level_2018(compiled):
    # INC.3 (service requests) goes with 8.6.2 only; INC.5 (resolution) with 8.6.1 only (review decisions).
    assert records(compiled, "2018", "process/INC/outcome/3") == {"8.6.2": "subsetOf"}
    assert records(compiled, "2018", "process/INC/outcome/5") == {"8.6.1": "subsetOf"}
    # INC.7 closes incidents and requests: it meets both halves.
    assert records(compiled, "2018", "process/INC/outcome/7") == {"8.6.1": "intersectsWith", "8.6.2": "intersectsWith"}
    # approval of changes: the change management activities; CHAN.6 also meets release (via 2005 10.1)
    assert records(compiled, "2018", "process/CHAN/outcome/5") == {"8.5.1.3": "intersectsWith"}
    # ITSCM.4 (continuity plans) stays with continuity; AVA.5 (availability plan) with availability
    assert records(compiled, "2018", "process/ITSCM/outcome/4") == {"8.7.2": "subsetOf"}
    assert records(compiled, "2018", "process/AVA/outcome/5") == {"8.7.1": "subsetOf"}
    # SLM.5 (service improvement programme): 2005 4.4.2 → 2011 4.5.5.2 → 2018 10.2, each a subset
    assert records(compiled, "2018", "process/SLM/outcome/5") == {"10.2": "subsetOf"}
    # charging has no counterpart in 2018 either
    assert records(compiled, "2018", "process/ITFM/outcome/4") == {"none": "notRelatedTo"}
    # additions of the review: demand management and asset management are new in 2018
    assert records(compiled, "2018", "process/CAP/outcome/3")["8.4.2"] == "intersectsWith"
    assert records(compiled, "2018", "process/CONF")["8.2.5"] == "intersectsWith"


def test_process_level_2011(compiled):
    assert records(compiled, "2011", "process/CHAN") == {"9.2": "equalTo"}
    assert records(compiled, "2011", "process/INC") == {"8.1": "equalTo"}
    assert records(compiled, "2011", "process/AVA") == {"6.3": "subsetOf"}


def test_derived_records_say_where_they_come_from(compiled):
    for year in ("2011", "2018"):
        mapping_set = ID[f"mapping-set/prm-iso20000-1-{year}"]
        chained = [r for r in compiled.subjects(PRM.inMappingSet, mapping_set)
                   if compiled.value(r, PRM.justification) == SEMAPV.MappingChaining]
        assert chained, year
        for record in chained:
            sources = set(compiled.objects(record, PROV.wasDerivedFrom))
            origin = [s for s in sources
                      if compiled.value(s, PRM.inMappingSet) == ID["mapping-set/prm-iso20000-1-2005"]]
            assert origin, record  # at least one record of the 2005 set
            assert {compiled.value(o, PRM.mappingSubject) for o in origin} == {compiled.value(record, PRM.mappingSubject)}
            assert compiled.value(record, PAV.curatedBy) == ID["organisation/itsm-prm"]  # the reviewer
    reviewed = ID["mapping-set/prm-iso20000-1-2018/AVA-8.7.1"]
    assert "Review:" in str(compiled.value(reviewed, SKOS.editorialNote))


def test_every_subject_of_the_2005_set_appears_in_the_derived_sets(compiled):
    source = ID["mapping-set/prm-iso20000-1-2005"]
    subjects = {compiled.value(r, PRM.mappingSubject) for r in compiled.subjects(PRM.inMappingSet, source)}
    for year in ("2011", "2018"):
        mapping_set = ID[f"mapping-set/prm-iso20000-1-{year}"]
        derived = {compiled.value(r, PRM.mappingSubject) for r in compiled.subjects(PRM.inMappingSet, mapping_set)}
        assert subjects == derived, year


@pytest.mark.parametrize("edition", ["2011", "2018"])
def test_committed_files_are_what_derivation_and_review_give(edition):
    result = CliRunner().invoke(cli, ["derive-mappings", "--to", edition, "--check"], env={"ITSM_PRM_HOME": str(REPO)})
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output


def test_no_derived_pair_is_left_without_a_decision(kg):
    for key in ("iso20000-1:2011", "iso20000-1:2018"):
        target = TARGETS[key]
        review = derive.load_review(derive.review_path(REPO, target))
        assert derive.pending(derive.derive(kg, target), review) == []


def test_itil4_is_not_derived():
    result = CliRunner().invoke(cli, ["derive-mappings", "--to", "itil4"], env={"ITSM_PRM_HOME": str(REPO)})
    assert result.exit_code == 2
    assert "not derived through the edition crosswalk" in result.output


# -- review files


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "review.toml"
    path.write_text('[review]\nreviewer = "organisation/itsm-prm"\ndate = "2026-11-26"\n' + text, encoding="utf-8")
    return path


def test_review_needs_a_relation_or_reject(tmp_path):
    path = write(tmp_path, '[[decision]]\nsubject = "AVA"\nobject = "8.7.1"\nrelation = "same"\nnote = "n"\n')
    with pytest.raises(derive.DerivationError, match="review.toml decision 1: relation must be one of"):
        derive.load_review(path)


def test_review_needs_a_note(tmp_path):
    path = write(tmp_path, '[[decision]]\nsubject = "AVA"\nobject = "8.7.1"\nrelation = "equal"\n')
    with pytest.raises(derive.DerivationError, match="decision 1: missing 'note'"):
        derive.load_review(path)


def test_malformed_review_names_the_file(tmp_path):
    path = tmp_path / "review.toml"
    path.write_text("[review\n", encoding="utf-8")
    with pytest.raises(derive.DerivationError, match="review.toml"):
        derive.load_review(path)


def test_undecided_chains_stop_the_derivation(kg, tmp_path):
    empty = derive.load_review(write(tmp_path, ""))
    derivation = derive.derive(kg, TARGETS["iso20000-1:2018"])
    with pytest.raises(derive.DerivationError, match=r"need a review decision: .*AVA → 8.7.1 \(AVA subset 2005 6.3"):
        derive.render(derivation, empty)


def test_a_decision_for_a_pair_no_chain_yields_is_an_error(kg, tmp_path):
    review_text = (REPO / "data/mappings/reviews/prm-iso20000-1-2018.toml").read_text(encoding="utf-8") + (
        '\n[[decision]]\nsubject = "CHAN"\nobject = "9.2"\nrelation = "equal"\nnote = "stale"\n'
    )
    path = tmp_path / "review.toml"
    path.write_text(review_text, encoding="utf-8")
    derivation = derive.derive(kg, TARGETS["iso20000-1:2018"])
    with pytest.raises(derive.DerivationError, match="no chain yields any more: CHAN → 9.2"):
        derive.render(derivation, derive.load_review(path))
