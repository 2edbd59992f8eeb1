"""Reading the DSLs' concern log: the list (one query a page), one concern with its record, and the count
of new ones for the menu and the dashboard.

Only the DSL and deputies of the concern's school read any of it (:func:`eduplatform.access.may_read_concerns`);
the views check that first, and :func:`concern_or_404` makes another school's concern "not found".
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import abort
from sqlalchemy import ColumnElement, Select, and_, case, exists, func, select
from sqlalchemy.orm import aliased

from eduplatform.academic_year import DEFAULT_TIME_ZONE, zone
from eduplatform.access import may_read_concerns
from eduplatform.accounts.models import User
from eduplatform.concerns.models import Concern, ConcernAction, ConcernRead, ConcernStatus
from eduplatform.db import db
from eduplatform.schools.models import ClassMember, SchoolClass
from eduplatform.schools.years import current_year

#: Concerns shown per page of the log.
PAGE_SIZE = 50
#: Rows fetched from the database at a time while streaming the CSV.
_BATCH = 500

_Reporter = aliased(User, name="reporter")
_About = aliased(User, name="about")
_Closer = aliased(User, name="closer")
_Doer = aliased(User, name="doer")


def concern_or_404(actor: Any, concern_id: int) -> Concern:
    """The concern, for the DSL and deputies of its school; "not found" for anyone else (and for no such id)."""
    concern = db.session.get(Concern, concern_id)
    if concern is None or not may_read_concerns(actor) or concern.school_id != actor.school_id:
        abort(404)
    return concern


def new_concern_count(school_id: int) -> int:
    """How many of the school's concerns nobody on the DSL team has opened yet (one query)."""
    return db.session.scalar(select(func.count()).select_from(Concern).where(
        Concern.school_id == school_id, Concern.status == ConcernStatus.NEW.value)) or 0


@dataclass(frozen=True)
class LogFilters:
    """Which concerns of the school: a status and a category (None: all)."""

    school_id: int
    status: str | None = None
    category: str | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = [Concern.school_id == self.school_id]
        if self.status:
            found.append(Concern.status == self.status)
        if self.category:
            found.append(Concern.category == self.category)
        return found

    def described(self) -> dict[str, Any]:
        """The filters as the audit log records an export (ids only)."""
        return {key: value for key, value in (("status", self.status), ("category", self.category)) if value}


#: Happening now (and not closed) first, then new, open, closed; newest first within each.
_URGENT = and_(Concern.happening_now.is_(True), Concern.status != ConcernStatus.CLOSED.value)
_ORDER = (case((_URGENT, 0), (Concern.status == ConcernStatus.NEW.value, 1),
               (Concern.status == ConcernStatus.OPEN.value, 2), else_=3),
          Concern.reported_at.desc(), Concern.id.desc())


def _name(first: str | None, last: str | None, erased_at: datetime | None, erased: str) -> str:
    if first is None and last is None:
        return ""
    return erased if erased_at is not None else f"{first or ''} {last or ''}".strip()


def local(moment: datetime | None, time_zone: str) -> datetime | None:
    """A stored moment (UTC, naive) in the school's time zone (aware); None stays None."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC).astimezone(zone(time_zone or DEFAULT_TIME_ZONE))


@dataclass(frozen=True)
class LogRow:
    """One concern as the log lists it."""

    id: int
    reported_at: datetime
    reporter_kind: str
    reporter_name: str
    about_name: str
    category: str
    happening_now: bool
    status: str
    actions: int
    read_by_me: bool

    @property
    def urgent(self) -> bool:
        return self.happening_now and self.status != ConcernStatus.CLOSED.value


def _list_query(filters: LogFilters, reader_id: int) -> Select[Any]:
    actions = (select(func.count()).select_from(ConcernAction).where(ConcernAction.concern_id == Concern.id)
               .correlate(Concern).scalar_subquery())
    read = exists().where(ConcernRead.concern_id == Concern.id, ConcernRead.reader_id == reader_id)
    return (
        select(Concern.id, Concern.reported_at, Concern.reporter_kind, _Reporter.first_name, _Reporter.last_name,
               _Reporter.erased_at, _About.first_name, _About.last_name, _About.erased_at, Concern.category,
               Concern.happening_now, Concern.status, actions.label("actions"), read.label("read_by_me"))
        .join(_Reporter, _Reporter.id == Concern.reporter_id)
        .outerjoin(_About, _About.id == Concern.about_id)
        .where(*filters.conditions())
        .order_by(*_ORDER)
    )


def log_page(filters: LogFilters, reader_id: int, page: int, *, erased: str) -> tuple[list[LogRow], bool]:
    """One page of the log (``page`` from 1) and whether there is a next one. One query, however many rows.

    ``reader_id`` is the DSL reading it (the "read by you" column); ``erased`` how an erased person shows.
    """
    offset = (max(page, 1) - 1) * PAGE_SIZE
    rows = db.session.execute(_list_query(filters, reader_id).limit(PAGE_SIZE + 1).offset(offset)).all()
    found = [LogRow(id=row[0], reported_at=row[1], reporter_kind=row[2],
                    reporter_name=_name(row[3], row[4], row[5], erased),
                    about_name=_name(row[6], row[7], row[8], erased),
                    category=row[9], happening_now=bool(row[10]), status=row[11], actions=int(row[12] or 0),
                    read_by_me=bool(row[13]))
             for row in rows[:PAGE_SIZE]]
    return found, len(rows) > PAGE_SIZE


# --- One concern ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionLine:
    at: datetime
    by_name: str
    what: str
    outcome: str | None


@dataclass(frozen=True)
class ReadReceipt:
    reader_name: str
    read_at: datetime


@dataclass(frozen=True)
class ConcernRecord:
    """Everything the concern's page shows besides the concern itself."""

    reporter: User
    about: User | None
    about_classes: tuple[str, ...]
    closed_by: User | None
    actions: tuple[ActionLine, ...]
    reads: tuple[ReadReceipt, ...]


def concern_record(concern: Concern, *, erased: str) -> ConcernRecord:
    """The people named on a concern, the pupil's classes this year, its actions and read receipts (four queries)."""
    ids = {concern.reporter_id, concern.about_id, concern.closed_by_id} - {None}
    people = {person.id: person for person in db.session.scalars(select(User).where(User.id.in_(ids)))}
    about = people.get(concern.about_id) if concern.about_id is not None else None
    classes: tuple[str, ...] = ()
    if about is not None:
        year = current_year(about).start_year
        classes = tuple(db.session.scalars(
            select(SchoolClass.name).join(ClassMember, ClassMember.class_id == SchoolClass.id)
            .where(ClassMember.user_id == about.id, SchoolClass.academic_year == year,
                   SchoolClass.school_id == concern.school_id)
            .order_by(SchoolClass.name)))
    actions = tuple(
        ActionLine(at=row[0], by_name=_name(row[3], row[4], row[5], erased), what=row[1], outcome=row[2])
        for row in db.session.execute(
            select(ConcernAction.at, ConcernAction.what, ConcernAction.outcome, _Doer.first_name, _Doer.last_name,
                   _Doer.erased_at)
            .outerjoin(_Doer, _Doer.id == ConcernAction.by_id)
            .where(ConcernAction.concern_id == concern.id)
            .order_by(ConcernAction.at, ConcernAction.id)))
    reads = tuple(
        ReadReceipt(reader_name=_name(row[1], row[2], row[3], erased), read_at=row[0])
        for row in db.session.execute(
            select(ConcernRead.read_at, User.first_name, User.last_name, User.erased_at)
            .join(User, User.id == ConcernRead.reader_id)
            .where(ConcernRead.concern_id == concern.id)
            .order_by(ConcernRead.read_at, User.last_name, User.first_name)))
    return ConcernRecord(reporter=people[concern.reporter_id], about=about, about_classes=classes,
                         closed_by=people.get(concern.closed_by_id) if concern.closed_by_id else None,
                         actions=actions, reads=reads)


# --- The CSV ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportAction:
    at: datetime
    by_name: str
    what: str
    outcome: str


@dataclass(frozen=True)
class ExportConcern:
    """One concern with its whole record of actions, as the CSV writes it."""

    id: int
    reported_at: datetime
    status: str
    category: str
    happening_now: bool
    reporter_kind: str
    reporter_username: str
    reporter_name: str
    about_username: str
    about_name: str
    talk_to: str | None
    pictures: tuple[str, ...]
    text: str
    first_read_at: datetime | None
    closed_at: datetime | None
    closed_by_name: str
    outcome: str
    actions: tuple[ExportAction, ...]


def _export_query(filters: LogFilters) -> Select[Any]:
    return (
        select(Concern.id, Concern.reported_at, Concern.status, Concern.category, Concern.happening_now,
               Concern.reporter_kind, _Reporter.username, _Reporter.first_name, _Reporter.last_name,
               _Reporter.erased_at, _About.username, _About.first_name, _About.last_name, _About.erased_at,
               Concern.talk_to, Concern.pictures, Concern.text, Concern.first_read_at, Concern.closed_at,
               _Closer.first_name, _Closer.last_name, _Closer.erased_at, Concern.outcome,
               ConcernAction.id, ConcernAction.at, ConcernAction.what, ConcernAction.outcome,
               _Doer.first_name, _Doer.last_name, _Doer.erased_at)
        .join(_Reporter, _Reporter.id == Concern.reporter_id)
        .outerjoin(_About, _About.id == Concern.about_id)
        .outerjoin(_Closer, _Closer.id == Concern.closed_by_id)
        .outerjoin(ConcernAction, ConcernAction.concern_id == Concern.id)
        .outerjoin(_Doer, _Doer.id == ConcernAction.by_id)
        .where(*filters.conditions())
        .order_by(*_ORDER, ConcernAction.at, ConcernAction.id)
    )


def _username(username: str | None, erased_at: datetime | None) -> str:
    return "" if username is None or erased_at is not None else username


def export_concerns(filters: LogFilters, *, erased: str) -> Iterator[ExportConcern]:
    """Every concern the filters select, in the log's order, each with its actions: one query, streamed
    (a concern's rows arrive together, one per action, and are gathered here)."""
    result = db.session.execute(_export_query(filters).execution_options(yield_per=_BATCH))
    current: list[Any] = []
    try:
        for row in result:
            if current and current[0][0] != row[0]:
                yield _gathered(current, erased)
                current = []
            current.append(row)
        if current:
            yield _gathered(current, erased)
    finally:
        result.close()  # also when the download stops early: never leave a cursor open


def _gathered(rows: list[Any], erased: str) -> ExportConcern:
    first = rows[0]
    actions = tuple(ExportAction(at=row[24], by_name=_name(row[27], row[28], row[29], erased), what=row[25] or "",
                                 outcome=row[26] or "")
                    for row in rows if row[23] is not None)
    pictures = first[15] if isinstance(first[15], list) else []
    return ExportConcern(
        id=first[0], reported_at=first[1], status=first[2], category=first[3], happening_now=bool(first[4]),
        reporter_kind=first[5], reporter_username=_username(first[6], first[9]),
        reporter_name=_name(first[7], first[8], first[9], erased), about_username=_username(first[10], first[13]),
        about_name=_name(first[11], first[12], first[13], erased), talk_to=first[14],
        pictures=tuple(str(picture) for picture in pictures), text=first[16] or "", first_read_at=first[17],
        closed_at=first[18], closed_by_name=_name(first[19], first[20], first[21], erased), outcome=first[22] or "",
        actions=actions)
