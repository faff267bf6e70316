"""The assessment repository: validated assessments stored per organisation, in any store.

Layout (``base`` = ``settings.base_iri``):

* each stored assessment is the named graph ``{base}graph/assessments/{id}`` (``id``: 32 hex digits)
  holding the submitted triples as validated, the derived statements of
  :meth:`~itsm_prm.assessment.profile.Profile.to_graph`, and its **record**::

      <graph> a asmt:StoredAssessment ;
          dcterms:publisher <{base}id/organisation/{org}> ;
          dcterms:created "…"^^xsd:dateTime ;
          dcterms:subject <the asmt:Assessment node, when it is an IRI> .

* the registry graph ``{base}graph/assessments`` holds the records of every stored assessment.

Why the record lives in the assessment graph too: the store interface writes whole graphs
(``put_graph`` replaces one atomically), so one ``put_graph`` stores the data and the record
together — an assessment is there completely or not at all, and writers of different assessments
never touch the same graph, so several server processes (or several services on one SPARQL server)
cannot lose each other's writes. Every read that decides who sees what (``list``, ``get``,
``graphs_of``, the scoped named queries) therefore finds an organisation's graphs through the
record in each graph: ``GRAPH ?g { ?g dcterms:publisher ?organisation }``.

The registry graph is an index of those records for people and tools browsing the store. Replacing
it is the only way to change it, and that costs time in proportion to the number of stored
assessments (1.7 s at 10,000 in memory), so a write does not wait for it: the index is rebuilt from
the records on a background thread after a write, bursts of writes coalescing into one rebuild
(:meth:`AssessmentRepository.sync_registry` waits for it). It may lag behind the data for a moment,
and nothing depends on it for access.

Submitted data may not mention IRIs under ``{base}graph/`` (so an assessment cannot forge a
record), and none of these graphs is part of the public view (``kg.store``).

The repository uses only the :class:`~itsm_prm.store.base.Store` interface of ``kg.backend``, so it
works on ``memory``, ``oxigraph:PATH`` and ``sparql:`` stores alike.

    >>> repo = AssessmentRepository(kg)                                  # doctest: +SKIP
    >>> stored = repo.store(graph, profile, "acme")                      # doctest: +SKIP
    >>> [s.id for s in repo.list("acme")] == [stored.id]                 # doctest: +SKIP
    True
"""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from itsm_prm.assessment.profile import Profile, build_profile
from itsm_prm.assessment.vocabulary import ASMT
from itsm_prm.errors import ConfigError, InputError, NotFound, UnknownFormatError, UserError
from itsm_prm.resultsio import to_ntriples
from itsm_prm.store.base import RDF_FORMATS
from itsm_prm.terms import QueryResult, Term

if TYPE_CHECKING:
    from itsm_prm.knowledge_graph import KnowledgeGraph
    from itsm_prm.store.base import Store

log = logging.getLogger(__name__)

STORED_ASSESSMENT = ASMT.StoredAssessment
ID_PATTERN = re.compile(r"[0-9a-f]{32}")
ORGANISATION_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
#: records read per query when the registry graph is rebuilt
REGISTRY_PAGE = 5000

_PREFIXES = """PREFIX asmt: <https://w3id.org/itsm-prm/assessment#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
# the records of one organisation (?organisation is bound by the engine, so it is projected: SEP-0007)
_LIST = (
    _PREFIXES
    + """SELECT ?g ?organisation ?created ?subject WHERE {
  GRAPH ?g { ?g a asmt:StoredAssessment ; dcterms:publisher ?organisation ; dcterms:created ?created .
             OPTIONAL { ?g dcterms:subject ?subject } }
} ORDER BY ?created ?g"""
)
# the record of one graph, whoever published it (?g bound)
_RECORD = (
    _PREFIXES
    + """SELECT ?g ?organisation ?created ?subject WHERE {
  GRAPH ?g { ?g a asmt:StoredAssessment ; dcterms:publisher ?organisation ; dcterms:created ?created .
             OPTIONAL { ?g dcterms:subject ?subject } }
}"""
)
# every record, for the registry graph, page by page (a server may cut long answers: Virtuoso at 10,000 rows)
_ALL_RECORDS = (
    _PREFIXES
    + """SELECT ?g ?p ?o WHERE {
  GRAPH ?g { ?g dcterms:publisher ?organisation ; ?p ?o }
} ORDER BY ?g ?p ?o LIMIT %d OFFSET %d"""
)


def _stamp(when: datetime) -> str:
    """``2026-11-26T04:05:27.778Z``: UTC to the millisecond, one text per instant on every engine."""
    utc = when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def graph_prefix(base_iri: str) -> str:
    """``{base}graph/assessments/``: the stored assessments' graphs start with this."""
    return f"{base_iri}graph/assessments/"


def registry_graph(base_iri: str) -> str:
    return f"{base_iri}graph/assessments"


def organisation_iri(base_iri: str, organisation: str) -> str:
    return f"{base_iri}id/organisation/{organisation}"


def check_organisation(organisation: str) -> str:
    if not ORGANISATION_PATTERN.fullmatch(organisation or ""):
        raise UserError(
            f"organisation {organisation!r} is not a slug (lower-case letters, digits and hyphens, 1-63)"
        )
    return organisation


@dataclass(frozen=True)
class StoredAssessment:
    """The record of one stored assessment (``profile`` when it was asked for)."""

    id: str
    organisation: str
    created: str
    graph: str
    subject: str | None
    profile: Profile | None = None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "id": self.id,
            "organisation": self.organisation,
            "created": self.created,
            "graph": self.graph,
            "assessment": self.subject,
        }
        if self.profile is not None:
            out["assessment"] = self.profile.to_dict()["assessment"]
            out["date"] = self.profile.date
        return out


class AssessmentRepository:
    """Store, list, read, export and delete an organisation's assessments in ``kg.backend``."""

    def __init__(self, kg: KnowledgeGraph) -> None:
        self.kg = kg
        self.base = kg.settings.base_iri
        self.prefix = graph_prefix(self.base)
        self.registry = registry_graph(self.base)
        self._registry_lock = threading.Lock()
        # one background rebuild at a time; a write during a rebuild asks for one more after it
        self._refresher = ThreadPoolExecutor(1, thread_name_prefix="itsm-prm-registry")
        self._state = threading.Lock()
        self._pending: Future[None] | None = None
        self._last: Future[None] | None = None

    @property
    def backend(self) -> Store:
        return self.kg.backend

    # -- names

    def graph_of(self, assessment_id: str) -> str:
        return self.prefix + assessment_id

    def _org_term(self, organisation: str) -> Term:
        return Term.iri(organisation_iri(self.base, check_organisation(organisation)))

    def _graph_for(self, assessment_id: str) -> str:
        # a malformed id names nothing: the same 404 as an unknown one
        if not ID_PATTERN.fullmatch(assessment_id or ""):
            raise NotFound(f"no assessment {assessment_id!r}")
        return self.graph_of(assessment_id)

    # -- writing

    def store(
        self,
        graph: Graph,
        profile: Profile,
        organisation: str,
        *,
        created: datetime | None = None,
        update_registry: bool = True,
    ) -> StoredAssessment:
        """Store an assessment the caller has validated (and profiled): one atomic graph write.

        The registry index is rebuilt in the background afterwards; ``update_registry=False`` leaves
        it to one :meth:`rebuild_registry` after a batch (bulk loads). What callers see does not
        depend on it.
        """
        org = self._org_term(organisation)
        if self.kg.store is self.backend:  # e.g. the rdflib engine: its public face is the whole store
            raise ConfigError(
                f"the {self.kg.spec} store shows everything it holds to the public: store assessments in "
                "memory, oxigraph:PATH or sparql:URL"
            )
        self._refuse_reserved(graph)
        assessment_id = uuid.uuid4().hex
        name = self.graph_of(assessment_id)
        stamp = _stamp(created or datetime.now(UTC))
        data = Graph()
        for triple in graph:
            data.add(triple)
        for triple in profile.to_graph():
            data.add(triple)
        node = URIRef(name)
        data.add((node, RDF.type, STORED_ASSESSMENT))
        data.add((node, DCTERMS.publisher, URIRef(org.value)))
        data.add((node, DCTERMS.created, Literal(stamp, datatype=XSD.dateTime)))
        subject = profile.assessment
        if isinstance(subject, URIRef):
            data.add((node, DCTERMS.subject, subject))
        body = data.serialize(format="nt", encoding="utf-8")
        try:
            self.backend.put_graph(name, body)
        except (SyntaxError, ValueError) as exc:  # a term the engine refuses, e.g. a language tag
            raise InputError(f"the store cannot hold this assessment: {exc}") from exc
        if update_registry:
            self._refresh_registry_soon()
        return StoredAssessment(
            assessment_id,
            organisation,
            stamp,
            name,
            str(subject) if isinstance(subject, URIRef) else None,
            profile,
        )

    def _refuse_reserved(self, graph: Graph) -> None:
        reserved = f"{self.base}graph/"
        for triple in graph:
            for term in triple:
                if isinstance(term, URIRef) and str(term).startswith(reserved):
                    raise UserError(
                        f"the assessment may not mention <{term}>: IRIs under {reserved} are reserved"
                    )

    def delete(self, assessment_id: str, organisation: str) -> None:
        """Remove one of ``organisation``'s assessments (NotFound for anyone else's)."""
        record = self._record(assessment_id, organisation)
        self.backend.drop_graph(record.graph)
        self._refresh_registry_soon()

    def _refresh_registry_soon(self) -> None:
        with self._state:
            if self._pending is not None and not self._pending.running() and not self._pending.done():
                return  # a rebuild that has not started yet will see this write too
            self._pending = self._last = self._refresher.submit(self._refresh_registry)

    def _refresh_registry(self) -> None:
        try:
            self.rebuild_registry()
        except Exception:  # the index is a convenience: a failed rebuild must not break writes
            log.exception("could not rebuild the assessment registry graph %s", self.registry)

    def sync_registry(self) -> None:
        """Wait until the registry index reflects every write made so far."""
        with self._state:
            last = self._last
        if last is not None:
            last.result()

    def close(self) -> None:
        """Finish a pending registry rebuild (call before closing the store)."""
        self._refresher.shutdown(wait=True)

    def rebuild_registry(self) -> None:
        """Replace the registry graph by the records found in the assessment graphs."""
        with self._registry_lock:  # one rebuild at a time in this process; the last one wins
            triples = []
            page = min(REGISTRY_PAGE, (self.kg.settings.sparql_row_limit or REGISTRY_PAGE + 1) - 1)
            offset = 0
            while True:
                result = self.backend.query(_ALL_RECORDS % (page, offset), default_graph_as_union=False)
                assert isinstance(result, QueryResult)
                for row in result.rows:
                    g, p, o = row["g"], row["p"], row["o"]
                    if g is not None and p is not None and o is not None and g.value.startswith(self.prefix):
                        triples.append((g, p, o))
                if len(result.rows) < page:
                    break
                offset += page
            if triples:
                self.backend.put_graph(self.registry, to_ntriples(triples).encode("utf-8"))
            else:
                self.backend.drop_graph(self.registry)

    # -- reading

    def _rows(self, sparql: str, bindings: Mapping[str, Term]) -> list[dict[str, Term | None]]:
        result = self.backend.query(sparql, bindings, default_graph_as_union=False)
        assert isinstance(result, QueryResult)
        # only graphs of the repository count, whatever else a store holds
        return [row for row in result.rows if (g := row.get("g")) and g.value.startswith(self.prefix)]

    def _stored(self, row: Mapping[str, Term | None], organisation: str) -> StoredAssessment:
        g, created, subject = row["g"], row["created"], row.get("subject")
        assert g is not None and created is not None
        return StoredAssessment(
            g.value.removeprefix(self.prefix),
            organisation,
            _stamp(datetime.fromisoformat(created.value)),  # engines write a dateTime each their way
            g.value,
            subject.value if subject is not None else None,
        )

    def list(self, organisation: str) -> list[StoredAssessment]:
        """``organisation``'s assessments, oldest first."""
        rows = self._rows(_LIST, {"organisation": self._org_term(organisation)})
        return [self._stored(row, organisation) for row in rows]

    def graphs_of(self, organisation: str) -> list[str]:
        """The named graphs of ``organisation``'s assessments (what its queries may see)."""
        return [s.graph for s in self.list(organisation)]

    def _record(self, assessment_id: str, organisation: str) -> StoredAssessment:
        name = self._graph_for(assessment_id)
        org = self._org_term(organisation)
        rows = self._rows(_RECORD, {"g": Term.iri(name)})
        # another organisation's assessment gets the same answer as a missing one: nothing leaks
        if len(rows) != 1 or rows[0].get("organisation") != org:
            raise NotFound(f"no assessment {assessment_id!r}")
        return self._stored(rows[0], organisation)

    def get(
        self, assessment_id: str, organisation: str, *, names: Mapping[str, str] | None = None
    ) -> StoredAssessment:
        """The record and the profile of one of ``organisation``'s assessments."""
        record = self._record(assessment_id, organisation)
        graph = Graph()
        graph.parse(data=self.backend.export("nt", record.graph), format="nt")
        profile = build_profile(graph, names=names)
        return StoredAssessment(
            record.id, organisation, record.created, record.graph, record.subject, profile
        )

    def export(self, assessment_id: str, organisation: str, fmt: str) -> bytes:
        """The stored graph as ``fmt`` (ttl, jsonld, xml, nt, nq, trig)."""
        record = self._record(assessment_id, organisation)
        if fmt not in RDF_FORMATS:
            raise UnknownFormatError(f"unknown format {fmt!r} (choose from {', '.join(RDF_FORMATS)})")
        return self.backend.export(fmt, record.graph, self.kg.prefixes)
