"""Quizzes that measure, through HTTP: a shuffled order kept for the review, questions drawn from a
larger bank, the pass mark per audience, a second attempt after feedback, a daily cap for adults,
and the first attempt of the year beside the best."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select, update

from eduplatform.db import db
from eduplatform.records.models import ModuleCompletion, QuizAnswer, QuizAttempt
from eduplatform.roles import Role
from tests.conftest import Auth, csrf_token
from tests.test_catalogue import CURRICULUM_MODULES, FIXTURE, CatalogueCopy, copy, load  # noqa: F401 (the fixture)
from tests.test_learning import ALL_RIGHT, HALF_RIGHT, MODULE, QUIZ, completion, read_all_lessons, submit

AUDIENCES = "curriculum/audiences.yaml"
Q1_TEXTS = {"a": "Your best friend", "b": "A trusted adult at home", "c": "Anyone who asks nicely"}
GOVERNORS_QUIZ = "/modules/governors-duties/quiz"
GOVERNORS_WRONG = {"q_q1": "false", "q_q2": "a"}


def _token(page: str) -> str:
    return re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page).group(1)


def _option_order(page: str, field: str) -> list[str]:
    return re.findall(rf'name="{field}"[^>]* type="(?:radio|checkbox)" value="([^"]+)"', page)


def _form(client, path: str) -> dict[str, str]:
    return {"csrf_token": csrf_token(client, path), "submission_token": _token(client.get(path).get_data(as_text=True))}


# --- The order shown, kept for the review ---------------------------------------------------------


def test_the_review_lists_the_options_in_the_order_the_attempt_showed(app, client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    page = client.get(QUIZ).get_data(as_text=True)
    shown = _option_order(page, "q_q1")
    assert sorted(shown) == ["a", "b", "c"]
    assert client.get(QUIZ).get_data(as_text=True) != page  # a new page: a new token
    response = client.post(QUIZ, data={"csrf_token": csrf_token(client, QUIZ), "submission_token": _token(page),
                                       **ALL_RIGHT})
    review = client.get(response.headers["Location"]).get_data(as_text=True)
    first_question = review.split("Who can you share your password with?", 1)[1].split("</li>\n  \n", 1)[0]
    positions = [first_question.index(Q1_TEXTS[option]) for option in shown]
    assert positions == sorted(positions), "the review lists the options as the learner saw them"
    with app.app_context():
        answer = db.session.scalar(select(QuizAnswer).where(QuizAnswer.question_id == "q1"))
        assert answer.shown_options == shown


def test_the_options_come_in_different_orders_on_different_pages(client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    orders = {tuple(_option_order(client.get(QUIZ).get_data(as_text=True), "q_q1")) for _ in range(20)}
    assert len(orders) > 1 and all(sorted(order) == ["a", "b", "c"] for order in orders)


def test_a_page_sent_back_with_a_missing_answer_keeps_its_order(client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    page = client.get(QUIZ).get_data(as_text=True)
    again = client.post(QUIZ, data={"csrf_token": csrf_token(client, QUIZ), "submission_token": _token(page),
                                    "q_q1": "b"}).get_data(as_text=True)
    assert "Some questions have no answer yet" in again
    assert _option_order(again, "q_q1") == _option_order(page, "q_q1")
    assert _option_order(again, "q_q2") == _option_order(page, "q_q2")


# --- Questions drawn from a larger bank -----------------------------------------------------------


def test_a_drawn_quiz_shows_and_grades_only_the_drawn_questions(app, client, auth: Auth, make_user, school) -> None:
    learner = make_user(Role.PUPIL, school=school, year_group=10)
    auth.login(learner)
    quiz = "/modules/ks4-scams/quiz"
    drawn = set()
    for _ in range(12):
        page = client.get(quiz).get_data(as_text=True)
        assert "Question 1 of 1" in page and "Question 2" not in page
        drawn.add("q_q1" if 'name="q_q1"' in page else "q_q2")
    assert drawn == {"q_q1", "q_q2"}  # over a few pages both questions of the bank come up
    page = client.get(quiz).get_data(as_text=True)
    response = client.post(quiz, data={"csrf_token": csrf_token(client, quiz), "submission_token": _token(page),
                                       "q_q1": "true", "q_q2": "b"})
    review = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You got 1 out of 1 (100%)" in review
    with app.app_context():
        attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.user_id == learner.id))
        assert (attempt.score, attempt.max_score) == (1, 1)
        assert [answer.question_id for answer in attempt.answers] == [
            "q1" if 'name="q_q1"' in page else "q2"]


# --- A second attempt after feedback; the first and the best --------------------------------------


def test_a_failed_attempt_shows_feedback_and_a_new_draw_to_try_again(app, client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    read_all_lessons(auth)
    first = submit(client, HALF_RIGHT)
    review = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "Explanation-KS2-q2" in review and "Try again" in review
    assert f'href="{QUIZ}"' in review
    again = client.get(QUIZ).get_data(as_text=True)
    with app.app_context():
        first_token = db.session.scalar(select(QuizAttempt.submission_token))
    assert _token(again) != first_token
    second = client.post(QUIZ, data={"csrf_token": csrf_token(client, QUIZ), "submission_token": _token(again),
                                     **ALL_RIGHT})
    assert "Well done: you passed." in client.get(second.headers["Location"]).get_data(as_text=True)
    row = completion(app, pupil)
    assert (row.first_percent, row.best_percent, row.attempt_count) == (50, 100, 2)
    assert "Best score 100% (first attempt 50%)" in client.get(MODULE).get_data(as_text=True)


def test_a_teacher_sees_the_first_attempt_score_beside_the_best(app, client, auth: Auth, pupil, staff,
                                                                 make_class, school) -> None:
    make_class(school, pupils=(pupil,), teachers=(staff,))
    auth.login(pupil)
    submit(client, HALF_RIGHT)
    submit(client, ALL_RIGHT)
    auth.logout()
    auth.login(staff)
    page = client.get(f"/people/{pupil.id}").get_data(as_text=True)
    assert "First attempt score" in page and "<td>50%</td>" in page and "<td>100%</td>" in page


# --- The daily cap for adults ---------------------------------------------------------------------


def test_an_adult_is_refused_a_third_attempt_in_a_day_and_may_try_again_tomorrow(app, client, auth: Auth,
                                                                                  make_user, school) -> None:
    governor = make_user(Role.GOVERNOR, school=school)
    auth.login(governor)
    late_form = _form(client, GOVERNORS_QUIZ)  # a page opened before the cap was reached
    for _ in range(2):
        last = client.post(GOVERNORS_QUIZ, data={**_form(client, GOVERNORS_QUIZ), **GOVERNORS_WRONG})
        assert last.status_code == 302 and "/attempts/" in last.headers["Location"]
    review = client.get(last.headers["Location"]).get_data(as_text=True)
    assert "Try again</a>" not in review and "You have used all 2 of today&#39;s attempts" in review
    page = client.get(GOVERNORS_QUIZ).get_data(as_text=True)
    assert "try again tomorrow" in page and 'name="submission_token"' not in page
    refused = client.post(GOVERNORS_QUIZ, data={**late_form, **GOVERNORS_WRONG})
    assert refused.status_code == 302 and refused.headers["Location"] == "/modules/governors-duties"
    assert "try again tomorrow" in client.get(refused.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 2
        db.session.execute(update(QuizAttempt).values(submitted_at=QuizAttempt.submitted_at - timedelta(days=1)))
        db.session.commit()
    assert 'name="submission_token"' in client.get(GOVERNORS_QUIZ).get_data(as_text=True)  # a new day


def test_pupils_have_no_daily_cap(client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    for _ in range(3):  # the fixture's KS2 quiz allows three a year and no daily cap
        assert "/attempts/" in submit(client, HALF_RIGHT).headers["Location"]


# --- The pass mark per audience -------------------------------------------------------------------


def test_the_pass_mark_is_the_modules_then_the_audiences_then_80(copy: CatalogueCopy) -> None:  # noqa: F811
    assert load(copy.root).modules["ks3-footprint"].pass_mark == 80
    copy.replace(AUDIENCES, '    age_band: "11-14"\n', '    age_band: "11-14"\n    pass_mark: 55\n')
    copy.replace(AUDIENCES, '    age_band: "7-11"\n', '    age_band: "7-11"\n    pass_mark: 50\n')
    modules = load(copy.root).modules
    assert modules["ks3-footprint"].pass_mark == 55  # the audience's
    assert modules["ks2-passwords"].pass_mark == 75  # the module's own wins
    assert modules["ks4-scams"].pass_mark == 80


def test_daily_caps_come_from_the_audience_unless_the_module_sets_one(copy: CatalogueCopy) -> None:  # noqa: F811
    modules = load(copy.root).modules
    assert modules["governors-duties"].attempts_per_day == 2 and modules["staff-induction"].attempts_per_day is None
    copy.replace(CURRICULUM_MODULES, "    audience: governors\n", "    audience: governors\n    attempts_per_day: 5\n")
    assert load(copy.root).modules["governors-duties"].attempts_per_day == 5


def test_wrong_quiz_settings_are_reported(copy: CatalogueCopy) -> None:  # noqa: F811
    copy.replace(AUDIENCES, '    age_band: "11-14"\n', '    age_band: "11-14"\n    pass_mark: 0\n')
    copy.replace(CURRICULUM_MODULES, "    questions_per_attempt: 1\n", "    questions_per_attempt: 2\n")
    problems = "\n".join(str(problem) for problem in copy.problems())
    assert "audience 'ks3' pass_mark: must be a whole number from 1 to 100, not 0" in problems
    assert "module 'ks4-scams' draws 2 questions per attempt but its quiz has only 2" in problems


def test_a_completion_row_keeps_the_first_score_of_the_year(app, client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    submit(client, ALL_RIGHT)
    submit(client, HALF_RIGHT)
    with app.app_context():
        row = db.session.scalar(select(ModuleCompletion).where(ModuleCompletion.user_id == pupil.id))
        assert (row.first_percent, row.best_percent) == (100, 100)


def test_the_attempts_export_marks_each_persons_first_attempt(client, auth: Auth, pupil, make_user, school) -> None:
    from tests.test_records import csv_rows

    auth.login(pupil)
    submit(client, HALF_RIGHT)
    submit(client, ALL_RIGHT)
    auth.logout()
    auth.login(make_user(Role.COORDINATOR, school=school))
    rows = csv_rows(client.get("/records/export/attempts.csv"))
    assert [(row["percent"], row["passed"], row["first_attempt"]) for row in rows] == [
        ("50", "no", "yes"), ("100", "yes", "no")]
    passed = csv_rows(client.get("/records/export/attempts.csv?status=passed"))
    assert [(row["percent"], row["first_attempt"]) for row in passed] == [("100", "no")]  # not the first


# --- The audit: the first attempt beside the mean over all attempts --------------------------------


def test_the_audit_gives_the_first_attempt_score_per_key_stage_and_strand() -> None:
    from eduplatform.academic_year import AcademicYear
    from eduplatform.records.programme import programme_for
    from eduplatform.reports.audit_counts import YearCounts
    from eduplatform.reports.audit_figures import FigureMaker
    from eduplatform.reports.audit_first_attempts import MEASURE, add_first_attempt_figures

    catalogue = load(FIXTURE)
    programme = programme_for(None, AcademicYear(2025), catalogue)
    now = YearCounts(first_answers={(1, "ks2-passwords", "q1"): (10, 9), (1, "ks2-passwords", "q3"): (10, 5),
                                    (2, "ks2-passwords", "q1"): (4, 0), (1, "staff-induction", "q1"): (3, 3)})
    maker = FigureMaker(now, YearCounts(), {1}, None)
    add_first_attempt_figures(maker, programme, catalogue)
    found = {(f.audience, f.strand): (f.count, f.total, f.value) for f in maker.figures}
    assert found == {("ks2", None): (14, 20, 70.0), ("ks2", "privacy_security"): (9, 10, 90.0),
                     ("ks2", "online_bullying"): (5, 10, 50.0)}  # school 2 and adults are not counted
    assert all(f.measure == MEASURE and f.section == "outcomes" for f in maker.figures)


def test_the_records_page_and_completions_export_give_the_first_attempt_beside_the_best(
        app, client, auth: Auth, pupil, make_user, school) -> None:
    import csv
    import io

    coordinator = make_user(Role.COORDINATOR, Role.STAFF, school=school)
    auth.login(pupil)
    submit(client, HALF_RIGHT)
    submit(client, ALL_RIGHT)
    auth.logout()
    auth.login(coordinator)
    exported = client.get("/records/export/completions.csv?audience=ks2").get_data(as_text=True)
    rows = [row for row in csv.DictReader(io.StringIO(exported.lstrip("\ufeff")))
            if row["username"] == pupil.username and row["module_id"] == "ks2-passwords"]
    assert [(row["best_percent"], row["first_attempt_percent"]) for row in rows] == [("100", "50")]
    page = client.get("/records?audience=ks2&module=ks2-passwords").get_data(as_text=True)
    assert "<th scope=\"col\">First attempt</th>" in page and "<td>100%</td>\n      <td>50%</td>" in page
