"""``GET /query``: a SPARQL editor for people (YASGUI, vendored under ``static/yasgui``).

Every named query is an example tab. Its example parameter values are shown as a ``VALUES`` line
at the start of the query's ``WHERE`` group, so the tab runs as it stands and the text stays valid
SPARQL; the REST operations bind the same values through the engine instead.

The page extends the site's ``base.html``. YASGUI's files (and the page's own script,
``static/yasgui/query-page.js``) are served at ``/static/yasgui/…`` by a route of this router, not
a mount, so the router stays self-contained next to the linked-data router's ``/static/{name}``.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from itsm_prm import queries
from itsm_prm.api.deps import etag_for
from itsm_prm.api.pages import KG, Config, Site, cache_headers, cached, conditional, render
from itsm_prm.errors import ItsmPrmError
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.queries import NamedQuery

YASGUI_DIR = Path(__file__).parent / "static" / "yasgui"
YASGUI_VERSION = "4.6.2"  # keep in step with static/yasgui/README.md

router = APIRouter(tags=["pages"])

# An IRIREF (SPARQL grammar [139]): '<' followed by this and '>' is an IRI, else '<' is "less than".
_IRIREF_BODY = re.compile(r'[^<>"{}|^`\\\x00-\x20]*>')
_NEW_TAB_PREFIXES = ("prm", "id", "rdfs", "skos")


def _asset_versions() -> dict[str, str]:
    """A content hash per file, for ``?v=`` in the page: a changed file is a new URL."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()[:12] for p in YASGUI_DIR.iterdir() if p.is_file()
    }


ASSET_VERSIONS = _asset_versions()


@router.get("/query", response_class=Response, include_in_schema=False)
def query_page(request: Request, kg: KG, settings: Config) -> Response:
    site = Site(request, kg, settings)
    root = request.scope.get("root_path", "").rstrip("/")  # this app, even when base_url is elsewhere
    etag = etag_for(kg, "query-page", site.root, root)
    headers = {**cache_headers(etag), "Content-Security-Policy": _content_security_policy(site.root)}
    if (answer := conditional(request, etag)) is not None:
        answer.headers.update(headers)
        return answer
    config = {
        "endpoint": f"{root}/sparql",
        "examples": cached(request, kg, "query-page-examples", lambda: examples(kg)),
        "newTabQuery": _new_tab_query(kg),
        "prefixes": kg.prefixes,
        "links": cached(request, kg, f"query-page-links:{site.root}", lambda: link_rules(site)),
    }
    context = {
        "title": "SPARQL query",
        "config": config,
        "endpoint": config["endpoint"],
        "asset": {name: f"{root}/static/yasgui/{name}?v={v}" for name, v in ASSET_VERSIONS.items()},
    }
    return render(request, "query.html", context, site=site, headers=headers)


def _content_security_policy(site_root: str) -> str:
    """The page talks to no other host (offline use, no CDN), and the browser enforces it.

    The site's own stylesheet may come from ``base_url`` when that is another address of this service.
    """
    parts = urlsplit(site_root)
    site = f" {parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else ""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'" + site + "; "
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
    )


@router.get("/static/yasgui/{name}", include_in_schema=False)
def yasgui_file(name: str) -> Response:
    files = {p.name: p for p in YASGUI_DIR.iterdir() if p.is_file()}  # never a path from the request
    if name not in files:
        return JSONResponse({"error": f"no static file 'yasgui/{name}'", "status": 404}, status_code=404)
    # the page asks for ?v=<content hash>, so a long lifetime is safe
    return FileResponse(files[name], headers={"Cache-Control": "public, max-age=86400"})


def link_rules(site: Site) -> dict[str, object]:
    """How the page's script sends an IRI of a result to its page, as :meth:`Site.href` does for
    the linked-data pages (the tests hold the two to the same answers): the first matching rule
    wins; IRIs the dataset describes without a page of their own go to ``resource?iri=``."""
    base, root = site.base, site.root
    return {
        "rules": [
            {"prefix": f"{base}id/", "to": f"{root}id/"},
            {"exact": f"{base}ontology", "to": f"{root}ontology"},
            {"prefix": f"{base}ontology#", "to": f"{root}ontology#"},
            {"exact": f"{base}shapes", "to": f"{root}ontology/shapes"},
            {"prefix": f"{base}shapes#", "to": f"{root}ontology/shapes#"},
            {"exact": f"{base}dataset", "to": f"{root}.well-known/void"},
            {"prefix": f"{base}graph/", "to": f"{root}download/graph/", "suffix": ".ttl"},
        ],
        "described": sorted(s for s in site.data.subjects if site.local_path(s) is None),
        "resource": site.url("resource?iri="),
    }


def local_href(iri: str, links: dict[str, object]) -> str:
    """The rules applied in Python: what the page's script does to each result link."""
    for rule in links["rules"]:  # type: ignore[attr-defined]
        if "exact" in rule and iri == rule["exact"]:
            return rule["to"]
        if "prefix" in rule and iri.startswith(rule["prefix"]):
            rest = iri[len(rule["prefix"]) :]
            if rest or "suffix" not in rule:  # a graph IRI needs a name
                return rule["to"] + rest + rule.get("suffix", "")
    if iri in links["described"]:  # type: ignore[operator]
        return f"{links['resource']}{quote(iri, safe='')}"
    return iri


def examples(kg: KnowledgeGraph) -> list[dict[str, str]]:
    """One example tab per public named query (a scoped one reads stored assessments: not on /sparql)."""
    return [
        {"name": q.name, "summary": q.summary, "sparql": example_sparql(q, kg)}
        for q in kg.catalog.values()
        if not q.scoped
    ]


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
