"""``itsm-prm tokens``: bearer tokens of the assessment repository — create, list, revoke.

A thin shell over :class:`itsm_prm.tokens.TokenStore`. ``create`` writes the token alone on stdout, so
``TOKEN=$(itsm-prm tokens create --org acme)`` captures it; it is shown this once and stored only as a
hash. Exit code 2 with one line for unusable input (a bad organisation slug, an unknown token id, a
corrupt tokens file).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from itsm_prm.tokens import TokenRecord, TokenStore

_TOKENS_FILE = click.Path(path_type=Path, dir_okay=False)


def _tokens_file_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--tokens-file",
        type=_TOKENS_FILE,
        help="The tokens file. Env: ITSM_PRM_TOKENS_FILE; default: $XDG_STATE_HOME/itsm-prm/tokens.json.",
    )(command)


def _store(obj: Any, tokens_file: Path | None) -> TokenStore:
    return TokenStore(tokens_file if tokens_file is not None else obj.settings.tokens_file)


@click.group(name="tokens")
def tokens() -> None:
    """Bearer tokens for the assessment repository of `itsm-prm serve`.

    \b
    An organisation's token reads and writes that organisation's assessments only; an administrator
    token (--admin) sees the anonymised aggregates across organisations. Tokens are stored hashed:
    the token itself is shown once, when it is created.
    \b
      TOKEN=$(itsm-prm tokens create --org acme --label "CI upload")
      itsm-prm tokens create --admin
      itsm-prm tokens list
      itsm-prm tokens revoke 3f2a9c0b1d4e
    \b
    A running server sees new and revoked tokens at once (no restart).
    """


@tokens.command()
@click.option("--org", "organisation", metavar="SLUG", help="The organisation, e.g. acme (a-z, 0-9, -).")
@click.option("--admin", is_flag=True, help="An administrator token (no organisation).")
@click.option("--label", help="A note for `tokens list`, e.g. who or what uses the token.")
@_tokens_file_option
@click.pass_obj
def create(
    obj: Any, organisation: str | None, admin: bool, label: str | None, tokens_file: Path | None
) -> None:
    """Create a token for an organisation (--org SLUG) or an administrator (--admin).

    The token is printed alone on stdout; it is not stored and cannot be shown again.
    """
    if admin == (organisation is not None):
        raise click.UsageError("give either --org SLUG or --admin")
    store = _store(obj, tokens_file)
    record, text = store.create(organisation, admin=admin, label=label)
    click.echo(text)
    whom = "an administrator" if record.admin else f"organisation {record.organisation}"
    click.echo(
        f"itsm-prm: token {record.token_id} for {whom} created in {store.path}; it is shown only this "
        "once, store it now (revoke with `itsm-prm tokens revoke " + record.token_id + "`)",
        err=True,
    )


@tokens.command(name="list")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table: one line per token; json: a list of objects (no secrets, no hashes).",
)
@_tokens_file_option
@click.pass_obj
def list_command(obj: Any, fmt: str, tokens_file: Path | None) -> None:
    """The tokens, revoked ones included: id, organisation, label, created, revoked."""
    records = _store(obj, tokens_file).list()
    if fmt == "json":
        click.echo(json.dumps([record.to_dict() for record in records], indent=2, ensure_ascii=False))
    else:
        click.echo(_table(records), nl=False)


@tokens.command()
@click.argument("token_id", metavar="ID")
@_tokens_file_option
@click.pass_obj
def revoke(obj: Any, token_id: str, tokens_file: Path | None) -> None:
    """Revoke the token ID (see `tokens list`): from now on it is refused with 401."""
    store = _store(obj, tokens_file)
    before = store.get(token_id)
    record = store.revoke(token_id)
    state = "was already revoked" if before.revoked else "revoked"
    click.echo(f"itsm-prm: token {record.token_id} {state} ({record.revoked_at})", err=True)


COLUMNS = ("id", "organisation", "label", "created", "revoked")


def _table(records: list[TokenRecord]) -> str:
    if not records:
        return "(no tokens)\n"
    rows = [
        [
            r.token_id,
            "(admin)" if r.admin else r.organisation or "",
            r.label or "",
            r.created,
            r.revoked_at or "",
        ]
        for r in records
    ]
    header = list(COLUMNS)
    widths = [max(len(line[i]) for line in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in [header, ["-" * w for w in widths], *rows]
    ]
    return "\n".join(lines) + "\n"
