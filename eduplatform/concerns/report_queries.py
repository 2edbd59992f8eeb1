"""Reads for reporting a worry: the children a reporter may choose, a reporter's own reports, one report
for its reporter's confirmation page, and the DSLs to tell. Callers: ``report_views`` and ``notify``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from eduplatform.access import concern_reach
from eduplatform.accounts.models import User, UserDuty, UserRole
from eduplatform.concerns.models import Concern
from eduplatform.db import db
from eduplatform.roles import Role


@dataclass(frozen=True)
class Child:
    id: int
    name: str
    year_group: int | None


def children_in_reach(reporter: Any) -> list[Child]:
    """The pupils ``reporter`` may report about (:func:`eduplatform.access.concern_reach`), by year group then
    name: one query. Empty for pupils (they report about themselves) and for anyone with no reach."""
    reach = concern_reach(reporter)
    if reach is None:
        return []
    rows = db.session.execute(select(User.id, User.first_name, User.last_name, User.year_group).where(reach)
                              .order_by(User.year_group, User.last_name, User.first_name, User.id))
    return [Child(row.id, f"{row.first_name} {row.last_name}".strip(), row.year_group) for row in rows]


@dataclass(frozen=True)
class OwnReport:
    """One of a reporter's own reports as they see it: never the DSLs' actions or the outcome."""

    id: int
    category: str
    reported_at: datetime
    happening_now: bool
    #: An adult on the DSL team has opened it.
    read: bool
    #: The pupil it is about, for parents' and staff's reports (None for a pupil's own).
    about: str | None


def own_reports(reporter_id: int) -> list[OwnReport]:
    """A person's own reports, newest first, with whether an adult has read each: one query."""
    about = User.__table__.alias("about")
    rows = db.session.execute(
        select(Concern.id, Concern.category, Concern.reported_at, Concern.happening_now, Concern.reporter_kind,
               Concern.first_read_at.is_not(None).label("read"), about.c.first_name, about.c.last_name)
        .outerjoin(about, about.c.id == Concern.about_id)
        .where(Concern.reporter_id == reporter_id)
        .order_by(Concern.reported_at.desc(), Concern.id.desc()))
    return [OwnReport(row.id, row.category, row.reported_at, row.happening_now, bool(row.read),
                      None if row.reporter_kind == "pupil" or row.first_name is None
                      else f"{row.first_name} {row.last_name}".strip())
            for row in rows]


def own_report(reporter_id: int, concern_id: int) -> Concern | None:
    """One report, only for the person who made it (anyone else: None, shown as "not found")."""
    return db.session.scalar(select(Concern).where(Concern.id == concern_id, Concern.reporter_id == reporter_id))


@dataclass(frozen=True)
class Recipient:
    email: str
    locale: str | None


def safeguarding_recipients(school_id: int) -> list[Recipient]:
    """The school's DSL and deputies who can be emailed: staff holding the duty, still at the school, not
    disabled or erased, with an email address: the people who can read the log
    (:func:`eduplatform.access.may_read_concerns`). One query; each person once."""
    rows = db.session.execute(
        select(User.id, User.email, User.locale).join(UserDuty, UserDuty.user_id == User.id)
        .where(User.school_id == school_id,
               User.id.in_(select(UserRole.user_id).where(UserRole.role == Role.STAFF)),
               User.left_at.is_(None), User.disabled_at.is_(None), User.erased_at.is_(None),
               User.email.is_not(None), User.email != "")
        .distinct().order_by(User.id))
    return [Recipient(row.email.strip(), row.locale) for row in rows if row.email.strip()]
