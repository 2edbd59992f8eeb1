"""The audit's pupil outcomes drilled down to Education for a Connected World statements.

Per pupil audience and strand, each statement that quiz questions test gets a figure
(``outcomes`` / ``statement_first_correct``, ``item`` the statement id): the share of right answers
on each pupil's **first** attempt of the year at the quizzes, over the questions mapped to that
statement. The first attempt is the honest measure of what pupils knew before feedback and
retries. Which question tests which statement comes from today's catalogue (the programme snapshot
stores no statements), applied to the question ids recorded with the answers. Called by
:func:`eduplatform.reports.audit_build.build_audit` only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import aliased

from eduplatform.catalogue.model import Catalogue
from eduplatform.db import db
from eduplatform.records.models import QuizAnswer, QuizAttempt
from eduplatform.reports.audit import Figure
from eduplatform.reports.audit_counts import YearCounts
from eduplatform.reports.audit_figures import FigureMaker, Measure
from eduplatform.reports.scope import Scope

MEASURE = "statement_first_correct"


def count_first_answers(scope: Scope) -> dict[tuple[Any, ...], tuple[int, int]]:
    """``(school, module, question) -> (answers, right answers)`` over each learner's first attempt of
    the year at each quiz (one query, however many people)."""
    qa, ans, earlier = QuizAttempt, QuizAnswer, aliased(QuizAttempt)
    first_attempts = (select(func.min(earlier.id))
                      .where(earlier.academic_year == scope.year.start_year, earlier.school_id.in_(scope.school_ids))
                      .group_by(earlier.user_id, earlier.module_id))
    rows = db.session.execute(
        select(qa.school_id, qa.module_id, ans.question_id, func.count(),
               func.sum(case((ans.is_correct, 1), else_=0)))
        .join(ans, ans.attempt_id == qa.id)
        .where(qa.id.in_(first_attempts))
        .group_by(qa.school_id, qa.module_id, ans.question_id))
    return {(school_id, module_id, question_id): (answers, int(right or 0))
            for school_id, module_id, question_id, answers, right in rows}


def questions_grouped(programme: Any, catalogue: Catalogue, audience: str,
                      keys: Callable[[Any], Iterable[str]]) -> dict[str, set[tuple[str, str]]]:
    """Group -> the ``(module, question)`` pairs of the audience's quizzes in it; ``keys(question)``
    names a question's groups (its statements, or its strand)."""
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for module in programme.modules_for(audience):
        if module.id not in catalogue.modules:
            continue
        quiz = catalogue.module_content(module.id, catalogue.fallback_locale).quiz
        for question in quiz.questions if quiz else ():
            for key in keys(question):
                found[key].add((module.id, question.id))
    return found


def right_first_time(questions: set[tuple[str, str]]) -> Measure:
    """The measure: (right answers, answers) at the first attempt over ``questions``, None without any."""
    def measure(counts: YearCounts, schools: set[int] | None) -> tuple[int, int] | None:
        answers = right = 0
        for (school_id, module_id, question_id), (given, correct) in counts.first_answers.items():
            if (schools is None or school_id in schools) and (module_id, question_id) in questions:
                answers, right = answers + given, right + correct
        return (right, answers) if answers else None
    return measure


def add_statement_figures(maker: FigureMaker, programme: Any, catalogue: Catalogue) -> None:
    """For each pupil audience, strand and statement its questions test: first-attempt right answers."""
    for audience in programme.audiences:
        band = catalogue.audiences[audience.id].age_band if audience.id in catalogue.audiences else None
        if audience.learners != "pupils" or band is None:
            continue
        questions = questions_grouped(programme, catalogue, audience.id, lambda question: question.statements)
        for strand in programme.strands:
            for statement in catalogue.statements.in_strand(strand, band):
                if statement.id in questions:
                    maker.add("outcomes", MEASURE, right_first_time(questions[statement.id]), unit="score",
                              audience=audience.id, strand=strand, item=statement.id)


def statement_labels(catalogue: Catalogue, figures: list[Figure]) -> dict[str, str]:
    """The words of each statement the figures name (``labels.statements`` of the audit)."""
    named = {figure.item for figure in figures if figure.measure == MEASURE}
    return {statement.id: statement.text for statement in catalogue.statements.by_id.values()
            if statement.id in named}
