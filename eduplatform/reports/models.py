"""The coordinator's part of the yearly audit: self-review ratings, the action plan, the sign-off.

One :class:`AuditReview` per school and academic year. Once signed it holds the whole audit as it
was signed (``frozen``, the JSON of :class:`eduplatform.reports.audit.Audit`) and nothing about it
changes again: later records do not alter a signed report.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduplatform.db import Base, personal_data, utcnow


class AuditReview(Base):
    """A school's self-review, action plan and sign-off for one academic year."""

    __tablename__ = "audit_review"
    __table_args__ = (UniqueConstraint("school_id", "academic_year"),
                      personal_data(mentions=("coordinator_id",), erase="keep_anonymised"))

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    academic_year: Mapped[int]
    #: The coordinator who signed it off, and the names and dates as signed.
    coordinator_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    coordinator_name: Mapped[Optional[str]] = mapped_column(String(200))
    coordinator_signed_on: Mapped[Optional[date]]
    #: The chair of governors who approved it (they need no account).
    chair_name: Mapped[Optional[str]] = mapped_column(String(200))
    chair_signed_on: Mapped[Optional[date]]
    signed_at: Mapped[Optional[datetime]]
    #: The audit as signed (its JSON); None until signed.
    frozen: Mapped[Optional[Any]] = mapped_column(JSON)

    ratings: Mapped[list[AspectRating]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    actions: Mapped[list[ActionPlanItem]] = relationship(cascade="all, delete-orphan", lazy="selectin",
                                                          order_by="ActionPlanItem.id")


class AspectRating(Base):
    """The coordinator's level (1 strongest ... 5 just starting), commentary and evidence for one aspect."""

    __tablename__ = "audit_aspect_rating"
    __table_args__ = (UniqueConstraint("review_id", "aspect_id"),
                      CheckConstraint("level IS NULL OR level BETWEEN 1 AND 5", name="level_range"),
                      personal_data(mentions=("updated_by_id",), erase="keep_anonymised"))

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("audit_review.id", ondelete="CASCADE"))
    #: The aspect's id in ``curriculum/self_review.yaml``.
    aspect_id: Mapped[str] = mapped_column(String(100))
    level: Mapped[Optional[int]]
    commentary: Mapped[str] = mapped_column(Text, default="")
    #: The evidence as the coordinator edited it; None keeps the sentence drafted from the records.
    evidence: Mapped[Optional[str]] = mapped_column(Text)
    updated_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ActionPlanItem(Base):
    """One action the school will take: who, by when, and whether it is done."""

    __tablename__ = "audit_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("audit_review.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(Text)
    #: Who will do it (a name or a role, as the school writes it).
    owner: Mapped[str] = mapped_column(String(200), default="")
    due_on: Mapped[Optional[date]]
    done: Mapped[bool] = mapped_column(default=False)
