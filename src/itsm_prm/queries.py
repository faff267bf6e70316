"""The named-query catalog: ``queries/*.rq`` with grlc-style headers, typed parameters and
engine-side binding.

A header is a block of ``#+ key: value`` comment lines at the top of the file; values are
YAML (``yaml.safe_load``)::

    #+ summary: Outcomes of a PRM process, in order
    #+ tags: [prm]
    #+ params: {process: {type: iri-or-id, required: true, example: CHAN}}

A parameter binds the SPARQL variable of the same name.

``#+ access: organisation`` or ``#+ access: administrator`` makes a query *scoped*: it reads the
assessment repository (the stored assessments' named graphs), so it needs a bearer token and
runs on the whole store, never on the public reference data alone. An ``organisation`` query is
given ``?organisation`` (the IRI ``{base}id/organisation/{slug}``) from the caller's token, never
from the request, so it must use and project ``?organisation`` and may not declare a parameter of
that name; an ``administrator`` query needs an administrator's token and must not name an
organisation in its answer (anonymised aggregates). Without the header a query is public.

Values are checked here and bound by the engine (pyoxigraph ``substitutions`` / rdflib
``initBindings``), never spliced into the query text.

Two types serve the crosswalk queries: ``edition`` takes what
:func:`itsm_prm.crosswalk.targets.resolve_target` accepts (``2005``, ``iso20000-1:2018``, ``itil4``…)
and binds the target's edition IRI; ``edition-element`` takes a clause number (``8.2``), a practice
slug (``incident-management``) or an IRI, and binds the IRI of that element of the edition the
query's ``edition`` parameter names — an element not in that edition is a bad value, not an empty
answer. Because Oxigraph follows SEP-0007, a parameter of a SELECT query must be
projected (listed in the SELECT clause, or ``SELECT *``); the catalog checks that.
"""

from __future__ import annotations

import difflib
import re
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pyparsing import ParseException
from rdflib import Variable
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.algebra import traverse
from rdflib.plugins.sparql.parserutils import CompValue

from itsm_prm.errors import (
    CatalogError,
    ParameterError,
    QueryPolicyError,
    QuerySyntaxError,
    UnknownQueryError,
)
from itsm_prm.sparql_policy import PARSER_LOCK
from itsm_prm.terms import XSD_BOOLEAN, XSD_INTEGER, Term

if TYPE_CHECKING:
    from itsm_prm.crosswalk.targets import Target

#: values of the ``access`` header: who may run a scoped query
ACCESS_LEVELS = ("organisation", "administrator")
#: the variable an organisation-scoped query is given from the caller's token
ORGANISATION_VARIABLE = "organisation"

PARAM_TYPES = ("iri-or-id", "iri", "string", "integer", "boolean", "edition", "edition-element")
TEXT_KEYS = ("summary", "description")
_HEADER_LINE = re.compile(r"^#\+(?P<rest>.*)$")
_VARIABLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Characters RFC 3987 forbids in an IRI (plus whitespace): their presence means "not an IRI".
_IRI = re.compile(r'^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>"{}|\\^`]*$')
_NOT_IN_IRI = re.compile(r'[<>"{}|\\^`]')
_OUTCOME_SHORT = re.compile(r"^(?P<process>[A-Za-z]+)\.(?P<n>\d+)$")  # CHAN.5
_OUTCOME_SLASH = re.compile(r"^(?P<process>[A-Za-z][A-Za-z0-9_.\-]*)/(?P<n>\d+)$")  # CHAN/5, SUP.8/1
_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


@dataclass(frozen=True)
class QueryParam:
    """One declared parameter (binds the SPARQL variable ``?name``)."""

    name: str
    type: str = "string"
    required: bool = False
    default: Any = None
    example: Any = None
    description: str | None = None

    def __getitem__(self, key: str) -> Any:
        """Mapping-style access, as in the YAML header: ``param["example"]``."""
        if key not in self.__dataclass_fields__:
            raise KeyError(key)
        return getattr(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key, default) if key in self.__dataclass_fields__ else default


@dataclass(frozen=True)
class ParsedSparql:
    """What the catalog needs to know about a query: its form and its variables."""

    kind: str  # SELECT, ASK, CONSTRUCT or DESCRIBE
    variables: frozenset[str]
    projected: tuple[str, ...] | None  # None for forms without a projection


@dataclass(frozen=True)
class NamedQuery:
    """A query of the catalog (``name`` is the file stem)."""

    name: str
    sparql: str
    summary: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    params: Mapping[str, QueryParam] = field(default_factory=dict)
    path: Path | None = None
    kind: str = "SELECT"
    access: str | None = None  # None: public; else one of ACCESS_LEVELS

    @property
    def scoped(self) -> bool:
        """Whether the query reads the assessment repository (needs a token)."""
        return self.access is not None


# ---------------------------------------------------------------- parsing and policy


def parse_sparql(sparql: str, origin: str = "query") -> ParsedSparql:
    """Parse with rdflib's SPARQL parser and apply the query policy (no ``SERVICE``).

    The policy works on the parsed algebra, so ``\\u0053ERVICE`` escapes are caught too.
    """
    try:
        with PARSER_LOCK:  # pyparsing is not thread-safe, and the API parses in a thread pool
            prepared = prepareQuery(sparql)
    except ParseException as exc:
        raise QuerySyntaxError(
            f"{origin}: SPARQL syntax error at line {exc.lineno}, column {exc.col}: {exc.msg}"
        ) from exc
    except Exception as exc:  # rdflib raises plain Exceptions for e.g. unknown prefixes
        raise QuerySyntaxError(f"{origin}: {exc}") from exc
    variables: set[str] = set()
    operators: set[str] = set()

    def visit(node: object) -> None:
        if isinstance(node, Variable):
            variables.add(str(node))
        elif isinstance(node, CompValue):
            operators.add(node.name)

    traverse(prepared.algebra, visitPost=visit)
    if "ServiceGraphPattern" in operators:
        raise QueryPolicyError(f"{origin}: federated queries (SERVICE) are not allowed")
    kind = prepared.algebra.name.removesuffix("Query").upper()
    projected = None
    if kind == "SELECT":
        projected = tuple(str(v) for v in prepared.algebra.get("PV") or [])
    return ParsedSparql(kind, frozenset(v for v in variables if not v.startswith("__")), projected)


def _header(text: str, origin: str) -> dict[str, Any]:
    """Read the ``#+`` lines at the top of a query; continuation lines start with whitespace."""
    raw: dict[str, list[str]] = {}
    lines: dict[str, int] = {}
    current: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        match = _HEADER_LINE.match(line)
        if match is None:
            if line.strip() == "" or line.lstrip().startswith("#"):
                continue
            break  # the query proper starts
        rest = match.group("rest")
        if current is not None and rest.startswith(("  ", "\t")):  # indented: continues the value
            raw[current].append(rest)
            continue
        key, sep, value = rest.strip().partition(":")
        if not sep or not _VARIABLE_NAME.match(key):
            raise CatalogError(f"{origin} line {number}: header lines look like '#+ key: value'")
        current = key
        raw[key] = [value]
        lines[key] = number
    header: dict[str, Any] = {}
    for key, parts in raw.items():
        value = (parts[0].strip() + "\n" + textwrap.dedent("\n".join(parts[1:]))).strip()
        if key in TEXT_KEYS and not value.startswith(("'", '"')):
            header[key] = value  # free text, may hold ': '
            continue
        try:
            header[key] = yaml.safe_load(value) if value else None
        except yaml.YAMLError as exc:
            raise CatalogError(f"{origin} line {lines[key]}: {key}: not valid YAML ({exc.problem})") from exc
    return header


def _params(spec: Any, origin: str) -> dict[str, QueryParam]:
    if spec is None:
        return {}
    if not isinstance(spec, dict):
        raise CatalogError(f"{origin}: params must be a mapping of name → {{type: …}}")
    params = {}
    for name, options in spec.items():
        name = str(name)
        if isinstance(options, str):  # shorthand {process: iri-or-id}
            options = {"type": options}
        if not isinstance(options, dict):
            raise CatalogError(f"{origin}: parameter '{name}' must be a mapping")
        if not _VARIABLE_NAME.match(name):
            raise CatalogError(f"{origin}: parameter name '{name}' is not a SPARQL variable name")
        unknown = set(options) - {"type", "required", "default", "example", "description"}
        if unknown:
            raise CatalogError(
                f"{origin}: parameter '{name}' has unknown option(s) {', '.join(sorted(unknown))}"
            )
        kind = str(options.get("type", "string"))
        if kind not in PARAM_TYPES:
            raise CatalogError(
                f"{origin}: parameter '{name}' has unknown type '{kind}' "
                f"(choose from {', '.join(PARAM_TYPES)})"
            )
        params[name] = QueryParam(
            name,
            kind,
            bool(options.get("required", False)),
            options.get("default"),
            options.get("example"),
            options.get("description"),
        )
    return params


def parse_query_text(text: str, name: str, path: Path | None = None) -> NamedQuery:
    """Build a :class:`NamedQuery` from the text of a ``.rq`` file (header optional)."""
    origin = str(path.name if path else name)
    header = _header(text, origin)
    parsed = parse_sparql(text, origin)
    params = _params(header.get("params"), origin)
    if any(p.type == "edition-element" for p in params.values()) and not any(
        p.type == "edition" for p in params.values()
    ):
        raise CatalogError(f"{origin}: an edition-element parameter needs an edition parameter beside it")
    for param in params.values():
        if param.name not in parsed.variables:
            raise CatalogError(
                f"{origin}: parameter '{param.name}' does not appear in the query as ?{param.name}"
            )
        if parsed.projected is not None and param.name not in parsed.projected:
            raise CatalogError(
                f"{origin}: parameter '{param.name}' must be in the SELECT clause "
                f"(engine-bound parameters are projected, SPARQL SEP-0007)"
            )
        if param.default is not None and param.type != "edition-element":  # resolved in bind()
            try:
                coerce(param, param.default, "https://example.org/")
            except ParameterError as exc:
                raise CatalogError(f"{origin}: default of parameter '{param.name}': {exc}") from exc
    access = _access(header.get("access"), parsed, params, origin)
    tags = header.get("tags") or []
    if isinstance(tags, str):
        tags = [tags]
    return NamedQuery(
        name=name,
        sparql=text,
        summary=str(header.get("summary") or ""),
        description=str(header.get("description") or ""),
        tags=tuple(str(t) for t in tags),
        params=params,
        path=path,
        kind=parsed.kind,
        access=access,
    )


def _access(value: Any, parsed: ParsedSparql, params: Mapping[str, QueryParam], origin: str) -> str | None:
    """The ``access`` header, checked against the query (see the module's docstring)."""
    if value is None:
        return None
    if value not in ACCESS_LEVELS:
        raise CatalogError(f"{origin}: access must be one of {', '.join(ACCESS_LEVELS)}, not {value!r}")
    if ORGANISATION_VARIABLE in params:
        raise CatalogError(
            f"{origin}: '{ORGANISATION_VARIABLE}' comes from the caller's token; it cannot be a parameter"
        )
    if value == "organisation":
        if ORGANISATION_VARIABLE not in parsed.variables:
            raise CatalogError(f"{origin}: an organisation query must use ?{ORGANISATION_VARIABLE}")
        if parsed.projected is not None and ORGANISATION_VARIABLE not in parsed.projected:
            raise CatalogError(
                f"{origin}: ?{ORGANISATION_VARIABLE} must be in the SELECT clause "
                f"(engine-bound parameters are projected, SPARQL SEP-0007)"
            )
    return str(value)


def load_query_file(path: Path) -> NamedQuery:
    """A single ``.rq`` file (used for ``itsm-prm query FILE.rq``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise CatalogError(f"{path}: no such file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"{path}: cannot read ({exc})") from exc
    return parse_query_text(text, path.stem, path)


def load_catalog(queries_dir: Path) -> dict[str, NamedQuery]:
    """Every ``*.rq`` of a folder, by name; a query that does not parse is an error naming the file."""
    if not queries_dir.is_dir():
        return {}
    return {p.stem: load_query_file(p) for p in sorted(queries_dir.glob("*.rq"))}


def lookup(catalog: Mapping[str, NamedQuery], name: str) -> NamedQuery:
    """The query called ``name``, or :class:`UnknownQueryError` suggesting close names."""
    if name in catalog:
        return catalog[name]
    close = difflib.get_close_matches(name, list(catalog), n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    known = "" if close else f" (known: {', '.join(sorted(catalog)) or 'none'})"
    raise UnknownQueryError(f"unknown query {name!r}{hint}{known}")


# ---------------------------------------------------------------- parameter values


def is_iri(value: str) -> bool:
    return bool(_IRI.match(value))


def resolve_iri_or_id(value: str, base_iri: str) -> list[str]:
    """Candidate IRIs for a process/outcome reference, most likely first.

    >>> resolve_iri_or_id("CHAN", "https://w3id.org/itsm-prm/")
    ['https://w3id.org/itsm-prm/id/process/CHAN']
    >>> resolve_iri_or_id("CHAN.5", "https://w3id.org/itsm-prm/")[0]
    'https://w3id.org/itsm-prm/id/process/CHAN/outcome/5'
    >>> resolve_iri_or_id("process/CHAN/outcome/5", "https://w3id.org/itsm-prm/")
    ['https://w3id.org/itsm-prm/id/process/CHAN/outcome/5']
    """
    text = value.strip()
    ids = f"{base_iri}id/"
    if re.match(r"^https?://", text, re.IGNORECASE):
        return [text]
    if match := _OUTCOME_SLASH.match(text):
        return [f"{ids}process/{match['process']}/outcome/{match['n']}"]
    if "/" in text:
        return [ids + text.removeprefix("id/").strip("/")]
    if match := _OUTCOME_SHORT.match(text):
        # CHAN.5 is outcome 5 of CHAN; a process whose ID has a dot stays possible.
        return [f"{ids}process/{match['process']}/outcome/{match['n']}", f"{ids}process/{text}"]
    return [f"{ids}process/{text}"]


def coerce(param: QueryParam, raw: Any, base_iri: str) -> Term:
    """Check and convert one value (iri-or-id values are resolved by :func:`bind`)."""
    if isinstance(raw, Term):
        if param.type in ("iri", "iri-or-id") and raw.kind == "iri" and is_iri(raw.value):
            return raw
        raw = raw.value
    if param.type in ("iri", "iri-or-id"):
        text = str(raw).strip()
        candidates = [text] if param.type == "iri" else resolve_iri_or_id(text, base_iri)
        if not text or not is_iri(candidates[0]):
            expected = "an absolute IRI" if param.type == "iri" else "an ID or IRI"
            raise ParameterError(f"parameter '{param.name}': {raw!r} is not {expected}")
        return Term.iri(candidates[0])
    if param.type == "edition":
        return Term.iri(_target(param, raw).edition)
    if param.type == "edition-element":
        text = str(raw.value if isinstance(raw, Term) else raw).strip()
        if not text or _NOT_IN_IRI.search(text):
            raise ParameterError(
                f"parameter '{param.name}': {raw!r} is not a clause number, practice name or IRI"
            )
        return Term.literal(text)  # bind() resolves it within the edition
    if param.type == "integer":
        if isinstance(raw, bool) or not re.fullmatch(r"[+-]?\d+", str(raw).strip()):
            raise ParameterError(f"parameter '{param.name}': {raw!r} is not an integer")
        return Term("literal", str(int(str(raw).strip())), XSD_INTEGER)
    if param.type == "boolean":
        if isinstance(raw, bool):
            return Term.literal(raw)
        word = str(raw).strip().lower()
        if word not in _TRUE | _FALSE:
            raise ParameterError(f"parameter '{param.name}': {raw!r} is not a boolean (true/false)")
        return Term("literal", "true" if word in _TRUE else "false", XSD_BOOLEAN)
    return Term.literal(str(raw))


def bind(
    query: NamedQuery,
    values: Mapping[str, Any],
    *,
    base_iri: str,
    exists: Callable[[str], bool],
) -> dict[str, Term]:
    """Check ``values`` against the query's parameters and return engine bindings.

    Unknown names, missing required values and badly typed values raise
    :class:`ParameterError` naming the parameter. ``iri-or-id`` values must name a subject of
    the dataset (``exists``).
    """
    unknown = sorted(set(values) - set(query.params))
    if unknown:
        expected = ", ".join(query.params) or "none"
        raise ParameterError(
            f"unknown parameter '{unknown[0]}' for query '{query.name}' (expected: {expected})"
        )
    bindings: dict[str, Term] = {}
    # edition-element values are resolved within the edition, so editions are bound first
    for param in sorted(query.params.values(), key=lambda p: p.type == "edition-element"):
        if param.name in values and values[param.name] is not None:
            raw = values[param.name]
        elif param.default is not None:
            raw = param.default
        elif param.required:
            example = f", e.g. {param.name}={param.example}" if param.example is not None else ""
            raise ParameterError(
                f"missing required parameter '{param.name}' ({param.type}{example}) for query '{query.name}'"
            )
        else:
            continue  # optional and unset: the variable stays free
        term = coerce(param, raw, base_iri)
        if param.type == "iri-or-id":
            term = _existing(param, raw, base_iri, exists)
        elif param.type == "edition-element":
            term = _edition_element(param, term.value, query, bindings, exists)
        bindings[param.name] = term
    return bindings


def _existing(param: QueryParam, raw: Any, base_iri: str, exists: Callable[[str], bool]) -> Term:
    """The first candidate IRI that is a subject of the dataset."""
    if isinstance(raw, Term):
        text = raw.value
        candidates = [raw.value] if raw.kind == "iri" else resolve_iri_or_id(text, base_iri)
    else:
        text = str(raw).strip()
        candidates = resolve_iri_or_id(text, base_iri)
        if "/" not in text and ":" not in text and text != text.upper():
            candidates += resolve_iri_or_id(text.upper(), base_iri)  # chan → CHAN
    candidates = [c for c in dict.fromkeys(candidates) if is_iri(c)]
    for iri in candidates:
        if exists(iri):
            return Term.iri(iri)
    raise ParameterError(
        f"unknown {param.name.replace('_', ' ')} '{text}' "
        f"(parameter '{param.name}': <{candidates[0]}> is not in the dataset)"
    )


# ---------------------------------------------------------------- crosswalk editions


def _targets() -> Any:
    # imported here: the crosswalk package may grow modules that import this one
    from itsm_prm.crosswalk import targets

    return targets


def _target(param: QueryParam, raw: Any) -> Target:
    """The crosswalk target a value names: a key or short form (``2018``), a label, or the edition IRI."""
    targets = _targets()
    text = str(raw.value if isinstance(raw, Term) else raw).strip()
    by_edition = {t.edition: t for t in targets.TARGETS.values()}
    if text in by_edition:
        return by_edition[text]
    try:
        return targets.resolve_target(text)
    except targets.UnknownTarget as exc:
        raise ParameterError(f"parameter '{param.name}': {exc}") from exc


def edition_choices() -> list[str]:
    """What an ``edition`` parameter accepts, as the API documents it: every key and short form."""
    return list(dict.fromkeys(n for t in _targets().TARGETS.values() for n in (t.key, t.short)))


def _edition_element(
    param: QueryParam, text: str, query: NamedQuery, bound: Mapping[str, Term], exists: Callable[[str], bool]
) -> Term:
    """The IRI of the element ``text`` names in the edition bound to the query's edition parameter.

    Element IRIs name their edition (``id/iso20000-1/2005/clause/8.2``, ``id/itil/4/practice/…``), so a
    clause number or practice name gives one candidate, and an IRI must lie under the edition's IRI.
    """
    editions = [p for p in query.params.values() if p.type == "edition"]
    if not editions or editions[0].name not in bound:
        named = f"parameter '{editions[0].name}'" if editions else "an edition parameter"
        raise ParameterError(f"parameter '{param.name}' needs an edition ({named})")
    target = _target(param, bound[editions[0].name].value)
    prefix = f"{target.edition}/"
    if re.match(r"^https?://", text, re.IGNORECASE):
        candidate = text if text.startswith(prefix) else None
    else:
        local = text.strip("/").removeprefix(f"{target.element_kind}/")
        if target.element_kind == "practice":  # "Incident management" → incident-management
            local = re.sub(r"[\s_]+", "-", local.lower())
        candidate = f"{prefix}{target.element_kind}/{local}"
    if candidate is not None and is_iri(candidate) and exists(candidate):
        return Term.iri(candidate)
    raise ParameterError(
        f"parameter '{param.name}': no {target.element_kind} '{text}' in {target.label}"
    )
