"""``itsm_prm.api.auth`` on a tiny app: 401 with ``WWW-Authenticate: Bearer`` for a missing, malformed,
unknown or revoked token; 403 for an organisation's token on an administrator's route; 200 otherwise;
tokens created or revoked while the app runs count at once; the token never reaches the log."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI
from fastapi.testclient import TestClient

from itsm_prm.api import errors
from itsm_prm.api.auth import optional_principal, require_admin, require_principal
from itsm_prm.config import Settings
from itsm_prm.tokens import Principal, TokenStore


def who(principal: Principal | None) -> dict[str, Any]:
    if principal is None:
        return {"anonymous": True}
    return {"token_id": principal.token_id, "organisation": principal.organisation, "admin": principal.admin}


def make_app(tokens_file: Path) -> FastAPI:
    app = FastAPI()
    app.state.settings = Settings(tokens_file=tokens_file)
    errors.install(app)

    @app.get("/mine")
    def mine(principal: Annotated[Principal, Depends(require_principal)]) -> dict[str, Any]:
        return who(principal)

    @app.get("/maybe")
    def maybe(principal: Annotated[Principal | None, Depends(optional_principal)]) -> dict[str, Any]:
        return who(principal)

    @app.get("/admin")
    def admin(principal: Annotated[Principal, Depends(require_admin)]) -> dict[str, Any]:
        return who(principal)

    return app


@pytest.fixture
def tokens_file(tmp_path: Path) -> Path:
    return tmp_path / "tokens.json"


@pytest.fixture
def app(tokens_file: Path) -> FastAPI:
    return make_app(tokens_file)


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


@pytest.fixture
def tokens(tokens_file: Path) -> TokenStore:
    """The CLI's view of the same file (a second handle, as `itsm-prm tokens` in another process)."""
    return TokenStore(tokens_file)


def bearer(text: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {text}"}


def assert_401(response: Any, message: str) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json() == {"error": message, "status": 401}


MISSING = "this operation needs a bearer token"
INVALID = "the bearer token is not valid (unknown or revoked)"


def test_organisation_token(client: TestClient, tokens: TokenStore) -> None:
    record, text = tokens.create("acme")
    expected = {"token_id": record.token_id, "organisation": "acme", "admin": False}
    assert client.get("/mine", headers=bearer(text)).json() == expected
    assert client.get("/maybe", headers=bearer(text)).json() == expected
    # the scheme is case-insensitive (RFC 9110)
    assert client.get("/mine", headers={"Authorization": f"bearer {text}"}).status_code == 200


def test_admin_token(client: TestClient, tokens: TokenStore) -> None:
    record, text = tokens.create(None, admin=True)
    expected = {"token_id": record.token_id, "organisation": None, "admin": True}
    assert client.get("/admin", headers=bearer(text)).json() == expected
    assert client.get("/mine", headers=bearer(text)).json() == expected


def test_missing_token(client: TestClient, tokens: TokenStore) -> None:
    tokens.create("acme")
    for route in ("/mine", "/admin"):
        response = client.get(route)
        assert_401(response, response.json()["error"])
        assert response.json()["error"].startswith(MISSING)
    assert client.get("/maybe").json() == {"anonymous": True}


@pytest.mark.parametrize(
    "header",
    ["Basic YWNtZTpzZWNyZXQ=", "Token itsm_0123456789ab_x", "itsm_0123456789ab_x", "Bearer", "Bearer   "],
)
def test_malformed_header(client: TestClient, header: str) -> None:
    for route in ("/mine", "/maybe", "/admin"):
        response = client.get(route, headers={"Authorization": header})
        assert response.status_code == 401, (route, header)
        assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("text", ["itsm_0123456789ab_nosuchsecret", "not-a-token", "itsm_"])
def test_unknown_token(client: TestClient, tokens: TokenStore, text: str) -> None:
    tokens.create("acme")
    for route in ("/mine", "/maybe", "/admin"):
        assert_401(client.get(route, headers=bearer(text)), INVALID)


def test_a_wrong_secret_for_a_real_id(client: TestClient, tokens: TokenStore) -> None:
    _, text = tokens.create("acme")
    assert_401(client.get("/mine", headers=bearer(text[:-2] + "xx")), INVALID)


def test_revoked_while_running(client: TestClient, tokens: TokenStore) -> None:
    record, text = tokens.create("acme")
    assert client.get("/mine", headers=bearer(text)).status_code == 200
    tokens.revoke(record.token_id)  # no restart
    for route in ("/mine", "/maybe", "/admin"):
        assert_401(client.get(route, headers=bearer(text)), INVALID)


def test_created_while_running(client: TestClient, tokens: TokenStore) -> None:
    assert client.get("/mine", headers=bearer("itsm_0123456789ab_x")).status_code == 401  # file absent
    _, text = tokens.create("beta")
    assert client.get("/mine", headers=bearer(text)).json()["organisation"] == "beta"


def test_organisation_token_on_an_admin_route(client: TestClient, tokens: TokenStore) -> None:
    _, text = tokens.create("acme")
    response = client.get("/admin", headers=bearer(text))
    assert response.status_code == 403
    assert "www-authenticate" not in response.headers
    assert "administrator token" in response.json()["error"]


def test_the_store_is_made_from_the_settings_once(app: FastAPI, client: TestClient, tokens_file: Path) -> None:
    assert getattr(app.state, "tokens", None) is None
    client.get("/mine", headers=bearer("itsm_0123456789ab_x"))
    store = app.state.tokens
    assert isinstance(store, TokenStore) and store.path == tokens_file
    client.get("/mine", headers=bearer("itsm_0123456789ab_x"))
    assert app.state.tokens is store


def test_a_corrupt_tokens_file_is_a_server_error_without_its_path(
    client: TestClient, tokens_file: Path, caplog: pytest.LogCaptureFixture
) -> None:
    tokens_file.write_text("{ half a file")
    with caplog.at_level(logging.ERROR, logger="itsm_prm.api.auth"):
        response = client.get("/mine", headers=bearer("itsm_0123456789ab_x"))
    assert response.status_code == 500
    assert str(tokens_file) not in response.text and "cannot check bearer tokens" in response.text
    assert str(tokens_file) in caplog.text  # the operator finds it in the log


def test_the_token_is_never_logged(
    client: TestClient, tokens: TokenStore, caplog: pytest.LogCaptureFixture
) -> None:
    _, good = tokens.create("acme")
    revoked_record, revoked = tokens.create("acme")
    tokens.revoke(revoked_record.token_id)
    with caplog.at_level(logging.DEBUG):
        for text in (good, revoked, "itsm_0123456789ab_guess"):
            for route in ("/mine", "/maybe", "/admin"):
                client.get(route, headers=bearer(text))
    secrets = [good.rsplit("_", 1)[-1], revoked.rsplit("_", 1)[-1], "guess"]
    for secret in secrets:
        assert secret not in caplog.text
