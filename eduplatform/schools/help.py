"""Where to get help: the contacts every school shares (``content/<locale>/help.yaml``) joined
with the school's own: its DSL and deputies (staff holding the duty) and its local contacts.

Every lesson page shows the help box, so a school's own part (lead names, local contacts) is kept
in memory for :data:`SCHOOL_HELP_SECONDS`. A change written in this process clears the school's
entry when it commits (SQLAlchemy session events); another worker sees it once its entry expires.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import ORMExecuteState, Session

from eduplatform.accounts.models import User, UserDuty
from eduplatform.catalogue.model import Catalogue, HelpContact, HelpKind
from eduplatform.db import db
from eduplatform.i18n import _
from eduplatform.roles import Duty, Role
from eduplatform.schools.models import School, SchoolHelpContact

#: How long a worker keeps a school's help box (its own changes clear it at once).
SCHOOL_HELP_SECONDS = 30.0


@dataclass(frozen=True)
class _SchoolHelp:
    """A school's own part of the help box, as read from the database."""

    leads: tuple[tuple[str, Duty], ...]
    #: (name, detail, for_pupils, for_adults) of the school's own contacts, in order.
    contacts: tuple[tuple[str, str, bool, bool], ...]
    read_at: float


_school_help: dict[int, _SchoolHelp] = {}
#: ``Session.info`` key: the schools (or ``None``: every school) whose help box this transaction changes.
_CHANGED = "eduplatform.help_changed"
_WATCHED = (User, UserDuty, SchoolHelpContact, School)
_WATCHED_TABLES = frozenset(model.__tablename__ for model in _WATCHED)


def _current_leads(school_id: int, *columns: Any) -> list[Any]:
    """``columns`` and the duty of the school's current DSL(s) then deputies, by name (people who left
    or are disabled are not named): one statement."""
    rows = db.session.execute(
        select(*columns, UserDuty.duty).join(UserDuty, UserDuty.user_id == User.id)
        .where(User.school_id == school_id, User.left_at.is_(None), User.disabled_at.is_(None))
        .order_by(User.last_name, User.first_name, User.id)).all()
    return sorted(rows, key=lambda row: row[-1] is not Duty.DSL)


def safeguarding_leads(school_id: int) -> list[tuple[User, Duty]]:
    """The school's current DSL(s) then deputies, as whole accounts (the settings page links to them)."""
    return [(user, duty) for user, duty in _current_leads(school_id, User)]


def _lead_names(school_id: int) -> list[tuple[str, Duty]]:
    """The names of :func:`safeguarding_leads` only (no whole accounts), for the help box."""
    return [(f"{first} {last}".strip(), duty)
            for first, last, duty in _current_leads(school_id, User.first_name, User.last_name)]


def _own_help(school_id: int) -> _SchoolHelp:
    """The school's lead names and own contacts: from memory when read in the last
    :data:`SCHOOL_HELP_SECONDS`, else two light statements."""
    now = time.monotonic()
    kept = _school_help.get(school_id)
    if kept is not None and now - kept.read_at < SCHOOL_HELP_SECONDS:
        return kept
    contacts = db.session.execute(
        select(SchoolHelpContact.name, SchoolHelpContact.detail, SchoolHelpContact.for_pupils,
               SchoolHelpContact.for_adults)
        .where(SchoolHelpContact.school_id == school_id).order_by(SchoolHelpContact.id)).all()
    read = _SchoolHelp(tuple(_lead_names(school_id)), tuple(tuple(row) for row in contacts), now)
    _school_help[school_id] = read
    return read


def forget_school_help(school_id: int | None = None) -> None:
    """Drop the kept help box of one school (or of every school): the next page reads it again."""
    if school_id is None:
        _school_help.clear()
    else:
        _school_help.pop(school_id, None)


@event.listens_for(Session, "after_flush")
def _note_help_changes(session: Session, _context: Any) -> None:
    """Remember which schools' help boxes this transaction changed (cleared when it commits)."""
    changed = session.info.setdefault(_CHANGED, set())
    for item in (*session.new, *session.dirty, *session.deleted):
        if isinstance(item, School):
            changed.add(item.id)
        elif isinstance(item, User | SchoolHelpContact):
            changed.add(item.school_id)
        elif isinstance(item, UserDuty):
            changed.add(None)  # the duty row does not carry the school


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_help_changes(state: ORMExecuteState) -> None:
    """A bulk UPDATE or DELETE of people, duties or contacts may change any school's help box."""
    if (state.is_update or state.is_delete) and getattr(state.statement, "table", None) is not None \
            and state.statement.table.name in _WATCHED_TABLES:
        state.session.info.setdefault(_CHANGED, set()).add(None)


@event.listens_for(Session, "after_commit")
def _forget_changed_help(session: Session) -> None:
    for school_id in session.info.pop(_CHANGED, ()):
        forget_school_help(school_id)


@event.listens_for(Session, "after_soft_rollback")
def _forget_help_after_rollback(session: Session, _previous: Any) -> None:
    """Flushed then rolled back (a savepoint, or all): forgetting is harmless, keeping could leave a
    read of rows that were never committed. The set stays for the outer transaction's commit."""
    for school_id in session.info.get(_CHANGED, ()):
        forget_school_help(school_id)


def school_dsl_contact(school: School, audiences: frozenset[str]) -> HelpContact | None:
    """The school's own DSL entry (names from the duty, how to reach them from the settings), if set."""
    leads = _own_help(school.id).leads
    if not leads and not school.dsl_contact:
        return None
    names = "; ".join(_("%(name)s (DSL)", name=name) if duty is Duty.DSL
                      else _("%(name)s (deputy DSL)", name=name) for name, duty in leads)
    detail = " ".join(part for part in (f"{names}." if names else "", school.dsl_contact or "") if part)
    return HelpContact(str(Duty.DSL.title), detail, audiences, id="dsl", kind=HelpKind.DSL)


def where_to_get_help(person: Any, catalogue: Catalogue, locale: str) -> list[HelpContact]:
    """The help box for ``person``: the school's DSL (or the shared "ask for the DSL" entry), the
    school's own contacts for pupils or adults, then the shared contacts of the person's audiences.

    Callers: any page that shows "Where to get help" (lessons), for the signed-in person.
    """
    audiences = catalogue.audience_ids_of(person)
    shared = catalogue.help_for(audiences, locale)
    school: School | None = getattr(person, "school", None)
    if school is None:
        return list(shared)
    own_dsl = school_dsl_contact(school, audiences)
    pupil = Role.PUPIL in person.roles
    local = [HelpContact(name, detail, audiences) for name, detail, for_pupils, for_adults
             in _own_help(school.id).contacts if (for_pupils if pupil else for_adults)]
    generic_dsl = [contact for contact in shared if contact.id == "dsl"]
    others = [contact for contact in shared if contact.id != "dsl"]
    return [*([own_dsl] if own_dsl else generic_dsl), *local, *others]
