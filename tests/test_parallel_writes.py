"""The same learner's writes arriving together (two tabs, a double click), on SQLite and PostgreSQL.

Before: on PostgreSQL two parallel "I have read this" clicks or first quiz submissions hit a
unique constraint and answered 500, and the error page itself then failed inside the aborted
transaction; parallel submissions could also pass a quiz's attempt limit and lose attempt counts.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from eduplatform.accounts.services import create_user
from eduplatform.db import db
from eduplatform.records.models import LessonRead, ModuleCompletion, QuizAttempt
from eduplatform.roles import Role
from eduplatform.schools.services import create_school
from tests.conftest import PASSWORD, Auth, csrf_token, run_together
from tests.test_learning import ALL_RIGHT, MODULE, QUIZ, quiz_form

TABS = 6


GOVERNORS_QUIZ = "/modules/governors-duties/quiz"


def _learner(app: Any, slug: str, username: str, role: Role, **details: Any) -> str:
    """A school of its own with one learner who signs in with ``PASSWORD``; their username."""
    with app.app_context():
        school = create_school(name=slug.title(), slug=slug)
        create_user(username=username, first_name="Tab", last_name="Learner", roles={role},
                    school_id=school.id, password=PASSWORD, **details)
        db.session.commit()
    return username


def _pupil(app: Any) -> str:
    return _learner(app, "tabs", "two.tabs", Role.PUPIL, year_group=5)


def _tabs(app: Any, username: str) -> list[Auth]:
    tabs = []
    for _ in range(TABS):
        auth = Auth(app.test_client())
        assert auth.login(username).status_code == 302
        tabs.append(auth)
    return tabs


def _count(app: Any, model: Any) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_the_same_lesson_read_in_parallel_tabs_is_recorded_once(concurrent_app) -> None:
    tabs = _tabs(concurrent_app, _pupil(concurrent_app))
    statuses: list[int] = []
    path = f"{MODULE}/lessons/ks2-passwords-why/read"
    forms = [(tab, {"csrf_token": csrf_token(tab.client, f"{MODULE}/lessons/ks2-passwords-why")}) for tab in tabs]
    assert run_together(*[lambda tab=tab, form=form: statuses.append(tab.client.post(path, data=form).status_code)
                          for tab, form in forms]) == []
    assert statuses == [302] * TABS
    assert _count(concurrent_app, LessonRead) == 1 and _count(concurrent_app, ModuleCompletion) == 1


def test_parallel_first_submissions_are_all_counted_and_keep_the_attempt_limit(concurrent_app) -> None:
    tabs = _tabs(concurrent_app, _pupil(concurrent_app))
    forms = [(tab, quiz_form(tab.client)) for tab in tabs]  # six different submission tokens
    statuses: list[int] = []
    assert run_together(*[lambda tab=tab, form=form: statuses.append(
        tab.client.post(QUIZ, data={**form, **ALL_RIGHT}).status_code) for tab, form in forms]) == []
    assert statuses == [302] * TABS  # no 500: the extra ones are told their attempts are used up
    with concurrent_app.app_context():
        attempts = db.session.scalar(select(func.count()).select_from(QuizAttempt))
        summary = db.session.scalar(select(ModuleCompletion))
    assert attempts == 3 and summary.attempt_count == 3  # the fixture's quiz allows three attempts a year


def test_parallel_passing_submissions_of_an_adult_issue_one_current_certificate(concurrent_app) -> None:
    """Six tabs pass the governors' quiz at once: one completion, and one certificate that is not
    superseded (every later certificate would supersede the first; a race could leave two current)."""
    from eduplatform.records.models import Certificate

    tabs = _tabs(concurrent_app, _learner(concurrent_app, "board", "gov.tabs", Role.GOVERNOR))
    lesson = "/modules/governors-duties/lessons/governors-duties-oversight"
    read = tabs[0].client.post(f"{lesson}/read", data={"csrf_token": csrf_token(tabs[0].client, lesson)})
    assert read.status_code == 302
    forms = [(tab, {**quiz_form(tab.client, GOVERNORS_QUIZ), "q_q1": "true", "q_q2": "b"}) for tab in tabs]
    statuses: list[int] = []
    assert run_together(*[lambda tab=tab, data=data: statuses.append(
        tab.client.post(GOVERNORS_QUIZ, data=data).status_code) for tab, data in forms]) == []
    assert statuses == [302] * TABS
    with concurrent_app.app_context():
        certificates = db.session.scalars(select(Certificate)).all()
        completions = db.session.scalars(select(ModuleCompletion)).all()
    assert len(completions) == 1 and completions[0].status == "completed"
    assert len(certificates) == 1 and certificates[0].superseded_by_id is None


def test_parallel_submissions_of_an_adult_keep_the_daily_cap(concurrent_app) -> None:
    """Six tabs of a governor submit at once: the fixture's governors may try twice a day, so two
    attempts are recorded and the other tabs are told to try again tomorrow (no 500, no third)."""
    tabs = _tabs(concurrent_app, _learner(concurrent_app, "daily-cap", "gov.daily", Role.GOVERNOR))
    forms = [(tab, {**quiz_form(tab.client, GOVERNORS_QUIZ), "q_q1": "false", "q_q2": "a"}) for tab in tabs]
    locations: list[str] = []
    assert run_together(*[lambda tab=tab, data=data: locations.append(
        tab.client.post(GOVERNORS_QUIZ, data=data).location or "") for tab, data in forms]) == []
    assert len(locations) == TABS
    assert sum("/attempts/" in location for location in locations) == 2
    assert sorted(location for location in locations if "/attempts/" not in location) == [
        "/modules/governors-duties"] * (TABS - 2)
    with concurrent_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 2
        assert db.session.scalar(select(ModuleCompletion.attempt_count)) == 2
