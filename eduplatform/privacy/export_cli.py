"""``flask --app app export-person USERNAME --format json|pdf --out FILE``: one person's data export.

The same document the web gives (:mod:`eduplatform.privacy.export_views`), logged in the audit log
with the address "cli". ``--out`` is checked before any work, and the file is written beside it
and renamed at the end, so a failed job leaves no half-written copy of someone's data behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click
from flask import Flask, current_app
from sqlalchemy import select

from eduplatform.accounts.models import User
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.db import current_revision, db, head_revision


def register(app: Flask) -> None:
    """Attach ``export-person`` to the app's CLI."""

    @app.cli.command("export-person")
    @click.argument("username")
    @click.option("--format", "fmt", type=click.Choice(("json", "pdf")), default="json", show_default=True)
    @click.option("--out", required=True, help="The file to write.")
    def export_person(username: str, fmt: str, out: str) -> None:
        """Write everything held about one person (a subject access request) as JSON or PDF."""
        from eduplatform.pdf import PdfUnavailableError, pdf_unavailable_reason
        from eduplatform.privacy.export import personal_data_of, to_json
        from eduplatform.privacy.export_render import export_pdf

        if current_revision(db.engine) != head_revision():
            raise click.ClickException("The database is not set up: run 'flask --app app init-db' first.")
        person = db.session.scalar(select(User).where(User.username == username))
        if person is None:
            raise click.ClickException(f"No one has the username '{username}'.")
        if fmt == "pdf" and (problem := pdf_unavailable_reason()):
            raise click.ClickException(problem)
        target = Path(out).expanduser().resolve()
        if target.is_dir():
            raise click.ClickException(f"--out {out} is a folder: give a file name.")
        try:
            descriptor, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        except OSError as error:
            raise click.ClickException(f"Cannot write to {out}: {error.strerror or error}.") from error
        try:
            with os.fdopen(descriptor, "wb") as handle, current_app.test_request_context("/"):
                data = personal_data_of(person.id)
                handle.write(export_pdf(data) if fmt == "pdf" else to_json(data).encode())
            os.replace(temp_name, target)
        except (OSError, PdfUnavailableError) as error:
            Path(temp_name).unlink(missing_ok=True)
            raise click.ClickException(f"Could not write {out}: {error}") from error
        record_event(AuditAction.PERSONAL_DATA_EXPORTED, school_id=person.school_id, subject_user_id=person.id,
                     details={"format": fmt, "rows": data.row_count})
        db.session.commit()  # the job's own transaction: the entry is saved once the file is written
        click.echo(f"The personal data of {username} ({data.row_count} records) is in {out}.", err=True)
