"""Where to get help: the contacts every school shares (``content/<locale>/help.yaml``) joined
with the school's own: its DSL and deputies (staff holding the duty) and its local contacts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from eduplatform.accounts.models import User, UserDuty
from eduplatform.catalogue.model import Catalogue, HelpContact, HelpKind
from eduplatform.db import db
from eduplatform.i18n import _
from eduplatform.roles import Duty, Role
from eduplatform.schools.models import School


def safeguarding_leads(school_id: int) -> list[tuple[User, Duty]]:
    """The school's current DSL(s) then deputies, by name (people who left or are disabled are not named)."""
    rows = db.session.execute(
        select(User, UserDuty.duty).join(UserDuty, UserDuty.user_id == User.id)
        .where(User.school_id == school_id, User.left_at.is_(None), User.disabled_at.is_(None))
        .order_by(User.last_name, User.first_name, User.id)).all()
    return sorted(((user, duty) for user, duty in rows), key=lambda row: row[1] is not Duty.DSL)


def _lead_names(school_id: int) -> list[tuple[str, Duty]]:
    """The names of :func:`safeguarding_leads`, DSLs first: one light statement (no whole accounts),
    as every lesson page shows them."""
    rows = db.session.execute(
        select(User.first_name, User.last_name, UserDuty.duty).join(UserDuty, UserDuty.user_id == User.id)
        .where(User.school_id == school_id, User.left_at.is_(None), User.disabled_at.is_(None))
        .order_by(User.last_name, User.first_name, User.id)).all()
    return sorted(((f"{first} {last}".strip(), duty) for first, last, duty in rows),
                  key=lambda row: row[1] is not Duty.DSL)


def school_dsl_contact(school: School, audiences: frozenset[str]) -> HelpContact | None:
    """The school's own DSL entry (names from the duty, how to reach them from the settings), if set."""
    leads = _lead_names(school.id)
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
    local = [HelpContact(contact.name, contact.detail, audiences) for contact in school.help_contacts
             if (contact.for_pupils if pupil else contact.for_adults)]
    generic_dsl = [contact for contact in shared if contact.id == "dsl"]
    others = [contact for contact in shared if contact.id != "dsl"]
    return [*([own_dsl] if own_dsl else generic_dsl), *local, *others]
