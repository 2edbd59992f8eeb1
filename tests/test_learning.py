"""Dashboard, lessons, quizzes and completion, through HTTP as a learner uses them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from eduplatform.db import db
from eduplatform.records.models import CompletionMethod, CompletionStatus, ModuleCompletion, QuizAnswer, QuizAttempt
from eduplatform.roles import Role
from tests.conftest import Auth, csrf_token

MODULE = "/modules/ks2-passwords"
QUIZ = MODULE + "/quiz"
ALL_RIGHT = {"q_q1": "b", "q_q2": ["a", "c"], "q_q3": "true", "q_q4": "false"}
HALF_RIGHT = {"q_q1": "b", "q_q2": ["a"], "q_q3": "true", "q_q4": "true"}


def quiz_form(client, quiz: str = QUIZ) -> dict[str, str]:
    """The hidden fields of the quiz page at ``quiz`` (the CSRF token and a new submission token)."""
    page = client.get(quiz).get_data(as_text=True)
    token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page).group(1)
    return {"csrf_token": csrf_token(client, quiz), "submission_token": token}


def submit(client, answers: dict, form: dict | None = None):
    return client.post(QUIZ, data={**(form or quiz_form(client)), **answers})


def read_all_lessons(auth: Auth) -> None:
    for lesson in ("ks2-passwords-why", "ks2-passwords-strong"):
        auth.post(f"{MODULE}/lessons/{lesson}/read")


def completion(app, user) -> ModuleCompletion | None:
    with app.app_context():
        return db.session.scalar(select(ModuleCompletion).where(ModuleCompletion.user_id == user.id,
                                                                ModuleCompletion.module_id == "ks2-passwords"))


def test_the_dashboard_lists_the_audiences_modules_and_agreements(client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    page = client.get("/").get_data(as_text=True)
    assert "Passwords" in page and "KS2 agreement" in page and "Not started" in page
    assert "Staff induction" not in page and "Asking first" not in page


def test_a_lesson_renders_its_html_with_the_help_box(client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    page = client.get(f"{MODULE}/lessons/ks2-passwords-why").get_data(as_text=True)
    assert "A password keeps your account safe." in page
    assert 'href="/modules/ks2-passwords/lessons/ks2-passwords-strong"' in page  # internal link resolved
    assert "Where to get help" in page and "Test DSL" in page


def test_reading_lessons_moves_on_and_marks_progress(app, client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    first = auth.post(f"{MODULE}/lessons/ks2-passwords-why/read")
    assert first.headers["Location"] == f"{MODULE}/lessons/ks2-passwords-strong"
    second = auth.post(f"{MODULE}/lessons/ks2-passwords-strong/read")
    assert second.headers["Location"] == QUIZ
    assert completion(app, pupil).status is CompletionStatus.IN_PROGRESS
    assert "In progress" in client.get("/").get_data(as_text=True)


def test_a_lesson_read_that_was_not_saved_says_so_and_stays_on_the_lesson(app, client, auth: Auth, pupil) -> None:
    """Before: an expired page answered the same redirect to the next lesson as a saved one."""
    auth.login(pupil)
    lesson = f"{MODULE}/lessons/ks2-passwords-why"
    response = client.post(f"{lesson}/read", data={"csrf_token": "expired-or-missing"})
    assert response.status_code == 302 and response.headers["Location"] == lesson
    assert "That was not saved" in client.get(lesson).get_data(as_text=True)
    from eduplatform.records.models import LessonRead

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LessonRead)) == 0
    assert completion(app, pupil) is None


def test_reading_a_lesson_twice_records_it_once(app, auth: Auth, pupil) -> None:
    auth.login(pupil)
    auth.post(f"{MODULE}/lessons/ks2-passwords-why/read")
    auth.post(f"{MODULE}/lessons/ks2-passwords-why/read")
    from eduplatform.records.models import LessonRead

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LessonRead)) == 1


def test_correct_answers_never_reach_the_page_before_submission(app, client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    page = client.get(QUIZ).get_data(as_text=True)
    assert "Who can you share your password with?" in page
    assert "Explanation-KS2" not in page, "feedback is in the page before submission"
    assert not re.search(r"correct|data-answer|checked", page, re.IGNORECASE)
    script = (Path(app.static_folder) / "js" / "site.js").read_text()
    assert "correct" not in script.lower()


def test_a_full_quiz_gives_feedback_and_completes_the_module(app, client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    read_all_lessons(auth)
    response = submit(client, ALL_RIGHT)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You got 4 out of 4 (100%)" in page and "Well done: you passed." in page
    assert "Explanation-KS2-q1" in page
    row = completion(app, pupil)
    assert row.status is CompletionStatus.COMPLETED and row.method is CompletionMethod.SELF
    assert row.best_percent == 100 and row.recorded_by_id == pupil.id
    assert "Completed" in client.get("/").get_data(as_text=True)


def test_passing_the_quiz_without_reading_does_not_complete(app, client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    submit(client, ALL_RIGHT)
    assert completion(app, pupil).status is CompletionStatus.IN_PROGRESS


def test_a_failed_attempt_shows_what_was_wrong_and_offers_a_retry(app, client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    page = client.get(submit(client, HALF_RIGHT).headers["Location"]).get_data(as_text=True)
    assert "You got 2 out of 4 (50%)" in page and "You need 75% to pass" in page
    assert "Not quite" in page and "Try again" in page
    # Before: the right answers were shown, so the next attempt could be copied (1/6, then 6/6).
    assert "The right answer:" not in page and "the right answers are shown once you pass" in page
    with app.app_context():
        attempt = db.session.scalar(select(QuizAttempt))
        answers = {a.question_id: (a.selected, a.is_correct, a.strand) for a in attempt.answers}
    assert answers["q2"] == (["a"], False, "privacy_security")
    assert answers["q3"] == (["true"], True, "online_bullying")
    assert attempt.passed is False and attempt.quiz_version and attempt.percent == 50


def test_the_right_answers_are_shown_after_the_last_attempt(app, client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    for _ in range(2):
        submit(client, HALF_RIGHT)
    last = client.get(submit(client, HALF_RIGHT).headers["Location"]).get_data(as_text=True)  # the third of three
    assert "The right answer:" in last and "Try again" not in last


def test_best_score_is_kept_across_attempts(app, client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    submit(client, ALL_RIGHT)
    submit(client, HALF_RIGHT)
    row = completion(app, pupil)
    assert row.best_percent == 100 and row.attempt_count == 2


def test_submitting_the_same_attempt_twice_records_it_once(app, client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    form = quiz_form(client)
    first = submit(client, ALL_RIGHT, form)
    second = submit(client, ALL_RIGHT, form)
    assert first.headers["Location"] == second.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1
        assert db.session.scalar(select(func.count()).select_from(QuizAnswer)) == 4
    assert completion(app, pupil).attempt_count == 1


def test_an_unanswered_question_is_explained_and_nothing_is_saved(app, client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    response = submit(client, {k: v for k, v in ALL_RIGHT.items() if k != "q_q2"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Some questions have no answer yet" in page and "Answer this question before you submit." in page
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 0


def test_the_attempt_limit_stops_further_attempts(app, client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    for _ in range(3):  # max_attempts: 3 in the fixture
        submit(client, HALF_RIGHT)
    assert "You have used all your attempts" in client.get(QUIZ).get_data(as_text=True)
    response = submit(client, ALL_RIGHT,
                      {"csrf_token": csrf_token(client, "/"), "submission_token": "fresh-token-0123456789"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 3


@pytest.mark.parametrize("path", ["/modules/nope", "/modules/ks2-passwords/lessons/nope", "/modules/ks1-asking",
                                  "/modules/visitors-welcome/quiz"])
def test_unknown_or_other_audiences_content_is_not_found(client, auth: Auth, pupil, path) -> None:
    auth.login(pupil)
    assert client.get(path).status_code == 404


def test_a_ks1_picture_quiz_shows_pictures_with_alt_text(client, auth: Auth, make_user, school) -> None:
    from eduplatform.roles import Role

    auth.login(make_user(Role.PUPIL, school=school, year_group=1))
    page = client.get("/modules/ks1-asking/quiz").get_data(as_text=True)
    assert re.search(r'<img src="/static/img/ui/thumbs-up\.[0-9a-f]{10}\.svg" alt="A thumbs up">', page)


def test_the_dashboard_uses_a_fixed_number_of_queries(app, client, auth: Auth, pupil) -> None:
    """Statuses are fetched in bulk: the query count does not grow with modules or records."""
    from sqlalchemy import event

    auth.login(pupil)
    read_all_lessons(auth)
    submit(client, ALL_RIGHT)
    engine = app.extensions["eduplatform.db"].engine
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):  # not the test's SAVEPOINT bookkeeping
            statements.append(statement.split("FROM")[1].split()[0] if "FROM" in statement else statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get("/").status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(statements) <= 5, statements


@pytest.mark.parametrize("token", ["x" * 65, "x" * 5_000_000, "short", "with spaces in it 12345"])
def test_a_malformed_submission_token_is_refused_clearly_and_records_nothing(app, client, auth: Auth, pupil,
                                                                            token) -> None:
    """Before: a 5 MB token was stored, and on PostgreSQL a 65-character one answered 500."""
    auth.login(pupil)
    response = submit(client, ALL_RIGHT, {"csrf_token": csrf_token(client, "/"), "submission_token": token})
    assert response.status_code in (400, 413)
    assert "Nothing was saved" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 0


@pytest.mark.parametrize("path", ["/attempts/99999999999999999999999", "/people/18446744073709551616",
                                  "/classes/9223372036854775808/cards"])
def test_ids_beyond_64_bits_are_not_found(client, auth: Auth, make_user, school, path) -> None:
    """Before: OverflowError, a 500, on 13 routes."""
    auth.login(make_user(Role.COORDINATOR, Role.STAFF, school=school))
    assert client.get(path).status_code == 404


def test_a_pupils_dashboard_shows_a_progress_ring_and_coloured_picture_cards(client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    page = client.get("/").get_data(as_text=True)
    assert '<body class="audience-ks2 ' in page
    assert re.search(r"0 of \d+ modules done this year", page)
    card = page.split('data-module="ks2-passwords"', 1)[0].rsplit("<li", 1)[1]
    assert "card-ks2" in card and "card-with-picture" in card
    assert 'class="card-picture" src="/static/img/ui/thumbs-up.' in page.split('data-module="ks2-passwords"', 1)[1]


def test_an_adults_dashboard_has_no_progress_ring(client, auth: Auth, make_user) -> None:
    auth.login(make_user(Role.STAFF))
    page = client.get("/").get_data(as_text=True)
    assert "progress-ring" not in page and "card-staff" in page
