"""The embedded SQLite set-up, write locking, and migrations matching the models."""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
import time
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text

from eduplatform.accounts.models import User
from eduplatform.db import Base, db, upgrade_database, write_gate_of
from eduplatform.roles import Role


def test_sqlite_runs_with_wal_foreign_keys_normal_sync_and_a_busy_timeout(fresh_app) -> None:
    with fresh_app.app_context():
        pragmas = {name: db.session.execute(text(f"PRAGMA {name}")).scalar()
                   for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")}
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 1, "busy_timeout": 15000}


def test_concurrent_writers_wait_for_each_other_instead_of_failing(fresh_app) -> None:
    """Two requests read-then-write the same row at once: both succeed and no update is lost."""
    from eduplatform.accounts.services import create_user

    with fresh_app.app_context():
        upgrade_database(db.engine)
        user_id = create_user(username="counter", first_name="C", last_name="D", roles={Role.STAFF},
                              school_id=None).id
        db.session.commit()
    errors: list[BaseException] = []

    def increment() -> None:
        try:
            with fresh_app.test_request_context("/", method="POST"):
                user = db.session.scalar(select(User).where(User.id == user_id))
                seen = user.failed_sign_ins
                time.sleep(0.2)  # both transactions are open at the same time
                user.failed_sign_ins = seen + 1
                db.session.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=increment) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with fresh_app.app_context():
        assert db.session.get(User, user_id).failed_sign_ins == 2


def test_reads_do_not_take_the_write_lock(fresh_app) -> None:
    with fresh_app.app_context():
        upgrade_database(db.engine)
    with fresh_app.test_request_context("/", method="POST"):
        db.session.execute(text("SELECT 1"))  # a writer holds the lock...
        with fresh_app.test_request_context("/", method="GET"):
            started = time.monotonic()
            db.session.execute(text("SELECT count(*) FROM user_account"))  # ...a reader is not blocked
            db.session.close()
            assert time.monotonic() - started < 1


def test_the_migrations_match_the_models(app) -> None:
    with app.app_context(), db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == [], "run 'flask --app app db-revision -m ...' to add a migration"


def test_writers_of_one_process_take_turns_and_a_failed_one_lets_the_next_in(fresh_app) -> None:
    """Writers of a process queue at a gate before SQLite's lock; ending a transaction in any way
    (commit, rollback, an error) opens it at once, so the next writer never waits for a time-out."""
    with fresh_app.app_context():
        upgrade_database(db.engine)
    order: list[str] = []

    def write(name: str, fail: bool = False) -> None:
        with fresh_app.test_request_context("/", method="POST"):
            db.session.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: through the gate
            order.append(f"{name} in")
            time.sleep(0.2)
            order.append(f"{name} out")
            if fail:
                db.session.rollback()
                return
            db.session.commit()

    started = time.monotonic()
    threads = [threading.Thread(target=write, args=("first", True)), threading.Thread(target=write, args=("second",))]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    for thread in threads:
        thread.join()
    assert order == ["first in", "first out", "second in", "second out"]
    assert time.monotonic() - started < 2
    with fresh_app.test_request_context("/", method="POST"):
        with contextlib.suppress(Exception):  # a failed statement ends the transaction: the gate opens
            db.session.execute(text("SELECT * FROM no_such_table"))
        db.session.close()
    with fresh_app.test_request_context("/", method="POST"):
        started = time.monotonic()
        db.session.execute(text("SELECT 1"))
        db.session.commit()
        assert time.monotonic() - started < 1


def _hold_the_write_lock(app: Any, holding: Any, release: Any) -> None:
    """In a forked worker: open a write transaction, say so, and keep it until told to end it."""
    app.extensions["eduplatform.db"].engine.dispose(close=False)  # as gunicorn.conf.py's post_fork
    with app.test_request_context("/", method="POST"):
        db.session.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: through the gate
        holding.set()
        release.wait(10)
        db.session.commit()


def test_workers_forked_from_one_app_queue_on_the_same_gate(fresh_app) -> None:
    """gunicorn --preload forks workers from the master's app: a writer in one worker holds the gate
    for the others too, and its commit hands it on (no polling in SQLite's busy handler)."""
    with fresh_app.app_context():
        upgrade_database(db.engine)
        gate = write_gate_of(db.engine)
    fork = multiprocessing.get_context("fork")
    holding, release = fork.Event(), fork.Event()
    worker = fork.Process(target=_hold_the_write_lock, args=(fresh_app, holding, release))
    worker.start()
    try:
        assert holding.wait(10)
        assert not gate.acquire(timeout=0.2)  # the other worker's writer has the turn
        release.set()
        assert gate.acquire(timeout=5)  # handed on at its commit
        gate.release()
    finally:
        release.set()
        worker.join(10)
    assert worker.exitcode == 0
