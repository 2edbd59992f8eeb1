"""Inviting a class's parents: who gets an invitation, the letters (one PDF page each) and the emails.

Each invitation carries a new one-time set-up code (:mod:`eduplatform.accounts.setup_codes`), so
issuing letters or emails ends the codes of earlier ones. Parents who already chose their own
password are not invited again. Letters and emails are in the parent's language (their own
choice, else the school's). Callers: :mod:`eduplatform.roster.invitation_views`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import Markup
from sqlalchemy import select

from eduplatform.academic_year import local_date
from eduplatform.accounts.models import ParentLink, User
from eduplatform.accounts.setup_codes import (
    VALID_DAYS,
    display_code,
    end_unused_codes,
    issue_setup_code,
    withdraw_setup_code,
)
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.db import db, utcnow
from eduplatform.i18n import _
from eduplatform.mail import MailConnectionError, Mailer, MailError, Message, absolute_url
from eduplatform.pdf import render_pdf
from eduplatform.schools.models import SchoolClass
from eduplatform.schools.queries import current_pupils_query


@dataclass
class ClassParent:
    """A parent of one or more pupils of the class, with those children's first names."""

    user: User
    children: list[str] = field(default_factory=list)

    @property
    def needs_invitation(self) -> bool:
        """No password of their own yet: none at all, or a first one they must change."""
        return self.user.password_hash is None or self.user.must_change_password


@dataclass(frozen=True)
class Invitation:
    """One letter or email: everything it shows, the code in plain text (never stored)."""

    parent_id: int
    first_name: str
    last_name: str
    username: str
    email: str | None
    children: tuple[str, ...]
    code: str
    valid_until: date
    locale: str


@dataclass
class EmailOutcome:
    """What happened to each email: sent, refused by the server (with why), or not tried."""

    sent: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    not_sent: list[str] = field(default_factory=list)


def class_parents(school_class: SchoolClass) -> list[ClassParent]:
    """The active parents of the class's current pupils, by name, each once (two queries)."""
    pupils = current_pupils_query(school_class.id).subquery()
    rows = db.session.execute(
        select(User, pupils.c.first_name)
        .join(ParentLink, ParentLink.parent_id == User.id)
        .join(pupils, pupils.c.id == ParentLink.child_id)
        .where(User.disabled_at.is_(None), User.left_at.is_(None))
        .order_by(User.last_name, User.first_name, User.id, pupils.c.first_name))
    parents: dict[int, ClassParent] = {}
    for user, child_first_name in rows:
        parents.setdefault(user.id, ClassParent(user)).children.append(child_first_name)
    return list(parents.values())


def _locale_of(user: User, school_class: SchoolClass) -> str:
    return user.locale or school_class.school.default_locale


def _invitation(parent: ClassParent, school_class: SchoolClass, issued_by: User, sent_by: str) -> Invitation:
    now = utcnow()
    code = issue_setup_code(parent.user, issued_by, sent_by, now, end_older=sent_by == "letter")
    expires_at = now + timedelta(days=VALID_DAYS)
    user = parent.user
    return Invitation(parent_id=user.id, first_name=user.first_name, last_name=user.last_name,
                      username=user.username, email=user.email, children=tuple(parent.children),
                      code=display_code(code), valid_until=local_date(expires_at, school_class.school.time_zone),
                      locale=_locale_of(user, school_class))


def issue_letters(parents: list[ClassParent], school_class: SchoolClass, issued_by: User) -> list[Invitation]:
    """New codes for every parent who needs an invitation, for printing; logs the issue. Flushes."""
    letters = [_invitation(parent, school_class, issued_by, "letter") for parent in parents
               if parent.needs_invitation]
    record_event(AuditAction.INVITATIONS_ISSUED, actor=issued_by, school_id=school_class.school_id,
                 details={"class_id": school_class.id, "sent_by": "letter", "count": len(letters)})
    return letters


def letters_pdf(letters: list[Invitation], school_class: SchoolClass) -> bytes:
    """One page per letter, each in its parent's language (raises PdfUnavailableError without WeasyPrint)."""
    setup_url = absolute_url("invitations.setup_account")
    pages = []
    for letter in letters:
        with force_locale(letter.locale):
            page = render_template("invitations/_letter_page.html", letter=letter, setup_url=setup_url,
                                   school_name=school_class.school.name)
            pages.append(Markup(page))  # noqa: S704 (a rendered, auto-escaped template)
    html = render_template("invitations/letters_document.html", pages=pages, title=_("Invitation letters"))
    return render_pdf(html, current_app.static_folder or "")


def _message(invitation: Invitation, school_name: str) -> Message:
    assert invitation.email is not None
    with force_locale(invitation.locale):
        subject = _("Your invitation to %(school)s's online-safety platform", school=school_name)
        context = {"invitation": invitation, "school_name": school_name, "subject": subject,
                   "setup_url": absolute_url("invitations.setup_account")}
        return Message(to=invitation.email, subject=subject,
                       text=render_template("invitations/mail/invitation.txt", **context),
                       html=render_template("invitations/mail/invitation.html", **context))


def email_invitations(parents: list[ClassParent], school_class: SchoolClass, issued_by: User) -> EmailOutcome:
    """Email a new code to every parent who needs an invitation and has an address.

    A code goes into the database before its email is sent (the email carries it); once the server
    accepted it, the parent's earlier codes end; when the server refuses the message the code is
    withdrawn again (earlier ones keep working), and when the connection is lost the rest are
    not tried. Logs how many were sent. Flushes. Raises MailConnectionError when no connection can
    be made at all (nothing is then issued).
    """
    outcome = EmailOutcome()
    school_name = school_class.school.name
    with Mailer(current_app.config) as mailer:
        for parent in parents:
            if not parent.needs_invitation or not parent.user.email:
                continue
            name = parent.user.full_name
            if outcome.not_sent:
                outcome.not_sent.append(name)
                continue
            invitation = _invitation(parent, school_class, issued_by, "email")
            try:
                mailer.send(_message(invitation, school_name))
            except MailConnectionError:
                withdraw_setup_code(invitation.code)
                outcome.not_sent.append(name)
                continue
            except MailError as error:
                withdraw_setup_code(invitation.code)
                outcome.refused.append((name, error.reason))
                continue
            end_unused_codes(parent.user.id, utcnow(), keep=invitation.code)  # earlier letters stop working
            outcome.sent.append(name)
    record_event(AuditAction.INVITATIONS_ISSUED, actor=issued_by, school_id=school_class.school_id,
                 details={"class_id": school_class.id, "sent_by": "email", "count": len(outcome.sent)})
    return outcome
