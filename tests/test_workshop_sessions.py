"""A workshop's session: the join code and its window, the host's register, attendance giving
completion (attended) and a certificate, feedback once for attendees, and self-study for absentees."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from eduplatform.db import db, utcnow
from eduplatform.records.models import (
    Attendance,
    AttendanceKind,
    Attendee,
    Certificate,
    CompletionMethod,
    ModuleCompletion,
)
from eduplatform.roles import Role
from eduplatform.workshops import attendance
from eduplatform.workshops.models import RegistrationStatus, Workshop, WorkshopFeedback, WorkshopRegistration
from tests.conftest import Auth, run_in_app

MODULE = "parents-home"


@pytest.fixture
def people(school, make_user) -> dict[str, Any]:
    return {"host": make_user(Role.STAFF, school=school), "parent": make_user(Role.PARENT, school=school),
            "other_parent": make_user(Role.PARENT, school=school),
            "coordinator": make_user(Role.COORDINATOR, Role.STAFF, school=school),
            "pupil": make_user(Role.PUPIL, school=school, year_group=5)}


@pytest.fixture
def make_workshop(app, school, people):
    def make(starts_in: timedelta = timedelta(0), minutes: int = 60, code: str | None = "ABC234",
             cancelled: bool = False, registered: tuple[Any, ...] = ()) -> Workshop:
        def build() -> Workshop:
            starts = utcnow() + starts_in
            workshop = Workshop(school_id=school.id, module_id=MODULE, starts_at=starts,
                                ends_at=starts + timedelta(minutes=minutes), host_id=people["host"].id,
                                join_code=code, cancelled_at=utcnow() if cancelled else None)
            db.session.add(workshop)
            db.session.flush()
            for person in registered:
                db.session.add(WorkshopRegistration(workshop_id=workshop.id, user_id=person.id,
                                                    status=RegistrationStatus.REGISTERED))
            return workshop
        return run_in_app(app, build)
    return make


def _join(auth: Auth, person: Any, code: str) -> Any:
    """Sign ``person`` in (signing out whoever was) and type the code."""
    if auth.client.get("/login").status_code == 302:  # someone is signed in
        auth.logout()
    assert auth.login(person).status_code == 302
    return auth.post("/join", {"code": code}, token_from="/join")


def _count(app, model, **where) -> int:
    return run_in_app(app, lambda: db.session.scalar(
        select(func.count()).select_from(model).filter_by(**where)))


def test_the_right_code_records_attendance_completion_and_a_certificate(app, client, auth, people, make_workshop):
    workshop = make_workshop(registered=(people["parent"],))
    response = _join(auth, people["parent"], " abc-234 ")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/workshops/{workshop.id}/after")

    def check() -> None:
        registration = db.session.scalar(select(WorkshopRegistration).filter_by(workshop_id=workshop.id))
        assert registration.attended_at is not None and registration.attendance_method == "code"
        completion = db.session.scalar(select(ModuleCompletion).filter_by(user_id=people["parent"].id,
                                                                          module_id=MODULE))
        assert completion.method is CompletionMethod.ATTENDED and completion.recorded_by_id == people["host"].id
        held = db.session.get(Workshop, workshop.id)
        record = db.session.get(Attendance, held.attendance_id)
        assert record.kind is AttendanceKind.WORKSHOP and record.led_by_id == people["host"].id
        assert record.module_id == MODULE
    run_in_app(app, check)
    assert _count(app, Certificate, user_id=people["parent"].id, module_id=MODULE) == 1
    page = client.get(f"/workshops/{workshop.id}/after").get_data(as_text=True)
    assert "Give feedback" in page and "/certificates/" in page


def test_joining_twice_changes_nothing_and_a_second_person_joins_the_same_record(app, auth, people, make_workshop):
    workshop = make_workshop()
    _join(auth, people["parent"], "ABC234")
    assert _join(auth, people["parent"], "ABC234").status_code == 302
    _join(auth, people["other_parent"], "ABC234")
    assert _count(app, Attendance) == 1
    attendance_id = run_in_app(app, lambda: db.session.get(Workshop, workshop.id).attendance_id)
    assert _count(app, Attendee, attendance_id=attendance_id) == 2
    # Not registered beforehand: a place is created for them when they come.
    assert _count(app, WorkshopRegistration, workshop_id=workshop.id) == 2
    assert _count(app, Certificate, user_id=people["parent"].id) == 1


@pytest.mark.parametrize(("starts_in", "minutes", "ok"), [
    (timedelta(minutes=14), 60, True),                    # opens 15 minutes before the start
    (timedelta(minutes=16), 60, False),                   # a minute earlier: not yet
    (-timedelta(minutes=60 + 29), 60, True),              # closes 30 minutes after the end
    (-timedelta(minutes=60 + 31), 60, False),             # past that: ended
])
def test_the_code_works_only_in_its_window(app, auth, people, make_workshop, starts_in, minutes, ok):
    make_workshop(starts_in=starts_in, minutes=minutes)
    response = _join(auth, people["parent"], "ABC234")
    assert response.status_code == (302 if ok else 200)
    if not ok:
        page = response.get_data(as_text=True)
        assert "has not started yet" in page or "This session has ended" in page
    assert _count(app, WorkshopRegistration) == (1 if ok else 0)


@pytest.mark.parametrize(("code", "message"), [("ZZZ999", "That code is not right"),
                                               ("", "Enter the code shown on the screen")])
def test_a_wrong_code_records_nothing(app, auth, people, make_workshop, code, message):
    make_workshop()
    response = _join(auth, people["parent"], code)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert _count(app, WorkshopRegistration) == 0 and _count(app, Attendance) == 0


def test_another_schools_code_is_not_right(app, auth, make_school, make_user, make_workshop):
    make_workshop()
    stranger = make_user(Role.PARENT, school=make_school())
    assert "That code is not right" in _join(auth, stranger, "ABC234").get_data(as_text=True)
    assert _count(app, WorkshopRegistration) == 0


def test_a_pupil_cannot_record_attendance(app, auth, people, make_workshop):
    make_workshop()
    auth.login(people["pupil"])
    assert auth.post("/join", {"code": "ABC234"}, token_from="/").status_code == 403
    assert _count(app, WorkshopRegistration) == 0


def test_a_cancelled_workshop_records_nothing(app, auth, people, make_workshop):
    make_workshop(cancelled=True)
    assert "was cancelled" in _join(auth, people["parent"], "ABC234").get_data(as_text=True)
    assert _count(app, WorkshopRegistration) == 0


def test_join_tries_are_limited_per_address_and_person(app, auth, people, make_workshop):
    make_workshop()
    auth.login(people["parent"])
    for _ in range(10):
        assert auth.post("/join", {"code": "WRONG1"}, token_from="/join").status_code == 200
    response = auth.post("/join", {"code": "ABC234"}, token_from="/join")
    assert response.status_code == 429 and "Too many tries" in response.get_data(as_text=True)
    assert _count(app, WorkshopRegistration) == 0
    # Another person at the same address still has their tries.
    assert _join(auth, people["other_parent"], "ABC234").status_code == 302


def test_starting_the_session_gives_a_code_from_the_safe_alphabet(app, client, auth, people, make_workshop):
    workshop = make_workshop(code=None, starts_in=timedelta(minutes=5))
    auth.login(people["host"])
    assert auth.post(f"/workshops/{workshop.id}/host/start", token_from=f"/workshops/{workshop.id}/host"
                     ).status_code == 302
    code = run_in_app(app, lambda: db.session.get(Workshop, workshop.id).join_code)
    assert len(code) == 6 and set(code) <= set(attendance.JOIN_CODE_ALPHABET)
    page = client.get(f"/workshops/{workshop.id}/host").get_data(as_text=True)
    assert code in page and "http://127.0.0.1:5000/join" in page
    # Starting again keeps the code on screen.
    auth.post(f"/workshops/{workshop.id}/host/start", token_from=f"/workshops/{workshop.id}/host")
    assert run_in_app(app, lambda: db.session.get(Workshop, workshop.id).join_code) == code


def test_a_finished_workshop_cannot_be_started(app, auth, people, make_workshop):
    workshop = make_workshop(code=None, starts_in=-timedelta(hours=3))
    auth.login(people["host"])
    auth.post(f"/workshops/{workshop.id}/host/start", token_from=f"/workshops/{workshop.id}/host")
    assert run_in_app(app, lambda: db.session.get(Workshop, workshop.id).join_code) is None


def test_the_host_ticks_people_present(app, client, auth, people, make_workshop):
    workshop = make_workshop(registered=(people["parent"], people["other_parent"]))
    auth.login(people["coordinator"])
    response = auth.post(f"/workshops/{workshop.id}/host/register", {"present": [str(people["parent"].id)]},
                         token_from=f"/workshops/{workshop.id}/host")
    assert response.status_code == 302
    page = client.get(f"/workshops/{workshop.id}/host").get_data(as_text=True)
    assert "Present (marked by the host)" in page
    completion_method = run_in_app(app, lambda: db.session.scalar(select(ModuleCompletion.method).filter_by(
        user_id=people["parent"].id, module_id=MODULE)))
    assert completion_method is CompletionMethod.ATTENDED
    assert _count(app, ModuleCompletion, user_id=people["other_parent"].id) == 0
    # Someone not on the list cannot be ticked.
    auth.post(f"/workshops/{workshop.id}/host/register", {"present": [str(people["pupil"].id)]},
              token_from=f"/workshops/{workshop.id}/host")
    assert _count(app, WorkshopRegistration, user_id=people["pupil"].id) == 0


def test_the_host_cannot_tick_before_the_session(app, auth, people, make_workshop):
    workshop = make_workshop(starts_in=timedelta(days=2), registered=(people["parent"],))
    auth.login(people["host"])
    auth.post(f"/workshops/{workshop.id}/host/register", {"present": [str(people["parent"].id)]},
              token_from=f"/workshops/{workshop.id}/host")
    assert _count(app, Attendance) == 0


def test_host_page_figures_and_lessons(app, client, auth, people, make_workshop):
    workshop = make_workshop(registered=(people["parent"], people["other_parent"]))
    _join(auth, people["parent"], "ABC234")
    feedback = f"/workshops/{workshop.id}/feedback"
    assert auth.post(feedback, {"usefulness": "4"}, token_from=feedback).status_code == 302
    auth.logout()
    auth.login(people["host"])
    page = client.get(f"/workshops/{workshop.id}/host").get_data(as_text=True)
    assert "4.0" in page and f"/workshops/{workshop.id}/present/parents-home-controls" in page
    board = client.get(f"/workshops/{workshop.id}/present/parents-home-controls")
    assert board.status_code == 200 and "site-header" not in board.get_data(as_text=True)
    assert client.get(f"/workshops/{workshop.id}/present/no-such-lesson").status_code == 404


def test_feedback_once_and_only_for_attendees(app, client, auth, people, make_workshop):
    workshop = make_workshop(registered=(people["parent"], people["other_parent"]))
    feedback = f"/workshops/{workshop.id}/feedback"
    auth.login(people["other_parent"])
    assert client.get(feedback).status_code == 404
    _join(auth, people["parent"], "ABC234")
    missing = auth.post(feedback, {"change": "More time"}, token_from=feedback)
    assert missing.status_code == 200 and "Choose how useful" in missing.get_data(as_text=True)
    too_long = auth.post(feedback, {"usefulness": "5", "change": "x" * 1001}, token_from=feedback)
    assert "at most 1000" in too_long.get_data(as_text=True)
    assert auth.post(feedback, {"usefulness": "9"}, token_from=feedback).status_code == 200
    assert _count(app, WorkshopFeedback) == 0
    assert auth.post(feedback, {"usefulness": "5", "change": "More time"}, token_from=feedback).status_code == 302
    again = client.get(feedback).get_data(as_text=True)
    assert "you already gave feedback" in again and "/certificates/" in again
    assert _count(app, WorkshopFeedback, workshop_id=workshop.id) == 1


def test_absentee_is_offered_self_study_after_the_end(app, client, auth, people, make_workshop):
    workshop = make_workshop(starts_in=-timedelta(hours=2), registered=(people["other_parent"],))
    auth.login(people["other_parent"])
    page = client.get(f"/workshops/{workshop.id}/after").get_data(as_text=True)
    assert "You missed it" in page and f"/modules/{MODULE}" in page
    assert client.get(f"/workshops/{workshop.id}/feedback").status_code == 404


def test_before_the_end_a_registered_person_is_not_told_they_missed_it(client, auth, people, make_workshop):
    workshop = make_workshop(starts_in=timedelta(days=1), registered=(people["parent"],))
    auth.login(people["parent"])
    assert "You missed it" not in client.get(f"/workshops/{workshop.id}/after").get_data(as_text=True)


def test_service_refuses_codes_outside_the_window(ctx, people, make_workshop):
    workshop = make_workshop()
    opens, closes = attendance.code_window(workshop)
    parent = db.session.get(type(people["parent"]), people["parent"].id)
    assert attendance.workshop_for_code("ABC234", parent, opens).id == workshop.id
    assert attendance.workshop_for_code("ABC234", parent, closes).id == workshop.id
    with pytest.raises(attendance.JoinRefusedError):
        attendance.workshop_for_code("ABC234", parent, opens - timedelta(seconds=1))
    with pytest.raises(attendance.JoinRefusedError):
        attendance.workshop_for_code("ABC234", parent, closes + timedelta(seconds=1))


def test_the_workshop_page_leads_a_parent_to_the_join_code_during_it_and_to_self_study_after(
        client, auth, people, make_workshop):
    during = make_workshop(starts_in=-timedelta(minutes=5), registered=(people["parent"],))
    ended = make_workshop(starts_in=-timedelta(hours=3), code=None, registered=(people["parent"],))
    later = make_workshop(starts_in=timedelta(days=2), code=None, registered=(people["parent"],))
    auth.login(people["parent"])
    now_page = client.get(f"/workshops/{during.id}").get_data(as_text=True)
    assert 'href="/join"' in now_page and "You missed it" not in now_page
    ended_page = client.get(f"/workshops/{ended.id}").get_data(as_text=True)
    assert 'href="/join"' not in ended_page
    assert "You missed it" in ended_page and f"/modules/{MODULE}" in ended_page
    later_page = client.get(f"/workshops/{later.id}").get_data(as_text=True)
    assert 'href="/join"' not in later_page and "You missed it" not in later_page
