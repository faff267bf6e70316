"""``itsm-prm tokens``: create (the token alone on stdout), list (table, json), revoke; exit code 2 with one
line for a bad slug, an unknown id or a corrupt file; ``--tokens-file`` and ITSM_PRM_TOKENS_FILE."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from itsm_prm.cli import cli
from itsm_prm.tokens import TokenStore, parse_token


@pytest.fixture
def tokens_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "tokens.json"
    monkeypatch.setenv("ITSM_PRM_TOKENS_FILE", str(path))
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("itsm-prm: error: ")
    return lines[0]


def test_create_prints_the_token_alone(tokens_file: Path) -> None:
    result = run("tokens", "create", "--org", "acme", "--label", "CI upload")
    assert result.exit_code == 0, result.stderr
    text = result.stdout.strip()
    assert result.stdout == text + "\n"  # `TOKEN=$(itsm-prm tokens create …)` gets exactly the token
    parsed = parse_token(text)
    assert parsed is not None
    token_id, secret = parsed
    assert "shown only this once" in result.stderr and token_id in result.stderr
    assert secret not in result.stderr
    principal = TokenStore(tokens_file).verify(text)
    assert principal is not None and principal.organisation == "acme" and not principal.admin
    assert secret not in tokens_file.read_text()


def test_create_admin(tokens_file: Path) -> None:
    result = run("tokens", "create", "--admin")
    assert result.exit_code == 0, result.stderr
    principal = TokenStore(tokens_file).verify(result.stdout.strip())
    assert principal is not None and principal.admin and principal.organisation is None
    assert "an administrator" in result.stderr


@pytest.mark.parametrize("args", [[], ["--org", "acme", "--admin"]])
def test_create_needs_org_or_admin(tokens_file: Path, args: list[str]) -> None:
    line = one_line_error(run("tokens", "create", *args))
    assert "give either --org SLUG or --admin" in line
    assert not tokens_file.exists()


@pytest.mark.parametrize("slug", ["Acme", "-acme", "acme_it", "a" * 64])
def test_create_refuses_a_bad_slug(tokens_file: Path, slug: str) -> None:
    line = one_line_error(run("tokens", "create", "--org", slug))
    assert f"organisation '{slug}' is not a valid slug" in line
    assert not tokens_file.exists()


def test_list_table_and_json(tokens_file: Path) -> None:
    assert run("tokens", "list").stdout == "(no tokens)\n"
    assert json.loads(run("tokens", "list", "--format", "json").stdout) == []
    acme = run("tokens", "create", "--org", "acme", "--label", "CI upload").stdout.strip()
    admin = run("tokens", "create", "--admin").stdout.strip()
    acme_id, admin_id = parse_token(acme)[0], parse_token(admin)[0]  # type: ignore[index]
    assert run("tokens", "revoke", acme_id).exit_code == 0

    table = run("tokens", "list")
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["id", "organisation", "label", "created", "revoked"]
    assert lines[2].startswith(acme_id) and "acme" in lines[2] and "CI upload" in lines[2]
    assert lines[3].startswith(admin_id) and "(admin)" in lines[3]
    assert len(lines[2].split()) == 6 and len(lines[3].split()) == 3  # revoked date only on the first

    listed = json.loads(run("tokens", "list", "--format", "json").stdout)
    assert [item["token_id"] for item in listed] == [acme_id, admin_id]
    assert listed[0]["organisation"] == "acme" and listed[0]["revoked_at"]
    assert listed[1]["admin"] is True and listed[1]["revoked_at"] is None
    # never the secret or its hash
    everything = table.stdout + json.dumps(listed)
    for text in (acme, admin):
        assert parse_token(text)[1] not in everything  # type: ignore[index]
    assert "sha256" not in everything


def test_revoke(tokens_file: Path) -> None:
    text = run("tokens", "create", "--org", "acme").stdout.strip()
    token_id = parse_token(text)[0]  # type: ignore[index]
    result = run("tokens", "revoke", token_id)
    assert result.exit_code == 0 and result.stdout == ""
    assert f"token {token_id} revoked" in result.stderr
    assert TokenStore(tokens_file).verify(text) is None
    again = run("tokens", "revoke", token_id)
    assert again.exit_code == 0 and "was already revoked" in again.stderr


def test_revoke_an_unknown_id(tokens_file: Path) -> None:
    run("tokens", "create", "--org", "acme")
    line = one_line_error(run("tokens", "revoke", "feedfeedfeed"))
    assert "no token with id 'feedfeedfeed'" in line and "itsm-prm tokens list" in line


def test_tokens_file_option_wins_over_the_environment(tokens_file: Path, tmp_path: Path) -> None:
    other = tmp_path / "deep" / "folder" / "other.json"
    result = run("tokens", "create", "--org", "acme", "--tokens-file", str(other))
    assert result.exit_code == 0, result.stderr
    assert other.is_file() and not tokens_file.exists()
    assert str(other) in result.stderr
    listed = run("tokens", "list", "--format", "json", "--tokens-file", str(other)).stdout
    assert [item["organisation"] for item in json.loads(listed)] == ["acme"]
    assert run("tokens", "list").stdout == "(no tokens)\n"


def test_a_corrupt_file_is_one_line(tokens_file: Path) -> None:
    tokens_file.write_text("{ half a file")
    for args in (["list"], ["create", "--org", "acme"], ["revoke", "feedfeedfeed"]):
        line = one_line_error(run("tokens", *args))
        assert str(tokens_file) in line and "not a valid tokens file" in line


def test_help_shows_examples() -> None:
    result = run("tokens", "--help")
    assert result.exit_code == 0
    assert "TOKEN=$(itsm-prm tokens create --org acme" in result.stdout
    assert "ITSM_PRM_TOKENS_FILE" in run("tokens", "create", "--help").stdout
