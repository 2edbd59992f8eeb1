"""Reads about workshops: who may see or run one, the counts on its list, and what a parent is offered.

Who may see a workshop (:func:`may_see`): administrators, and the parents and staff of its school.
Who may run one (:func:`may_run`): holders of ``RUN_WORKSHOPS`` for its school (administrators: any).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import abort
from sqlalchemy import case, func, or_, select

from eduplatform.academic_year import zone
from eduplatform.access import Permission, can
from eduplatform.accounts.models import User, UserRole
from eduplatform.catalogue.model import Catalogue, Module
from eduplatform.db import db
from eduplatform.roles import Role
from eduplatform.schools.models import School
from eduplatform.workshops.models import RegistrationStatus, Workshop, WorkshopRegistration

#: The catalogue audience whose modules are run as workshops.
PARENTS_AUDIENCE = "parents"
#: Roles of a school who may see its workshops (parents to register, staff to host or help).
SEES_WORKSHOPS = (Role.PARENT, Role.STAFF, Role.COORDINATOR)
#: Roles who may host a workshop.
HOST_ROLES = (Role.STAFF, Role.COORDINATOR)


@dataclass(frozen=True)
class Counts:
    """How many people stand where on one workshop's list."""

    registered: int = 0
    waiting: int = 0
    attended: int = 0


@dataclass(frozen=True)
class WorkshopRow:
    """One workshop as a list or card shows it, with its counts (and the viewer's own place, if any)."""

    workshop: Workshop
    counts: Counts
    host_name: str
    #: The viewer's own status on the list (None: not on it, or cancelled).
    my_status: RegistrationStatus | None = None

    @property
    def places_left(self) -> int | None:
        """Free places (None: no limit)."""
        if self.workshop.capacity is None:
            return None
        return max(self.workshop.capacity - self.counts.registered, 0)


def parent_modules(catalogue: Catalogue) -> tuple[Module, ...]:
    """The modules that can be run as parents' workshops, in catalogue order."""
    return tuple(module for module in catalogue.modules.values() if module.audience == PARENTS_AUDIENCE)


def local_time(moment: datetime, time_zone: str) -> datetime:
    """A stored UTC timestamp as the wall-clock time of ``time_zone`` (naive, for display)."""
    return moment.replace(tzinfo=zone("UTC")).astimezone(zone(time_zone)).replace(tzinfo=None)


def to_utc(local: datetime, time_zone: str) -> datetime:
    """A wall-clock time of ``time_zone`` as a naive UTC timestamp, as stored."""
    return local.replace(tzinfo=zone(time_zone)).astimezone(zone("UTC")).replace(tzinfo=None)


def hosts_for(school_ids: Iterable[int] | None) -> list[User]:
    """Current staff (and coordinators) who may host, of the given schools (None: every school)."""
    query = (select(User).where(User.left_at.is_(None), User.school_id.is_not(None),
                                User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(HOST_ROLES))))
             .order_by(User.last_name, User.first_name, User.id))
    if school_ids is not None:
        query = query.where(User.school_id.in_(list(school_ids)))
    return list(db.session.scalars(query))


def is_host_of_school(user_id: int, school_id: int) -> bool:
    """True when ``user_id`` is current staff of ``school_id`` (may host its workshops)."""
    return any(host.id == user_id for host in hosts_for([school_id]))


def may_see(actor: Any, workshop: Workshop) -> bool:
    """Administrators, and the parents and staff of the workshop's school."""
    if actor.has_role(Role.ADMIN):
        return True
    return actor.school_id == workshop.school_id and actor.has_role(*SEES_WORKSHOPS)


def may_run(actor: Any, workshop: Workshop) -> bool:
    """Holders of ``RUN_WORKSHOPS`` for this workshop's school (administrators: every school)."""
    if not can(actor, Permission.RUN_WORKSHOPS):
        return False
    return actor.has_role(Role.ADMIN) or actor.school_id == workshop.school_id


def may_list(actor: Any) -> bool:
    """Who may open the list of workshops: those who run them, and staff who host one."""
    if can(actor, Permission.RUN_WORKSHOPS):
        return True
    return db.session.scalar(select(func.count()).select_from(Workshop).where(Workshop.host_id == actor.id)) > 0


def get_visible_workshop_or_404(workshop_id: int, actor: Any) -> Workshop:
    """The workshop, when ``actor`` may see it; else 404 (other schools' workshops do not exist for them)."""
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None or not may_see(actor, workshop):
        abort(404)
    return workshop


def school_of(workshop: Workshop) -> School:
    school = db.session.get(School, workshop.school_id)
    assert school is not None  # a foreign key
    return school


def counts_of(workshop_ids: Sequence[int]) -> dict[int, Counts]:
    """Registered, waiting and attended counts of each workshop, in one query."""
    if not workshop_ids:
        return {}
    reg = WorkshopRegistration
    rows = db.session.execute(
        select(reg.workshop_id,
               func.sum(case((reg.status == RegistrationStatus.REGISTERED, 1), else_=0)),
               func.sum(case((reg.status == RegistrationStatus.WAITING, 1), else_=0)),
               func.sum(case((reg.attended_at.is_not(None), 1), else_=0)))
        .where(reg.workshop_id.in_(workshop_ids)).group_by(reg.workshop_id))
    return {row[0]: Counts(int(row[1] or 0), int(row[2] or 0), int(row[3] or 0)) for row in rows}


def registration_of(workshop_id: int, user_id: int) -> WorkshopRegistration | None:
    return db.session.scalar(select(WorkshopRegistration).where(
        WorkshopRegistration.workshop_id == workshop_id, WorkshopRegistration.user_id == user_id))


def _rows(workshops: Sequence[Workshop], viewer_id: int | None = None) -> list[WorkshopRow]:
    ids = [workshop.id for workshop in workshops]
    counts = counts_of(ids)
    hosts = {user.id: f"{user.first_name} {user.last_name}".strip()
             for user in db.session.scalars(select(User).where(User.id.in_({w.host_id for w in workshops})))}
    mine: dict[int, RegistrationStatus] = {}
    if viewer_id is not None and ids:
        mine = {reg.workshop_id: reg.status for reg in db.session.scalars(select(WorkshopRegistration).where(
            WorkshopRegistration.user_id == viewer_id, WorkshopRegistration.workshop_id.in_(ids),
            WorkshopRegistration.status != RegistrationStatus.CANCELLED))}
    return [WorkshopRow(workshop, counts.get(workshop.id, Counts()), hosts.get(workshop.host_id, ""),
                        mine.get(workshop.id)) for workshop in workshops]


def row_of(workshop: Workshop, viewer_id: int) -> WorkshopRow:
    """One workshop's row, with the viewer's own place."""
    return _rows([workshop], viewer_id)[0]


def workshop_list(actor: Any, now: datetime) -> tuple[list[WorkshopRow], list[WorkshopRow]]:
    """(upcoming, past) workshops the actor runs or hosts: soonest first, then most recent first.

    Administrators: every school; coordinators: their school's; other staff: those they host.
    """
    query = select(Workshop)
    if not actor.has_role(Role.ADMIN):
        rules = [Workshop.host_id == actor.id]
        if can(actor, Permission.RUN_WORKSHOPS) and actor.school_id is not None:
            rules.append(Workshop.school_id == actor.school_id)
        query = query.where(or_(*rules))
    upcoming = list(db.session.scalars(query.where(Workshop.ends_at > now).order_by(Workshop.starts_at)))
    past = list(db.session.scalars(query.where(Workshop.ends_at <= now).order_by(Workshop.starts_at.desc())))
    return _rows(upcoming), _rows(past)


def upcoming_for_parent(user: Any, now: datetime) -> list[WorkshopRow]:
    """The parent's school's workshops that have not ended, soonest first, each with their own place.

    Cancelled workshops are listed only to those who had a place (so they see it was cancelled).
    """
    if user.school_id is None or not user.has_role(Role.PARENT):
        return []
    had_place = select(WorkshopRegistration.workshop_id).where(
        WorkshopRegistration.user_id == user.id, WorkshopRegistration.status != RegistrationStatus.CANCELLED)
    workshops = list(db.session.scalars(
        select(Workshop).where(Workshop.school_id == user.school_id, Workshop.ends_at > now,
                               or_(Workshop.cancelled_at.is_(None), Workshop.id.in_(had_place)))
        .order_by(Workshop.starts_at)))
    return _rows(workshops, user.id)


def starts_tomorrow(workshop: Workshop, today_local: Any, time_zone: str) -> bool:
    """True when the workshop starts on the day after ``today_local`` in the school's zone."""
    return local_time(workshop.starts_at, time_zone).date() == today_local + timedelta(days=1)


@dataclass(frozen=True)
class WorkshopCard:
    """A workshop on a parent's dashboard: its row, title, local start, and whether it is tomorrow."""

    row: WorkshopRow
    title: str
    starts: datetime
    tomorrow: bool


def dashboard_cards(user: Any, catalogue: Catalogue, locale: str, now: datetime) -> list[WorkshopCard]:
    """The cards of :func:`upcoming_for_parent` (a parent's school's coming workshops), in ``locale``."""
    rows = upcoming_for_parent(user, now)
    if not rows:
        return []
    time_zone = db.session.get(School, user.school_id).time_zone
    today = local_time(now, time_zone).date()
    return [WorkshopCard(row, catalogue.module_content(row.workshop.module_id, locale).title,
                         local_time(row.workshop.starts_at, time_zone),
                         starts_tomorrow(row.workshop, today, time_zone)) for row in rows]
