"""Writing concerns and the filtering and monitoring logs. Callers: the concerns views and the demo.

Who may do what is the caller's check (``eduplatform.access``: :func:`may_read_concerns`,
:func:`concern_reach`, :func:`may_keep_filtering_log`); these functions check the facts that make a
record valid and flush; the request (or the command) commits.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from eduplatform.accounts.models import User
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.concerns.models import (
    MAX_TEXT,
    Concern,
    ConcernAction,
    ConcernRead,
    ConcernStatus,
    FilteringKind,
    FilteringRecord,
)
from eduplatform.db import db, utcnow
from eduplatform.roles import Role
from eduplatform.schools.models import School


class ConcernError(ValueError):
    """A report or an action that cannot be recorded as given; the message is for the person."""


def _plain(text: str | None, *, required: bool, what: str) -> str:
    """Text as typed, trimmed, within :data:`MAX_TEXT` (the message names ``what``)."""
    value = (text or "").strip()
    if required and not value:
        raise ConcernError(f"empty:{what}")
    if len(value) > MAX_TEXT:
        raise ConcernError(f"too_long:{what}")
    return value


def reporter_kind(reporter: User) -> str:
    """``pupil``, ``parent`` or ``staff``: how the log describes who reported."""
    if Role.PUPIL in reporter.roles:
        return "pupil"
    if reporter.roles & {Role.STAFF, Role.COORDINATOR}:
        return "staff"
    return "parent"


def report_concern(reporter: User, *, category: str, text: str = "", about_id: int | None = None,
                   happening_now: bool = False, talk_to: str | None = None,
                   pictures: list[str] | None = None) -> Concern:
    """Record a new concern from ``reporter`` (a pupil's own, or about a pupil in the reporter's reach).

    A report needs words or (for the youngest) at least one picture. Two reports from the same person
    are two concerns, never merged. ``ConcernError`` codes: ``empty:text``, ``too_long:text``.
    """
    words = _plain(text, required=not pictures, what="text")
    kind = reporter_kind(reporter)
    concern = Concern(school_id=reporter.school_id, reporter_id=reporter.id, reporter_kind=kind,
                      about_id=reporter.id if kind == "pupil" else about_id, category=category,
                      pictures=list(pictures or []), text=words, happening_now=happening_now, talk_to=talk_to,
                      status=ConcernStatus.NEW.value)
    db.session.add(concern)
    db.session.flush()
    return concern


def mark_read(concern_id: int, reader_id: int, school_id: int) -> None:
    """Record that a DSL opened a concern: the read receipt (first read per reader), the concern's
    first read (the reporter sees "an adult has read this"), and a CONCERN_READ audit entry.

    Opening a concern is a GET, so this writes in a short transaction of its own
    (:meth:`eduplatform.db.Database.separate_transaction`), never failing the page.
    """
    now = utcnow()
    with db.separate_transaction() as session:
        try:
            with session.begin_nested():
                session.execute(insert(ConcernRead).values(concern_id=concern_id, reader_id=reader_id, read_at=now))
        except IntegrityError:
            pass  # read before: the receipt keeps the first time
        session.execute(update(Concern).where(Concern.id == concern_id, Concern.first_read_at.is_(None))
                        .values(first_read_at=now))
        session.execute(update(Concern).where(Concern.id == concern_id, Concern.status == ConcernStatus.NEW.value)
                        .values(status=ConcernStatus.OPEN.value))
    record_event(AuditAction.CONCERN_READ, actor=db.session.get(User, reader_id), school_id=school_id,
                 details={"concern_id": concern_id})


def add_action(concern: Concern, by: User, *, what: str, outcome: str | None = None) -> ConcernAction:
    """Add to a concern's record of actions (who, when, what, outcome). ``ConcernError``: ``empty:what``,
    ``too_long:what``, ``too_long:outcome``."""
    action = ConcernAction(concern_id=concern.id, by_id=by.id, what=_plain(what, required=True, what="what"),
                           outcome=_plain(outcome, required=False, what="outcome") or None)
    db.session.add(action)
    if concern.status == ConcernStatus.NEW.value:
        concern.status = ConcernStatus.OPEN.value
    db.session.flush()
    return action


def close_concern(concern: Concern, by: User, *, outcome: str) -> None:
    """Close a concern with its outcome (required). ``ConcernError``: ``empty:outcome``, ``too_long:outcome``."""
    concern.outcome = _plain(outcome, required=True, what="outcome")
    concern.status = ConcernStatus.CLOSED.value
    concern.closed_at = utcnow()
    concern.closed_by_id = by.id
    db.session.flush()


def reopen_concern(concern: Concern, by: User, *, why: str) -> ConcernAction:
    """Open a closed concern again; the reason goes in its record of actions."""
    action = add_action(concern, by, what=why)
    concern.status = ConcernStatus.OPEN.value
    concern.closed_at = None
    concern.closed_by_id = None
    db.session.flush()
    return action


def record_filtering(school_id: int, by: User | None, *, kind: FilteringKind, done_on: date, what: str,
                     result: str = "", requested_by: str | None = None, approved_by: str | None = None,
                     with_whom: str | None = None, follow_up: str | None = None,
                     reviewed_on: date | None = None) -> FilteringRecord:
    """Add an entry to the school's filtering and monitoring logs (a check, or a change to what is blocked).

    ``ConcernError``: ``empty:what``, ``too_long:<field>``, ``future:done_on``.
    """
    if done_on > utcnow().date():
        raise ConcernError("future:done_on")
    record = FilteringRecord(
        school_id=school_id, kind=kind.value, done_on=done_on, what=_plain(what, required=True, what="what"),
        result=_plain(result, required=False, what="result"), requested_by=(requested_by or "").strip() or None,
        approved_by=(approved_by or "").strip() or None, with_whom=(with_whom or "").strip() or None,
        follow_up=_plain(follow_up, required=False, what="follow_up") or None, reviewed_on=reviewed_on,
        recorded_by_id=getattr(by, "id", None))
    db.session.add(record)
    db.session.flush()
    return record


def concerns_reported_by(reporter_id: int) -> list[Any]:
    """A person's own reports, newest first, with whether an adult has read each (never the actions)."""
    return list(db.session.execute(
        select(Concern.id, Concern.category, Concern.reported_at, Concern.first_read_at.is_not(None).label("read"))
        .where(Concern.reporter_id == reporter_id).order_by(Concern.reported_at.desc(), Concern.id.desc())))


def set_filtering_check_days(school: School, days: int, *, actor: User | None) -> bool:
    """Set how many days a filtering check keeps the school in date (the form checks the limits).

    Returns whether it changed; a change is logged as ``SCHOOL_CHANGED``. Callers: the filtering
    page (the school's coordinator, DSL or deputies).
    """
    before = school.filtering_check_days
    if before == days:
        return False
    school.filtering_check_days = days
    db.session.flush()
    record_event(AuditAction.SCHOOL_CHANGED, actor=actor, school_id=school.id,
                 details={"filtering_check_days": {"before": before, "after": days}})
    return True
