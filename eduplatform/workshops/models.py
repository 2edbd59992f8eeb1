"""A workshop a school runs for parents (or staff), who registered, who came, and what they thought.

Attendance itself is a record (:class:`eduplatform.records.models.Attendance`, kind ``workshop``),
written by the records service with the completions it gives; these tables hold the event and its
register around it.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Optional

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduplatform.db import Base, personal_data, utcnow


class RegistrationStatus(StrEnum):
    """Where a person stands on a workshop's list."""

    REGISTERED = "registered"
    #: The workshop was full when they asked: offered a place when someone cancels.
    WAITING = "waiting"
    CANCELLED = "cancelled"


class Workshop(Base):
    """One scheduled session of a module (a parents' workshop), online or in a room."""

    __tablename__ = "workshop"
    __table_args__ = (
        Index("ix_workshop_school_starts", "school_id", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        personal_data(mentions=("host_id", "created_by_id"), erase="keep_anonymised"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    #: The catalogue module presented (a parents' workshop module).
    module_id: Mapped[str] = mapped_column(String(100))
    #: Start and end as UTC timestamps; shown in the school's time zone.
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    #: The online meeting's address (any video service), or None for a room.
    meeting_url: Mapped[Optional[str]] = mapped_column(String(500))
    #: Where it happens in school, when not (only) online.
    room: Mapped[Optional[str]] = mapped_column(String(200))
    #: Places; None: no limit.
    capacity: Mapped[Optional[int]]
    #: The member of staff who runs it (presents, shows the join code, ticks the register).
    host_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    #: Short random code shown on screen during the session; parents type it to record attendance.
    join_code: Mapped[Optional[str]] = mapped_column(String(12))
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    cancelled_at: Mapped[Optional[datetime]]
    #: When the coordinator emailed the invitation to the school's parents, and to how many it went.
    invited_at: Mapped[Optional[datetime]]
    invited_count: Mapped[Optional[int]]
    #: The attendance record written when the host closes the register (or the first attendee joins).
    attendance_id: Mapped[Optional[int]] = mapped_column(ForeignKey("attendance.id"))

    registrations: Mapped[list[WorkshopRegistration]] = relationship(
        back_populates="workshop", cascade="all, delete-orphan", lazy="select")


REGISTRATION_STATUS = Enum(RegistrationStatus, name="registration_status",
                           values_callable=lambda members: [m.value for m in members],
                           native_enum=False, length=20, validate_strings=True)


class WorkshopRegistration(Base):
    """A person's place on a workshop's list, and whether they came."""

    __tablename__ = "workshop_registration"
    __table_args__ = (
        UniqueConstraint("workshop_id", "user_id"),
        Index("ix_workshop_registration_user", "user_id"),
        personal_data(subject=("user_id",), erase="keep_anonymised"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    status: Mapped[RegistrationStatus] = mapped_column(REGISTRATION_STATUS)
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When the day-before reminder was sent (by email); None: not sent.
    reminded_at: Mapped[Optional[datetime]]
    #: When they were recorded present; None: not (yet) present.
    attended_at: Mapped[Optional[datetime]]
    #: ``code`` (they typed the join code) or ``host`` (the host ticked them).
    attendance_method: Mapped[Optional[str]] = mapped_column(String(10))

    workshop: Mapped[Workshop] = relationship(back_populates="registrations")


class WorkshopFeedback(Base):
    """An attendee's two answers after a workshop."""

    __tablename__ = "workshop_feedback"
    __table_args__ = (
        UniqueConstraint("workshop_id", "user_id"),
        CheckConstraint("usefulness BETWEEN 1 AND 5", name="usefulness_1_to_5"),
        personal_data(subject=("user_id",), erase="keep_anonymised", clear=("change",)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workshop_id: Mapped[int] = mapped_column(ForeignKey("workshop.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    #: How useful it was, 1 (not at all) to 5 (very).
    usefulness: Mapped[int]
    #: One thing to change (optional).
    change: Mapped[Optional[str]] = mapped_column(String(1000))
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
