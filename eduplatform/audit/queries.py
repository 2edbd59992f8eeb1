"""Reading the audit log: one filter object for the page, the CSV and the command line.

A page is one query (the names of who did it and whom it was about, and the school, joined in),
newest first, paged by keyset (the page after an entry starts below it), so the page costs the
same however long the log. The CSV streams the same query, every page at once, ``yield_per``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from eduplatform.academic_year import DEFAULT_TIME_ZONE, zone
from eduplatform.accounts.models import User
from eduplatform.audit.models import AuditEvent
from eduplatform.db import db
from eduplatform.schools.models import School

#: Entries shown per page.
PAGE_SIZE = 50
#: Rows fetched from the database at a time while streaming the CSV.
_BATCH = 500

_Actor = aliased(User, name="actor")
_Subject = aliased(User, name="subject")


@dataclass(frozen=True)
class AuditLogFilters:
    """Which entries: of which schools (None: every school, platform-wide entries included), which
    action, naming whom (who did it or whom it was about), between which days of ``time_zone``."""

    school_ids: tuple[int, ...] | None
    action: str | None = None
    person: str | None = None
    day_from: date | None = None
    day_to: date | None = None
    #: The time zone the days are in: the school's.
    time_zone: str = DEFAULT_TIME_ZONE

    def _moment(self, day: date) -> datetime:
        """The start of ``day`` in the filters' time zone, as stored (UTC, without tzinfo)."""
        local = datetime.combine(day, time.min, tzinfo=zone(self.time_zone))
        return local.astimezone(UTC).replace(tzinfo=None)

    def conditions(self) -> list[ColumnElement[bool]]:
        """SQL conditions on :class:`AuditEvent` for these filters."""
        found: list[ColumnElement[bool]] = []
        if self.school_ids is not None:
            found.append(AuditEvent.school_id.in_(self.school_ids))
        if self.action:
            found.append(AuditEvent.action == self.action)
        if self.day_from:
            found.append(AuditEvent.at >= self._moment(self.day_from))
        if self.day_to:
            found.append(AuditEvent.at < self._moment(self.day_to + timedelta(days=1)))
        if self.person:
            named = _people_named(self.person, self.school_ids)
            found.append(or_(AuditEvent.actor_id.in_(named), AuditEvent.subject_user_id.in_(named)))
        return found

    def described(self) -> dict[str, Any]:
        """The filters as the audit log records an export of itself (no names: whether one was typed)."""
        details: dict[str, Any] = {}
        if self.school_ids is not None:
            details["schools"] = list(self.school_ids)
        if self.action:
            details["action"] = self.action
        if self.person:
            details["person_filter"] = True
        if self.day_from:
            details["from"] = self.day_from.isoformat()
        if self.day_to:
            details["to"] = self.day_to.isoformat()
        return details


def _people_named(text: str, school_ids: tuple[int, ...] | None) -> Select[Any]:
    """The ids of people of the schools whose full name or username contains ``text`` (any case)."""
    wanted = text.strip().lower()
    full_name = func.lower(User.first_name + " " + User.last_name)
    query = select(User.id).where(or_(full_name.contains(wanted, autoescape=True),
                                      func.lower(User.username).contains(wanted, autoescape=True)))
    if school_ids is not None:
        query = query.where(User.school_id.in_(school_ids))
    return query


@dataclass(frozen=True)
class LogEntry:
    """One row of the log as shown: the entry, who did it and whom it was about, and its school."""

    id: int
    at: datetime
    action: str
    details: dict[str, Any]
    address: str | None
    actor_id: int | None
    actor_name: str | None
    actor_username: str | None
    subject_id: int | None
    subject_name: str | None
    subject_username: str | None
    school_name: str | None
    time_zone: str

    @property
    def local_at(self) -> datetime:
        """When, in the school's time zone (aware)."""
        return self.at.replace(tzinfo=UTC).astimezone(zone(self.time_zone))


def _query(filters: AuditLogFilters) -> Select[Any]:
    return (
        select(AuditEvent.id, AuditEvent.at, AuditEvent.action, AuditEvent.details, AuditEvent.address,
               AuditEvent.actor_id, _Actor.first_name, _Actor.last_name, _Actor.username, _Actor.erased_at,
               AuditEvent.subject_user_id, _Subject.first_name, _Subject.last_name, _Subject.username,
               _Subject.erased_at, School.name, School.time_zone)
        .outerjoin(_Actor, _Actor.id == AuditEvent.actor_id)
        .outerjoin(_Subject, _Subject.id == AuditEvent.subject_user_id)
        .outerjoin(School, School.id == AuditEvent.school_id)
        .where(*filters.conditions())
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )


def _name(first: str | None, last: str | None, erased_at: datetime | None, erased: str) -> str | None:
    if first is None and last is None:
        return None
    return erased if erased_at is not None else f"{first or ''} {last or ''}".strip()


def _entry(row: Any, erased: str, fallback_zone: str) -> LogEntry:
    (entry_id, at, action, details, address, actor_id, actor_first, actor_last, actor_username, actor_erased,
     subject_id, subject_first, subject_last, subject_username, subject_erased, school_name, time_zone) = row
    return LogEntry(
        id=entry_id, at=at, action=action, details=details if isinstance(details, dict) else {}, address=address,
        actor_id=actor_id, actor_name=_name(actor_first, actor_last, actor_erased, erased),
        actor_username=None if actor_erased is not None else actor_username,
        subject_id=subject_id, subject_name=_name(subject_first, subject_last, subject_erased, erased),
        subject_username=None if subject_erased is not None else subject_username,
        school_name=school_name, time_zone=time_zone or fallback_zone)


def log_page(filters: AuditLogFilters, older_than: int | None, *, erased: str) -> tuple[list[LogEntry], int | None]:
    """One page of entries, newest first, starting below the entry ``older_than`` (keyset paging).

    Returns the entries and the id to start the next (older) page after, or None on the last page.
    One query. ``erased`` is how an erased person's name shows.
    """
    query = _query(filters)
    if older_than is not None:
        cursor_at = select(AuditEvent.at).where(AuditEvent.id == older_than).scalar_subquery()
        query = query.where(or_(AuditEvent.at < cursor_at,
                                and_(AuditEvent.at == cursor_at, AuditEvent.id < older_than)))
    rows = db.session.execute(query.limit(PAGE_SIZE + 1)).all()
    entries = [_entry(row, erased, filters.time_zone) for row in rows[:PAGE_SIZE]]
    return entries, entries[-1].id if len(rows) > PAGE_SIZE else None


def log_entries(filters: AuditLogFilters, *, erased: str) -> Iterator[LogEntry]:
    """Every entry the filters select, newest first, streamed from the database (the CSV)."""
    result = db.session.execute(_query(filters).execution_options(yield_per=_BATCH))
    for row in result:
        yield _entry(row, erased, filters.time_zone)
