"""Concerns reported to the DSLs, what the DSLs did about them, who read them, and the school's
filtering and monitoring records."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Optional

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduplatform.db import Base, personal_data, utcnow

#: The longest report or action text accepted, in characters (a clear limit, told to the writer).
MAX_TEXT = 4000


class ConcernStatus(StrEnum):
    """Where a concern stands in the DSLs' log."""

    #: Reported, nobody on the DSL team has opened it yet.
    NEW = "new"
    #: Read by a DSL, being dealt with.
    OPEN = "open"
    #: Dealt with: the closing DSL wrote the outcome.
    CLOSED = "closed"


class Concern(Base):
    """One worry reported by a pupil, a parent or a member of staff, about a pupil (or, for a pupil's own
    report, about themselves)."""

    __tablename__ = "concern"
    __table_args__ = (
        Index("ix_concern_school_status", "school_id", "status", "reported_at"),
        Index("ix_concern_reporter", "reporter_id", "reported_at"),
        CheckConstraint("status IN ('new', 'open', 'closed')", name="status_known"),
        personal_data(subject=("about_id", "reporter_id"), mentions=("closed_by_id",), erase="keep_anonymised",
                      clear=("text", "outcome"), restricted=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    #: Who told us; kept so the DSL can talk to them (and a pupil sees their own reports).
    reporter_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    #: The reporter's role when they reported: ``pupil``, ``parent`` or ``staff``.
    reporter_kind: Mapped[str] = mapped_column(String(10))
    #: The pupil it is about: the reporter themself for a pupil's own report.
    about_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: A category id from ``curriculum/concerns.yaml`` (the catalogue checks it is known).
    category: Mapped[str] = mapped_column(String(40))
    #: The youngest pupils choose pictures instead of writing: the picture ids they chose.
    pictures: Mapped[Any] = mapped_column(JSON, default=list)
    #: What happened, in the reporter's words (plain text, at most :data:`MAX_TEXT` characters).
    text: Mapped[str] = mapped_column(Text, default="")
    #: "It is happening now": shown first and highlighted in the log.
    happening_now: Mapped[bool] = mapped_column(default=False)
    #: Who the pupil would like to talk to (an id from ``curriculum/concerns.yaml``), or None.
    talk_to: Mapped[Optional[str]] = mapped_column(String(40))
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default=ConcernStatus.NEW.value)
    #: When a DSL first opened it: the reporter sees "an adult has read this" from then on.
    first_read_at: Mapped[Optional[datetime]]
    closed_at: Mapped[Optional[datetime]]
    closed_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    #: The outcome written when closing (plain text).
    outcome: Mapped[Optional[str]] = mapped_column(Text)

    actions: Mapped[list[ConcernAction]] = relationship(order_by="ConcernAction.at", cascade="all, delete-orphan",
                                                        back_populates="concern")


class ConcernAction(Base):
    """One thing a DSL did about a concern: who, when, what, and what came of it."""

    __tablename__ = "concern_action"
    __table_args__ = (personal_data(mentions=("by_id",), erase="keep_anonymised", via="concern_id",
                                    clear=("what", "outcome"), restricted=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    concern_id: Mapped[int] = mapped_column(ForeignKey("concern.id", ondelete="CASCADE"), index=True)
    by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: What was done (plain text).
    what: Mapped[str] = mapped_column(Text)
    #: What came of it, if known yet (plain text).
    outcome: Mapped[Optional[str]] = mapped_column(Text)

    concern: Mapped[Concern] = relationship(back_populates="actions")


class ConcernRead(Base):
    """A DSL opened a concern (each reader once, with the first time): the read receipts."""

    __tablename__ = "concern_read"
    __table_args__ = (personal_data(mentions=("reader_id",), erase="keep_anonymised", via="concern_id",
                                    restricted=True),)

    concern_id: Mapped[int] = mapped_column(ForeignKey("concern.id", ondelete="CASCADE"), primary_key=True)
    reader_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(default=utcnow)


class FilteringKind(StrEnum):
    """The two filtering and monitoring logs the school keeps."""

    #: A check that the filtering and monitoring work (what was tried, what happened).
    CHECK = "check"
    #: A change to what is blocked or allowed (who asked, why, who approved).
    CHANGE = "change"


class FilteringRecord(Base):
    """One entry in the school's filtering and monitoring logs: a check, or a change to what is blocked."""

    __tablename__ = "filtering_record"
    __table_args__ = (
        Index("ix_filtering_record_school_kind_day", "school_id", "kind", "done_on"),
        CheckConstraint("kind IN ('check', 'change')", name="kind_known"),
        personal_data(mentions=("recorded_by_id",), erase="keep_anonymised"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    #: The day it was done (the school's calendar day).
    done_on: Mapped[date]
    #: What was checked, or what was blocked or allowed.
    what: Mapped[str] = mapped_column(Text)
    #: A check's result; a change's reason.
    result: Mapped[str] = mapped_column(Text, default="")
    #: A change: who asked for it (a name or a role, as the school writes it).
    requested_by: Mapped[Optional[str]] = mapped_column(String(200))
    #: A change: who approved it.
    approved_by: Mapped[Optional[str]] = mapped_column(String(200))
    #: A check: who took part (e.g. the governor responsible).
    with_whom: Mapped[Optional[str]] = mapped_column(String(200))
    #: Anything to follow up, and when it was reviewed.
    follow_up: Mapped[Optional[str]] = mapped_column(Text)
    reviewed_on: Mapped[Optional[date]]
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
