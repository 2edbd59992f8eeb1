"""The decisions in docs/decisions.md, each proved: which year, the programme of a past year,
writing during GET requests, and the personal data map."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import ForeignKey, func, select

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.services import create_user
from eduplatform.audit.models import AuditAction, AuditEvent
from eduplatform.catalogue import current_catalogue
from eduplatform.db import ERASE_RULES, Base, db, import_models
from eduplatform.records.models import ProgrammeSnapshot
from eduplatform.records.programme import ensure_programme_snapshot, programme_for
from eduplatform.records.services import record_lesson_read
from eduplatform.roles import Role
from eduplatform.schools.models import School
from eduplatform.schools.services import create_school
from eduplatform.schools.years import current_year
from tests.conftest import PASSWORD, Auth, run_in_app, run_together

# --- Which year --------------------------------------------------------------------------------


@pytest.mark.parametrize(("utc_moment", "zone", "start_year"), [
    # 23:30 UTC on 31 August is already 1 September in London (BST): the new year has begun.
    (datetime(2026, 8, 31, 23, 30, tzinfo=UTC), "Europe/London", 2026),
    (datetime(2026, 8, 31, 22, 59, tzinfo=UTC), "Europe/London", 2025),
    # A school in New Zealand starts its September while it is still August in the UK.
    (datetime(2026, 8, 31, 12, 30, tzinfo=UTC), "Pacific/Auckland", 2026),
    (datetime(2026, 8, 31, 12, 30, tzinfo=UTC), "Europe/London", 2025),
])
def test_the_year_is_decided_by_the_date_in_the_schools_time_zone(utc_moment, zone, start_year) -> None:
    assert AcademicYear.current(zone, now=utc_moment) == AcademicYear(start_year)


def test_a_stored_utc_timestamp_is_dated_in_the_schools_zone() -> None:
    assert AcademicYear.of_timestamp(datetime(2026, 8, 31, 23, 30)) == AcademicYear(2026)
    assert AcademicYear.of_timestamp(datetime(2026, 8, 31, 23, 30), "UTC") == AcademicYear(2025)


def test_current_year_uses_the_schools_zone_and_the_default_without_one(ctx) -> None:
    moment = datetime(2026, 8, 31, 12, 30, tzinfo=UTC)
    far_east = School(slug="nz", name="NZ", time_zone="Pacific/Auckland")
    assert current_year(far_east, now=moment) == AcademicYear(2026)
    assert current_year(None, now=moment) == AcademicYear(2025)


@pytest.mark.parametrize(("text", "start_year"), [
    ("2025", 2025), ("2025/26", 2025), ("2025-2026", 2025), (" 2025 / 26 ", 2025),
    ("2025/27", None), ("20026", None), ("1899", None), ("last year", None), ("", None), (None, None),
])
def test_parsing_a_requested_year(text, start_year) -> None:
    parsed = AcademicYear.parse(text)
    assert (parsed.start_year if parsed else None) == start_year


def test_a_records_page_shows_any_past_year_and_refuses_a_bad_one(client, auth: Auth, school, make_user,
                                                                 pupil) -> None:
    auth.login(make_user(Role.COORDINATOR, school=school))
    this_year = current_year(school)
    assert this_year.label in client.get(f"/people/{pupil.id}").get_data(as_text=True)
    last = this_year.shifted(-1)
    assert last.label in client.get(f"/people/{pupil.id}?year={last.start_year}").get_data(as_text=True)
    refused = client.get(f"/people/{pupil.id}?year=someday")
    assert refused.status_code == 400
    assert "someday is not an academic year" in refused.get_data(as_text=True)


def test_last_years_class_can_be_read_by_its_teacher_but_not_recorded_in(app, client, auth: Auth, school,
                                                                        make_user) -> None:
    from eduplatform.schools.services import assign_teacher, create_class, enrol_pupil

    teacher = make_user(Role.STAFF, school=school)
    child = make_user(Role.PUPIL, school=school, year_group=4)

    def last_years_class() -> Any:
        school_class = create_class(school=school, name="Old 4", year_group=4,
                                    year=current_year(school).shifted(-1))
        enrol_pupil(school_class, child)
        assign_teacher(school_class, teacher)
        return school_class

    old_class = run_in_app(app, last_years_class)
    auth.login(teacher)
    assert client.get(f"/classes/{old_class.id}").status_code == 200
    assert client.get(f"/classes/{old_class.id}/sessions/ks2-passwords").status_code == 404
    assert "Old 4" in client.get(f"/classes?year={old_class.academic_year}").get_data(as_text=True)
    assert "Old 4" not in client.get("/classes").get_data(as_text=True)


# --- The programme of a past year --------------------------------------------------------------


def test_the_first_record_of_a_year_stores_that_years_programme(app, school, pupil) -> None:
    def first_record() -> None:
        catalogue = current_catalogue()
        module = catalogue.modules["ks2-passwords"]
        lesson = catalogue.module_content(module.id, "en").lessons[0]
        record_lesson_read(pupil, module, lesson, current_year(school), catalogue)

    run_in_app(app, first_record)

    def stored() -> list[ProgrammeSnapshot]:
        return list(db.session.scalars(select(ProgrammeSnapshot).where(ProgrammeSnapshot.school_id == school.id)))

    snapshots = run_in_app(app, stored)
    assert len(snapshots) == 1 and snapshots[0].academic_year == current_year(school).start_year
    assert snapshots[0].reason == "first_record"
    assert {m["id"] for m in snapshots[0].content["modules"]} == set(
        run_in_app(app, lambda: list(current_catalogue().modules)))
    run_in_app(app, first_record)  # a second record stores nothing more
    assert len(run_in_app(app, stored)) == 1


def test_a_past_year_is_reported_with_its_own_programme(app, school) -> None:
    """A module removed from the catalogue since still appears in last year's programme."""
    last_year = current_year(school).shifted(-1)

    def store_and_read() -> Any:
        snapshot = ensure_programme_snapshot(school.id, last_year, current_catalogue())
        content = dict(snapshot.content)
        retired = dict(content["modules"][0], id="retired-module", title="A retired module")
        snapshot.content = {**content, "modules": [*content["modules"], retired]}
        db.session.flush()
        return (programme_for(school.id, last_year, current_catalogue()),
                programme_for(school.id, current_year(school), current_catalogue()))

    past, present = run_in_app(app, store_and_read)
    assert past.stored and past.module("retired-module").title == "A retired module"
    assert not present.stored and present.module("retired-module") is None


def test_concurrent_first_records_store_exactly_one_programme(concurrent_app) -> None:
    with concurrent_app.app_context():
        school_id = create_school(name="Race", slug="race").id
        db.session.commit()
    year = AcademicYear(2026)

    def first_record() -> None:
        with concurrent_app.test_request_context("/", method="POST"):
            ensure_programme_snapshot(school_id, year, current_catalogue())
            db.session.commit()

    assert run_together(*[first_record] * 6) == []
    with concurrent_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProgrammeSnapshot)) == 1


# --- Writing during GET requests -----------------------------------------------------------------


def test_a_person_record_view_is_logged_even_though_the_page_is_a_get(app, client, auth: Auth, school, make_user,
                                                                     pupil) -> None:
    coordinator = make_user(Role.COORDINATOR, school=school)
    auth.login(coordinator)
    assert client.get(f"/people/{pupil.id}").status_code == 200
    assert client.get(f"/people/{coordinator.id}").status_code == 200  # one's own record is not logged

    def events() -> list[tuple[str, int | None, int | None]]:
        return [(e.action, e.actor_id, e.subject_user_id) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action != AuditAction.SIGNED_IN.value))]

    assert run_in_app(app, events) == [(AuditAction.PERSON_RECORD_VIEWED.value, coordinator.id, pupil.id)]


def test_logging_during_gets_never_locks_the_database_under_parallel_writers(concurrent_app) -> None:
    """8 readers open records (each view writes a log entry) while 4 pupils record lessons read."""
    readers, writers, rounds = 8, 4, 8
    with concurrent_app.app_context():
        school = create_school(name="Busy", slug="busy")
        coordinator = create_user(username="coord", first_name="C", last_name="O", roles={Role.COORDINATOR},
                                  school_id=school.id, password=PASSWORD)
        pupils = [create_user(username=f"p{n}", first_name="P", last_name=str(n), roles={Role.PUPIL},
                              school_id=school.id, year_group=5, password=PASSWORD) for n in range(writers)]
        db.session.commit()
        coordinator_name, pupil_names = coordinator.username, [p.username for p in pupils]
        subject_id = pupils[0].id
        lessons = current_catalogue().modules["ks2-passwords"].lesson_ids
    failures: list[str] = []

    def reader() -> None:
        client = concurrent_app.test_client()
        Auth(client).login(coordinator_name)
        for _ in range(rounds):
            response = client.get(f"/people/{subject_id}")
            if response.status_code != 200:
                failures.append(f"GET {response.status_code}")

    def writer(username: str) -> None:
        client = concurrent_app.test_client()
        auth = Auth(client)
        auth.login(username)
        for number in range(rounds):
            lesson = lessons[number % len(lessons)]
            response = auth.post(f"/modules/ks2-passwords/lessons/{lesson}/read", token_from="/")
            if response.status_code != 302:
                failures.append(f"POST {response.status_code}")

    assert run_together(*[reader] * readers, *[lambda name=name: writer(name) for name in pupil_names]) == []
    assert failures == []
    with concurrent_app.app_context():
        logged = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == AuditAction.PERSON_RECORD_VIEWED.value))
    assert logged == readers * rounds


# --- The personal data map ---------------------------------------------------------------------


def _user_columns(table: Any) -> set[str]:
    return {fk.parent.name for fk in table.foreign_keys if fk.column.table.name == "user_account"}


def test_every_table_that_points_at_a_person_is_in_the_personal_data_map() -> None:
    import_models()
    unmarked, incomplete = [], []
    for table in Base.metadata.tables.values():
        mark = table.info.get("personal_data")
        columns = _user_columns(table)
        if not columns and table.name != "user_account":
            continue
        if mark is None:
            unmarked.append(table.name)
            continue
        listed = set(mark["subject"]) | set(mark["mentions"])
        if columns - listed:
            incomplete.append(f"{table.name}: {sorted(columns - listed)}")
        assert mark["erase"] in ERASE_RULES
    assert unmarked == [], "mark these tables with eduplatform.db.personal_data(...)"
    assert incomplete == [], "list every column that points at a person as subject or mentions"


def test_the_map_check_catches_an_unmarked_table() -> None:
    from sqlalchemy import Column, Integer, MetaData, Table

    table = Table("scratch", MetaData(), Column("id", Integer, primary_key=True),
                  Column("user_id", Integer, ForeignKey(Base.metadata.tables["user_account"].c.id)))
    assert _user_columns(table) == {"user_id"} and "personal_data" not in table.info
