"""The measuring parts of ``bench/serve.py``: statistics, the figure table, gunicorn, and load generators.

Pure helpers (:func:`percentile`, :func:`ratio_text`, :class:`Figure`, :func:`markdown_table`) are
unit-tested in ``tests/test_bench_harness.py``. :class:`Gunicorn` starts a server on a free port
and reads its start-up timings (``bench/gunicorn_timing.py``). :func:`hammer` drives one URL with N
keep-alive connections for a while, with ``wrk`` when installed and a threaded Python client
otherwise; :func:`at_arrivals` runs one small scenario per simulated person, each starting at its
own arrival time, and collects their latencies and errors.
"""

from __future__ import annotations

import json
import math
import os
import runpy
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


# --- statistics and the table ------------------------------------------------------------------


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The ``fraction`` (0-1) percentile by the nearest-rank method; NaN for no samples."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def ratio_text(project: float, floor: float) -> str:
    """``project / floor`` as ``2.31x``; a dash when either is missing or the floor is zero."""
    if not (math.isfinite(project) and math.isfinite(floor)) or floor == 0:
        return "-"
    return f"{project / floor:.2f}x"


@dataclass
class Figure:
    """One row of the table: what was measured, the app's value, the floor's, and the goal.

    ``goal`` is the text printed; ``met`` is None when the goal cannot be judged (nothing measured).
    """

    what: str
    project: str
    floor: str
    ratio: str
    goal: str
    met: bool | None

    def cells(self) -> list[str]:
        verdict = "-" if self.met is None else ("yes" if self.met else "**no**")
        return [self.what, self.project, self.floor, self.ratio, self.goal, verdict]


def goal_at_most(what: str, project: float, floor: float, limit: float, unit: str, *,
                 project_text: str | None = None, floor_text: str | None = None, strict: bool = False) -> Figure:
    """A figure whose goal is ``project <= limit × floor`` (``<`` when ``strict``)."""
    known = math.isfinite(project) and math.isfinite(floor) and floor > 0
    met = None if not known else (project / floor < limit if strict else project / floor <= limit)
    sign = "<" if strict else "<="
    return Figure(what, project_text or f"{project:,.1f} {unit}", floor_text or f"{floor:,.1f} {unit}",
                  ratio_text(project, floor), f"{sign} {limit:g}x floor", met)


def goal_at_least(what: str, project: float, floor: float, limit: float, unit: str, *,
                  project_text: str | None = None, floor_text: str | None = None) -> Figure:
    """A figure whose goal is ``project >= limit × floor`` (throughput)."""
    known = math.isfinite(project) and math.isfinite(floor) and floor > 0
    return Figure(what, project_text or f"{project:,.0f} {unit}", floor_text or f"{floor:,.0f} {unit}",
                  ratio_text(project, floor), f">= {limit:g}x floor",
                  None if not known else project / floor >= limit)


def goal_absolute(what: str, project: float, limit: float, unit: str, *, project_text: str | None = None,
                  floor_text: str = "-", extra_ok: bool = True) -> Figure:
    """A figure with a fixed goal (``project < limit``) and no floor; ``extra_ok`` adds other conditions."""
    known = math.isfinite(project)
    return Figure(what, project_text or f"{project:,.1f} {unit}", floor_text, "-", f"< {limit:g} {unit}",
                  None if not known else (project < limit and extra_ok))


def markdown_table(figures: Sequence[Figure]) -> str:
    """The figures as a Markdown table: what | project | floor | ratio | goal | met?"""
    lines = ["| What | Project | Floor in the same run | Ratio | Goal | Met? |", "|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in figure.cells()) + " |" for figure in figures]
    return "\n".join(lines)


# --- gunicorn ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def shipped_threads() -> int:
    """Threads per worker as the project's ``gunicorn.conf.py`` sets them (``EDUPLATFORM_THREADS`` or its default)."""
    return int(runpy.run_path(str(ROOT / "gunicorn.conf.py"))["threads"])


@dataclass
class Gunicorn:
    """One gunicorn server (``-w workers``, gthread with ``threads`` each) on a free local port."""

    app: str
    env: dict[str, str]
    workers: int = 2
    threads: int = field(default_factory=shipped_threads)
    preload: bool = False
    chdir: Path = ROOT
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    timing_log: Path | None = None
    started_at: float = 0.0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_path: str = "/healthz", timeout: float = 60) -> Gunicorn:
        handle, name = tempfile.mkstemp(prefix="gunicorn-timing-", suffix=".jsonl")
        os.close(handle)
        self.timing_log = Path(name)
        command = [sys.executable, "-m", "gunicorn", "-c", str(BENCH / "gunicorn_timing.py"), "--chdir",
                   str(self.chdir), "-w", str(self.workers), "--threads", str(self.threads), "-b",
                   f"127.0.0.1:{self.port}", "--log-level", "warning", "--timeout", "120"]
        if self.preload:
            command.append("--preload")
        self.started_at = time.time()
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [*command, self.app], env={**os.environ, **self.env, "BENCH_TIMING_LOG": name,
                                       "EDUPLATFORM_PRELOAD": "1" if self.preload else "0"})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.app} stopped at start-up (exit {self.process.returncode})")
            if len(self.events("post_worker_init")) >= self.workers:
                try:
                    with urllib.request.urlopen(self.base + ready_path, timeout=5):  # noqa: S310 (local)
                        return self
                except OSError:
                    pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"gunicorn {self.app} did not answer within {timeout} s")

    def events(self, name: str) -> list[dict[str, Any]]:
        if self.timing_log is None or not self.timing_log.exists():
            return []
        lines = self.timing_log.read_text(encoding="utf-8").splitlines()
        return [event for event in map(json.loads, lines) if event["event"] == name]

    def startup(self) -> dict[str, float]:
        """Seconds: each worker's fork to ready (the slowest), the master's own load, and launch to all ready."""
        forks = {event["pid"]: event["at"] for event in self.events("post_fork")}
        ready = {event["pid"]: event["at"] for event in self.events("post_worker_init")}
        per_worker = [ready[pid] - forks[pid] for pid in ready if pid in forks]
        master = self.events("when_ready")
        return {"per_worker": max(per_worker) if per_worker else math.nan,
                "master": master[0]["at"] - self.started_at if master else math.nan,
                "all_ready": max(ready.values()) - self.started_at if ready else math.nan}

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.timing_log is not None:
            self.timing_log.unlink(missing_ok=True)


# --- load generators ---------------------------------------------------------------------------


@dataclass
class LoadResult:
    """Throughput (requests per second), latency percentiles (ms), requests and errors of a load run."""

    rps: float
    p50_ms: float
    p95_ms: float
    requests: int
    errors: int
    tool: str


_WRK_SCRIPT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
                 + summary.errors.status + summary.errors.timeout
  io.write(string.format("WRK-JSON {\\"requests\\": %d, \\"seconds\\": %f, \\"p50\\": %f, \\"p95\\": %f, "
    .. "\\"errors\\": %d}\\n", summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, errors))
end
"""


def hammer(url: str, connections: int, seconds: float, headers: dict[str, str] | None = None,
           use_wrk: bool = True) -> LoadResult:
    """GET ``url`` over ``connections`` keep-alive connections for ``seconds``; wrk when installed."""
    wrk = shutil.which("wrk") if use_wrk else None
    if wrk:
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(_WRK_SCRIPT)
        command = [wrk, "-t", "2", "-c", str(connections), "-d", f"{max(1, round(seconds))}s", "-s", script.name]
        for name, value in (headers or {}).items():
            command += ["-H", f"{name}: {value}"]
        try:
            output = subprocess.run([*command, url], capture_output=True, text=True, check=True,  # noqa: S603
                                    timeout=seconds + 30).stdout
        finally:
            os.unlink(script.name)
        found = json.loads(next(line for line in output.splitlines() if line.startswith("WRK-JSON"))[9:])
        return LoadResult(found["requests"] / found["seconds"], found["p50"], found["p95"], found["requests"],
                          found["errors"], "wrk")
    return _python_hammer(url, connections, seconds, headers or {})


def _python_hammer(url: str, connections: int, seconds: float, headers: dict[str, str]) -> LoadResult:
    """The fallback when wrk is missing: one thread per connection (the client shares the CPUs, so
    it understates the server's throughput; both sides of a row are measured the same way)."""
    host_port, _, path = url.removeprefix("http://").partition("/")
    host, _, port = host_port.partition(":")
    stop_at = time.perf_counter() + seconds
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections

    def worker(index: int) -> None:
        connection = HTTPConnection(host, int(port or 80), timeout=30)
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            try:
                connection.request("GET", "/" + path, headers=headers)
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    errors[index] += 1
            except OSError:
                errors[index] += 1
                connection.close()
                connection = HTTPConnection(host, int(port or 80), timeout=30)
                continue
            latencies[index].append((time.perf_counter() - started) * 1000)
        connection.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    samples = [sample for per in latencies for sample in per]
    return LoadResult(len(samples) / elapsed, percentile(samples, 0.5), percentile(samples, 0.95), len(samples),
                      sum(errors), "python")


@dataclass
class Arrivals:
    """What a burst of people did: each person's timed steps (ms by step name), errors, and the span
    from the first arrival to the last person done (s)."""

    steps: dict[str, list[float]]
    errors: list[str]
    all_done_s: float

    def p(self, step: str, fraction: float) -> float:
        return percentile(self.steps.get(step, []), fraction)


class Timer:
    """Times named steps of one person's scenario: ``with timer("sign-in"): ...``."""

    def __init__(self) -> None:
        self.steps: dict[str, list[float]] = {}
        self._name = ""
        self._started = 0.0

    def __call__(self, name: str) -> Timer:
        self._name = name
        return self

    def __enter__(self) -> Timer:
        self._started = time.perf_counter()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.steps.setdefault(self._name, []).append((time.perf_counter() - self._started) * 1000)


def at_arrivals(people: Sequence[Any], within_s: float, scenario: Callable[[Any, Timer], None]) -> Arrivals:
    """Run ``scenario(person, timer)`` for each person, arrivals spread evenly over ``within_s`` seconds."""
    gap = within_s / max(1, len(people))
    began = time.perf_counter()
    steps: dict[str, list[float]] = {}
    errors: list[str] = []
    lock = threading.Lock()

    def run(index: int, person: Any) -> None:
        time.sleep(max(0.0, began + index * gap - time.perf_counter()))
        timer = Timer()
        try:
            scenario(person, timer)
        except Exception as error:  # every failure is counted and shown, never hidden
            with lock:
                errors.append(f"{type(error).__name__}: {error}"[:200])
        with lock:
            for name, values in timer.steps.items():
                steps.setdefault(name, []).extend(values)

    with ThreadPoolExecutor(max_workers=len(people) or 1) as pool:
        list(pool.map(run, range(len(people)), people))
    return Arrivals(steps, errors, time.perf_counter() - began)
