"""The site under gunicorn beside a floor app, in the same run: each figure with its floor and ratio.

    .venv/bin/python bench/serve.py [--database sqlite|postgresql|all] [--seconds 10]

``all`` (the default, as ``make bench`` runs it) measures SQLite, then PostgreSQL when a server
answers on 127.0.0.1:5432 (user postgres). For each database:

1. A throw-away copy of the records trust (``bench/records.py``: 20 schools, 20,000 people, two
   years of records; built once and kept) in a temporary folder (SQLite) or the scratch database
   ``eduplatform_http_bench`` (PostgreSQL, created from ``eduplatform_bench`` and dropped after).
2. Into that copy, through a roster import (as the roster pages do): a school with a teacher, a
   Year 4 class of 30 pupils who sign in with passwords and a Year 1 class of 30 who sign in with
   pictures; then 360 more pupils for the Safer Internet Day burst. Password pupils get one scrypt
   hash made by the app's own ``hash_password`` (shared, so set-up does not hash 390 times; each
   check costs the same as for a password they chose).
3. gunicorn (``-w 2``, gthread with the threads of ``gunicorn.conf.py``, ``--preload`` as it ships)
   serves ``app:app`` and ``bench/floor_app.py`` on free ports; ``wrk`` (or a threaded Python
   client when wrk is missing) and Python scenarios drive both. Rate limits and MFA are off
   (development settings, as ``make run``); the sign-in's constant-time floor (``SIGN_IN_FLOOR_MS``,
   400 ms) stays as in production. Threads, because that floor sleeps: two sync workers could never
   sign in more than five people a second.
4. The class grid and progress (a coordinator's school of 1,000 people; the trust lead's 20,000)
   are measured in-process with each app's test client (median of 15 requests, 3 for the whole
   trust) and a statement counter; progress beside the SQL floor of ``bench/records.py`` (the same
   figures in one plain statement).
5. Start-up per worker: from gunicorn's ``post_fork`` to ``post_worker_init`` (bench/gunicorn_timing.py),
   of the server above (``--preload``, as ``gunicorn.conf.py`` ships) and of a second one started
   without it.

Prints the database, the CPU count and a Markdown table: what | project | floor | ratio | goal | met?
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import sqlite3
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import requests
from cryptography.fernet import Fernet
from floor_app import create_floor_app
from http_bench import (
    Arrivals,
    Figure,
    Gunicorn,
    Timer,
    at_arrivals,
    goal_absolute,
    goal_at_least,
    goal_at_most,
    hammer,
    markdown_table,
    percentile,
    shipped_threads,
)
from records import PG_SERVER, build_if_missing, median_ms_and_statements, progress_floor_ms
from records import database_url as trust_database_url
from sqlalchemy import create_engine, func, select, text

SCRATCH = "eduplatform_http_bench"
PASSWORD = "bench-Chosen-Passw0rd"  # noqa: S105 (pupils of a throw-away benchmark database)
CLASS_SIZE = 30
BURST_PUPILS = 360
#: Normal arrivals: a year group of 360 pupils over 5 minutes; the burst comes 10x faster (30 s).
BURST_SECONDS = 300 / 10
_TOKEN = re.compile(r'name="(csrf_token|submission_token)" type="hidden" value="([^"]+)"')


def say(step: str) -> None:
    """Where the run is, on stderr (the table goes to stdout)."""
    print(f"  [{time.strftime('%H:%M:%S')}] {step}", file=sys.stderr, flush=True)


# --- the throw-away database ---------------------------------------------------------------------


def postgres_answers() -> bool:
    try:
        engine = create_engine(f"{PG_SERVER}/postgres", connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:  # no server, no driver, refused: all mean "skip PostgreSQL"
        return False


def _admin() -> Any:
    return create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")


def snapshot_content(folder: Path) -> dict[str, str]:
    """Copy ``curriculum/`` and ``content/`` into ``folder``: every server of the run loads the same
    programme, even while someone edits the working tree. Returns the settings that point there."""
    shutil.copytree(ROOT / "curriculum", folder / "curriculum")
    shutil.copytree(ROOT / "content", folder / "content")
    return {"CURRICULUM_PATH": str(folder / "curriculum"), "CONTENT_PATH": str(folder / "content")}


def scratch_database(kind: str, folder: Path, content: dict[str, str]) -> str:
    """A copy of the records trust (built first when missing) that the bench may change, and its URL."""
    from eduplatform import create_app

    source_url = trust_database_url(kind, False)
    trust_app = create_app({"ENV": "development", "INSTANCE_PATH": str(ROOT / "bench" / ".data"),
                            "DATABASE_URL": source_url, **content})
    build_if_missing(trust_app)
    trust_app.extensions["eduplatform.db"].engine.dispose()
    if kind == "sqlite":
        target = folder / "bench.sqlite3"
        with sqlite3.connect(source_url.removeprefix("sqlite:///")) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return f"sqlite:///{target}"
    admin = _admin()
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {SCRATCH} TEMPLATE eduplatform_bench"))
    admin.dispose()
    advance_sequences(f"{PG_SERVER}/{SCRATCH}")
    return f"{PG_SERVER}/{SCRATCH}"


def advance_sequences(url: str) -> None:
    """Move every id sequence past the largest id: bench/trust_data.py writes its ids itself, which
    leaves PostgreSQL's sequences at 1, so the first new school (or person) would collide."""
    engine = create_engine(url)
    with engine.begin() as connection:
        columns = connection.execute(text(
            "SELECT table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name) "
            "FROM information_schema.columns WHERE table_schema = 'public'")).all()
        for table, column, sequence in columns:
            if sequence:
                connection.execute(text(
                    f'SELECT setval(:sequence, COALESCE((SELECT max("{column}") FROM "{table}"), 0) + 1, false)'),  # noqa: S608
                    {"sequence": sequence})
    engine.dispose()


def drop_scratch(kind: str) -> None:
    if kind == "postgresql":
        admin = _admin()
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)"))
        admin.dispose()


# --- the bench school, through roster imports ----------------------------------------------------


@dataclass
class School:
    """What the scenarios need to know about the bench school."""

    password_pupils: list[str]  # usernames of the Year 4 class
    picture_pupils: list[tuple[int, tuple[str, ...]]]  # (user id, secret pictures) of the Year 1 class
    class_code: str
    burst_pupils: list[str]
    burst_ids: list[int]
    module_id: str
    lesson_path: str
    answers: dict[str, list[str]]
    grid_path: str
    grid_class_id: int
    grid_size: int
    grid_teacher_id: int
    trust_lead_id: int
    coordinator_id: int
    school_ids: list[int]
    people: int
    school_people: int
    year: int
    import_seconds: float


def _roster_file(rows: list[str]) -> bytes:
    header = "external_id,first_name,last_name,role,year_group,class,email,parent_of,start_date"
    return ("\r\n".join([header, *rows]) + "\r\n").encode("utf-8")


def _import(app: Any, school: Any, data: bytes, filename: str) -> dict[str, tuple[str, ...]]:
    """One roster import as the upload page makes it; returns each new picture pupil's secret by external id."""
    from eduplatform.db import db
    from eduplatform.roster.services import apply_plan, plan_roster, prepare_secrets

    plan = plan_roster(data, school)
    assert plan.ok, plan.errors[:5]
    secrets = prepare_secrets(plan)
    apply_plan(plan_roster(data, school), filename=filename, secrets=secrets)
    db.session.commit()
    by_line = {person.row.line: person.row.external_id for person in plan.people}
    return {by_line[line]: tuple(secret.secret.split("-")) for line, secret in secrets.items()
            if secret.kind == "pictures"}


def build_school(app: Any) -> School:
    """Roster-import the bench school and its burst pupils; a trust lead for the progress figure."""
    from eduplatform.accounts.models import User, UserRole
    from eduplatform.accounts.services import create_user, hash_password
    from eduplatform.db import db
    from eduplatform.records.models import ModuleCompletion
    from eduplatform.roles import Role
    from eduplatform.schools.models import ClassMember, ClassTeacher, SchoolClass
    from eduplatform.schools.models import School as SchoolModel
    from eduplatform.schools.services import create_school
    from eduplatform.schools.years import current_year

    catalogue = app.extensions["eduplatform.catalogue"]
    with app.app_context():
        school = create_school(name="HTTP Bench School", slug="http-bench")
        db.session.commit()
        rows = ["T0001,Tess,Teacher,staff,,4H;1H,tess.teacher@http-bench.sch.uk,,2015-09-01"]
        rows += [f"P4{n:03d},Pupil{n},Four,pupil,4,4H,,," for n in range(CLASS_SIZE)]
        rows += [f"P1{n:03d},Pupil{n},One,pupil,1,1H,,," for n in range(CLASS_SIZE)]
        pictures = _import(app, school, _roster_file(rows), "bench-school.csv")
        burst_rows = [f"B{n:04d},Burst{n},Pupil,pupil,{5 + n // 180},{5 + n // 180}{'ABCDEF'[n % 180 // 30]},,,"
                      for n in range(BURST_PUPILS)]
        started = time.perf_counter()
        _import(app, db.session.get(SchoolModel, school.id), _roster_file(burst_rows), "safer-internet-day.csv")
        import_seconds = time.perf_counter() - started

        chosen = hash_password(PASSWORD)  # the app's own hashing: scrypt with its parameters
        people = {user.external_id: user
                  for user in db.session.scalars(select(User).where(User.school_id == school.id))}
        for external_id, user in people.items():
            if external_id.startswith(("P4", "B")):  # as after each pupil chose a password at first sign-in
                user.password_hash, user.must_change_password, user.card_secret = chosen, False, None
        lead = create_user(username="bench.trust.lead", first_name="Tia", last_name="Lead", roles={Role.TRUST_LEAD},
                           school_id=None, trust_id=1)
        db.session.commit()
        code = db.session.scalar(select(SchoolClass.sign_in_code).where(
            SchoolClass.school_id == school.id, SchoolClass.name == "1H"))
        year = current_year(school).start_year
        module = next(m for m in catalogue.modules_for(frozenset({"ks2"})) if m.has_quiz and m.lesson_ids)
        quiz = catalogue.module_content(module.id, "en").quiz
        # The class grid: the trust's largest class of this year with records (the bench class has none yet).
        size = func.count(ClassMember.user_id)
        grid_class = db.session.scalar(
            select(SchoolClass.id).join(ClassMember, ClassMember.class_id == SchoolClass.id)
            .where(SchoolClass.year_group.in_((3, 4, 5, 6)), SchoolClass.academic_year == year,
                   SchoolClass.school_id != school.id)
            .group_by(SchoolClass.id).order_by(size.desc(), SchoolClass.id).limit(1))
        grid_teacher = db.session.scalar(select(ClassTeacher.user_id).where(ClassTeacher.class_id == grid_class))
        grid_size = db.session.scalar(select(func.count()).where(ClassMember.class_id == grid_class))
        school_ids = list(db.session.scalars(select(SchoolModel.id).where(SchoolModel.trust_id == 1)
                                             .order_by(SchoolModel.id)))
        coordinator = db.session.scalar(select(User.id).join(UserRole).where(
            User.school_id == school_ids[0], UserRole.role == Role.COORDINATOR).order_by(User.id))
        assert db.session.scalar(select(func.count()).select_from(ModuleCompletion)), "the trust has no records"
        return School(
            password_pupils=[people[f"P4{n:03d}"].username for n in range(CLASS_SIZE)],
            picture_pupils=[(people[f"P1{n:03d}"].id, pictures[f"P1{n:03d}"]) for n in range(CLASS_SIZE)],
            class_code=code, burst_pupils=[people[f"B{n:04d}"].username for n in range(BURST_PUPILS)],
            burst_ids=[people[f"B{n:04d}"].id for n in range(BURST_PUPILS)], module_id=module.id,
            lesson_path=f"/modules/{module.id}/lessons/{module.lesson_ids[0]}",
            answers={f"q_{q.id}": [o.id for o in q.options if o.correct] for q in quiz.questions},
            grid_path=f"/classes/{grid_class}", grid_class_id=grid_class, grid_size=grid_size,
            grid_teacher_id=grid_teacher, trust_lead_id=lead.id, coordinator_id=coordinator, school_ids=school_ids,
            people=db.session.scalar(select(func.count()).select_from(User).where(User.school_id.in_(school_ids))),
            school_people=db.session.scalar(select(func.count()).where(User.school_id == school_ids[0])),
            year=year, import_seconds=import_seconds)


# --- what a pupil does, over HTTP ----------------------------------------------------------------


def tokens(page: str) -> dict[str, str]:
    return dict(_TOKEN.findall(page))


def open_login(base: str) -> tuple[requests.Session, dict[str, str]]:
    """A browser with the sign-in form open (its CSRF token read)."""
    browser = requests.Session()
    page = browser.get(f"{base}/login", timeout=60)
    page.raise_for_status()
    return browser, tokens(page.text)


def submit_login(browser: requests.Session, base: str, form: dict[str, str], username: str) -> None:
    answer = browser.post(f"{base}/login", data={**form, "username": username, "password": PASSWORD},
                          allow_redirects=False, timeout=60)
    target = answer.headers.get("Location", "")
    if answer.status_code != 302 or "/login" in target or "/account/" in target:
        raise AssertionError(f"sign-in of {username} answered {answer.status_code} {target}")


def submit_quiz(browser: requests.Session, base: str, school: School, timer: Timer) -> None:
    page = browser.get(f"{base}/modules/{school.module_id}/quiz", timeout=60)
    page.raise_for_status()
    with timer("quiz"):
        answer = browser.post(f"{base}/modules/{school.module_id}/quiz", data={**tokens(page.text), **school.answers},
                              allow_redirects=False, timeout=60)
    if answer.status_code != 302 or "/attempts/" not in answer.headers.get("Location", ""):
        raise AssertionError(f"quiz answered {answer.status_code} {answer.headers.get('Location')}")


# --- the figures ---------------------------------------------------------------------------------


def ms(value: float) -> str:
    return "-" if not math.isfinite(value) else (f"{value:,.0f} ms" if value >= 100 else f"{value:,.1f} ms")


def in_process_figures(app: Any, floor_url: str, school: School, rounds: int = 15) -> list[Figure]:
    """Class grid and progress (a coordinator's school, the trust lead's 20 schools), through the
    app's test client; median of ``rounds`` requests (3 for the whole trust, which takes seconds).

    The grid's floor is the floor app's grid (three statements and a bare page). Progress has the
    SQL floor of ``bench/records.py``: the same figures (everyone times what they must do, with
    renewals and text versions) in one plain statement, run on its own; beside it, the floor app's
    page that only counts the records that exist (a lower bound: nothing for people without any).
    """
    from setup import signed_in

    floor = create_floor_app(floor_url)
    floor_client = floor.test_client()
    app_engine, floor_engine = app.extensions["eduplatform.db"].engine, floor.extensions["floor.engine"]
    every_school = "&".join(f"school={number}" for number in school.school_ids)
    figures = []

    say(f"Teacher's class grid ({school.grid_size} pupils)")
    teacher = signed_in(app, school.grid_teacher_id)
    grid_floor_path = f"/class-grid?class={school.grid_class_id}&year={school.year}"
    assert teacher.get(school.grid_path).status_code == 200 and floor_client.get(grid_floor_path).status_code == 200
    ours, statements = median_ms_and_statements(app_engine, rounds, lambda: teacher.get(school.grid_path))
    bare, bare_statements = median_ms_and_statements(floor_engine, rounds, lambda: floor_client.get(grid_floor_path))
    figures.append(goal_at_most(f"Teacher's class grid ({school.grid_size} pupils), test client", ours, bare, 3.0,
                                "ms", project_text=f"{ms(ours)}, {statements} statements",
                                floor_text=f"{ms(bare)}, {bare_statements} statements"))

    cases = [
        (f"School progress (/records, coordinator: {school.school_people:,} of {school.people:,} people)",
         school.coordinator_id, "audience_id", f"/progress?year={school.year}&school={school.school_ids[0]}", rounds),
        (f"Trust progress (/records, trust lead: {school.people:,} people)", school.trust_lead_id, "school_id",
         f"/progress?year={school.year}&{every_school}", 3),
    ]
    for what, user_id, key, records_only_path, times in cases:
        say(what)
        client = signed_in(app, user_id)
        assert client.get("/records").status_code == 200
        ours, statements = median_ms_and_statements(app_engine, times, lambda c=client: c.get("/records"))
        bare, _people = progress_floor_ms(app, user_id, key, times)
        records_only, _ = median_ms_and_statements(floor_engine, times,
                                                   lambda p=records_only_path: floor_client.get(p))
        figures.append(goal_at_most(
            f"{what}, test client", ours, bare, 1.5, "ms", project_text=f"{ms(ours)}, {statements} statements",
            floor_text=f"{ms(bare)}: the same figures in one plain SQL statement (only counting the records "
                       f"that exist: {ms(records_only)})"))
    floor_engine.dispose()
    return figures


def password_burst(base: str, usernames: list[str]) -> tuple[Arrivals, list[requests.Session]]:
    """Thirty pupils with the sign-in form open press "Sign in" within one second; their browsers after."""
    opened = [(name, *open_login(base)) for name in usernames]

    def press(person: tuple[str, requests.Session, dict[str, str]], timer: Timer) -> None:
        name, browser, form = person
        with timer("sign-in"):
            submit_login(browser, base, form, name)

    return at_arrivals(opened, 1.0, press), [browser for _name, browser, _form in opened]


def floor_password_burst(base: str, usernames: list[str]) -> Arrivals:
    def press(name: str, timer: Timer) -> None:
        with timer("sign-in"):
            answer = requests.post(f"{base}/password", data={"username": name, "password": PASSWORD}, timeout=60)
        assert answer.status_code == 200, answer.status_code

    return at_arrivals(usernames, 1.0, press)


def picture_burst(base: str, school: School) -> Arrivals:
    """Thirty Year 1 pupils, each on their picture grid, tap their three pictures within one second."""
    opened = []
    for user_id, secret in school.picture_pupils:
        browser = requests.Session()
        browser.get(f"{base}/tap/{school.class_code}", timeout=60).raise_for_status()
        page = browser.get(f"{base}/tap/{school.class_code}/{user_id}", timeout=60)
        page.raise_for_status()
        opened.append((browser, user_id, secret, tokens(page.text)))

    def taps(person: tuple[requests.Session, int, tuple[str, ...], dict[str, str]], timer: Timer) -> None:
        browser, user_id, secret, form = person
        url = f"{base}/tap/{school.class_code}/{user_id}"
        with timer("signed in"):
            for number, picture in enumerate(secret):
                answer = browser.post(url, data={**form, "picture": picture}, allow_redirects=False, timeout=60)
                target = answer.headers.get("Location", "")
                signed_in = "/tap/" not in target  # the last tap leads to the dashboard, the others back
                if answer.status_code != 302 or signed_in != (number == len(secret) - 1):
                    raise AssertionError(f"tap {number + 1} answered {answer.status_code} {target}")

    return at_arrivals(opened, 1.0, taps)


def quiz_load(base: str, browsers: list[requests.Session], school: School, rounds: int) -> list[float]:
    """Ten signed-in pupils submit the quiz ``rounds`` times each, together; the submissions' times (ms)."""
    def submit(browser: requests.Session, timer: Timer) -> None:
        for _ in range(rounds):
            submit_quiz(browser, base, school, timer)

    done = at_arrivals(browsers, 0.2, submit)
    if done.errors:
        raise AssertionError(f"quiz submissions failed: {done.errors[:3]}")
    return done.steps["quiz"]


def floor_insert_load(base: str, user_ids: list[int], rounds: int) -> list[float]:
    """The floor of :func:`quiz_load`: the same arrivals, each pupil opening a page (the floor's lesson
    page, as the pupil opens the quiz) before each insert; the inserts' times (ms)."""
    def insert(person: int, timer: Timer) -> None:
        with requests.Session() as browser:
            for _ in range(rounds):
                browser.get(f"{base}/lesson?user={person}", timeout=60).raise_for_status()
                with timer("insert"):
                    answer = browser.post(f"{base}/insert", data={"user": person}, timeout=60)
                assert answer.status_code == 200, answer.status_code

    done = at_arrivals(list(user_ids), 0.2, insert)
    if done.errors:
        raise AssertionError(f"floor inserts failed: {done.errors[:3]}")
    return done.steps["insert"]


def safer_internet_day(base: str, school: School) -> Arrivals:
    """360 roster-imported pupils arrive at ten times the normal rate; each signs in and submits the quiz."""
    def pupil(name: str, timer: Timer) -> None:
        browser, form = open_login(base)
        with timer("sign-in"):
            submit_login(browser, base, form, name)
        submit_quiz(browser, base, school, timer)
        timer.steps.setdefault("stored", []).append(1)

    return at_arrivals(school.burst_pupils, BURST_SECONDS, pupil)


def run_one(kind: str, seconds: float) -> tuple[list[Figure], list[str], bool]:
    """Every figure on one database: the table's rows, notes, and whether every step ran (a step
    that fails ends the run; the figures measured before it are still returned)."""
    from eduplatform import create_app
    from eduplatform.db import db, upgrade_database
    from eduplatform.records.models import QuizAttempt

    folder = Path(tempfile.mkdtemp(prefix="edu-http-bench-"))
    servers: list[Gunicorn] = []
    notes: list[str] = []
    figures: list[Figure] = []
    try:
        started = time.perf_counter()
        say(f"{kind}: copying the records trust")
        content = snapshot_content(folder)
        url = scratch_database(kind, folder, content)
        settings = {"SECRET_KEY": "bench-" + "k" * 40, "DATA_KEY": Fernet.generate_key().decode("ascii"), **content}
        app = create_app({"ENV": "development", "INSTANCE_PATH": str(folder), "DATABASE_URL": url,
                          "MFA_REQUIRED_FOR": (), "RATE_LIMITS_ENABLED": False, **settings})
        with app.app_context():
            upgrade_database(db.engine)
        say("roster imports of the bench school and the burst pupils")
        school = build_school(app)
        notes.append(f"set-up (copy of the trust, roster imports) {time.perf_counter() - started:.0f} s; "
                     f"the {BURST_PUPILS} burst pupils' roster import took {school.import_seconds:.1f} s")
        env = {"DATABASE_URL": url, "EDUPLATFORM_INSTANCE_PATH": str(folder), "EDUPLATFORM_ENV": "development",
               "EDUPLATFORM_MFA_REQUIRED_FOR": "none", "EDUPLATFORM_RATE_LIMITS_ENABLED": "0",
               **{f"EDUPLATFORM_{name}": value for name, value in settings.items()}}
        site = Gunicorn("app:app", env, preload=True)  # as gunicorn.conf.py ships it
        servers.append(site.start())
        base = site.base

        viewer, form = open_login(base)
        submit_login(viewer, base, form, school.password_pupils[0])
        cookie = "; ".join(f"{name}={value}" for name, value in viewer.cookies.items())
        # The page wrk will fetch, fetched as wrk will (only this cookie, no redirects followed).
        lesson = requests.get(base + school.lesson_path, headers={"Cookie": cookie}, allow_redirects=False,
                              timeout=60)
        assert lesson.status_code == 200 and b"<h1" in lesson.content, (lesson.status_code, lesson.headers)
        floor = Gunicorn("floor_app:from_environment()", {"FLOOR_DATABASE_URL": url,
                                                         "FLOOR_PAGE_BYTES": str(len(lesson.content))},
                         chdir=ROOT / "bench")
        servers.append(floor.start())
        pupil_id = school.burst_ids[0]

        say("lesson page throughput")
        ours = hammer(base + school.lesson_path, 30, seconds, {"Cookie": cookie})
        bare = hammer(f"{floor.base}/lesson?user={pupil_id}", 30, seconds)
        figures.append(goal_at_least(
            f"Lesson page, signed-in pupil, -w 2, 30 connections ({len(lesson.content) / 1024:.0f} KB, {ours.tool})",
            ours.rps, bare.rps, 0.6, "req/s",
            project_text=f"{ours.rps:,.0f} req/s, p95 {ms(ours.p95_ms)}, {ours.errors} errors",
            floor_text=f"{bare.rps:,.0f} req/s, p95 {ms(bare.p95_ms)} (same size + one two-table join)"))

        say("password and picture sign-ins, quiz submissions")
        signing, browsers = password_burst(base, school.password_pupils)
        hashing = floor_password_burst(floor.base, school.password_pupils)
        figures.append(goal_at_most(
            "30 password sign-ins within 1 s: all done", signing.all_done_s, hashing.all_done_s, 1.25, "s",
            project_text=f"{signing.all_done_s:.2f} s, p95 {ms(signing.p('sign-in', 0.95))}, "
                         f"{len(signing.errors)} errors",
            floor_text=f"{hashing.all_done_s:.2f} s (30 scrypt checks, same arrivals, 2 workers)"))
        figures[-1].met = figures[-1].met and not signing.errors
        if signing.errors:
            notes.append(f"password sign-in errors: {signing.errors[:3]}")

        tapping = picture_burst(base, school)
        slowest = max(tapping.steps.get("signed in", [math.nan]))
        figures.append(goal_absolute(
            "30 picture sign-ins within 1 s: slowest pupil (3 taps)", slowest / 1000, 0.5, "s",
            project_text=f"{slowest / 1000:.2f} s; all done {tapping.all_done_s:.2f} s after the first; "
                         f"{len(tapping.errors)} errors", extra_ok=not tapping.errors))
        if tapping.errors:
            notes.append(f"picture sign-in errors: {tapping.errors[:3]}")

        quiz = quiz_load(base, browsers[:10], school, 8)
        inserts = floor_insert_load(floor.base, school.burst_ids[:10], 8)
        figures.append(goal_at_most(
            "Quiz submission p95, 10 pupils at once", percentile(quiz, 0.95), percentile(inserts, 0.95), 3, "ms",
            strict=True, project_text=f"p95 {ms(percentile(quiz, 0.95))} (median {ms(percentile(quiz, 0.5))})",
            floor_text=f"p95 {ms(percentile(inserts, 0.95))} (one insert transaction; each after a page, "
                       "as each submission after opening the quiz)"))

        say("class grid and progress (test client)")
        figures += in_process_figures(app, url, school)
        say("start-up without --preload")

        not_preloaded = Gunicorn("app:app", env, preload=False)
        servers.append(not_preloaded.start())
        cold, warm, bare_start = not_preloaded.startup(), site.startup(), floor.startup()
        not_preloaded.stop()
        figures.append(goal_at_most(
            "Start-up per worker, no --preload", cold["per_worker"], bare_start["per_worker"], math.inf, "s",
            project_text=f"{cold['per_worker']:.2f} s (all ready {cold['all_ready']:.2f} s)",
            floor_text=f"{bare_start['per_worker']:.2f} s"))
        figures[-1].goal, figures[-1].met = "-", None
        figures.append(goal_absolute(
            "Start-up per worker, --preload", warm["per_worker"], 0.5, "s",
            project_text=f"{warm['per_worker']:.2f} s (master loads the app once: {warm['master']:.2f} s; "
                         f"all ready {warm['all_ready']:.2f} s)", floor_text=f"{bare_start['per_worker']:.2f} s"))

        say("Safer Internet Day burst")
        burst = safer_internet_day(base, school)
        with app.app_context():
            stored = db.session.scalar(select(func.count()).select_from(QuizAttempt).where(
                QuizAttempt.user_id.in_(school.burst_ids), QuizAttempt.module_id == school.module_id))
        acknowledged = len(burst.steps.get("stored", []))
        lost = acknowledged - stored
        figures.append(Figure(
            f"Safer Internet Day: {BURST_PUPILS} roster-imported pupils in {BURST_SECONDS:.0f} s (10x), "
            "sign in + quiz", f"{stored}/{BURST_PUPILS} stored, {len(burst.errors)} errors, {lost} lost", "-", "-",
            "0 errors, 0 lost", not burst.errors and lost == 0 and stored == BURST_PUPILS))
        if burst.errors:
            notes.append(f"burst errors: {burst.errors[:3]}")
        write_p99 = burst.p("quiz", 0.99)
        row = goal_absolute("Safer Internet Day: quiz write p99", write_p99, 50, "ms",
                            project_text=f"p99 {ms(write_p99)} (sign-in p99 {ms(burst.p('sign-in', 0.99))})",
                            floor_text=f"insert p95 {ms(percentile(inserts, 0.95))}")
        if kind != "sqlite":
            row.goal, row.met = "(goal on SQLite)", None
        figures.append(row)
        if ours.tool != "wrk":
            notes.append("wrk is not installed: the lesson figures come from the threaded Python client "
                         "(it shares the CPUs with the servers)")
        app.extensions["eduplatform.db"].engine.dispose()
        return figures, notes, True
    except Exception as error:  # reported with the figures measured so far
        notes.append(f"the run stopped: {type(error).__name__}: {str(error)[:300]}")
        return figures, notes, False
    finally:
        for server in servers:
            server.stop()
        drop_scratch(kind)
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("sqlite", "postgresql", "all"), default="all")
    parser.add_argument("--seconds", type=float, default=10, help="length of each throughput run")
    args = parser.parse_args()
    kinds = ["sqlite", "postgresql"] if args.database == "all" else [args.database]
    if args.database == "all" and not postgres_answers():
        kinds = ["sqlite"]
        print("PostgreSQL does not answer on 127.0.0.1:5432: measuring SQLite only")
    failed = []
    for kind in kinds:
        started = time.perf_counter()
        figures, notes, complete = run_one(kind, args.seconds)
        if not complete:
            failed.append(kind)
        print(f"\n### HTTP bench: database {kind}, {os.cpu_count()} CPUs, "
              f"gunicorn -w 2 --preload (gthread, {shipped_threads()} threads), "
              f"{time.perf_counter() - started:.0f} s\n")
        print(markdown_table(figures))
        for note in notes:
            print(f"- {note}")
    if failed:
        sys.exit(f"the HTTP bench failed on {', '.join(failed)}")


if __name__ == "__main__":
    main()
