"""Speed of the training record at the scale of a trust: 20 schools, 2,000 adults.

    .venv/bin/python bench/training.py [--rounds N] [--rebuild]

Builds (once, then reuses; a few seconds) its own SQLite trust in ``bench/.data/training.sqlite3``,
with bulk inserts on the models: 20 schools of 100 adults (70 staff whose start dates spread over
five years, one the coordinator and DSL and one a deputy; 12 governors; 18 visitors), with staff
induction, a refresher in most academic years, DSL training every two years, yearly governor
training, visitors' agreements on the days they came, and some training done elsewhere. Then prints
the median (and the fastest) of ``--rounds`` calls of :func:`eduplatform.compliance.queries.training_record` for the
whole trust (all 20 schools at once), for one school, and for the trust as it stood on 31 August
(the audit of last year), each with the SQL statements of one call. Target: under 200 ms for the
trust on SQLite.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from records import DATA
from sqlalchemy import event, func, insert, select, text

from eduplatform import create_app
from eduplatform.academic_year import AcademicYear, local_date
from eduplatform.accounts.models import User, UserDuty, UserRole
from eduplatform.catalogue.model import Catalogue
from eduplatform.compliance.queries import training_record
from eduplatform.db import db, upgrade_database, utcnow
from eduplatform.records.models import AgreementSignature, ExternalTraining, ModuleCompletion
from eduplatform.schools.models import School, Trust

SCHOOLS, STAFF, GOVERNORS, VISITORS = 20, 70, 12, 18
YEARS = 5
DATABASE = DATA / "training.sqlite3"


class TrustBuilder:
    """The rows of the benchmark trust, made in memory with their ids, then inserted in bulk."""

    def __init__(self, catalogue: Catalogue, today: date, seed: int = 2026):
        self.rng = random.Random(seed)
        self.today, self.catalogue = today, catalogue
        self.rows: dict[Any, list[dict[str, Any]]] = {model: [] for model in (
            Trust, School, User, UserRole, UserDuty, ModuleCompletion, ExternalTraining, AgreementSignature)}
        self.next_user = 0

    def build(self) -> dict[str, int]:
        self.rows[Trust].append({"id": 1, "slug": "training-trust", "name": "Training Bench Trust"})
        for school_id in range(1, SCHOOLS + 1):
            self.rows[School].append({"id": school_id, "trust_id": 1, "slug": f"training-{school_id:02d}",
                                      "name": f"Training School {school_id:02d}", "default_locale": "en",
                                      "time_zone": "Europe/London", "training_periods": {},
                                      "created_at": self._moment(self.today - timedelta(days=YEARS * 366))})
            for number in range(STAFF):
                self._staff(school_id, number)
            for _ in range(GOVERNORS):
                self._governor(school_id)
            for _ in range(VISITORS):
                self._visitor(school_id)
        for model, rows in self.rows.items():
            if rows:
                db.session.execute(insert(model), rows)
        return {model.__tablename__: len(rows) for model, rows in self.rows.items()}

    # --- People ---------------------------------------------------------------------------------

    def _person(self, school_id: int, roles: tuple[str, ...], started_on: date) -> int:
        self.next_user += 1
        user_id = self.next_user
        self.rows[User].append({
            "id": user_id, "school_id": school_id, "username": f"adult{user_id}", "first_name": f"First{user_id}",
            "last_name": f"Last{user_id % 997}", "email": f"adult{user_id}@training.example.org",
            "session_token": f"t{user_id}", "must_change_password": False, "failed_sign_ins": 0,
            "started_on": started_on, "created_at": self._moment(started_on)})
        self.rows[UserRole] += [{"user_id": user_id, "role": role} for role in roles]
        return user_id

    def _start(self) -> date:
        """A start date in the last five years; one in ten started this term."""
        days = self.rng.randint(0, 60) if self.rng.random() < 0.1 else self.rng.randint(0, YEARS * 365)
        return self.today - timedelta(days=days)

    def _staff(self, school_id: int, number: int) -> None:
        roles = ("staff", "coordinator") if number == 0 else ("staff",)
        started = self._start()
        user_id = self._person(school_id, roles, started)
        if number < 2:  # the DSL and a deputy
            self.rows[UserDuty].append({"user_id": user_id, "duty": "dsl" if number == 0 else "deputy_dsl"})
            self._dsl_training(school_id, user_id, started, elsewhere=number == 1)
        if self.rng.random() < 0.04:  # inducted at their previous school
            self._elsewhere(school_id, user_id, "staff-induction", started + timedelta(days=2))
        elif self.rng.random() < 0.9:
            self._complete(school_id, user_id, "staff-induction", started + timedelta(days=self.rng.randint(1, 35)))
        for year in self._years_after(started):
            if self.rng.random() < 0.85:
                self._complete(school_id, user_id, "staff-refresher",
                               year.first_day + timedelta(days=self.rng.randint(4, 80)))

    def _dsl_training(self, school_id: int, user_id: int, started: date, *, elsewhere: bool) -> None:
        """The DSL module (or a course elsewhere) every two years or so, the latest up to 26 months ago."""
        day = self.today - timedelta(days=self.rng.randint(0, 790))
        while day >= started:
            if elsewhere:
                self._elsewhere(school_id, user_id, "staff-dsl", day)
            else:
                self._complete(school_id, user_id, "staff-dsl", day)
            day -= timedelta(days=self.rng.randint(700, 760))

    def _governor(self, school_id: int) -> None:
        started = self._start()
        user_id = self._person(school_id, ("governor",), started)
        for year in self._years_after(started, including_first=True):
            if self.rng.random() < 0.8:
                self._complete(school_id, user_id, "governors-online-safety",
                               year.first_day + timedelta(days=self.rng.randint(20, 300)))

    def _visitor(self, school_id: int) -> None:
        started = self._start()
        user_id = self._person(school_id, ("visitor",), started)
        version = self.catalogue.agreement_content("visitor-aup", "en").version
        for _ in range(self.rng.randint(1, 3)):
            day = started + timedelta(days=self.rng.randint(0, max(0, (self.today - started).days)))
            self.rows[AgreementSignature].append({
                "school_id": school_id, "user_id": user_id, "agreement_id": "visitor-aup",
                "agreement_version": version, "locale": "en", "academic_year": AcademicYear.containing(day).start_year,
                "method": "typed_name", "typed_name": f"First{user_id} Last{user_id % 997}",
                "signed_at": self._moment(day)})

    # --- Records --------------------------------------------------------------------------------

    def _years_after(self, started: date, *, including_first: bool = False) -> list[AcademicYear]:
        first = AcademicYear.containing(started).shifted(0 if including_first else 1)
        return [AcademicYear(start) for start in range(first.start_year, AcademicYear.containing(self.today)
                                                       .start_year + 1)]

    def _complete(self, school_id: int, user_id: int, module_id: str, day: date) -> None:
        if day > self.today:
            return
        year = AcademicYear.containing(day).start_year
        if any(row["user_id"] == user_id and row["module_id"] == module_id and row["academic_year"] == year
               for row in self.rows[ModuleCompletion][-8:]):
            return  # one completion per person, module and year
        moment = self._moment(day)
        self.rows[ModuleCompletion].append({
            "school_id": school_id, "user_id": user_id, "module_id": module_id, "academic_year": year,
            "status": "completed", "best_percent": self.rng.randint(80, 100), "attempt_count": 1,
            "started_at": moment - timedelta(days=1), "completed_at": moment, "method": "self",
            "recorded_by_id": user_id})

    def _elsewhere(self, school_id: int, user_id: int, module_id: str, day: date) -> None:
        if day <= self.today:
            self.rows[ExternalTraining].append({
                "school_id": school_id, "user_id": user_id, "module_id": module_id, "completed_on": day,
                "provider": "Local authority safeguarding team", "note": None, "recorded_by_id": None,
                "recorded_at": self._moment(day)})

    def _moment(self, day: date) -> datetime:
        return datetime.combine(day, datetime.min.time()) + timedelta(hours=self.rng.randint(8, 16))


def build_if_missing(app: Any) -> None:
    with app.app_context():
        upgrade_database(db.engine)
        if db.session.scalar(select(func.count()).select_from(Trust)):
            return
        started = time.perf_counter()
        counts = TrustBuilder(app.extensions["eduplatform.catalogue"], local_date(utcnow())).build()
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("ANALYZE"))
        print(f"built the trust in {time.perf_counter() - started:.1f} s: "
              + ", ".join(f"{name} {number:,}" for name, number in counts.items()))


def timed_ms(rounds: int, engine: Any, action: Callable[[], Any]) -> tuple[float, float, int]:
    """Median and fastest milliseconds over ``rounds`` calls (each in a fresh transaction), and one call's
    statements. The fastest shows how much of the median a busy machine added."""
    times = []
    statements = [0]

    def count(*_args: Any) -> None:
        statements[0] += 1

    for _ in range(rounds):
        db.session.rollback()
        statements[0] = 0
        event.listen(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
        event.remove(engine, "before_cursor_execute", count)
    return statistics.median(times), min(times), statements[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--rebuild", action="store_true", help="Build the trust again from scratch.")
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    if args.rebuild:
        DATABASE.unlink(missing_ok=True)
    app = create_app({"ENV": "development", "INSTANCE_PATH": str(DATA), "DATABASE_URL": f"sqlite:///{DATABASE}"})
    build_if_missing(app)
    catalogue = app.extensions["eduplatform.catalogue"]
    with app.app_context():
        engine = db.engine
        school_ids = list(db.session.scalars(select(School.id).order_by(School.id)))
        today = local_date(utcnow())
        last_august = AcademicYear.containing(today).shifted(-1).last_day
        rows = training_record(catalogue, school_ids, today)
        mix = Counter(cell.status.value for row in rows for cell in row.requirements)
        print(f"database: sqlite; trust of {len(school_ids)} schools, {len(rows):,} adults on the training record; "
              f"median of {args.rounds} calls")
        print("  statuses: " + ", ".join(f"{status} {number:,}" for status, number in mix.most_common()))
        for name, action in (
                ("training record, whole trust", lambda: training_record(catalogue, school_ids, today)),
                ("training record, one school", lambda: training_record(catalogue, school_ids[:1], today)),
                ("whole trust as it stood on 31 August",
                 lambda: training_record(catalogue, school_ids, last_august, as_it_stood=True))):
            median, fastest, statements = timed_ms(args.rounds, engine, action)
            print(f"  {name:38} {median:7.1f} ms (fastest {fastest:6.1f} ms)  {statements:2} statements")
        print("  target: under 200 ms for the whole trust")


if __name__ == "__main__":
    main()
