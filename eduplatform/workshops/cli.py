"""``flask --app app send-workshop-reminders``: email registered parents the day before their workshop.

Run it once a day from cron. Each place is reminded once: it is recorded when the mail server has
accepted the email, so a second run sends nothing. ``--dry-run`` needs no mail server and lists whom
it would email. A refused email is reported and not recorded (the next run tries again), the others
still go, and the command exits non-zero; so does a run with no mail server configured.
"""

from __future__ import annotations

from datetime import datetime

import click
from flask import Flask, current_app
from sqlalchemy import select

from eduplatform.academic_year import local_date
from eduplatform.catalogue import current_catalogue
from eduplatform.db import current_revision, db, head_revision, utcnow
from eduplatform.mail import MailConnectionError, Mailer, MailError, mail_configured, not_configured_message
from eduplatform.schools.models import School
from eduplatform.workshops.reminders import Reminder, build_reminder, plan_reminders
from eduplatform.workshops.services import mark_reminded


def describe(reminder: Reminder) -> str:
    """One line about a reminder: whom it is for and which workshop."""
    return (f"workshop reminder to {reminder.full_name} ({reminder.username}) <{reminder.email}>: "
            f"{reminder.workshop.module_id} at {reminder.workshop.starts_at:%Y-%m-%d %H:%M} UTC")


def register(app: Flask) -> None:
    """Attach the workshop commands to the app's CLI."""

    @app.cli.command("send-workshop-reminders")
    @click.option("--dry-run", is_flag=True, help="List whom it would email; send and record nothing.")
    @click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                  help="Act as if today were this day (YYYY-MM-DD). Default: each school's own date.")
    def send_workshop_reminders(dry_run: bool, today: datetime | None) -> None:
        """Email registered parents of workshops starting tomorrow (each place once)."""
        config = current_app.config
        if not dry_run and not mail_configured(config):
            raise click.ClickException(not_configured_message())
        if current_revision(db.engine) != head_revision():
            raise click.ClickException("The database is not set up: run 'flask --app app init-db' first.")
        reminders: list[Reminder] = []
        for school in db.session.scalars(select(School).order_by(School.name, School.id)):
            day = today.date() if today else local_date(utcnow(), school.time_zone)
            reminders += plan_reminders(school, day, config["LOCALES"], config["DEFAULT_LOCALE"])
        without_email = [reminder for reminder in reminders if reminder.email is None]
        for reminder in without_email:
            click.echo(f"{reminder.school.slug}: {reminder.full_name} ({reminder.username}): no email address, "
                       "not reminded")
        outgoing = [reminder for reminder in reminders if reminder.email is not None]
        if dry_run:
            for reminder in outgoing:
                click.echo(f"{reminder.school.slug}: would send {describe(reminder)}")
            click.echo(f"Dry run: would send {len(outgoing)} reminder(s); {len(without_email)} person(s) without "
                       "an email address. Nothing was sent or recorded.")
            return
        sent, not_sent = _send(outgoing)
        click.echo(f"Sent: {sent} reminder(s). Not sent: {len(not_sent)}. "
                   f"Skipped (no email address): {len(without_email)}.")
        if not_sent:
            raise click.ClickException(f"{len(not_sent)} email(s) were not sent (listed above). Nothing is "
                                       "recorded for them: the next run tries again.")


def _send(outgoing: list[Reminder]) -> tuple[int, list[str]]:
    """Send over one connection, recording each reminder once the server accepted it."""
    if not outgoing:
        return 0, []
    catalogue = current_catalogue()
    sent, not_sent, done = 0, [], 0
    try:
        with Mailer(current_app.config) as mailer:
            for reminder in outgoing:
                try:
                    mailer.send(build_reminder(catalogue, reminder))
                except MailConnectionError:
                    raise
                except MailError as error:
                    click.echo(f"{reminder.school.slug}: NOT SENT {describe(reminder)}: {error.reason}", err=True)
                    not_sent.append(describe(reminder))
                else:
                    mark_reminded(reminder.registration_id)
                    sent += 1
                    click.echo(f"{reminder.school.slug}: sent {describe(reminder)}")
                done += 1
    except MailConnectionError as error:
        click.echo(f"Cannot send email: {error.reason}.", err=True)
        for reminder in outgoing[done:]:
            click.echo(f"{reminder.school.slug}: NOT SENT {describe(reminder)}", err=True)
            not_sent.append(describe(reminder))
    return sent, not_sent
