"""``flask --app app export-audit-log``: one school's audit log as CSV, for a scheduled job.

The same rows, columns and formula-safe cells as the coordinator's download with the school and
"from" filters; logged the same way. The file is written beside ``--out`` and renamed at the end.
"""

from __future__ import annotations

from datetime import date

import click
from flask import Flask
from sqlalchemy import select

from eduplatform.academic_year import DEFAULT_TIME_ZONE
from eduplatform.audit.export import csv_text
from eduplatform.audit.models import AuditAction
from eduplatform.audit.queries import AuditLogFilters, log_entries
from eduplatform.audit.services import record_event
from eduplatform.db import current_revision, db, head_revision
from eduplatform.i18n import _
from eduplatform.reports.cli import _Output, _write
from eduplatform.schools.models import School


def _school(given: str) -> School:
    """The school named by its id or its slug, or a clear error (exit status 1)."""
    if current_revision(db.engine) != head_revision():
        raise click.ClickException("The database is not set up: run 'flask --app app init-db' first.")
    condition = School.id == int(given) if given.isdigit() else School.slug == given
    school = db.session.scalar(select(School).where(condition))
    if school is None:
        raise click.ClickException(f"No school with the id or slug '{given}'.")
    return school


def register(app: Flask) -> None:
    """Attach the audit-log export command to the app's CLI."""

    @app.cli.command("export-audit-log")
    @click.option("--school", "school_given", required=True, help="The school's id (or slug).")
    @click.option("--since", help="Only entries from this day on (YYYY-MM-DD, the school's time zone).")
    @click.option("--out", required=True, help="The file to write, or - for standard output.")
    def export_audit_log(school_given: str, since: str | None, out: str) -> None:
        """Write one school's audit log, newest first, as CSV."""
        db.read_only()
        try:
            day_from = date.fromisoformat(since) if since else None
        except ValueError:
            raise click.ClickException(f"--since {since} is not a day: write it as YYYY-MM-DD.") from None
        school = _school(school_given)
        filters = AuditLogFilters(school_ids=(school.id,), day_from=day_from,
                                  time_zone=school.time_zone or DEFAULT_TIME_ZONE)
        output = _Output(out)
        counted = [0]
        _write(output, csv_text(log_entries(filters, erased=_("Erased person")), command_line=_("the command line"),
                                unknown=_("someone unknown"), counted=counted))
        school_id = school.id  # read before the rollback expires the school
        db.session.rollback()  # the export only read: end its transaction before the entry is written
        record_event(AuditAction.AUDIT_LOG_EXPORTED, school_id=school_id,
                     details={**filters.described(), "rows": counted[0], "complete": True})
        if out != "-":
            click.echo(f"{counted[0]} entries written to {out}.", err=True)
