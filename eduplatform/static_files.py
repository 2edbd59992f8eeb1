"""Static files (CSS, JS, pictures) under fingerprinted names, so browsers keep them for a year.

At start-up :func:`init_static_files` hashes every file under ``static/`` once. From then on
``url_for('static', filename='css/site.css')`` gives ``/static/css/site.3f2a1b9c0d.css``: the name
carries the first ten hex digits of the SHA-256 of the file's bytes, so a changed file gets a new
name and a browser or proxy may keep each name for a year without asking again. The catalogue's
lesson pictures go through the same hook (``app.inject_url_defaults``) when they are rendered.

What ``/static/<name>`` answers:

- the current fingerprinted name: the file, ``Cache-Control: public, max-age=31536000, immutable``;
- a plain name (``css/site.css``: old bookmarks, a file added since start-up) or an out-of-date
  fingerprint (a page from before a deploy, or from another server mid-deploy): the current file,
  cached for five minutes only, so a wrong version is never kept for long and no page loses its
  styles;
- anything else, including names that would lead outside ``static/``: 404.

A year-long lifetime is promised only for the bytes that were hashed: a file edited in place
after start-up is served with the short lifetime until the site restarts. In development
(``EDUPLATFORM_ENV=development`` or Flask's debug mode) every file gets ``no-cache``, so an edited
stylesheet shows on the next reload.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, Response, abort, send_file
from werkzeug.security import safe_join

#: Cache lifetimes in seconds: fingerprinted names for a year, everything else for five minutes.
ONE_YEAR = 365 * 24 * 60 * 60
SHORT = 5 * 60

#: ``css/site.3f2a1b9c0d.css`` -> stem ``css/site``, suffix ``.css`` (the suffix may be absent).
_FINGERPRINTED = re.compile(r"(?P<stem>.+)\.[0-9a-f]{10}(?P<suffix>\.[^./]+)?")


@dataclass(frozen=True)
class Fingerprint:
    """A file's name with its content hash, and the size and time of the bytes that were hashed."""

    name: str
    size: int
    mtime_ns: int

    def still_matches(self, path: Path) -> bool:
        """True while the file on disk is the one that was hashed (not edited since start-up)."""
        stat = path.stat()
        return (stat.st_size, stat.st_mtime_ns) == (self.size, self.mtime_ns)


def fingerprint_folder(folder: Path) -> dict[str, Fingerprint]:
    """Every file under ``folder``, by its ``/``-separated name, with its fingerprinted name."""
    found: dict[str, Fingerprint] = {}
    for directory, _, files in os.walk(folder):
        for file_name in files:
            path = Path(directory, file_name)
            name = path.relative_to(folder).as_posix()
            stat = path.stat()
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
            stem, suffix = posixpath.splitext(name)
            found[name] = Fingerprint(f"{stem}.{digest}{suffix}", stat.st_size, stat.st_mtime_ns)
    return found


def plain_name(name: str) -> str:
    """``css/site.3f2a1b9c0d.css`` -> ``css/site.css``; a name without a fingerprint stays as it is."""
    match = _FINGERPRINTED.fullmatch(name)
    return match["stem"] + (match["suffix"] or "") if match else name


def find_file(folder: Path, name: str) -> Path | None:
    """The file under ``folder`` that ``name`` (plain, or with any fingerprint) stands for, or None.

    None too for names that would lead outside ``folder`` (``..``, absolute paths). The PDF
    renderer uses this to read pictures and stylesheets straight from disk.
    """
    for candidate in (name, plain_name(name)):
        path = safe_join(str(folder), candidate)
        if path is not None and os.path.isfile(path):
            return Path(path)
    return None


def init_static_files(app: Flask) -> None:
    """Fingerprint ``app.static_folder``; make ``url_for('static', ...)`` and ``/static/`` use the names."""
    folder = Path(app.static_folder or "")
    fingerprints = fingerprint_folder(folder)
    developing = app.debug or app.config.get("ENV") == "development"
    short = 0 if developing else SHORT
    app.extensions["eduplatform.static_files"] = fingerprints

    @app.url_defaults
    def use_fingerprinted_name(endpoint: str, values: dict[str, str]) -> None:
        if endpoint == "static" and (fingerprint := fingerprints.get(values.get("filename", ""))):
            values["filename"] = fingerprint.name

    def serve_static(filename: str) -> Response:
        path = find_file(folder, filename)
        if path is None:
            abort(404)
        fingerprint = fingerprints.get(path.relative_to(folder).as_posix())
        if (not developing and fingerprint is not None and fingerprint.name == filename
                and fingerprint.still_matches(path)):
            response = send_file(path, max_age=ONE_YEAR)
            response.cache_control.immutable = True
            return response
        return send_file(path, max_age=short)

    app.view_functions["static"] = serve_static  # replaces Flask's own view for /static/<path:filename>
