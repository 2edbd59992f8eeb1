"""The audit's staff and governor training figures come from the training rules (curriculum/training.yaml).

In date and overdue are the training record's statuses on the audit's day: today for the current
year, 31 August for a past one (people on the roll that day, training done by then).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

import pytest

from eduplatform.academic_year import AcademicYear, local_date
from eduplatform.accounts.models import User, UserDuty
from eduplatform.accounts.services import create_user
from eduplatform.catalogue import current_catalogue
from eduplatform.catalogue.training import add_months
from eduplatform.db import db, upgrade_database
from eduplatform.records import services as records
from eduplatform.records.models import CompletionMethod, ExternalTraining
from eduplatform.reports.audit import Audit, Figure
from eduplatform.reports.audit_build import build_audit
from eduplatform.reports.scope import build_scope
from eduplatform.roles import Duty, Role
from eduplatform.schools.models import School
from eduplatform.schools.services import create_school, create_trust

LONG_AGO = timedelta(days=3 * 365)


@pytest.fixture(scope="module")
def _database(real_app) -> None:
    with real_app.app_context():
        upgrade_database(db.engine)


@pytest.fixture(autouse=True)
def _shipped(real_app, _database) -> Iterator[None]:
    """The shipped rules and programme (curriculum/training.yaml); nothing is committed."""
    with real_app.app_context():
        yield
        db.session.rollback()


def _school() -> School:
    return create_school(name="Training School", slug="training-school")


def _person(school: School, *roles: Role, started_on: date, duty: Duty | None = None, name: str = "") -> User:
    person = create_user(username=f"{name or roles[0].value}.{school.id}.{started_on}", first_name=name or "Pat",
                         last_name="Person", roles=set(roles), school_id=school.id)
    person.started_on = started_on
    if duty is not None:
        person.duty_rows = [UserDuty(duty=duty)]
    db.session.flush()
    return person


def _audit(school: School, year: AcademicYear | None = None) -> Audit:
    catalogue = current_catalogue()
    scope = build_scope([school], year or AcademicYear.current(school.time_zone), catalogue)
    return build_audit(scope, catalogue, "en")


def _today(school: School) -> date:
    return build_scope([school], AcademicYear.current(school.time_zone), current_catalogue()).today


def _share(figure: Figure | None) -> tuple[int | None, int | None] | None:
    return None if figure is None else (figure.count, figure.total)


def _complete(person: User, module_id: str, on: date) -> None:
    """A completion recorded through the records service, dated ``on`` (midday UTC)."""
    year = AcademicYear.containing(on)
    completion = records.record_completion_for(person, current_catalogue().modules[module_id], year,
                                               recorded_by=person, method=CompletionMethod.SELF)
    completion.completed_at = datetime.combine(on, datetime.min.time()) + timedelta(hours=12)
    db.session.flush()


def _external_dsl(person: User, on: date) -> None:
    db.session.add(ExternalTraining(school_id=person.school_id, user_id=person.id, module_id="staff-dsl",
                                    completed_on=on, provider="Local authority safeguarding team"))
    db.session.flush()


def test_a_dsl_course_done_elsewhere_counts_as_dsl_training() -> None:
    school = _school()
    today = _today(school)
    dsl = _person(school, Role.COORDINATOR, Role.STAFF, started_on=today - LONG_AGO, duty=Duty.DSL)
    _person(school, Role.STAFF, started_on=today - LONG_AGO)  # no duty: the DSL rule is not theirs
    before = _audit(school)
    assert _share(before.figure("staff", "dsl_in_date", "dsl", "staff-dsl")) == (0, 1)
    assert _share(before.figure("staff", "dsl_in_date_overdue", "dsl", "staff-dsl")) == (1, 1)

    _external_dsl(dsl, today - timedelta(days=100))
    after = _audit(school)
    assert _share(after.figure("staff", "dsl_in_date", "dsl", "staff-dsl")) == (1, 1)
    assert _share(after.figure("staff", "dsl_in_date_overdue", "dsl", "staff-dsl")) == (0, 1)
    assert _share(after.figure("summary", "dsl_training_in_date")) == (1, 1)


def test_a_schools_own_period_changes_the_figure() -> None:
    school = _school()
    today = _today(school)
    deputy = _person(school, Role.STAFF, started_on=today - LONG_AGO, duty=Duty.DEPUTY_DSL)
    _external_dsl(deputy, add_months(today, -15))  # in date for the default two years, not for one
    assert _share(_audit(school).figure("staff", "dsl_in_date", "dsl", "staff-dsl")) == (1, 1)

    school.training_periods = {"dsl-training": {"renew_after_months": 12}}
    db.session.flush()
    shorter = _audit(school)
    assert _share(shorter.figure("staff", "dsl_in_date", "dsl", "staff-dsl")) == (0, 1)
    assert _share(shorter.figure("staff", "dsl_in_date_overdue", "dsl", "staff-dsl")) == (1, 1)


def test_a_past_year_is_counted_as_it_stood_on_its_31_august() -> None:
    school = _school()
    this_year = AcademicYear.current(school.time_zone)
    last_year = this_year.shifted(-1)
    long_ago = last_year.first_day - LONG_AGO
    trained_then = _person(school, Role.GOVERNOR, started_on=long_ago, name="Then")
    trained_since = _person(school, Role.GOVERNOR, started_on=long_ago, name="Since")
    leaver = _person(school, Role.GOVERNOR, started_on=long_ago, name="Leaver")
    _person(school, Role.GOVERNOR, started_on=this_year.first_day, name="Newcomer")  # not on the roll last year
    _complete(trained_then, "governors-online-safety", last_year.first_day + timedelta(days=30))
    _complete(trained_since, "governors-online-safety", this_year.first_day)
    leaver.left_at = datetime.combine(this_year.first_day, datetime.min.time()) + timedelta(hours=12)
    db.session.flush()

    past = _audit(school, last_year)
    # On 31 August last year: three governors, one trained (the other completion came after).
    assert _share(past.figure("staff", "governors_trained", "governors", "governors-online-safety")) == (1, 3)
    assert _share(past.figure("staff", "governors_trained_overdue", "governors", "governors-online-safety")) == (2, 3)
    now = _audit(school).figure("staff", "governors_trained", "governors", "governors-online-safety")
    # Today: the leaver has gone, the newcomer has joined; beside it, last year's figure as it stood.
    assert (now.previous_count, now.previous_total) == (1, 3)
    then_still_in_date = _today(school) < add_months(last_year.first_day + timedelta(days=30), 12)
    assert (now.count, now.total) == (1 + then_still_in_date, 3)


def test_each_schools_31_august_ends_at_its_own_midnight() -> None:
    """A trust's past year: a completion counts when it was done by midnight where its school is."""
    trust = create_trust(name="Two Zones", slug="two-zones")
    london = create_school(name="London School", slug="london-school", trust=trust)
    auckland = create_school(name="Auckland School", slug="auckland-school", trust=trust)
    auckland.time_zone = "Pacific/Auckland"
    last_year = AcademicYear.current(london.time_zone).shifted(-1)
    started = last_year.first_day - LONG_AGO
    for school, utc_time in ((london, time(22, 30)), (auckland, time(12, 30))):
        governor = _person(school, Role.GOVERNOR, started_on=started, name=school.slug)
        # 22:30 UTC on 31 August is 23:30 that day in London; 12:30 UTC is already 00:30 on 1 September in Auckland.
        completed_at = datetime.combine(last_year.last_day, utc_time)
        year = AcademicYear.containing(local_date(completed_at, school.time_zone))
        completion = records.record_completion_for(governor, current_catalogue().modules["governors-online-safety"],
                                                   year, recorded_by=governor, method=CompletionMethod.SELF)
        completion.completed_at = completed_at
    db.session.flush()
    catalogue = current_catalogue()
    audit = build_audit(build_scope([london, auckland], last_year, catalogue, trust=trust), catalogue, "en")

    def trained(school: str | None) -> tuple[int | None, int | None] | None:
        return _share(audit.figure("staff", "governors_trained", "governors", "governors-online-safety", school=school))

    assert trained("london-school") == (1, 1) and trained("auckland-school") == (0, 1) and trained(None) == (1, 2)


def test_the_refresher_counts_this_years_induction_and_new_starters_are_counted_apart() -> None:
    school = _school()
    year = AcademicYear.current(school.time_zone)
    today = _today(school)
    veteran = _person(school, Role.STAFF, started_on=year.first_day - LONG_AGO, name="Veteran")
    new_starter = _person(school, Role.STAFF, started_on=year.first_day, name="Starter")
    _person(school, Role.STAFF, started_on=today, name="Newest")
    _complete(new_starter, "staff-induction", today)
    _complete(veteran, "staff-induction", year.first_day - timedelta(days=400))  # inducted years ago
    audit = _audit(school)
    assert _share(audit.figure("staff", "induction_new_starters", item="staff-induction")) == (1, 2)
    assert _share(audit.figure("summary", "new_staff_inducted")) == (1, 2)
    # This year's refresher: the new starter's induction counts; the veteran has not done it yet.
    assert _share(audit.figure("staff", "refresher", "staff", "staff-refresher")) == (1, 3)


def test_the_programme_section_still_reads_the_records_of_the_year() -> None:
    school = _school()
    year = AcademicYear.current(school.time_zone)
    veteran = _person(school, Role.STAFF, started_on=year.first_day - LONG_AGO)
    _complete(veteran, "staff-refresher", _today(school))
    audit = _audit(school)
    assert _share(audit.figure("programme", "module_completed", "staff", "staff-refresher")) == (1, 1)
