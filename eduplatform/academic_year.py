"""The academic year (1 September to 31 August), a first-class value.

Records, schedules, renewals and the audit are kept per academic year. It is stored as the
calendar year in which it starts: 2026 means 1 September 2026 to 31 August 2027 ("2026/27").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

FIRST_MONTH = 9  # September


@dataclass(frozen=True, order=True)
class AcademicYear:
    """One academic year, identified by the year it starts in."""

    start_year: int

    @classmethod
    def containing(cls, day: date | datetime) -> AcademicYear:
        """The academic year that ``day`` falls in."""
        return cls(day.year if day.month >= FIRST_MONTH else day.year - 1)

    @classmethod
    def current(cls) -> AcademicYear:
        """The academic year of today (in the server's local date)."""
        return cls.containing(date.today())

    @property
    def first_day(self) -> date:
        return date(self.start_year, FIRST_MONTH, 1)

    @property
    def last_day(self) -> date:
        return date(self.start_year + 1, FIRST_MONTH - 1, 31)

    @property
    def label(self) -> str:
        """The usual way schools write it, e.g. ``2026/27``."""
        return f"{self.start_year}/{(self.start_year + 1) % 100:02d}"

    def shifted(self, years: int) -> AcademicYear:
        return AcademicYear(self.start_year + years)

    def __contains__(self, day: object) -> bool:
        if isinstance(day, datetime):
            day = day.date()
        return isinstance(day, date) and self.first_day <= day <= self.last_day

    def __str__(self) -> str:
        return self.label
