"""Picture sign-in attempts: the evidence the guess limits count."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from eduplatform.db import Base, personal_data, utcnow


class PictureSignInAttempt(Base):
    """One try at a pupil's secret pictures on a class sign-in page."""

    __tablename__ = "picture_sign_in_attempt"
    __table_args__ = (Index("ix_picture_sign_in_attempt_class_at", "class_id", "attempted_at"),
                      Index("ix_picture_sign_in_attempt_user_at", "user_id", "attempted_at"),
        personal_data(subject=("user_id",), erase="delete"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    succeeded: Mapped[bool]
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
