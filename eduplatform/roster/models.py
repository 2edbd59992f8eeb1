"""A log of roster imports: who imported what, and what changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from eduplatform.db import Base, personal_data, utcnow


class RosterImport(Base):
    """One applied roster import (dry runs and refused files are not recorded)."""

    __tablename__ = "roster_import"
    __table_args__ = (personal_data(mentions=("imported_by_id", "undone_by_id"), erase="keep_anonymised"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    #: Who ran it; None when run from the command line.
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: The uploaded file's name, as given.
    filename: Mapped[str] = mapped_column(String(255))
    academic_year: Mapped[int]
    rows: Mapped[int]
    created: Mapped[int]
    updated: Mapped[int]
    unchanged: Mapped[int]
    #: People in the school but not in the file, marked as left (records kept).
    left: Mapped[int]
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: ``add`` (add and update) or ``sync`` (full sync: people not in the file were marked as left).
    mode: Mapped[str] = mapped_column(String(8), default="add", server_default="sync")
    #: Set when the import was undone (:func:`eduplatform.roster.undo.undo_import`).
    undone_at: Mapped[Optional[datetime]]
    undone_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))


class RosterChange(Base):
    """What one import did to one person, kept so the import can be undone.

    ``kind`` is ``created`` (the account is new), ``updated`` (``before`` holds the account as it
    was: its fields, roles, this year's classes and classes taught, and children) or ``left``.
    """

    __tablename__ = "roster_change"
    __table_args__ = (personal_data(subject=("user_id",), erase="delete"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("roster_import.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    before: Mapped[Any] = mapped_column(JSON, default=dict)
