"""The append-only audit log.

Entries are only ever added: nothing updates or deletes one (retention, a later feature, removes
entries older than the school's period as a whole).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Optional

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from eduplatform.db import Base, personal_data, utcnow


class AuditAction(StrEnum):
    """What happened. Stored as text, so later features add actions without a migration."""

    #: Someone other than the person opened a person's record.
    PERSON_RECORD_VIEWED = "person_record_viewed"
    #: A CSV export was downloaded (web) or written (command line).
    EXPORT_DOWNLOADED = "export_downloaded"
    #: The yearly audit was downloaded as a file (PDF, JSON, CSV, HTML).
    AUDIT_DOWNLOADED = "audit_downloaded"
    #: The yearly audit was signed off and frozen.
    AUDIT_SIGNED = "audit_signed"
    #: A person was added one by one (not by a roster import).
    PERSON_ADDED = "person_added"
    #: A person's details, roles or duties were changed one by one.
    PERSON_CHANGED = "person_changed"
    #: An account was disabled, or enabled again.
    ACCOUNT_DISABLED = "account_disabled"
    ACCOUNT_ENABLED = "account_enabled"
    #: A new first password was issued to an adult by a coordinator or administrator.
    PASSWORD_RESET = "password_reset"  # noqa: S105 (an action name, not a password)
    #: A trust or school was created, or its settings (language, time zone, help, sign-on) changed.
    SCHOOL_CREATED = "school_created"
    SCHOOL_CHANGED = "school_changed"
    TRUST_CHANGED = "trust_changed"
    #: A roster import was undone.
    ROSTER_IMPORT_UNDONE = "roster_import_undone"
    #: Training done elsewhere (a local authority course) was recorded for a person, or removed.
    TRAINING_RECORDED_ELSEWHERE = "training_recorded_elsewhere"
    TRAINING_ELSEWHERE_REMOVED = "training_elsewhere_removed"
    #: Parents' invitations (one-time set-up codes) were printed as letters or emailed, for a class.
    INVITATIONS_ISSUED = "invitations_issued"
    #: Signing in: with a password (or Google/Microsoft), with pictures, and failures (with the address).
    SIGNED_IN = "signed_in"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGNED_OUT = "signed_out"
    #: A person changed their own password (after a first password or by choice).
    PASSWORD_CHANGED = "password_changed"  # noqa: S105 (an action name, not a password)
    #: MFA set up, switched off (by the person or reset by an administrator), a recovery code used.
    MFA_ENABLED = "mfa_enabled"
    MFA_DISABLED = "mfa_disabled"
    MFA_RECOVERY_CODE_USED = "mfa_recovery_code_used"
    #: Roles or safeguarding duties of a person changed (details list what was added and removed).
    ROLES_CHANGED = "roles_changed"
    #: A roster file was imported (details: mode and counts).
    ROSTER_IMPORTED = "roster_imported"
    #: Login cards (with first passwords or pictures) were shown or printed, for a class or a person.
    LOGIN_CARDS_VIEWED = "login_cards_viewed"
    #: New pictures or a new first password were given to a pupil by a teacher.
    PICTURES_RESET = "pictures_reset"
    #: A parent's consent decision was recorded or changed (details: the item and the answer).
    CONSENT_CHANGED = "consent_changed"
    #: A safeguarding concern was read (issue: report a worry).
    CONCERN_READ = "concern_read"
    #: The audit log itself was exported.
    AUDIT_LOG_EXPORTED = "audit_log_exported"
    #: Everything held about one person was exported (a subject access request), as JSON or PDF.
    PERSONAL_DATA_EXPORTED = "personal_data_exported"
    #: A person was erased on request (their account becomes an anonymous stub).
    PERSON_ERASED = "person_erased"
    #: The retention purge ran (details: the counts removed per kind, and those kept with reasons).
    PURGE_RUN = "purge_run"
    #: The school's retention periods changed.
    RETENTION_CHANGED = "retention_changed"
    #: A backup was taken or restored (command line).
    BACKUP_TAKEN = "backup_taken"
    BACKUP_RESTORED = "backup_restored"


class AuditEvent(Base):
    """One thing someone did that the school must be able to account for."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_school_at", "school_id", "at"),
        # What a person did (with the address they did it from) is about them as much as what was done to them.
        personal_data(subject=("subject_user_id", "actor_id"), erase="keep_anonymised", clear=("address",)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The school the event belongs to (whose coordinator sees it); None for platform-wide events.
    school_id: Mapped[Optional[int]] = mapped_column(ForeignKey("school.id"))
    #: Who did it; None for the command line and for sign-in attempts by unknown names.
    actor_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(40))
    #: The person the event is about, when it is about one person.
    subject_user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: What exactly: the export kind and filters, the number of rows, the year, the format.
    details: Mapped[Any] = mapped_column(JSON, default=dict)
    #: The client's address for web requests; "cli" for the command line.
    address: Mapped[Optional[str]] = mapped_column(String(64))
