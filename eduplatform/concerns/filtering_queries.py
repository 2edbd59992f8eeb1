"""Reads of the school's filtering and monitoring logs: the two logs of a year, and whether the
yearly check is in date.

The status of the checks (:func:`check_status`): a check keeps the school in date for its chosen
interval (``School.filtering_check_days``) from the day it was done, the due day included. Due in
fewer than :data:`DUE_SOON_DAYS` days: amber; past the due day, or never checked: red. Dates are the
school's calendar days (its time zone).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select

from eduplatform.academic_year import DEFAULT_TIME_ZONE, AcademicYear, local_date, zone
from eduplatform.accounts.models import User
from eduplatform.concerns.models import FilteringKind, FilteringRecord
from eduplatform.db import db, utcnow
from eduplatform.schools.models import School
from eduplatform.schools.years import time_zone_of

#: A check due within this many days shows amber.
DUE_SOON_DAYS = 30
#: The shortest and longest interval a school may choose between checks, in days.
MIN_CHECK_DAYS, MAX_CHECK_DAYS = 30, 365


class CheckState(StrEnum):
    """Where the school's filtering checks stand today."""

    #: Checked within the interval, and not due within :data:`DUE_SOON_DAYS` days (green).
    IN_DATE = "in_date"
    #: In date, but due within :data:`DUE_SOON_DAYS` days (amber).
    DUE_SOON = "due_soon"
    #: Past the due day (red).
    OVERDUE = "overdue"
    #: No check recorded at all (red).
    NEVER = "never"


@dataclass(frozen=True)
class CheckStatus:
    """The school's filtering check status on ``today``."""

    state: CheckState
    today: date
    check_days: int
    last_check: date | None = None

    @property
    def due_on(self) -> date | None:
        """The last day the latest check keeps the school in date (None: never checked)."""
        return self.last_check + timedelta(days=self.check_days) if self.last_check else None

    @property
    def days_left(self) -> int | None:
        """Days until the due day (0 on the day; negative once overdue)."""
        return (self.due_on - self.today).days if self.due_on else None

    @property
    def colour(self) -> str:
        """``green``, ``amber`` or ``red``: for the badge's class (the words say the same)."""
        return {CheckState.IN_DATE: "green", CheckState.DUE_SOON: "amber"}.get(self.state, "red")

    @property
    def needs_attention(self) -> bool:
        """Amber or red: the dashboard says so."""
        return self.state is not CheckState.IN_DATE


def school_today(school: School) -> date:
    """Today on the school's calendar."""
    return local_date(utcnow(), time_zone_of(school))


def status_from(last_check: date | None, check_days: int, today: date) -> CheckStatus:
    """The status given the latest check, the interval and today (a pure function: the boundaries)."""
    if last_check is None:
        return CheckStatus(CheckState.NEVER, today, check_days)
    days_left = (last_check + timedelta(days=check_days) - today).days
    if days_left < 0:
        state = CheckState.OVERDUE
    elif days_left < DUE_SOON_DAYS:
        state = CheckState.DUE_SOON
    else:
        state = CheckState.IN_DATE
    return CheckStatus(state, today, check_days, last_check)


def check_status(school: School, today: date | None = None) -> CheckStatus:
    """The school's check status today (one query: the day of its latest check)."""
    today = today or school_today(school)
    last = db.session.scalar(select(func.max(FilteringRecord.done_on)).where(
        FilteringRecord.school_id == school.id, FilteringRecord.kind == FilteringKind.CHECK.value,
        FilteringRecord.done_on <= today))
    return status_from(last, school.filtering_check_days or MAX_CHECK_DAYS, today)


@dataclass(frozen=True)
class LogEntry:
    """One entry of a log, with who recorded it ("Erased person" once erased; empty when unknown)."""

    record: FilteringRecord
    recorded_by: str


def records_of_year(school_id: int, year: AcademicYear) -> dict[FilteringKind, list[LogEntry]]:
    """Both logs of the school in ``year``, newest first (one query, however many entries)."""
    found: dict[FilteringKind, list[LogEntry]] = {kind: [] for kind in FilteringKind}
    for record, person in db.session.execute(
            select(FilteringRecord, User)
            .outerjoin(User, User.id == FilteringRecord.recorded_by_id)
            .where(FilteringRecord.school_id == school_id, FilteringRecord.done_on >= year.first_day,
                   FilteringRecord.done_on <= year.last_day)
            .order_by(FilteringRecord.done_on.desc(), FilteringRecord.id.desc())):
        found[FilteringKind(record.kind)].append(LogEntry(record, person.full_name if person else ""))
    return found


#: The CSV of both logs: one row per entry, checks first then changes, each newest first.
EXPORT_COLUMNS = ["kind", "done_on", "what", "result", "with_whom", "requested_by", "approved_by", "reviewed_on",
                  "follow_up", "recorded_by", "recorded_at"]


def export_rows(logs: dict[FilteringKind, list[LogEntry]], time_zone: str | None) -> Iterator[list[Any]]:
    """The rows of :data:`EXPORT_COLUMNS` for both logs of :func:`records_of_year` (dates ISO; the
    moment recorded in the school's time, to the minute; a check's "result", a change's "why")."""
    school_zone = zone(time_zone or DEFAULT_TIME_ZONE)
    for kind in FilteringKind:
        for entry in logs[kind]:
            record = entry.record
            recorded = record.recorded_at.replace(tzinfo=UTC).astimezone(school_zone).isoformat(timespec="minutes")
            yield [kind.value, record.done_on.isoformat(), record.what, record.result or "", record.with_whom or "",
                   record.requested_by or "", record.approved_by or "",
                   record.reviewed_on.isoformat() if record.reviewed_on else "", record.follow_up or "",
                   entry.recorded_by, recorded]
