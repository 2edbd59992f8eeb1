"""Speed and memory of records exports and the yearly audit at the scale of a trust.

    .venv/bin/python bench/records.py [--database sqlite|postgresql] [--rebuild]

Builds (once, then reuses) a trust of 20 schools and 20,000 people with two academic years of
records (bench/trust_data.py), then prints, measured in the same run:

* export of this year's quiz attempts (the largest export, over 500,000 rows) beside the raw floor:
  the same SQL fetched and written with csv.writer and nothing else; time to the first byte; peak
  Python memory at about 50,000 rows (two schools) and at the whole trust;
* the audit of the 20-school trust beside the raw floor (its aggregate SQL run on its own), and
  the number of queries for one school (1,000 people) and for the trust (20,000 people);
* the PDF of one school's audit;
* the Records dashboard (school progress) of a coordinator and of a trust lead beside its floor: the
  same figures in one plain SQL statement over the school column (``--progress-only``: just this).
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


# --- The Records dashboard ("school progress") beside a plain SQL floor --------------------------

#: The figures of one Records page, in plain SQL over the school column: each person's audience from
#: their role and year group, their required modules' and agreements' states, grouped by ``{key}``.
_FLOOR_SQL = """
WITH audience_of(role, year_group, audience_id) AS (VALUES {audiences}),
required(audience_id, module_id, due, years_valid) AS (VALUES {modules}),
required_agreement(audience_id, agreement_id, years_valid) AS (VALUES {agreements}),
current_text(agreement_id, locale, version) AS (VALUES {versions}),
people AS (
  SELECT DISTINCT u.id AS user_id, u.school_id, a.audience_id
  FROM user_account u JOIN user_role r ON r.user_id = u.id
  JOIN audience_of a ON a.role = r.role AND (a.year_group IS NULL OR a.year_group = u.year_group)
  WHERE u.school_id IN ({schools}) AND u.created_at < :after AND (u.left_at IS NULL OR u.left_at >= :first)),
completion AS (
  SELECT p.user_id, p.school_id, p.audience_id, q.module_id,
    CASE WHEN max(CASE WHEN mc.status = 'completed' THEN 1 ELSE 0 END) = 1 THEN 'completed'
         WHEN q.due < :today THEN 'overdue'
         WHEN max(CASE WHEN mc.academic_year = :year THEN 1 ELSE 0 END) = 1 THEN 'in_progress'
         ELSE 'not_started' END AS status
  FROM people p JOIN required q ON q.audience_id = p.audience_id
  LEFT JOIN module_completion mc ON mc.user_id = p.user_id AND mc.module_id = q.module_id
    AND mc.academic_year > :year - q.years_valid AND mc.academic_year <= :year
  GROUP BY p.user_id, p.school_id, p.audience_id, q.module_id, q.due)
SELECT 'state', {key}, status, count(*), count(*) FROM completion GROUP BY {key}, status
UNION ALL SELECT 'group', {key}, NULL, count(DISTINCT user_id), count(DISTINCT module_id) FROM completion GROUP BY {key}
UNION ALL SELECT 'total', NULL, NULL, count(DISTINCT user_id), count(DISTINCT module_id) FROM completion
UNION ALL SELECT 'agreement', {key}, status, count(*), count(DISTINCT user_id) FROM (
  SELECT p.user_id, p.school_id, p.audience_id, ra.agreement_id,
    CASE WHEN max(CASE WHEN t.version IS NOT NULL THEN s.academic_year END) > :year - ra.years_valid THEN 'signed'
         WHEN count(s.id) > 0 THEN 'needs_signing_again' ELSE 'not_signed' END AS status
  FROM people p JOIN required_agreement ra ON ra.audience_id = p.audience_id
  LEFT JOIN agreement_signature s ON s.user_id = p.user_id AND s.agreement_id = ra.agreement_id
    AND s.academic_year <= :year
  LEFT JOIN current_text t ON t.agreement_id = s.agreement_id AND t.locale = s.locale
    AND t.version = s.agreement_version
  GROUP BY p.user_id, p.school_id, p.audience_id, ra.agreement_id, ra.years_valid) AS agreement_row
GROUP BY {key}, status
"""


def _sql_rows(rows: list[tuple[Any, ...]]) -> str:
    """Constants for a VALUES list (they come from the programme, not from anyone's input)."""
    def one(value: Any) -> str:
        if value is None:
            return "NULL"
        return str(value) if isinstance(value, int) else "'" + str(value).replace("'", "''") + "'"
    return ", ".join("(" + ", ".join(one(value) for value in row) + ")" for row in rows)


def progress_floor(scope: Any, key: str) -> list[Any]:
    """The floor of a Records page: its figures for ``scope`` grouped by ``key``, in one plain SQL statement."""
    from datetime import datetime

    from eduplatform.records.completion import years_valid
    from eduplatform.reports.population import due_date

    programme, year = scope.any_programme(), scope.year
    audiences = [("pupil", group, audience.id) for audience in programme.audiences if audience.learners == "pupils"
                 for group in sorted(audience.year_groups)]
    audiences += [(role, None, audience.id) for audience in programme.audiences if audience.learners != "pupils"
                  for role in sorted(audience.roles)]
    modules = [(module.audience, module.id, due_date(module.term, year.start_year).isoformat(),
                years_valid(module.renewal_months)) for module in programme.modules]
    agreements = [(audience_id, agreement.id, years_valid(agreement.renewal_months))
                  for agreement in programme.agreements for audience_id in sorted(agreement.audiences)]
    versions = [(agreement.id, locale, version) for agreement in programme.agreements
                for locale, version in agreement.versions.items()]
    sql = _FLOOR_SQL.format(audiences=_sql_rows(audiences), modules=_sql_rows(modules),
                            agreements=_sql_rows(agreements), versions=_sql_rows(versions),
                            schools=", ".join(str(school_id) for school_id in scope.school_ids), key=key)
    first = datetime.combine(year.first_day, datetime.min.time())
    after = datetime.combine(year.shifted(1).first_day, datetime.min.time())
    return db.session.execute(text(sql), {"year": year.start_year, "today": scope.today.isoformat(),
                                          "first": first, "after": after}).all()


def signed_in_client(app: Any, user_id: int) -> Any:
    """A test client whose session holds the person (as after signing in), without a password."""
    from eduplatform.accounts.models import User

    client = app.test_client()
    with app.app_context():
        cookie = db.session.get(User, user_id).get_id()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"], session["active_at"] = cookie, True, int(time.time())
    return client


def median_ms_and_statements(engine: Any, rounds: int, action: Any) -> tuple[float, int]:
    """Median milliseconds of ``action`` over ``rounds`` calls, and the SQL statements of one call."""
    import statistics

    times = []
    counter = QueryCounter(engine)
    for _ in range(rounds):
        counter.count = 0
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    event.remove(engine, "before_cursor_execute", counter._count)
    return statistics.median(times), counter.count


def progress_figures(app: Any, rounds: int = 10, lead_rounds: int = 3) -> None:
    """The Records dashboard of a coordinator (one school) and of the trust lead (every school), each
    beside its floor: the same figures in one plain SQL statement, over the school column."""
    from eduplatform.accounts.models import User, UserRole

    with app.app_context():
        coordinator = db.session.scalar(select(UserRole.user_id).where(UserRole.role == "coordinator")
                                        .order_by(UserRole.user_id).limit(1))
        # The benchmark trust has no trust lead: one is added for this measurement and removed after it
        # (or taken over from a run that was stopped before it could remove it).
        lead = db.session.scalar(select(User).where(User.username == "bench-progress-lead"))
        if lead is None:
            lead = User(username="bench-progress-lead", first_name="Bench", last_name="Lead", session_token="x" * 32,
                        trust_id=db.session.scalar(select(Trust.id).limit(1)))
            lead.role_rows.append(UserRole(role="trust_lead"))
            db.session.add(lead)
            db.session.commit()
        lead_id = lead.id
    print(f"Records dashboard (the school progress page), median of {rounds} requests ({lead_rounds} for the trust), "
          "beside its floor:")
    try:
        _progress_row(app, rounds, "coordinator, one school", coordinator, "audience_id")
        _progress_row(app, lead_rounds, "trust lead, every school", lead_id, "school_id")
    finally:
        with app.app_context():
            db.session.delete(db.session.get(User, lead_id))
            db.session.commit()


def progress_floor_ms(app: Any, user_id: int, key: str, rounds: int) -> tuple[float, int]:
    """The floor of the person's Records page (median ms of :func:`progress_floor` over the schools
    they see, grouped by ``key``) and the number of people in those schools."""
    from eduplatform.accounts.models import User
    from eduplatform.reports.requests import scope_from_request

    engine = app.extensions["eduplatform.db"].engine
    with app.test_request_context():
        scope = scope_from_request(db.session.get(User, user_id))
        people = db.session.scalar(select(func.count()).select_from(User).where(User.school_id.in_(scope.school_ids)))
        floor_ms, _ = median_ms_and_statements(engine, rounds, lambda: progress_floor(scope, key))
        db.session.rollback()
    return floor_ms, people


def _progress_row(app: Any, rounds: int, name: str, user_id: int, key: str) -> None:
    """One line: the person's Records page (median ms, statements) and its floor over the same schools."""

    client = signed_in_client(app, user_id)
    assert client.get("/records").status_code == 200
    engine = app.extensions["eduplatform.db"].engine
    page_ms, statements = median_ms_and_statements(engine, rounds, lambda: client.get("/records"))
    floor_ms, people = progress_floor_ms(app, user_id, key, rounds)
    print(f"  {name:26} ({people:,} people): {page_ms:6.1f} ms, {statements} statements; floor (one plain "
          f"SQL statement) {floor_ms:6.1f} ms; ratio {page_ms / floor_ms:.2f}x (target <= 1.5x)")

def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--rebuild", action="store_true", help="Build the trust again from scratch.")
    parser.add_argument("--measure", choices=("baseline", "export", "floor"), help=argparse.SUPPRESS)
    parser.add_argument("--schools", type=int, default=20, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--progress-only", action="store_true",
                        help="Only the Records dashboard (school progress) beside its floor.")
    args = parser.parse_args()
    url = database_url(args.database, args.rebuild and not args.measure)
    app = create_app({"ENV": "development", "INSTANCE_PATH": str(DATA), "DATABASE_URL": url})
    catalogue = app.extensions["eduplatform.catalogue"]
    if args.measure:
        measure_one(app, catalogue, args.measure, args.schools, args.limit)
        return
    build_if_missing(app)
    print(f"database: {args.database}")
    if args.progress_only:
        progress_figures(app)
        return
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
        db.session.rollback()
    progress_figures(app)


if __name__ == "__main__":
    main()
