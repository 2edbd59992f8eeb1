"""The sign-in attacks of the security review, measured: what an outsider gets, and what a class gets.

    .venv/bin/python bench/attack.py [--database sqlite|postgresql]

Runs the real app (production sign-in settings: the timing floor, the rate limits, Werkzeug's
scrypt for chosen passwords) on a fresh database (SQLite in a temporary folder, or a scratch
PostgreSQL database on the local server), through Flask's test client with a client address per
"machine", and prints:

* one client guessing 300 accounts once each: how many were answered before the refusals began;
* sign-in time for an unknown name, a real account and an account on a first password;
* waves of parallel wrong guesses at one account: tries counted against tries sent;
* thirty pupils behind one school address signing in at once (three mistype first): how many got
  in, and how long the last one waited;
* class-code lookups from one client in one minute;
* 16 pupils submitting quizzes as fast as they can for 20 seconds: submissions answered against
  attempts stored and attempts counted (nothing may be lost).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text
from werkzeug.security import generate_password_hash

from eduplatform import create_app
from eduplatform.accounts.models import User
from eduplatform.accounts.services import create_user, issue_first_password
from eduplatform.db import db, upgrade_database
from eduplatform.roles import Role
from eduplatform.schools.services import create_school

PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
PASSWORD = "a-chosen-password-1"  # noqa: S105 (a benchmark account)
WRONG = "wrong-guess-1"


def browser(app: Any, address: str) -> Any:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def sign_in(client: Any, username: str, password: str) -> int:
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token}).status_code


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="eduplatform-attack-"))
    drop = None
    if args.database == "sqlite":
        url = f"sqlite:///{folder / 'attack.sqlite3'}"
    else:
        admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("DROP DATABASE IF EXISTS eduplatform_attack WITH (FORCE)"))
            connection.execute(text("CREATE DATABASE eduplatform_attack"))
        url = f"{PG_SERVER}/eduplatform_attack"

        def drop() -> None:
            with admin.connect() as connection:
                connection.execute(text("DROP DATABASE IF EXISTS eduplatform_attack WITH (FORCE)"))

    app = create_app({"ENV": "development", "INSTANCE_PATH": str(folder), "DATABASE_URL": url,
                      "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789", "SIGN_IN_FLOOR_MS": 400})
    scrypt = generate_password_hash(PASSWORD)
    with app.app_context():
        upgrade_database(db.engine)
        school = create_school(name="Attack", slug="attack")
        pupils = [create_user(username=f"pupil{n}", first_name="P", last_name=str(n), roles={Role.PUPIL},
                              school_id=school.id, year_group=5, password_hash=scrypt) for n in range(300)]
        create_user(username="teacher", first_name="T", last_name="T", roles={Role.STAFF},
                            school_id=school.id, password_hash=scrypt)
        newcomer = create_user(username="newcomer", first_name="N", last_name="N", roles={Role.STAFF},
                               school_id=school.id)
        issue_first_password(newcomer)
        db.session.commit()
        usernames = [pupil.username for pupil in pupils]
    print(f"database: {args.database}; sign-in floor {app.config['SIGN_IN_FLOOR_MS']} ms, "
          f"{app.config['MAX_FAILED_SIGN_INS']} wrong tries pause an account")

    outsider = browser(app, "198.51.100.1")
    started = time.perf_counter()
    answers = [sign_in(outsider, username, WRONG) for username in usernames]
    answered = answers.index(429) if 429 in answers else len(answers)
    print(f"1. one client, 300 accounts x 1 guess: {answered} answered, then refused "
          f"({answers.count(429)} refused; {time.perf_counter() - started:.0f} s)")

    timings = {}
    for name, username in (("unknown name", "nobody"), ("real account", "teacher"), ("first password", "newcomer")):
        runs = []
        for number in range(5):
            client = browser(app, f"203.0.113.{10 + number}")
            began = time.perf_counter()
            sign_in(client, username, WRONG)
            runs.append((time.perf_counter() - began) * 1000)
        timings[name] = statistics.median(runs)
    print("2. sign-in time, wrong password: " + ", ".join(f"{name} {ms:.0f} ms" for name, ms in timings.items()))

    sent = [0]

    def wave_guess(number: int) -> None:
        sign_in(browser(app, f"198.51.100.{50 + number}"), "pupil7", WRONG)
        sent[0] += 1

    for wave in range(10):
        threads = [threading.Thread(target=wave_guess, args=(wave * 4 + n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    with app.app_context():
        victim = db.session.query(User).filter_by(username="pupil7").one()
        paused = victim.sign_in_blocked_until is not None
    right = sign_in(browser(app, "198.51.100.99"), "pupil7", PASSWORD)
    print(f"3. 10 waves of 4 parallel wrong guesses at one account: paused {paused}; "
          f"the right password from a stranger afterwards: {'signed in' if right == 302 else 'refused'}")

    results: list[tuple[bool, float]] = []
    start_gate = threading.Barrier(30)

    def pupil_signs_in(number: int) -> None:
        client = browser(app, "192.0.2.10")
        start_gate.wait()
        began = time.perf_counter()
        if number % 10 == 0:
            sign_in(client, usernames[200 + number], WRONG)
        status = sign_in(client, usernames[200 + number], PASSWORD)
        results.append((status == 302, time.perf_counter() - began))

    threads = [threading.Thread(target=pupil_signs_in, args=(n,)) for n in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(f"4. a class of 30 behind one address at once (3 mistype first): {sum(ok for ok, _ in results)}/30 "
          f"signed in; the last after {max(seconds for _, seconds in results):.1f} s")

    client = browser(app, "198.51.100.200")
    lookups = [client.get(f"/tap?code=ABC{n:03d}").status_code for n in range(400)]
    print(f"5. class-code lookups from one client: {lookups.count(200)} answered of 400 in a minute, "
          f"then refused")
    writers_report = sixteen_writers(app, usernames[100:116])
    print(f"6. 16 pupils submitting quizzes for 20 s: {writers_report}")
    with app.app_context():
        db.engine.dispose()
    if drop:
        drop()


def sixteen_writers(app: Any, usernames: list[str], seconds: float = 20.0) -> str:
    """Each pupil submits the first quiz of their dashboard again and again; count what was kept."""
    import re

    from sqlalchemy import func, select

    from eduplatform.records.models import ModuleCompletion, QuizAttempt

    with app.app_context():
        catalogue = app.extensions["eduplatform.catalogue"]
        module = next(m for m in catalogue.modules_for(catalogue.pupil_audience_ids({5}))
                      if catalogue.module_content(m.id, "en").quiz)
    path = f"/modules/{module.id}/quiz"
    answered, failed = [0], [0]
    deadline = time.perf_counter() + seconds

    def writer(username: str, number: int) -> None:
        client = browser(app, f"192.0.2.{100 + number}")
        sign_in(client, username, PASSWORD)
        while time.perf_counter() < deadline:
            page = client.get(path).get_data(as_text=True)
            data = dict(re.findall(r'name="(q_[^"]+)"(?: required)? type="(?:radio|checkbox)" value="([^"]+)"', page))
            data["csrf_token"] = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            data["submission_token"] = re.search(r'name="submission_token" type="hidden" value="([^"]+)"',
                                                 page).group(1)
            status = client.post(path, data=data).status_code
            if status == 302:
                answered[0] += 1
            else:
                failed[0] += 1

    threads = [threading.Thread(target=writer, args=(name, n)) for n, name in enumerate(usernames)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(QuizAttempt))
        counted = db.session.scalar(select(func.sum(ModuleCompletion.attempt_count)))
    return (f"{answered[0]} answered, {failed[0]} failed; {stored} attempts stored, {counted} counted "
            f"({'nothing lost' if answered[0] == stored == counted else 'LOST WRITES'})")


if __name__ == "__main__":
    main()
