"""Keeping an uploaded roster file between the preview and the confirm step.

The file is written to ``<instance>/roster-uploads/<token>.csv`` with a ``<token>.json`` beside it
naming the school and the person who uploaded it; only that person, still in that school, may read
it back (:func:`eduplatform.access.own_upload_or_404`; anyone else gets "not found"). Files are
owner-only, deleted once imported or cancelled, and any left behind are removed after :data:`MAX_AGE`.
The token is 32 random bytes, so it cannot be guessed, and it is checked against a strict pattern
before it touches a path.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

FOLDER = "roster-uploads"
MAX_AGE_SECONDS = 12 * 60 * 60
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{43}$")


@dataclass(frozen=True)
class StoredUpload:
    token: str
    school_id: int
    user_id: int
    filename: str
    data: bytes
    #: The import mode chosen with the file: ``add`` or ``sync``.
    mode: str = "add"


def _folder() -> Path:
    folder = Path(current_app.instance_path) / FOLDER
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _write(path: Path, content: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)


def sweep_abandoned_uploads() -> int:
    """Remove uploads nobody confirmed or cancelled within :data:`MAX_AGE_SECONDS`; how many files went.

    Runs on every upload, preview and confirm, and from ``flask --app app tidy`` (daily, from cron),
    so a file left behind never waits for the next upload.
    """
    return _sweep(_folder())


def _sweep(folder: Path) -> int:
    """Remove uploads nobody confirmed or cancelled."""
    removed = 0
    limit = time.time() - MAX_AGE_SECONDS
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            pass  # removed by another request meanwhile
    return removed


def save(data: bytes, *, school_id: int, user_id: int, filename: str, mode: str = "add") -> str:
    """Store an uploaded file for its uploader; returns the token that names it."""
    folder = _folder()
    _sweep(folder)
    token = secrets.token_urlsafe(32)
    meta = {"school_id": school_id, "user_id": user_id, "filename": filename, "mode": mode}
    _write(folder / f"{token}.json", json.dumps(meta).encode())
    _write(folder / f"{token}.csv", data)
    return token


def load(token: str) -> StoredUpload | None:
    """The upload named ``token`` with its owner, or None when there is none or it has expired.

    Who may read it back is decided by :func:`eduplatform.access.own_upload_or_404`.
    """
    if not _TOKEN.match(token):
        return None
    folder = _folder()
    _sweep(folder)
    meta_path, data_path = folder / f"{token}.json", folder / f"{token}.csv"
    try:
        if meta_path.stat().st_mtime < time.time() - MAX_AGE_SECONDS:
            return None
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        data = data_path.read_bytes()
    except (FileNotFoundError, ValueError):
        return None
    return StoredUpload(token=token, school_id=int(meta.get("school_id", 0)), user_id=int(meta.get("user_id", 0)),
                        filename=str(meta.get("filename", "")), data=data,
                        mode="sync" if meta.get("mode") == "sync" else "add")


def discard(token: str) -> None:
    """Delete an upload (after it was imported or cancelled)."""
    if not _TOKEN.match(token):
        return
    folder = _folder()
    for suffix in (".csv", ".json"):
        (folder / f"{token}{suffix}").unlink(missing_ok=True)
