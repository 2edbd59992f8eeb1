"""Settings: defaults, environment, safety checks, the generated secret key."""

from __future__ import annotations

import stat

import pytest

from eduplatform import create_app
from eduplatform.config import (
    DEFAULTS,
    ConfigError,
    from_environment,
    load_or_create_secret_key,
    normalise_database_url,
)
from tests.conftest import test_settings

#: Production settings that pass every check (each case below breaks one).
PRODUCTION = {"ENV": "production", "PASSWORD_HASH_METHOD": "", "SIGN_IN_FLOOR_MS": 400,
              "MFA_REQUIRED_FOR": DEFAULTS["MFA_REQUIRED_FOR"]}


def test_the_secret_key_is_generated_once_into_the_instance_folder(tmp_path) -> None:
    key = load_or_create_secret_key(tmp_path)
    assert len(key) >= 32
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert load_or_create_secret_key(tmp_path) == key
    assert load_or_create_secret_key(tmp_path / "elsewhere") != key


def test_an_app_without_a_configured_key_uses_the_generated_one(tmp_path) -> None:
    settings = test_settings(tmp_path, f"sqlite:///{tmp_path / 'x.sqlite3'}")
    settings["SECRET_KEY"] = ""
    app = create_app(settings)
    assert app.config["SECRET_KEY"] == (tmp_path / "secret_key").read_text().strip()


@pytest.mark.parametrize(("override", "message"), [
    ({"SECRET_KEY": "short"}, "SECRET_KEY"),
    ({"ENV": "production"}, "PASSWORD_HASH_METHOD"),
    ({"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
    ({"DEFAULT_LOCALE": "fr"}, "DEFAULT_LOCALE"),
    # Before: "prod" silently skipped every production check.
    ({"ENV": "prod"}, "ENV must be one of production, development, testing"),
    ({"SIGN_IN_BLOCK_MINUTES": 0}, "SIGN_IN_BLOCK_MINUTES must be at least 1"),
    ({"MAX_FAILED_SIGN_INS": 1}, "MAX_FAILED_SIGN_INS at least 3"),
    ({**PRODUCTION, "RATE_LIMITS_ENABLED": False}, "RATE_LIMITS_ENABLED"),
    ({**PRODUCTION, "SIGN_IN_FLOOR_MS": 0}, "SIGN_IN_FLOOR_MS"),
    ({**PRODUCTION, "MFA_REQUIRED_FOR": ("admin",)}, "MFA_REQUIRED_FOR must include coordinator"),
    ({"PROXY_HOPS": -1}, "PROXY_HOPS"),
])
def test_unsafe_or_broken_settings_are_refused(tmp_path, override, message) -> None:
    settings = {**test_settings(tmp_path, f"sqlite:///{tmp_path / 'x.sqlite3'}"), **override}
    with pytest.raises(ConfigError, match=message):
        create_app(settings)


def test_settings_come_from_the_environment() -> None:
    found = from_environment({"EDUPLATFORM_HTTPS": "yes", "EDUPLATFORM_SESSION_MINUTES": "30",
                              "DATABASE_URL": "postgres://u@h/db", "EDUPLATFORM_LOCALES": "en, cy"})
    assert found == {"HTTPS": True, "SESSION_MINUTES": 30, "DATABASE_URL": "postgres://u@h/db",
                     "LOCALES": ("en", "cy")}
    with pytest.raises(ConfigError):
        from_environment({"EDUPLATFORM_SESSION_MINUTES": "soon"})
    with pytest.raises(ConfigError, match="EDUPLATFORM_HTTPS must be 1 or 0"):  # before: "maybe" meant off
        from_environment({"EDUPLATFORM_HTTPS": "maybe"})
    assert from_environment({"REDIS_URL": "redis://127.0.0.1:6379/0"}) == {"REDIS_URL": "redis://127.0.0.1:6379/0"}


def test_https_sites_send_hsts_and_plain_ones_are_warned_about(tmp_path, caplog) -> None:
    secure = create_app({**test_settings(tmp_path / "a", f"sqlite:///{tmp_path / 'a.sqlite3'}"), "HTTPS": True})
    assert secure.test_client().get("/healthz").headers["Strict-Transport-Security"].startswith("max-age=")
    plain = create_app({**test_settings(tmp_path / "b", f"sqlite:///{tmp_path / 'b.sqlite3'}")})
    assert "Strict-Transport-Security" not in plain.test_client().get("/healthz").headers
    settings = {**test_settings(tmp_path / "c", f"sqlite:///{tmp_path / 'c.sqlite3'}"), **PRODUCTION}
    with caplog.at_level("WARNING"):
        production = create_app(settings)
        assert "without HTTPS" not in caplog.text  # command-line jobs are not warned
        production.test_client().get("/healthz")
    assert "serving without HTTPS" in caplog.text


def test_the_sqlite_database_is_created_readable_by_its_owner_only(tmp_path) -> None:
    """Before: created world-readable (0644)."""
    url = normalise_database_url("", tmp_path)
    assert stat.S_IMODE((tmp_path / "eduplatform.sqlite3").stat().st_mode) == 0o600
    app = create_app({**test_settings(tmp_path, url)})
    from eduplatform.db import db, upgrade_database

    with app.app_context():
        upgrade_database(db.engine)
        db.engine.dispose()
    assert stat.S_IMODE((tmp_path / "eduplatform.sqlite3").stat().st_mode) == 0o600


def test_rate_limits_are_counted_in_redis_when_it_is_set(tmp_path) -> None:
    """Every app server agrees on the counts: two apps on one Redis share them."""
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis does not answer on 127.0.0.1:6379")
    redis.Redis.from_url(url).flushdb()
    from eduplatform.db import db, upgrade_database

    database = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    apps = [create_app({**test_settings(tmp_path / name, database), "REDIS_URL": url}) for name in ("one", "two")]
    with apps[0].app_context():
        upgrade_database(db.engine)
    answers = [apps[number % 2].test_client().get(f"/tap?code=QQQQ{number:02d}").status_code for number in range(61)]
    assert answers[:60] == [200] * 60 and answers[60] == 429
    redis.Redis.from_url(url).flushdb()


def test_database_urls_are_normalised(tmp_path) -> None:
    assert normalise_database_url("", tmp_path) == f"sqlite:///{tmp_path / 'eduplatform.sqlite3'}"
    assert normalise_database_url("postgres://u@h/db", tmp_path) == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db", tmp_path) == "postgresql+psycopg://u@h/db"
