"""Which academic year: the one place that turns "now" or a request into an :class:`AcademicYear`.

The year is the school's: today's date *in the school's time zone* (Europe/London unless the
school chose another) decides it, never the server's local date, and timestamps (stored in UTC)
are dated in that zone too. People without a school (trust leads, administrators) use the default
zone. Every records view takes the year as a parameter: the current one by default, any past year
with ``?year=2025`` (or ``2025/26``). See ``docs/decisions.md``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import abort, request

from eduplatform.academic_year import DEFAULT_TIME_ZONE, AcademicYear
from eduplatform.i18n import _
from eduplatform.schools.models import School


def time_zone_of(school: School | None) -> str:
    """The school's time zone, or the default for people without a school."""
    return (school.time_zone if school is not None and school.time_zone else None) or DEFAULT_TIME_ZONE


def current_year(owner: Any = None, now: datetime | None = None) -> AcademicYear:
    """The academic year today in the time zone of ``owner`` (a school, a person with a school, or None)."""
    school = owner if isinstance(owner, School) else getattr(owner, "school", None)
    return AcademicYear.current(time_zone_of(school), now)


def requested_year(owner: Any = None, argument: str = "year") -> AcademicYear:
    """The year a records page was asked for (``?year=``), or the current one when none was given.

    A year that cannot be an academic year answers 400 with a message saying so; nothing is shown
    for a guess.
    """
    raw = request.args.get(argument, "").strip()
    if not raw:
        return current_year(owner)
    year = AcademicYear.parse(raw)
    if year is None:
        abort(400, description=_("%(value)s is not an academic year: use the year it starts in, for example "
                                 "2025 for 2025/26.", value=raw[:20]))
    return year
