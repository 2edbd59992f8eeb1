"""A gunicorn config file for the bench: writes when the master and each worker start and are ready.

Used by ``bench/serve.py`` as ``gunicorn -c bench/gunicorn_timing.py``; each hook appends one JSON
line (event, pid, wall-clock time) to the file named by ``BENCH_TIMING_LOG``. A worker's start-up is
the time from ``post_fork`` to ``post_worker_init`` (the app loaded and ready to take requests);
with ``--preload`` the app is loaded once in the master, between ``on_starting`` and ``when_ready``.

The project's own ``gunicorn.conf.py`` (when present) is read first, so the bench serves the site
as it is deployed; its hooks still run. ``bench/serve.py`` sets ``EDUPLATFORM_PRELOAD`` for each
server and gives workers, threads and the address on the command line.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

_PROJECT_CONFIG = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"
_project: dict[str, Any] = {}
if _PROJECT_CONFIG.exists():
    exec(compile(_PROJECT_CONFIG.read_text(encoding="utf-8"), str(_PROJECT_CONFIG), "exec"), _project)  # noqa: S102
    globals().update({name: value for name, value in _project.items()
                      if not name.startswith("_") and name not in {"annotations", "os", "Any"} and not callable(value)})


def _write(event: str) -> None:
    path = os.environ.get("BENCH_TIMING_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"event": event, "pid": os.getpid(), "at": time.time()}) + "\n")


def on_starting(server: Any) -> None:
    _write("on_starting")
    if callable(_project.get("on_starting")):
        _project["on_starting"](server)


def when_ready(server: Any) -> None:
    _write("when_ready")
    if callable(_project.get("when_ready")):
        _project["when_ready"](server)


def post_fork(server: Any, worker: Any) -> None:
    _write("post_fork")
    if callable(_project.get("post_fork")):
        _project["post_fork"](server, worker)


def post_worker_init(worker: Any) -> None:
    _write("post_worker_init")
    if callable(_project.get("post_worker_init")):
        _project["post_worker_init"](worker)
