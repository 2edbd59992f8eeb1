"""Who ``send-workshop-reminders`` emails: registered parents of workshops starting tomorrow.

"Tomorrow" is the day after today in each workshop's school's time zone. Each place is reminded once
(``reminded_at``), only after the mail server accepted the email. The email, in the parent's language,
has a plain-text and an HTML part with the workshop's time, the meeting link and the calendar link.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select

from eduplatform.accounts.models import User
from eduplatform.catalogue.model import Catalogue
from eduplatform.db import db
from eduplatform.i18n import _
from eduplatform.mail import Message, absolute_url, recipient_locale
from eduplatform.schools.models import School
from eduplatform.workshops.models import RegistrationStatus, Workshop, WorkshopRegistration
from eduplatform.workshops.queries import local_time, to_utc


@dataclass(frozen=True)
class Reminder:
    """One reminder to send (or, without an address, to report)."""

    registration_id: int
    workshop: Workshop
    school: School
    user_id: int
    full_name: str
    first_name: str
    username: str
    email: str | None
    locale: str


def plan_reminders(school: School, today: date, offered: Sequence[str], site_default: str) -> list[Reminder]:
    """The reminders due for ``school`` on ``today`` (its local date): registered, not yet reminded."""
    tomorrow = datetime.combine(today + timedelta(days=1), datetime.min.time())
    start, end = to_utc(tomorrow, school.time_zone), to_utc(tomorrow + timedelta(days=1), school.time_zone)
    rows = db.session.execute(
        select(WorkshopRegistration.id, Workshop, User)
        .join(Workshop, Workshop.id == WorkshopRegistration.workshop_id)
        .join(User, User.id == WorkshopRegistration.user_id)
        .where(Workshop.school_id == school.id, Workshop.cancelled_at.is_(None),
               Workshop.starts_at >= start, Workshop.starts_at < end,
               WorkshopRegistration.status == RegistrationStatus.REGISTERED,
               WorkshopRegistration.reminded_at.is_(None), User.left_at.is_(None))
        .order_by(Workshop.starts_at, User.last_name, User.id))
    return [Reminder(registration_id, workshop, school, user.id, f"{user.first_name} {user.last_name}".strip(),
                     user.first_name, user.username, (user.email or "").strip() or None,
                     recipient_locale(user.locale, school.default_locale, offered, site_default))
            for registration_id, workshop, user in rows]


def build_reminder(catalogue: Catalogue, reminder: Reminder) -> Message:
    """The reminder email, in the parent's language (plain text and HTML)."""
    if reminder.email is None:
        raise ValueError(f"{reminder.username} has no email address")
    workshop = reminder.workshop
    with force_locale(reminder.locale):
        title = catalogue.module_content(workshop.module_id, reminder.locale).title
        subject = _("Tomorrow: %(title)s", title=title)
        context = {
            "subject": subject, "title": title, "recipient": reminder, "school_name": reminder.school.name,
            "starts": local_time(workshop.starts_at, reminder.school.time_zone),
            "ends": local_time(workshop.ends_at, reminder.school.time_zone),
            "workshop": workshop,
            "page_url": absolute_url("workshops.show_workshop", workshop_id=workshop.id),
            "calendar_url": absolute_url("workshops.calendar", workshop_id=workshop.id),
        }
        return Message(to=reminder.email, subject=subject,
                       text=render_template("workshops/mail/reminder.txt", **context),
                       html=render_template("workshops/mail/reminder.html", **context))
