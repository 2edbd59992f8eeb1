"""Training compliance: the status of a person against each kind of rule around its dates, the date
arithmetic, the rule file's checks, and the training record read in a fixed number of queries.

The HTTP pages are tested in ``tests/test_compliance_pages.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import User, UserDuty
from eduplatform.catalogue import ContentError, current_catalogue, load_catalogue
from eduplatform.catalogue.training import (
    Periods,
    Renewal,
    TrainingRule,
    add_months,
    add_school_days,
    effective_periods,
)
from eduplatform.compliance.queries import training_record
from eduplatform.compliance.record import RecordFilters, build_record
from eduplatform.compliance.status import LastDone, TrainingStatus, requirement_status
from eduplatform.db import db
from eduplatform.records.models import CompletionMethod, CompletionStatus, ExternalTraining, ModuleCompletion
from eduplatform.roles import Duty, Role
from eduplatform.schools.models import School
from tests.conftest import run_in_app
from tests.test_records import _count_queries
from tests.training_catalogue import copy_training_catalogue, training_app

STATIC = Path(__file__).resolve().parents[1] / "static"

INDUCTION = TrainingRule(id="staff-induction", module_id="staff-induction", agreement_id=None,
                         roles=frozenset({"staff", "coordinator"}), duties=frozenset(), renew=Renewal.NEVER,
                         periods=Periods(20, None, None))
REFRESHER = TrainingRule(id="staff-refresher", module_id="staff-refresher", agreement_id=None,
                         roles=frozenset({"staff", "coordinator"}), duties=frozenset(), renew=Renewal.ACADEMIC_YEAR,
                         periods=Periods(20, None, (10, 31)), also_counts=("staff-induction",))
DSL = TrainingRule(id="dsl-training", module_id="staff-dsl", agreement_id=None, roles=frozenset(),
                   duties=frozenset({"dsl", "deputy_dsl"}), renew=Renewal.MONTHS, periods=Periods(20, 24, None))
GOVERNOR = TrainingRule(id="governor-training", module_id="governors-online-safety", agreement_id=None,
                        roles=frozenset({"governor"}), duties=frozenset(), renew=Renewal.MONTHS,
                        periods=Periods(20, 12, None))
VISITOR = TrainingRule(id="visitor-agreement", module_id=None, agreement_id="visitor-aup",
                       roles=frozenset({"visitor"}), duties=frozenset(), renew=Renewal.EACH_VISIT,
                       periods=Periods(None, None, None))
LONG_AGO = date(2020, 9, 1)


def status_of(rule: TrainingRule, today: date, *, done: date | None = None, item: str | None = None,
              started: date = LONG_AGO, periods: Periods | None = None, applies: bool = True) -> Any:
    last = LastDone(on=done, method="self", item_id=item or rule.item_id) if done is not None else None
    return requirement_status(rule, periods or rule.periods, applies=applies, started_on=started, last_done=last,
                              today=today)


# --- Date arithmetic -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "days", "expected"), [
    (date(2026, 9, 4), 1, date(2026, 9, 7)),    # Friday + 1 school day: Monday
    (date(2026, 9, 5), 1, date(2026, 9, 7)),    # from a Saturday: counted from Monday
    (date(2026, 9, 6), 5, date(2026, 9, 11)),   # from a Sunday: a whole week
    (date(2026, 9, 7), 20, date(2026, 10, 5)),  # four weeks, weekends skipped
    (date(2026, 9, 7), 0, date(2026, 9, 7)),
])
def test_school_days_skip_weekends(start: date, days: int, expected: date) -> None:
    assert add_school_days(start, days) == expected


@pytest.mark.parametrize(("start", "months", "expected"), [
    (date(2027, 1, 31), 1, date(2027, 2, 28)),   # 31 January + 1 month: the last day of February
    (date(2028, 1, 31), 1, date(2028, 2, 29)),   # a leap year
    (date(2026, 12, 15), 2, date(2027, 2, 15)),  # across the new year
    (date(2024, 2, 29), 24, date(2026, 2, 28)),
])
def test_months_end_on_the_last_day_of_a_short_month(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


# --- Each kind of rule around its dates ---------------------------------------------------------------------


def test_induction_is_due_20_school_days_after_the_start() -> None:
    started = date(2026, 9, 7)
    due = date(2026, 10, 5)
    before, on_the_day, after = (status_of(INDUCTION, day, started=started)
                                 for day in (due - timedelta(days=1), due, due + timedelta(days=1)))
    assert (before.status, before.due_on) == (TrainingStatus.DUE_SOON, due)
    assert (on_the_day.status, on_the_day.due_on) == (TrainingStatus.DUE_SOON, due)  # due today is not late
    assert (after.status, after.due_on) == (TrainingStatus.OVERDUE, due)
    assert status_of(INDUCTION, due - timedelta(days=31), started=started).status is TrainingStatus.UPCOMING
    done = status_of(INDUCTION, due + timedelta(days=400), started=started, done=date(2026, 10, 1))
    assert (done.status, done.due_on, done.expires_on) == (TrainingStatus.IN_DATE, None, None)  # once is enough


def test_the_refresher_is_due_by_31_october_each_academic_year() -> None:
    due = date(2026, 10, 31)
    assert status_of(REFRESHER, due - timedelta(days=1)).status is TrainingStatus.DUE_SOON
    assert status_of(REFRESHER, due).status is TrainingStatus.DUE_SOON
    late = status_of(REFRESHER, due + timedelta(days=1))
    assert (late.status, late.due_on) == (TrainingStatus.OVERDUE, due)
    assert status_of(REFRESHER, date(2026, 9, 1)).status is TrainingStatus.UPCOMING


def test_last_years_refresher_stops_counting_on_1_september() -> None:
    done = date(2026, 8, 31)
    on_31_august = status_of(REFRESHER, date(2026, 8, 31), done=done)
    assert (on_31_august.status, on_31_august.expires_on) == (TrainingStatus.IN_DATE, date(2026, 8, 31))
    on_1_september = status_of(REFRESHER, date(2026, 9, 1), done=done)
    assert (on_1_september.status, on_1_september.due_on) == (TrainingStatus.UPCOMING, date(2026, 10, 31))
    assert on_1_september.last_done is not None and on_1_september.last_done.on == done


def test_this_years_induction_counts_as_the_refresher() -> None:
    found = status_of(REFRESHER, date(2026, 11, 20), done=date(2026, 9, 20), item="staff-induction")
    assert (found.status, found.expires_on) == (TrainingStatus.IN_DATE, date(2027, 8, 31))


def test_a_new_starter_has_20_school_days_for_the_refresher_even_after_31_october() -> None:
    found = status_of(REFRESHER, date(2026, 11, 1), started=date(2026, 10, 20))
    assert (found.status, found.due_on) == (TrainingStatus.DUE_SOON, add_school_days(date(2026, 10, 20), 20))


def test_dsl_training_is_renewed_24_months_later() -> None:
    done = date(2024, 11, 10)
    expires, due = date(2026, 11, 9), date(2026, 11, 10)
    assert status_of(DSL, due - timedelta(days=31), done=done).status is TrainingStatus.IN_DATE
    soon = status_of(DSL, due - timedelta(days=30), done=done)
    assert (soon.status, soon.due_on, soon.expires_on) == (TrainingStatus.DUE_SOON, due, expires)
    assert status_of(DSL, expires, done=done).status is TrainingStatus.DUE_SOON  # its last day in date
    assert status_of(DSL, due, done=done).status is TrainingStatus.OVERDUE
    never = status_of(DSL, date(2026, 11, 10))
    assert (never.status, never.due_on) == (TrainingStatus.OVERDUE, add_school_days(LONG_AGO, 20))


def test_governor_training_is_yearly() -> None:
    done = date(2025, 12, 5)
    assert status_of(GOVERNOR, date(2026, 12, 4), done=done).status is TrainingStatus.DUE_SOON
    late = status_of(GOVERNOR, date(2026, 12, 5), done=done)
    assert (late.status, late.due_on, late.expires_on) == (TrainingStatus.OVERDUE, date(2026, 12, 5),
                                                           date(2026, 12, 4))


def test_the_visitor_agreement_counts_on_the_day_it_is_signed_only() -> None:
    today = date(2026, 12, 5)
    signed_today = status_of(VISITOR, today, done=today)
    assert (signed_today.status, signed_today.expires_on) == (TrainingStatus.IN_DATE, today)
    other_day = status_of(VISITOR, today, done=today - timedelta(days=1))
    assert (other_day.status, other_day.due_on) == (TrainingStatus.UPCOMING, None)  # due at the next visit


def test_someone_without_the_role_or_duty_is_not_required() -> None:
    assert not DSL.applies_to({"staff"}, set()) and DSL.applies_to({"staff"}, {"deputy_dsl"})
    found = status_of(DSL, date(2026, 12, 5), done=date(2020, 1, 1), applies=False)
    assert (found.status, found.due_on) == (TrainingStatus.NOT_REQUIRED, None)


def test_a_schools_own_periods_change_the_due_dates() -> None:
    own = {"dsl-training": {"renew_after_months": 12}, "staff-induction": {"first_due_school_days": 5},
           "staff-refresher": {"due_by": "11-30"}}
    dsl = status_of(DSL, date(2026, 10, 1), done=date(2025, 11, 10), periods=effective_periods(DSL, own))
    assert (dsl.status, dsl.due_on) == (TrainingStatus.IN_DATE, date(2026, 11, 10))
    induction = status_of(INDUCTION, date(2026, 9, 7), started=date(2026, 9, 7),
                          periods=effective_periods(INDUCTION, own))
    assert induction.due_on == date(2026, 9, 14)
    refresher = status_of(REFRESHER, date(2026, 11, 1), periods=effective_periods(REFRESHER, own))
    assert (refresher.status, refresher.due_on) == (TrainingStatus.DUE_SOON, date(2026, 11, 30))


def test_unusable_stored_periods_are_ignored() -> None:
    stored = {"dsl-training": {"renew_after_months": 0, "first_due_school_days": "ten"},
              "staff-refresher": {"due_by": "02-30"}}
    assert effective_periods(DSL, stored) == DSL.periods
    assert effective_periods(REFRESHER, stored) == REFRESHER.periods


# --- The rule file -----------------------------------------------------------------------------------------


def _problems(root: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        load_catalogue(root / "curriculum", root / "content", STATIC, lambda endpoint, **values: "/",
                       fallback_locale="en")
    return [str(problem) for problem in caught.value.problems]


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("module: staff-dsl", "module: staff-dls",
     "curriculum/training.yaml: rule 'dsl-training': there is no module 'staff-dls' in the curriculum"),
    ("renew_after_months: 24", "renew_after_months: 0",
     "curriculum/training.yaml: rule 'dsl-training': renew: months needs renew_after_months from 1 to 120"),
    ("    first_due_school_days: 20\n    renew: never", "    first_due_school_days: 0\n    renew: never",
     "curriculum/training.yaml: rule 'staff-induction': first_due_school_days must be a whole number from 1 to 260 "
     "(a period below one day cannot be met)"),
    ("for: {roles: [governor]}", "for: {roles: [governors]}",
     "curriculum/training.yaml: rule 'governor-training': unknown role 'governors'"),
])
def test_a_bad_rule_stops_start_up_naming_the_file_and_the_rule(tmp_path: Path, old: str, new: str,
                                                                 expected: str) -> None:
    root = copy_training_catalogue(tmp_path / "catalogue")
    rules = root / "curriculum" / "training.yaml"
    text = rules.read_text(encoding="utf-8")
    assert text.count(old) == 1
    rules.write_text(text.replace(old, new), encoding="utf-8")
    problems = _problems(root)
    assert any(problem.startswith(expected) for problem in problems), problems


# --- The training record from the database ----------------------------------------------------------------


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Flask]:
    yield from training_app(tmp_path_factory.mktemp("training"), database_url)


def _staff(app: Flask, make_user: Any, school: School, started_on: date, *, duty: Duty | None = None,
           role: Role = Role.STAFF) -> User:
    user = make_user(role, school=school)

    def change() -> User:
        person = db.session.get(User, user.id)
        person.started_on = started_on
        if duty is not None:
            person.duty_rows = [UserDuty(duty=duty)]
        return person

    return run_in_app(app, change)


def _completed(app: Flask, person: User, module_id: str, on: date) -> None:
    run_in_app(app, lambda: db.session.add(ModuleCompletion(
        school_id=person.school_id, user_id=person.id, module_id=module_id,
        academic_year=AcademicYear.containing(on).start_year, status=CompletionStatus.COMPLETED,
        completed_at=datetime.combine(on, datetime.min.time()) + timedelta(hours=12), method=CompletionMethod.SELF)))


def _record(app: Flask, school: School, today: date) -> dict[str, Any]:
    def read() -> dict[str, Any]:
        rows = training_record(current_catalogue(), [school.id], today)
        return {row.user_id: {cell.rule_id: cell for cell in row.requirements} for row in rows}

    return run_in_app(app, read)


def test_the_record_reads_completions_elsewhere_and_leavers(app, make_school, make_user) -> None:
    school = make_school()
    today = date(2026, 12, 5)
    starter = _staff(app, make_user, school, date(2026, 9, 20))
    deputy = _staff(app, make_user, school, LONG_AGO, duty=Duty.DEPUTY_DSL)
    leaver = _staff(app, make_user, school, LONG_AGO)
    pupil = make_user(Role.PUPIL, school=school, year_group=5)
    _completed(app, starter, "staff-induction", date(2026, 10, 1))
    run_in_app(app, lambda: db.session.add(ExternalTraining(
        school_id=school.id, user_id=deputy.id, module_id="staff-dsl", completed_on=date(2025, 6, 1),
        provider="Local authority")))
    run_in_app(app, lambda: setattr(db.session.get(User, leaver.id), "left_at", datetime(2026, 7, 20)))

    record = _record(app, school, today)
    assert set(record) == {starter.id, deputy.id}  # the leaver and the pupil are not listed
    assert record[starter.id]["staff-induction"].status is TrainingStatus.IN_DATE
    refresher = record[starter.id]["staff-refresher"]  # this year's induction counts as the refresher
    assert refresher.status is TrainingStatus.IN_DATE and refresher.last_done.item_id == "staff-induction"
    assert record[starter.id]["dsl-training"].status is TrainingStatus.NOT_REQUIRED
    dsl = record[deputy.id]["dsl-training"]
    assert (dsl.status, dsl.last_done.method, dsl.expires_on) == (TrainingStatus.IN_DATE, "external",
                                                                  date(2027, 5, 31))
    assert pupil.id not in record


def test_a_schools_own_period_changes_the_record_at_once(app, make_school, make_user) -> None:
    school = make_school()
    starter = _staff(app, make_user, school, date(2026, 11, 2))
    assert _record(app, school, date(2026, 11, 2))[starter.id]["staff-induction"].due_on == date(2026, 11, 30)
    run_in_app(app, lambda: setattr(db.session.get(School, school.id), "training_periods",
                                    {"staff-induction": {"first_due_school_days": 5}}))
    assert _record(app, school, date(2026, 11, 2))[starter.id]["staff-induction"].due_on == date(2026, 11, 9)


def test_the_record_takes_the_same_number_of_queries_for_5_or_50_staff(app, make_trust, make_school,
                                                                       make_user) -> None:
    trust = make_trust()
    schools = [make_school(trust=trust), make_school(trust=trust)]

    def add_staff(count: int) -> None:
        for number in range(count):
            school = schools[number % 2]
            person = _staff(app, make_user, school, LONG_AGO - timedelta(days=number),
                            duty=Duty.DSL if number % 10 == 0 else None)
            _completed(app, person, "staff-induction", LONG_AGO + timedelta(days=number))

    def read_record() -> None:
        rows = training_record(current_catalogue(), [school.id for school in schools], date(2026, 12, 5))
        assert rows

    def build_page() -> None:
        found = [db.session.get(School, school.id) for school in schools]
        assert build_record(current_catalogue(), found, RecordFilters()).people

    add_staff(5)
    few, few_page = _count_queries(app, read_record), _count_queries(app, build_page)
    add_staff(45)
    assert _count_queries(app, read_record) == few <= 6  # four reads, and the test's savepoint and its release
    assert _count_queries(app, build_page) == few_page
