"""Teacher-led sessions: a lesson taught to a class, and who was there."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduplatform.db import Base, utcnow


class TeachingSession(Base):
    """A teacher ran a module's lessons (or its agreement) with a class; completion follows attendance."""

    __tablename__ = "teaching_session"
    __table_args__ = (Index("ix_teaching_session_class_year", "class_id", "academic_year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"))
    #: The teacher who led it (recorded as ``recorded_by`` on the completions it creates).
    teacher_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    #: Catalogue id of the module taught, or of the agreement the class signed together.
    module_id: Mapped[str | None] = mapped_column(String(100))
    agreement_id: Mapped[str | None] = mapped_column(String(100))
    academic_year: Mapped[int]
    held_at: Mapped[datetime] = mapped_column(default=utcnow)

    attendees: Mapped[list[TeachingSessionAttendee]] = relationship(cascade="all, delete-orphan")


class TeachingSessionAttendee(Base):
    """A pupil who was present at a teacher-led session."""

    __tablename__ = "teaching_session_attendee"

    session_id: Mapped[int] = mapped_column(ForeignKey("teaching_session.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True, index=True)
