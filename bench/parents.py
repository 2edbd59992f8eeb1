"""Speed and query counts of the parents' pages at the scale of a large school (issue 13).

    .venv/bin/python bench/parents.py [--rounds N] [--keep]

Builds its own data in a few seconds, with bulk inserts on the models, into a fresh SQLite file in a
temporary folder: one school with 60 classes of 30 pupils this academic year, two parents for every
pupil (families of one to three children, so some parents have three), photo-consent decisions on the
home-school agreement for about 80% of pupils (some withdrawn later, some where the two parents
disagree), and 50 parents' workshops over the year with 3,000 registrations (one workshop with 200),
attendance on the past ones and feedback from some who came. Then prints, for each page, the median
and the fastest of ``--rounds`` requests through the app's test client (signed in as the person who
reads it) and the SQL statements of one request.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from setup import signed_in
from sqlalchemy import event, insert, text
from werkzeug.security import generate_password_hash

from eduplatform import create_app
from eduplatform.academic_year import AcademicYear, zone
from eduplatform.accounts.models import ParentLink, User, UserRole
from eduplatform.catalogue.model import Catalogue
from eduplatform.db import db, upgrade_database, utcnow
from eduplatform.records.models import (
    AgreementSignature,
    Attendance,
    Attendee,
    ConsentDecision,
    ModuleCompletion,
)
from eduplatform.schools.models import ClassMember, ClassTeacher, School, SchoolClass, Trust
from eduplatform.schools.years import current_year
from eduplatform.workshops.models import Workshop, WorkshopFeedback, WorkshopRegistration

CLASSES, CLASS_SIZE, YEAR_GROUPS = 60, 30, 12
WORKSHOPS, REGISTRATIONS, BIG_WORKSHOP = 50, 3_000, 200
AGREEMENT = "home-school-agreement"
PARENT_MODULES = ("parents-under-8s", "parents-gaming-chat", "parents-teens-social")
TIME_ZONE = "Europe/London"
CHUNK = 20_000


class SchoolBuilder:
    """The rows of the benchmark school, made in memory with their ids, then inserted in bulk."""

    def __init__(self, catalogue: Catalogue, year: AcademicYear, now: datetime, seed: int = 13):
        self.rng = random.Random(seed)
        self.catalogue, self.year, self.now = catalogue, year, now
        self.rows: dict[Any, list[dict[str, Any]]] = {model: [] for model in (
            Trust, School, User, UserRole, SchoolClass, ClassMember, ClassTeacher, ParentLink, AgreementSignature,
            ConsentDecision, Attendance, Workshop, WorkshopRegistration, Attendee, ModuleCompletion,
            WorkshopFeedback)}
        self.next_user = 0
        self.password_hash = generate_password_hash("bench-password-not-used")  # one hash for everyone
        self.joined = datetime.combine(year.first_day, clock(9)) - timedelta(days=30)
        self.families: list[tuple[list[int], list[int]]] = []  # (parents, children)
        self.coordinator = 0
        self.teacher_of: dict[int, int] = {}
        self.big_workshop = 0

    def build(self) -> dict[str, int]:
        self.rows[Trust].append({"id": 1, "slug": "parents-trust", "name": "Parents Bench Trust"})
        self.rows[School].append({"id": 1, "trust_id": 1, "slug": "parents-bench", "name": "Parents Bench School",
                                  "default_locale": "en", "time_zone": TIME_ZONE, "training_periods": {},
                                  "created_at": self.joined})
        self.coordinator = self._person(("staff", "coordinator"))
        self._classes()
        self._consents()
        self._workshops()
        for model, rows in self.rows.items():
            for start in range(0, len(rows), CHUNK):
                db.session.execute(insert(model), rows[start:start + CHUNK])
        return {model.__tablename__: len(rows) for model, rows in self.rows.items()}

    def _person(self, roles: tuple[str, ...], year_group: int | None = None) -> int:
        self.next_user += 1
        user_id = self.next_user
        self.rows[User].append({
            "id": user_id, "school_id": 1, "username": f"p{user_id}", "first_name": f"First{user_id}",
            "last_name": f"Last{user_id % 997}", "email": None if year_group is not None else f"p{user_id}@example.org",
            "password_hash": self.password_hash, "session_token": f"t{user_id}", "must_change_password": False,
            "failed_sign_ins": 0, "year_group": year_group, "external_id": f"MIS{user_id}",
            "created_at": self.joined})
        self.rows[UserRole] += [{"user_id": user_id, "role": role} for role in roles]
        return user_id

    def _classes(self) -> None:
        pupils: list[int] = []
        for class_id in range(1, CLASSES + 1):
            year_group = (class_id - 1) % YEAR_GROUPS
            teacher = self._person(("staff",))
            self.teacher_of[class_id] = teacher
            self.rows[SchoolClass].append({"id": class_id, "school_id": 1, "academic_year": self.year.start_year,
                                           "name": f"{year_group}{'ABCDE'[(class_id - 1) // YEAR_GROUPS]}",
                                           "year_group": year_group})
            self.rows[ClassTeacher].append({"class_id": class_id, "user_id": teacher})
            for _ in range(CLASS_SIZE):
                pupil = self._person(("pupil",), year_group)
                self.rows[ClassMember].append({"class_id": class_id, "user_id": pupil})
                pupils.append(pupil)
        self.rng.shuffle(pupils)  # siblings sit in different classes and year groups
        while pupils:
            size = min(len(pupils), self.rng.choice((1, 1, 1, 1, 2, 2, 2, 3, 3)))
            children, pupils = pupils[:size], pupils[size:]
            parents = [self._person(("parent",)) for _ in range(2)]
            self.rows[ParentLink] += [{"parent_id": p, "child_id": c} for p in parents for c in children]
            self.families.append((parents, children))

    def _moment(self, earliest: datetime, days: int) -> datetime:
        return min(self.now - timedelta(minutes=5), earliest + timedelta(days=self.rng.uniform(0, days)))

    def _consents(self) -> None:
        content = self.catalogue.agreement_content(AGREEMENT, self.catalogue.fallback_locale)
        photo_items = self.catalogue.agreements[AGREEMENT].photo_consent_ids
        start = datetime.combine(self.year.first_day, clock(19))
        for parents, children in self.families:
            if self.rng.random() >= 0.8:
                continue  # not returned
            signer = self.rng.choice(parents)
            signed = self._moment(start, 40)
            self.rows[AgreementSignature].append({
                "school_id": 1, "user_id": signer, "agreement_id": AGREEMENT, "agreement_version": content.version,
                "locale": "en", "academic_year": self.year.start_year, "method": "typed_name",
                "typed_name": f"First{signer} Last{signer % 997}", "signed_at": signed})
            for child in children:
                for item in photo_items:
                    given = self.rng.random() < 0.85
                    self._decide(signer, child, item, content.version, given, signed)
                    if given and self.rng.random() < 0.06:  # withdrawn later
                        self._decide(signer, child, item, content.version, False, self._moment(signed, 120))
                    elif self.rng.random() < 0.04:  # the other parent disagrees
                        other = next(p for p in parents if p != signer)
                        self._decide(other, child, item, content.version, not given, self._moment(signed, 60))

    def _decide(self, parent: int, child: int, item: str, version: str, given: bool, when: datetime) -> None:
        self.rows[ConsentDecision].append({
            "school_id": 1, "parent_id": parent, "child_id": child, "agreement_id": AGREEMENT, "consent_id": item,
            "agreement_version": version, "given": given, "decided_at": when})

    def _workshops(self) -> None:
        parents = [p for family_parents, _ in self.families for p in family_parents]
        first = datetime.combine(self.year.first_day, clock(18, 30), tzinfo=zone(TIME_ZONE))
        span = (self.year.last_day - self.year.first_day).days - 20
        hosts = list(self.teacher_of.values())[:6] + [self.coordinator]
        # 200 places on one past workshop, the other 2,800 spread over the other 49
        sizes = [BIG_WORKSHOP] + self._spread(REGISTRATIONS - BIG_WORKSHOP, WORKSHOPS - 1)
        past = [w for w in range(WORKSHOPS)
                if (first + timedelta(days=10 + w * span // WORKSHOPS)).astimezone(UTC).replace(tzinfo=None)
                < self.now]
        big_index = past[len(past) // 2] if past else 0
        sizes[0], sizes[big_index] = sizes[big_index], sizes[0]
        completed: set[tuple[int, str]] = set()
        attendance_id = 0
        registration_id = 0
        for index in range(WORKSHOPS):
            workshop_id = index + 1
            starts = (first + timedelta(days=10 + index * span // WORKSHOPS)).astimezone(UTC).replace(tzinfo=None)
            module = PARENT_MODULES[index % len(PARENT_MODULES)]
            host = hosts[index % len(hosts)]
            held = starts < self.now
            row: dict[str, Any] = {
                "id": workshop_id, "school_id": 1, "module_id": module, "starts_at": starts,
                "ends_at": starts + timedelta(hours=1), "meeting_url": f"https://meet.example.org/w{workshop_id}",
                "room": "The school hall" if index % 3 == 0 else None,
                "capacity": None if sizes[index] > 150 else sizes[index] + 5, "host_id": host, "join_code": None,
                "created_by_id": self.coordinator, "created_at": starts - timedelta(days=21),
                "cancelled_at": None, "invited_at": starts - timedelta(days=20), "invited_count": len(parents),
                "attendance_id": None}
            came: list[int] = []
            for person in self.rng.sample(parents, sizes[index]):
                registration_id += 1
                status = "cancelled" if self.rng.random() < 0.05 else "registered"
                attended = held and status == "registered" and self.rng.random() < 0.7
                self.rows[WorkshopRegistration].append({
                    "id": registration_id, "workshop_id": workshop_id, "user_id": person, "status": status,
                    "registered_at": starts - timedelta(days=self.rng.randint(1, 19)),
                    "reminded_at": starts - timedelta(days=1) if status == "registered" else None,
                    "attended_at": starts + timedelta(minutes=5) if attended else None,
                    "attendance_method": self.rng.choice(("code", "host")) if attended else None})
                if attended:
                    came.append(person)
            if came:
                attendance_id += 1
                row["attendance_id"] = attendance_id
                self.rows[Attendance].append({
                    "id": attendance_id, "school_id": 1, "kind": "workshop", "class_id": None, "led_by_id": host,
                    "module_id": module, "agreement_id": None, "academic_year": self.year.start_year,
                    "held_at": starts + timedelta(minutes=5)})
                self.rows[Attendee] += [{"attendance_id": attendance_id, "user_id": p} for p in came]
                for person in came:
                    if (person, module) not in completed:
                        completed.add((person, module))
                        self.rows[ModuleCompletion].append({
                            "school_id": 1, "user_id": person, "module_id": module,
                            "academic_year": self.year.start_year, "status": "completed", "best_percent": None,
                            "attempt_count": 0, "started_at": starts + timedelta(minutes=5),
                            "completed_at": starts + timedelta(minutes=5), "method": "attended",
                            "recorded_by_id": host})
                    if self.rng.random() < 0.4:
                        self.rows[WorkshopFeedback].append({
                            "workshop_id": workshop_id, "user_id": person, "usefulness": self.rng.randint(2, 5),
                            "change": self.rng.choice((None, None, "More time for questions.")),
                            "given_at": starts + timedelta(hours=2)})
            self.rows[Workshop].append(row)
        self.big_workshop = big_index + 1

    def _spread(self, total: int, parts: int) -> list[int]:
        sizes = [total // parts] * parts
        for index in range(total - sum(sizes)):
            sizes[index] += 1
        return sizes


def timed_ms(rounds: int, engine: Any, action: Callable[[], Any]) -> tuple[float, float, int]:
    """Median and fastest milliseconds over ``rounds`` requests, and the SQL statements of one request."""
    times, statements = [], [0]

    def count(*_args: Any) -> None:
        statements[0] += 1

    for _ in range(rounds):
        statements[0] = 0
        event.listen(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
        event.remove(engine, "before_cursor_execute", count)
    return statistics.median(times), min(times), statements[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="Keep the SQLite file (its path is printed).")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="eduplatform-parents-bench-"))
    database = folder / "parents.sqlite3"
    app = create_app({"ENV": "development", "INSTANCE_PATH": str(folder), "DATABASE_URL": f"sqlite:///{database}"})
    engine = app.extensions["eduplatform.db"].engine
    with app.app_context():
        upgrade_database(db.engine)
        started = time.perf_counter()
        builder = SchoolBuilder(app.extensions["eduplatform.catalogue"], current_year(), utcnow())
        counts = builder.build()
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
    print(f"built the school in {time.perf_counter() - started:.1f} s: "
          + ", ".join(f"{name} {number:,}" for name, number in counts.items() if number))
    three = next(parents[0] for parents, children in builder.families if len(children) == 3)
    class_id = CLASSES // 2
    print(f"database: sqlite ({database}); median of {args.rounds} requests")

    as_coordinator = signed_in(app, builder.coordinator)
    as_teacher, as_parent = signed_in(app, builder.teacher_of[class_id]), signed_in(app, three)
    rows: list[tuple[str, Any, str]] = [
        (f"Consent returns, {CLASSES} classes (coordinator)", as_coordinator, "/consents"),
        (f"Class consent register, {CLASS_SIZE} (teacher)", as_teacher, f"/classes/{class_id}/consents"),
        ("Class consent register CSV (teacher)", as_teacher, f"/classes/{class_id}/consents.csv"),
        (f"Workshops, {WORKSHOPS} (coordinator)", as_coordinator, "/workshops"),
        (f"Host page, {BIG_WORKSHOP} registered (coordinator)", as_coordinator,
         f"/workshops/{builder.big_workshop}/host"),
        ("My children, 3 children (parent)", as_parent, "/my-children"),
        ("Audit of this year (coordinator)", as_coordinator, "/audit"),
    ]
    for name, client, path in rows:
        started = time.perf_counter()
        status = client.get(path).status_code
        first = (time.perf_counter() - started) * 1000
        if status != 200:
            print(f"  {name:44} HTTP {status} for {path}")
            continue
        rounds = args.rounds if first < 2_000 else 3  # a slow page: a few rounds only
        median, fastest, statements = timed_ms(rounds, engine, lambda c=client, p=path: c.get(p))
        print(f"  {name:44} {median:8.1f} ms (fastest {fastest:7.1f} ms)  {statements:3} statements")
    engine.dispose()
    if args.keep:
        print(f"kept {database}")
    else:
        database.unlink(missing_ok=True)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
