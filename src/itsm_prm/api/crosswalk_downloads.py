"""Crosswalk downloads: ``/download/crosswalk/{slug}.{suffix}``.

``slug`` names a crosswalk target's mapping set (``prm-iso20000-1-2018``), ``suffix`` a format
(``sssom.tsv``, ``sssom.ttl``, ``csv``, ``xlsx``, ``oscal.json``); the core writes the file
(:mod:`itsm_prm.crosswalk.exports`). Files are computed once per dataset and carry the dataset's ETag.
An unknown slug or suffix, or a target whose mapping set the dataset does not hold, is a 404 (HTML for
browsers, JSON otherwise); a record that does not resolve fails the download (500, naming the record).

The downloads page lists these files through the template function ``crosswalk_downloads(site)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from itsm_prm.api.deps import etag_for
from itsm_prm.api.pages import (
    KG,
    Config,
    Site,
    cache_headers,
    cached,
    conditional,
    get_and_head,
    render,
    templates,
    wants_html,
)
from itsm_prm.crosswalk.exports import FORMATS, ExportFormat
from itsm_prm.crosswalk.records import PRM, MappingSetMissing, read_crosswalk
from itsm_prm.crosswalk.targets import TARGETS, Target
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.terms import Term

router = APIRouter(tags=["downloads"])

BY_SLUG: dict[str, Target] = {t.slug: t for t in TARGETS.values()}
#: longest suffix first, so ``x.sssom.tsv`` is never read as slug ``x.sssom``
SUFFIXES = sorted(FORMATS.values(), key=lambda f: len(f.suffix), reverse=True)
_HAS_SET = f"ASK {{ ?set a <{PRM}MappingSet> }}"


def parse_name(name: str) -> tuple[Target, ExportFormat] | None:
    """``prm-iso20000-1-2018.sssom.tsv`` → (target, format); ``None`` for anything else."""
    for fmt in SUFFIXES:
        slug = name.removesuffix("." + fmt.suffix)
        if slug != name and slug in BY_SLUG:
            return BY_SLUG[slug], fmt
    return None


def _not_found(request: Request, kg: KnowledgeGraph, settings: Config, message: str) -> Response:
    if wants_html(request):
        site = Site(request, kg, settings)
        return render(
            request, "not_found.html", {"title": "Not found", "message": message}, site=site, status_code=404
        )
    return JSONResponse({"error": message, "status": 404}, status_code=404)


@get_and_head(
    router,
    "/download/crosswalk/{name}",
    summary="A crosswalk mapping set as a file",
    description="`{slug}.{suffix}`: slug `prm-iso20000-1-2005`, `prm-iso20000-1-2011`, "
    "`prm-iso20000-1-2018` or `prm-itil4`; suffix `sssom.tsv` (SSSOM/TSV), `sssom.ttl` (SSSOM/RDF), "
    "`csv` and `xlsx` (STRM columns) or `oscal.json` (OSCAL mapping collection). Every record is checked: "
    "one that does not resolve fails the download rather than being left out.",
    response_class=Response,
)
def download_crosswalk(name: str, request: Request, kg: KG, settings: Config) -> Response:
    parsed = parse_name(name)
    if parsed is None:
        files = ", ".join(f"{{slug}}.{f.suffix}" for f in FORMATS.values())
        return _not_found(
            request,
            kg,
            settings,
            f"no crosswalk download {name} (files: {files}; slugs: {', '.join(BY_SLUG)})",
        )
    target, fmt = parsed
    etag = etag_for(kg, "crosswalk", target.slug, fmt.name)
    if (answer := conditional(request, etag, data=True)) is not None:
        return answer
    try:
        body = cached(
            request, kg, f"crosswalk {target.slug} {fmt.name}", lambda: fmt.write(read_crosswalk(kg, target))
        )
    except MappingSetMissing as exc:
        return _not_found(request, kg, settings, str(exc))
    headers = cache_headers(etag, data=True)
    headers["Content-Disposition"] = f'attachment; filename="{fmt.filename(target)}"'
    return Response(body, media_type=fmt.media_type, headers=headers)


# ---------------------------------------------------------------- the downloads page


@dataclass(frozen=True)
class CrosswalkFile:
    url: str
    filename: str
    title: str
    media_type: str


@dataclass(frozen=True)
class CrosswalkDownloads:
    target: Target
    files: list[CrosswalkFile]


def crosswalk_downloads(site: Site) -> list[CrosswalkDownloads]:
    """The crosswalk files of every target whose mapping set the dataset holds (for ``downloads.html``)."""

    def present() -> list[str]:
        return [t.key for t in TARGETS.values() if site.kg.query(_HAS_SET, set=Term.iri(t.mapping_set))]

    keys = cached(site.request, site.kg, "crosswalk-targets-present", present)
    return [
        CrosswalkDownloads(
            TARGETS[key],
            [
                CrosswalkFile(
                    site.url(f"download/crosswalk/{f.filename(TARGETS[key])}"),
                    f.filename(TARGETS[key]),
                    f.title,
                    f.media_type.split(";")[0],
                )
                for f in FORMATS.values()
            ],
        )
        for key in keys
    ]


templates.env.globals["crosswalk_downloads"] = crosswalk_downloads
