"""``flask --app app export`` and ``flask --app app audit``: the records and the audit for scheduled jobs.

Both give exactly what the web pages give for the same school, trust and year. They check their
arguments and that ``--out`` can be written before any work; they write to a temporary file beside
``--out`` and rename it at the end, so a killed job never leaves a truncated file behind.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import click
from flask import Flask, current_app
from sqlalchemy import select

from eduplatform.academic_year import AcademicYear
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.catalogue import current_catalogue
from eduplatform.db import current_revision, db, head_revision
from eduplatform.reports.exports import KINDS, columns_of, csv_chunks, export_rows
from eduplatform.reports.rows import STATES_OF_KIND, Filters
from eduplatform.reports.scope import Scope, build_scope, trust_schools
from eduplatform.schools.models import School, Trust
from eduplatform.schools.years import current_year


def _scope(year_text: str | None, school_slug: str | None, trust_slug: str | None) -> Scope:
    """The schools and year named on the command line, or a clear error (exit status 1)."""
    if current_revision(db.engine) != head_revision():
        raise click.ClickException("The database is not set up: run 'flask --app app init-db' first.")
    if school_slug and trust_slug:
        raise click.ClickException("Name a school (--school) or a trust (--trust), not both.")
    trust = None
    if trust_slug:
        trust = db.session.scalar(select(Trust).where(Trust.slug == trust_slug))
        if trust is None:
            raise click.ClickException(f"No trust with the slug '{trust_slug}'.")
        schools = trust_schools(trust)
        if not schools:
            raise click.ClickException(f"The trust '{trust_slug}' has no schools.")
    elif school_slug:
        school = db.session.scalar(select(School).where(School.slug == school_slug))
        if school is None:
            raise click.ClickException(f"No school with the slug '{school_slug}'.")
        schools = [school]
    else:
        schools = list(db.session.scalars(select(School).order_by(School.slug)))
        if len(schools) != 1:
            names = ", ".join(s.slug for s in schools) or "none yet"
            raise click.ClickException(f"Name the school (--school) or the trust (--trust): {names}.")
    year = AcademicYear.parse(year_text) if year_text else current_year(schools[0])
    if year is None:
        raise click.ClickException(f"'{year_text}' is not an academic year: use the year it starts in, e.g. 2026.")
    return build_scope(schools, year, current_catalogue(), trust=trust if len(schools) > 1 else None)


class _Output:
    """Where the file goes: standard output, or a temporary file renamed onto ``--out`` at the end."""

    def __init__(self, out: str, binary: bool = False):
        self.out, self.binary, self.temp_path = out, binary, None
        self.handle: IO[Any]
        if out == "-":
            self.handle = sys.stdout.buffer if binary else sys.stdout
            return
        target = Path(out).expanduser().resolve()
        if target.is_dir():
            raise click.ClickException(f"--out {out} is a folder: give a file name.")
        try:
            descriptor, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        except OSError as error:
            raise click.ClickException(f"Cannot write to {out}: {error.strerror or error}.") from error
        self.target, self.temp_path = target, Path(name)
        self.handle = os.fdopen(descriptor, "wb" if binary else "w", encoding=None if binary else "utf-8",
                                newline=None if binary else "")

    def finish(self) -> None:
        if self.temp_path is None:
            self.handle.flush()
            return
        self.handle.close()
        os.replace(self.temp_path, self.target)

    def abandon(self) -> None:
        if self.temp_path is not None:
            self.handle.close()
            self.temp_path.unlink(missing_ok=True)


def _write(output: _Output, chunks: Iterator[Any] | Callable[[], Any]) -> None:
    try:
        if callable(chunks):
            output.handle.write(chunks())
        else:
            for chunk in chunks:
                output.handle.write(chunk)
        output.finish()
    except BaseException:
        output.abandon()
        raise


def register(app: Flask) -> None:
    """Attach the export and audit commands to the app's CLI."""

    @app.cli.command("export")
    @click.argument("kind", type=click.Choice(KINDS))
    @click.option("--year", "year_text", help="The academic year, e.g. 2026 or 2026/27 (default: now).")
    @click.option("--school", "school_slug", help="One school's slug.")
    @click.option("--trust", "trust_slug", help="A trust's slug: every school of the trust.")
    @click.option("--audience", help="Only this audience (ks1, staff, parents...).")
    @click.option("--status", help="Only rows with this status.")
    @click.option("--no-bom", is_flag=True, help="Leave out the UTF-8 byte order mark.")
    @click.option("--out", required=True, help="The file to write, or - for standard output.")
    def export_command(kind: str, year_text: str | None, school_slug: str | None, trust_slug: str | None,
                       audience: str | None, status: str | None, no_bom: bool, out: str) -> None:
        """Write the rows of one export (completions, agreements, attempts, consents) as CSV."""
        db.read_only()
        scope = _scope(year_text, school_slug, trust_slug)
        if audience is not None and scope.any_programme().audience(audience) is None:
            known = ", ".join(a.id for a in scope.any_programme().audiences)
            raise click.ClickException(f"No audience '{audience}' in the programme of {scope.year.label}: {known}.")
        if status is not None and status not in STATES_OF_KIND[kind]:
            raise click.ClickException(f"No status '{status}' in {kind}: {', '.join(STATES_OF_KIND[kind])}.")
        output = _Output(out)
        catalogue = current_catalogue()
        counted = [0]

        def rows() -> Iterator[list[Any]]:
            for row in export_rows(kind, scope, Filters(audience=audience, status=status),
                                   current_year(scope.schools[0]).start_year, catalogue):
                counted[0] += 1
                yield row

        _write(output, csv_chunks(columns_of(kind, catalogue.strands), rows(), bom=not no_bom))
        for school in scope.schools:
            record_event(AuditAction.EXPORT_DOWNLOADED, school_id=school.id,
                         details={"kind": kind, "year": scope.year.start_year, "format": "csv", "rows": counted[0],
                                  "complete": True, "filters": {k: v for k, v in (("audience", audience),
                                                                                  ("status", status)) if v}})
        if out != "-":
            click.echo(f"{counted[0]} rows written to {out}.", err=True)

    @app.cli.command("audit")
    @click.option("--year", "year_text", help="The academic year, e.g. 2026 or 2026/27 (default: now).")
    @click.option("--school", "school_slug", help="One school's slug.")
    @click.option("--trust", "trust_slug", help="A trust's slug: the trust rolled up, with each school.")
    @click.option("--format", "fmt", type=click.Choice(("html", "pdf", "json", "csv")), default="pdf",
                  show_default=True)
    @click.option("--out", required=True, help="The file to write, or - for standard output.")
    def audit_command(year_text: str | None, school_slug: str | None, trust_slug: str | None, fmt: str,
                      out: str) -> None:
        """Write the yearly e-safety programme audit (a signed year reads back exactly as signed)."""
        from eduplatform.pdf import PdfUnavailableError, pdf_unavailable_reason
        from eduplatform.reports.audit_build import build_audit
        from eduplatform.reports.audit_render import audit_file
        from eduplatform.reports.services import find_review

        db.read_only()
        scope = _scope(year_text, school_slug, trust_slug)
        if fmt == "pdf" and (problem := pdf_unavailable_reason()):
            raise click.ClickException(problem)
        output = _Output(out, binary=fmt == "pdf")
        with current_app.test_request_context("/"):
            catalogue = current_catalogue()
            review = find_review(scope.schools[0].id, scope.year) if len(scope.schools) == 1 else None
            audit = build_audit(scope, catalogue, current_app.config["DEFAULT_LOCALE"], review)
            try:
                body = audit_file(audit, fmt)
            except PdfUnavailableError as error:
                output.abandon()
                raise click.ClickException(str(error)) from error
        _write(output, lambda: body)
        for school in scope.schools:
            record_event(AuditAction.AUDIT_DOWNLOADED, school_id=school.id,
                         details={"year": scope.year.start_year, "format": fmt, "signed": audit.signed})
        if out != "-":
            click.echo(f"The {fmt.upper()} audit of {audit.subject['name']} for {audit.year_label} is in {out}.",
                       err=True)
