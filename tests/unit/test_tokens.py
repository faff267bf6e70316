"""``itsm_prm.tokens``: create, verify, revoke, list; the file holds hashes only; concurrent writers lose
nothing; a corrupt file is named; a second store on the same file (a running server) sees changes."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from itsm_prm.errors import ConfigError, NotFound, UserError
from itsm_prm.tokens import Principal, TokenError, TokenRecord, TokenStore, parse_token


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "itsm-prm" / "tokens.json"


@pytest.fixture
def store(path: Path) -> TokenStore:
    return TokenStore(path)


def test_create_and_verify_an_organisation_token(store: TokenStore) -> None:
    record, text = store.create("acme", label="CI upload")
    assert text.startswith(f"itsm_{record.token_id}_")
    assert record.organisation == "acme" and not record.admin and record.label == "CI upload"
    assert record.revoked_at is None and record.created.endswith("Z")
    assert store.verify(text) == Principal(record.token_id, "acme", False)


def test_admin_token_has_no_organisation(store: TokenStore) -> None:
    record, text = store.create(None, admin=True)
    assert record.admin and record.organisation is None
    assert store.verify(text) == Principal(record.token_id, None, True)


def test_tokens_are_distinct_and_only_their_own_text_verifies(store: TokenStore) -> None:
    (a, text_a), (b, text_b) = store.create("acme"), store.create("acme")
    assert a.token_id != b.token_id and text_a != text_b
    assert store.verify(text_a).token_id == a.token_id  # type: ignore[union-attr]
    # the id of one with the secret of the other
    _, secret_b = parse_token(text_b)  # type: ignore[misc]
    assert store.verify(f"itsm_{a.token_id}_{secret_b}") is None


@pytest.mark.parametrize(
    "text",
    ["", "itsm_", "itsm__", "Bearer", "acme", "itsm_0123456789ab", "itsm_0123456789ab_", "itsm_XYZ_secret"],
)
def test_malformed_texts_do_not_verify(store: TokenStore, text: str) -> None:
    store.create("acme")
    assert store.verify(text) is None


def test_a_changed_secret_does_not_verify(store: TokenStore) -> None:
    _, text = store.create("acme")
    assert store.verify(text + "x") is None
    assert store.verify(text[:-1]) is None
    assert store.verify(" " + text) is None


def test_revoke(store: TokenStore) -> None:
    record, text = store.create("acme")
    _, other = store.create("acme")
    revoked = store.revoke(record.token_id)
    assert revoked.revoked_at is not None and revoked.token_id == record.token_id
    assert store.verify(text) is None
    assert store.verify(other) is not None  # only that one
    assert store.revoke(record.token_id).revoked_at == revoked.revoked_at  # again: same date, no error


def test_revoke_an_unknown_id(store: TokenStore) -> None:
    store.create("acme")
    with pytest.raises(NotFound, match="no token with id 'feedfeedfeed'"):
        store.revoke("feedfeedfeed")


def test_list_in_creation_order_with_revoked_ones(store: TokenStore) -> None:
    assert store.list() == []
    a, _ = store.create("acme")
    b, _ = store.create(None, admin=True, label="ops")
    store.revoke(a.token_id)
    listed = store.list()
    assert [r.token_id for r in listed] == [a.token_id, b.token_id]
    assert listed[0].revoked and not listed[1].revoked
    assert all(isinstance(r, TokenRecord) for r in listed)
    assert set(listed[0].to_dict()) == {"token_id", "organisation", "admin", "label", "created", "revoked_at"}


@pytest.mark.parametrize("slug", ["", "-acme", "Acme", "acme_it", "acme it", "a" * 64, "ä", "acme\n"])
def test_bad_organisation_slugs(store: TokenStore, slug: str) -> None:
    with pytest.raises(TokenError, match="not a valid slug"):
        store.create(slug)
    assert not store.path.exists()  # nothing written


@pytest.mark.parametrize("slug", ["a", "acme", "acme-it", "0rg", "a" * 63])
def test_good_organisation_slugs(store: TokenStore, slug: str) -> None:
    record, _ = store.create(slug)
    assert record.organisation == slug


def test_admin_xor_organisation(store: TokenStore) -> None:
    with pytest.raises(TokenError, match="either one, not both"):
        store.create("acme", admin=True)
    with pytest.raises(TokenError, match="needs an organisation"):
        store.create(None)
    assert issubclass(TokenError, UserError)


def test_the_file_holds_hashes_never_secrets(store: TokenStore, path: Path) -> None:
    record, text = store.create("acme", label="CI")
    _, secret = parse_token(text)  # type: ignore[misc]
    raw = path.read_text("utf-8")
    assert secret not in raw and text not in raw
    data = json.loads(raw)
    assert data["version"] == 1
    [entry] = data["tokens"]
    assert entry["id"] == record.token_id
    assert entry["sha256"] == hashlib.sha256(secret.encode()).hexdigest()
    # nor does anything the store hands out
    assert secret not in repr(store.list()) and entry["sha256"] not in repr(store.list())


def test_file_and_folder_are_private(store: TokenStore, path: Path) -> None:
    store.create("acme")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    store.create("acme")  # a rewrite keeps the mode
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    leftovers = [p.name for p in path.parent.iterdir() if p.name not in {"tokens.json", "tokens.json.lock"}]
    assert leftovers == []  # no temporary files left behind


def test_missing_file_means_no_tokens(store: TokenStore, path: Path) -> None:
    assert store.list() == []
    assert store.verify("itsm_0123456789ab_whatever") is None
    assert not path.exists()  # reading creates nothing


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (b"{not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"[]", '"version": 1'),
        (b'{"version": 2, "tokens": []}', '"version": 1'),
        (b'{"version": 1}', '"tokens" must be a list'),
        (b'{"version": 1, "tokens": [{"id": "x"}]}', "token #1 is malformed"),
        (
            b'{"version": 1, "tokens": [{"id": "0123456789ab", "sha256": "' + b"0" * 64 + b'", '
            b'"organisation": "acme", "admin": true, "label": null, "created": "2026", "revoked_at": null}]}',
            "token #1 is malformed",  # an admin token with an organisation
        ),
    ],
)
def test_corrupt_file_is_named(store: TokenStore, path: Path, content: bytes, why: str) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    for action in (store.list, lambda: store.verify("itsm_0123456789ab_x"), lambda: store.create("acme")):
        with pytest.raises(ConfigError) as caught:
            action()
        assert str(path) in str(caught.value) and why in str(caught.value)
    assert path.read_bytes() == content  # a failed create leaves the file as it was


def test_duplicate_ids_are_corrupt(store: TokenStore, path: Path) -> None:
    store.create("acme")
    data = json.loads(path.read_text())
    data["tokens"].append(data["tokens"][0])
    path.write_text(json.dumps(data))
    with pytest.raises(ConfigError, match="appears twice"):
        TokenStore(path).list()


def test_a_running_reader_sees_new_and_revoked_tokens(path: Path) -> None:
    server, cli = TokenStore(path), TokenStore(path)  # two handles on one file, like serve and the CLI
    assert server.list() == []
    record, text = cli.create("acme")
    assert server.verify(text) == Principal(record.token_id, "acme", False)
    cli.revoke(record.token_id)
    assert server.verify(text) is None
    second, text2 = cli.create("beta")
    assert server.verify(text2) == Principal(second.token_id, "beta", False)
    path.unlink()  # the file removed: no tokens any more
    assert server.verify(text2) is None


def test_reader_does_not_reparse_an_unchanged_file(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = TokenStore(path)
    _, text = store.create("acme")
    assert store.verify(text) is not None
    reads: list[Path] = []
    original = Path.read_bytes

    def counting(self: Path) -> bytes:
        reads.append(self)
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", counting)
    for _ in range(5):
        assert store.verify(text) is not None
    assert reads == []  # a stat per check, no read
    TokenStore(path).create("beta")  # another process writes (and reads under its lock)
    reads.clear()
    assert store.verify(text) is not None
    assert store.verify(text) is not None
    assert reads == [path]  # read once after the change


WRITER = """
import sys, time
from pathlib import Path
from itsm_prm.tokens import TokenStore
path, go, org, n = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], int(sys.argv[4])
store = TokenStore(path)
while not go.exists():  # start together, so the writes overlap
    time.sleep(0.001)
for i in range(n):
    _, text = store.create(org, label=f"{org} {i}")
    print(text, flush=True)
"""


def test_concurrent_processes_lose_no_token(path: Path, tmp_path: Path) -> None:
    go = tmp_path / "go"
    orgs, per_process = ["org-a", "org-b", "org-c", "org-d"], 25
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path), str(go), org, str(per_process)],
            stdout=subprocess.PIPE,
            text=True,
            env=env,
        )
        for org in orgs
    ]
    go.touch()
    texts: list[str] = []
    for proc in procs:
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0
        texts += out.split()
    assert len(texts) == len(orgs) * per_process
    store = TokenStore(path)
    listed = store.list()
    assert len(listed) == len(orgs) * per_process
    assert {r.organisation for r in listed} == set(orgs)
    for text in texts:
        assert store.verify(text) is not None
