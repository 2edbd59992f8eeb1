"""Speed of certificates: one certificate's PDF, a bulk PDF and ZIP of 100 certificates, the public
verification page, and pupils' certificates for a class of 30.

    .venv/bin/python bench/certificates.py [--rounds N] [--count N]

Builds its own small school in a temporary SQLite file with the shipped programme: a coordinator,
``--count`` members of staff (100) holding a staff-induction certificate each, and a Year 5 class
of 30 who all finished Key Stage 2. Each figure is the median of ``--rounds`` requests through the
app's test client (bulk files: at most 3 rounds), with the SQL statements of one request.
Targets (issue 12): one certificate PDF under 1 s; a bulk PDF of 100 under 20 s (judged with ``--count 100``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from setup import signed_in, timed

from eduplatform import create_app
from eduplatform.accounts.services import create_user
from eduplatform.catalogue import current_catalogue
from eduplatform.db import db, upgrade_database
from eduplatform.records.certificates import new_code
from eduplatform.records.models import Certificate, CompletionMethod
from eduplatform.records.services import record_completion_for
from eduplatform.roles import Role
from eduplatform.schools.services import assign_teacher, create_class, create_school, enrol_pupil
from eduplatform.schools.years import current_year

PUPILS = 30


def build(count: int) -> tuple[int, int, int, str]:
    """The school: (coordinator id, one certificate's id, the class id, that certificate's code)."""
    school = create_school(name="Bench Certificates School", slug="bench-certificates")
    year = current_year(school)
    coordinator = create_user(username="bench.coordinator", first_name="Cora", last_name="Ord",
                              roles={Role.COORDINATOR, Role.STAFF}, school_id=school.id)
    first_day = date(year.start_year, 9, 1)
    certificates = []
    for number in range(count):
        person = create_user(username=f"bench.staff{number}", first_name=f"Staff{number}", last_name="Member",
                             roles={Role.STAFF}, school_id=school.id)
        completed = first_day + timedelta(days=number % 60)
        certificates.append(Certificate(
            code=new_code(), school_id=school.id, user_id=person.id, module_id="staff-induction",
            module_version="a1b2c3d4e5f6", locale="en", academic_year=year.start_year, completed_on=completed,
            method="self", score_percent=80 + number % 20, expires_on=None,
            issued_at=datetime(completed.year, completed.month, completed.day, 10)))
    db.session.add_all(certificates)
    school_class = create_class(school=school, name="5B", year_group=5, year=year)
    assign_teacher(school_class, coordinator)
    catalogue = current_catalogue()
    for number in range(PUPILS):
        pupil = create_user(username=f"bench.pupil{number}", first_name=f"Pupil{number}", last_name="Bench",
                            roles={Role.PUPIL}, school_id=school.id, year_group=5)
        enrol_pupil(school_class, pupil)
        for module in catalogue.modules_for(("ks2",)):
            record_completion_for(pupil, module, year, coordinator, CompletionMethod.TEACHER_LED)
    db.session.commit()
    return coordinator.id, certificates[0].id, school_class.id, certificates[0].code


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--count", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-certificates-") as folder:
        app = create_app({"ENV": "testing", "INSTANCE_PATH": folder, "SECRET_KEY": "bench-" + "x" * 32,
                          "DATABASE_URL": f"sqlite:///{folder}/bench.sqlite3", "RATE_LIMITS_ENABLED": False})
        engine = app.extensions["eduplatform.db"].engine
        with app.app_context():
            upgrade_database(db.engine)
            coordinator, certificate_id, class_id, code = build(args.count)
        client = signed_in(app, coordinator)
        bulk_rounds = min(args.rounds, 3)
        rows = [
            ("One certificate (PDF)", f"/certificates/{certificate_id}.pdf", args.rounds, 1000),
            ("One certificate (page)", f"/certificates/{certificate_id}", args.rounds, None),
            (f"Bulk PDF of {args.count}", "/certificates/bulk.pdf", bulk_rounds, 20_000 if args.count == 100 else None),
            (f"Bulk ZIP of {args.count}", "/certificates/bulk.zip", bulk_rounds, None),
            ("Certificates list (100 a page)", "/certificates", args.rounds, None),
            ("Verification page (public)", f"/verify/{code}", args.rounds, None),
            (f"Pupils' certificates ({PUPILS})", f"/classes/{class_id}/certificates.pdf", bulk_rounds, None),
        ]
        print(f"database: sqlite; {args.count} certificates, a class of {PUPILS}; median of the rounds shown")
        for name, path, rounds, target in rows:
            response = client.get(path)
            assert response.status_code == 200, (name, path, response.status_code)
            ms, statements = timed(rounds, engine, lambda _n, p=path: client.get(p).get_data())
            verdict = "" if target is None else f"  (target under {target} ms: {'met' if ms < target else 'MISSED'})"
            print(f"  {name:32} {ms:8.1f} ms  {statements:3} statements  {len(response.get_data()) / 1024:7.1f} KB"
                  f"  x{rounds}{verdict}")
        engine.dispose()


if __name__ == "__main__":
    main()
