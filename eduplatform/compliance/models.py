"""What the reminders have sent, so a person hears about one requirement at most once a week."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from eduplatform.db import Base, personal_data, utcnow


class ReminderSent(Base):
    """One email sent by ``send-reminders``: a reminder about one rule, or a coordinator's digest.

    Written only after the mail server accepted the message, so a refused message is tried again
    on the next run.
    """

    __tablename__ = "reminder_sent"
    __table_args__ = (
        Index("ix_reminder_sent_user_rule", "user_id", "rule_id", "sent_on"),
        personal_data(subject=("user_id",), erase="delete"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    #: The recipient.
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    #: ``reminder`` (about one rule) or ``digest`` (the coordinator's weekly list).
    kind: Mapped[str] = mapped_column(String(20))
    #: The training rule reminded about; None for a digest.
    rule_id: Mapped[Optional[str]] = mapped_column(String(100))
    #: The school's calendar day it was sent (the once-a-week check compares days).
    sent_on: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
