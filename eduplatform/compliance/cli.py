"""``flask --app app send-reminders``: the daily job that emails training reminders and weekly digests.

Run it once a day from cron. A second run the same day sends nothing: each message is recorded
once the mail server has accepted it, and nobody hears about one requirement more than once a
week. ``--dry-run`` needs no mail server: it lists whom it would email, and about what. A message
the server refuses or times out on is reported and not recorded (the next run tries again), the
others still go, and the command exits non-zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import click
from flask import Flask, current_app
from sqlalchemy import select

from eduplatform.academic_year import local_date
from eduplatform.catalogue import current_catalogue
from eduplatform.compliance.reminder_mail import build_message
from eduplatform.compliance.reminders import MailKind, Outgoing, SchoolPlan, plan_school, record_sent
from eduplatform.db import current_revision, db, head_revision, utcnow
from eduplatform.mail import MailConnectionError, Mailer, MailError, mail_configured, not_configured_message
from eduplatform.schools.models import School


@dataclass
class Tally:
    """What a run did (or would do), for its summary."""

    reminders: int = 0
    digests: int = 0
    skipped: int = 0
    not_sent: list[str] = field(default_factory=list)

    def count(self, outgoing: Outgoing) -> None:
        if outgoing.kind is MailKind.DIGEST:
            self.digests += 1
        else:
            self.reminders += 1


def describe(outgoing: Outgoing) -> str:
    """One line about an email: whom it is for and what it is about."""
    recipient = outgoing.recipient
    who = f"{recipient.full_name} ({recipient.username}) <{recipient.email}>"
    if outgoing.kind is MailKind.DIGEST:
        return f"weekly digest to {who}"
    about = ", ".join(f"{item.rule_id} {'overdue (was due' if item.overdue else 'due'} {item.due_on}"
                      f"{')' if item.overdue else ''}" for item in outgoing.items)
    return f"reminder to {who}: {about}"


def register(app: Flask) -> None:
    """Attach the training compliance commands to the app's CLI."""

    @app.cli.command("send-reminders")
    @click.option("--dry-run", is_flag=True, help="List whom it would email and about what; send and record nothing.")
    @click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                  help="Act as if today were this day (YYYY-MM-DD). Default: each school's own date.")
    @click.option("--school", "slug", default=None, help="Only this school (its slug). Default: every school.")
    def send_reminders(dry_run: bool, today: datetime | None, slug: str | None) -> None:
        """Email training reminders (due within 30 days or overdue) and coordinators' weekly digests."""
        config = current_app.config
        if not dry_run and not mail_configured(config):
            raise click.ClickException(not_configured_message())
        if current_revision(db.engine) != head_revision():
            raise click.ClickException("The database is not set up: run 'flask --app app init-db' first.")
        catalogue = current_catalogue()
        if not catalogue.training_rules:
            click.echo("No training rules (curriculum/training.yaml): nothing to remind anyone about.")
            return
        plans = [plan_school(catalogue, school, today.date() if today else today_of(school),
                             config["LOCALES"], config["DEFAULT_LOCALE"]) for school in _schools(slug)]
        tally = Tally()
        for plan in plans:
            for person in plan.without_email:
                click.echo(f"{plan.school_slug}: {person.full_name} ({person.username}): no email address, "
                           "not reminded")
            tally.skipped += len(plan.without_email)
        if dry_run:
            _dry_run(plans, tally, configured=mail_configured(config))
            return
        _send(plans, config, tally)
        click.echo(f"Sent: {tally.reminders} reminder(s), {tally.digests} digest(s). Not sent: "
                   f"{len(tally.not_sent)}. Skipped (no email address): {tally.skipped}.")
        if tally.not_sent:
            raise click.ClickException(f"{len(tally.not_sent)} email(s) were not sent (listed above). Nothing is "
                                       "recorded for them: the next run tries again.")


def today_of(school: School) -> date:
    """The school's calendar day now (in its time zone)."""
    return local_date(utcnow(), school.time_zone)


def _schools(slug: str | None) -> list[School]:
    query = select(School).order_by(School.name, School.id)
    if slug is not None:
        query = query.where(School.slug == slug)
    schools = list(db.session.scalars(query))
    if slug is not None and not schools:
        raise click.ClickException(f"No school with the slug '{slug}'.")
    return schools


def _send(plans: list[SchoolPlan], config: Mapping[str, Any], tally: Tally) -> None:
    """Send every planned email over one connection, recording each once the server accepted it."""
    pending = [(plan, outgoing) for plan in plans for outgoing in plan.outgoing]
    if not pending:
        return
    catalogue = current_catalogue()
    done = 0
    try:
        with Mailer(config) as mailer:
            for plan, outgoing in pending:
                try:
                    mailer.send(build_message(catalogue, plan, outgoing))
                except MailConnectionError:
                    raise
                except MailError as error:
                    click.echo(f"{plan.school_slug}: NOT SENT {describe(outgoing)}: {error.reason}", err=True)
                    tally.not_sent.append(describe(outgoing))
                else:
                    record_sent(plan, outgoing)
                    tally.count(outgoing)
                    click.echo(f"{plan.school_slug}: sent {describe(outgoing)}")
                done += 1
    except MailConnectionError as error:
        click.echo(f"Cannot send email: {error.reason}.", err=True)
        for plan, outgoing in pending[done:]:
            click.echo(f"{plan.school_slug}: NOT SENT {describe(outgoing)}", err=True)
            tally.not_sent.append(describe(outgoing))


def _dry_run(plans: list[SchoolPlan], tally: Tally, configured: bool) -> None:
    for plan in plans:
        for outgoing in plan.outgoing:
            click.echo(f"{plan.school_slug}: would send {describe(outgoing)}")
            tally.count(outgoing)
    click.echo(f"Dry run: would send {tally.reminders} reminder(s) and {tally.digests} digest(s); "
               f"{tally.skipped} person(s) without an email address. Nothing was sent or recorded.")
    if not configured:
        click.echo("Note: no mail server is configured (EDUPLATFORM_MAIL_SERVER), so a real run would fail.")
