"""Assessments over HTTP: ``POST /api/assessments/validate``, ``POST /api/assessments/profile`` and the
upload page ``/assess``.

A thin shell over ``itsm_prm.assessment``, as the ``itsm-prm assess`` commands are: the body is read
by ``io.load_assessment`` (CSV, XLSX, Turtle or JSON-LD), checked by ``validate.validate_assessment``
and profiled by ``profile.build_profile``. Nothing is stored, so the endpoints need no token; they are
POST only because an assessment does not fit in a URL.

Answers: the validation report (the type ``itsm-prm validate --format json`` prints) and the profile.
A body that cannot be read is 400 with the position (line and column, or sheet, row and column), an
unsupported Content-Type 415, a body over the service's limit 413 (``BodySizeLimit``).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from rdflib import Graph
from starlette.concurrency import run_in_threadpool

from itsm_prm.api.errors import status_of
from itsm_prm.api.pages import KG, Config, Site, cached, get_and_head, render
from itsm_prm.assessment.io import load_assessment
from itsm_prm.assessment.profile import Profile, build_profile, process_names
from itsm_prm.assessment.report import build_view, render_report
from itsm_prm.assessment.validate import validate_assessment
from itsm_prm.errors import ItsmPrmError, UserError
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.validation import ValidationReport

router = APIRouter()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Content-Type → the format name ``load_assessment`` knows
MEDIA_FORMATS: dict[str, str] = {
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "text/csv": "csv",
    XLSX: "xlsx",
}
MULTIPART = "multipart/form-data"
#: the form field of the upload page
FILE_FIELD = "file"

#: the page may style itself inline; it runs no script and sends forms only here
PAGE_POLICY = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; script-src 'none'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'"
)


class UnsupportedMediaType(UserError):
    """The body's Content-Type is none the assessment import reads (HTTP 415)."""


@dataclass(frozen=True)
class Upload:
    data: bytes
    fmt: str | None  # None: from the file name or the content
    filename: str | None


# ---------------------------------------------------------------- reading the body


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def _form_file(content_type: str, body: bytes) -> Upload:
    """The file part of a ``multipart/form-data`` body (the standard library's MIME parser)."""
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise UserError("the form upload is not a readable multipart/form-data body")
    for part in message.iter_parts():
        assert isinstance(part, Message)
        if part.get_param("name", header="content-disposition") != FILE_FIELD:
            continue
        filename = part.get_filename() or None
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        if not data:
            raise UserError("no file chosen: the upload is empty")
        # browsers guess a file's type from its name, often wrongly: the name (or the content) decides,
        # the part's type only when there is no name
        fmt = None if filename else MEDIA_FORMATS.get(part.get_content_type())
        return Upload(data, fmt, filename)
    raise UserError(f"the form has no file field {FILE_FIELD!r}")


async def read_upload(request: Request) -> Upload:
    """The assessment in the body: a raw document of a supported type, or a form's file field."""
    media = _media_type(request)
    if media != MULTIPART and media not in MEDIA_FORMATS:
        offered = ", ".join([*MEDIA_FORMATS, MULTIPART])
        shown = media or "none"
        raise UnsupportedMediaType(f"unsupported Content-Type {shown} (send one of: {offered})")
    body = await request.body()
    if media == MULTIPART:
        return _form_file(request.headers.get("content-type", ""), body)
    if not body:
        raise UserError("the request body is empty: send an assessment")
    return Upload(body, MEDIA_FORMATS[media], None)


# ---------------------------------------------------------------- the core, off the event loop


def _check(kg: KnowledgeGraph, upload: Upload) -> tuple[Graph, ValidationReport]:
    graph = load_assessment(
        upload.data, upload.fmt, upload.filename, kg=kg, max_bytes=kg.settings.max_input_bytes
    )
    return graph, validate_assessment(kg, graph)


def _check_and_profile(
    kg: KnowledgeGraph, names: dict[str, str], upload: Upload
) -> tuple[Graph, ValidationReport, Profile]:
    graph, report = _check(kg, upload)
    # after validation: a file without an assessment is a finding there, but has no profile (400)
    return graph, report, build_profile(graph, names=names)


async def assess(
    request: Request, kg: KnowledgeGraph, *, profile: bool = True
) -> tuple[Graph, ValidationReport, Profile | None, Upload]:
    """Read the body, validate it and (with ``profile``) derive its profile, off the event loop."""
    upload = await read_upload(request)
    if not profile:
        graph, report = await run_in_threadpool(_check, kg, upload)
        return graph, report, None, upload
    names = cached(request, kg, "assessment-process-names", lambda: process_names(kg))
    graph, report, derived = await run_in_threadpool(_check_and_profile, kg, names, upload)
    return graph, report, derived, upload


# ---------------------------------------------------------------- API operations

_BODY = {
    "requestBody": {
        "required": True,
        "description": "An assessment: the template's CSV or XLSX, or Turtle / JSON-LD following the "
        "assessment vocabulary (https://w3id.org/itsm-prm/assessment#). A form upload sends it in the "
        f"field `{FILE_FIELD}`.",
        "content": {
            "text/turtle": {"schema": {"type": "string"}},
            "application/ld+json": {"schema": {"type": "object"}},
            "text/csv": {"schema": {"type": "string"}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
            MULTIPART: {
                "schema": {
                    "type": "object",
                    "properties": {FILE_FIELD: {"type": "string", "format": "binary"}},
                    "required": [FILE_FIELD],
                }
            },
        },
    }
}
_REPORT_SCHEMA = {
    "type": "object",
    "properties": {
        "conforms": {"type": "boolean"},
        "violations": {"type": "integer"},
        "warnings": {"type": "integer"},
        "results": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    name: {"type": "string", "nullable": name not in ("severity", "focus", "message")}
                    for name in ("severity", "focus", "focus_label", "path", "value", "message", "shape")
                },
            },
        },
    },
}
_ERROR = {
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
            }
        }
    }
}
_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {
        "description": "The body cannot be read; the message gives line and column, or sheet, row and column."
    }
    | _ERROR,
    413: {"description": "The body is larger than the service accepts (ITSM_PRM_MAX_BODY_BYTES)."} | _ERROR,
    415: {"description": "The Content-Type is not one of the supported formats."} | _ERROR,
}


def _unsupported(exc: UnsupportedMediaType) -> JSONResponse:
    return JSONResponse({"error": str(exc), "status": 415}, status_code=415)


@router.post(
    "/api/assessments/validate",
    tags=["assessments"],
    summary="Validate an assessment",
    description="Checks an assessment against the assessment shapes (closed world): required input items, "
    "scope, one rating per attribute, rating order, letters and percentage bands, outcome ratings, "
    "justifications, stated levels, evidence. Messages name the process, attribute or outcome. "
    "Nothing is stored.",
    openapi_extra=_BODY,
    responses={
        200: {
            "description": "The validation report.",
            "content": {"application/json": {"schema": _REPORT_SCHEMA}},
        }
    }
    | _ERRORS,
    response_class=JSONResponse,
)
async def validate_endpoint(request: Request, kg: KG) -> JSONResponse:
    try:
        _, report, _, _ = await assess(request, kg, profile=False)
    except UnsupportedMediaType as exc:
        return _unsupported(exc)
    return JSONResponse(report.to_dict())


@router.post(
    "/api/assessments/profile",
    tags=["assessments"],
    summary="Capability profile of an assessment",
    description="The process profile: per assessed process its attribute ratings, target level (from the "
    "scope), the capability level derived by the ISO/IEC 15504-2 rule and any stated level; with the "
    "validation report (`validation`), since a profile of data that does not conform is read with care. "
    "Nothing is stored.",
    openapi_extra=_BODY,
    responses={
        200: {
            "description": "The profile and the validation report.",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {"profile": {"type": "object"}, "validation": _REPORT_SCHEMA},
                    }
                }
            },
        }
    }
    | _ERRORS,
    response_class=JSONResponse,
)
async def profile_endpoint(request: Request, kg: KG) -> JSONResponse:
    try:
        _, report, profile, _ = await assess(request, kg)
    except UnsupportedMediaType as exc:
        return _unsupported(exc)
    assert profile is not None
    return JSONResponse({"profile": profile.to_dict(), "validation": report.to_dict()})


@router.post(
    "/api/assessments/report",
    tags=["assessments"],
    summary="Assessment report as one HTML page",
    description="The report `itsm-prm assess report` writes: input summary, capability profile chart, "
    "findings and validation summary, as one self-contained HTML file (inline styles and SVG; it loads "
    "nothing). Nothing is stored.",
    openapi_extra=_BODY,
    responses={200: {"description": "The report.", "content": {"text/html": {"schema": {"type": "string"}}}}}
    | _ERRORS,
    response_class=HTMLResponse,
)
async def report_endpoint(request: Request, kg: KG) -> Response:
    try:
        graph, report, profile, upload = await assess(request, kg)
    except UnsupportedMediaType as exc:
        return _unsupported(exc)
    assert profile is not None
    html = render_report(graph, profile, report, source=upload.filename)
    stem = (upload.filename or "assessment").rsplit(".", 1)[0]
    name = "".join(c if c.isalnum() or c in "-_" else "-" for c in stem) or "assessment"
    headers = {"Content-Disposition": f'attachment; filename="{name}-report.html"'}
    return HTMLResponse(html, headers=headers)


# ---------------------------------------------------------------- the upload page


def _page(request: Request, site: Site, status: int = 200, **context: Any) -> Response:
    full = {"title": "Check an assessment", "view": None, "error": None, "csp": PAGE_POLICY, **context}
    return render(request, "assessment.html", full, site=site, status_code=status)


@get_and_head(router, "/assess", summary="Assessment upload page", tags=["pages"], response_class=Response)
def upload_page(request: Request, kg: KG, settings: Config) -> Response:
    return _page(request, Site(request, kg, settings))


@router.post("/assess", include_in_schema=False, response_class=Response)
async def upload_result(request: Request, kg: KG, settings: Config) -> Response:
    """The form's answer: the same page with the validation report and the profile below the form."""
    site = Site(request, kg, settings)
    try:
        graph, report, profile, upload = await assess(request, kg)
    except ItsmPrmError as exc:
        status = 415 if isinstance(exc, UnsupportedMediaType) else status_of(exc)
        return _page(request, site, status, error=" ".join(str(exc).split()))
    assert profile is not None
    view = build_view(graph, profile, report, source=upload.filename)
    return _page(request, site, view=view, filename=upload.filename)
