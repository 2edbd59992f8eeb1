"""The database: declarative base, engine, one session per request, and schema upgrades.

Views and services reach the session as ``db.session``. Services only ``flush()``; the request
commits once, after the view returned a successful response (see :meth:`Database.init_app`),
and any error rolls the whole request back.

SQLite (the embedded default) runs in WAL mode with foreign keys on, ``synchronous=NORMAL`` and a
busy timeout. Requests that may write (POST and friends, CLI jobs) open their transaction with
``BEGIN IMMEDIATE`` so a second writer waits for the lock instead of failing with "database is
locked" half-way through; read-only requests use a plain deferred ``BEGIN`` and never block.
"""

from __future__ import annotations

import multiprocessing
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, has_request_context, request
from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from eduplatform.config import PROJECT_ROOT

MIGRATIONS_PATH = PROJECT_ROOT / "migrations"
Row = TypeVar("Row")
View = TypeVar("View", bound=Callable[..., Any])
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITE_OPTION = "eduplatform_write"
_GATE_KEY = "eduplatform_write_gate"

#: Stable constraint names, so migrations can alter constraints on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of every table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


#: What erasing a person does to a table's rows about them (see ``docs/decisions.md``).
ERASE_RULES = frozenset({
    "delete",           # the rows about the person go with them
    "keep_anonymised",  # the rows stay (the school must keep them); the person's name is removed
    "person",           # the person's own account row
})


def personal_data(*, subject: tuple[str, ...] = (), mentions: tuple[str, ...] = (), erase: str,
                  via: str | None = None, clear: tuple[str, ...] = (), restricted: bool = False) -> dict[str, Any]:
    """Mark a table as holding personal data, for ``__table_args__`` (it lands in ``Table.info``).

    * ``subject``: columns naming the person the row is about (their export includes the row);
    * ``mentions``: columns naming someone else involved (who recorded it, the witness, the parent);
    * ``erase``: what erasing the subject does (:data:`ERASE_RULES`);
    * ``via``: for rows that belong to a person through another table (an answer through its attempt);
    * ``clear``: free-text columns that could identify the subject inside rows kept anonymised (a
      typed signature, a comment): erasing the subject empties them;
    * ``restricted``: safeguarding records (a concern, its actions, who read it) that only the
      school's designated safeguarding lead decides to share: a person's data export counts the rows
      about or naming them and says whom to ask, and never copies their content.

    Per-person export and erasure walk these marks, and a test fails for any table with a
    foreign key to a person that is not marked, or that leaves such a column out.
    """
    if erase not in ERASE_RULES:
        raise ValueError(f"unknown erase rule {erase!r}")
    return {"info": {"personal_data": {"subject": subject, "mentions": mentions, "erase": erase, "via": via,
                                       "clear": clear, "restricted": restricted}}}


def import_models() -> None:
    """Import every ``models`` module of the package so ``Base.metadata`` knows all tables.

    Walks the package instead of listing modules by hand, so a feature's new ``models.py`` (or a
    ``models/`` package) can never be missed by Alembic's autogenerate or by ``create_all``.
    """
    import importlib
    import pkgutil

    import eduplatform

    for module in pkgutil.walk_packages(eduplatform.__path__, "eduplatform."):
        if module.name.rsplit(".", 1)[-1] == "models" or ".models." in module.name:
            importlib.import_module(module.name)


#: Each SQLite engine's write gate (see :func:`_write_gate`).
_write_gates: weakref.WeakKeyDictionary[Engine, Any] = weakref.WeakKeyDictionary()


def write_gate_of(engine: Engine) -> Any:
    """The lock SQLite writers of ``engine`` queue on (None for other databases). For tests and benches."""
    return _write_gates.get(engine)


def _write_gate() -> Any:
    """The lock SQLite writers queue on before ``BEGIN IMMEDIATE``.

    A semaphore in shared memory: gunicorn workers forked from a master that built the app
    (``--preload``, the default in ``gunicorn.conf.py``) inherit it, so writers of every worker queue
    on it together. Workers that each build their own app (no preload) queue only with their own
    threads and meet the other workers in SQLite's busy handler. Without shared memory (some
    sandboxes), a thread lock.
    """
    try:
        return multiprocessing.Lock()
    except (OSError, ImportError):  # no /dev/shm, or no sem_open on this platform
        return threading.Lock()


def _configure_sqlite(engine: Engine, busy_timeout_seconds: int) -> None:
    """Pragmas on every new SQLite connection, and transactions we open ourselves.

    The stdlib driver opens transactions lazily and never with IMMEDIATE; it is told to keep out
    of it (``isolation_level = None``) and the ``begin`` event emits the right BEGIN instead.
    This is the recipe in SQLAlchemy's SQLite dialect documentation ("Serializable isolation /
    Savepoints / Transactional DDL"), which also makes SAVEPOINTs work for the test suite.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_seconds * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    gate = _write_gates[engine] = _write_gate()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        wants_write = connection.get_execution_options().get(_WRITE_OPTION, False)
        if not wants_write:
            connection.exec_driver_sql("BEGIN")
            return
        # Writers queue here, and are handed the turn the moment the last one ends; SQLite's own
        # busy handler polls with sleeps of up to 100 ms instead (see _write_gate for which writers).
        # A timeout, never a deadlock: past it the writer goes on to wait in SQLite as before.
        connection.info[_GATE_KEY] = gate.acquire(timeout=busy_timeout_seconds)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _leave_gate(connection)
            raise

    def _leave_gate(connection: Any) -> None:
        if connection.info.pop(_GATE_KEY, False):
            gate.release()

    event.listen(engine, "commit", _leave_gate)
    event.listen(engine, "rollback", _leave_gate)


def build_engine(url: str, busy_timeout_seconds: int = 15) -> Engine:
    """Create the engine for ``url`` with the platform's settings for that database."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        _configure_sqlite(engine, busy_timeout_seconds)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Database:
    """The app's engine and its per-request session."""

    def init_app(self, app: Flask) -> None:
        """Create the engine and wire the session's commit and clean-up into the request cycle."""
        engine = build_engine(app.config["DATABASE_URL"], app.config["SQLITE_BUSY_TIMEOUT"])
        app.extensions["eduplatform.db"] = _AppDatabase(engine)
        app.after_request(_commit_successful_request)
        app.teardown_appcontext(_close_session)

    @property
    def engine(self) -> Engine:
        return _state().engine

    @property
    def session(self) -> Session:
        """The session of the current request or CLI job (created on first use)."""
        if "db_session" not in g:
            g.db_session = _state().new_session(write=not is_read_only_request() and not _view_reads_first())
        return g.db_session

    def start_writing(self) -> None:
        """In a view marked :func:`reads_first`: end its read transaction; what follows may write.

        Call it after the slow checks (a password hash) and before the first write. On SQLite the
        next statement then takes the write lock with ``BEGIN IMMEDIATE``, so the lock is held only
        for the writes. Objects already loaded stay usable (sessions keep them across commits).
        Anywhere else it does nothing: the request already writes.
        """
        session = self.session
        state = _state()
        if state.connection is not None or session.get_bind() is state.write_engine:
            return
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("start_writing() must come before the view's first change")
        session.commit()  # ends the read transaction: there is nothing in it to write
        session.bind = state.write_engine


    def insert_unless_raced(self, row: Row, find_winner: Callable[[], Row | None]) -> tuple[Row, bool]:
        """Add ``row`` in a savepoint; when a unique constraint shows a concurrent request added the
        same thing first, return that one instead. Returns (the row that counts, whether it is ours).

        For "create when missing" writes that two requests may make at once (the year's programme
        snapshot, a school's audit review, a double-submitted quiz).
        """
        from sqlalchemy.exc import IntegrityError

        try:
            with self.session.begin_nested():
                self.session.add(row)
        except IntegrityError:
            winner = find_winner()
            if winner is None:
                raise
            return winner, False
        return row, True

    def read_only(self) -> None:
        """Declare that this CLI job only reads: its session never takes SQLite's write lock.

        Call before the first query. A long export then never holds up the site's writers.
        """
        if "db_session" in g:
            raise RuntimeError("read_only() must be called before the job's first query")
        g.db_read_only = True

    @contextmanager
    def separate_transaction(self) -> Iterator[Session]:
        """A short write transaction of its own, committed as soon as the block ends.

        For writes that must not depend on the request's own transaction: above all, audit-log
        entries written during a GET, whose request runs in a deferred read transaction (see
        ``docs/decisions.md``). On SQLite it opens its own connection with ``BEGIN IMMEDIATE``,
        waiting its turn behind other writers (WAL lets the request keep reading meanwhile). Never
        call it while the request itself holds the write lock (a POST that has written): it would
        wait for itself. The test suite's per-test connection is joined with a savepoint instead.
        """
        session = _state().new_session(write=True)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def reads_first(view: View) -> View:
    """Mark a POST view that checks something slow (a password) before it writes anything.

    Its transaction starts as a read, so on SQLite the slow part does not hold the write lock that
    every other writer of the site waits for; the view calls :meth:`Database.start_writing` before
    its first write. Put it directly under the ``route`` decorator.
    """
    view.eduplatform_reads_first = True  # type: ignore[attr-defined]
    return view


def _view_reads_first() -> bool:
    if not has_request_context() or request.endpoint is None:
        return False
    view = current_app.view_functions.get(request.endpoint)
    return bool(getattr(view, "eduplatform_reads_first", False))


def is_read_only_request() -> bool:
    """True inside a GET/HEAD/OPTIONS request, or a job that said it only reads (:meth:`Database.read_only`).

    Its session reads in a deferred transaction; CLI jobs and other methods open their session for
    writing (``BEGIN IMMEDIATE`` on SQLite).
    """
    return bool(g.get("db_read_only")) or (has_request_context() and request.method in _SAFE_METHODS)


class _AppDatabase:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.connection: Any = None
        self.write_engine = engine.execution_options(**{_WRITE_OPTION: True})
        self._factory = sessionmaker(expire_on_commit=False)

    def new_session(self, write: bool) -> Session:
        if self.connection is not None:
            return self._factory(bind=self.connection, join_transaction_mode="create_savepoint")
        return self._factory(bind=self.write_engine if write else self.engine)


def _state() -> _AppDatabase:
    return current_app.extensions["eduplatform.db"]


def _commit_successful_request(response: Response) -> Response:
    session: Session | None = g.get("db_session")
    if session is not None:
        if response.status_code < 400:
            session.commit()
        else:
            session.rollback()
    return response


def _close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()


db = Database()


def alembic_config(connection: Any = None) -> Any:
    """An Alembic configuration pointing at ``migrations/`` (and at ``connection`` when given)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_PATH))
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection
    return config


def upgrade_database(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration. Safe to run on every start."""
    from alembic import command

    with engine.execution_options(**{_WRITE_OPTION: True}).begin() as connection:
        command.upgrade(alembic_config(connection), "head")


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for an empty database."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest migration in ``migrations/``."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases."""
    prefix = "sqlite:///"
    return Path(url[len(prefix) :]) if url.startswith(prefix) else None


def utcnow() -> datetime:
    """Now, in UTC, without tzinfo: how every timestamp is stored on both databases."""
    return datetime.now(UTC).replace(tzinfo=None)
