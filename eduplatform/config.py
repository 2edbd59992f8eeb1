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
from urllib.parse import urlsplit

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
    #: Fernet key (URL-safe base64, 32 bytes) that encrypts secrets at rest: the pictures and first
    #: passwords kept to print a login card again. Empty means: read or generate
    #: ``<INSTANCE_PATH>/data_key``. Several app servers must share it; back it up apart from the
    #: database (a copy of the database alone does not reveal the secrets).
    "DATA_KEY": "",
    #: Language-neutral programme structure (YAML).
    "CURRICULUM_PATH": str(PROJECT_ROOT / "curriculum"),
    #: Per-locale learner content (Markdown and YAML): ``<CONTENT_PATH>/<locale>/``.
    "CONTENT_PATH": str(PROJECT_ROOT / "content"),
    #: Interface catalogues (gettext ``.po``/``.mo``).
    "TRANSLATIONS_PATH": str(PROJECT_ROOT / "translations"),
    #: Locales the interface offers (the language menu, in this order); the first is the fallback for
    #: content too. Each needs ``translations/<locale>/LC_MESSAGES/messages.po`` (compiled at set-up).
    "LOCALES": ("en", "cy", "pl", "ur"),
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
    #: Every password sign-in takes at least this long (milliseconds), right or wrong, known name or
    #: not, so its timing tells an outsider nothing. Above the slowest password check on the server.
    "SIGN_IN_FLOOR_MS": 400,
    #: Rate limits (Flask-Limiter) are counted in Redis when set, so every app server agrees
    #: (read from ``REDIS_URL`` too); otherwise in each server's memory.
    "REDIS_URL": "",
    #: Set to False only to switch every rate limit off (never in production).
    "RATE_LIMITS_ENABLED": True,
    #: Roles and duties whose accounts must use multi-factor sign-in (an authenticator app): those that
    #: see other people's personal data across a school or more. Production refuses fewer than these.
    "MFA_REQUIRED_FOR": ("coordinator", "trust_lead", "admin", "dsl", "deputy_dsl"),
    #: Reverse proxies in front of the site that add ``X-Forwarded-For`` (nginx: 1). Rate limits key
    #: on the client's address, so behind a proxy this must be right, or every client shares one.
    "PROXY_HOPS": 0,
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
    #: The site's public address, for links that leave the site (emails): scheme, host and any path prefix.
    "BASE_URL": "http://127.0.0.1:5000",
    #: Outgoing email (:mod:`eduplatform.mail`): the SMTP server's host name. Empty: no mail is sent
    #: (``send-reminders`` says so and fails; its ``--dry-run`` still lists whom it would email).
    "MAIL_SERVER": "",
    "MAIL_PORT": 587,
    #: Upgrade the connection with STARTTLS (port 587), or connect over TLS from the start (port 465;
    #: MAIL_USE_SSL then wins over MAIL_USE_TLS).
    "MAIL_USE_TLS": True,
    "MAIL_USE_SSL": False,
    #: Signs in to the server when set.
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    #: The sender's address, e.g. ``Online safety <online-safety@oakfield.sch.uk>``.
    "MAIL_FROM": "",
    #: Seconds to wait for the server to connect or answer before a message counts as not sent.
    "MAIL_TIMEOUT": 10,
}

_ENV_PREFIX = "EDUPLATFORM_"
_BOOLEAN_SETTINGS = {"HTTPS", "RATE_LIMITS_ENABLED", "MAIL_USE_TLS", "MAIL_USE_SSL"}
_INTEGER_SETTINGS = {"SESSION_MINUTES", "SQLITE_BUSY_TIMEOUT", "MAX_FAILED_SIGN_INS", "SIGN_IN_BLOCK_MINUTES",
                     "SIGN_IN_FLOOR_MS", "PROXY_HOPS", "MAIL_PORT", "MAIL_TIMEOUT"}
#: The environments the site knows; anything else is refused (a typo must not skip production checks).
ENVIRONMENTS = ("production", "development", "testing")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}
_TUPLE_SETTINGS = {"LOCALES", "MFA_REQUIRED_FOR"}


class ConfigError(RuntimeError):
    """A setting is missing, malformed or unsafe; the message says which and why."""


def _coerce(name: str, raw: str) -> Any:
    if name in _BOOLEAN_SETTINGS:
        value = raw.strip().lower()
        if value not in _TRUE | _FALSE:
            raise ConfigError(f"{_ENV_PREFIX}{name} must be 1 or 0 (true/false, yes/no, on/off), not {raw!r}")
        return value in _TRUE
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
        if raw is None and name in {"DATABASE_URL", "SECRET_KEY", "REDIS_URL"}:
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


def load_or_create_data_key(instance_path: Path) -> str:
    """Read the key that encrypts secrets at rest from the instance folder, generating it on first run."""
    from cryptography.fernet import Fernet

    key_file = instance_path / "data_key"
    if key_file.exists():
        key = key_file.read_text(encoding="utf-8").strip()
        if key:
            return key
    instance_path.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key().decode("ascii")
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    return key


def normalise_database_url(url: str, instance_path: Path) -> str:
    """Turn the configured URL into one SQLAlchemy accepts, defaulting to SQLite in the instance folder."""
    if not url:
        instance_path.mkdir(parents=True, exist_ok=True)
        path = instance_path / "eduplatform.sqlite3"
        if not path.exists():  # readable by the site's user only, like the secret key (SQLite keeps the mode)
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        return f"sqlite:///{path}"
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
    if settings.get("DATA_KEY"):
        from cryptography.fernet import Fernet

        try:
            Fernet(str(settings["DATA_KEY"]).encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise ConfigError("DATA_KEY must be a Fernet key: 32 bytes in URL-safe base64 (44 characters)") from None
    if settings["ENV"] not in ENVIRONMENTS:
        raise ConfigError(f"ENV must be one of {', '.join(ENVIRONMENTS)}, not {settings['ENV']!r}")
    if settings["SESSION_MINUTES"] < 5:
        raise ConfigError("SESSION_MINUTES must be at least 5")
    if settings["SIGN_IN_BLOCK_MINUTES"] < 1 or settings["MAX_FAILED_SIGN_INS"] < 3:
        raise ConfigError("SIGN_IN_BLOCK_MINUTES must be at least 1 and MAX_FAILED_SIGN_INS at least 3")
    if settings["PROXY_HOPS"] < 0:
        raise ConfigError("PROXY_HOPS must be 0 or more")
    if settings["ENV"] == "production":
        if settings["PASSWORD_HASH_METHOD"]:
            raise ConfigError("PASSWORD_HASH_METHOD is for the test suite only: leave it empty in production")
        missing = set(DEFAULTS["MFA_REQUIRED_FOR"]) - set(settings["MFA_REQUIRED_FOR"])
        if missing:
            raise ConfigError(f"MFA_REQUIRED_FOR must include {', '.join(sorted(missing))} in production")
        if not settings["RATE_LIMITS_ENABLED"]:
            raise ConfigError("RATE_LIMITS_ENABLED may be switched off only in development or testing")
        if settings["SIGN_IN_FLOOR_MS"] < 200:
            raise ConfigError("SIGN_IN_FLOOR_MS must be at least 200 in production (slower than a password check)")
    for provider in ("GOOGLE", "MICROSOFT"):
        if settings[f"SSO_{provider}_CLIENT_ID"] and not settings[f"SSO_{provider}_CLIENT_SECRET"]:
            raise ConfigError(f"SSO_{provider}_CLIENT_SECRET must be set with SSO_{provider}_CLIENT_ID")
    url = settings["DATABASE_URL"]
    if not (url.startswith("sqlite:") or url.startswith("postgresql")):
        raise ConfigError("DATABASE_URL must be a SQLite or PostgreSQL URL")
    _validate_mail(settings)


def _validate_mail(settings: dict[str, Any]) -> None:
    """The site's address (for links in emails) and the SMTP settings."""
    base = urlsplit(settings["BASE_URL"])
    if base.scheme not in ("http", "https") or not base.netloc or base.query or base.fragment:
        raise ConfigError(f"BASE_URL must be the site's address, like https://safety.oakfield.sch.uk, "
                          f"not {settings['BASE_URL']!r}")
    if not settings["MAIL_SERVER"]:
        return
    if not settings["MAIL_FROM"]:
        raise ConfigError("MAIL_FROM (the sender's address) must be set with MAIL_SERVER")
    if not 1 <= settings["MAIL_PORT"] <= 65535:
        raise ConfigError("MAIL_PORT must be from 1 to 65535")
    if settings["MAIL_TIMEOUT"] < 1:
        raise ConfigError("MAIL_TIMEOUT must be at least 1 second")
    if settings["MAIL_PASSWORD"] and not settings["MAIL_USERNAME"]:
        raise ConfigError("MAIL_USERNAME must be set with MAIL_PASSWORD")
    if settings["ENV"] == "production":
        if settings["MAIL_USERNAME"] and not (settings["MAIL_USE_TLS"] or settings["MAIL_USE_SSL"]):
            raise ConfigError("MAIL_USE_TLS or MAIL_USE_SSL must be on in production when MAIL_USERNAME is set: "
                              "the mail password would cross the network in clear")
        if settings["BASE_URL"] == DEFAULTS["BASE_URL"]:
            raise ConfigError("BASE_URL must be the site's public address when MAIL_SERVER is set in production: "
                              "links in emails point there")
