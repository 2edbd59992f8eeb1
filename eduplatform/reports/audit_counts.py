"""The raw counts behind the yearly audit: a fixed set of ``GROUP BY`` queries per academic year.

:func:`count_year` runs the same nine queries whatever the number of people or schools, over the
rows of :mod:`eduplatform.reports.rows` (the dashboard's and the exports' rows), grouped by school
so a trust's report can show each school and the total from one run.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, distinct, func, or_, select

from eduplatform.accounts.models import User
from eduplatform.db import db
from eduplatform.records.models import Attendance, AttendanceKind, Attendee, QuizAnswer, QuizAttempt
from eduplatform.reports import population as pop
from eduplatform.reports import rows as records
from eduplatform.reports.scope import Scope
from eduplatform.schools.models import SchoolClass

Key = tuple[Any, ...]


@dataclass
class ClassSigning:
    school_id: int
    class_name: str
    agreement_id: str
    held_on: str
    witness: str
    pupils: int


@dataclass
class YearCounts:
    """Counts for one academic year, keyed by school first."""

    #: (school, audience) -> people.
    people: dict[Key, int] = field(default_factory=dict)
    #: (school, audience, module) -> {state: person x module rows}.
    module_states: dict[Key, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    #: (school, audience, module) -> {method: completions that count this year}.
    methods: dict[Key, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    #: (school, audience, agreement) -> {state: people}.
    agreement_states: dict[Key, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    #: (school, audience, strand) -> (answers, right answers, attempts, attempts passed).
    strands: dict[Key, tuple[int, int, int, int]] = field(default_factory=dict)
    #: (audience, module, question) -> (people who got it wrong at least once, people who answered it).
    missed: dict[Key, tuple[int, int]] = field(default_factory=dict)
    #: (school,) -> {state: new starters} in the induction module.
    induction_new: dict[Key, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    #: (school,) -> (children, children with at least one consent decision returned).
    consents: dict[Key, tuple[int, int]] = field(default_factory=dict)
    class_signings: list[ClassSigning] = field(default_factory=list)


def count_year(scope: Scope, current_start_year: int, induction_module: str | None,
               class_signing_audience: str | None) -> YearCounts:
    """Run the audit's queries for ``scope.year`` (nine queries, however many people)."""
    counts = YearCounts()
    everyone = records.Filters()
    people = pop.population(scope, current_start_year)
    for school_id, audience_id, number in db.session.execute(
            select(people.c.school_id, people.c.audience_id, func.count(distinct(people.c.user_id)))
            .group_by(people.c.school_id, people.c.audience_id)):
        counts.people[(school_id, audience_id)] = number

    completions = records.completion_rows(scope, everyone, current_start_year)
    for school_id, audience_id, module_id, state, rows, _people in db.session.execute(
            records.count_by(completions, "school_id", "audience_id", "module_id")):
        counts.module_states[(school_id, audience_id, module_id)][state] = rows
    for school_id, audience_id, module_id, method, number in db.session.execute(
            select(completions.c.school_id, completions.c.audience_id, completions.c.module_id, completions.c.method,
                   func.count())
            .where(completions.c.status == "completed")
            .group_by(completions.c.school_id, completions.c.audience_id, completions.c.module_id,
                      completions.c.method)):
        counts.methods[(school_id, audience_id, module_id)][method or "self"] = number

    agreements = records.agreement_rows(scope, everyone, current_start_year)
    for school_id, audience_id, agreement_id, state, _rows, number in db.session.execute(
            records.count_by(agreements, "school_id", "audience_id", "agreement_id")):
        counts.agreement_states[(school_id, audience_id, agreement_id)][state] = number

    _count_answers(scope, people, counts)
    if induction_module is not None:
        _count_induction(scope, completions, induction_module, counts)
    _count_consents(scope, current_start_year, counts)
    if class_signing_audience is not None:
        _class_signings(scope, counts)
    return counts


def _count_answers(scope: Scope, people: Any, counts: YearCounts) -> None:
    """Per strand: answers and right answers; attempts and attempts passed (two queries)."""
    year = scope.year.start_year
    modules = pop.required_modules(scope)
    qa, ans = QuizAttempt, QuizAnswer
    base = (select(people.c.school_id, people.c.audience_id, ans.strand)
            .select_from(qa)
            .join(people, people.c.user_id == qa.user_id)
            .join(modules, and_(modules.c.school_id == people.c.school_id,
                                modules.c.audience_id == people.c.audience_id, modules.c.module_id == qa.module_id))
            .join(ans, ans.attempt_id == qa.id)
            .where(qa.academic_year == year, qa.school_id.in_(scope.school_ids)))
    query = base.add_columns(func.count(), func.sum(case((ans.is_correct, 1), else_=0)), func.count(distinct(qa.id)),
                             func.count(distinct(case((qa.passed, qa.id)))))
    for school_id, audience_id, strand, answers, right, attempts, passed in db.session.execute(
            query.group_by(people.c.school_id, people.c.audience_id, ans.strand)):
        counts.strands[(school_id, audience_id, strand)] = (answers, int(right or 0), attempts, passed)
    wrong = func.count(distinct(case((ans.is_correct.is_(False), qa.user_id))))
    missed = (select(people.c.audience_id, qa.module_id, ans.question_id, wrong, func.count(distinct(qa.user_id)))
              .select_from(qa).join(people, people.c.user_id == qa.user_id)
              .join(modules, and_(modules.c.school_id == people.c.school_id,
                                  modules.c.audience_id == people.c.audience_id, modules.c.module_id == qa.module_id))
              .join(ans, ans.attempt_id == qa.id)
              .where(qa.academic_year == year, qa.school_id.in_(scope.school_ids))
              .group_by(people.c.audience_id, qa.module_id, ans.question_id))
    for audience_id, module_id, question_id, wrong_people, answered in db.session.execute(missed):
        counts.missed[(audience_id, module_id, question_id)] = (wrong_people, answered)


def _count_induction(scope: Scope, completions: Any, module_id: str, counts: YearCounts) -> None:
    """New starters (started, or joined the platform, during the year) and their induction module."""
    first = datetime.combine(scope.year.first_day, datetime.min.time())
    after = datetime.combine(scope.year.shifted(1).first_day, datetime.min.time())
    new_starter = or_(and_(User.started_on >= scope.year.first_day, User.started_on <= scope.year.last_day),
                      and_(User.started_on.is_(None), User.created_at >= first, User.created_at < after))
    query = (select(completions.c.school_id, completions.c.status, func.count())
             .join(User, User.id == completions.c.user_id)
             .where(completions.c.module_id == module_id, new_starter)
             .group_by(completions.c.school_id, completions.c.status))
    for school_id, state, number in db.session.execute(query):
        counts.induction_new[(school_id,)][state] = number


def _count_consents(scope: Scope, current_start_year: int, counts: YearCounts) -> None:
    rows = records.consent_rows(scope, records.Filters(), current_start_year)
    per_child = (select(rows.c.school_id, rows.c.user_id,
                        func.max(case((rows.c.status != "no_answer", 1), else_=0)).label("returned"))
                 .group_by(rows.c.school_id, rows.c.user_id).subquery())
    for school_id, children, returned in db.session.execute(
            select(per_child.c.school_id, func.count(), func.sum(per_child.c.returned))
            .group_by(per_child.c.school_id)):
        counts.consents[(school_id,)] = (children, int(returned or 0))


def _class_signings(scope: Scope, counts: YearCounts) -> None:
    """Classes that signed their agreement together this year, with their witness (one query)."""
    query = (select(Attendance.school_id, SchoolClass.name, Attendance.agreement_id, Attendance.held_at,
                    User.first_name, User.last_name, func.count(Attendee.user_id))
             .join(SchoolClass, SchoolClass.id == Attendance.class_id)
             .join(User, User.id == Attendance.led_by_id)
             .outerjoin(Attendee, Attendee.attendance_id == Attendance.id)
             .where(Attendance.kind == AttendanceKind.CLASS_SIGNING, Attendance.academic_year == scope.year.start_year,
                    Attendance.school_id.in_(scope.school_ids))
             .group_by(Attendance.id, Attendance.school_id, SchoolClass.name, Attendance.agreement_id,
                       Attendance.held_at, User.first_name, User.last_name)
             .order_by(SchoolClass.name, Attendance.held_at))
    for school_id, class_name, agreement_id, held_at, first, last, pupils in db.session.execute(query):
        counts.class_signings.append(ClassSigning(school_id, class_name, agreement_id or "", held_at.date().isoformat(),
                                                  f"{first} {last}".strip(), pupils))
