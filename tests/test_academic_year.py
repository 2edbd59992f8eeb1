"""The academic year: 1 September to 31 August, named by the year it starts in."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from eduplatform.academic_year import AcademicYear


@pytest.mark.parametrize(
    ("day", "start_year"),
    [
        (date(2026, 8, 31), 2025),
        (date(2026, 9, 1), 2026),
        (date(2026, 1, 1), 2025),
        (date(2025, 12, 31), 2025),
        (date(2027, 7, 15), 2026),
        (datetime(2026, 8, 31, 23, 59, 59), 2025),
        (datetime(2026, 9, 1, 0, 0, 0), 2026),
        (date(2000, 2, 29), 1999),
    ],
)
def test_containing_starts_the_year_on_1_september(day: date, start_year: int) -> None:
    assert AcademicYear.containing(day) == AcademicYear(start_year)


@pytest.mark.parametrize(
    ("start_year", "label"),
    [(2026, "2026/27"), (1999, "1999/00"), (2000, "2000/01"), (2009, "2009/10"), (2099, "2099/00")],
)
def test_label_is_start_year_and_two_digit_end_year(start_year: int, label: str) -> None:
    year = AcademicYear(start_year)
    assert year.label == label
    assert str(year) == label


@pytest.mark.parametrize("start_year", [1999, 2023, 2026])
def test_year_runs_from_1_september_to_31_august(start_year: int) -> None:
    year = AcademicYear(start_year)
    assert year.first_day == date(start_year, 9, 1)
    assert year.last_day == date(start_year + 1, 8, 31)
    assert AcademicYear.containing(year.first_day) == year
    assert AcademicYear.containing(year.last_day) == year


@pytest.mark.parametrize(
    ("day", "inside"),
    [
        (date(2026, 9, 1), True),
        (date(2027, 8, 31), True),
        (date(2027, 2, 28), True),
        (date(2026, 8, 31), False),
        (date(2027, 9, 1), False),
        (datetime(2027, 8, 31, 23, 59), True),
        (datetime(2026, 8, 31, 23, 59), False),
        ("2026-10-01", False),
        (None, False),
    ],
)
def test_in_is_true_only_for_days_within_the_year(day: object, inside: bool) -> None:
    assert (day in AcademicYear(2026)) is inside


def test_years_order_by_start_year() -> None:
    years = [AcademicYear(2027), AcademicYear(1999), AcademicYear(2026)]
    assert sorted(years) == [AcademicYear(1999), AcademicYear(2026), AcademicYear(2027)]
    assert AcademicYear(2025) < AcademicYear(2026)
    assert AcademicYear(2026) >= AcademicYear(2026)
    assert not AcademicYear(2026) > AcademicYear(2026)
    assert max(years) == AcademicYear(2027)


def test_equal_years_are_one_dictionary_key() -> None:
    assert len({AcademicYear(2026), AcademicYear(2026), AcademicYear(2025)}) == 2


@pytest.mark.parametrize(("by", "expected"), [(0, 2026), (1, 2027), (-1, 2025), (10, 2036), (-27, 1999)])
def test_shifted_moves_by_whole_years(by: int, expected: int) -> None:
    year = AcademicYear(2026)
    assert year.shifted(by) == AcademicYear(expected)
    assert year == AcademicYear(2026)  # shifting makes a new year


def test_academic_year_is_immutable() -> None:
    year = AcademicYear(2026)
    with pytest.raises(AttributeError):
        year.start_year = 2027  # type: ignore[misc]


def test_current_is_the_year_containing_today() -> None:
    assert date.today() in AcademicYear.current()
