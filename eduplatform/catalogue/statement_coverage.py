"""Which Education for a Connected World statements the programme teaches, and what is not yet mapped.

Printed by ``flask check-content``: per age band, the statements taught by at least one lesson and by
at least one quiz question (fallback locale), and per audience the lessons and questions that name no
statement. :func:`eduplatform.catalogue.report.programme_problems` reports each unmapped pupil lesson
and question, so new pupil content must be mapped too.
"""

from __future__ import annotations

from dataclasses import dataclass

from eduplatform.catalogue.model import Catalogue, Learners
from eduplatform.catalogue.statements import NO_STATEMENT_AUDIENCES


@dataclass(frozen=True)
class BandCoverage:
    """One age band: its statements, and those taught by a lesson or tested by a question."""

    age_band: str
    audience_id: str
    total: int
    by_lessons: frozenset[str]
    by_questions: frozenset[str]
    #: Statement ids taught by no lesson and tested by no question, in file order.
    uncovered: tuple[str, ...]


@dataclass(frozen=True)
class Unmapped:
    """One audience's lessons and quiz questions that name no statement (ids: ``module/lesson``, ``module/q``)."""

    audience_id: str
    lessons: tuple[str, ...]
    questions: tuple[str, ...]
    total_lessons: int
    total_questions: int


def statement_coverage(catalogue: Catalogue) -> list[BandCoverage]:
    """For each pupil audience's age band, the statements its lessons and questions name."""
    rows = []
    for audience in catalogue.audiences.values():
        if audience.learners is not Learners.PUPILS or not audience.age_band:
            continue
        band = catalogue.statements.in_band(audience.age_band)
        by_lessons: set[str] = set()
        by_questions: set[str] = set()
        for module in catalogue.modules_for((audience.id,)):
            for ids in module.lesson_statements.values():
                by_lessons.update(ids)
            quiz = catalogue.module_content(module.id, catalogue.fallback_locale).quiz
            for question in quiz.questions if quiz else ():
                by_questions.update(question.statements)
        covered = by_lessons | by_questions
        rows.append(BandCoverage(audience.age_band, audience.id, len(band), frozenset(by_lessons),
                                 frozenset(by_questions),
                                 tuple(statement.id for statement in band if statement.id not in covered)))
    return rows


def unmapped_content(catalogue: Catalogue) -> list[Unmapped]:
    """Per audience that may name statements, its lessons and quiz questions that name none."""
    rows = []
    for audience in catalogue.audiences.values():
        if audience.id in NO_STATEMENT_AUDIENCES:
            continue
        lessons: list[str] = []
        questions: list[str] = []
        total_lessons = total_questions = 0
        for module in catalogue.modules_for((audience.id,)):
            total_lessons += len(module.lesson_ids)
            lessons += [f"{module.id}/{lesson_id}" for lesson_id in module.lesson_ids
                        if not module.lesson_statements.get(lesson_id)]
            quiz = catalogue.module_content(module.id, catalogue.fallback_locale).quiz
            for question in quiz.questions if quiz else ():
                total_questions += 1
                if not question.statements:
                    questions.append(f"{module.id}/{question.id}")
        rows.append(Unmapped(audience.id, tuple(lessons), tuple(questions), total_lessons, total_questions))
    return rows


def unmapped_pupil_problems(catalogue: Catalogue) -> list[str]:
    """Each pupil lesson or quiz question that names no statement, as a problem (none when the
    curriculum has no ``statements.yaml``)."""
    problems: list[str] = []
    if not catalogue.statements.by_id:
        return problems
    for row in unmapped_content(catalogue):
        audience = catalogue.audiences[row.audience_id]
        if audience.learners is not Learners.PUPILS:
            continue
        problems += [f"lesson '{item}' names no statement (curriculum/modules: lesson_statements)"
                     for item in row.lessons]
        problems += [f"question '{item}' names no statement (its quiz.yaml: statements)" for item in row.questions]
    return problems


def statement_report_lines(catalogue: Catalogue) -> list[str]:
    """The lines ``flask check-content`` prints: coverage per age band, then unmapped content per audience."""
    lines = ["Statement coverage (Education for a Connected World; taught by a lesson / tested by a question):"]
    for row in statement_coverage(catalogue):
        covered = len(row.by_lessons | row.by_questions)
        lines.append(f"  {row.audience_id:4} ages {row.age_band:6} lessons {len(row.by_lessons):3}/{row.total:<3} "
                     f"questions {len(row.by_questions):3}/{row.total:<3} either {covered:3}/{row.total}")
        if row.uncovered:
            lines.append(f"       uncovered: {', '.join(row.uncovered)}")
    lines.append("Content naming no statement (lessons / questions):")
    for unmapped in unmapped_content(catalogue):
        lines.append(f"  {unmapped.audience_id:10} lessons {len(unmapped.lessons):3}/{unmapped.total_lessons:<3} "
                     f"questions {len(unmapped.questions):3}/{unmapped.total_questions}")
    return lines
