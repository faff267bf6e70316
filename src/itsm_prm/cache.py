"""Content-addressed cache of compiled datasets: ``<cache_dir>/<key>/``.

The key is a SHA-256 over the package version and every input file (name and content), so
any change to a source, a shape or ``sources.toml`` gives a new key. A directory appears
complete or not at all: it is written under a temporary name and renamed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from itsm_prm.errors import InputError

MANIFEST = "manifest.json"


def content_key(root: Path, files: Iterable[str], version: str) -> str:
    """SHA-256 over ``version`` and each file's relative name and content (sorted by name)."""
    digest = hashlib.sha256(f"itsm-prm {version}\n".encode())
    for name in sorted(set(files)):
        path = root / name
        if not path.is_file():
            raise InputError(f"{name}: no such file (listed in data/sources.toml)")
        digest.update(name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def entry_dir(cache_dir: Path, key: str) -> Path:
    return cache_dir / key


def read_manifest(cache_dir: Path, key: str) -> dict[str, object] | None:
    """The manifest of a complete cache entry, or ``None`` (absent or unreadable: rebuild)."""
    try:
        data = json.loads((entry_dir(cache_dir, key) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("key") == key else None


def write_entry(cache_dir: Path, key: str, fill: Callable[[Path], None]) -> Path:
    """Create ``<cache_dir>/<key>`` atomically: ``fill`` writes into a temporary folder that is
    then renamed. A concurrent writer that finished first wins; ours is discarded."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    final = entry_dir(cache_dir, key)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key[:16]}-", dir=cache_dir))
    try:
        fill(tmp)
        if final.exists():  # stale or concurrent entry (e.g. --force): replace it
            trash = Path(tempfile.mkdtemp(prefix=".old-", dir=cache_dir))
            os.replace(final, trash / key)
            shutil.rmtree(trash, ignore_errors=True)
        try:
            os.replace(tmp, final)
        except OSError:
            if read_manifest(cache_dir, key) is None:  # not a concurrent, complete entry
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final
