"""The filtering and monitoring logs: checks, changes, the interval between checks, the status (green,
amber, red) on the page and the dashboard, and who may keep them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from eduplatform.accounts.models import UserDuty
from eduplatform.audit.models import AuditAction, AuditEvent
from eduplatform.concerns import services
from eduplatform.concerns.filtering_queries import CheckState, check_status, school_today, status_from
from eduplatform.concerns.models import MAX_TEXT, FilteringKind, FilteringRecord
from eduplatform.db import db
from eduplatform.roles import Duty, Role
from eduplatform.schools.models import School
from tests.conftest import Auth, counting_statements, run_in_app


@pytest.fixture
def coordinator(make_user, school) -> Any:
    return make_user(Role.COORDINATOR, Role.STAFF, school=school, first_name="Cora", last_name="Ord")


@pytest.fixture
def dsl(app, make_user, school) -> Any:
    person = make_user(Role.STAFF, school=school, first_name="Dee", last_name="Sell")
    run_in_app(app, lambda: db.session.add(UserDuty(user_id=person.id, duty=Duty.DSL)))
    return person


def _today(app, school_id: int) -> date:
    return run_in_app(app, lambda: school_today(db.session.get(School, school_id)))


def _check(app, school_id: int, done_on: date, what: str = "Searched for harmful content") -> None:
    run_in_app(app, lambda: services.record_filtering(school_id, None, kind=FilteringKind.CHECK, done_on=done_on,
                                                      what=what, result="Blocked"))


def _records(app) -> int:
    return run_in_app(app, lambda: db.session.scalar(select(func.count()).select_from(FilteringRecord)))


def _check_form(**values: str) -> dict[str, str]:
    data = {"check-done_on": "2025-10-01", "check-what": "Tried a search for self-harm content on a pupil laptop",
            "check-result": "Blocked, and the alert reached the DSL", "check-with_whom": "Mr Gov, governor",
            "check-follow_up": ""}
    data.update({f"check-{key}": value for key, value in values.items()})
    return data


def _change_form(**values: str) -> dict[str, str]:
    data = {"change-done_on": "2025-10-02", "change-what": "Allowed a video site for Year 6",
            "change-requested_by": "Year 6 teacher", "change-result": "A history lesson needs it",
            "change-approved_by": "Head teacher", "change-reviewed_on": "", "change-follow_up": ""}
    data.update({f"change-{key}": value for key, value in values.items()})
    return data


# --- The status: boundaries ----------------------------------------------------------------------


@pytest.mark.parametrize(("days_ago", "state", "colour"), [
    (None, CheckState.NEVER, "red"),
    (0, CheckState.IN_DATE, "green"),
    (335, CheckState.IN_DATE, "green"),      # due in 30 days: still green
    (336, CheckState.DUE_SOON, "amber"),     # due in 29 days
    (365, CheckState.DUE_SOON, "amber"),     # due today
    (366, CheckState.OVERDUE, "red"),        # the day after the due day
])
def test_the_status_turns_amber_within_30_days_and_red_after_the_due_day(days_ago, state, colour) -> None:
    today = date(2026, 3, 1)
    status = status_from(None if days_ago is None else today - timedelta(days=days_ago), 365, today)
    assert (status.state, status.colour) == (state, colour)
    assert status.needs_attention is (state is not CheckState.IN_DATE)
    if days_ago is not None:
        assert status.days_left == 365 - days_ago


def test_the_status_reads_the_latest_check_of_the_school_only(app, school, make_school) -> None:
    other = make_school()
    today = _today(app, school.id)
    _check(app, school.id, today - timedelta(days=400))
    _check(app, other.id, today)  # another school's check does not count
    run_in_app(app, lambda: services.record_filtering(school.id, None, kind=FilteringKind.CHANGE, done_on=today,
                                                      what="Blocked a game site", result="Distracting"))
    assert run_in_app(app, lambda: check_status(db.session.get(School, school.id))).state is CheckState.OVERDUE

    def shorter() -> CheckState:
        found = db.session.get(School, school.id)
        found.filtering_check_days = 30
        return check_status(found, today).state

    _check(app, school.id, today - timedelta(days=10))
    assert run_in_app(app, shorter) is CheckState.DUE_SOON


# --- The page and its forms ----------------------------------------------------------------------


def test_the_coordinator_records_a_check_and_the_status_turns_green(app, client, auth: Auth, coordinator) -> None:
    auth.login(coordinator)
    page = client.get("/filtering").get_data(as_text=True)
    assert "Never checked" in page and "filtering-red" in page and "No checks recorded in this year." in page
    today = _today(app, coordinator.school_id).isoformat()
    response = auth.post("/filtering/checks", _check_form(done_on=today), token_from="/filtering")
    assert response.status_code == 302 and response.headers["Location"].endswith("/filtering#checks")
    page = client.get("/filtering").get_data(as_text=True)
    assert "The check is recorded." in page
    assert "In date" in page and "filtering-green" in page
    assert "Tried a search for self-harm content" in page and "Mr Gov, governor" in page and "Cora Ord" in page


def test_a_change_is_logged_with_who_asked_why_and_who_approved(app, client, auth: Auth, dsl) -> None:
    auth.login(dsl)
    today = _today(app, dsl.school_id)
    response = auth.post("/filtering/changes", _change_form(done_on=today.isoformat(),
                                                            reviewed_on=today.isoformat()), token_from="/filtering")
    assert response.status_code == 302
    record = run_in_app(app, lambda: db.session.scalars(select(FilteringRecord)).one())
    assert (record.kind, record.requested_by, record.result, record.approved_by, record.reviewed_on,
            record.recorded_by_id) == ("change", "Year 6 teacher", "A history lesson needs it", "Head teacher", today,
                                       dsl.id)
    page = client.get("/filtering").get_data(as_text=True)
    assert "Allowed a video site for Year 6" in page and "Never checked" in page  # a change is not a check


@pytest.mark.parametrize(("path", "data", "message"), [
    ("/filtering/checks", _check_form(what=""), "Enter what was checked"),
    ("/filtering/checks", _check_form(result=""), "Enter the result of the check."),
    ("/filtering/checks", _check_form(done_on=""), "Enter the date of the check"),
    ("/filtering/checks", _check_form(done_on="14/03/2026"), "Enter a real date, such as 2026-03-14."),
    ("/filtering/changes", _change_form(reviewed_on="soon"), "Enter a real date, such as 2026-03-14."),
    ("/filtering/checks", _check_form(done_on="2999-01-01"), "The date cannot be in the future."),
    ("/filtering/checks", _check_form(done_on="1999-12-31"), "The date cannot be before 2000."),
    ("/filtering/checks", _check_form(what="x" * (MAX_TEXT + 1)), f"Enter at most {MAX_TEXT} characters."),
    ("/filtering/checks", _check_form(with_whom="x" * 201), "Enter at most 200 characters."),
    ("/filtering/changes", _change_form(requested_by=""), "Enter who asked for the change."),
    ("/filtering/changes", _change_form(result=""), "Enter why the change was made."),
    ("/filtering/changes", _change_form(approved_by=""), "Enter who approved the change."),
    ("/filtering/changes", _change_form(reviewed_on="2025-10-01"),
     "The review date cannot be before the date of the change."),
])
def test_bad_input_says_what_is_wrong_and_saves_nothing(app, client, auth: Auth, coordinator, path: str,
                                                        data: dict[str, str], message: str) -> None:
    auth.login(coordinator)
    response = auth.post(path, data, token_from="/filtering")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page and message in page
    assert _records(app) == 0


def test_a_form_without_its_csrf_token_is_refused(app, client, auth: Auth, coordinator) -> None:
    auth.login(coordinator)
    assert client.post("/filtering/checks", data=_check_form()).status_code == 400
    assert _records(app) == 0


def test_what_was_typed_is_shown_as_plain_text(app, client, auth: Auth, coordinator) -> None:
    _check(app, coordinator.school_id, _today(app, coordinator.school_id), what="<script>alert(1)</script> **bold**")
    auth.login(coordinator)
    page = client.get("/filtering").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **bold**" in page and "<script>alert(1)" not in page


def test_the_logs_show_the_year_asked_for_newest_first(app, client, auth: Auth, coordinator) -> None:
    today = _today(app, coordinator.school_id)
    from eduplatform.academic_year import AcademicYear

    year = AcademicYear.containing(today)
    _check(app, coordinator.school_id, year.first_day, what="First check of the year")
    _check(app, coordinator.school_id, today, what="Latest check of the year")
    _check(app, coordinator.school_id, year.first_day - timedelta(days=1), what="Last check of the year before")
    auth.login(coordinator)
    page = client.get("/filtering").get_data(as_text=True)
    assert page.index("Latest check of the year") < page.index("First check of the year")
    assert "Last check of the year before" not in page
    earlier = client.get(f"/filtering?year={year.start_year - 1}").get_data(as_text=True)
    assert "Last check of the year before" in earlier and "Latest check of the year" not in earlier
    assert client.get("/filtering?year=nonsense").status_code == 400


def test_the_interval_is_set_within_limits_and_logged(app, client, auth: Auth, coordinator) -> None:
    auth.login(coordinator)
    for bad, message in (("29", "from 30 to 365"), ("366", "from 30 to 365"), ("", "Enter the number of days"),
                         ("abc", "from 30 to 365")):
        page = auth.post("/filtering/interval", {"interval-days": bad}, token_from="/filtering").get_data(as_text=True)
        assert "There is a problem" in page and message in page, bad
    assert run_in_app(app, lambda: db.session.get(School, coordinator.school_id).filtering_check_days) == 365
    response = auth.post("/filtering/interval", {"interval-days": "180"}, token_from="/filtering")
    assert response.status_code == 302
    assert run_in_app(app, lambda: db.session.get(School, coordinator.school_id).filtering_check_days) == 180
    event = run_in_app(app, lambda: db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == AuditAction.SCHOOL_CHANGED.value)).one())
    assert (event.actor_id, event.school_id, event.details) == (
        coordinator.id, coordinator.school_id, {"filtering_check_days": {"before": 365, "after": 180}})
    assert "Checks are now due every 180 days." in client.get("/filtering").get_data(as_text=True)
    auth.post("/filtering/interval", {"interval-days": "180"}, token_from="/filtering")
    assert "Nothing changed." in client.get("/filtering").get_data(as_text=True)


# --- The dashboard -------------------------------------------------------------------------------


@pytest.mark.parametrize(("days_ago", "shown"), [(None, "Never checked"), (400, "Overdue"), (350, "Due soon"),
                                                 (10, None)])
def test_the_dashboard_shows_the_status_when_amber_or_red(app, client, auth: Auth, coordinator, days_ago,
                                                          shown) -> None:
    if days_ago is not None:
        _check(app, coordinator.school_id, _today(app, coordinator.school_id) - timedelta(days=days_ago))
    auth.login(coordinator)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/filtering"' in page  # the link in the oversight list, always
    if shown is None:
        assert "filtering-alert" not in page
    else:
        assert "filtering-alert" in page and shown in page and "Record a check in the filtering" in page


def test_the_dsl_sees_the_dashboard_line_and_other_staff_do_not(app, client, auth: Auth, dsl, staff) -> None:
    auth.login(dsl)
    assert "filtering-alert" in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(staff)
    page = client.get("/").get_data(as_text=True)
    assert "filtering-alert" not in page and 'href="/filtering"' not in page


def test_the_dashboard_line_costs_the_same_however_many_checks(app, client, auth: Auth, coordinator) -> None:
    today = _today(app, coordinator.school_id)
    _check(app, coordinator.school_id, today - timedelta(days=400))
    auth.login(coordinator)
    client.get("/")
    with counting_statements(app) as few:
        assert "filtering-alert" in client.get("/").get_data(as_text=True)
    for days in range(20):
        _check(app, coordinator.school_id, today - timedelta(days=500 + days))
    with counting_statements(app) as many:
        assert "filtering-alert" in client.get("/").get_data(as_text=True)
    assert many[0] == few[0]


# --- Who may keep the logs -----------------------------------------------------------------------


def test_only_the_coordinator_and_the_dsls_keep_the_logs_of_their_own_school(app, client, auth: Auth, coordinator,
                                                                               dsl, staff, make_user, make_school,
                                                                               school) -> None:
    _check(app, school.id, _today(app, school.id), what="Our own check")
    other_coordinator = make_user(Role.COORDINATOR, school=make_school())
    for person, status in ((coordinator, 200), (dsl, 200), (staff, 403), (other_coordinator, 200)):
        auth.login(person)
        response = client.get("/filtering")
        assert response.status_code == status, person.username
        assert ("Our own check" in response.get_data(as_text=True)) is (person in (coordinator, dsl))
        auth.logout()
    auth.login(staff)
    assert auth.post("/filtering/checks", _check_form()).status_code == 403
    assert auth.post("/filtering/interval", {"interval-days": "100"}).status_code == 403
    assert _records(app) == 1


# --- The CSV of both logs ------------------------------------------------------------------------


def test_both_logs_download_as_one_formula_safe_csv_of_the_year_and_the_download_is_logged(
        app, client, auth: Auth, coordinator, dsl, staff, school) -> None:
    import csv
    import io

    from eduplatform.academic_year import AcademicYear
    from eduplatform.accounts.models import User

    today = _today(app, coordinator.school_id)
    year = AcademicYear.containing(today)
    _check(app, coordinator.school_id, today, what="=HYPERLINK(\"http://x\") search check")
    run_in_app(app, lambda: services.record_filtering(
        coordinator.school_id, db.session.get(User, dsl.id), kind=FilteringKind.CHANGE,
        done_on=year.first_day, what="Allowed a video site", result="A history lesson", requested_by="Year 6 teacher",
        approved_by="Head teacher", reviewed_on=today))
    _check(app, coordinator.school_id, year.first_day - timedelta(days=1), what="Last year's check")
    auth.login(coordinator)
    response = client.get("/filtering/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f"filtering-{school.slug}-" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"), newline="")))
    assert [(row["kind"], row["done_on"], row["what"]) for row in rows] == [
        ("check", today.isoformat(), "'=HYPERLINK(\"http://x\") search check"),
        ("change", year.first_day.isoformat(), "Allowed a video site")]
    change = rows[1]
    assert (change["result"], change["requested_by"], change["approved_by"], change["reviewed_on"],
            change["recorded_by"]) == ("A history lesson", "Year 6 teacher", "Head teacher", today.isoformat(),
                                       "Dee Sell")
    assert "Last year's check" in client.get(f"/filtering/export.csv?year={year.start_year - 1}").get_data(as_text=True)
    events = run_in_app(app, lambda: [(e.actor_id, e.school_id, e.details) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT_DOWNLOADED.value).order_by(AuditEvent.id))])
    assert events[0] == (coordinator.id, coordinator.school_id, {"kind": "filtering", "year": year.start_year,
                                                                 "format": "csv", "rows": 2, "complete": True})
    assert len(events) == 2
    assert client.get("/filtering").get_data(as_text=True).count("/filtering/export.csv?year=") == 1
    auth.logout()
    auth.login(staff)
    assert client.get("/filtering/export.csv").status_code == 403
