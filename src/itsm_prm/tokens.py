"""Bearer tokens of the assessment repository: create, list, revoke, verify.

A token belongs to one organisation (it reads and writes that organisation's assessments only) or is an
administrator token (no organisation; cross-organisation aggregates). Its text is
``itsm_<token_id>_<secret>``: the id says which record to check, the secret is 256 random bits.

The file (``Settings.tokens_file``) holds JSON ``{"version": 1, "tokens": [...]}`` with the SHA-256 of
each secret, never the secret itself — the secret is shown once, when the token is created. A secret of
256 random bits cannot be guessed from its hash, so a slow password hash would add nothing.

Writes take an exclusive ``flock`` on a sibling ``.lock`` file, re-read the file, and replace it
atomically (temporary file in the same folder + ``os.replace``), so two ``itsm-prm tokens`` processes
cannot lose each other's tokens and a reader never sees half a file. A running server re-reads the file
when it changes (one ``stat`` per check), so new and revoked tokens count without a restart.

Example::

    >>> import tempfile, pathlib
    >>> folder = tempfile.TemporaryDirectory()
    >>> store = TokenStore(pathlib.Path(folder.name) / "tokens.json")
    >>> record, text = store.create("acme", label="CI")
    >>> store.verify(text).organisation
    'acme'
    >>> store.revoke(record.token_id).revoked_at is not None
    True
    >>> store.verify(text) is None
    True
    >>> folder.cleanup()
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from itsm_prm.errors import ConfigError, NotFound, UserError

FORMAT_VERSION = 1
PREFIX = "itsm_"
#: an organisation slug: lower-case letters, digits and hyphens, 1–63 characters, no leading hyphen
ORGANISATION_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
#: token ids are 12 hex digits (never an underscore, so the text splits unambiguously)
TOKEN_ID_PATTERN = re.compile(r"[0-9a-f]{12}")
_SECRET_BYTES = 32  # 256 bits
# compared against when a token id is unknown, so a miss costs the same work as a wrong secret
_DUMMY_HASH = hashlib.sha256(b"itsm-prm: no such token").hexdigest()


class TokenError(UserError):
    """A token cannot be created as asked (bad organisation slug, admin with an organisation…)."""


@dataclass(frozen=True)
class Principal:
    """Who a valid bearer token speaks for: one organisation, or an administrator (organisation None)."""

    token_id: str
    organisation: str | None
    admin: bool


@dataclass(frozen=True)
class TokenRecord:
    """What is known about a token apart from its secret (``list`` and ``create`` return these)."""

    token_id: str
    organisation: str | None
    admin: bool
    label: str | None
    created: str  # ISO 8601, UTC
    revoked_at: str | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def validate_organisation(slug: str) -> str:
    """``slug`` if it is a valid organisation slug, else :class:`TokenError` naming it."""
    if not isinstance(slug, str) or not ORGANISATION_PATTERN.fullmatch(slug):
        raise TokenError(
            f"organisation {slug!r} is not a valid slug: 1-63 lower-case letters, digits or hyphens, "
            "not starting with a hyphen (e.g. 'acme' or 'acme-it')"
        )
    return slug


def parse_token(text: str) -> tuple[str, str] | None:
    """``(token_id, secret)`` of a token text ``itsm_<id>_<secret>``, or None if it has another shape."""
    if not text.startswith(PREFIX):
        return None
    token_id, sep, secret = text[len(PREFIX) :].partition("_")
    if not sep or not secret or not TOKEN_ID_PATTERN.fullmatch(token_id):
        return None
    return token_id, secret


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class _Entry:
    record: TokenRecord
    digest: str  # SHA-256 of the secret, hex

    def to_json(self) -> dict[str, Any]:
        r = self.record
        return {
            "id": r.token_id,
            "sha256": self.digest,
            "organisation": r.organisation,
            "admin": r.admin,
            "label": r.label,
            "created": r.created,
            "revoked_at": r.revoked_at,
        }


class TokenStore:
    """The tokens in one JSON file (see the module docstring). Safe to share between threads."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock_path = self.path.with_name(self.path.name + ".lock")
        self._guard = threading.Lock()
        self._seen: tuple[int, int, int, int] | None = None  # what the cached entries were read from
        self._entries: dict[str, _Entry] = {}

    # -- reading

    def list(self) -> list[TokenRecord]:
        """Every token, revoked ones included, in the order they were created. No secrets, no hashes."""
        return [entry.record for entry in self._current().values()]

    def get(self, token_id: str) -> TokenRecord:
        entry = self._current().get(token_id)
        if entry is None:
            raise NotFound(f"no token with id {token_id!r} in {self.path} (see `itsm-prm tokens list`)")
        return entry.record

    def verify(self, text: str) -> Principal | None:
        """The principal of a token text, or None if it is malformed, unknown or revoked.

        The secret's hash is compared in constant time, and an unknown id costs the same work as a
        wrong secret, so timing tells an attacker nothing about either.
        """
        parsed = parse_token(text) if isinstance(text, str) else None
        token_id, secret = parsed if parsed else ("", text if isinstance(text, str) else "")
        entry = self._current().get(token_id) if parsed else None
        expected = entry.digest if entry is not None else _DUMMY_HASH
        matches = hmac.compare_digest(_hash(secret).encode("ascii"), expected.encode("ascii"))
        if entry is None or not matches or entry.record.revoked:
            return None
        record = entry.record
        return Principal(record.token_id, record.organisation, record.admin)

    def _current(self) -> dict[str, _Entry]:
        """The entries, re-read only when the file changed since the last read (one ``stat``)."""
        with self._guard:
            try:
                st = self.path.stat()
            except FileNotFoundError:
                self._seen, self._entries = None, {}
                return self._entries
            except OSError as exc:
                raise ConfigError(f"{self.path}: cannot read the tokens file ({exc.strerror})") from exc
            # os.replace gives every write a new inode; size and mtime catch edits in place
            seen = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
            if seen != self._seen:
                self._entries = self._read()
                self._seen = seen
            return self._entries

    def _read(self) -> dict[str, _Entry]:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise ConfigError(f"{self.path}: cannot read the tokens file ({exc.strerror})") from exc
        return _parse(raw, self.path)

    # -- writing

    def create(
        self, organisation: str | None, admin: bool = False, label: str | None = None
    ) -> tuple[TokenRecord, str]:
        """A new token: its record and its full text. The text is not stored anywhere — show it once."""
        if admin and organisation is not None:
            raise TokenError("an administrator token belongs to no organisation: give either one, not both")
        if not admin:
            if organisation is None:
                raise TokenError("a token needs an organisation (or must be an administrator token)")
            validate_organisation(organisation)
        if label is not None:
            label = " ".join(label.split()) or None  # one line in listings
        secret = secrets.token_urlsafe(_SECRET_BYTES)
        with self._locked() as entries:
            token_id = secrets.token_hex(6)
            while token_id in entries:  # 48 random bits: a clash is unlikely, but would be fatal
                token_id = secrets.token_hex(6)
            record = TokenRecord(token_id, None if admin else organisation, admin, label, _now())
            entries[token_id] = _Entry(record, _hash(secret))
        return record, f"{PREFIX}{token_id}_{secret}"

    def revoke(self, token_id: str) -> TokenRecord:
        """Revoke a token (from now on it verifies as None). Revoking it again keeps the first date."""
        with self._locked() as entries:
            entry = entries.get(token_id)
            if entry is None:
                raise NotFound(f"no token with id {token_id!r} in {self.path} (see `itsm-prm tokens list`)")
            if not entry.record.revoked:
                revoked = TokenRecord(**{**entry.record.to_dict(), "revoked_at": _now()})
                entries[token_id] = entry = _Entry(revoked, entry.digest)
        return entry.record

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict[str, _Entry]]:
        """The entries as on disk now, under an exclusive lock; written back if the block succeeds."""
        folder = self.path.parent
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            lock_fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise ConfigError(f"{self.path}: cannot write the tokens file ({exc.strerror})") from exc
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX)
            entries = dict(self._read())  # fresh, not the cache: another process may have written
            before = dict(entries)
            yield entries
            if entries != before:
                self._write(entries)
        finally:
            os.close(lock_fd)  # releases the lock

    def _write(self, entries: dict[str, _Entry]) -> None:
        data = {"version": FORMAT_VERSION, "tokens": [entry.to_json() for entry in entries.values()]}
        payload = (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
        # mkstemp creates the file with mode 0600, and os.replace keeps that mode
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        with contextlib.suppress(OSError):  # make the rename durable; not every filesystem allows it
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)


def _parse(raw: bytes, path: Path) -> dict[str, _Entry]:
    """The entries of a tokens file; :class:`ConfigError` naming the file when it is not one."""

    def bad(why: str) -> ConfigError:
        return ConfigError(f"{path}: not a valid tokens file ({why}); fix or remove it")

    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise bad(f"not JSON: {exc}") from None
    if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
        raise bad(f'expected an object with "version": {FORMAT_VERSION}')
    tokens = data.get("tokens")
    if not isinstance(tokens, list):
        raise bad('"tokens" must be a list')
    entries: dict[str, _Entry] = {}
    for n, item in enumerate(tokens, start=1):
        entry = _entry(item)
        if entry is None:
            raise bad(f"token #{n} is malformed")
        if entry.record.token_id in entries:
            raise bad(f"token id {entry.record.token_id} appears twice")
        entries[entry.record.token_id] = entry
    return entries


def _entry(item: Any) -> _Entry | None:
    if not isinstance(item, dict):
        return None
    token_id, digest = item.get("id"), item.get("sha256")
    organisation, admin = item.get("organisation"), item.get("admin")
    label, created, revoked_at = item.get("label"), item.get("created"), item.get("revoked_at")
    valid = (
        isinstance(token_id, str)
        and TOKEN_ID_PATTERN.fullmatch(token_id)
        and isinstance(digest, str)
        and re.fullmatch(r"[0-9a-f]{64}", digest)
        and isinstance(admin, bool)
        and (
            organisation is None
            if admin
            else isinstance(organisation, str) and ORGANISATION_PATTERN.fullmatch(organisation)
        )
        and (label is None or isinstance(label, str))
        and isinstance(created, str)
        and (revoked_at is None or isinstance(revoked_at, str))
    )
    if not valid:
        return None
    return _Entry(TokenRecord(token_id, organisation, admin, label, created, revoked_at), digest)
