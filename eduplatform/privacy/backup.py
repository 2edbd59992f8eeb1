"""Backups of the whole database, and restoring one (``flask --app app backup`` / ``restore``).

* SQLite: the online backup API (:meth:`sqlite3.Connection.backup`) copies the database in one
  step from a single read transaction, so the copy is consistent while the site keeps running (WAL
  lets writers go on meanwhile). The copy is a plain SQLite file.
* PostgreSQL: ``pg_dump --format=custom``, restored with ``pg_restore``.

Every check that can refuse runs before any work: a backup first makes its (temporary) file next
to the destination, so an unwritable place fails at once; a restore first reads the kind and the
schema revision of the file and looks at the target. The file is written under a temporary name
and renamed when complete, so a failed backup never leaves a half-written file under the real name.

A backup holds children's personal data: the file is readable by its owner only (0600). It does
not hold ``instance/data_key`` (the key of the login-card secrets) nor ``instance/secret_key``:
those are kept apart from the database copies (README, "Backups").
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, inspect, select, table, text
from sqlalchemy.engine import URL

from eduplatform.db import alembic_config, current_revision, head_revision, upgrade_database

#: The first bytes of a SQLite database file, and of a ``pg_dump --format=custom`` archive.
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"
SQLITE, POSTGRESQL = "sqlite", "postgresql"
KIND_NAMES = {SQLITE: "SQLite", POSTGRESQL: "PostgreSQL"}


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    """What :func:`take_backup` wrote."""

    path: Path
    size: int
    revision: str
    kind: str


@dataclass(frozen=True)
class RestoreResult:
    """What :func:`restore_backup` did: the backup's schema revision, and the database's now."""

    kind: str
    backup_revision: str
    revision: str
    replaced_rows: int

    @property
    def upgraded(self) -> bool:
        """Whether the restored database was upgraded to this code's newest schema."""
        return self.backup_revision != self.revision


def database_kind(engine: Engine) -> str:
    """``sqlite`` or ``postgresql``: the kind of database behind ``engine``."""
    name = engine.dialect.name
    if name not in KIND_NAMES:
        raise BackupError(f"Backups are made of SQLite and PostgreSQL databases only, not {name}.")
    return name


def backup_kind(path: Path) -> str | None:
    """``sqlite`` or ``postgresql`` from the file's first bytes, or None when it is neither."""
    with path.open("rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return SQLITE
    if head.startswith(PG_DUMP_MAGIC):
        return POSTGRESQL
    return None


def human_size(size: int) -> str:
    """``size`` bytes for people: ``812 bytes``, ``3.4 MB``."""
    if size < 1024:
        return f"{size} bytes"
    value = float(size)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        if value < 1024 or unit == "TB":
            break
    return f"{value:.1f} {unit}"


# ---- taking a backup ---------------------------------------------------------------------------


def _open_destination(out: Path, overwrite: bool) -> Path:
    """Check the destination and create the temporary file the backup is written into.

    Raises :class:`BackupError` when the place is not writable, before any work is done.
    """
    folder = out.parent
    if not folder.is_dir():
        raise BackupError(f"The folder {folder} does not exist: create it first, or choose another place.")
    if out.is_dir():
        raise BackupError(f"{out} is a folder: give the name of the backup file to write.")
    if out.exists() and not overwrite:
        raise BackupError(f"{out} already exists: choose another name, or add --overwrite to replace it.")
    if out.exists() and not os.access(out, os.W_OK):
        raise BackupError(f"{out} exists and cannot be replaced: it is read-only.")
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".partial", dir=folder)
    except OSError as error:
        raise BackupError(f"Cannot write in {folder}: {error.strerror}. Choose a place you can write to.") from None
    os.close(descriptor)  # mkstemp made it readable by its owner only (0600): a backup holds personal data
    return Path(temporary)


def _sqlite_file(engine: Engine) -> str:
    database = engine.url.database
    if not database or database == ":memory:":
        raise BackupError("This SQLite database is in memory: there is no file to back up or restore into.")
    return database


def _backup_sqlite(engine: Engine, into: Path) -> None:
    source = sqlite3.connect(_sqlite_file(engine))
    target = sqlite3.connect(into)
    try:
        source.execute("PRAGMA busy_timeout = 15000")
        source.backup(target)  # all pages in one step: one consistent snapshot
        target.execute("PRAGMA journal_mode = DELETE")  # a single self-contained file
    finally:
        target.close()
        source.close()


def libpq_url(url: URL) -> tuple[str, dict[str, str]]:
    """A connection string ``pg_dump``/``pg_restore`` accept, and the environment carrying the password.

    The password goes in ``PGPASSWORD`` rather than on the command line, where other users of the
    machine could read it in the process list.
    """
    plain = URL.create("postgresql", username=url.username, host=url.host, port=url.port, database=url.database,
                       query=url.query)
    environment = {"PGPASSWORD": str(url.password)} if url.password is not None else {}
    return plain.render_as_string(hide_password=False), environment


def _run_pg_tool(tool: str, arguments: list[str], url: URL, what: str) -> subprocess.CompletedProcess[str]:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(f"{tool} is not installed, and {what} of a PostgreSQL database needs it: install the "
                          f"PostgreSQL client tools (Debian and Ubuntu: apt-get install postgresql-client).")
    connection, environment = libpq_url(url)
    result = subprocess.run([executable, *arguments, f"--dbname={connection}"],  # noqa: S603 (no shell)
                            capture_output=True, text=True, env={**os.environ, **environment}, check=False)
    if result.returncode != 0:
        raise BackupError(f"{tool} failed ({what}): {result.stderr.strip() or 'no message'}")
    return result


def take_backup(engine: Engine, out: Path, *, overwrite: bool = False) -> BackupResult:
    """Copy the whole database behind ``engine`` into the file ``out``. For the ``backup`` command.

    Refuses (:class:`BackupError`) before any work when ``out`` cannot be written, exists without
    ``overwrite``, or the database has no schema yet.
    """
    kind = database_kind(engine)
    temporary = _open_destination(out, overwrite)
    try:
        revision = current_revision(engine)
        if revision is None:
            raise BackupError("The database has no schema yet: there is nothing to back up.")
        if kind == SQLITE:
            _backup_sqlite(engine, temporary)
        else:
            _run_pg_tool("pg_dump", ["--format=custom", f"--file={temporary}"], engine.url, "the backup")
        os.replace(temporary, out)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return BackupResult(path=out, size=out.stat().st_size, revision=revision, kind=kind)


# ---- restoring ---------------------------------------------------------------------------------


def _sqlite_backup_revision(path: Path) -> str | None:
    # Read-only and "immutable": reading the backup never changes it nor leaves files beside it.
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    try:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    except (sqlite3.DatabaseError, TypeError):
        return None
    finally:
        connection.close()


def _pg_backup_revision(path: Path) -> str | None:
    executable = shutil.which("pg_restore")
    if executable is None:
        raise BackupError("pg_restore is not installed, and restoring a PostgreSQL backup needs it: install the "
                          "PostgreSQL client tools (Debian and Ubuntu: apt-get install postgresql-client).")
    result = subprocess.run([executable, "--data-only", "--table=alembic_version", "--file=-", str(path)],  # noqa: S603
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"pg_restore cannot read {path}: {result.stderr.strip() or 'no message'}")
    lines = result.stdout.splitlines()
    for number, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and number + 1 < len(lines):
            value = lines[number + 1].strip()
            return None if value == "\\." else value
    return None


def backup_revision(path: Path, kind: str) -> str | None:
    """The schema revision (Alembic) the backup was taken at, or None when it has none."""
    return _sqlite_backup_revision(path) if kind == SQLITE else _pg_backup_revision(path)


def known_revisions() -> set[str]:
    """Every schema revision this code's migrations know."""
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def rows_in(engine: Engine) -> int:
    """How many rows the database holds, in every table but Alembic's own (0: an empty database)."""
    names = [name for name in inspect(engine).get_table_names() if name != "alembic_version"]
    with engine.connect() as connection:
        return sum(connection.scalar(select(func.count()).select_from(table(name))) or 0 for name in names)


def _restore_sqlite(engine: Engine, path: Path) -> None:
    engine.dispose()  # no pooled connection keeps reading the old pages
    source = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    target = sqlite3.connect(_sqlite_file(engine))
    try:
        target.execute("PRAGMA busy_timeout = 15000")
        source.backup(target)  # replaces every page of the target, tables it had and the backup lacks too
    finally:
        target.close()
        source.close()


def _empty_postgres(engine: Engine) -> None:
    """Drop every table, view and sequence of the target's ``public`` schema (``restore --force``)."""
    with engine.begin() as connection:
        for kind, names in (("VIEW", inspect(connection).get_view_names()),
                            ("TABLE", inspect(connection).get_table_names()),
                            ("SEQUENCE", inspect(connection).get_sequence_names())):
            for name in names:
                quoted = connection.dialect.identifier_preparer.quote(name)
                connection.execute(text(f"DROP {kind} IF EXISTS {quoted} CASCADE"))


def _restore_postgres(engine: Engine, path: Path, replace: bool) -> None:
    if replace:
        _empty_postgres(engine)
    engine.dispose()
    _run_pg_tool("pg_restore", ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
                                str(path)], engine.url, "the restore")


def restore_backup(engine: Engine, path: Path, *, force: bool = False) -> RestoreResult:
    """Replace the database behind ``engine`` with the backup in ``path``. For the ``restore`` command.

    Refuses (:class:`BackupError`), changing nothing, a file that is not a backup, a backup of the
    other kind of database, one from a newer schema than this code knows, and a target database
    that is not empty unless ``force``. A backup from an older schema is upgraded once restored.
    """
    kind = backup_kind(path)
    if kind is None:
        raise BackupError(f"{path} is not a backup made by 'flask --app app backup' "
                          "(neither a SQLite database nor a pg_dump archive).")
    target_kind = database_kind(engine)
    if kind != target_kind:
        raise BackupError(f"{path} is a backup of a {KIND_NAMES[kind]} database and this site uses "
                          f"{KIND_NAMES[target_kind]}: restore it into a {KIND_NAMES[kind]} database.")
    revision = backup_revision(path, kind)
    if revision is None:
        raise BackupError(f"{path} has no schema revision (no alembic_version table): it is not a backup "
                          "of this platform's database.")
    if revision not in known_revisions():
        raise BackupError(f"{path} was taken from a newer version of the platform (schema revision {revision}, "
                          f"unknown to this code, whose newest is {head_revision()}). Upgrade the code first, "
                          "then restore.")
    existing = rows_in(engine)
    if existing and not force:
        raise BackupError(f"The database is not empty ({existing} rows). Restoring replaces everything in it: "
                          "add --force to do so, or restore into an empty database.")
    if kind == SQLITE:
        _restore_sqlite(engine, path)
    else:
        _restore_postgres(engine, path, replace=bool(inspect(engine).get_table_names()))
    engine.dispose()
    if revision != head_revision():
        upgrade_database(engine)
    return RestoreResult(kind=kind, backup_revision=revision, revision=current_revision(engine) or revision,
                         replaced_rows=existing)
