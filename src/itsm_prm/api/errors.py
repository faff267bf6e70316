"""Core exceptions → HTTP answers: a status and a JSON body with one readable message."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from itsm_prm import errors

# most specific first: the first matching class decides the status
STATUS: list[tuple[type[Exception], int]] = [
    (errors.AuthenticationError, 401),
    (errors.PermissionDenied, 403),
    (errors.NotFound, 404),
    (errors.StoreTimeout, 504),
    (errors.StoreError, 502),
    (errors.ParameterError, 422),
    (errors.UnknownQueryError, 404),
    (errors.UnknownGraphError, 404),
    (errors.UnknownFormatError, 406),
    (errors.QueryPolicyError, 403),
    (errors.ResultTooLarge, 413),
    (errors.QueryTimeout, 503),
    (errors.ServiceBusy, 503),
    (errors.UserError, 400),
]


def status_of(exc: Exception) -> int:
    for kind, status in STATUS:
        if isinstance(exc, kind):
            return status
    return 500


def install(app: FastAPI) -> None:
    """Register the handlers: every error the core raises on purpose becomes a clear 4xx/5xx."""

    async def handle(request: Request, exc: Exception) -> JSONResponse:
        status = status_of(exc)
        headers = {"Retry-After": "1"} if status == 503 else None
        if status == 401:  # RFC 6750: say which scheme is expected
            headers = {"WWW-Authenticate": 'Bearer realm="itsm-prm"'}
        return JSONResponse({"error": " ".join(str(exc).split()), "status": status}, status, headers=headers)

    app.add_exception_handler(errors.ItsmPrmError, handle)
