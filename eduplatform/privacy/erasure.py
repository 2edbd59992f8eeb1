"""Erasing one person: everything that identifies them goes; their learning records stay, anonymous.

The work is driven by the personal data map (``eduplatform.db.personal_data`` on each table, see
``docs/decisions.md`` §4 and §12), never by a hand-kept list of tables:

* rows of tables marked ``delete`` that are about the person (a subject column names them, or they
  belong to such a row through ``via``) are deleted;
* rows of tables marked ``keep_anonymised`` stay, pointing at the account, and their ``clear``
  columns (a typed signature, a comment) are emptied;
* the account itself (``person``) becomes an anonymous stub: no name, email, external id,
  passwords, pictures, MFA, avatar, start date or language; a new session token (signed out
  everywhere); ``erased_at`` set. The site shows it as "Erased person". Its school, roles, year group
  and dates stay, so the school's figures (which governors sign) do not change.

Rows that only mention the person (who recorded a completion, who hosted a workshop) stay and point
at the stub. :func:`plan_erasure` counts what :func:`erase` would do, with the same filters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, String, Table, delete, func, or_, select, update

from eduplatform.accounts.models import User
from eduplatform.accounts.services import new_session_token
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.db import Base, db, import_models, utcnow
from eduplatform.i18n import _
from eduplatform.privacy.holds import holds_of


class ErasureRefusedError(Exception):
    """The person must be kept: ``reasons`` says why (readable, translated sentences)."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(" ".join(reasons))
        self.reasons = reasons


@dataclass
class ErasurePlan:
    """What erasing one person does (or did): rows removed and rows kept anonymised, per table."""

    person_id: int
    #: table name -> rows about the person that are (or will be) deleted.
    removed: dict[str, int] = field(default_factory=dict)
    #: table name -> rows about the person kept without their name (``clear`` columns emptied).
    kept: dict[str, int] = field(default_factory=dict)

    @property
    def removed_total(self) -> int:
        return sum(self.removed.values())

    @property
    def kept_total(self) -> int:
        return sum(self.kept.values())

    def as_details(self) -> dict[str, Any]:
        """Counts only, for the audit log (no names)."""
        return {"removed": dict(self.removed), "kept": dict(self.kept)}


def marked_tables() -> list[tuple[Table, dict[str, Any]]]:
    """Every table with a personal data mark, in dependency order (a table before those pointing at it)."""
    import_models()
    return [(table, table.info["personal_data"]) for table in Base.metadata.sorted_tables
            if "personal_data" in table.info]


def _about(table: Table, mark: dict[str, Any], user_id: int) -> ColumnElement[bool] | None:
    """The filter for ``table``'s rows about the person (subject columns, or ``via`` their parent row)."""
    if mark["via"]:
        column = table.c[mark["via"]]
        parent_column = next(iter(column.foreign_keys)).column
        parent = parent_column.table
        parent_filter = _about(parent, parent.info["personal_data"], user_id)
        if parent_filter is None:
            return None
        return column.in_(select(parent_column).where(parent_filter))
    subjects = [table.c[name] == user_id for name in mark["subject"]]
    return or_(*subjects) if subjects else None


def _empty(column: Any) -> Any:
    """The value a cleared column gets: an empty string for text (constraints may need a value), else NULL."""
    return "" if isinstance(column.type, String) else None


def plan_erasure(person: User) -> ErasurePlan:
    """What erasing ``person`` would remove and keep, counted per table (one query per marked table)."""
    plan = ErasurePlan(person.id)
    for table, mark in marked_tables():
        about = _about(table, mark, person.id) if mark["erase"] != "person" else None
        if about is None:
            continue
        rows = db.session.scalar(select(func.count()).select_from(table).where(about)) or 0
        if rows:
            (plan.removed if mark["erase"] == "delete" else plan.kept)[table.name] = rows
    return plan


def erase(person: User) -> ErasurePlan:
    """Erase ``person`` (holds are the caller's business): delete, clear, and make the account a stub.

    Flushes; the caller commits. Callers: :func:`erase_on_request` and the purge.
    """
    plan = plan_erasure(person)
    for table, mark in reversed(marked_tables()):  # rows pointing at others go first
        about = _about(table, mark, person.id) if mark["erase"] != "person" else None
        if about is None:
            continue
        if mark["erase"] == "delete":
            db.session.execute(delete(table).where(about))
        elif mark["clear"]:
            db.session.execute(update(table).where(about).values(
                {name: _empty(table.c[name]) for name in mark["clear"]}))
    _make_stub(person)
    db.session.flush()
    db.session.expire(person, ["duty_rows"])
    return plan


def _make_stub(person: User) -> None:
    now = utcnow()
    person.username = f"erased-{person.id}"
    person.first_name = person.last_name = ""
    person.email = person.external_id = None
    person.password_hash = person.mfa_secret = person.picture_secret_hash = person.card_secret = None
    person.must_change_password = False
    person.first_password_issued_at = person.sign_in_blocked_until = None
    person.mfa_last_step = None
    person.failed_sign_ins = 0
    person.avatar = person.locale = None
    person.started_on = None
    person.session_token = new_session_token()
    person.disabled_at = person.disabled_at or now
    person.left_at = person.left_at or now
    person.erased_at = now


def erase_on_request(person: User, *, actor: Any, today: date) -> ErasurePlan:
    """Erase one person on request, unless a hold applies (then :class:`ErasureRefusedError` with the reasons).

    Logged as ``PERSON_ERASED`` with the counts. Callers: the erase page (the person's school's
    coordinator, or an administrator) and ``flask erase-person`` (``actor`` None). Flushes.
    """
    if person.erased_at is not None:
        raise ErasureRefusedError([_("This person has already been erased.")])
    reasons = holds_of(person, today, actor)
    if reasons:
        raise ErasureRefusedError(reasons)
    plan = erase(person)
    record_event(AuditAction.PERSON_ERASED, actor=actor, school_id=person.school_id, subject_user_id=person.id,
                 details=plan.as_details())
    return plan

