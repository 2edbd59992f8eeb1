"""``flask --app app start-year``: store a school's programme for an academic year before its first record."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import select

from eduplatform.academic_year import AcademicYear
from eduplatform.catalogue import current_catalogue
from eduplatform.db import db
from eduplatform.records.programme import STARTED_BY_COORDINATOR, ensure_programme_snapshot
from eduplatform.schools.models import School
from eduplatform.schools.years import current_year


def register(app: Flask) -> None:
    """Attach the records commands to the app's CLI."""

    @app.cli.command("start-year")
    @click.option("--school", "slug", required=True, help="The school's slug.")
    @click.option("--year", "year_text", default=None, help="The academic year, e.g. 2026 or 2026/27 (default: now).")
    def start_year(slug: str, year_text: str | None) -> None:
        """Store the school's programme for the year (reports of that year use it). Safe to repeat."""
        school = db.session.scalar(select(School).where(School.slug == slug))
        if school is None:
            raise click.ClickException(f"No school with the slug '{slug}'.")
        year = AcademicYear.parse(year_text) if year_text else current_year(school)
        if year is None:
            raise click.ClickException(f"'{year_text}' is not an academic year: use the year it starts in, e.g. 2026.")
        snapshot = ensure_programme_snapshot(school.id, year, current_catalogue(), reason=STARTED_BY_COORDINATOR)
        db.session.commit()
        modules = len(snapshot.content["modules"])
        click.echo(f"{school.name}: the programme of {year.label} is stored ({modules} modules, "
                   f"taken {snapshot.taken_at:%Y-%m-%d %H:%M} UTC).")
