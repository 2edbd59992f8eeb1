"""Speed and query counts of running a school at the scale of a trust: people pages, adding one
person, school settings, the help box, and signing in with a (local) OpenID Connect provider.

    .venv/bin/python bench/setup.py [--database sqlite|postgresql] [--rounds N]

Uses the benchmark trust of ``bench/records.py`` (20 schools, 20,000 people; built once into
``bench/.data`` or the ``eduplatform_bench`` PostgreSQL database). Each figure is the median of
``--rounds`` requests through the app's test client, with the number of SQL statements of one
request. People added by the benchmark are removed again at the end.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import requests
from records import DATA, QueryCounter, build_if_missing, database_url
from sqlalchemy import delete, event, func, select

from eduplatform import create_app
from eduplatform.accounts.models import User, UserRole
from eduplatform.audit.models import AuditEvent
from eduplatform.db import db
from eduplatform.roles import Role
from eduplatform.schools.models import School
from eduplatform.schools.services import set_single_sign_on
from tests.oidc_provider import LocalOIDCProvider

MARK = "bench-added"


def signed_in(app: Any, user_id: int) -> Any:
    """A test client whose session holds the person (as after signing in), without a password."""
    client = app.test_client()
    with app.app_context():
        user = db.session.get(User, user_id)
        cookie = user.get_id()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"], session["active_at"] = cookie, True, int(time.time())
    return client


def timed(rounds: int, engine: Any, action: Callable[[int], Any]) -> tuple[float, int]:
    """Median milliseconds over ``rounds`` calls, and the SQL statements of the last call."""
    times, statements = [], 0
    for number in range(rounds):
        counter = QueryCounter(engine)
        started = time.perf_counter()
        action(number)
        times.append((time.perf_counter() - started) * 1000)
        event.remove(engine, "before_cursor_execute", counter._count)
        statements = counter.count
    return statistics.median(times), statements


def csrf(client: Any, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    return page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    idp = LocalOIDCProvider().start()
    app = create_app({"ENV": "development", "INSTANCE_PATH": str(DATA),
                      "DATABASE_URL": database_url(args.database, False),
                      "SSO_GOOGLE_CLIENT_ID": "eduplatform-test", "SSO_GOOGLE_CLIENT_SECRET": "test-secret",
                      "SSO_GOOGLE_METADATA_URL": idp.metadata_url})
    build_if_missing(app)
    engine = app.extensions["eduplatform.db"].engine
    with app.app_context():
        school = db.session.scalar(select(School).order_by(School.id))
        people = db.session.scalar(select(func.count()).select_from(User).where(User.school_id == school.id))
        everyone = db.session.scalar(select(func.count()).select_from(User))
        def first_of(role: Role) -> User:
            return db.session.scalar(select(User).join(UserRole).where(
                User.school_id == school.id, UserRole.role == role, User.left_at.is_(None)).order_by(User.id))

        coordinator, staff, pupil = first_of(Role.COORDINATOR), first_of(Role.STAFF), first_of(Role.PUPIL)
        staff.email = "bench.teacher@bench.sch.uk"
        set_single_sign_on(school, provider="google", domain="bench.sch.uk", tenant=None)
        admin = db.session.scalar(select(User).join(UserRole).where(UserRole.role == Role.ADMIN))
        if admin is None:
            from eduplatform.accounts.services import create_user

            admin = create_user(username="bench.admin", first_name="Bench", last_name="Admin",
                                roles={Role.ADMIN}, school_id=None)
        ids = (school.id, coordinator.id, staff.id, pupil.id, admin.id)
        lesson = next(f"/modules/{module.id}/lessons/{module.lesson_ids[0]}"
                      for module in app.extensions["eduplatform.catalogue"].modules_for(
                          app.extensions["eduplatform.catalogue"].audience_ids_of(pupil)))
        db.session.commit()
    school_id, coordinator_id, staff_id, pupil_id, admin_id = ids
    print(f"database: {args.database}; school of {people:,} people in a trust of {everyone:,}; "
          f"median of {args.rounds} requests")

    as_coordinator, as_pupil = signed_in(app, coordinator_id), signed_in(app, pupil_id)
    as_admin = signed_in(app, admin_id)
    rows = [
        ("People list (coordinator)", lambda _: as_coordinator.get("/people")),
        ("A person's page", lambda _: as_coordinator.get(f"/people/{staff_id}")),
        ("Edit a person (form)", lambda _: as_coordinator.get(f"/people/{staff_id}/edit")),
        ("School settings", lambda _: as_coordinator.get(f"/schools/{school_id}/settings")),
        ("Lesson with the help box (pupil)", lambda _: as_pupil.get(lesson)),
        ("Admin: trusts and schools", lambda _: as_admin.get("/admin")),
    ]
    for name, action in rows:
        assert action(0).status_code == 200, name
        ms, statements = timed(args.rounds, engine, action)
        print(f"  {name:34} {ms:7.1f} ms  {statements:3} statements")

    token = csrf(as_coordinator, f"/schools/{school_id}/people/new")

    def add(number: int) -> None:
        response = as_coordinator.post(f"/schools/{school_id}/people/new", data={
            "csrf_token": token, "first_name": "Bench", "last_name": f"Added {number}", "roles": ["staff"],
            "email": f"{MARK}-{number}-{time.time_ns()}@bench.sch.uk", "username": ""})
        assert response.status_code == 200 and "has been added" in response.get_data(as_text=True)

    ms, statements = timed(args.rounds, engine, add)
    print(f"  {'Add one person (POST, commit)':34} {ms:7.1f} ms  {statements:3} statements")

    idp.sign_in_as("bench.teacher@bench.sch.uk", hd="bench.sch.uk")

    def sign_on(_: int) -> None:
        client = app.test_client()
        start = client.get("/login/sso/google")
        answer = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
        back = urlsplit(answer.headers["Location"])
        assert client.get(f"{back.path}?{back.query}").status_code == 302

    ms, statements = timed(args.rounds, engine, sign_on)
    print(f"  {'Google sign-in round trip (local)':34} {ms:7.1f} ms  {statements:3} statements "
          "(provider's time included)")

    with app.app_context():  # leave the benchmark trust as it was
        added = select(User.id).where(User.email.like(f"{MARK}-%"))
        db.session.execute(delete(AuditEvent).where(AuditEvent.subject_user_id.in_(added)))
        db.session.execute(delete(User).where(User.id.in_(added)))
        set_single_sign_on(db.session.get(School, school_id), provider=None, domain=None, tenant=None)
        db.session.commit()
    idp.stop()


if __name__ == "__main__":
    main()
