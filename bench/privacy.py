"""Speed of the audit log and the privacy work at the scale of a trust.

    .venv/bin/python bench/privacy.py [--rebuild]

Starts from the records benchmark's trust (bench/records.py: 20 schools, 20,000 people, two
academic years of records; built once if missing) copied to its own SQLite file
(``bench/.data/privacy.sqlite3``), then adds in bulk, on the models: about 100,000 audit-log entries
for the first school over two years (a quarter of them older than the default two-year period),
leavers (one person in 20 left three years ago) so the purge has people to erase, and safeguarding
concerns about half the pupils who left (open, or closed a year ago) so it has people to keep. Then
prints, each with its SQL statements, measured through the web pages as the coordinator of the
first school:

* the audit-log page (first page, and a page far back) and the CSV of one month;
* a pupil's data export (JSON and PDF), for a pupil with a year and more of records;
* the retention page (its purge preview is a dry run of the school);
* a dry-run purge of one school and of the whole trust (the functions the command line calls);
* a backup of the bench database (SQLite online backup).
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from records import DATA, QueryCounter, build_if_missing, database_url
from sqlalchemy import func, insert, select, text, update

from eduplatform import create_app
from eduplatform.accounts.models import User, UserRole
from eduplatform.accounts.services import hash_password
from eduplatform.audit.models import AuditAction, AuditEvent
from eduplatform.concerns.models import Concern
from eduplatform.db import db, utcnow
from eduplatform.records.models import QuizAttempt
from eduplatform.roles import Role

DATABASE = DATA / "privacy.sqlite3"
ENTRIES = 100_000
PASSWORD = "bench-privacy-password"  # noqa: S105 (the bench coordinator's, in the bench's own database)
ACTIONS = (AuditAction.SIGNED_IN, AuditAction.SIGNED_OUT, AuditAction.PERSON_RECORD_VIEWED,
           AuditAction.SIGN_IN_FAILED, AuditAction.EXPORT_DOWNLOADED)


def settings(url: str) -> dict[str, Any]:
    return {"ENV": "development", "INSTANCE_PATH": str(DATA), "DATABASE_URL": url, "MFA_REQUIRED_FOR": (),
            "RATE_LIMITS_ENABLED": False, "SIGN_IN_FLOOR_MS": 0}


def prepare(rebuild: bool) -> None:
    """The records trust, copied once to this bench's own file, with its audit log and leavers added."""
    if DATABASE.exists() and not rebuild:
        return
    source_app = create_app(settings(database_url("sqlite", False)))
    build_if_missing(source_app)
    source_app.extensions["eduplatform.db"].engine.dispose()
    started = time.perf_counter()
    DATABASE.unlink(missing_ok=True)
    shutil.copyfile(DATA / "trust.sqlite3", DATABASE)
    app = create_app(settings(f"sqlite:///{DATABASE}"))
    with app.app_context():
        rng = random.Random(2026)
        now = utcnow()
        school_id = 1
        people = list(db.session.scalars(select(User.id).where(User.school_id == school_id).order_by(User.id)))
        rows = []
        for number in range(ENTRIES):
            action = ACTIONS[number % len(ACTIONS)]
            actor = rng.choice(people)
            subject = rng.choice(people) if action is AuditAction.PERSON_RECORD_VIEWED else None
            rows.append({"action": action.value, "actor_id": actor, "school_id": school_id,
                         "subject_user_id": subject, "details": {}, "address": f"10.0.{number % 250}.{number % 200}",
                         "at": now - timedelta(seconds=int(number * 2.7 * 365 * 86400 / ENTRIES))})
            if len(rows) == 20_000:
                db.session.execute(insert(AuditEvent), rows)
                rows.clear()
        db.session.execute(update(User).where(User.id % 20 == 7).values(left_at=now - timedelta(days=3 * 365)))
        # Safeguarding concerns about one leaver in two (open, or closed a year ago): the purge keeps them.
        leavers = db.session.execute(select(User.id, User.school_id).join(UserRole, UserRole.user_id == User.id)
                                     .where(User.left_at.is_not(None), UserRole.role == Role.PUPIL)
                                     .order_by(User.id)).all()
        db.session.execute(insert(Concern), [
            {"school_id": school, "reporter_id": pupil, "reporter_kind": "pupil", "about_id": pupil,
             "category": "cyberbullying", "pictures": [], "text": "bench", "happening_now": False,
             "reported_at": now - timedelta(days=800), "status": "open" if number % 4 else "closed",
             "closed_at": None if number % 4 else now - timedelta(days=365), "outcome": None if number % 4 else "bench"}
            for number, (pupil, school) in enumerate(leavers) if number % 2])
        coordinator = _coordinator()
        coordinator.password_hash = hash_password(PASSWORD)
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    app.extensions["eduplatform.db"].engine.dispose()
    print(f"prepared the privacy bench data in {time.perf_counter() - started:.0f} s")


def _coordinator() -> User:
    person = db.session.scalar(select(User).join(UserRole, UserRole.user_id == User.id).where(
        User.school_id == 1, UserRole.role == Role.COORDINATOR, User.left_at.is_(None)).order_by(User.id))
    assert person is not None
    return person


def _token(client: Any, path: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert found, path
    return found.group(1)


def timed(counter: QueryCounter, action: Any) -> tuple[Any, float, int]:
    counter.count = 0
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started, counter.count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rebuild", action="store_true", help="Copy the trust and add this bench's data again.")
    args = parser.parse_args()
    prepare(args.rebuild)
    app = create_app(settings(f"sqlite:///{DATABASE}"))
    counter = QueryCounter(app.extensions["eduplatform.db"].engine)
    with app.app_context():
        people = db.session.scalar(select(func.count()).select_from(User))
        entries = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.school_id == 1))
        coordinator = _coordinator().username
        # A Year 8 pupil of the first school with the most quiz attempts (two years of records).
        pupil_id = db.session.scalar(select(QuizAttempt.user_id).join(User, User.id == QuizAttempt.user_id)
                                     .where(User.school_id == 1, User.year_group == 8, User.left_at.is_(None))
                                     .group_by(QuizAttempt.user_id).order_by(func.count().desc()).limit(1))
        oldest = db.session.scalar(select(func.min(AuditEvent.id)).where(AuditEvent.school_id == 1))
        month_end = utcnow().date().replace(day=1) - timedelta(days=1)
        db.session.rollback()
    print(f"trust: {people:,} people; the first school's audit log: {entries:,} entries")
    client = app.test_client()
    response = client.post("/login", data={"username": coordinator, "password": PASSWORD,
                                           "csrf_token": _token(client, "/login")})
    assert response.status_code == 302, response.status_code
    client.get("/")  # the session's first page loads the menu's helpers

    def page(path: str) -> tuple[int, int]:
        got = client.get(path)
        assert got.status_code == 200, (path, got.status_code)
        return got.status_code, len(got.get_data())

    for label, path in (("audit-log page, newest 50", "/audit-log"),
                        ("audit-log page, 50 from far back", f"/audit-log?older={oldest + 5000}"),
                        ("audit-log page, one person's entries", f"/audit-log?person=u{pupil_id}"),
                        ("audit-log CSV of one month",
                         f"/audit-log.csv?from={month_end.replace(day=1).isoformat()}&to={month_end.isoformat()}"),
                        ("a pupil's data export, JSON", f"/people/{pupil_id}/data.json"),
                        ("a pupil's data export, PDF", f"/people/{pupil_id}/data.pdf"),
                        ("the retention page (with the purge preview)", "/privacy/retention")):
        (_status, size), seconds, statements = timed(counter, lambda path=path: page(path))
        print(f"{label}: {seconds * 1000:,.0f} ms, {statements} SQL statements, {size / 1000:,.0f} kB")

    from eduplatform.privacy.backup import take_backup
    from eduplatform.privacy.purge import purge

    with app.app_context():
        today = utcnow().date()
        for label, ids in (("one school", [1]), ("the whole trust", None)):
            report, seconds, statements = timed(counter, lambda ids=ids: purge(today, dry_run=True, school_ids=ids))
            erased = sum(report.total(kind) for kind in ("pupils", "staff", "parents", "visitors"))
            kept = sum(len(school.kept) for school in report.schools)
            print(f"dry-run purge of {label}: {seconds * 1000:,.0f} ms, {statements:,} SQL statements; would erase "
                  f"{erased:,} people, keep {kept:,}, delete {report.total('audit_log'):,} audit-log entries")
            db.session.rollback()
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch) / "backup.sqlite3"
            started = time.perf_counter()
            result = take_backup(db.engine, out)
            print(f"backup of the bench database (SQLite online backup): {time.perf_counter() - started:,.1f} s, "
                  f"{result.size / 1e6:,.0f} MB")
    print(f"(measured {datetime.now().isoformat(timespec='minutes')})")


if __name__ == "__main__":
    main()
