"""Speed and memory of records exports and the yearly audit at the scale of a trust.

    .venv/bin/python bench/records.py [--database sqlite|postgresql] [--rebuild]

Builds (once, then reuses) a trust of 20 schools and 20,000 people with two academic years of
records (bench/trust_data.py), then prints, measured in the same run:

* export of this year's quiz attempts (the largest export, over 500,000 rows) beside the raw floor:
  the same SQL fetched and written with csv.writer and nothing else; time to the first byte; peak
  Python memory at about 50,000 rows (two schools) and at the whole trust;
* the audit of the 20-school trust beside the raw floor (its aggregate SQL run on its own), and
  the number of queries for one school (1,000 people) and for the trust (20,000 people);
* the PDF of one school's audit.
PostgreSQL uses the database ``eduplatform_bench`` on the local server (created when missing).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from sqlalchemy import create_engine, event, func, select, text

from eduplatform import create_app
from eduplatform.db import db, upgrade_database
from eduplatform.records.models import QuizAttempt
from eduplatform.reports import exports
from eduplatform.reports.audit_build import build_audit
from eduplatform.reports.audit_counts import count_year
from eduplatform.reports.rows import Filters
from eduplatform.reports.scope import build_scope, trust_schools
from eduplatform.schools.models import School, Trust
from eduplatform.schools.years import current_year

DATA = ROOT / "bench" / ".data"
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


def database_url(kind: str, rebuild: bool) -> str:
    if kind == "sqlite":
        DATA.mkdir(exist_ok=True)
        path = DATA / "trust.sqlite3"
        if rebuild:
            path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if rebuild:
            connection.execute(text("DROP DATABASE IF EXISTS eduplatform_bench WITH (FORCE)"))
        if not connection.execute(text("SELECT 1 FROM pg_database WHERE datname = 'eduplatform_bench'")).scalar():
            connection.execute(text("CREATE DATABASE eduplatform_bench"))
    admin.dispose()
    return f"{PG_SERVER}/eduplatform_bench"


def build_if_missing(app: Any) -> None:
    from trust_data import build_trust

    with app.app_context():
        upgrade_database(db.engine)
        if db.session.scalar(select(func.count()).select_from(Trust)):
            return
        started = time.perf_counter()
        year = current_year()
        counts = build_trust(app.extensions["eduplatform.catalogue"], year)
        db.session.commit()
        # Statistics for the query planner, as PostgreSQL's autovacuum (or SQLite's ANALYZE) keeps them.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
        print(f"built the trust in {time.perf_counter() - started:.0f} s: " +
              ", ".join(f"{name} {number:,}" for name, number in counts.items()))


class QueryCounter:
    def __init__(self, engine: Any) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, *_args: Any) -> None:
        self.count += 1


def export_run(kind: str, scope: Any, catalogue: Any, current: int, limit: int | None = None) -> dict[str, float]:
    """Our export: first byte, rows, seconds, and the process's peak resident memory (MB) afterwards."""
    sink = io.StringIO()
    started = time.perf_counter()
    first = None
    rows = [0]

    def counted() -> Any:
        for row in exports.export_rows(kind, scope, Filters(), current, catalogue):
            rows[0] += 1
            yield row
            if limit and rows[0] >= limit:  # the download stopped here (a browser closed, a cut short)
                return

    for chunk in exports.csv_chunks(exports.columns_of(kind, catalogue.strands), counted()):
        if first is None and rows[0]:
            first = time.perf_counter() - started
        sink.write(chunk)
        if sink.tell() > 8_000_000:  # like a socket: written and gone
            sink.seek(0)
            sink.truncate()
    seconds = time.perf_counter() - started
    db.session.rollback()
    return {"rows": rows[0], "seconds": seconds, "first_byte": first or seconds, "peak_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    """The most memory this process has held (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def in_child(*args: str) -> dict[str, Any]:
    """Run one measurement in a fresh process, so its peak memory is its own."""
    found = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True)  # noqa: S603
    return json.loads(found.stdout.strip().splitlines()[-1])


def raw_floor(kind: str, scope: Any, current: int) -> dict[str, float]:
    """The same SQL as the export (people, attempts, strand scores), rows written with csv.writer, nothing else."""
    from eduplatform.reports.attempt_export import people_of
    from eduplatform.reports.rows import in_year_and_scope_in_id_order, strand_scores

    assert kind == "attempts"
    sink = io.StringIO()
    writer = csv.writer(sink)
    started = time.perf_counter()
    people_of(scope, Filters(), current)
    attempts = select(QuizAttempt.id, QuizAttempt.user_id, QuizAttempt.school_id, QuizAttempt.module_id,
                      QuizAttempt.submitted_at, QuizAttempt.locale, QuizAttempt.quiz_version, QuizAttempt.score,
                      QuizAttempt.max_score, QuizAttempt.percent, QuizAttempt.passed
                      ).where(in_year_and_scope_in_id_order(scope)).order_by(QuizAttempt.id)
    rows = 0
    for number, query in enumerate((attempts, strand_scores(scope, scope.any_programme().strands))):
        for row in db.session.execute(query.execution_options(stream_results=True, yield_per=1000)):
            writer.writerow(row)
            rows += number == 0
            if sink.tell() > 8_000_000:
                sink.seek(0)
                sink.truncate()
    db.session.rollback()
    return {"rows": rows, "seconds": time.perf_counter() - started}


def measure_one(app: Any, catalogue: Any, what: str, school_count: int, limit: int | None) -> None:
    """In a child process: one export (or the floor, or nothing), printed as JSON."""
    with app.test_request_context():
        trust = db.session.scalar(select(Trust))
        schools = trust_schools(trust)[:school_count]
        year = current_year(schools[0])
        scope = build_scope(schools, year, catalogue, trust=trust if len(schools) > 1 else None)
        if what == "baseline":
            found: dict[str, Any] = {"peak_mb": peak_rss_mb()}
        elif what == "export":
            found = export_run("attempts", scope, catalogue, year.start_year, limit)
        else:
            found = {**raw_floor("attempts", scope, year.start_year), "peak_mb": peak_rss_mb()}
    print(json.dumps(found))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--rebuild", action="store_true", help="Build the trust again from scratch.")
    parser.add_argument("--measure", choices=("baseline", "export", "floor"), help=argparse.SUPPRESS)
    parser.add_argument("--schools", type=int, default=20, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = database_url(args.database, args.rebuild and not args.measure)
    app = create_app({"ENV": "development", "INSTANCE_PATH": str(DATA), "DATABASE_URL": url})
    catalogue = app.extensions["eduplatform.catalogue"]
    if args.measure:
        measure_one(app, catalogue, args.measure, args.schools, args.limit)
        return
    build_if_missing(app)
    print(f"database: {args.database}")
    with app.test_request_context():
        trust = db.session.scalar(select(Trust))
        schools = trust_schools(trust)
        year = current_year(schools[0])
        current = year.start_year
        people = db.session.scalar(text("SELECT count(*) FROM user_account"))
        attempts = db.session.scalar(select(func.count()).select_from(QuizAttempt))
        print(f"trust: {len(schools)} schools, {people:,} people, {attempts:,} quiz attempts over two years")

        whole = build_scope(schools, year, catalogue, trust=trust)
        db.session.rollback()
        base = in_child("--database", args.database, "--measure", "baseline")
        two = in_child("--database", args.database, "--measure", "export", "--schools", "2")
        small = in_child("--database", args.database, "--measure", "export", "--limit", "50000")
        big = in_child("--database", args.database, "--measure", "export", "--schools", str(len(schools)))
        floor = in_child("--database", args.database, "--measure", "floor", "--schools", str(len(schools)))
        ours_rate, floor_rate = big["rows"] / big["seconds"], floor["rows"] / floor["seconds"]
        print(f"export attempts, whole trust: {big['rows']:,} rows in {big['seconds']:.1f} s "
              f"({ours_rate:,.0f} rows/s); first byte {big['first_byte']:.2f} s")
        print(f"  raw floor (same SQL + csv.writer): {floor['rows']:,} rows in {floor['seconds']:.1f} s "
              f"({floor_rate:,.0f} rows/s); ours is {ours_rate / floor_rate:.2f}x the floor's speed (target >= 0.5)")
        print(f"  peak memory of the process (a new one each): {base['peak_mb']:.0f} MB before any export; "
              f"the trust's export {small['peak_mb']:.0f} MB at {small['rows']:,} rows, {big['peak_mb']:.0f} MB at "
              f"{big['rows']:,} rows: {big['peak_mb'] - small['peak_mb']:+.1f} MB (target: within 10 MB); "
              f"two schools' export ({two['rows']:,} rows) {two['peak_mb']:.0f} MB")
        completions = export_run("completions", whole, catalogue, current)
        print(f"export completions, whole trust: {completions['rows']:,} rows in {completions['seconds']:.1f} s; "
              f"first byte {completions['first_byte']:.2f} s; peak {completions['peak_mb']:.1f} MB")

        db.session.rollback()  # a fresh start, as a new page request would have
        schools = trust_schools(db.session.get(Trust, trust.id))
        whole = build_scope(schools, year, catalogue, trust=schools[0].trust)
        counter = QueryCounter(db.engine)
        started = time.perf_counter()
        audit = build_audit(whole, catalogue, "en")
        audit_seconds = time.perf_counter() - started
        trust_queries = counter.count
        started = time.perf_counter()
        settings = catalogue.audit_settings
        for scope in (whole, build_scope(schools, year.shifted(-1), catalogue, trust=trust)):
            count_year(scope, current, settings.get("class_signing_audience"))
        floor_seconds = time.perf_counter() - started
        counter.count = 0
        school = db.session.get(School, schools[0].id)
        build_audit(build_scope([school], year, catalogue), catalogue, "en")
        school_queries = counter.count
        print(f"audit of the trust ({people:,} people, {len(audit.figures):,} figures): {audit_seconds:.1f} s; "
              f"raw floor (its aggregate SQL alone) {floor_seconds:.1f} s; ratio {audit_seconds / floor_seconds:.2f}x "
              f"(target <= 3x)")
        print(f"  queries: {school_queries} for one school of 1,000 people, {trust_queries} for the trust of "
              f"{people:,}")

        from eduplatform.pdf import render_pdf
        from eduplatform.reports.audit_render import render_audit_document

        started = time.perf_counter()
        one = build_audit(build_scope([school], year, catalogue), catalogue, "en")
        pdf = render_pdf(render_audit_document(one), app.static_folder or "")
        first = time.perf_counter() - started
        started = time.perf_counter()
        pdf = render_pdf(render_audit_document(build_audit(build_scope([school], year, catalogue), catalogue, "en")),
                         app.static_folder or "")
        print(f"PDF of one school's audit (figures and PDF): {first:.1f} s the first time in a process (loads the "
              f"fonts), {time.perf_counter() - started:.1f} s after, {len(pdf) / 1e3:.0f} kB (target < 5 s)")


if __name__ == "__main__":
    main()
