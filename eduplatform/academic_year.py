"""The academic year (1 September to 31 August), a first-class value.

Records, schedules, renewals and the audit are kept per academic year. It is stored as the
calendar year in which it starts: 2026 means 1 September 2026 to 31 August 2027 ("2026/27").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

FIRST_MONTH = 9  # September
#: The time zone of a school that has not chosen one: the date in England decides the year.
DEFAULT_TIME_ZONE = "Europe/London"
#: The oldest and newest academic years anyone may ask about (a typo such as 20026 is refused).
EARLIEST_START_YEAR, LATEST_START_YEAR = 2000, 2100
_YEAR_TEXT = re.compile(r"^(\d{4})(?:\s*[/-]\s*(\d{2}|\d{4}))?$")


@dataclass(frozen=True, order=True)
class AcademicYear:
    """One academic year, identified by the year it starts in."""

    start_year: int

    @classmethod
    def containing(cls, day: date | datetime) -> AcademicYear:
        """The academic year that ``day`` falls in."""
        return cls(day.year if day.month >= FIRST_MONTH else day.year - 1)

    @classmethod
    def current(cls, time_zone: str = DEFAULT_TIME_ZONE, now: datetime | None = None) -> AcademicYear:
        """The academic year of today's date in ``time_zone`` (not the server's local date).

        Use :func:`eduplatform.schools.years.current_year` in the app: it picks the school's zone.
        """
        return cls.containing(local_date(now or datetime.now(UTC), time_zone))

    @classmethod
    def of_timestamp(cls, stored: datetime, time_zone: str = DEFAULT_TIME_ZONE) -> AcademicYear:
        """The academic year of a stored timestamp (UTC, without tzinfo), as dated in ``time_zone``."""
        return cls.containing(local_date(stored.replace(tzinfo=UTC), time_zone))

    @classmethod
    def parse(cls, text: str | int | None) -> AcademicYear | None:
        """``2026``, ``2026/27`` or ``2026-2027`` as an academic year; None for anything else.

        The end year, when given, must follow the start year; years outside
        :data:`EARLIEST_START_YEAR`-:data:`LATEST_START_YEAR` are refused.
        """
        found = _YEAR_TEXT.match(str(text).strip()) if text is not None else None
        if found is None:
            return None
        start = int(found.group(1))
        end = found.group(2)
        if end is not None and int(end) % (100 if len(end) == 2 else 10_000) != (start + 1) % (
                100 if len(end) == 2 else 10_000):
            return None
        if not EARLIEST_START_YEAR <= start <= LATEST_START_YEAR:
            return None
        return cls(start)

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


def local_date(moment: datetime, time_zone: str = DEFAULT_TIME_ZONE) -> date:
    """The calendar date of ``moment`` (aware, or naive meaning UTC) in ``time_zone``."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone(time_zone)).date()


def zone(time_zone: str) -> ZoneInfo:
    """The named time zone; raises ValueError for a name the time-zone database does not know."""
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone: {time_zone!r}") from error
