"""The audit's parents' workshop figures: workshops held, who came, families reached, what they thought.

A workshop counts for the year when it was not cancelled and started inside the academic year (in
its school's time zone) before the audit's "as of" moment: now for the current year, the end of
31 August for a past one. Three ``GROUP BY`` queries per year, however many workshops or people.
Families reached are the parents on the school's roll at that moment (role ``parent``, not left)
of whom at least one attended a workshop of their school held that year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import ColumnElement, Select, and_, distinct, false, func, or_, select

from eduplatform.academic_year import DEFAULT_TIME_ZONE, zone
from eduplatform.accounts.models import User, UserRole
from eduplatform.db import db, utcnow
from eduplatform.reports.scope import Scope
from eduplatform.roles import Role
from eduplatform.workshops.models import Workshop, WorkshopFeedback, WorkshopRegistration


@dataclass(frozen=True)
class WorkshopTally:
    """One school's workshop figures for one year."""

    held: int = 0
    #: Registrations marked present, in the workshops held.
    attendances: int = 0
    #: Parents on the roll at the audit's moment, and of them those who attended at least once.
    parents: int = 0
    parents_reached: int = 0
    #: Feedback answers given about the workshops held, and the sum of their usefulness (1-5 each).
    feedback_answers: int = 0
    usefulness_points: int = 0


def _utc(day_start: datetime, time_zone: str | None) -> datetime:
    """A school's local wall-clock moment as a stored (naive UTC) timestamp."""
    return day_start.replace(tzinfo=zone(time_zone or DEFAULT_TIME_ZONE)).astimezone(UTC).replace(tzinfo=None)


def windows(scope: Scope, now: datetime | None = None) -> dict[int, tuple[datetime, datetime]]:
    """Each school's ``[start, end)`` of the year as stored timestamps, the end no later than ``now``."""
    now = now or utcnow()
    found = {}
    for school in scope.schools:
        start = _utc(datetime.combine(scope.year.first_day, time.min), school.time_zone)
        end = _utc(datetime.combine(scope.year.last_day + timedelta(days=1), time.min), school.time_zone)
        found[school.id] = (start, min(end, now))
    return found


def _held(spans: dict[int, tuple[datetime, datetime]]) -> ColumnElement[bool]:
    """Workshops held in each school's window (one condition per school: a trust has a handful)."""
    per_school = [and_(Workshop.school_id == school_id, Workshop.starts_at >= start, Workshop.starts_at < end)
                  for school_id, (start, end) in spans.items()]
    return and_(Workshop.cancelled_at.is_(None), or_(*per_school) if per_school else false())


def count_workshops(scope: Scope, now: datetime | None = None) -> dict[tuple[int], WorkshopTally]:
    """``{(school_id,): WorkshopTally}`` for ``scope``'s year (three queries); schools with nothing are left out."""
    spans = windows(scope, now)
    held = _held(spans)
    reg = WorkshopRegistration
    tallies: dict[int, dict[str, int]] = {}

    def tally(school_id: int) -> dict[str, int]:
        return tallies.setdefault(school_id, {})

    for school_id, workshops, attendances in db.session.execute(
            select(Workshop.school_id, func.count(distinct(Workshop.id)), func.count(reg.attended_at))
            .outerjoin(reg, reg.workshop_id == Workshop.id).where(held).group_by(Workshop.school_id)):
        tally(school_id).update(held=workshops, attendances=attendances)

    for school_id, answers, points in db.session.execute(
            select(Workshop.school_id, func.count(WorkshopFeedback.id), func.sum(WorkshopFeedback.usefulness))
            .join(WorkshopFeedback, WorkshopFeedback.workshop_id == Workshop.id).where(held)
            .group_by(Workshop.school_id)):
        tally(school_id).update(feedback_answers=answers, usefulness_points=int(points or 0))

    for school_id, parents, reached in db.session.execute(_families(scope, spans)):
        tally(school_id).update(parents=parents, parents_reached=int(reached or 0))
    return {(school_id,): WorkshopTally(**found) for school_id, found in tallies.items()}


def _families(scope: Scope, spans: dict[int, tuple[datetime, datetime]]) -> Select[tuple[int, int, int]]:
    """Per school: parents on the roll at the end of its window, and how many attended a workshop held in it."""
    reg = WorkshopRegistration
    attendees = (select(reg.user_id.label("user_id"), Workshop.school_id.label("school_id"))
                 .join(Workshop, Workshop.id == reg.workshop_id)
                 .where(_held(spans), reg.attended_at.is_not(None))
                 .distinct().subquery())
    on_roll = [and_(User.school_id == school_id, User.created_at < end,
                    or_(User.left_at.is_(None), User.left_at >= end))
               for school_id, (_start, end) in spans.items()]
    return (select(User.school_id, func.count(distinct(User.id)), func.count(distinct(attendees.c.user_id)))
            .outerjoin(attendees, and_(attendees.c.user_id == User.id, attendees.c.school_id == User.school_id))
            .where(User.id.in_(select(UserRole.user_id).where(UserRole.role == Role.PARENT)),
                   scope.people_filter(), or_(*on_roll) if on_roll else false())
            .group_by(User.school_id))
