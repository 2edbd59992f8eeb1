"""Completion rules: which requirements are unmet, and for how many academic years a record counts."""

from __future__ import annotations

import pytest

from eduplatform.academic_year import AcademicYear
from eduplatform.catalogue.model import Module, Requirement
from eduplatform.records.completion import Progress, is_complete, still_valid, unmet_requirements, years_valid

L, Q, A, T = Requirement.LESSONS, Requirement.QUIZ, Requirement.AGREEMENT, Requirement.ATTENDANCE
LESSONS = ("m-one", "m-two")


def module(*completion: Requirement, lessons: tuple[str, ...] = LESSONS) -> Module:
    return Module(
        id="m", audience="ks2", strands=("privacy_security",), outcomes=(), lesson_ids=lessons,
        has_quiz=Q in completion, agreement_id="ks2-aup" if A in completion else None,
        completion=frozenset(completion), pass_mark=80, max_attempts=None, renewal_months=12, order=1,
    )


ALL_READ = frozenset(LESSONS)
NOTHING = Progress()
EVERYTHING = Progress(lessons_read=ALL_READ, quiz_passed=True, agreement_signed=True, attended=True)


@pytest.mark.parametrize(
    ("completion", "progress", "unmet"),
    [
        pytest.param((L,), NOTHING, {L}, id="lessons-none-read"),
        pytest.param((L,), Progress(lessons_read=frozenset({"m-one"})), {L}, id="lessons-one-of-two-read"),
        pytest.param((L,), Progress(lessons_read=ALL_READ), set(), id="lessons-all-read"),
        pytest.param((L,), Progress(lessons_read=ALL_READ | {"other-lesson"}), set(), id="lessons-all-read-plus-other"),
        pytest.param((L,), Progress(lessons_read=frozenset({"m-one", "other"})), {L},
                     id="lessons-other-module-does-not-count"),
        pytest.param((Q,), NOTHING, {Q}, id="quiz-not-passed"),
        pytest.param((Q,), Progress(quiz_passed=True), set(), id="quiz-passed"),
        pytest.param((A,), NOTHING, {A}, id="agreement-not-signed"),
        pytest.param((A,), Progress(agreement_signed=True), set(), id="agreement-signed"),
        pytest.param((T,), NOTHING, {T}, id="attendance-not-recorded"),
        pytest.param((T,), Progress(attended=True), set(), id="attendance-recorded"),
        pytest.param((L, Q), NOTHING, {L, Q}, id="lessons-quiz-nothing-done"),
        pytest.param((L, Q), Progress(lessons_read=ALL_READ), {Q}, id="lessons-quiz-only-lessons"),
        pytest.param((L, Q), Progress(quiz_passed=True), {L}, id="lessons-quiz-only-quiz"),
        pytest.param((L, Q), Progress(lessons_read=ALL_READ, quiz_passed=True), set(), id="lessons-quiz-both"),
        pytest.param((L, Q, A), Progress(lessons_read=ALL_READ, quiz_passed=True), {A},
                     id="lessons-quiz-agreement-unsigned"),
        pytest.param((L, A), Progress(lessons_read=ALL_READ, agreement_signed=True), set(), id="lessons-agreement"),
        pytest.param((L, Q, A, T), NOTHING, {L, Q, A, T}, id="all-four-nothing-done"),
        pytest.param((L, Q, A, T), EVERYTHING, set(), id="all-four-everything-done"),
        pytest.param((T,), Progress(lessons_read=ALL_READ, quiz_passed=True, agreement_signed=True), {T},
                     id="attendance-not-replaced-by-other-work"),
        pytest.param((Q,), Progress(lessons_read=ALL_READ, agreement_signed=True, attended=True), {Q},
                     id="quiz-not-replaced-by-other-work"),
    ],
)
def test_unmet_requirements_are_the_unfinished_parts_of_the_rule(
    completion: tuple[Requirement, ...], progress: Progress, unmet: set[Requirement]
) -> None:
    subject = module(*completion)
    assert unmet_requirements(subject, progress) == frozenset(unmet)
    assert is_complete(subject, progress) is (not unmet)


def test_unmet_requirements_only_name_the_modules_own_rule() -> None:
    """Work that the module does not ask for is never reported as missing."""
    assert unmet_requirements(module(Q), NOTHING) == frozenset({Q})


def test_module_without_lessons_meets_the_lessons_requirement_trivially() -> None:
    assert is_complete(module(L, lessons=()), NOTHING)


@pytest.mark.parametrize(("months", "years"), [(1, 1), (6, 1), (12, 1), (24, 2), (36, 3), (120, 10)])
def test_years_valid_is_whole_years_of_the_renewal_and_at_least_one(months: int, years: int) -> None:
    assert years_valid(months) == years


@pytest.mark.parametrize(
    ("record_year", "months", "year", "valid"),
    [
        # 12 months: its own academic year only.
        (2025, 12, 2025, True),
        (2025, 12, 2026, False),
        (2025, 12, 2024, False),
        # 24 months: that year and the next.
        (2025, 24, 2025, True),
        (2025, 24, 2026, True),
        (2025, 24, 2027, False),
        (2025, 24, 2024, False),
        # 120 months: ten academic years.
        (2025, 120, 2025, True),
        (2025, 120, 2030, True),
        (2025, 120, 2034, True),
        (2025, 120, 2035, False),
        (2025, 120, 2024, False),
    ],
)
def test_record_counts_only_in_the_years_its_renewal_covers(
    record_year: int, months: int, year: int, valid: bool
) -> None:
    assert still_valid(record_year, months, AcademicYear(year)) is valid


@pytest.mark.parametrize("months", [12, 24, 120])
def test_number_of_years_a_record_counts_matches_years_valid(months: int) -> None:
    counted = [year for year in range(2000, 2040) if still_valid(2010, months, AcademicYear(year))]
    assert counted == list(range(2010, 2010 + years_valid(months)))
