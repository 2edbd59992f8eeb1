"""Speed figures for eduplatform. Prints them; asserts nothing (targets live here, not in tests).

    make bench          (or: .venv/bin/python bench/run.py [--learners 2000])

Measures, on a fresh SQLite database in a temporary folder with the real programme content:
  * start-up: building the app, which loads and renders the whole catalogue;
  * a pupil's dashboard, a lesson page and a quiz submission (median and 95th percentile);
  * the Records dashboard with N learners who all have records.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select

from eduplatform import create_app
from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import User, UserRole
from eduplatform.accounts.services import new_session_token
from eduplatform.db import db, upgrade_database
from eduplatform.records.models import CompletionMethod, CompletionStatus, ModuleCompletion
from eduplatform.roles import Role
from eduplatform.schools.services import create_school

PASSWORD = "bench-password"  # noqa: S105 (accounts in a throw-away benchmark database)


def timed(action, repeat: int) -> tuple[float, float]:
    """Median and 95th percentile of ``action`` in milliseconds."""
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="edu-bench-"))
    settings = {"ENV": "testing", "INSTANCE_PATH": str(folder), "DATABASE_URL": f"sqlite:///{folder / 'b.sqlite3'}",
                "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}

    started = time.perf_counter()
    app = create_app(settings)
    startup_ms = (time.perf_counter() - started) * 1000
    catalogue = app.extensions["eduplatform.catalogue"]
    print(f"start-up (load + render {len(catalogue.modules)} modules): {startup_ms:8.1f} ms")

    from werkzeug.security import generate_password_hash

    year = AcademicYear.current()
    with app.app_context():
        upgrade_database(db.engine)
        school = create_school(name="Bench School", slug="bench")
        hashed = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        ks2 = [m.id for m in catalogue.modules_for(("ks2",))]
        started = time.perf_counter()
        for number in range(args.learners):
            user = User(school_id=school.id, username=f"pupil{number}", first_name="P", last_name=str(number),
                        password_hash=hashed, session_token=new_session_token(), year_group=3 + number % 4,
                        role_rows=[UserRole(role=Role.PUPIL)])
            db.session.add(user)
            if number % 500 == 0:
                db.session.flush()
        db.session.flush()
        ids = [row for (row,) in db.session.execute(select(User.id))]
        db.session.add_all(
            ModuleCompletion(school_id=school.id, user_id=user_id, module_id=module_id,
                             academic_year=year.start_year, status=CompletionStatus.COMPLETED, best_percent=80,
                             attempt_count=1, completed_at=year.first_day, method=CompletionMethod.SELF)
            for user_id in ids for module_id in ks2[: 1 + user_id % len(ks2)]
        )
        from eduplatform.accounts.services import create_user

        create_user(username="coordinator", first_name="C", last_name="O", roles={Role.COORDINATOR, Role.STAFF},
                    school_id=school.id, password_hash=hashed)
        db.session.commit()
        records = db.session.scalar(select(func.count()).select_from(ModuleCompletion))
        print(f"set-up: {args.learners} pupils and {records} completion records in "
              f"{(time.perf_counter() - started):.1f} s")

    def client_for(username: str):
        client = app.test_client()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login").get_data(True))
        client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)})
        return client

    pupil = client_for("pupil1")
    module = catalogue.modules_for(("ks2",))[0]
    lesson_url = f"/modules/{module.id}/lessons/{module.lesson_ids[0]}"
    pages = (("pupil dashboard", "/"), ("lesson page", lesson_url), ("quiz page", f"/modules/{module.id}/quiz"))
    for label, url in pages:
        median, p95 = timed(lambda url=url: pupil.get(url), args.repeat)
        print(f"{label:28} median {median:7.2f} ms   p95 {p95:7.2f} ms")

    quiz = catalogue.module_content(module.id, "en").quiz
    answers = {f"q_{q.id}": [o.id for o in q.options if o.correct] for q in quiz.questions}

    def submit_quiz() -> None:
        page = pupil.get(f"/modules/{module.id}/quiz").get_data(True)
        tokens = dict(re.findall(r'name="(csrf_token|submission_token)" type="hidden" value="([^"]+)"', page))
        response = pupil.post(f"/modules/{module.id}/quiz", data={**tokens, **answers})
        assert response.status_code == 302, response.status_code

    median, p95 = timed(submit_quiz, max(10, args.repeat // 2))
    print(f"{'quiz page + submission':28} median {median:7.2f} ms   p95 {p95:7.2f} ms")

    coordinator = client_for("coordinator")
    for label, url in (("records: by audience", "/records"), ("records: ks2 by year group", "/records?audience=ks2")):
        median, p95 = timed(lambda url=url: coordinator.get(url), 20)
        print(f"{label:28} median {median:7.2f} ms   p95 {p95:7.2f} ms   ({args.learners} learners)")
    median, p95 = timed(lambda: coordinator.get("/people?q=pupil1"), 20)
    print(f"{'people search':28} median {median:7.2f} ms   p95 {p95:7.2f} ms")


if __name__ == "__main__":
    main()
