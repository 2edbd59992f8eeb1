"""Every setting of the platform, its default, and the environment variable that sets it.

Settings are read in this order, later ones winning:

1. ``DEFAULTS`` below;
2. the environment (``EDUPLATFORM_<NAME>``, and ``DATABASE_URL`` / ``SECRET_KEY`` as-is);
3. the ``test_config`` mapping given to :func:`eduplatform.create_app`.

:func:`validate` refuses unsafe production settings at start-up.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

#: The repository root: ``curriculum/``, ``content/``, ``static/`` and ``translations/`` live here.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    #: Where the SQLite database and the generated secret key live.
    "INSTANCE_PATH": str(PROJECT_ROOT / "instance"),
    #: SQLAlchemy URL. Empty means SQLite at ``<INSTANCE_PATH>/eduplatform.sqlite3``.
    "DATABASE_URL": "",
    #: Signs session cookies and CSRF tokens. Empty means: read or generate
    #: ``<INSTANCE_PATH>/secret_key`` (never a known fallback).
    "SECRET_KEY": "",
    #: Language-neutral programme structure (YAML).
    "CURRICULUM_PATH": str(PROJECT_ROOT / "curriculum"),
    #: Per-locale learner content (Markdown and YAML): ``<CONTENT_PATH>/<locale>/``.
    "CONTENT_PATH": str(PROJECT_ROOT / "content"),
    #: Interface catalogues (gettext ``.po``/``.mo``).
    "TRANSLATIONS_PATH": str(PROJECT_ROOT / "translations"),
    #: Locales the interface offers; the first is the fallback for content too.
    "LOCALES": ("en",),
    #: The default locale when neither the user, the session nor the browser chooses one.
    "DEFAULT_LOCALE": "en",
    #: Set when the site is served over HTTPS: cookies get the Secure flag.
    "HTTPS": False,
    #: How long a signed-in session lasts without activity, in minutes.
    "SESSION_MINUTES": 8 * 60,
    #: "production" refuses unsafe settings; "development" and "testing" are relaxed.
    "ENV": "production",
    #: Werkzeug password hashing method; empty means Werkzeug's default (scrypt).
    #: Only the test suite sets a cheaper one.
    "PASSWORD_HASH_METHOD": "",
    #: Failed sign-ins in a row before an account waits ``SIGN_IN_BLOCK_MINUTES``.
    "MAX_FAILED_SIGN_INS": 10,
    "SIGN_IN_BLOCK_MINUTES": 15,
    #: SQLite busy timeout, in seconds: how long a writer waits for the lock.
    "SQLITE_BUSY_TIMEOUT": 15,
    #: Single sign-on (OpenID Connect). A provider is offered once its client id is set and a school
    #: turns it on for its email domain. Register the site with the provider with the redirect URI
    #: ``https://<your site>/login/sso/<google|microsoft>/callback``.
    "SSO_GOOGLE_CLIENT_ID": "",
    "SSO_GOOGLE_CLIENT_SECRET": "",
    "SSO_GOOGLE_METADATA_URL": "https://accounts.google.com/.well-known/openid-configuration",
    "SSO_MICROSOFT_CLIENT_ID": "",
    "SSO_MICROSOFT_CLIENT_SECRET": "",
    #: The multi-tenant endpoint: each school names its own directory (tenant), checked on every token.
    "SSO_MICROSOFT_METADATA_URL": "https://login.microsoftonline.com/organizations/v2.0/.well-known/openid-configuration",
}

_ENV_PREFIX = "EDUPLATFORM_"
_BOOLEAN_SETTINGS = {"HTTPS"}
_INTEGER_SETTINGS = {"SESSION_MINUTES", "SQLITE_BUSY_TIMEOUT", "MAX_FAILED_SIGN_INS", "SIGN_IN_BLOCK_MINUTES"}
_TUPLE_SETTINGS = {"LOCALES"}


class ConfigError(RuntimeError):
    """A setting is missing, malformed or unsafe; the message says which and why."""


def _coerce(name: str, raw: str) -> Any:
    if name in _BOOLEAN_SETTINGS:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    if name in _INTEGER_SETTINGS:
        try:
            return int(raw)
        except ValueError as exc:
            raise ConfigError(f"{_ENV_PREFIX}{name} must be a whole number, not {raw!r}") from exc
    if name in _TUPLE_SETTINGS:
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw


def from_environment(environ: os._Environ[str] | dict[str, str] = os.environ) -> dict[str, Any]:
    """Return the settings that the environment overrides."""
    found: dict[str, Any] = {}
    for name in DEFAULTS:
        raw = environ.get(_ENV_PREFIX + name)
        if raw is None and name in {"DATABASE_URL", "SECRET_KEY"}:
            raw = environ.get(name)
        if raw is not None and raw != "":
            found[name] = _coerce(name, raw)
    return found


def load_or_create_secret_key(instance_path: Path) -> str:
    """Read the site's secret key from the instance folder, generating it on first run."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        key = key_file.read_text(encoding="utf-8").strip()
        if len(key) >= 32:
            return key
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Written with owner-only permissions: the key signs every session.
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


def normalise_database_url(url: str, instance_path: Path) -> str:
    """Turn the configured URL into one SQLAlchemy accepts, defaulting to SQLite in the instance folder."""
    if not url:
        instance_path.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{instance_path / 'eduplatform.sqlite3'}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def validate(settings: dict[str, Any]) -> None:
    """Refuse settings that would be unsafe or cannot work."""
    if settings["DEFAULT_LOCALE"] not in settings["LOCALES"]:
        raise ConfigError("DEFAULT_LOCALE must be one of LOCALES")
    if len(str(settings["SECRET_KEY"])) < 32:
        raise ConfigError("SECRET_KEY must be at least 32 characters long")
    if settings["SESSION_MINUTES"] < 5:
        raise ConfigError("SESSION_MINUTES must be at least 5")
    if settings["ENV"] == "production" and settings["PASSWORD_HASH_METHOD"]:
        raise ConfigError("PASSWORD_HASH_METHOD is for the test suite only: leave it empty in production")
    for provider in ("GOOGLE", "MICROSOFT"):
        if settings[f"SSO_{provider}_CLIENT_ID"] and not settings[f"SSO_{provider}_CLIENT_SECRET"]:
            raise ConfigError(f"SSO_{provider}_CLIENT_SECRET must be set with SSO_{provider}_CLIENT_ID")
    url = settings["DATABASE_URL"]
    if not (url.startswith("sqlite:") or url.startswith("postgresql")):
        raise ConfigError("DATABASE_URL must be a SQLite or PostgreSQL URL")
