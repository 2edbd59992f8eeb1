"""The shipped gunicorn settings: threads per worker, the app preloaded once, own connections per worker."""

from __future__ import annotations

import runpy
import sys
import types
from pathlib import Path

from sqlalchemy import text

from eduplatform.db import db

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def test_workers_use_threads_and_share_a_preloaded_app(monkeypatch) -> None:
    monkeypatch.delenv("EDUPLATFORM_PRELOAD", raising=False)
    settings = runpy.run_path(str(CONF))
    assert settings["worker_class"] == "gthread" and settings["threads"] >= 2
    assert settings["preload_app"] is True
    monkeypatch.setenv("EDUPLATFORM_PRELOAD", "0")
    assert runpy.run_path(str(CONF))["preload_app"] is False


def test_a_new_worker_lets_go_of_the_masters_connections(fresh_app, monkeypatch) -> None:
    with fresh_app.app_context():
        db.session.execute(text("SELECT 1"))
        db.session.close()
    pool = fresh_app.extensions["eduplatform.db"].engine.pool
    assert pool.checkedin() == 1  # the master's connection, which a forked worker must not use
    monkeypatch.setitem(sys.modules, "app", types.SimpleNamespace(app=fresh_app))
    runpy.run_path(str(CONF))["post_fork"](None, None)
    assert fresh_app.extensions["eduplatform.db"].engine.pool.checkedin() == 0
