"""Settings: defaults, environment, safety checks, the generated secret key."""

from __future__ import annotations

import stat

import pytest

from eduplatform import create_app
from eduplatform.config import ConfigError, from_environment, load_or_create_secret_key, normalise_database_url
from tests.conftest import test_settings


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


def test_database_urls_are_normalised(tmp_path) -> None:
    assert normalise_database_url("", tmp_path) == f"sqlite:///{tmp_path / 'eduplatform.sqlite3'}"
    assert normalise_database_url("postgres://u@h/db", tmp_path) == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db", tmp_path) == "postgresql+psycopg://u@h/db"
