"""Parents' workshops: scheduling, places and the waiting list, the calendar file and the day-before reminder."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import icalendar
import pytest
from flask import Flask
from sqlalchemy import func, select

from eduplatform.academic_year import local_date
from eduplatform.accounts.services import create_user
from eduplatform.db import db, utcnow
from eduplatform.roles import Role
from eduplatform.schools.services import create_school
from eduplatform.workshops import services
from eduplatform.workshops.models import Workshop, WorkshopRegistration
from tests.conftest import PASSWORD, Auth, csrf_token, run_in_app, run_together
from tests.smtp_server import SmtpServer
from tests.test_reminders import mail_app, smtp  # noqa: F401  (fixtures: an app with mail, a real SMTP server)

MODULE = "parents-home"
_numbers = itertools.count(1)


def _statuses(app: Flask, workshop_id: int) -> dict[int, str]:
    with app.app_context():
        return {reg.user_id: reg.status.value for reg in db.session.scalars(
            select(WorkshopRegistration).where(WorkshopRegistration.workshop_id == workshop_id))}


def _schedule(app: Flask, school_id: int, host_id: int, starts: datetime, capacity: int | None = None,
              module_id: str = MODULE) -> int:
    return run_in_app(app, lambda: services.schedule_workshop(
        school_id=school_id, module_id=module_id, starts_at=starts, ends_at=starts + timedelta(hours=1),
        meeting_url="https://meet.example.org/abc", room=None, capacity=capacity, host_id=host_id,
        created_by_id=host_id).id)


@pytest.fixture
def oak(make_school, make_user) -> dict[str, Any]:
    school = make_school()
    return {"school": school, "coordinator": make_user(Role.COORDINATOR, Role.STAFF, school=school),
            "staff": make_user(Role.STAFF, school=school),
            "parents": [make_user(Role.PARENT, school=school) for _ in range(3)],
            "other_staff": make_user(Role.STAFF, school=make_school())}


def _form(oak: dict[str, Any], **changes: str) -> dict[str, str]:
    form = {"module_id": MODULE, "day": "2030-07-01", "start": "18:30", "minutes": "60",
            "meeting_url": "https://meet.example.org/abc", "room": "", "capacity": "2",
            "host_id": str(oak["staff"].id)}
    form.update(changes)
    return form


def _count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Workshop)) or 0


def test_a_coordinator_schedules_in_the_schools_time_and_it_is_stored_in_utc(app, auth: Auth, oak) -> None:
    auth.login(oak["coordinator"])
    summer = auth.post("/workshops/new", _form(oak), token_from="/workshops/new")
    assert summer.status_code == 302
    winter = auth.post("/workshops/new", _form(oak, day="2030-12-02", room="Hall", meeting_url=""),
                       token_from="/workshops/new")
    assert winter.status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(Workshop).where(Workshop.school_id == oak["school"].id)
                                  .order_by(Workshop.starts_at)).all()
        assert [(w.starts_at, w.ends_at) for w in rows] == [
            (datetime(2030, 7, 1, 17, 30), datetime(2030, 7, 1, 18, 30)),  # BST: an hour behind in UTC
            (datetime(2030, 12, 2, 18, 30), datetime(2030, 12, 2, 19, 30))]
        assert rows[1].room == "Hall" and rows[1].meeting_url is None and rows[0].capacity == 2
    listing = auth.client.get("/workshops").get_data(as_text=True)
    assert "0 of 2" in listing


@pytest.mark.parametrize(("changes", "message"), [
    ({"day": "2020-01-06"}, "The workshop must start in the future."),
    ({"meeting_url": "", "room": ""}, "Enter an online meeting link or a room (or both)."),
    ({"meeting_url": "javascript:alert(1)"}, "Enter the meeting link as a web address starting https://"),
    ({"minutes": "300"}, "Enter a length from 15 to 240 minutes."),
    ({"capacity": "0"}, "Enter a number of places from 1 to 500."),
    ({"module_id": "ks2-passwords"}, "Not a valid choice."),
])
def test_bad_input_is_explained_and_nothing_is_saved(app, auth: Auth, oak, changes, message) -> None:
    auth.login(oak["coordinator"])
    response = auth.post("/workshops/new", _form(oak, **changes), token_from="/workshops/new")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page and message in page
    assert _count(app) == 0


def test_the_host_must_be_staff_of_this_school(app, auth: Auth, oak) -> None:
    auth.login(oak["coordinator"])
    for host in (oak["other_staff"], oak["parents"][0]):
        response = auth.post("/workshops/new", _form(oak, host_id=str(host.id)), token_from="/workshops/new")
        assert response.status_code == 200 and "There is a problem" in response.get_data(as_text=True)
    assert _count(app) == 0


def test_places_the_waiting_list_and_promotion(app, auth: Auth, oak) -> None:
    workshop = _schedule(app, oak["school"].id, oak["staff"].id, utcnow() + timedelta(days=5), capacity=1)
    first, second, third = oak["parents"]
    page = f"/workshops/{workshop}"
    for parent in (first, second, third):
        auth.login(parent)
        response = auth.post(f"{page}/register", token_from=page, follow_redirects=True)
        assert response.status_code == 200
        auth.logout()
    assert "You are on the waiting list" in response.get_data(as_text=True)
    assert _statuses(app, workshop) == {first.id: "registered", second.id: "waiting", third.id: "waiting"}
    auth.login(second)  # sees no meeting link while waiting
    assert "meet.example.org" not in auth.client.get(page).get_data(as_text=True)
    auth.logout()
    auth.login(first)
    assert "meet.example.org" in auth.client.get(page).get_data(as_text=True)
    auth.post(f"{page}/cancel-place", token_from=page)
    assert _statuses(app, workshop) == {first.id: "cancelled", second.id: "registered", third.id: "waiting"}
    auth.post(f"{page}/register", token_from=page)  # back again: the list is full, so they wait
    assert _statuses(app, workshop)[first.id] == "waiting"


def test_a_cancelled_workshop_shows_as_cancelled_and_takes_no_places(app, auth: Auth, oak) -> None:
    workshop = _schedule(app, oak["school"].id, oak["staff"].id, utcnow() + timedelta(days=5))
    parent = oak["parents"][0]
    run_in_app(app, lambda: services.register(workshop, parent.id))
    auth.login(oak["coordinator"])
    assert auth.post(f"/workshops/{workshop}/cancel", token_from=f"/workshops/{workshop}").status_code == 302
    auth.logout()
    auth.login(parent)
    dashboard = auth.client.get("/").get_data(as_text=True)
    assert "Upcoming workshops" in dashboard and "Cancelled" in dashboard
    other = oak["parents"][1]
    auth.logout()
    auth.login(other)
    assert "Upcoming workshops" not in auth.client.get("/").get_data(as_text=True)
    response = auth.post(f"/workshops/{workshop}/register", token_from="/", follow_redirects=True)
    assert "no longer taking registrations" in response.get_data(as_text=True)
    assert other.id not in _statuses(app, workshop)


def test_the_dashboard_card_says_tomorrow(app, auth: Auth, oak) -> None:
    tomorrow_evening = datetime.combine(date.today() + timedelta(days=1), datetime.min.time()) + timedelta(hours=12)
    _schedule(app, oak["school"].id, oak["staff"].id, tomorrow_evening)
    auth.login(oak["parents"][0])
    dashboard = auth.client.get("/").get_data(as_text=True)
    assert "Tomorrow" in dashboard and "Register" in dashboard


def test_the_calendar_file_is_for_those_with_a_place_and_keeps_the_clock_change(app, auth: Auth, oak) -> None:
    summer = _schedule(app, oak["school"].id, oak["staff"].id, datetime(2030, 10, 24, 17, 30))  # 18:30 BST
    winter = _schedule(app, oak["school"].id, oak["staff"].id, datetime(2030, 10, 31, 18, 30))  # 18:30 GMT
    parent, other = oak["parents"][:2]
    for workshop in (summer, winter):
        run_in_app(app, lambda workshop=workshop: services.register(workshop, parent.id))
    auth.login(parent)
    for workshop, utc_start in ((summer, datetime(2030, 10, 24, 17, 30, tzinfo=UTC)),
                                (winter, datetime(2030, 10, 31, 18, 30, tzinfo=UTC))):
        response = auth.client.get(f"/workshops/{workshop}.ics")
        assert response.status_code == 200 and response.mimetype == "text/calendar"
        calendar = icalendar.Calendar.from_ical(response.data)
        [event] = calendar.walk("VEVENT")
        start = event.decoded("dtstart")
        assert start.hour == 18 and start.minute == 30  # the school's wall clock either side of the change
        assert event["dtstart"].params["TZID"] == "Europe/London"
        assert start.astimezone(UTC) == utc_start
        assert str(event["uid"]) == f"workshop-{workshop}@{urlsplit(app.config['BASE_URL']).hostname}"
        assert "meet.example.org/abc" in str(event["location"])
        assert calendar.walk("VTIMEZONE")
    auth.logout()
    auth.login(other)  # same school, no place
    assert auth.client.get(f"/workshops/{summer}.ics").status_code == 403


def test_parallel_registrations_never_exceed_capacity(concurrent_app: Flask) -> None:
    with concurrent_app.app_context():
        school = create_school(name="Busy", slug="busy")
        host = create_user(username="host", first_name="H", last_name="Ost", roles={Role.STAFF},
                           school_id=school.id, password=PASSWORD)
        parents = [create_user(username=f"parent{n}", first_name="P", last_name=str(n), roles={Role.PARENT},
                               school_id=school.id, password=PASSWORD).username for n in range(6)]
        db.session.flush()
        workshop = services.schedule_workshop(
            school_id=school.id, module_id=MODULE, starts_at=utcnow() + timedelta(days=3),
            ends_at=utcnow() + timedelta(days=3, hours=1), meeting_url=None, room="Hall", capacity=2,
            host_id=host.id, created_by_id=host.id).id
        db.session.commit()
    tabs = []
    for username in parents:
        tab = Auth(concurrent_app.test_client())
        assert tab.login(username).status_code == 302
        tabs.append((tab, {"csrf_token": csrf_token(tab.client, f"/workshops/{workshop}")}))
    codes: list[int] = []
    errors = run_together(*[lambda tab=tab, form=form: codes.append(
        tab.client.post(f"/workshops/{workshop}/register", data=form).status_code) for tab, form in tabs])
    assert errors == [] and codes == [302] * 6
    statuses = list(_statuses(concurrent_app, workshop).values())
    assert statuses.count("registered") == 2 and statuses.count("waiting") == 4


# --- The day-before reminder ------------------------------------------------------------------


def _reminder_world(app: Flask) -> dict[str, Any]:
    number = next(_numbers)
    with app.app_context():
        school = create_school(name=f"Elm & Yew {number}", slug=f"elm-{number}")

        def person(name: str, roles: set[Role], email: str | None, locale: str | None = None) -> Any:
            user = create_user(username=f"{name}.{number}", first_name=name.title(), last_name="Test", roles=roles,
                               school_id=school.id, email=email)
            user.locale = locale
            return user

        host = person("host", {Role.STAFF}, "host@elm.example.org")
        pam, wyn, nob = (person("pam", {Role.PARENT}, "pam@elm.example.org"),
                         person("wyn", {Role.PARENT}, "wyn@elm.example.org", "cy"),
                         person("nob", {Role.PARENT}, None))
        db.session.flush()
        starts = utcnow().replace(microsecond=0, second=0) + timedelta(days=20)
        workshop = services.schedule_workshop(
            school_id=school.id, module_id="parents-under-8s", starts_at=starts, ends_at=starts + timedelta(hours=1),
            meeting_url="https://meet.example.org/xyz", room=None, capacity=None, host_id=host.id,
            created_by_id=host.id)
        for parent in (pam, wyn, nob):
            services.register(workshop.id, parent.id)
        db.session.commit()
        day_before = local_date(starts, "Europe/London") - timedelta(days=1)
        return {"workshop": workshop.id, "day_before": day_before.isoformat(), "slug": school.slug}


def test_registered_parents_are_reminded_once_the_day_before(mail_app: Flask, smtp: SmtpServer) -> None:  # noqa: F811
    world = _reminder_world(mail_app)
    runner = mail_app.test_cli_runner()
    early = runner.invoke(args=["send-workshop-reminders", "--today", "2000-01-01"])
    assert early.exit_code == 0 and world["slug"] not in early.output
    dry = runner.invoke(args=["send-workshop-reminders", "--today", world["day_before"], "--dry-run"])
    assert dry.exit_code == 0 and "would send workshop reminder" in dry.output and not smtp.received
    result = runner.invoke(args=["send-workshop-reminders", "--today", world["day_before"]])
    assert result.exit_code == 0, result.output
    assert "nob" in result.output and "no email address" in result.output
    pam = list(smtp.to("pam@elm.example.org"))
    assert len(pam) == 1
    text, html = pam[0].part("text/plain"), pam[0].part("text/html")
    assert pam[0].subject.startswith("Tomorrow: ")
    assert "https://meet.example.org/xyz" in text and f"/workshops/{world['workshop']}.ics" in text
    assert f"/workshops/{world['workshop']}.ics" in html and "Elm &amp; Yew" in html
    [wyn] = smtp.to("wyn@elm.example.org")
    assert '<html lang="cy">' in wyn.part("text/html")
    again = runner.invoke(args=["send-workshop-reminders", "--today", world["day_before"]])
    assert again.exit_code == 0 and "Sent: 0 reminder(s)" in again.output
    assert len(smtp.received) == 2
    with mail_app.app_context():
        reminded = db.session.scalars(select(WorkshopRegistration.reminded_at).where(
            WorkshopRegistration.workshop_id == world["workshop"])).all()
    assert sum(1 for at in reminded if at is not None) == 2


def test_without_a_mail_server_it_says_so_and_fails(mail_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    monkeypatch.setitem(mail_app.config, "MAIL_SERVER", "")
    result = mail_app.test_cli_runner().invoke(args=["send-workshop-reminders"])
    assert result.exit_code != 0 and "No mail server is configured" in result.output


def test_a_refused_reminder_is_not_recorded_and_the_run_fails(mail_app: Flask, smtp: SmtpServer) -> None:  # noqa: F811
    world = _reminder_world(mail_app)
    smtp.refuse.add("pam@elm.example.org")
    result = mail_app.test_cli_runner().invoke(args=["send-workshop-reminders", "--today", world["day_before"]])
    assert result.exit_code != 0 and "NOT SENT" in result.output
    with mail_app.app_context():
        rows = db.session.execute(select(WorkshopRegistration.user_id, WorkshopRegistration.reminded_at).where(
            WorkshopRegistration.workshop_id == world["workshop"])).all()
    assert sum(1 for row in rows if row.reminded_at is not None) == 1  # Wyn's went; Pam's was refused


def _invitation_world(app: Flask) -> dict[str, Any]:
    """A workshop for parents of under-8s in 20 days; parents of a Year 1 child (one Welsh), of a
    Year 10 child only, one with no email, and one who already has a place."""
    from eduplatform.accounts.services import link_parent

    number = next(_numbers)
    with app.app_context():
        school = create_school(name=f"Ash & Oak {number}", slug=f"ash-{number}")

        def person(name: str, roles: set[Role], email: str | None, **extra: Any) -> Any:
            user = create_user(username=f"{name}.{number}", first_name=name.title(), last_name="Test", roles=roles,
                               school_id=school.id, email=email, password=PASSWORD, **extra)
            return user

        coordinator = person("cora", {Role.COORDINATOR, Role.STAFF}, "cora@ash.example.org")
        small = person("small", {Role.PUPIL}, None, year_group=1)
        teen = person("teen", {Role.PUPIL}, None, year_group=10)
        ivy, wyn, ted, nob, reg = (person("ivy", {Role.PARENT}, "ivy@ash.example.org"),
                                   person("wyn", {Role.PARENT}, "wyn@ash.example.org"),
                                   person("ted", {Role.PARENT}, "ted@ash.example.org"),
                                   person("nob", {Role.PARENT}, None),
                                   person("reg", {Role.PARENT}, "reg@ash.example.org"))
        wyn.locale = "cy"
        for parent, child in ((ivy, small), (wyn, small), (ted, teen), (nob, small), (reg, small)):
            link_parent(parent, child)
        db.session.flush()
        starts = utcnow().replace(microsecond=0, second=0) + timedelta(days=20)
        workshop = services.schedule_workshop(
            school_id=school.id, module_id="parents-under-8s", starts_at=starts, ends_at=starts + timedelta(hours=1),
            meeting_url="https://meet.example.org/abc", room=None, capacity=None, host_id=coordinator.id,
            created_by_id=coordinator.id)
        services.register(workshop.id, reg.id)
        db.session.commit()
        return {"workshop": workshop.id, "coordinator": coordinator.username}


def test_the_invitation_goes_once_to_parents_whose_children_it_suits(mail_app: Flask, smtp: SmtpServer) -> None:  # noqa: F811
    world = _invitation_world(mail_app)
    auth = Auth(mail_app.test_client())
    assert auth.login(world["coordinator"]).status_code == 302
    page = f"/workshops/{world['workshop']}"
    assert "Email the invitation" in auth.client.get(page).get_data(as_text=True)
    response = auth.post(f"{page}/invite", {}, token_from=page)
    assert response.status_code == 302
    assert sorted(r for message in smtp.received for r in message.recipients) == ["ivy@ash.example.org",
                                                                                  "wyn@ash.example.org"]
    [ivy] = smtp.to("ivy@ash.example.org")
    assert ivy.subject.startswith("Invitation: ")
    assert page in ivy.part("text/plain") and "Ash &amp; Oak" in ivy.part("text/html")
    assert "meet.example.org" not in ivy.part("text/plain")  # the link is for those with a place
    [wyn] = smtp.to("wyn@ash.example.org")
    assert '<html lang="cy">' in wyn.part("text/html")
    after = auth.client.get(page).get_data(as_text=True)
    assert "The invitation was emailed on" in after and "Email the invitation" not in after
    auth.post(f"{page}/invite", {}, token_from=page)  # a second press sends nothing
    assert len(smtp.received) == 2
    with mail_app.app_context():
        workshop = db.session.get(Workshop, world["workshop"])
        assert workshop.invited_at is not None and workshop.invited_count == 2


def test_a_refused_invitation_is_named_and_not_counted(mail_app: Flask, smtp: SmtpServer) -> None:  # noqa: F811
    world = _invitation_world(mail_app)
    smtp.refuse.add("ivy@ash.example.org")
    auth = Auth(mail_app.test_client())
    auth.login(world["coordinator"])
    page = f"/workshops/{world['workshop']}"
    shown = auth.client.get(auth.post(f"{page}/invite", {}, token_from=page).headers["Location"])
    assert "Not sent to: Ivy Test" in shown.get_data(as_text=True)
    with mail_app.app_context():
        assert db.session.get(Workshop, world["workshop"]).invited_count == 1


def test_the_page_shows_the_schools_wall_clock_time_without_seconds_or_a_zone_name(app, auth: Auth, oak) -> None:
    summer = datetime(2030, 7, 1, 17, 30)  # 18:30 in London (BST)
    winter = datetime(2030, 12, 2, 18, 30)  # 18:30 in London (GMT)
    ids = [_schedule(app, oak["school"].id, oak["staff"].id, moment) for moment in (summer, winter)]
    auth.login(oak["parents"][0])
    for workshop_id, day in zip(ids, ("July 1, 2030", "December 2, 2030"), strict=True):
        page = auth.client.get(f"/workshops/{workshop_id}").get_data(as_text=True)
        assert day in page and "6:30\u202fPM" in page.replace(" PM", "\u202fPM")
        assert "Coordinated Universal Time" not in page and ":00\u202fPM" not in page and ":30:00" not in page
