"""``backup`` and ``restore``: every row of every table comes back, on SQLite and PostgreSQL; the refusals.

The PostgreSQL part makes and drops databases of its own (``eduplatform_backup_test_<random>``) on
``EDUPLATFORM_BACKUP_TEST_SERVER``, else the server of ``EDUPLATFORM_TEST_DATABASE_URL``, else
``postgresql://postgres@127.0.0.1:5432``, and skips
when no server answers or ``pg_dump`` is missing. It never touches any other database.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import column, create_engine, inspect, select, table, text

from eduplatform import create_app
from eduplatform.accounts.models import User
from eduplatform.audit.models import AuditAction, AuditEvent
from eduplatform.db import Base, current_revision, db, head_revision
from eduplatform.privacy import backup as backup_module
from eduplatform.privacy.backup import libpq_url
from tests.conftest import test_settings

#: The server (its ``postgres`` database is used to create and drop this test's own databases).
PG_SERVER = (os.environ.get("EDUPLATFORM_BACKUP_TEST_SERVER") or os.environ.get("EDUPLATFORM_TEST_DATABASE_URL")
             or "postgresql://postgres@127.0.0.1:5432")
PG_PREFIX = "eduplatform_backup_test_"
#: The schema revision before the newest (the privacy groundwork): an "older" backup.
OLDER_REVISION = "ded92715955d"
ALEMBIC_VERSION = table("alembic_version", column("version_num"))

Apps = Callable[[], Flask]


def _postgres_server() -> Any:
    """An AUTOCOMMIT engine on the server's ``postgres`` database, or a skip."""
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("PostgreSQL part: pg_dump and pg_restore are not installed")
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import OperationalError

    from eduplatform.config import normalise_database_url

    server = make_url(normalise_database_url(PG_SERVER, Path("."))).set(database="postgres")
    engine = create_engine(server, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        engine.connect().close()
    except OperationalError:
        engine.dispose()
        pytest.skip(f"PostgreSQL part: no server answers at {PG_SERVER}")
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def new_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Apps]:
    """Makes apps on new, empty databases of one kind, sharing one instance folder (and its keys)."""
    made: list[Flask] = []
    drops: list[str] = []
    server = _postgres_server() if request.param == "postgresql" else None

    def make() -> Flask:
        if server is None:
            url = f"sqlite:///{tmp_path / f'db{len(made)}.sqlite3'}"
        else:
            name = PG_PREFIX + secrets.token_hex(6)
            assert name.startswith(PG_PREFIX)  # only databases of this test, never another
            with server.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            drops.append(name)
            url = server.url.set(database=name).render_as_string(hide_password=False)
        application = create_app(test_settings(tmp_path / "instance", url))
        made.append(application)
        return application

    yield make
    for application in made:
        application.extensions["eduplatform.db"].engine.dispose()
    if server is not None:
        with server.connect() as connection:
            for name in drops:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def _cli(application: Flask, *args: str) -> Any:
    return application.test_cli_runner().invoke(args=list(args))


def _demo(application: Flask) -> None:
    assert _cli(application, "init-db").exit_code == 0
    result = _cli(application, "seed-demo", "--password", "demo-password")
    assert result.exit_code == 0, result.output


def _every_table(application: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (the models' tables and Alembic's), in primary-key order."""
    tables = [*Base.metadata.sorted_tables, ALEMBIC_VERSION]
    with application.app_context(), db.engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        assert present == {t.name for t in tables}, "a table in the database is not in the models"
        return {t.name: [tuple(row) for row in connection.execute(
                    select(t).order_by(*(list(getattr(t, "primary_key", ())) or list(t.columns))))]
                for t in tables}


def _events(application: Flask, action: AuditAction) -> list[AuditEvent]:
    with application.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action.value)))


def _rows(application: Flask) -> int:
    with application.app_context():
        return backup_module.rows_in(db.engine)


def test_round_trip_restores_every_row_of_every_table(new_app: Apps, tmp_path: Path) -> None:
    source = new_app()
    _demo(source)
    before = _every_table(source)
    filled = [name for name, rows in before.items() if rows]
    assert len(filled) >= 20, f"the demo fills only {filled}"
    out = tmp_path / "site.backup"

    taken = _cli(source, "backup", "--out", str(out))

    assert taken.exit_code == 0, taken.output
    assert f"schema revision {head_revision()}" in taken.output and " KB" in taken.output
    assert out.stat().st_mode & 0o077 == 0  # personal data: readable by its owner only
    [event] = _events(source, AuditAction.BACKUP_TAKEN)
    assert event.details["bytes"] == out.stat().st_size and event.details["revision"] == head_revision()
    assert event.actor_id is None and event.address == "cli"
    target = new_app()

    restored = _cli(target, "restore", str(out))

    assert restored.exit_code == 0, restored.output
    after = _every_table(target)
    [entry] = _events(target, AuditAction.BACKUP_RESTORED)
    assert entry.details["backup_revision"] == head_revision() and entry.details["replaced_rows"] == 0
    after["audit_event"] = [row for row in after["audit_event"] if row[0] != entry.id]
    for name, rows in before.items():
        assert after[name] == rows, f"table {name} differs after the round trip"
    with target.app_context():  # the login-card secrets read back with the same key
        pupil = db.session.scalar(select(User).where(User.username == "pupil.ks1"))
        assert pupil.card_secret and len(pupil.card_secret.split("-")) >= 3


def test_a_restore_into_a_database_that_is_not_empty_needs_force(new_app: Apps, tmp_path: Path) -> None:
    source = new_app()
    _demo(source)
    out = tmp_path / "site.backup"
    assert _cli(source, "backup", "--out", str(out)).exit_code == 0
    target = new_app()
    assert _cli(target, "init-db").exit_code == 0
    assert _cli(target, "create-school", "--name", "Other School", "--slug", "other").exit_code == 0
    rows = _rows(target)

    refused = _cli(target, "restore", str(out))

    assert refused.exit_code == 1 and "not empty" in refused.output and "--force" in refused.output
    assert _rows(target) == rows and _events(target, AuditAction.BACKUP_RESTORED) == []
    forced = _cli(target, "restore", str(out), "--force")
    assert forced.exit_code == 0, forced.output
    with target.app_context():
        assert db.session.scalar(select(User.id).where(User.username == "coordinator")) is not None
    [entry] = _events(target, AuditAction.BACKUP_RESTORED)
    assert entry.details["replaced_rows"] == rows


def _set_revision(application: Flask, revision: str) -> None:
    with application.app_context(), db.engine.begin() as connection:
        connection.execute(ALEMBIC_VERSION.update().values(version_num=revision))


def test_a_backup_from_a_newer_schema_is_refused(new_app: Apps, tmp_path: Path) -> None:
    source = new_app()
    assert _cli(source, "init-db").exit_code == 0
    _set_revision(source, "99990101abcd")  # a migration this code does not have
    out = tmp_path / "newer.backup"
    assert _cli(source, "backup", "--out", str(out)).exit_code == 0
    target = new_app()

    refused = _cli(target, "restore", str(out))

    assert refused.exit_code == 1
    assert "newer version" in refused.output and "Upgrade the code first" in refused.output
    assert "99990101abcd" in refused.output
    with target.app_context():
        assert inspect(db.engine).get_table_names() == []  # nothing restored


def test_a_backup_from_an_older_schema_is_upgraded_after_restoring(new_app: Apps, tmp_path: Path) -> None:
    from alembic import command

    from eduplatform.db import alembic_config

    source = new_app()
    with source.app_context(), db.engine.begin() as connection:
        command.upgrade(alembic_config(connection), OLDER_REVISION)
    with source.app_context(), db.engine.begin() as connection:
        connection.execute(text("INSERT INTO school (id, slug, name, default_locale, created_at, time_zone) "
                                "VALUES (1, 'old', 'Old School', 'en', '2026-01-01', 'Europe/London')"))
    out = tmp_path / "older.backup"
    assert _cli(source, "backup", "--out", str(out)).exit_code == 0
    target = new_app()

    restored = _cli(target, "restore", str(out))

    assert restored.exit_code == 0, restored.output
    assert f"upgraded to this code's schema, revision {head_revision()}" in restored.output
    with target.app_context():
        assert current_revision(db.engine) == head_revision()
        assert db.session.execute(text("SELECT name FROM school")).scalar_one() == "Old School"
    [entry] = _events(target, AuditAction.BACKUP_RESTORED)
    assert (entry.details["backup_revision"], entry.details["revision"]) == (OLDER_REVISION, head_revision())


def test_a_backup_of_the_other_kind_of_database_or_no_backup_is_refused(new_app: Apps, tmp_path: Path) -> None:
    target = new_app()
    kind = target.extensions["eduplatform.db"].engine.dialect.name
    other = tmp_path / "other.backup"
    if kind == "sqlite":
        other.write_bytes(b"PGDMP\x01\x0e\x00" + b"\x00" * 64)
        expected = "backup of a PostgreSQL database and this site uses SQLite"
    else:
        connection = sqlite3.connect(other)
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        connection.close()
        expected = "backup of a SQLite database and this site uses PostgreSQL"
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database")

    for path, message in ((other, expected), (junk, "is not a backup made by")):
        refused = _cli(target, "restore", str(path))
        assert refused.exit_code == 1 and message in refused.output, refused.output
    with target.app_context():
        assert inspect(db.engine).get_table_names() == []


@pytest.fixture
def site(fresh_app: Flask) -> Flask:
    """A SQLite site with its schema and one school."""
    assert _cli(fresh_app, "init-db").exit_code == 0
    assert _cli(fresh_app, "create-school", "--name", "Oak School", "--slug", "oak").exit_code == 0
    return fresh_app


@pytest.fixture
def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if a backup starts copying the database."""
    def refuse(*_args: Any) -> None:
        raise AssertionError("the backup started work at a place it cannot write")

    monkeypatch.setattr(backup_module, "_backup_sqlite", refuse)
    monkeypatch.setattr(backup_module, "current_revision", refuse)


def _refused_backup(site: Flask, out: Path, message: str, *extra: str) -> None:
    before = sorted(out.parent.iterdir()) if out.parent.is_dir() else None
    result = _cli(site, "backup", "--out", str(out), *extra)
    assert result.exit_code == 1 and message in result.output, result.output
    assert _events(site, AuditAction.BACKUP_TAKEN) == []
    if before is not None:
        assert sorted(out.parent.iterdir()) == before  # nothing written, no temporary file left


@pytest.mark.usefixtures("no_work")
def test_a_backup_to_an_unwritable_place_fails_before_any_work(site: Flask, tmp_path: Path) -> None:
    _refused_backup(site, tmp_path / "missing" / "site.backup", "does not exist")
    (tmp_path / "a-file").write_text("x")
    _refused_backup(site, tmp_path / "a-file" / "site.backup", "does not exist")
    (tmp_path / "folder").mkdir()
    _refused_backup(site, tmp_path / "folder", "is a folder")
    existing = tmp_path / "folder" / "yesterday.backup"
    existing.write_text("yesterday's backup")
    _refused_backup(site, existing, "already exists")
    assert existing.read_text() == "yesterday's backup"


@pytest.mark.usefixtures("no_work")
def test_a_backup_into_a_read_only_folder_fails_before_any_work(site: Flask, tmp_path: Path) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as root: a read-only folder is still writable")
        _refused_backup(site, folder / "site.backup", "Cannot write in")
    finally:
        folder.chmod(0o700)


def test_a_backup_into_a_place_the_system_refuses_fails_before_any_work(site: Flask) -> None:
    """Even for root: /sys (or /proc) takes no new files. Checked by trying, not by the permission bits."""
    place = next((Path(p) for p in ("/sys", "/proc") if Path(p).is_dir()), None)
    if place is None:
        pytest.skip("no /sys or /proc on this system")
    result = _cli(site, "backup", "--out", str(place / "eduplatform.backup"))
    assert result.exit_code == 1 and "Cannot write in" in result.output, result.output
    assert not (place / "eduplatform.backup").exists()
    assert _events(site, AuditAction.BACKUP_TAKEN) == []


def test_overwrite_replaces_an_existing_backup(site: Flask, tmp_path: Path) -> None:
    out = tmp_path / "site.backup"
    out.write_text("yesterday's backup")
    result = _cli(site, "backup", "--out", str(out), "--overwrite")
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"SQLite format 3\x00")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


def test_a_database_without_a_schema_has_nothing_to_back_up(fresh_app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "site.backup"
    result = _cli(fresh_app, "backup", "--out", str(out))
    assert result.exit_code == 1 and "no schema yet" in result.output
    assert list(tmp_path.glob("*.backup*")) == []


def test_the_sqlite_backup_is_one_file_that_opens_on_its_own(site: Flask, tmp_path: Path) -> None:
    out = tmp_path / "site.backup"
    assert _cli(site, "backup", "--out", str(out)).exit_code == 0
    connection = sqlite3.connect(f"{out.as_uri()}?mode=ro", uri=True)
    try:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert connection.execute("SELECT name FROM school").fetchall() == [("Oak School",)]
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        connection.close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("site")) == ["site.backup"]


def test_postgres_tools_missing_or_failing_give_a_clear_message(new_app: Apps, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    application = new_app()
    if application.extensions["eduplatform.db"].engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    assert _cli(application, "init-db").exit_code == 0
    monkeypatch.setattr(backup_module.shutil, "which", lambda _name: None)
    missing = _cli(application, "backup", "--out", str(tmp_path / "site.backup"))
    assert missing.exit_code == 1 and "pg_dump is not installed" in missing.output
    assert "postgresql-client" in missing.output and list(tmp_path.iterdir()) == [tmp_path / "instance"]
    monkeypatch.setattr(backup_module.shutil, "which", lambda _name: "/bin/false")
    failing = _cli(application, "backup", "--out", str(tmp_path / "site.backup"))
    assert failing.exit_code == 1 and "pg_dump failed" in failing.output
    assert list(tmp_path.iterdir()) == [tmp_path / "instance"]


def test_the_libpq_address_keeps_the_password_off_the_command_line() -> None:
    from sqlalchemy.engine import make_url

    address, environment = libpq_url(make_url("postgresql+psycopg://site:s3cret@db.example:5433/edu?sslmode=require"))
    assert address == "postgresql://site@db.example:5433/edu?sslmode=require"
    assert environment == {"PGPASSWORD": "s3cret"}
    assert libpq_url(make_url("postgresql+psycopg://postgres@127.0.0.1/edu")) == (
        "postgresql://postgres@127.0.0.1/edu", {})


def test_a_database_with_the_schema_but_no_rows_counts_as_empty(new_app: Apps, tmp_path: Path) -> None:
    source = new_app()
    _demo(source)
    out = tmp_path / "site.backup"
    assert _cli(source, "backup", "--out", str(out)).exit_code == 0
    target = new_app()
    assert _cli(target, "init-db").exit_code == 0  # tables, but nobody in them

    restored = _cli(target, "restore", str(out))

    assert restored.exit_code == 0, restored.output
    assert _rows(target) == _rows(source)  # less the backup entry (taken after the copy), plus the restore entry
