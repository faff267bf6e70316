"""Bearer-token authentication as FastAPI dependencies.

``require_principal`` (401 without a valid token), ``optional_principal`` (None without an
``Authorization`` header; a bad one is still 401) and ``require_admin`` (403 for an organisation's
token). The tokens are the :class:`~itsm_prm.tokens.TokenStore` at ``app.state.tokens``, made from
``settings.tokens_file`` on first use; it re-reads the file when it changes, so tokens created or revoked
with ``itsm-prm tokens`` count at once. The 401 answer carries ``WWW-Authenticate: Bearer``
(:mod:`itsm_prm.api.errors`). The token text is never logged.

Use::

    @router.get("/api/assessments")
    def list_assessments(principal: Annotated[Principal, Depends(require_principal)]) -> ...
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Depends, Request

from itsm_prm.errors import AuthenticationError, ConfigError, ItsmPrmError, PermissionDenied
from itsm_prm.tokens import Principal, TokenStore

log = logging.getLogger(__name__)

MISSING = (
    "this operation needs a bearer token (header 'Authorization: Bearer itsm_…'; "
    "an administrator creates one with `itsm-prm tokens create --org SLUG`)"
)
INVALID = "the bearer token is not valid (unknown or revoked)"
WRONG_SCHEME = "the Authorization header must use the Bearer scheme ('Authorization: Bearer itsm_…')"
ADMIN_ONLY = "this operation needs an administrator token (an organisation's token may not use it)"


class TokensUnavailable(ItsmPrmError):
    """The server's tokens file cannot be read: a server problem (HTTP 500), not the caller's."""


def token_store(request: Request) -> TokenStore:
    """The app's token store, created from the settings on first use."""
    state = request.app.state
    store: TokenStore | None = getattr(state, "tokens", None)
    if store is None:
        store = TokenStore(state.settings.tokens_file)
        state.tokens = store
    return store


def _bearer(header: str) -> str:
    """The token of an ``Authorization`` header value; 401 for another scheme or an empty token."""
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        raise AuthenticationError(WRONG_SCHEME)
    token = credentials.strip()
    if not token:
        raise AuthenticationError(MISSING)
    return token


def _verify(request: Request, token: str) -> Principal:
    store = token_store(request)
    try:
        principal = store.verify(token)
    except ConfigError as exc:
        # the file names a server path: the log gets it, the client a generic 500
        log.error("cannot check bearer tokens: %s", exc)
        raise TokensUnavailable("the server cannot check bearer tokens now (see its log)") from None
    if principal is None:
        raise AuthenticationError(INVALID)
    return principal


def optional_principal(request: Request) -> Principal | None:
    """The caller's principal; None when the request has no ``Authorization`` header at all."""
    header = request.headers.get("authorization")
    if header is None:
        return None
    return _verify(request, _bearer(header))


def require_principal(request: Request) -> Principal:
    """The caller's principal; 401 when the token is missing, malformed, unknown or revoked."""
    header = request.headers.get("authorization")
    if header is None:
        raise AuthenticationError(MISSING)
    return _verify(request, _bearer(header))


def require_admin(principal: Annotated[Principal, Depends(require_principal)]) -> Principal:
    """An administrator's principal; 401 as :func:`require_principal`, 403 for an organisation's token."""
    if not principal.admin:
        raise PermissionDenied(ADMIN_ONLY)
    return principal
