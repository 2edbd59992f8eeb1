"""Gunicorn settings for eduplatform, read by ``gunicorn app:app`` when started in the project folder.

* **Threads per worker** (``gthread``): a password sign-in spends most of its time hashing (which
  releases the GIL) or waiting out the sign-in time floor, so a worker serves other pages meanwhile.
  With plain ``sync`` workers a class of 30 signing in at once queued behind each other's floors.
* **Preload**: the app, with its rendered catalogue, is built once in the master process and shared
  by every worker (copy-on-write), so a worker starts in milliseconds instead of re-reading and
  rendering the whole programme. Each worker then opens its own database connections (``post_fork``).
  On SQLite the workers also share the app's write gate (a semaphore made before the fork), so
  writers of every worker queue on it and are handed the turn at each commit, instead of polling
  in SQLite's busy handler (sleeps of up to 100 ms): quiz submissions and sign-ins in a burst.

Every setting can be changed from the environment, or on the command line (``-w 4``, ``--threads``).
"""

from __future__ import annotations

import os
from typing import Any

bind = os.environ.get("EDUPLATFORM_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("EDUPLATFORM_THREADS", "8"))
preload_app = os.environ.get("EDUPLATFORM_PRELOAD", "1") != "0"
timeout = 60
graceful_timeout = 20


def post_fork(_server: Any, _worker: Any) -> None:
    """A new worker: forget the master's database connections (never share a connection across processes)."""
    import sys

    app_module = sys.modules.get("app")
    application = getattr(app_module, "app", None)
    if application is not None:
        application.extensions["eduplatform.db"].engine.dispose(close=False)
