"""Reasons a person must be kept: while one applies, nobody erases them (on request or by the purge).

A registry other features extend: a feature that must keep someone (an open safeguarding concern)
calls :func:`register_hold` once at import with a check. A check takes the people being considered,
the school's calendar day and who is asking (None for the purge), and returns ``{user_id: reason}``
for those it holds, the reason a readable, translated sentence. Checks work on many people at once
(a fixed number of queries each), so the purge asks about all of a school's leavers together.

Built in (in this order): the person asking (nobody erases themselves through the web); the
school's last coordinator; staff, governors and coordinators whose training records the school
must keep (on roll, and until the staff retention period after leaving); parents of a child still
on roll (their consent decisions are in force); whoever signed a yearly audit the school keeps;
whoever reported a safeguarding concern or is its subject, while it is open and until the
``concerns`` retention period after it was closed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, or_, select

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import ParentLink, User, UserRole
from eduplatform.concerns.models import Concern, ConcernStatus
from eduplatform.db import db
from eduplatform.i18n import _
from eduplatform.privacy.retention import effective_periods
from eduplatform.reports.models import AuditReview
from eduplatform.roles import Role
from eduplatform.schools.models import School

#: people, today, actor -> {user_id: reason}
HoldCheck = Callable[[Sequence[User], date, Any], Mapping[int, str]]
#: Roles whose training records are employment records (kept for the staff period after leaving).
STAFF_ROLES = frozenset({Role.STAFF, Role.GOVERNOR, Role.COORDINATOR})

_CHECKS: dict[str, HoldCheck] = {}


def register_hold(name: str, check: HoldCheck) -> None:
    """Add a reason to keep people. ``name`` is unique; registering it again replaces the check."""
    _CHECKS[name] = check


def holds_on(people: Sequence[User], today: date, actor: Any = None) -> dict[int, list[str]]:
    """``{user_id: [reasons]}`` for the people of ``people`` that must be kept (others are left out)."""
    found: dict[int, list[str]] = defaultdict(list)
    if not people:
        return {}
    for check in _CHECKS.values():
        for user_id, reason in check(people, today, actor).items():
            found[user_id].append(reason)
    return dict(found)


def holds_of(person: User, today: date, actor: Any = None) -> list[str]:
    """The reasons ``person`` must be kept (empty: they may be erased)."""
    return holds_on([person], today, actor).get(person.id, [])


def _is_on_roll(person: User) -> bool:
    return person.left_at is None and person.erased_at is None


def _asking_for_themself(people: Sequence[User], _today: date, actor: Any) -> dict[int, str]:
    actor_id = getattr(actor, "id", None)
    return {person.id: _("Nobody can erase themself: another coordinator or an administrator must do it.")
            for person in people if person.id == actor_id}


def _last_coordinator(people: Sequence[User], _today: date, _actor: Any) -> dict[int, str]:
    coordinators = [person for person in people if Role.COORDINATOR in person.roles and _is_on_roll(person)
                    and person.disabled_at is None and person.school_id is not None]
    if not coordinators:
        return {}
    active = dict(db.session.execute(
        select(User.school_id, func.count(User.id)).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.COORDINATOR, User.left_at.is_(None), User.disabled_at.is_(None),
               User.school_id.in_({person.school_id for person in coordinators}))
        .group_by(User.school_id)).all())
    return {person.id: _("They are the school's last coordinator: give someone else the coordinator role first.")
            for person in coordinators if active.get(person.school_id, 0) <= 1}


def _training_records(people: Sequence[User], today: date, _actor: Any) -> dict[int, str]:
    held = {}
    for person in people:
        if not person.roles & STAFF_ROLES or person.school is None:
            continue
        if person.left_at is None:
            held[person.id] = _("Their training records are employment records, kept while they work at the "
                                "school and for years after they leave.")
            continue
        days = effective_periods(person.school.retention_periods)["staff"]
        until = person.left_at.date() + timedelta(days=days)
        if until > today:
            held[person.id] = _("Their training records are employment records, kept until %(day)s (the staff "
                                "retention period after leaving).", day=until.isoformat())
    return held


def _parent_of_child_on_roll(people: Sequence[User], _today: date, _actor: Any) -> dict[int, str]:
    parents = [person.id for person in people if Role.PARENT in person.roles]
    if not parents:
        return {}
    with_child = set(db.session.scalars(
        select(ParentLink.parent_id).join(User, User.id == ParentLink.child_id)
        .where(ParentLink.parent_id.in_(parents), User.left_at.is_(None), User.erased_at.is_(None))))
    return {parent_id: _("A child of theirs is still on the school's roll: their consent decisions are in force.")
            for parent_id in parents if parent_id in with_child}


def _signed_an_audit(people: Sequence[User], _today: date, _actor: Any) -> dict[int, str]:
    years: dict[int, list[int]] = defaultdict(list)
    for user_id, year in db.session.execute(
            select(AuditReview.coordinator_id, AuditReview.academic_year)
            .where(AuditReview.coordinator_id.in_([person.id for person in people]),
                   AuditReview.signed_at.is_not(None)).order_by(AuditReview.academic_year)):
        years[user_id].append(year)
    return {user_id: _("They signed the yearly audit for %(years)s, which the school keeps with their name.",
                       years=", ".join(AcademicYear(year).label for year in signed))
            for user_id, signed in years.items()}


def _safeguarding_concerns(people: Sequence[User], today: date, _actor: Any) -> dict[int, str]:
    """Whoever reported a concern or is what it is about: kept while it is open, then for the school's
    ``concerns`` period after it was closed (one query for all of ``people``)."""
    ids = [person.id for person in people]
    open_for: set[int] = set()
    closed_until: dict[int, date] = {}
    rows = db.session.execute(
        select(Concern.reporter_id, Concern.about_id, Concern.status, Concern.closed_at, School.retention_periods)
        .join(School, School.id == Concern.school_id)
        .where(or_(Concern.reporter_id.in_(ids), Concern.about_id.in_(ids))))
    for reporter_id, about_id, status, closed_at, stored_periods in rows:
        involved = {reporter_id, about_id} & set(ids)
        if status != ConcernStatus.CLOSED.value or closed_at is None:
            open_for |= involved
            continue
        days = effective_periods(stored_periods)["concerns"]
        until = closed_at.date() + timedelta(days=days)
        if until > today:
            for user_id in involved:
                closed_until[user_id] = max(until, closed_until.get(user_id, until))
    held = {user_id: _("A safeguarding concern they reported, or that is about them, is kept until %(day)s "
                       "(the safeguarding concerns period after it was closed).", day=day.isoformat())
            for user_id, day in closed_until.items()}
    held.update({user_id: _("An open safeguarding concern: they reported it, or it is about them.")
                 for user_id in open_for})
    return held


register_hold("asking_for_themself", _asking_for_themself)
register_hold("last_coordinator", _last_coordinator)
register_hold("training_records", _training_records)
register_hold("parent_of_child_on_roll", _parent_of_child_on_roll)
register_hold("signed_an_audit", _signed_an_audit)
register_hold("safeguarding_concerns", _safeguarding_concerns)
