"""The assessment shapes rule by rule, beyond the shipped examples: each defect, applied to the valid
ten-process example, gives exactly the results listed (severity, focus, message)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import SH, BNode, Graph, URIRef
from rdflib.term import Node

from itsm_prm.assessment.validate import _one_line, validate_assessment
from itsm_prm.errors import ConfigError
from itsm_prm.knowledge_graph import KnowledgeGraph

EXAMPLES = Path(__file__).parents[2] / "data" / "examples" / "assessments"
BASE = (EXAMPLES / "valid-all-ten.ttl").read_text(encoding="utf-8")
A = "https://example.org/assessment/2026-itsm"
OUTCOME = "https://w3id.org/itsm-prm/id/process/"


def defect(*edits: tuple[str, str]) -> str:
    text = BASE
    for old, new in edits:
        assert text.count(old) == 1, f"fixture edit does not apply once: {old!r}"
        text = text.replace(old, new)
    return text


def rated(process: str, number: int, letter: str) -> str:
    return f"asmt:outcome <{OUTCOME}{process}/outcome/{number}> ; asmt:rating rating:{letter} ; asmt:evidence <evidence/{process}> ]"


INC_PA32 = (
    "asmt:attribute pa:PA3.2 ; asmt:rating rating:P ; asmt:percent 40.0 ; asmt:evidence <evidence/INC> ]"
)
CHAN_PA21 = "[ a asmt:AttributeRating ; asmt:attribute pa:PA2.1 ; asmt:rating rating:F ; asmt:percent 95.0 ; asmt:evidence <evidence/CHAN> ] ,\n"
ITFM_4 = f"asmt:outcome <{OUTCOME}ITFM/outcome/4> ; asmt:notApplicable true ;"
V, W = "Violation", "Warning"

CASES: dict[str, tuple[str, list[tuple[str, str, str]]]] = {
    "not applicable on an outcome that is not optional": (
        defect(
            (
                rated("INC", 1, "F"),
                f'asmt:outcome <{OUTCOME}INC/outcome/1> ; asmt:notApplicable true ; asmt:justification "n/a"@en ]',
            )
        ),
        [
            (
                V,
                "INC",
                "Incident Management: outcome INC.1 is not optional and cannot be marked not applicable.",
            )
        ],
    ),
    "an outcome both rated and not applicable": (
        defect((ITFM_4, ITFM_4 + " asmt:rating rating:L ;")),
        [
            (V, "ITFM", "IT Financial Management: outcome ITFM.4 is both rated and marked not applicable."),
            (W, "ITFM", "IT Financial Management: the rating of outcome ITFM.4 cites no evidence."),
        ],
    ),
    "an outcome rating with neither letter nor not applicable": (
        defect((rated("INC", 1, "F"), f"asmt:outcome <{OUTCOME}INC/outcome/1> ]")),
        [(V, "INC", "Incident Management: outcome INC.1 has neither a rating nor 'not applicable'.")],
    ),
    "an outcome the model does not have": (
        defect((rated("INC", 1, "F"), rated("INC", 99, "F"))),
        [
            (
                V,
                "INC",
                f"Incident Management: {OUTCOME}INC/outcome/99 is not an outcome of the reference model.",
            )
        ],
    ),
    "an outcome rated twice": (
        defect((rated("INC", 1, "F"), rated("INC", 1, "F") + " , [ " + rated("INC", 1, "L"))),
        [(V, "INC", "Incident Management: outcome INC.1 is rated 2 times; rate it once.")],
    ),
    "competent assessor who is not an assessor": (
        defect(("asmt:competentAssessor <person/lead> ;", "asmt:competentAssessor <person/sponsor> ;")),
        [(V, "input", "The competent assessor Dana Sponsor is not one of the assessors.")],
    ),
    "a scope naming something that is not a process of the model": (
        defect(
            (
                "asmt:scopeItem\n",
                "asmt:scopeItem\n        [ asmt:process process:SD ; asmt:targetLevel level:1 ] ,\n",
            )
        ),
        [(V, "input", f"The scope names {OUTCOME}SD, which is not a process of the reference model.")],
    ),
    "a scope item without target level (reported at the input)": (
        defect(("asmt:process process:CAP ; asmt:targetLevel level:1 ]", "asmt:process process:CAP ]")),
        [(V, "input", "Each scope item needs one target capability level, 0 to 5 (asmt:targetLevel).")],
    ),
    "level 3 rated without PA 2.1 (and the stated level no longer holds)": (
        defect((CHAN_PA21, "")),
        [
            (V, "CHAN", "Change Management: PA 3.1 is rated but PA 2.1 is not."),
            (V, "CHAN", "Change Management: PA 3.2 is rated but PA 2.1 is not."),
            (V, "CHAN", "Change Management: the input states capability level 3, the ratings give level 1."),
        ],
    ),
    "an attribute rating without letter (reported at its process)": (
        defect((INC_PA32, "asmt:attribute pa:PA3.2 ; asmt:percent 40.0 ; asmt:evidence <evidence/INC> ]")),
        [(V, "INC", "Incident Management: an attribute rating gives one rating letter (asmt:rating).")],
    ),
    "L at exactly 50 %: the band of L starts above 50": (
        defect((INC_PA32, INC_PA32.replace("rating:P ; asmt:percent 40.0", "rating:L ; asmt:percent 50.0"))),
        [
            (
                V,
                "INC",
                "Incident Management: PA 3.2 is rated L with 50 %, outside the band of L (above 50 % to 85 %).",
            )
        ],
    ),
    "F above 100 %": (
        defect((INC_PA32, INC_PA32.replace("rating:P ; asmt:percent 40.0", "rating:F ; asmt:percent 100.5"))),
        [
            (
                V,
                "INC",
                "Incident Management: PA 3.2 is rated F with 100.5 %, outside the band of F (above 85 % to 100 %).",
            )
        ],
    ),
    "a percentage that is not a number": (
        defect((INC_PA32, INC_PA32.replace("asmt:percent 40.0", 'asmt:percent "about half"'))),
        [
            (
                V,
                "INC",
                "Incident Management: PA 3.2 is rated P with about half %, outside the band of P (above 15 % to 50 %).",
            )
        ],
    ),
    "a property the vocabulary does not define, on the assessment": (
        defect(
            (
                'asmt:assessmentDate "2026-10-01"^^xsd:date ;',
                'asmt:assessmentDate "2026-10-01"^^xsd:date ; asmt:score 3 ;',
            )
        ),
        [
            (
                V,
                "",
                "The assessment uses a property the assessment vocabulary does not define for an assessment (see the path).",
            )
        ],
    ),
    "no assessment date": (
        defect(('    asmt:assessmentDate "2026-10-01"^^xsd:date ;\n', "")),
        [
            (
                V,
                "",
                "The assessment record needs one date of the assessment (asmt:assessmentDate, a date such as 2026-10-01).",
            )
        ],
    ),
    "an evidence item cited but not described": (
        defect((rated("INC", 1, "F"), rated("INC", 1, "F").replace("<evidence/INC>", "<evidence/missing>"))),
        [
            (
                W,
                "evidence/missing",
                "An evidence item cited by the assessment is not described: give it a description (rdfs:label).",
            )
        ],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_defect_gives_exactly_its_results(kg: KnowledgeGraph, case: str) -> None:
    text, expected = CASES[case]
    report = validate_assessment(kg, Graph().parse(data=text, format="turtle"))
    got = [(r.severity, r.focus, r.message) for r in report.results]
    want = [(severity, f"{A}/{focus}" if focus else A, message) for severity, focus, message in expected]
    assert got == want
    assert report.conforms == all(severity != V for severity, _, _ in expected)


def test_results_name_the_process_as_focus_label(kg: KnowledgeGraph) -> None:
    report = validate_assessment(kg, Graph().parse(data=CASES["an outcome rated twice"][0], format="turtle"))
    assert [r.focus_label for r in report.results] == ["Incident Management"]


def test_capability_level_results_are_in_the_turtle_report_too(kg: KnowledgeGraph) -> None:
    text = defect(("asmt:statedCapabilityLevel level:2 ;\n    asmt:attributeRating\n        [ a asmt:AttributeRating ; asmt:attribute pa:PA1.1 ; asmt:rating rating:F ; asmt:percent 95.0 ; asmt:evidence <evidence/INC> ]",
                   "asmt:statedCapabilityLevel level:4 ;\n    asmt:attributeRating\n        [ a asmt:AttributeRating ; asmt:attribute pa:PA1.1 ; asmt:rating rating:F ; asmt:percent 95.0 ; asmt:evidence <evidence/INC> ]"))  # fmt: skip
    report = validate_assessment(kg, Graph().parse(data=text, format="turtle"))
    assert [r.message for r in report.results] == [
        "Incident Management: the input states capability level 4, the ratings give level 2."
    ]
    assert report.graph is not None
    assert (None, SH.focusNode, URIRef(f"{A}/INC")) in report.graph
    assert (None, SH.conforms, None) in report.graph and not report.conforms


def test_sparql_constraints_may_not_hold_comments() -> None:
    assert _one_line('SELECT $this WHERE {\n  $this <urn:a#b> "#" .\n}', Path("x.ttl")) == (
        'SELECT $this WHERE { $this <urn:a#b> "#" . }'
    )
    with pytest.raises(ConfigError, match="comment"):
        _one_line("SELECT $this WHERE {\n  # why\n  $this ?p ?o }", Path("x.ttl"))


def test_blank_node_identifiers_of_any_form_are_accepted(kg: KnowledgeGraph) -> None:
    """rdflib accepts blank-node ids Oxigraph would refuse; results still land on the process."""
    graph = Graph().parse(
        data=CASES["an attribute rating without letter (reported at its process)"][0], format="turtle"
    )
    renamed = Graph()
    names: dict[BNode, BNode] = {}

    def rename(node: Node) -> Node:
        return (
            names.setdefault(node, BNode(f"rating #{len(names)} of INC")) if isinstance(node, BNode) else node
        )

    for s, p, o in graph:
        renamed.add((rename(s), p, rename(o)))
    report = validate_assessment(kg, renamed)
    assert [(r.focus, r.message) for r in report.results] == [
        (f"{A}/INC", "Incident Management: an attribute rating gives one rating letter (asmt:rating).")
    ]


def test_data_without_an_assessment_does_not_conform(kg: KnowledgeGraph) -> None:
    graph = Graph().parse(data='<urn:x> <http://www.w3.org/2000/01/rdf-schema#label> "x" .', format="turtle")
    report = validate_assessment(kg, graph)
    assert not report.conforms
    assert [r.message for r in report.results] == [
        "The data holds no assessment (a node of type asmt:Assessment)."
    ]
