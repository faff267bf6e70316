"""The assessment repository over HTTP: ``/api/assessments`` (bearer token of an organisation).

* ``POST /api/assessments`` — the body as ``POST /api/assessments/validate`` takes it (Turtle, JSON-LD,
  CSV, XLSX or a form upload); validated first: 422 with the validation report when it does not
  conform (nothing stored), else 201 with ``Location`` and the record with the derived levels;
* ``GET /api/assessments`` — the organisation's assessments, oldest first;
* ``GET /api/assessments/{id}`` — the record and the profile as JSON, or the stored graph in any RDF
  format (``Accept``, or ``?format=`` ttl, jsonld, xml, nt, nq, trig);
* ``GET /api/assessments/{id}/profile`` — the profile;
* ``DELETE /api/assessments/{id}`` — 204.

Another organisation's assessment is answered exactly as a missing one (404), so its existence does
not leak. An administrator's token belongs to no organisation: 403 here. Served by several processes
on an in-memory store, the repository answers 502 (each process would hold different assessments).
Answers carry ``Cache-Control: private, no-store`` (the answer cache skips requests with a token).
The stateless ``POST /api/assessments/validate|profile|report`` stay in :mod:`itsm_prm.api.assessments`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.convertors import Convertor, register_url_convertor

from itsm_prm.api.assessments import (
    _BODY,
    _ERRORS,
    _REPORT_SCHEMA,
    UnsupportedMediaType,
    _unsupported,
    assess,
)
from itsm_prm.api.auth import require_principal
from itsm_prm.api.conneg import DATASET_TYPES, GRAPH_TYPES, describe, negotiate
from itsm_prm.api.pages import KG, cached
from itsm_prm.assessment.profile import build_profile, process_names
from itsm_prm.assessment.repository import AssessmentRepository
from itsm_prm.errors import PermissionDenied, StoreUnavailable, UnknownFormatError
from itsm_prm.knowledge_graph import KnowledgeGraph
from itsm_prm.store.base import RDF_FORMATS
from itsm_prm.tokens import Principal

router = APIRouter(tags=["assessment repository"])


class AssessmentId(Convertor[str]):
    """An assessment id (32 hex digits) in a path: ``/api/assessments/validate`` and its siblings (POST
    only, :mod:`itsm_prm.api.assessments`) never match the routes below, so a GET of them stays 405."""

    regex = "[0-9a-f]{32}"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("assessment_id", AssessmentId())

PREFIX = "/api/assessments"
PRIVATE = {"Cache-Control": "private, no-store"}
JSON = "application/json"
#: JSON (record and profile) first: the default
OFFERED = (JSON, *GRAPH_TYPES, *DATASET_TYPES)
#: media type → export format name
EXPORT_FORMATS = {media: name for name, (_, media) in RDF_FORMATS.items()}
ADMIN_HERE = "an administrator's token belongs to no organisation: use an organisation's token here"


def repository(request: Request) -> AssessmentRepository:
    """The app's repository over ``kg.backend`` (one per app, made on first use).

    Several server processes on an in-memory store would each keep assessments of their own, and a
    client would see them come and go: the repository is then out of service (502), rather than wrong.
    """
    state = request.app.state
    kg: KnowledgeGraph = state.kg
    processes = state.settings.server_processes
    if processes > 1 and not kg.spec.durable:
        raise StoreUnavailable(
            "the assessment repository needs one store shared by every server process; this service "
            f"runs {processes} processes on the {kg.spec} store (serve with --store oxigraph:PATH and "
            "--workers 1, or with a SPARQL server: --store sparql:URL)"
        )
    repo: AssessmentRepository | None = getattr(state, "assessment_repository", None)
    if repo is None:
        repo = state.assessment_repository = AssessmentRepository(state.kg)
    return repo


def organisation_of(principal: Annotated[Principal, Depends(require_principal)]) -> str:
    """The caller's organisation: 401 without a valid token, 403 for an administrator's."""
    if principal.admin or principal.organisation is None:
        raise PermissionDenied(ADMIN_HERE)
    return principal.organisation


Organisation = Annotated[str, Depends(organisation_of)]
Repository = Annotated[AssessmentRepository, Depends(repository)]


def _names(request: Request, kg: KnowledgeGraph) -> dict[str, str]:
    return cached(request, kg, "assessment-process-names", lambda: process_names(kg))


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, headers={**PRIVATE, **(headers or {})})


_AUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "No bearer token, or one that is unknown or revoked."},
    403: {"description": "An administrator's token (it belongs to no organisation)."},
}
_NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No assessment of that id for the caller's organisation."}
}


@router.post(
    PREFIX,
    summary="Store an assessment",
    description="Validates the assessment (as `POST /api/assessments/validate`) and, when it conforms, "
    "stores it in a named graph of its own for the token's organisation, with the derived capability "
    "levels. A non-conforming assessment is refused with the validation report (422); nothing is stored.",
    openapi_extra=_BODY,
    status_code=201,
    responses={
        201: {"description": "Stored: the record and the profile's processes; `Location` names it."},
        422: {
            "description": "The assessment does not conform: the validation report.",
            "content": {JSON: {"schema": _REPORT_SCHEMA}},
        },
    }
    | _ERRORS
    | _AUTH_ERRORS,
    response_class=JSONResponse,
)
async def store_assessment(
    request: Request, kg: KG, organisation: Organisation, repo: Repository
) -> Response:
    try:
        graph, report, _, _ = await assess(request, kg, profile=False)
    except UnsupportedMediaType as exc:
        return _unsupported(exc)
    if not report.conforms:
        return _json(report.to_dict(), 422)
    profile = await run_in_threadpool(build_profile, graph, _names(request, kg))
    stored = await run_in_threadpool(repo.store, graph, profile, organisation)
    body = {**stored.to_dict(), "processes": profile.to_dict()["processes"]}
    return _json(body, 201, {"Location": f"{PREFIX}/{stored.id}"})


@router.get(
    PREFIX,
    summary="The organisation's stored assessments",
    description="Every assessment stored for the token's organisation, oldest first.",
    responses=_AUTH_ERRORS,
    response_class=JSONResponse,
)
async def list_assessments(organisation: Organisation, repo: Repository) -> Response:
    items = await run_in_threadpool(repo.list, organisation)
    return _json({"organisation": organisation, "assessments": [s.to_dict() for s in items]})


@router.get(
    PREFIX + "/{assessment_id:assessment_id}",
    summary="One stored assessment",
    description="JSON (the record and the profile) by default; the stored graph, with the derived "
    "levels, as Turtle, JSON-LD, RDF/XML, N-Triples, N-Quads or TriG by `Accept` or `format`.",
    responses={
        200: {"description": "The assessment", "content": {media: {} for media in OFFERED}},
        406: {"description": "None of the acceptable formats is offered."},
    }
    | _AUTH_ERRORS
    | _NOT_FOUND,
    response_class=Response,
)
async def get_assessment(
    assessment_id: str,
    request: Request,
    kg: KG,
    organisation: Organisation,
    repo: Repository,
    format: Annotated[  # noqa: A002 - the name every download link uses
        str | None, Query(description="json, ttl, jsonld, xml, nt, nq or trig (overrides Accept)")
    ] = None,
) -> Response:
    override = JSON if (format or "").strip().lower() == "json" else format
    media = negotiate(request.headers.get("accept"), OFFERED, override)
    if media is None:
        wanted = f"format={format!r}" if format else f"Accept: {request.headers.get('accept')}"
        raise UnknownFormatError(f"cannot answer {wanted}; offered: {describe(OFFERED)}")
    if media == JSON:
        stored = await run_in_threadpool(repo.get, assessment_id, organisation, names=_names(request, kg))
        assert stored.profile is not None
        return _json({**stored.to_dict(), "profile": stored.profile.to_dict()})
    fmt = EXPORT_FORMATS[media]
    body = await run_in_threadpool(repo.export, assessment_id, organisation, fmt)
    headers = {**PRIVATE, "Content-Disposition": f'inline; filename="assessment-{assessment_id}.{fmt}"'}
    charset = "; charset=utf-8" if media.startswith("text/") else ""
    return Response(body, media_type=media + charset, headers=headers)


@router.get(
    PREFIX + "/{assessment_id:assessment_id}/profile",
    summary="The profile of a stored assessment",
    description="Per assessed process: attribute ratings, target, derived and stated level, outcomes.",
    responses=_AUTH_ERRORS | _NOT_FOUND,
    response_class=JSONResponse,
)
async def get_profile(
    assessment_id: str, request: Request, kg: KG, organisation: Organisation, repo: Repository
) -> Response:
    stored = await run_in_threadpool(repo.get, assessment_id, organisation, names=_names(request, kg))
    assert stored.profile is not None
    return _json(stored.profile.to_dict())


@router.delete(
    PREFIX + "/{assessment_id:assessment_id}",
    summary="Delete a stored assessment",
    status_code=204,
    responses={204: {"description": "Deleted."}} | _AUTH_ERRORS | _NOT_FOUND,
    response_class=Response,
)
async def delete_assessment(assessment_id: str, organisation: Organisation, repo: Repository) -> Response:
    await run_in_threadpool(repo.delete, assessment_id, organisation)
    return Response(status_code=204, headers=PRIVATE)
