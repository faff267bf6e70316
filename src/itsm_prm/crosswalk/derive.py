"""Derive the model → 2011 and → 2018 mapping sets from the 2005 set through the edition crosswalk.

A derived record follows a chain: the model's record to a 2005 clause, then the crosswalk records
2005 → 2011 (→ 2018). Its relation is the composition of the chain's set-theory relations; where the
composition does not decide (A ⊆ B ⊇ C may be disjoint), a person must decide. The decisions live in a
review file (``data/mappings/reviews/<set>.toml``) next to the data; derivation plus review gives the
Turtle of the derived set, so the committed file can be regenerated and checked at any time
(``itsm-prm derive-mappings --to 2018 --check``).

Review file::

    [review]
    reviewer = "organisation/itsm-prm"   # IRI relative to the id base
    date = "2026-11-26"

    [[decision]]                # for one derived (subject, clause) pair
    subject = "AVA"             # process or outcome ID
    object = "8.7.1"            # clause number in the target edition
    relation = "equal"          # equal | subset | superset | intersects, or reject = true
    strength = 9                # optional, default: the chain's weakest link
    note = "why the reviewer decided so"

    [[addition]]                # a mapping no chain yields (e.g. a clause new in 2018)
    subject = "CAP.3"
    object = "8.4.2"
    relation = "intersects"
    strength = 6
    rationale = "semantic"
    comment = "why, in our words"

    [[no_counterpart]]          # a subject left without any clause, and why
    subject = "INC.1"
    comment = "why"
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from itsm_prm.crosswalk.targets import ID, Target
from itsm_prm.errors import UserError
from itsm_prm.terms import QueryResult, Term

PRM = "https://w3id.org/itsm-prm/ontology#"
NO_TERM_FOUND = "https://w3id.org/sssom/NoTermFound"

# NIST IR 8477 relations by their short names in review files and messages.
RELATIONS = {
    "equal": PRM + "equalTo",
    "subset": PRM + "subsetOf",
    "superset": PRM + "supersetOf",
    "intersects": PRM + "intersectsWith",
}
SHORT = {iri: short for short, iri in RELATIONS.items()}
RATIONALES = {
    "syntactic": PRM + "SyntacticRationale",
    "semantic": PRM + "SemanticRationale",
    "functional": PRM + "FunctionalRationale",
}

# Composition of set-theory relations: A r1 B and B r2 C give A ? C. None: the chain does not decide.
_COMPOSE: dict[tuple[str, str], str | None] = {
    ("subset", "subset"): "subset",
    ("superset", "superset"): "superset",
    ("superset", "subset"): "intersects",  # B is inside both A and C
    ("intersects", "subset"): "intersects",  # A meets B, and B lies inside C
    ("superset", "intersects"): "intersects",  # B is inside A and meets C
    ("subset", "superset"): None,
    ("subset", "intersects"): None,
    ("intersects", "superset"): None,
    ("intersects", "intersects"): None,
}


def compose(first: str | None, second: str | None) -> str | None:
    """The relation A ? C for A first B and B second C (short names); None when undecided."""
    if first is None or second is None:
        return None
    if first == "equal":
        return second
    if second == "equal":
        return first
    return _COMPOSE[(first, second)]


def _most_specific(relations: Iterable[str]) -> str:
    """Several chains to the same clause: each relation holds, so keep what they say together."""
    found = set(relations)
    if "equal" in found or {"subset", "superset"} <= found:
        return "equal"
    for relation in ("subset", "superset"):
        if relation in found:
            return relation
    return "intersects"


class DerivationError(UserError):
    """The review file is malformed, or a chain needs a decision the review does not give."""


@dataclass(frozen=True)
class Link:
    """One mapping record of a chain."""

    record: str
    subject: str
    relation: str | None  # short name; None for "not related"
    target: str
    strength: int
    rationale: str
    comment: str


@dataclass
class Candidate:
    """A derived (subject, target clause) pair with the chains that lead to it."""

    subject: str
    target: str
    chains: list[tuple[Link, ...]] = field(default_factory=list)

    @property
    def composed(self) -> str | None:
        """What the chains decide together, or None if none of them decides."""
        decided = []
        for chain in self.chains:
            relation: str | None = chain[0].relation
            for link in chain[1:]:
                relation = compose(relation, link.relation)
            if relation is not None:
                decided.append(relation)
        return _most_specific(decided) if decided else None

    @property
    def strength(self) -> int:
        """The strongest chain's weakest link."""
        return max(min(link.strength for link in chain) for chain in self.chains)


@dataclass(frozen=True)
class Subject:
    """A process or outcome of the model as it appears in the derived file."""

    iri: str
    ident: str
    sort_key: tuple[Any, ...]

    @property
    def is_process(self) -> bool:
        return self.sort_key[1] == 0  # outcomes are numbered from 1


@dataclass(frozen=True)
class Clause:
    iri: str
    number: str

    @property
    def sort_key(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.number.split("."))


_RECORDS = """
PREFIX prm: <https://w3id.org/itsm-prm/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?set ?record ?subject ?predicate ?object ?strength ?rationale ?comment WHERE {
  ?record prm:inMappingSet ?set ;
          prm:mappingSubject ?subject ;
          prm:mappingPredicate ?predicate ;
          prm:mappingObject ?object ;
          prm:rationale ?rationale ;
          rdfs:comment ?comment .
  OPTIONAL { ?record prm:strength ?strength }
}"""

_SUBJECTS = """
PREFIX prm: <https://w3id.org/itsm-prm/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?subject ?id ?section ?number WHERE {
  { ?subject prm:processId ?id ; prm:sectionNumber ?section . BIND(0 AS ?number) }
  UNION
  { ?subject prm:outcomeOf ?process ; skos:notation ?id ; prm:outcomeNumber ?number .
    ?process prm:sectionNumber ?section }
}"""

_CLAUSES = """
PREFIX prm: <https://w3id.org/itsm-prm/ontology#>
SELECT ?clause ?number ?edition WHERE { ?clause prm:clauseNumber ?number ; prm:inEdition ?edition }"""

SOURCE_SET = ID + "mapping-set/prm-iso20000-1-2005"
CROSSWALK_SETS = {
    "iso20000-1:2011": (ID + "mapping-set/iso20000-1-2005-2011",),
    "iso20000-1:2018": (ID + "mapping-set/iso20000-1-2005-2011", ID + "mapping-set/iso20000-1-2011-2018"),
}


def _value(term: Term | None) -> str:
    return "" if term is None else term.value


def _links(rows: QueryResult, mapping_set: str) -> list[Link]:
    links = []
    for row in rows:
        if _value(row["set"]) != mapping_set:
            continue
        predicate = _value(row["predicate"])
        links.append(
            Link(
                record=_value(row["record"]),
                subject=_value(row["subject"]),
                relation=SHORT.get(predicate),
                target=_value(row["object"]),
                strength=int(_value(row["strength"]) or 5),
                rationale=_value(row["rationale"]),
                comment=_value(row["comment"]),
            )
        )
    return links


_SUB_CLAUSES = """
PREFIX prm: <https://w3id.org/itsm-prm/ontology#>
SELECT ?clause ?parent WHERE { ?clause prm:subClauseOf ?parent }"""


def _steps(hop: dict[str, list[Link]], children: dict[str, list[str]], clause: str) -> list[tuple[Link, ...]]:
    """The crosswalk records leaving ``clause``; a clause the crosswalk maps only sub-clause by
    sub-clause is entered through its sub-clauses (the clause is a superset of each)."""
    if clause in hop:
        return [(link,) for link in hop[clause]]
    steps: list[tuple[Link, ...]] = []
    for child in children.get(clause, []):
        into = Link("", clause, "superset", child, 10, "", "")
        steps += [(into,) + rest for rest in _steps(hop, children, child)]
    return steps


def _into_leaves(children: dict[str, list[str]], clause: str) -> list[tuple[Link, ...]]:
    """Paths from a clause down to each of its leaf sub-clauses (empty path for a leaf)."""
    if clause not in children:
        return [()]
    paths: list[tuple[Link, ...]] = []
    for child in children[clause]:
        into = Link("", clause, "superset", child, 10, "", "")
        paths += [(into,) + rest for rest in _into_leaves(children, child)]
    return paths


@dataclass
class Derivation:
    """Everything needed to write one derived set: candidates, subjects, clauses, the source records."""

    target: Target
    candidates: dict[tuple[str, str], Candidate]
    source_links: list[Link]
    subjects: dict[str, Subject]
    clauses: dict[str, Clause]
    parents: set[str] = field(default_factory=set)  # clauses that have sub-clauses


def derive(kg: Any, target: Target) -> Derivation:
    """Follow every chain from the 2005 set through the crosswalk to the target edition."""
    check_derivable(target)
    rows = kg.query(_RECORDS)
    source = _links(rows, SOURCE_SET)
    if not source:
        raise DerivationError("the dataset holds no ISO/IEC 20000-1:2005 mapping set to derive from")
    hops = []
    for crosswalk in CROSSWALK_SETS[target.key]:
        by_subject: dict[str, list[Link]] = {}
        for link in _links(rows, crosswalk):
            by_subject.setdefault(link.subject, []).append(link)
        hops.append(by_subject)

    children: dict[str, list[str]] = {}
    for row in kg.query(_SUB_CLAUSES):
        children.setdefault(_value(row["parent"]), []).append(_value(row["clause"]))

    chains: list[tuple[Link, ...]] = [(link,) for link in source if link.relation is not None]
    for hop in hops:
        chains = [chain + step for chain in chains for step in _steps(hop, children, chain[-1].target)]
    # Coverage is judged on leaf clauses, so a chain ending on a clause with sub-clauses goes on into each.
    chains = [chain + tail for chain in chains for tail in _into_leaves(children, chain[-1].target)]

    candidates: dict[tuple[str, str], Candidate] = {}
    for chain in chains:
        key = (chain[0].subject, chain[-1].target)
        candidates.setdefault(key, Candidate(*key)).chains.append(chain)

    subjects = {
        _value(row["subject"]): Subject(
            _value(row["subject"]), _value(row["id"]), (_value(row["section"]), int(_value(row["number"])))
        )
        for row in kg.query(_SUBJECTS)
    }
    clauses = {
        _value(row["clause"]): Clause(_value(row["clause"]), _value(row["number"]))
        for row in kg.query(_CLAUSES)
    }
    return Derivation(target, candidates, source, subjects, clauses, set(children))


# -- review


@dataclass(frozen=True)
class Review:
    reviewer: str
    date: dt.date
    decisions: dict[tuple[str, str], dict[str, Any]]
    additions: list[dict[str, Any]]
    no_counterpart: dict[str, str]


def _require(entry: dict[str, Any], key: str, where: str) -> Any:
    if key not in entry:
        raise DerivationError(f"{where}: missing '{key}'")
    return entry[key]


def load_review(path: Path) -> Review:
    """Read and check a review file; every problem names the entry at fault."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DerivationError(f"no review file {path.name} under data/mappings/reviews") from exc
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DerivationError(f"{path.name}: {exc}") from exc
    head = data.get("review", {})
    reviewer = _require(head, "reviewer", f"{path.name} [review]")
    date = _require(head, "date", f"{path.name} [review]")
    if isinstance(date, str):
        date = dt.date.fromisoformat(date)
    decisions: dict[tuple[str, str], dict[str, Any]] = {}
    for index, entry in enumerate(data.get("decision", []), start=1):
        where = f"{path.name} decision {index}"
        key = (str(_require(entry, "subject", where)), str(_require(entry, "object", where)))
        if not entry.get("reject") and entry.get("relation") not in RELATIONS:
            choices = ", ".join(RELATIONS)
            raise DerivationError(f"{where}: relation must be one of {choices} (or reject = true)")
        _require(entry, "note", where)
        if key in decisions:
            raise DerivationError(f"{where}: a second decision for {key[0]} → {key[1]}")
        decisions[key] = entry
    additions = []
    for index, entry in enumerate(data.get("addition", []), start=1):
        where = f"{path.name} addition {index}"
        for key in ("subject", "object", "strength", "comment"):
            _require(entry, key, where)
        if entry.get("relation") not in RELATIONS:
            raise DerivationError(f"{where}: relation must be one of {', '.join(RELATIONS)}")
        if entry.get("rationale", "semantic") not in RATIONALES:
            raise DerivationError(f"{where}: rationale must be one of {', '.join(RATIONALES)}")
        additions.append(entry)
    no_counterpart = {
        str(_require(e, "subject", f"{path.name} no_counterpart {i}")): str(
            _require(e, "comment", f"{path.name} no_counterpart {i}")
        )
        for i, e in enumerate(data.get("no_counterpart", []), start=1)
    }
    return Review(str(reviewer), date, decisions, additions, no_counterpart)


def check_derivable(target: Target) -> None:
    if target.key not in CROSSWALK_SETS:
        raise DerivationError(f"{target.label} is not derived through the edition crosswalk")


def review_path(resources: Path, target: Target) -> Path:
    return resources / "data" / "mappings" / "reviews" / f"{target.slug}.toml"


def output_path(resources: Path, target: Target) -> Path:
    return resources / "data" / "mappings" / f"{target.slug}.ttl"


# -- writing


@dataclass
class _Record:
    subject: Subject
    clause: Clause | None  # None: no counterpart
    relation: str | None
    strength: int | None
    rationale: str
    comment: str
    derived_from: list[str]
    justification: str
    note: str | None = None


def _apply_review(derivation: Derivation, review: Review) -> list[_Record]:
    """Derived records after review; raises DerivationError listing every undecided chain."""
    records: list[_Record] = []
    undecided: list[str] = []
    used: set[tuple[str, str]] = set()
    for (subject_iri, clause_iri), candidate in derivation.candidates.items():
        subject = derivation.subjects[subject_iri]
        clause = derivation.clauses[clause_iri]
        key = (subject.ident, clause.number)
        decision = review.decisions.get(key)
        if decision is not None:
            used.add(key)
            if decision.get("reject"):
                continue
        relation = decision["relation"] if decision else candidate.composed
        if relation is None:
            undecided.append(f"{subject.ident} → {clause.number} ({_chain_words(derivation, candidate)})")
            continue
        first = candidate.chains[0][0]
        records.append(
            _Record(
                subject=subject,
                clause=clause,
                relation=relation,
                strength=int((decision or {}).get("strength", candidate.strength)),
                rationale=first.rationale,
                comment=_derived_comment(derivation, candidate, decision),
                derived_from=sorted({lk.record for chain in candidate.chains for lk in chain if lk.record}),
                justification="https://w3id.org/semapv/vocab/MappingChaining",
                note=decision["note"] if decision else None,
            )
        )
    stale = set(review.decisions) - used
    if stale:
        pairs = ", ".join(f"{s} → {o}" for s, o in sorted(stale))
        raise DerivationError(f"review decisions for pairs no chain yields any more: {pairs}")
    if undecided:
        raise DerivationError(
            f"{len(undecided)} derived mapping(s) need a review decision: " + "; ".join(sorted(undecided))
        )
    by_ident = {s.ident: s for s in derivation.subjects.values()}
    by_number = {
        c.number: c for c in derivation.clauses.values() if c.iri.startswith(derivation.target.edition + "/")
    }
    for index, entry in enumerate(review.additions, start=1):
        subject = by_ident.get(str(entry["subject"]))
        clause = by_number.get(str(entry["object"]))
        if subject is None or clause is None:
            missing = entry["subject"] if subject is None else entry["object"]
            raise DerivationError(f"addition {index}: '{missing}' does not resolve in the dataset")
        if clause.iri in derivation.parents:
            raise DerivationError(f"addition {index}: {clause.number} has sub-clauses; map to those")
        records.append(
            _Record(
                subject, clause, str(entry["relation"]), int(entry["strength"]),
                RATIONALES[entry.get("rationale", "semantic")], str(entry["comment"]), [],
                "https://w3id.org/semapv/vocab/ManualMappingCuration",
            )
        )
    # Every subject of the 2005 set appears in the derived set: mapped, or an explicit no counterpart.
    mapped = {r.subject.iri for r in records}
    for link in derivation.source_links:
        if link.subject in mapped or link.subject not in derivation.subjects:
            continue
        subject = derivation.subjects[link.subject]
        mapped.add(link.subject)
        sources = [x.record for x in derivation.source_links if x.subject == link.subject]
        records.append(
            _Record(
                subject, None, None, None, link.rationale,
                review.no_counterpart.get(
                    subject.ident,
                    f"No {derivation.target.label} clause corresponds: the chains from the 2005 records "
                    "lead nowhere, or the review rejected them.",
                ),
                sorted(sources),
                "https://w3id.org/semapv/vocab/MappingChaining",
            )
        )
    return records


def _chain_words(derivation: Derivation, candidate: Candidate) -> str:
    parts = []
    for chain in candidate.chains:
        words = [derivation.subjects[chain[0].subject].ident]
        for link in chain:
            clause = derivation.clauses[link.target]
            edition = link.target.split("/clause/")[0].rsplit("/", 1)[-1]
            via = "" if link.record else " (sub-clause)"
            words.append(f"{link.relation or 'not related'} {edition} {clause.number}{via}")
        parts.append(" ".join(words))
    return "; ".join(parts)


def _derived_comment(
    derivation: Derivation, candidate: Candidate, decision: dict[str, Any] | None = None
) -> str:
    chain = _chain_words(derivation, candidate)
    if decision is not None:
        # the reviewer's reason is the why of the record; the chain says where it came from
        return f"{decision['note']} (Decided in review of the chain {chain}.)"
    return f"Derived through the edition crosswalk: {chain}. At 2005: {candidate.chains[0][0].comment}"


def _cardinalities(records: Sequence[_Record]) -> dict[int, str]:
    """SSSOM cardinality of each record, counted within its level (processes apart from outcomes),
    as in the 2005 set: a process and its own outcomes mapping to one clause is not "n:1"."""
    per_subject: dict[str, int] = {}
    per_object: dict[tuple[bool, str], int] = {}
    for r in records:
        if r.clause is None:
            continue
        per_subject[r.subject.iri] = per_subject.get(r.subject.iri, 0) + 1
        key = (r.subject.is_process, r.clause.iri)
        per_object[key] = per_object.get(key, 0) + 1
    result = {}
    for index, r in enumerate(records):
        if r.clause is None:
            result[index] = "1:0"
        else:
            left = "n" if per_object[(r.subject.is_process, r.clause.iri)] > 1 else "1"
            right = "n" if per_subject[r.subject.iri] > 1 else "1"
            result[index] = f"{left}:{right}"
    return result


def _literal(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"@en'


def _curie(iri: str) -> str:
    for prefix, namespace in (("prm", PRM), ("semapv", "https://w3id.org/semapv/vocab/")):
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return f"<{iri}>"


def _relative(iri: str) -> str:
    return "<" + (iri[len(ID):] if iri.startswith(ID) else iri) + ">"


def render(derivation: Derivation, review: Review) -> str:
    """The Turtle of the derived, reviewed mapping set (deterministic: same input, same bytes)."""
    target = derivation.target
    records = sorted(
        _apply_review(derivation, review),
        key=lambda r: (r.subject.sort_key, r.clause.sort_key if r.clause else ()),
    )
    cardinality = _cardinalities(records)
    reviewer = _relative(ID + review.reviewer)
    lines = [
        "@prefix prm:     <https://w3id.org/itsm-prm/ontology#> .",
        "@base             <https://w3id.org/itsm-prm/id/> .",
        "@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .",
        "@prefix dcterms: <http://purl.org/dc/terms/> .",
        "@prefix pav:     <http://purl.org/pav/> .",
        "@prefix prov:    <http://www.w3.org/ns/prov#> .",
        "@prefix semapv:  <https://w3id.org/semapv/vocab/> .",
        "@prefix sssom:   <https://w3id.org/sssom/> .",
        "",
        f"# GENERATED by `itsm-prm derive-mappings --to {target.key}`: do not edit by hand. It is the",
        "# ISO/IEC 20000-1:2005 mapping set carried through the edition crosswalk, then reviewed; the review",
        f"# decisions live in data/mappings/reviews/{target.slug}.toml.",
        "",
        f"{_relative(target.mapping_set)}",
        "    a prm:MappingSet ;",
        "    rdfs:label "
        + _literal(f"PRM v3.0 processes and outcomes to {target.label} clauses (derived)")
        + " ;",
        f'    prm:mappingSetId "{target.mapping_set}"^^xsd:anyURI ;',
        "    dcterms:description "
        + _literal(
            f"Which {target.label} clauses the processes and outcomes of the IT Service Management PRM v3.0 "
            "correspond to: the 2005 mapping set composed with the edition crosswalk, each composed relation "
            "checked and, where the chain does not decide, decided by a reviewer."
        )
        + " ;",
        "    dcterms:license <https://creativecommons.org/licenses/by/4.0/> ;",
        f"    dcterms:creator {reviewer} ;",
        f"    prov:wasDerivedFrom {_relative(SOURCE_SET)}, "
        + ", ".join(_relative(s) for s in CROSSWALK_SETS[target.key])
        + " ;",
        "    prm:subjectSource <model> ;",
        f"    prm:objectSource {_relative(target.edition)} .",
    ]
    for index, r in enumerate(records):
        obj = r.clause.iri if r.clause else NO_TERM_FOUND
        number = r.clause.number if r.clause else "none"
        record_iri = _relative(f"{target.mapping_set}/{r.subject.ident}-{number}")
        predicate = f"prm:{RELATIONS[r.relation].split('#')[1]}" if r.relation else "prm:notRelatedTo"
        obj_term = _relative(obj) if r.clause else "sssom:NoTermFound"
        lines.append("")
        if r.clause:
            lines.append(f"{_relative(r.subject.iri)} {predicate} {obj_term} .")
        label = f"{r.subject.ident} → {target.label} {number if r.clause else '(no counterpart)'}"
        body = [
            "a prm:MappingRecord",
            f"rdfs:label {_literal(label)}",
            f"prm:inMappingSet {_relative(target.mapping_set)}",
            f"prm:mappingSubject {_relative(r.subject.iri)}",
            f"prm:mappingPredicate {predicate}",
            f"prm:mappingObject {obj_term}",
            f"prm:justification {_curie(r.justification)}",
            f"prm:rationale {_curie(r.rationale)}",
        ]
        if r.strength is not None:
            body.append(f"prm:strength {r.strength}")
        body += [
            "prm:mappingStatus prm:StatusComplete",
            f"pav:authoredBy {reviewer}",
            f'pav:authoredOn "{review.date.isoformat()}"^^xsd:date',
            f"pav:curatedBy {reviewer}",
            f'pav:curatedOn "{review.date.isoformat()}"^^xsd:date',
            "prm:subjectSource <model>",
            f"prm:objectSource {_relative(target.edition)}",
            f'prm:mappingCardinality "{cardinality[index]}"',
        ]
        if r.derived_from:
            body.append("prov:wasDerivedFrom " + ", ".join(_relative(x) for x in r.derived_from))
        if r.note:
            body.append(f"skos:editorialNote {_literal('Review: ' + r.note)}")
        body.append(f"rdfs:comment {_literal(r.comment)}")
        lines.append(record_iri)
        lines.append("    " + " ;\n    ".join(body) + " .")
    return "\n".join(lines) + "\n"


def pending(derivation: Derivation, review: Review) -> list[str]:
    """The pairs that still need a decision (empty when the review is complete)."""
    open_pairs = []
    for c in derivation.candidates.values():
        key = (derivation.subjects[c.subject].ident, derivation.clauses[c.target].number)
        if c.composed is None and key not in review.decisions:
            open_pairs.append(f"{key[0]} → {key[1]}: {_chain_words(derivation, c)}")
    return open_pairs
