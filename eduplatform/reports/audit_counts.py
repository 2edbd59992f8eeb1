"""The raw counts behind the yearly audit: a fixed set of ``GROUP BY`` queries per academic year.

:func:`count_year` runs the same seven queries whatever the number of people or schools, over the
rows of :mod:`eduplatform.reports.rows` (the dashboard's and the exports' rows), grouped by school
so a trust's report can show each school and the total from one run. The staff and governor
training figures come from the training rules instead (:mod:`eduplatform.reports.audit_training`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, distinct, func, select

from eduplatform.accounts.models import User
from eduplatform.db import db
from eduplatform.records.models import Attendance, AttendanceKind, Attendee, QuizAnswer, QuizAttempt
from eduplatform.reports import population as pop
from eduplatform.reports import rows as records
from eduplatform.reports.audit_concerns import SafeguardingCounts
from eduplatform.reports.audit_workshops import WorkshopTally
from eduplatform.reports.scope import Scope, plan_for_whole_populations
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
    #: (audience, module, question) -> (wrong answers, answers).
    missed: dict[Key, tuple[int, int]] = field(default_factory=dict)
    #: (school, module, question) -> (answers, right answers) on each learner's first attempt (audit_statements).
    first_answers: dict[Key, tuple[int, int]] = field(default_factory=dict)
    #: (school,) -> {"completed", "not_completed": new starters of the year}: their induction (training rules).
    induction_new: dict[Key, dict[str, int]] = field(default_factory=dict)
    #: (school, module of a training rule) -> {"required", "in_date", "overdue": people} on the audit's day.
    training: dict[Key, dict[str, int]] = field(default_factory=dict)
    #: (school,) -> (children, children with at least one consent decision returned).
    consents: dict[Key, tuple[int, int]] = field(default_factory=dict)
    #: (school,) -> parents' workshops held, attendances, families reached, feedback (see audit_workshops).
    workshops: dict[Key, WorkshopTally] = field(default_factory=dict)
    class_signings: list[ClassSigning] = field(default_factory=list)
    #: Concerns reported and the filtering logs (see audit_concerns); None: the year was not counted.
    safeguarding: SafeguardingCounts | None = None


def count_year(scope: Scope, current_start_year: int, class_signing_audience: str | None) -> YearCounts:
    """Run the audit's queries for ``scope.year`` (seven queries, however many people)."""
    counts = YearCounts()
    _count_answers(scope, counts)  # by index for one school: planned as usual
    plan_for_whole_populations()
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

    agreements = records.agreement_rows(scope, everyone, current_start_year, states_only=True)
    for school_id, audience_id, agreement_id, state, _rows, number in db.session.execute(
            records.count_by(agreements, "school_id", "audience_id", "agreement_id")):
        counts.agreement_states[(school_id, audience_id, agreement_id)][state] = number

    _count_consents(scope, current_start_year, counts)
    if class_signing_audience is not None:
        _class_signings(scope, counts)
    plan_for_whole_populations(on=False)
    return counts


def _count_answers(scope: Scope, counts: YearCounts) -> None:
    """Per strand: answers, right answers, attempts and attempts passed; per question: wrong answers.

    One scan of the year's answers, grouped by question in the database (plain sums: no distinct
    counts, so the database can aggregate as it reads), and one count of the attempts per module.
    A strand's attempts (and passes) in a module are the module's attempts: a module that draws
    its questions from a larger bank asks each question in only some attempts, so the busiest
    question (the count used before questions were drawn) would undercount them. An attempt counts
    for the audience its module belongs to (attempts happened, whoever has left since).
    """
    qa, ans = QuizAttempt, QuizAnswer
    audience_of = {(school_id, module.id): module.audience for school_id, programme in scope.programmes.items()
                   for module in programme.modules}
    per_question = (
        select(qa.school_id, qa.module_id, ans.question_id, ans.strand, func.count(),
               func.sum(case((ans.is_correct, 1), else_=0)), func.sum(case((qa.passed, 1), else_=0)))
        .join(ans, ans.attempt_id == qa.id)
        .where(qa.academic_year == scope.year.start_year, qa.school_id.in_(scope.school_ids))
        .group_by(qa.school_id, qa.module_id, ans.question_id, ans.strand))
    per_module = {(school_id, module_id): (attempts, int(passed or 0)) for school_id, module_id, attempts, passed
                  in db.session.execute(
                      select(qa.school_id, qa.module_id, func.count(), func.sum(case((qa.passed, 1), else_=0)))
                      .where(qa.academic_year == scope.year.start_year, qa.school_id.in_(scope.school_ids))
                      .group_by(qa.school_id, qa.module_id))}
    strands: dict[tuple[Any, ...], list[int]] = {}
    missed: dict[tuple[Any, ...], list[int]] = {}
    for school_id, module_id, question_id, strand, answers, right, passed in db.session.execute(per_question):
        audience = audience_of.get((school_id, module_id))
        if audience is None:
            continue  # a module outside this year's programme
        totals = strands.setdefault((school_id, audience, strand, module_id), [0, 0, 0, 0])
        totals[0], totals[1] = totals[0] + answers, totals[1] + int(right or 0)
        totals[2], totals[3] = per_module.get((school_id, module_id), (answers, int(passed or 0)))
        wrong = missed.setdefault((audience, module_id, question_id), [0, 0])
        wrong[0], wrong[1] = wrong[0] + answers - int(right or 0), wrong[1] + answers
    for (school_id, audience, strand, _module), (answers, right, attempts, passed) in strands.items():
        before = counts.strands.get((school_id, audience, strand), (0, 0, 0, 0))
        counts.strands[(school_id, audience, strand)] = (before[0] + answers, before[1] + right,
                                                         before[2] + attempts, before[3] + passed)
    counts.missed.update({key: (wrong, answered) for key, (wrong, answered) in missed.items()})


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
