"""Undoing a school's last roster import, for :data:`UNDO_DAYS` days.

People it marked as left come back; people it created are removed unless they already have
records (those stay, and are counted); people it updated get back their names, year group,
username, email, roles, secrets, this year's class, classes taught and children, exactly as the
import found them (:func:`eduplatform.roster.services.snapshot`). Classes it created stay (empty
classes harm nothing, and their codes may be printed). Sessions it ended stay ended.

Only the school's latest import that has not been undone can be undone, so imports are undone
newest first and each undo returns the school to the state the import found. Callers: the roster
result page (the school's coordinator).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import delete, select, union

from eduplatform.accounts.models import ParentLink, User, UserDuty, UserRole
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.crypto import decrypt_at_rest, is_encrypted
from eduplatform.db import db, utcnow
from eduplatform.i18n import _
from eduplatform.records.models import (
    AgreementSignature,
    Attendee,
    ConsentDecision,
    LessonRead,
    ModuleCompletion,
    QuizAttempt,
)
from eduplatform.roles import Duty, Role
from eduplatform.roster.models import RosterChange, RosterImport
from eduplatform.roster.services import SNAPSHOT_FIELDS
from eduplatform.schools.models import ClassMember, ClassTeacher, SchoolClass
from eduplatform.schools.services import lock_school
from eduplatform.signin.models import PictureSignInAttempt

UNDO_DAYS = 7
_DATES = {"started_on": date.fromisoformat}
_TIMES = {"left_at", "first_password_issued_at"}


class UndoRefusedError(ValueError):
    """The import cannot be undone; ``str(error)`` says why, for the coordinator."""


@dataclass(frozen=True)
class UndoResult:
    back_from_left: int
    removed: int
    #: Created by the import but with records since: kept.
    kept_with_records: int
    reverted: int


def why_not_undoable(record: RosterImport, now: datetime | None = None) -> str | None:
    """Why this import cannot be undone now, or None when it can."""
    if record.undone_at is not None:
        return _("This import has been undone already.")
    if (now or utcnow()) - record.imported_at > timedelta(days=UNDO_DAYS):
        return _("An import can be undone for %(days)s days only.", days=UNDO_DAYS)
    later = db.session.scalar(select(RosterImport.id).where(
        RosterImport.school_id == record.school_id, RosterImport.id > record.id, RosterImport.undone_at.is_(None)))
    if later is not None:
        return _("A later import came after this one: undo that one first.")
    return None


def _with_records(user_ids: list[int]) -> set[int]:
    """Those of ``user_ids`` with anything done or recorded since (sign-in tries included): one query."""
    if not user_ids:
        return set()
    columns = (LessonRead.user_id, QuizAttempt.user_id, ModuleCompletion.user_id, AgreementSignature.user_id,
               ConsentDecision.child_id, ConsentDecision.parent_id, Attendee.user_id, PictureSignInAttempt.user_id)
    return set(db.session.scalars(union(*(select(column).where(column.in_(user_ids)) for column in columns))))


def _restore(user: User, before: dict) -> None:
    for name in SNAPSHOT_FIELDS:
        value = before["fields"].get(name)
        if value is not None and name in _DATES:
            value = _DATES[name](value)
        elif value is not None and name in _TIMES:
            value = datetime.fromisoformat(value)
        elif value and name == "card_secret" and is_encrypted(value):
            value = decrypt_at_rest(value)
        setattr(user, name, value)
    roles = {Role(role) for role in before["roles"]}
    user.role_rows = [row for row in user.role_rows if row.role in roles] + [
        UserRole(role=role) for role in sorted(roles - user.roles)]
    if "duties" in before:  # imports before the duties column recorded none
        duties = {Duty(duty) for duty in before["duties"]}
        user.duty_rows = [row for row in user.duty_rows if row.duty in duties] + [
            UserDuty(duty=duty) for duty in sorted(duties - user.duties)]
    this_year = select(SchoolClass.id).where(SchoolClass.school_id == user.school_id,
                                             SchoolClass.academic_year == before["year"])
    for table, wanted in ((ClassMember, before["classes"]), (ClassTeacher, before["teaching"])):
        db.session.execute(delete(table).where(table.user_id == user.id, table.class_id.in_(this_year)))
        db.session.add_all(table(class_id=class_id, user_id=user.id) for class_id in wanted)
    db.session.execute(delete(ParentLink).where(ParentLink.parent_id == user.id))
    db.session.add_all(ParentLink(parent_id=user.id, child_id=child_id) for child_id in before["children"])


def undo_import(record: RosterImport, *, actor: User | None) -> UndoResult:
    """Undo ``record`` (see the module); raises :class:`UndoRefusedError` when it cannot be undone.

    The school's row is locked first, so an undo and an import (or two undos) never interleave.
    """
    lock_school(record.school_id)
    reason = why_not_undoable(record)
    if reason:
        raise UndoRefusedError(reason)
    changes = list(db.session.scalars(select(RosterChange).where(RosterChange.import_id == record.id)))
    people = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_([change.user_id for change in changes])))}
    back = removed = kept = reverted = 0
    for change in changes:
        user = people.get(change.user_id)
        if user is None:
            continue
        if change.kind == "left" and user.left_at is not None:
            user.left_at = None
            back += 1
        elif change.kind == "updated":
            _restore(user, change.before)
            reverted += 1
    db.session.flush()
    created = [change.user_id for change in changes if change.kind == "created" and change.user_id in people]
    with_records = _with_records(created)
    for user_id in created:
        user = people[user_id]
        if user_id in with_records:
            kept += 1
        else:
            db.session.delete(user)
            removed += 1
    record.undone_at, record.undone_by_id = utcnow(), actor.id if actor is not None else None
    db.session.flush()
    record_event(AuditAction.ROSTER_IMPORT_UNDONE, actor=actor, school_id=record.school_id,
                 details={"import_id": record.id, "back": back, "removed": removed, "kept": kept,
                          "reverted": reverted})
    return UndoResult(back_from_left=back, removed=removed, kept_with_records=kept, reverted=reverted)
