"""The audit's parents section counts the workshops held: attendances, families reached and feedback.

A workshop counts when it was not cancelled and started inside the year, before the audit's moment
(now for the current year). Families reached: parents on the roll who attended at least one.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from eduplatform.catalogue import current_catalogue
from eduplatform.db import db, utcnow
from eduplatform.records.programme import ensure_programme_snapshot
from eduplatform.reports.audit import Audit, Figure
from eduplatform.reports.audit_build import build_audit
from eduplatform.reports.audit_workshops import windows
from eduplatform.reports.evidence import draft
from eduplatform.reports.scope import build_scope
from eduplatform.roles import Role
from eduplatform.schools.models import School
from eduplatform.workshops.models import RegistrationStatus, Workshop, WorkshopFeedback, WorkshopRegistration
from tests.conftest import Auth, run_in_app
from tests.records_world import RecordsWorld, build_records_world
from tests.test_records import _count_queries

SCHEMA = Path(__file__).parent.parent / "docs" / "audit.schema.json"
LONG_AGO = timedelta(days=3 * 365)
WORKSHOP_MEASURES = ("workshops_held", "workshop_attendances", "families_reached", "workshop_feedback_average",
                     "workshop_feedback_answers")


@pytest.fixture
def world(app, make_trust, make_school, make_user, make_class, link) -> RecordsWorld:
    return build_records_world(app, make_trust, make_school, make_user, make_class, link)


def _audit(app, school_id: int, year: Any) -> Audit:
    def build() -> Audit:
        school = db.session.get(School, school_id)
        return build_audit(build_scope([school], year, current_catalogue()), current_catalogue(), "en")

    return run_in_app(app, build)


def _moments(app, world: RecordsWorld) -> tuple[datetime, datetime]:
    """A moment of this year already past, and one of last year (stored UTC timestamps)."""
    def find() -> tuple[datetime, datetime]:
        scope = build_scope([db.session.get(School, world.school.id)], world.year, current_catalogue())
        start, now = windows(scope)[world.school.id]
        return start + (now - start) / 2, start - timedelta(days=30)

    return run_in_app(app, find)


def _workshop(app, school_id: int, host_id: int, starts_at: datetime, *, registered: tuple[Any, ...] = (),
              attended: tuple[Any, ...] = (), feedback: tuple[tuple[Any, int], ...] = (),
              cancelled: bool = False) -> None:
    """A parents' workshop with its register and feedback, written with the models directly."""
    def write() -> None:
        module_id = next(m.id for m in current_catalogue().modules.values() if m.audience == "parents")
        workshop = Workshop(school_id=school_id, module_id=module_id, starts_at=starts_at,
                            ends_at=starts_at + timedelta(hours=1), capacity=30, host_id=host_id,
                            cancelled_at=starts_at - timedelta(days=1) if cancelled else None)
        db.session.add(workshop)
        db.session.flush()
        for person in {*registered, *attended}:
            came = person in attended
            db.session.add(WorkshopRegistration(
                workshop_id=workshop.id, user_id=person.id, status=RegistrationStatus.REGISTERED,
                attended_at=starts_at + timedelta(minutes=5) if came else None,
                attendance_method="code" if came else None))
        for person, usefulness in feedback:
            db.session.add(WorkshopFeedback(workshop_id=workshop.id, user_id=person.id, usefulness=usefulness))

    run_in_app(app, write)


def _backdate(app, people: list[Any], *, left: Any = None) -> None:
    """On the roll for years (and ``left`` leaving a minute ago)."""
    def write() -> None:
        from eduplatform.accounts.models import User

        for person in people:
            db.session.get(User, person.id).created_at = utcnow() - LONG_AGO
        if left is not None:
            db.session.get(User, left.id).left_at = utcnow() - timedelta(minutes=1)

    run_in_app(app, write)


def _figures(audit: Audit, measure: str) -> tuple[Any, ...]:
    f: Figure | None = audit.figure("parents", measure)
    assert f is not None, measure
    return f.value, f.count, f.total, f.previous, f.previous_count, f.previous_total


@pytest.fixture
def parents(world: RecordsWorld, make_user) -> dict[str, Any]:
    found = {name: make_user(Role.PARENT, school=world.school, first_name=name, last_name="Parent")
             for name in ("Ann", "Bea", "Cal", "Dee", "Eve")}
    found["Pat"] = world.people["parent"]
    return found


def test_the_parents_section_counts_the_workshops_held(app, world: RecordsWorld, parents: dict[str, Any],
                                                       make_user) -> None:
    ann, bea, cal, dee, eve, pat = (parents[name] for name in ("Ann", "Bea", "Cal", "Dee", "Eve", "Pat"))
    host = world.people["teacher"]
    _backdate(app, [*parents.values()], left=eve)
    this_year, last_year = _moments(app, world)
    _workshop(app, world.school.id, host.id, this_year, registered=(ann, bea, cal), attended=(ann, bea),
              feedback=((ann, 4),))
    # Not counted: cancelled (even with someone marked present), not yet started, last year's, another school's.
    _workshop(app, world.school.id, host.id, this_year, registered=(cal,), attended=(cal,), feedback=((cal, 5),),
              cancelled=True)
    _workshop(app, world.school.id, host.id, utcnow() + timedelta(hours=2), registered=(dee, pat))
    _workshop(app, world.school.id, host.id, last_year, attended=(dee,), feedback=((dee, 1),))
    # Attending records a completion, which stores the year's programme: last year has records to compare with.
    run_in_app(app, lambda: ensure_programme_snapshot(world.school.id, world.year.shifted(-1), current_catalogue()))
    sister = make_user(Role.PARENT, school=world.other_school)
    _workshop(app, world.other_school.id, world.people["other_coordinator"].id, this_year, attended=(sister,),
              feedback=((sister, 2),))

    audit = _audit(app, world.school.id, world.year)
    assert _figures(audit, "workshops_held") == (1.0, 1, 0, 1.0, 1, 0)
    assert _figures(audit, "workshop_attendances") == (2.0, 2, 0, 1.0, 1, 0)
    # Now: Ann and Bea of the five on the roll (Eve has left). Last year: Dee of all six.
    assert _figures(audit, "families_reached") == (40.0, 2, 5, 16.7, 1, 6)
    assert _figures(audit, "workshop_feedback_average") == (4.0, 4, 1, 1.0, 1, 1)
    assert _figures(audit, "workshop_feedback_answers") == (1.0, 1, 0, 1.0, 1, 0)
    assert audit.figure("parents", "workshops_held").unit == "count"
    assert audit.figure("parents", "workshop_feedback_average").unit == "rating"

    past = _audit(app, world.school.id, world.year.shifted(-1))
    assert _figures(past, "workshops_held")[:2] == (1.0, 1)
    assert _figures(past, "families_reached")[:3] == (16.7, 1, 6)


def test_without_any_workshop_there_are_no_workshop_figures(app, world: RecordsWorld) -> None:
    audit = _audit(app, world.school.id, world.year)
    assert [f.measure for f in audit.figures_of("parents") if f.measure in WORKSHOP_MEASURES] == []


def test_a_held_workshop_without_feedback_shows_no_average(app, world: RecordsWorld, parents: dict[str, Any]) -> None:
    this_year, _last_year = _moments(app, world)
    _workshop(app, world.school.id, world.people["teacher"].id, this_year, registered=(parents["Ann"],))
    audit = _audit(app, world.school.id, world.year)
    assert _figures(audit, "workshops_held")[:2] == (1.0, 1)
    assert _figures(audit, "workshop_attendances")[:2] == (0.0, 0)
    assert _figures(audit, "families_reached")[:3] == (0.0, 0, 6)
    assert audit.figure("parents", "workshop_feedback_average") is None


def test_a_trust_counts_each_school_and_the_total(app, world: RecordsWorld, parents: dict[str, Any],
                                                  make_user) -> None:
    this_year, _last_year = _moments(app, world)
    sister = make_user(Role.PARENT, school=world.other_school)
    _workshop(app, world.school.id, world.people["teacher"].id, this_year, attended=(parents["Ann"],),
              feedback=((parents["Ann"], 5),))
    _workshop(app, world.other_school.id, world.people["other_coordinator"].id, this_year, attended=(sister,),
              feedback=((sister, 2),))

    def build() -> Audit:
        schools = [db.session.get(School, world.school.id), db.session.get(School, world.other_school.id)]
        return build_audit(build_scope(schools, world.year, current_catalogue()), current_catalogue(), "en")

    audit = run_in_app(app, build)
    reached = {school: audit.figure("parents", "families_reached", school=school)
               for school in (None, world.school.slug, world.other_school.slug)}
    assert {school: (f.count, f.total) for school, f in reached.items()} == {
        None: (2, 7), world.school.slug: (1, 6), world.other_school.slug: (1, 1)}
    assert audit.figure("parents", "workshop_feedback_average").value == 3.5
    assert audit.figure("parents", "workshops_held").count == 2


def test_the_query_count_does_not_grow_with_the_workshops(app, world: RecordsWorld, parents: dict[str, Any]) -> None:
    this_year, last_year = _moments(app, world)
    host = world.people["teacher"].id
    _workshop(app, world.school.id, host, this_year, attended=(parents["Ann"],), feedback=((parents["Ann"], 3),))

    def build() -> None:
        school = db.session.get(School, world.school.id)
        build_audit(build_scope([school], world.year, current_catalogue()), current_catalogue(), "en")

    with app.test_request_context():
        before = _count_queries(app, build)
    for number in range(5):
        people = (parents["Bea"], parents["Cal"], parents["Dee"])
        _workshop(app, world.school.id, host, this_year - timedelta(hours=number + 1), registered=people,
                  attended=people[:2], feedback=((people[0], 4),))
        _workshop(app, world.school.id, host, last_year - timedelta(days=number), attended=people)
    with app.test_request_context():
        assert _count_queries(app, build) == before
    assert _audit(app, world.school.id, world.year).figure("parents", "workshops_held").count == 6


def test_the_page_csv_and_json_show_the_workshop_figures(app, client, auth: Auth, world: RecordsWorld,
                                                         parents: dict[str, Any]) -> None:
    from jsonschema import Draft202012Validator

    this_year, _last_year = _moments(app, world)
    _workshop(app, world.school.id, world.people["teacher"].id, this_year, registered=(parents["Ann"],),
              attended=(parents["Ann"], parents["Bea"]), feedback=((parents["Ann"], 4), (parents["Bea"], 5)))
    auth.login(world.people["coordinator"])
    page = client.get("/audit").get_data(as_text=True)
    assert "Parents' workshops held" in page and "Families reached: parents who attended a workshop" in page
    assert "4.5 out of 5" in page and "2 of 6 (33.3%)" in page

    rows = list(csv.DictReader(io.StringIO(client.get("/audit/download.csv").get_data(as_text=True).lstrip("\ufeff"),
                                           newline="")))
    average = next(row for row in rows if row["measure"] == "workshop_feedback_average")
    assert (average["unit"], average["value"], average["count"], average["total"]) == ("rating", "4.5", "9", "2")

    data = client.get("/audit/download.json").get_json()
    Draft202012Validator(json.loads(SCHEMA.read_text())).validate(data)
    assert Audit.from_json(data).figure("parents", "workshop_attendances").count == 2


def test_the_parent_engagement_evidence_names_the_workshops_and_families_reached(app) -> None:
    def audit_with(*figures: Figure) -> Audit:
        return Audit(year=2026, year_label="2026/27", previous_label="2025/26", subject={"slug": "s", "name": "S"},
                     is_trust=False, schools=[], generated_at="", programme_stored=True, figures=[
                         Figure("summary", "parent_workshops_completed", unit="percent", value=50.0, count=3, total=6),
                         *figures])

    reached = Figure("parents", "families_reached", value=33.3, count=2, total=6)
    with app.test_request_context():
        assert draft("parent_engagement", audit_with()) == "Parents completed 3 of 6 workshop places (50%)."
        one = draft("parent_engagement", audit_with(Figure("parents", "workshops_held", unit="count", value=1.0,
                                                           count=1, total=0), reached))
        two = draft("parent_engagement", audit_with(Figure("parents", "workshops_held", unit="count", value=2.0,
                                                           count=2, total=0), reached))
    assert one.endswith(" 1 workshop was held; 2 of 6 parents (33.3%) attended it.")
    assert two.endswith(" 2 workshops were held; 2 of 6 parents (33.3%) attended at least one.")
