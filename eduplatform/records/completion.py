"""Completion rules: pure functions deciding whether a module is complete, and validity windows."""

from __future__ import annotations

from dataclasses import dataclass

from eduplatform.academic_year import AcademicYear
from eduplatform.catalogue.model import Module, Requirement


@dataclass(frozen=True)
class Progress:
    """What a learner has done towards one module in one academic year."""

    lessons_read: frozenset[str] = frozenset()
    quiz_passed: bool = False
    agreement_signed: bool = False
    attended: bool = False


def unmet_requirements(module: Module, progress: Progress) -> frozenset[Requirement]:
    """The parts of the module's completion rule that ``progress`` does not meet yet."""
    met = {
        Requirement.LESSONS: set(module.lesson_ids) <= progress.lessons_read,
        Requirement.QUIZ: progress.quiz_passed,
        Requirement.AGREEMENT: progress.agreement_signed,
        Requirement.ATTENDANCE: progress.attended,
    }
    return frozenset(requirement for requirement in module.completion if not met[requirement])


def is_complete(module: Module, progress: Progress) -> bool:
    """True when every requirement of the module's completion rule is met."""
    return not unmet_requirements(module, progress)


def years_valid(renewal_months: int) -> int:
    """How many academic years a completion or signature counts for (at least the one it is in)."""
    return max(1, renewal_months // 12)


def still_valid(record_year: int, renewal_months: int, year: AcademicYear) -> bool:
    """Whether something done in academic year ``record_year`` still counts in ``year``.

    With a 12-month renewal it counts for its own academic year only; with 24 months for that
    year and the next; and so on.
    """
    return year.start_year - years_valid(renewal_months) < record_year <= year.start_year
