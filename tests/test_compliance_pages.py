"""The training pages over HTTP: the training record and its CSV, "My training" and a person's training,
training done elsewhere, and the school's own periods. Bad input: a clear message, nothing changed.

The app here has training rules (``tests/training_catalogue.py``); dates are relative to today.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import User, UserDuty
from eduplatform.audit.models import AuditAction, AuditEvent
from eduplatform.catalogue.training import add_school_days
from eduplatform.compliance.record import school_today
from eduplatform.db import db
from eduplatform.records.models import Certificate, CompletionMethod, ExternalTraining, ModuleCompletion
from eduplatform.roles import Duty, Role
from eduplatform.schools.models import School
from tests.conftest import Auth, run_in_app
from tests.training_catalogue import training_app


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Flask]:
    yield from training_app(tmp_path_factory.mktemp("training-pages"), database_url)


def _update(app: Flask, user: User, *, started_on: date | None = None, duty: Duty | None = None) -> User:
    def change() -> User:
        person = db.session.get(User, user.id)
        person.started_on = started_on
        if duty is not None:
            person.duty_rows = [UserDuty(duty=duty)]
        return person

    return run_in_app(app, change)


def _school_day(app: Flask, school: School) -> date:
    return run_in_app(app, lambda: school_today(db.session.get(School, school.id)))


def _complete(app: Flask, person: User, module_id: str, on: date) -> None:
    def add() -> None:
        db.session.add(ModuleCompletion(
            school_id=person.school_id, user_id=person.id, module_id=module_id,
            academic_year=AcademicYear.containing(on).start_year, status="completed",
            completed_at=datetime.combine(on, datetime.min.time()) + timedelta(hours=12),
            method=CompletionMethod.SELF))

    run_in_app(app, add)


@pytest.fixture
def world(make_trust, make_school, make_user, app: Flask) -> dict[str, Any]:
    """A trust of two schools. The first: a coordinator (the DSL), a teacher whose induction is overdue,
    a deputy DSL, a governor, a visitor, a parent and a pupil. The second: a coordinator and a teacher."""
    trust = make_trust()
    school = make_school("Oak School", trust=trust)
    other = make_school("Elm School", trust=trust)
    today = _school_day(app, school)
    long_ago = today - timedelta(days=400)
    people = {
        "coordinator": make_user(Role.COORDINATOR, Role.STAFF, school=school, first_name="Cara", last_name="Lead"),
        "teacher": make_user(Role.STAFF, school=school, first_name="Tom", last_name="Hughes"),
        "deputy": make_user(Role.STAFF, school=school, first_name="Dee", last_name="Puty"),
        "governor": make_user(Role.GOVERNOR, school=school, first_name="Gil", last_name="Bert"),
        "visitor": make_user(Role.VISITOR, school=school, first_name="Vi", last_name="Sitor"),
        "parent": make_user(Role.PARENT, school=school, first_name="Pat", last_name="Rent"),
        "pupil": make_user(Role.PUPIL, school=school, year_group=5, first_name="Maya", last_name="Patel"),
        "other_coordinator": make_user(Role.COORDINATOR, Role.STAFF, school=other, first_name="Olga",
                                       last_name="Other"),
        "other_teacher": make_user(Role.STAFF, school=other, first_name="Otto", last_name="Elm"),
        "trust_lead": make_user(Role.TRUST_LEAD, trust_id=trust.id),
        "admin": make_user(Role.ADMIN),
    }
    _update(app, people["coordinator"], started_on=long_ago, duty=Duty.DSL)
    _update(app, people["teacher"], started_on=today - timedelta(days=100))
    _update(app, people["deputy"], started_on=long_ago, duty=Duty.DEPUTY_DSL)
    _update(app, people["governor"], started_on=long_ago)
    _update(app, people["other_teacher"], started_on=long_ago)
    _complete(app, people["coordinator"], "staff-induction", long_ago)
    _complete(app, people["coordinator"], "staff-refresher", today)
    _complete(app, people["coordinator"], "staff-dsl", today - timedelta(days=30))
    return {"people": people, "school": school, "other": other, "today": today}


def _login(auth: Auth, world: dict[str, Any], role: str) -> None:
    assert auth.login(world["people"][role]).status_code == 302


def _text(response: Any) -> str:
    return response.get_data(as_text=True)


def _people_listed(response: Any) -> str:
    """The people part of the training record page (not the menu, which names the signed-in person)."""
    page = _text(response)
    return page[page.index("<h2>People</h2>"):page.index('class="panel downloads"')]


# --- The training record ---------------------------------------------------------------------------


def test_the_coordinator_sees_every_adult_with_status_in_words(client, auth, world) -> None:
    _login(auth, world, "coordinator")
    page = _text(client.get("/training"))
    for name in ("Cara Lead", "Tom Hughes", "Dee Puty", "Gil Bert", "Vi Sitor"):
        assert name in page
    assert "Maya Patel" not in page and "Pat Rent" not in page  # pupils and parents have no training rules
    assert "Olga Other" not in page  # another school
    assert "Overdue" in page and "In date" in page and "Not required" in page  # words, not colour alone
    assert "Was due" in page and "(completed online)" in page
    assert "training-scroll" in page  # the wide table scrolls in its own box


def test_the_counts_at_the_top_count_each_requirement(client, auth, world) -> None:
    _login(auth, world, "coordinator")
    page = _text(client.get("/training?rule=staff-induction"))
    assert "3 people" in page  # the coordinator, the teacher and the deputy must do induction
    assert 'href="/training?rule=staff-induction&amp;status=overdue"' in page


@pytest.mark.parametrize(("query", "shown", "hidden"), [
    ("rule=dsl-training", ["Cara Lead", "Dee Puty"], ["Tom Hughes", "Gil Bert"]),
    ("role=governor", ["Gil Bert"], ["Cara Lead", "Tom Hughes"]),
    ("q=hugh", ["Tom Hughes"], ["Cara Lead", "Gil Bert"]),
    ("rule=staff-induction&status=overdue", ["Tom Hughes", "Dee Puty"], ["Cara Lead"]),
    ("rule=staff-induction&status=in_date", ["Cara Lead"], ["Tom Hughes", "Dee Puty"]),
])
def test_the_filters_narrow_the_people(client, auth, world, query: str, shown: list[str], hidden: list[str]) -> None:
    _login(auth, world, "coordinator")
    page = _people_listed(client.get(f"/training?{query}"))
    for name in shown:
        assert name in page, f"{name} should be listed for {query}"
    for name in hidden:
        assert name not in page, f"{name} should not be listed for {query}"


@pytest.mark.parametrize(("query", "message"), [
    ("rule=no-such-rule", "There is no training rule called no-such-rule."),
    ("status=green", "green is not a status of the training record."),
    ("role=pupil", "pupil is not a role listed in the training record."),
    ("school=abc", "abc is not a number."),
])
def test_a_filter_that_does_not_fit_is_refused_with_a_message(client, auth, world, query: str, message: str) -> None:
    _login(auth, world, "coordinator")
    response = client.get(f"/training?{query}")
    assert response.status_code == 400
    assert message in _text(response)


def test_another_schools_record_is_not_found(client, auth, world) -> None:
    _login(auth, world, "coordinator")
    assert client.get(f"/training?school={world['other'].id}").status_code == 404


def test_a_teacher_cannot_see_the_record_but_the_deputy_dsl_sees_their_school(client, auth, world) -> None:
    _login(auth, world, "teacher")
    assert client.get("/training").status_code == 403
    assert "Training record" not in _text(client.get("/my-training"))  # not in the menu either
    auth.logout()
    _login(auth, world, "deputy")
    page = _text(client.get("/training"))
    assert "Tom Hughes" in page and "Olga Other" not in page
    assert "Training record" in _text(client.get("/"))


def test_a_trust_lead_sees_the_schools_side_by_side(client, auth, world) -> None:
    _login(auth, world, "trust_lead")
    page = _text(client.get("/training"))
    assert "By school" in page
    assert "Oak School" in page and "Elm School" in page
    assert "Tom Hughes" in page and "Otto Elm" in page
    only_elm = _text(client.get(f"/training?school={world['other'].id}"))
    assert "Otto Elm" in only_elm and "Tom Hughes" not in only_elm and "By school" not in only_elm


# --- The CSV -----------------------------------------------------------------------------------------


def _rows(response: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_the_csv_has_the_pages_rows_and_is_logged(app, client, auth, world) -> None:
    _login(auth, world, "coordinator")
    response = client.get("/training/export.csv?rule=dsl-training")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = _rows(response)
    assert rows[0] == ["school", "last_name", "first_name", "username", "roles", "duties", "start_date",
                       "dsl-training_status", "dsl-training_due_date", "dsl-training_last_done",
                       "dsl-training_method", "dsl-training_expires"]
    by_name = {row[2]: row for row in rows[1:]}
    assert set(by_name) == {"Cara", "Dee"}
    cara = by_name["Cara"]
    assert cara[4:6] == ["coordinator;staff", "dsl"]
    assert cara[7] == "in_date" and cara[10] == "self"
    assert by_name["Dee"][7] == "overdue"

    def logged() -> list[AuditEvent]:
        return list(db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == AuditAction.EXPORT_DOWNLOADED.value, AuditEvent.school_id == world["school"].id)))

    events = run_in_app(app, logged)
    assert len(events) == 1
    assert events[0].details["kind"] == "training"
    assert events[0].details["rows"] == 2 and events[0].details["complete"] is True
    assert events[0].details["filters"] == {"rule": "dsl-training"}
    assert events[0].actor_id == world["people"]["coordinator"].id


def test_the_csv_cells_are_formula_safe(app, client, auth, world, make_user) -> None:
    sneaky = make_user(Role.STAFF, school=world["school"], first_name="=HYPERLINK(\"http://x\")", last_name="-1+1")
    _login(auth, world, "coordinator")
    rows = _rows(client.get("/training/export.csv"))
    found = next(row for row in rows if row[3] == sneaky.username)
    assert found[1] == "'-1+1" and found[2] == "'=HYPERLINK(\"http://x\")"


def test_the_csv_follows_the_same_access_as_the_page(client, auth, world) -> None:
    _login(auth, world, "teacher")
    assert client.get("/training/export.csv").status_code == 403
    auth.logout()
    _login(auth, world, "coordinator")
    assert client.get(f"/training/export.csv?school={world['other'].id}").status_code == 404


# --- My training and a person's training ---------------------------------------------------------------


def test_my_training_shows_what_is_due_with_a_button_to_the_module(client, auth, world) -> None:
    _login(auth, world, "teacher")
    page = _text(client.get("/my-training"))
    assert "To do" in page and "Staff induction" in page and "Overdue" in page
    assert 'href="/modules/staff-induction"' in page
    assert page.index("Staff induction") < page.index("Staff refresher")  # overdue before what is not yet due
    assert "DSL training" not in page  # not the teacher's rule
    assert "My training" in _text(client.get("/"))  # in the menu
    assert "Completing Staff induction counts for this too." in page  # under the refresher
    assert page.count("counts for this too") == 1


def test_a_parent_has_nothing_required_and_a_pupil_no_training_page(client, auth, world) -> None:
    _login(auth, world, "parent")
    assert "No training is required of you." in _text(client.get("/my-training"))
    auth.logout()
    _login(auth, world, "pupil")
    assert client.get("/my-training").status_code == 404
    assert "My training" not in _text(client.get("/"))


def test_the_history_and_certificates_are_listed_newest_first(app, client, auth, world) -> None:
    coordinator = world["people"]["coordinator"]
    today = world["today"]

    def certificates() -> None:
        old = Certificate(code="AAAAA11111", school_id=coordinator.school_id, user_id=coordinator.id,
                          module_id="staff-dsl", module_version="v1", locale="en", academic_year=2020,
                          completed_on=today - timedelta(days=800), method="self",
                          expires_on=today - timedelta(days=70), issued_at=datetime(2020, 1, 1))
        expired = Certificate(code="BBBBB22222", school_id=coordinator.school_id, user_id=coordinator.id,
                              module_id="governors-duties", module_version="v1", locale="en", academic_year=2021,
                              completed_on=today - timedelta(days=500), method="self",
                              expires_on=today - timedelta(days=135), issued_at=datetime(2021, 1, 1))
        current = Certificate(code="CCCCC33333", school_id=coordinator.school_id, user_id=coordinator.id,
                              module_id="staff-dsl", module_version="v2", locale="en", academic_year=2026,
                              completed_on=today - timedelta(days=30), method="self",
                              expires_on=today + timedelta(days=600), issued_at=datetime(2026, 1, 1))
        db.session.add_all([old, expired, current])
        db.session.flush()
        old.superseded_by_id = current.id

    run_in_app(app, certificates)
    _login(auth, world, "coordinator")
    page = _text(client.get("/my-training"))
    history = page[page.index('id="history"'):page.index('id="certificates-heading"')]
    assert history.index("Staff refresher") < history.index("DSL training") < history.index("Staff induction")
    listed = page[page.index('id="certificates-heading"'):]
    assert listed.index("Current") < listed.index("Expired") < listed.index("Replaced by a newer one")
    current_id = run_in_app(app, lambda: db.session.scalar(select(Certificate.id).where(
        Certificate.code == "CCCCC33333")))
    assert f'href="/certificates/{current_id}"' in listed and f'href="/certificates/{current_id}.pdf"' in listed


def test_someone_elses_training_page_is_logged(app, client, auth, world) -> None:
    teacher = world["people"]["teacher"]
    _login(auth, world, "coordinator")
    page = _text(client.get(f"/training/people/{teacher.id}"))
    assert "Training of Tom Hughes" in page
    assert "Record training done elsewhere" in page

    def viewed() -> int:
        return db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == AuditAction.PERSON_RECORD_VIEWED.value, AuditEvent.subject_user_id == teacher.id))

    assert run_in_app(app, viewed) == 1


@pytest.mark.parametrize(("role", "person", "status"), [
    ("teacher", "teacher", 200),          # their own
    ("teacher", "deputy", 404),           # staff see only their own training
    ("deputy", "teacher", 200),           # the deputy DSL sees the school's record
    ("other_coordinator", "teacher", 404),
    ("coordinator", "other_teacher", 404),
    ("coordinator", "pupil", 404),        # pupils have no training page
    ("trust_lead", "other_teacher", 200),
    ("admin", "teacher", 200),
])
def test_who_sees_whose_training(client, auth, world, role: str, person: str, status: int) -> None:
    _login(auth, world, role)
    assert client.get(f"/training/people/{world['people'][person].id}").status_code == status


# --- Training done elsewhere ---------------------------------------------------------------------------


def _external_rows(app: Flask, person: User) -> list[ExternalTraining]:
    return run_in_app(app, lambda: list(db.session.scalars(
        select(ExternalTraining).where(ExternalTraining.user_id == person.id))))


def test_training_done_elsewhere_counts_and_shows_everywhere(app, client, auth, world) -> None:
    deputy = world["people"]["deputy"]
    _login(auth, world, "coordinator")
    response = auth.post(f"/training/people/{deputy.id}/external", {
        "module_id": "staff-dsl", "completed_on": (world["today"] - timedelta(days=10)).isoformat(),
        "provider": "Local authority safeguarding team", "note": "Two-day course"})
    assert response.status_code == 302
    [entry] = _external_rows(app, deputy)
    assert (entry.module_id, entry.provider, entry.note) == ("staff-dsl", "Local authority safeguarding team",
                                                             "Two-day course")
    assert entry.recorded_by_id == world["people"]["coordinator"].id
    page = _text(client.get(f"/training/people/{deputy.id}"))
    assert "done elsewhere: Local authority safeguarding team" in page
    rows = _rows(client.get("/training/export.csv?rule=dsl-training&q=puty"))
    assert rows[1][7] == "in_date" and rows[1][10] == "external"

    def events() -> list[str]:
        return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.subject_user_id == deputy.id)))

    assert AuditAction.TRAINING_RECORDED_ELSEWHERE.value in run_in_app(app, events)

    removed = auth.post(f"/training/people/{deputy.id}/external/{entry.id}/delete", token_from="/my-training")
    assert removed.status_code == 302
    assert _external_rows(app, deputy) == []
    assert AuditAction.TRAINING_ELSEWHERE_REMOVED.value in run_in_app(app, events)


@pytest.mark.parametrize(("changes", "message"), [
    ({"completed_on": "FUTURE"}, "The date completed cannot be in the future."),
    ({"completed_on": "1999-12-31"}, "The date completed cannot be before 2000."),
    ({"completed_on": "31/02/2026"}, "Date completed"),
    ({"provider": ""}, "Enter who ran the training, such as the local authority."),
    ({"provider": "x" * 201}, "Enter at most 200 characters."),
    ({"note": "x" * 1001}, "Enter at most 1000 characters."),
    ({"module_id": "ks2-passwords"}, "Not a valid choice"),
])
def test_bad_training_done_elsewhere_is_refused_and_nothing_written(app, client, auth, world, changes: dict[str, str],
                                                                     message: str) -> None:
    deputy = world["people"]["deputy"]
    data = {"module_id": "staff-dsl", "completed_on": world["today"].isoformat(), "provider": "LA", "note": ""}
    data.update(changes)
    if data["completed_on"] == "FUTURE":
        data["completed_on"] = (world["today"] + timedelta(days=1)).isoformat()
    _login(auth, world, "coordinator")
    response = auth.post(f"/training/people/{deputy.id}/external", data)
    assert response.status_code == 200
    page = _text(response)
    assert "There is a problem" in page and message in page
    assert _external_rows(app, deputy) == []


def test_training_done_elsewhere_only_for_ones_own_schools_people(app, client, auth, world) -> None:
    data = {"module_id": "staff-dsl", "completed_on": world["today"].isoformat(), "provider": "LA"}
    _login(auth, world, "coordinator")
    assert auth.post(f"/training/people/{world['people']['other_teacher'].id}/external", data).status_code == 404
    auth.logout()
    _login(auth, world, "deputy")  # sees the record, but does not manage training
    assert auth.post(f"/training/people/{world['people']['teacher'].id}/external", data).status_code == 403
    assert _external_rows(app, world["people"]["other_teacher"]) == []
    assert _external_rows(app, world["people"]["teacher"]) == []


# --- The school's own periods ----------------------------------------------------------------------------


def _periods(app: Flask, school: School) -> dict[str, Any]:
    return run_in_app(app, lambda: db.session.get(School, school.id).training_periods)


def test_the_schools_own_period_changes_the_due_date_at_once(app, client, auth, world) -> None:
    _login(auth, world, "coordinator")
    form = _text(client.get("/training/settings"))
    assert "The programme&#39;s: 20 school days" in form or "The programme's: 20 school days" in form
    response = auth.post("/training/settings", {"staff-induction-first_due_school_days": "150",
                                                "dsl-training-renew_after_months": "",
                                                "staff-refresher-due_by": "11-30"}, token_from="/training/settings")
    assert response.status_code == 302
    assert _periods(app, world["school"]) == {"staff-induction": {"first_due_school_days": 150},
                                              "staff-refresher": {"due_by": "11-30"}}
    teacher = world["people"]["teacher"]
    rows = _rows(client.get(f"/training/export.csv?rule=staff-induction&q={teacher.username}"))
    started = date.fromisoformat(rows[1][6])
    assert rows[1][8] == add_school_days(started, 150).isoformat()

    def logged() -> dict[str, Any]:
        return db.session.scalar(select(AuditEvent.details).where(
            AuditEvent.action == AuditAction.SCHOOL_CHANGED.value, AuditEvent.school_id == world["school"].id))

    assert run_in_app(app, logged)["training_periods"]["after"]["staff-induction"] == {"first_due_school_days": 150}


@pytest.mark.parametrize(("field", "value", "message"), [
    ("staff-induction-first_due_school_days", "0", "Staff induction: enter the school days"),
    ("dsl-training-renew_after_months", "-3", "DSL training: enter the months"),
    ("governor-training-renew_after_months", "121", "Governor duties: enter the months"),
    ("staff-refresher-due_by", "02-30", "Staff refresher: enter the due-by day"),
    ("staff-refresher-due_by", "02-29", "Staff refresher: enter the due-by day"),
])
def test_a_bad_period_is_refused_naming_the_rule(app, client, auth, world, field: str, value: str,
                                                 message: str) -> None:
    _login(auth, world, "coordinator")
    response = auth.post("/training/settings", {"staff-induction-first_due_school_days": "30", field: value},
                         token_from="/training/settings")
    assert response.status_code == 200
    assert "There is a problem" in _text(response) and message in _text(response)
    assert _periods(app, world["school"]) == {}


def test_settings_are_for_ones_own_school_and_administrators_choose(client, auth, world) -> None:
    _login(auth, world, "coordinator")
    assert client.get(f"/training/settings?school={world['other'].id}").status_code == 404
    auth.logout()
    _login(auth, world, "admin")
    chooser = _text(client.get("/training/settings"))
    assert f"/training/settings?school={world['other'].id}" in chooser
    assert "Training periods of Elm School" in _text(client.get(f"/training/settings?school={world['other'].id}"))


def test_forms_without_their_csrf_token_change_nothing(app, client, auth, world) -> None:
    deputy = world["people"]["deputy"]
    _login(auth, world, "coordinator")
    response = client.post(f"/training/people/{deputy.id}/external", data={
        "module_id": "staff-dsl", "completed_on": world["today"].isoformat(), "provider": "LA"})
    assert response.status_code == 400  # refused by the site-wide CSRF check
    assert _external_rows(app, deputy) == []
    assert client.post("/training/settings", data={"staff-induction-first_due_school_days": "5"}).status_code == 400
    assert _periods(app, world["school"]) == {}


def test_the_record_pages_through_people_but_the_csv_has_everyone(client, auth, world,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("eduplatform.compliance.views.PAGE_SIZE", 2)
    _login(auth, world, "coordinator")
    first = _text(client.get("/training?role=staff"))
    assert "Page 1 of 2" in first and 'href="/training?page=2&amp;role=staff"' in first
    second = _people_listed(client.get("/training?role=staff&page=2"))
    assert "Dee Puty" in second and "Tom Hughes" not in second  # by surname: Hughes, Lead, then Puty
    assert len(_rows(client.get("/training/export.csv?role=staff"))) == 1 + 3
