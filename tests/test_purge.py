"""The retention purge (dry run and real run), the retention periods and their page, and ``flask purge``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from eduplatform.accounts.models import SetupCode, User
from eduplatform.audit.models import AuditAction, AuditEvent
from eduplatform.db import db, utcnow
from eduplatform.privacy.purge import COUNTED, purge
from eduplatform.privacy.retention import KIND_BY_KEY, effective_periods, problem_with, save_retention_periods
from eduplatform.reports.models import AuditReview
from eduplatform.roles import Role
from eduplatform.schools.models import School
from eduplatform.signin.models import PictureSignInAttempt
from tests.conftest import Auth, counting_statements, run_in_app

YEAR = timedelta(days=365)


def _user(user_id: int) -> User:
    person = db.session.get(User, user_id)
    assert person is not None
    return person


@pytest.fixture
def purge_world(app, school, make_user, make_class, link) -> dict[str, Any]:
    """A school with people who left long ago and not so long ago, old and new rows of every kind."""
    now = utcnow()
    people = {
        "coordinator": make_user(Role.COORDINATOR, Role.STAFF, school=school),
        "pupil_left_3y": make_user(Role.PUPIL, school=school, year_group=6),
        "pupil_left_1y": make_user(Role.PUPIL, school=school, year_group=6),
        "staff_left_3y": make_user(Role.STAFF, school=school),
        "staff_left_7y": make_user(Role.STAFF, school=school),
        "signer_left_7y": make_user(Role.COORDINATOR, school=school, first_name="Held", last_name="Signer"),
        "parent_left_3y": make_user(Role.PARENT, school=school, first_name="Held", last_name="Parent"),
        "parent_left_3y_alone": make_user(Role.PARENT, school=school),
        "child_on_roll": make_user(Role.PUPIL, school=school, year_group=3),
        "visitor_never_came": make_user(Role.VISITOR, school=school),
        "visitor_came_lately": make_user(Role.VISITOR, school=school),
        "adult_on_first_password": make_user(Role.STAFF, school=school),
    }
    link(people["parent_left_3y"], people["child_on_roll"])
    school_class = make_class(school, pupils=(people["child_on_roll"],))

    def setup() -> None:
        left = {"pupil_left_3y": 3, "pupil_left_1y": 1, "staff_left_3y": 3, "staff_left_7y": 7, "signer_left_7y": 7,
                "parent_left_3y": 3, "parent_left_3y_alone": 3}
        for name, years in left.items():
            _user(people[name].id).left_at = now - years * YEAR
        for name in ("visitor_never_came", "visitor_came_lately"):
            _user(people[name].id).created_at = now - 2 * YEAR
        db.session.add(AuditEvent(action=AuditAction.SIGNED_IN.value, school_id=school.id, at=now - timedelta(days=20),
                                  actor_id=people["visitor_came_lately"].id))
        adult = _user(people["adult_on_first_password"].id)
        adult.must_change_password, adult.first_password_issued_at = True, now - timedelta(days=20)
        adult.card_secret = "amber-otter-42"
        child = people["child_on_roll"].id
        for days in (100, 10):
            db.session.add(PictureSignInAttempt(school_id=school.id, class_id=school_class.id, user_id=child,
                                                succeeded=True, attempted_at=now - timedelta(days=days)))
            db.session.add(SetupCode(user_id=people["parent_left_3y"].id, lookup="x", code_hash="y",
                                     sent_by="letter", issued_at=now - timedelta(days=days + 30),
                                     expires_at=now - timedelta(days=days - 60)))  # expired 40 days ago; in 50
        db.session.add(AuditEvent(action=AuditAction.SIGNED_IN.value, school_id=school.id, at=now - 3 * YEAR))
        db.session.add(AuditReview(school_id=school.id, academic_year=now.year - 9, coordinator_id=people[
            "signer_left_7y"].id, coordinator_name="Held Signer", signed_at=now - 8 * YEAR, frozen={}))

    run_in_app(app, setup)
    return people


EXPECTED = {"pupils": 1, "staff": 1, "parents": 1, "visitors": 1, "sign_in_attempts": 1, "audit_log": 1,
            "setup_codes": 1, "lapsed_first_passwords": 1}


def _state(people: dict[str, Any], school_id: int) -> dict[str, Any]:
    def read() -> dict[str, Any]:
        return {
            "erased": sorted(name for name, person in people.items() if _user(person.id).erased_at is not None),
            "attempts": db.session.scalar(select(func.count()).select_from(PictureSignInAttempt)),
            "codes": db.session.scalar(select(func.count()).select_from(SetupCode)),
            "card": _user(people["adult_on_first_password"].id).card_secret,
            "purge_runs": db.session.scalar(select(func.count()).select_from(AuditEvent).where(
                AuditEvent.action == AuditAction.PURGE_RUN.value, AuditEvent.school_id == school_id)),
        }

    return read()


def test_a_dry_run_counts_and_changes_nothing_then_a_real_run_removes_the_same(app, school, purge_world) -> None:
    today = utcnow().date()
    before = run_in_app(app, lambda: _state(purge_world, school.id))

    dry = run_in_app(app, lambda: purge(today, dry_run=True, school_ids=[school.id]))
    assert dry.schools[0].counts == EXPECTED
    kept = {person.user_id: person for person in dry.schools[0].kept}
    assert set(kept) == {purge_world["signer_left_7y"].id, purge_world["parent_left_3y"].id}
    assert any("signed the yearly audit" in reason for reason in kept[purge_world["signer_left_7y"].id].reasons)
    assert any("still on the school's roll" in reason for reason in kept[purge_world["parent_left_3y"].id].reasons)
    assert run_in_app(app, lambda: _state(purge_world, school.id)) == before

    real = run_in_app(app, lambda: purge(today, dry_run=False, school_ids=[school.id]))
    assert real.schools[0].counts == EXPECTED
    assert [person.user_id for person in real.schools[0].kept] == [person.user_id for person in dry.schools[0].kept]
    after = run_in_app(app, lambda: _state(purge_world, school.id))
    assert after["erased"] == ["parent_left_3y_alone", "pupil_left_3y", "staff_left_7y", "visitor_never_came"]
    assert (after["attempts"], after["codes"], after["card"], after["purge_runs"]) == (
        before["attempts"] - 1, before["codes"] - 1, None, 1)

    def logged() -> dict[str, Any]:
        entry = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.PURGE_RUN.value))
        assert entry is not None
        return entry.details

    assert logged_details_have_counts_only(run_in_app(app, logged))
    remaining = run_in_app(app, lambda: purge(today, dry_run=True, school_ids=[school.id]))
    assert remaining.schools[0].counts == dict.fromkeys(COUNTED, 0)  # what remains is kept for its period
    assert len(remaining.schools[0].kept) == 2


def logged_details_have_counts_only(details: dict[str, Any]) -> bool:
    return details["counts"] == EXPECTED and details["kept"] == 2 and set(details) == {"today", "counts", "kept"}


def test_a_schools_own_period_keeps_its_leavers_longer(app, school, purge_world) -> None:
    run_in_app(app, lambda: save_retention_periods(db.session.get(School, school.id), {"pupils": 1200}, actor=None))
    report = run_in_app(app, lambda: purge(utcnow().date(), dry_run=True, school_ids=[school.id]))
    assert report.schools[0].counts["pupils"] == 0  # left three years (1,095 days) ago: kept for 1,200


def test_other_schools_are_left_alone(app, school, make_school, purge_world) -> None:
    other = make_school("Elm School")
    report = run_in_app(app, lambda: purge(utcnow().date(), dry_run=False, school_ids=[other.id]))
    assert [s.school_id for s in report.schools] == [other.id]
    assert run_in_app(app, lambda: _state(purge_world, school.id))["erased"] == []


def test_the_purge_keeps_and_reports_people_a_safeguarding_concern_holds(app, school, make_user) -> None:
    from eduplatform.concerns import services as concerns
    from eduplatform.concerns.models import Concern

    dsl = make_user(Role.STAFF, school=school)
    people = {name: make_user(role, school=school, year_group=year_group, first_name="Held", last_name=name)
              for name, role, year_group in (("Subject", Role.PUPIL, 9), ("Reporter", Role.PARENT, None),
                                             ("Closedlongago", Role.PUPIL, 9), ("Nothing", Role.PUPIL, 9))}

    def setup() -> None:
        open_one = concerns.report_concern(_user(people["Reporter"].id), category="grooming",
                                           about_id=people["Subject"].id, text="An adult online asked to meet.")
        assert open_one.status == "new"
        old = concerns.report_concern(_user(people["Closedlongago"].id), category="cyberbullying",
                                      text="Name-calling.")
        concerns.close_concern(old, _user(dsl.id), outcome="Sorted out with the class.")
        db.session.get(Concern, old.id).closed_at = utcnow() - 8 * YEAR  # past the seven years
        for person in people.values():
            _user(person.id).left_at = utcnow() - 3 * YEAR

    run_in_app(app, setup)
    report = run_in_app(app, lambda: purge(utcnow().date(), dry_run=True, school_ids=[school.id]))
    kept = {person.user_id: person.reasons for person in report.schools[0].kept}
    held = ("An open safeguarding concern: they reported it, or it is about them.",)
    assert kept == {people["Subject"].id: held, people["Reporter"].id: held}
    assert report.schools[0].counts["pupils"] == 2 and report.schools[0].counts["parents"] == 0
    real = run_in_app(app, lambda: purge(utcnow().date(), dry_run=False, school_ids=[school.id]))
    assert {person.user_id for person in real.schools[0].kept} == {people["Subject"].id, people["Reporter"].id}
    erased = run_in_app(app, lambda: {name for name, person in people.items() if _user(person.id).erased_at})
    assert erased == {"Closedlongago", "Nothing"}
    text = run_in_app(app, lambda: db.session.scalars(select(Concern.text).order_by(Concern.id)).all())
    assert text == ["An adult online asked to meet.", ""]  # the erased reporter's words went with them


# --- Retention periods ----------------------------------------------------------------------------


def test_periods_have_defaults_and_limits() -> None:
    assert effective_periods({}) == {"pupils": 730, "staff": 2190, "parents": 365, "visitors": 365, "concerns": 2555,
                                     "sign_in_attempts": 90, "audit_log": 730, "setup_codes": 30}
    assert "from 2190 to 3650" in (problem_with(KIND_BY_KEY["concerns"], "2000") or "")
    assert effective_periods({"pupils": 1000, "staff": 10, "parents": "x", "visitors": True})["pupils"] == 1000
    assert effective_periods({"staff": 10})["staff"] == 2190  # below the legal minimum: the default applies
    assert problem_with(KIND_BY_KEY["staff"], "") is None
    assert problem_with(KIND_BY_KEY["staff"], "2190") is None
    for bad in ("2189", "3651", "-5", "1.5", "six years"):
        assert "from 2190 to 3650" in (problem_with(KIND_BY_KEY["staff"], bad) or "")


def test_saving_periods_logs_the_change_and_refuses_values_out_of_limits(app, school) -> None:
    def save(periods: dict[str, int]) -> bool:
        return save_retention_periods(db.session.get(School, school.id), periods, actor=None)

    assert run_in_app(app, lambda: save({"pupils": 800})) is True
    assert run_in_app(app, lambda: save({"pupils": 800})) is False
    with pytest.raises(ValueError, match="pupils"):
        run_in_app(app, lambda: save({"pupils": 10}))
    assert run_in_app(app, lambda: db.session.get(School, school.id).retention_periods) == {"pupils": 800}

    def logged() -> list[Any]:
        return [entry.details for entry in db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == AuditAction.RETENTION_CHANGED.value))]

    assert run_in_app(app, logged) == [{"retention_periods": {"before": {}, "after": {"pupils": 800}}}]


def test_the_retention_page_refuses_bad_values_and_changes_nothing(app, client, auth: Auth, school, make_user) -> None:
    auth.login(make_user(Role.COORDINATOR, school=school))
    page = client.get("/privacy/retention").get_data(as_text=True)
    assert "IRMS toolkit" in page and "Default: 2190 days. From 2190 to 3650 days." in page
    response = auth.post("/privacy/retention", {"pupils": "100", "staff": "lots"}, token_from="/privacy/retention")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Pupils: enter a whole number of days from 365 to 3650" in text
    assert "Staff, governors and coordinators: enter a whole number of days from 2190 to 3650" in text
    assert run_in_app(app, lambda: db.session.get(School, school.id).retention_periods) == {}


def test_the_retention_page_saves_periods_and_previews_the_purge(app, client, auth: Auth, school, purge_world) -> None:
    auth.login(purge_world["coordinator"])
    page = client.get("/privacy/retention").get_data(as_text=True)
    assert "What a purge today would remove" in page
    assert "<td>Pupils erased</td><td>1</td>" in page and "<td>Audit-log entries deleted</td><td>1</td>" in page
    assert "Held Signer" in page and "Held Parent" in page
    response = auth.post("/privacy/retention", {"pupils": " 1200 ", "audit_log": ""}, token_from="/privacy/retention")
    assert response.status_code == 302
    assert run_in_app(app, lambda: db.session.get(School, school.id).retention_periods) == {"pupils": 1200}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The retention periods of" in page and "<td>Pupils erased</td><td>0</td>" in page
    assert run_in_app(app, lambda: _state(purge_world, school.id))["erased"] == []  # a preview only


def test_the_preview_costs_the_same_queries_however_many_leavers(app, client, auth: Auth, school, purge_world,
                                                                  make_user, link) -> None:
    auth.login(purge_world["coordinator"])
    client.get("/privacy/retention")  # warm up: the session's first page loads the menu's helpers
    with counting_statements(app) as few:
        client.get("/privacy/retention")

    def more_leavers() -> None:
        for _ in range(6):
            for role in (Role.PUPIL, Role.STAFF, Role.VISITOR):
                person = make_user(role, school=school)
                run_in_app(app, lambda person=person: setattr(_user(person.id), "left_at", utcnow() - 8 * YEAR))

    more_leavers()
    with counting_statements(app) as many:
        page = client.get("/privacy/retention").get_data(as_text=True)
    assert "<td>Pupils erased</td><td>7</td>" in page
    assert many[0] == few[0]


# --- The command line ----------------------------------------------------------------------------


def test_purge_on_the_command_line(app, runner, school, purge_world) -> None:
    today = utcnow().date().isoformat()
    dry = runner.invoke(args=["purge", "--dry-run", "--today", today, "--school", str(school.id)])
    assert dry.exit_code == 0, dry.output
    assert "(dry run: nothing changed)" in dry.output
    assert "would remove 1 pupils" in dry.output and "would remove 1 audit-log entries" in dry.output
    assert "kept Held Signer" in dry.output and "signed the yearly audit" in dry.output
    assert run_in_app(app, lambda: _state(purge_world, school.id))["erased"] == []

    real = runner.invoke(args=["purge", "--today", today, "--school", str(school.id)])
    assert real.exit_code == 0, real.output
    assert "removed 1 pupils" in real.output and "removed 1 lapsed first passwords" in real.output
    assert len(run_in_app(app, lambda: _state(purge_world, school.id))["erased"]) == 4

    bad_day = runner.invoke(args=["purge", "--dry-run", "--today", "01/09/2027"])
    assert bad_day.exit_code != 0 and "YYYY-MM-DD" in bad_day.output
    no_school = runner.invoke(args=["purge", "--dry-run", "--school", "999999"])
    assert no_school.exit_code != 0 and "no school with id 999999" in no_school.output


def test_purge_runs_as_on_the_day_given(app, runner, school, purge_world) -> None:
    earlier = (utcnow().date() - 2 * YEAR).isoformat()  # two years ago, nobody had been gone long enough
    report = runner.invoke(args=["purge", "--dry-run", "--today", earlier, "--school", str(school.id)])
    assert "would remove 0 pupils" in report.output and "would remove 0 staff" in report.output
    assert date.fromisoformat(earlier).isoformat() in report.output
