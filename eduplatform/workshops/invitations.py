"""Emailing a workshop's invitation to the school's parents, once, from the workshop's page.

Who is invited: parents of the school who have not left, have an email address, have no place (or
waiting-list entry) yet, and have a child the workshop suits (a workshop for parents of under-8s is
not sent to parents of teenagers; see :meth:`eduplatform.catalogue.model.Module.suits_children_in`).
Each email is in the parent's language with a plain-text part. Messages the server refuses are
reported and not counted; the workshop records when the invitation went and to how many.
Callers: the coordinator (``workshops.invite_parents``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select

from eduplatform.accounts.models import ParentLink, User, UserRole
from eduplatform.catalogue.model import Catalogue
from eduplatform.db import db, utcnow
from eduplatform.i18n import _
from eduplatform.mail import Mailer, MailError, Message, absolute_url, recipient_locale
from eduplatform.roles import Role
from eduplatform.schools.models import School
from eduplatform.workshops.models import RegistrationStatus, Workshop, WorkshopRegistration
from eduplatform.workshops.queries import local_time


@dataclass(frozen=True)
class Invitee:
    user_id: int
    first_name: str
    full_name: str
    email: str
    locale: str


@dataclass(frozen=True)
class InvitationResult:
    sent: int
    #: (name, reason) of each message the server did not accept.
    not_sent: list[tuple[str, str]]


def invitees(workshop: Workshop, school: School, catalogue: Catalogue, offered: Sequence[str],
             site_default: str) -> list[Invitee]:
    """The parents to invite (three queries whatever their number)."""
    module = catalogue.modules.get(workshop.module_id)
    parents = db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(User.school_id == school.id, UserRole.role == Role.PARENT, User.left_at.is_(None),
               User.email.is_not(None), User.email != "",
               User.id.not_in(select(WorkshopRegistration.user_id).where(
                   WorkshopRegistration.workshop_id == workshop.id,
                   WorkshopRegistration.status != RegistrationStatus.CANCELLED)))
        .order_by(User.last_name, User.first_name, User.id)).all()
    year_groups: dict[int, set[int]] = defaultdict(set)
    for parent_id, year_group in db.session.execute(
            select(ParentLink.parent_id, User.year_group).join(User, User.id == ParentLink.child_id)
            .where(ParentLink.parent_id.in_([parent.id for parent in parents]), User.left_at.is_(None))):
        if year_group is not None:
            year_groups[parent_id].add(year_group)
    chosen = []
    for parent in parents:
        if module is not None and not module.suits_children_in(frozenset(year_groups[parent.id])):
            continue
        locale = recipient_locale(parent.locale, school.default_locale, offered, site_default)
        chosen.append(Invitee(parent.id, parent.first_name, parent.full_name, parent.email.strip(), locale))
    return chosen


def build_invitation(catalogue: Catalogue, workshop: Workshop, school: School, invitee: Invitee) -> Message:
    """The invitation email, in the parent's language (plain text and HTML)."""
    with force_locale(invitee.locale):
        content = catalogue.module_content(workshop.module_id, invitee.locale)
        subject = _("Invitation: %(title)s", title=content.title)
        context = {"subject": subject, "title": content.title, "summary": content.summary, "recipient": invitee,
                   "school_name": school.name, "workshop": workshop,
                   "starts": local_time(workshop.starts_at, school.time_zone),
                   "page_url": absolute_url("workshops.show_workshop", workshop_id=workshop.id)}
        return Message(to=invitee.email, subject=subject,
                       text=render_template("workshops/mail/invitation.txt", **context),
                       html=render_template("workshops/mail/invitation.html", **context))


def send_invitations(workshop: Workshop, school: School, catalogue: Catalogue, config: dict,
                     offered: Sequence[str], site_default: str) -> InvitationResult:
    """Email every invitee over one connection; record on the workshop when and to how many it went.

    Raises :class:`eduplatform.mail.MailError` when no connection can be made (nothing is recorded).
    """
    people = invitees(workshop, school, catalogue, offered, site_default)
    sent, not_sent = 0, []
    with Mailer(config) as mailer:
        for invitee in people:
            try:
                mailer.send(build_invitation(catalogue, workshop, school, invitee))
            except MailError as error:
                not_sent.append((invitee.full_name, str(error)))
            else:
                sent += 1
    workshop.invited_at = utcnow()
    workshop.invited_count = sent
    db.session.flush()
    return InvitationResult(sent=sent, not_sent=not_sent)
