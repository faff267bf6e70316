"""Benchmark: assessment validation and profiles — one assessment in a warm process, and batches.

Generates N synthetic ten-process assessments that follow the assessment contract (seeded random
letters with percentages inside their bands, contiguous attribute ratings, every outcome rated, the
optional ITFM outcomes sometimes "not applicable" with a justification, evidence items, a stated
level equal to the derived one) and measures:

* validation + profile of one assessment in a warm process, and where the time goes;
* batches of 10 / 100 / 1000 assessments validated one by one with itsm-prm, against one
  ``pyshacl.validate`` of the union graph with the same shapes (the one-shot baseline).

Prints numbers only; nothing here asserts a time. Run from the repository root:

    .venv/bin/python bench/assessment_batch.py [--sizes 10,100,1000] [--one-shot-max 1000] [--repeat 20]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain

import pyshacl
from rdflib import RDF, RDFS, SH, XSD, Graph, Literal, Namespace, URIRef

import itsm_prm
from itsm_prm.assessment.levels import derive_level
from itsm_prm.assessment.profile import build_profile, build_profiles, process_names
from itsm_prm.assessment.vocabulary import ASMT, ATTRIBUTES, LEVELS, RATINGS, process_iri
from itsm_prm.knowledge_graph import KnowledgeGraph

FOAF = Namespace("http://xmlns.com/foaf/0.1/")
PROCESSES = ("INC", "PRO", "CHAN", "CONF", "REL", "SLM", "ITFM", "CAP", "ITSCM", "AVA")
# Letter weights for attribute ratings: mostly achieved, sometimes not.
LETTER_WEIGHTS = {"N": 1, "P": 2, "L": 4, "F": 5}


# ---------------------------------------------------------------- synthetic assessments


@dataclass(frozen=True)
class PrmOutcome:
    iri: str
    number: int
    optional: bool


def outcomes_by_process(kg: KnowledgeGraph) -> dict[str, list[PrmOutcome]]:
    result = kg.query(
        """PREFIX prm: <https://w3id.org/itsm-prm/ontology#>
        SELECT ?id ?outcome ?number ?optional WHERE {
          ?process a prm:Process ; prm:processId ?id ; prm:hasOutcome ?outcome .
          ?outcome prm:outcomeNumber ?number ; prm:isOptional ?optional .
        } ORDER BY ?id ?number"""
    )
    table: dict[str, list[PrmOutcome]] = {}
    for row in getattr(result, "rows", []):
        table.setdefault(row["id"].value, []).append(
            PrmOutcome(row["outcome"].value, int(row["number"].value), row["optional"].value == "true")
        )
    return table


def percent_in_band(rng: random.Random, letter: str) -> Decimal:
    """A percentage with one decimal inside the letter's band (the lower bound excluded for P, L, F)."""
    band = RATINGS[letter]
    low = band.min_percent + (Decimal("0.1") if band.min_exclusive else 0)
    steps = int((band.max_percent - low) * 10)
    return low + Decimal(rng.randint(0, steps)) / 10


def synthetic_assessment(index: int, seed: int, outcomes: dict[str, list[PrmOutcome]]) -> Graph:
    """One ten-process assessment following the contract of ``ontology/assessment.ttl``."""
    rng = random.Random(seed * 1_000_003 + index)  # noqa: S311 - reproducible test data, not secrets
    a = URIRef(f"https://example.org/assessment/{index}")
    g = Graph()
    g.bind("asmt", ASMT)
    g.bind("foaf", FOAF)
    input_node = URIRef(f"{a}/input")
    people = {role: URIRef(f"{a}/person/{role}") for role in ("sponsor", "lead", "second", "participant")}
    g.add((a, RDF.type, ASMT.Assessment))
    g.add((a, ASMT.input, input_node))
    g.add(
        (
            a,
            ASMT.assessmentDate,
            Literal(f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", datatype=XSD.date),
        )
    )
    g.add(
        (a, ASMT.approach, Literal("Interviews with process owners and review of work products", lang="en"))
    )
    g.add((input_node, RDF.type, ASMT.AssessmentInput))
    g.add((input_node, ASMT.sponsor, people["sponsor"]))
    g.add((input_node, ASMT.purpose, Literal("Capability determination before outsourcing", lang="en")))
    g.add((input_node, ASMT.organisationalUnit, Literal(f"IT operations, site {index}", lang="en")))
    g.add((input_node, ASMT.constraints, Literal("Five working days; no access to supplier data", lang="en")))
    g.add((input_node, ASMT.assessor, people["lead"]))
    g.add((input_node, ASMT.assessor, people["second"]))
    g.add((input_node, ASMT.competentAssessor, people["lead"]))
    g.add((input_node, ASMT.participant, people["participant"]))
    for role, person in people.items():
        g.add((person, RDF.type, FOAF.Person))
        g.add((person, FOAF.name, Literal(f"{role.title()} {index}")))
    for pid in PROCESSES:
        process = process_iri(pid)
        node = URIRef(f"{a}/{pid}")
        evidence = URIRef(f"{a}/evidence/{pid}")
        g.add((a, ASMT.evidence, evidence))
        g.add((evidence, RDF.type, ASMT.EvidenceItem))
        g.add((evidence, RDFS.label, Literal(f"{pid} records and interview notes", lang="en")))
        g.add((evidence, ASMT.location, Literal(f"https://example.org/evidence/{index}/{pid}")))
        scope = URIRef(f"{a}/scope/{pid}")
        highest = rng.choice((1, 2, 2, 3, 3, 4, 5))  # highest level examined = the target
        g.add((input_node, ASMT.scopeItem, scope))
        g.add((scope, RDF.type, ASMT.ScopeItem))
        g.add((scope, ASMT.process, process))
        g.add((scope, ASMT.targetLevel, LEVELS[highest]))
        g.add((a, ASMT.assessedProcess, node))
        g.add((node, RDF.type, ASMT.AssessedProcess))
        g.add((node, ASMT.process, process))
        letters: dict[str, str] = {}
        for attribute in ATTRIBUTES:
            if attribute.level > highest:
                break  # rated contiguously from PA 1.1 up to the examined level
            letter = rng.choices(list(LETTER_WEIGHTS), weights=list(LETTER_WEIGHTS.values()))[0]
            letters[attribute.notation] = letter
            rating = URIRef(f"{node}/attribute/{attribute.notation.replace(' ', '')}")
            g.add((node, ASMT.attributeRating, rating))
            g.add((rating, RDF.type, ASMT.AttributeRating))
            g.add((rating, ASMT.attribute, attribute.iri))
            g.add((rating, ASMT.rating, RATINGS[letter].iri))
            g.add((rating, ASMT.percent, Literal(percent_in_band(rng, letter), datatype=XSD.decimal)))
            g.add((rating, ASMT.evidence, evidence))
        g.add((node, ASMT.statedCapabilityLevel, LEVELS[derive_level(letters)]))
        # outcomes: never N while PA 1.1 is F (that would be a warning, not what we measure)
        outcome_letters = "LF" if letters["PA 1.1"] == "F" else "NPLF"
        for outcome in outcomes[pid]:
            rating = URIRef(f"{node}/outcome/{outcome.number}")
            g.add((node, ASMT.outcomeRating, rating))
            g.add((rating, RDF.type, ASMT.OutcomeRating))
            g.add((rating, ASMT.outcome, URIRef(outcome.iri)))
            if outcome.optional and rng.random() < 0.5:
                g.add((rating, ASMT.notApplicable, Literal(True)))
                g.add((rating, ASMT.justification, Literal("No internal charging in this unit", lang="en")))
            else:
                g.add((rating, ASMT.rating, RATINGS[rng.choice(outcome_letters)].iri))
                g.add((rating, ASMT.evidence, evidence))
    return g


# ---------------------------------------------------------------- timing helpers


def timed(action: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median milliseconds over ``repeat`` runs, and the last result."""
    samples, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000, result


def once(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def parse_turtle(text: str) -> Graph:
    return Graph().parse(data=text, format="turtle")


def break_one_band(graph: Graph) -> None:
    """Make an assessment invalid: one attribute's percentage outside its letter's band."""
    rating = next(iter(sorted(graph.subjects(ASMT.attribute, ATTRIBUTES[0].iri))))
    letter = RATINGS_BY_IRI[graph.value(rating, ASMT.rating)]
    wrong = Decimal("5.0") if letter != "N" else Decimal("95.0")
    graph.set((rating, ASMT.percent, Literal(wrong, datatype=XSD.decimal)))


RATINGS_BY_IRI = {r.iri: r.letter for r in RATINGS.values()}


def batch_texts(count: int, seed: int, faulty_every: int, outcomes: dict[str, list[PrmOutcome]]) -> list[str]:
    texts = []
    for i in range(count):
        graph = synthetic_assessment(i, seed, outcomes)
        if faulty_every and i % faulty_every == faulty_every - 1:
            break_one_band(graph)
        texts.append(graph.serialize(format="turtle"))
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100,1000", help="batch sizes (default 10,100,1000)")
    parser.add_argument(
        "--one-shot-max",
        type=int,
        default=100,
        help="largest batch for plain one-shot pyshacl (default 100: it needs 7-10 s per assessment)",
    )
    parser.add_argument(
        "--oxigraph-one-shot-max",
        type=int,
        default=10,
        help="largest batch for one-shot with SPARQL on Oxigraph (default 10: it grows faster than linear)",
    )
    parser.add_argument("--repeat", type=int, default=20, help="runs for the one-assessment medians")
    parser.add_argument("--faulty-every", type=int, default=10, help="every n-th assessment breaks a band")
    parser.add_argument("--seed", type=int, default=15504)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]

    from itsm_prm.assessment import validate as validating

    started = time.perf_counter()
    kg = itsm_prm.load()
    names = process_names(kg)
    outcomes = outcomes_by_process(kg)
    context = validating.context_graph(kg)
    shapes = validating.assessment_shapes(kg)
    print(f"warm-up (load the knowledge graph, context and shapes): {time.perf_counter() - started:.2f} s")
    started = time.perf_counter()
    texts = batch_texts(max(sizes), args.seed, args.faulty_every, outcomes)
    one_text = batch_texts(1, args.seed, 0, outcomes)[0]
    one = parse_turtle(one_text)
    print(
        f"generated {len(texts)} assessments in {time.perf_counter() - started:.1f} s "
        f"(every {args.faulty_every}th with a percentage outside its band); one assessment: "
        f"{len(one)} triples, {len(one_text) / 1024:.0f} KiB of Turtle; context: {len(context)} triples"
    )

    # ---- one assessment, warm process
    validating.validate_assessment(kg, one)  # warm caches (shapes parsed, context built)
    print(f"\none ten-process assessment in a warm process, median of {args.repeat} (ms)")
    parse_ms, graph = timed(lambda: parse_turtle(one_text), args.repeat)
    validate_ms, report = timed(lambda: validating.validate_assessment(kg, graph), args.repeat)
    profile_ms, _ = timed(lambda: build_profile(graph, names), args.repeat)
    both_ms, _ = timed(
        lambda: (validating.validate_assessment(kg, g := parse_turtle(one_text)), build_profile(g, names)),
        args.repeat,
    )
    print(f"  parse Turtle                         {parse_ms:8.1f}")
    print(f"  validate_assessment                  {validate_ms:8.1f}   (conforms: {report.conforms})")
    print(f"  build_profile                        {profile_ms:8.1f}")
    print(f"  parse + validate + profile           {both_ms:8.1f}")
    work_class = getattr(validating, "_OxigraphQueryGraph", None)
    if work_class is not None:
        from itsm_prm.validation import check

        context_ms, work = timed(lambda: work_class(chain(graph, context)), args.repeat)
        shacl_ms, _ = timed(lambda: check(work_class(chain(graph, context)), shapes), args.repeat)
        print("  where validate_assessment's time goes:")
        print(f"    context: data + context copied, Oxigraph query store {context_ms:8.1f}")
        print(f"    SHACL (pyshacl, SPARQL constraints on Oxigraph)      {shacl_ms - context_ms:8.1f}")
        print(f"    the rest (blank-node owners, level rule, messages)   {validate_ms - shacl_ms:8.1f}")
    plain_s, plain = once(
        lambda: pyshacl.validate(
            graph + context, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
        )
    )
    print(
        f"  plain pyshacl.validate of the same assessment + context (one run): {plain_s * 1000:8.1f}"
        f"   (conforms: {plain[0]})"
    )

    # ---- batches
    print("\nbatches: one by one with itsm-prm vs one pyshacl.validate of the union graph")
    header = f"{'N':>5} {'method':46} {'total s':>9} {'ms/assessment':>14} {'violations':>11} {'warnings':>9}"
    print(header)
    for size in sizes:
        batch = texts[:size]

        def one_by_one(batch: list[str] = batch) -> tuple[int, int]:
            violations = warnings = 0
            for text in batch:
                g = parse_turtle(text)
                r = validating.validate_assessment(kg, g)
                build_profile(g, names)
                violations += r.violations
                warnings += r.warnings
            return violations, warnings

        seconds, (violations, warnings) = once(one_by_one)
        print(
            f"{size:5d} {'itsm-prm, one by one (parse+validate+profile)':46} {seconds:9.2f} "
            f"{seconds * 1000 / size:14.1f} {violations:11d} {warnings:9d}"
        )

        def union_graph(batch: list[str] = batch) -> Graph:
            union = Graph()
            for text in batch:
                union.parse(data=text, format="turtle")
            for t in context:
                union.add(t)
            return union

        if work_class is not None and size <= args.oxigraph_one_shot_max:
            seconds, counts = once(lambda: one_shot(union_graph(), shapes, work_class))
            print(
                f"{size:5d} {'one-shot pyshacl, SPARQL on Oxigraph':46} {seconds:9.2f} "
                f"{seconds * 1000 / size:14.1f} {counts[0]:11d} {counts[1]:9d}"
            )
        if size <= args.one_shot_max:
            seconds, counts = once(lambda: one_shot(union_graph(), shapes, None))
            print(
                f"{size:5d} {'one-shot plain pyshacl.validate':46} {seconds:9.2f} "
                f"{seconds * 1000 / size:14.1f} {counts[0]:11d} {counts[1]:9d}"
            )
        else:
            print(f"{size:5d} {'one-shot plain pyshacl.validate':46} {'not run (--one-shot-max)':>25}")
        union = union_graph()
        profiles_s, profiles = once(lambda union=union: build_profiles(union, names))
        print(
            f"{size:5d} {'build_profiles of the parsed union':46} {profiles_s:9.2f} "
            f"{profiles_s * 1000 / size:14.1f}   ({len(profiles)} profiles)"
        )


def one_shot(data: Graph, shapes: Graph, work_class: type[Graph] | None) -> tuple[int, int]:
    """pyshacl.validate once over the whole batch; (violations, warnings)."""
    if work_class is not None:
        data = work_class(data)
    _, results, _ = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    severities = list(results.objects(None, SH.resultSeverity))
    return severities.count(SH.Violation), severities.count(SH.Warning)


if __name__ == "__main__":
    main()
