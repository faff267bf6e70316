"""``GET /query``: a SPARQL editor for people (YASGUI, vendored under ``static/yasgui``).

Every named query is an example tab. Its example parameter values are shown as a ``VALUES`` line
at the start of the query's ``WHERE`` group, so the tab runs as it stands and the text stays valid
SPARQL; the REST operations bind the same values through the engine instead.

YASGUI's files are served at ``/static/yasgui/…`` by a route of this router (not a mount), so the
router stays self-contained next to the linked-data router's ``/static/{name}``.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates

from itsm_prm import queries
from itsm_prm.api.deps import get_kg
from itsm_prm.errors import ItsmPrmError
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.queries import NamedQuery

API_DIR = Path(__file__).parent
YASGUI_DIR = API_DIR / "static" / "yasgui"
YASGUI_VERSION = "4.6.2"  # keep in step with static/yasgui/README.md
templates = Jinja2Templates(directory=API_DIR / "templates")

router = APIRouter(tags=["pages"])

# An IRIREF (SPARQL grammar [139]): '<' followed by this and '>' is an IRI, else '<' is "less than".
_IRIREF_BODY = re.compile(r'[^<>"{}|^`\\\x00-\x20]*>')
_NEW_TAB_PREFIXES = ("prm", "id", "rdfs", "skos")


@router.get("/query", response_class=HTMLResponse, include_in_schema=False)
def query_page(request: Request, kg: Annotated[KnowledgeGraph, Depends(get_kg)]) -> HTMLResponse:
    path_root = request.scope.get("root_path", "").rstrip("/")
    config = {
        "endpoint": f"{path_root}/sparql",
        "examples": _examples(request, kg),
        "newTabQuery": _new_tab_query(kg),
        "prefixes": kg.prefixes,
        "links": link_rules(kg.settings.base_iri, _site_root(request, kg)),
    }
    nonce = secrets.token_urlsafe(16)
    context = {
        "config": config,
        "root": path_root,
        "nonce": nonce,
        "endpoint": config["endpoint"],
        "yasgui_version": YASGUI_VERSION,
    }
    response = templates.TemplateResponse(request, "query.html", context)
    # the page must never reach another host (offline use, no CDN): the browser enforces it too
    response.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
        "base-uri 'self'; frame-ancestors 'self'"
    )
    return response


def _site_root(request: Request, kg: KnowledgeGraph) -> str:
    """Where the linked-data pages live, ending in ``/``: ``base_url`` if set, else this app's root."""
    if kg.settings.base_url:
        return kg.settings.base_url.rstrip("/") + "/"
    return request.scope.get("root_path", "").rstrip("/") + "/"


def link_rules(base_iri: str, root: str) -> dict[str, object]:
    """How the page turns an IRI of the dataset into the address of its page on this site (the
    same places the linked-data pages link to): first matching rule wins, then ``fallback``."""
    return {
        "base": base_iri,
        "rules": [
            {"prefix": f"{base_iri}id/", "to": f"{root}id/"},
            {"exact": f"{base_iri}ontology", "to": f"{root}ontology"},
            {"prefix": f"{base_iri}ontology#", "to": f"{root}ontology#"},
            {"exact": f"{base_iri}shapes", "to": f"{root}ontology/shapes"},
            {"prefix": f"{base_iri}shapes#", "to": f"{root}ontology/shapes#"},
            {"exact": f"{base_iri}dataset", "to": f"{root}.well-known/void"},
        ],
        "fallback": f"{root}resource?iri=",  # other IRIs under the base: the generic description page
    }


def local_href(iri: str, links: dict[str, object]) -> str:
    """The rules applied in Python (the page's script does the same; the tests compare them)."""
    if not iri.startswith(str(links["base"])):
        return iri
    for rule in links["rules"]:  # type: ignore[attr-defined]
        if "exact" in rule and iri == rule["exact"]:
            return rule["to"]
        if "prefix" in rule and iri.startswith(rule["prefix"]):
            return rule["to"] + iri[len(rule["prefix"]) :]
    return f"{links['fallback']}{quote(iri, safe='')}"


@router.get("/static/yasgui/{name}", include_in_schema=False)
def yasgui_file(name: str) -> Response:
    files = {p.name: p for p in YASGUI_DIR.iterdir() if p.is_file()}  # never a path from the request
    if name not in files:
        return JSONResponse({"error": f"no static file 'yasgui/{name}'", "status": 404}, status_code=404)
    # the page asks for ?v=<version>, so a long lifetime is safe
    return FileResponse(files[name], headers={"Cache-Control": "public, max-age=86400"})


def _examples(request: Request, kg: KnowledgeGraph) -> list[dict[str, str]]:
    """One tab per named query; computed once per app (the catalog and dataset do not change)."""
    cached = getattr(request.app.state, "query_page_examples", None)
    if cached is None:
        cached = [
            {"name": q.name, "summary": q.summary, "sparql": example_sparql(q, kg)}
            for q in kg.catalog.values()
        ]
        request.app.state.query_page_examples = cached
    return cached


def _new_tab_query(kg: KnowledgeGraph) -> str:
    prologue = "".join(f"PREFIX {p}: <{kg.prefixes[p]}>\n" for p in _NEW_TAB_PREFIXES if p in kg.prefixes)
    return (
        f"{prologue}\nSELECT ?process ?id ?name\nWHERE {{\n"
        "  ?process a prm:Process ;\n           prm:processId ?id ;\n           prm:processName ?name .\n"
        "}\nORDER BY ?id\n"
    )


def example_sparql(query: NamedQuery, kg: KnowledgeGraph) -> str:
    """The query text with its example values set by a ``VALUES`` line, for display and running.

    Falls back to a trailing ``VALUES`` clause (valid after any query form), then to a comment, so
    the tab always holds valid SPARQL.
    """
    examples = {p.name: p.example for p in query.params.values() if p.example is not None}
    if not examples:
        return query.sparql
    try:
        bindings = queries.bind(query, examples, base_iri=kg.settings.base_iri, exists=kg.exists)
    except ItsmPrmError:  # an example that names nothing in the dataset: show the values only
        bindings = {}
    call = "&".join(f"{name}={value}" for name, value in examples.items())
    note = f"# example parameters; the REST operation binds them for you: /api/queries/{query.name}?{call}"
    if not bindings:
        return f"{note}\n{query.sparql}"
    values = "\n".join(f"VALUES ?{name} {{ {term.n3()} }}" for name, term in bindings.items())
    start = _group_start(query.sparql)
    candidates = []
    if start is not None:
        indented = "".join(f"\n  {line}" for line in [note, *values.splitlines()])
        candidates.append(query.sparql[: start + 1] + indented + query.sparql[start + 1 :])
    candidates.append(f"{query.sparql.rstrip()}\n{note}\n{values}\n")
    for text in candidates:
        try:
            queries.parse_sparql(text)
        except ItsmPrmError:
            continue
        return text
    return f"{note}\n{query.sparql}"


def _group_start(sparql: str) -> int | None:
    """Offset of the first ``{`` that is SPARQL syntax (not in a comment, string or IRI)."""
    i, n = 0, len(sparql)
    while i < n:
        c = sparql[i]
        if c == "#":
            end = sparql.find("\n", i)
            i = n if end < 0 else end
        elif c == "<" and (match := _IRIREF_BODY.match(sparql, i + 1)):
            i = match.end() - 1
        elif c in "\"'":
            quote = c * 3 if sparql.startswith(c * 3, i) else c
            i += len(quote)
            while i < n and not sparql.startswith(quote, i):
                i += 2 if sparql[i] == "\\" else 1
            i += len(quote) - 1
        elif c == "{":
            return i
        i += 1
    return None
