"""The status of one person's training against one rule: a pure function of dates.

:func:`requirement_status` is all the logic of "in date, due soon, overdue"; the training record,
"My training", reminders and the audit call it with facts read by :mod:`eduplatform.compliance.queries`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from eduplatform.catalogue.training import (
    Periods,
    Renewal,
    TrainingRule,
    academic_year_start,
    add_school_days,
    due_by_in_year,
    expiry_of,
)

#: Training due within this many days is "due soon" (amber), and reminders start.
DUE_SOON_DAYS = 30


class TrainingStatus(StrEnum):
    """Where a person stands against one rule. The order is the order of urgency."""

    OVERDUE = "overdue"        # red: the due date has passed
    DUE_SOON = "due_soon"      # amber: due within 30 days (or renewal falls due within 30 days)
    UPCOMING = "upcoming"      # blue: not done yet, due later (or at the next visit)
    IN_DATE = "in_date"        # green: done and still valid
    NOT_REQUIRED = "not_required"  # grey: the rule is not for this person

    @property
    def needs_action(self) -> bool:
        return self in (TrainingStatus.OVERDUE, TrainingStatus.DUE_SOON)


@dataclass(frozen=True)
class LastDone:
    """The latest completion counting towards a rule."""

    on: date
    #: self, teacher_led, attended, imported, external (done elsewhere) or signed (an agreement).
    method: str
    #: The module it was (the rule's own, or one of its ``also_counts``).
    item_id: str


@dataclass(frozen=True)
class RequirementStatus:
    """One cell of the training record."""

    rule_id: str
    status: TrainingStatus
    #: When it is (or was) due; None when in date with no expiry, not required, or due at the next visit.
    due_on: date | None
    last_done: LastDone | None
    #: The last day the latest completion keeps the rule in date; None when it never expires.
    expires_on: date | None


def requirement_status(rule: TrainingRule, periods: Periods, *, applies: bool, started_on: date,
                       last_done: LastDone | None, today: date) -> RequirementStatus:
    """Where a person stands against ``rule`` on ``today``.

    ``applies``: the person holds a role or duty the rule is for and has not left. ``started_on``:
    their start date (the roster's, else the day the account was made). ``last_done``: their latest
    completion counting towards the rule, if any.
    """
    if not applies:
        return RequirementStatus(rule.id, TrainingStatus.NOT_REQUIRED, None, last_done, None)
    first_due = (add_school_days(started_on, periods.first_due_school_days)
                 if periods.first_due_school_days is not None else started_on)
    if rule.renew is Renewal.EACH_VISIT:
        if last_done is not None and last_done.on == today:
            return RequirementStatus(rule.id, TrainingStatus.IN_DATE, None, last_done, today)
        return RequirementStatus(rule.id, TrainingStatus.UPCOMING, None, last_done, None)
    if rule.renew is Renewal.ACADEMIC_YEAR:
        return _academic_year_status(rule, periods, first_due, last_done, today)
    if last_done is None:
        return _not_done(rule.id, first_due, None, today)
    expires = expiry_of(rule, periods, last_done.on)
    if expires is None:
        return RequirementStatus(rule.id, TrainingStatus.IN_DATE, None, last_done, None)
    due = expires + timedelta(days=1)  # renewal is due on the first day it is no longer in date
    if today > expires:
        return RequirementStatus(rule.id, TrainingStatus.OVERDUE, due, last_done, expires)
    status = TrainingStatus.DUE_SOON if (due - today).days <= DUE_SOON_DAYS else TrainingStatus.IN_DATE
    return RequirementStatus(rule.id, status, due, last_done, expires)


def _academic_year_status(rule: TrainingRule, periods: Periods, first_due: date, last_done: LastDone | None,
                          today: date) -> RequirementStatus:
    this_year = academic_year_start(today)
    if last_done is not None and academic_year_start(last_done.on) == this_year:
        expires = expiry_of(rule, periods, last_done.on)
        return RequirementStatus(rule.id, TrainingStatus.IN_DATE, None, last_done, expires)
    due = due_by_in_year(periods.due_by or (10, 31), this_year)
    return _not_done(rule.id, max(due, first_due), last_done, today)


def _not_done(rule_id: str, due: date, last_done: LastDone | None, today: date) -> RequirementStatus:
    if today > due:
        status = TrainingStatus.OVERDUE
    elif (due - today).days <= DUE_SOON_DAYS:
        status = TrainingStatus.DUE_SOON
    else:
        status = TrainingStatus.UPCOMING
    return RequirementStatus(rule_id, status, due, last_done, None)
