"""``flask --app app import-roster``: the command-line side of roster import.

Prints the same report as the web preview. Invalid files print every error (line, column, reason)
and exit with status 1, changing nothing. Passwords are never printed: they are only on the login
cards, printed from the web.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask_babel import force_locale
from sqlalchemy import select

from eduplatform.academic_year import AcademicYear
from eduplatform.db import current_revision, db, head_revision
from eduplatform.roster.planning import MODES, RosterPlan
from eduplatform.schools.models import School
from eduplatform.schools.years import current_year


def _school(slug: str | None) -> School:
    if slug:
        school = db.session.scalar(select(School).where(School.slug == slug))
        if school is None:
            raise click.ClickException(f"No school with the slug '{slug}'.")
        return school
    schools = list(db.session.scalars(select(School).order_by(School.slug).limit(2)))
    if not schools:
        raise click.ClickException("There is no school yet: create one with "
                                   "'flask --app app create-school --name NAME --slug SLUG'.")
    if len(schools) > 1:
        slugs = ", ".join(db.session.scalars(select(School.slug).order_by(School.slug)))
        raise click.ClickException(f"There is more than one school: name one with --school ({slugs}).")
    return schools[0]


def _report(plan: RosterPlan, path: Path) -> None:
    click.echo(f"{path.name}: {plan.rows} people for {plan.school.name} ({plan.school.slug}), {plan.year.label}.")
    for notice in plan.notices:
        click.echo(f"  note{f' (line {notice.line})' if notice.line else ''}: {notice.reason}")
    if plan.errors:
        for error in plan.errors:
            where = ", ".join(part for part in (f"line {error.line}" if error.line else "",
                                                f"column {error.column}" if error.column else "") if part)
            click.echo(f"{where or 'file'}: {error.reason}", err=True)
        click.echo(f"{len(plan.errors)} error(s): nothing was changed.", err=True)
        return
    counts = plan.counts
    click.echo(f"  created {counts['created']}, updated {counts['updated']}, unchanged {counts['unchanged']}, "
               f"marked as left {counts['left']}, new classes {counts['classes_created']}")


def register(app: Flask) -> None:
    """Attach the roster commands to the app's CLI."""

    @app.cli.command("tidy")
    def tidy() -> None:
        """Remove roster uploads nobody confirmed or cancelled within 12 hours (run daily from cron)."""
        from eduplatform.roster.uploads import sweep_abandoned_uploads

        click.echo(f"Removed {sweep_abandoned_uploads()} abandoned upload file(s).")

    @app.cli.command("import-roster")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--school", "slug", help="The school's slug (needed when there is more than one school).")
    @click.option("--dry-run", is_flag=True, help="Show what would change, change nothing.")
    @click.option("--academic-year", default=None,
                  help="The year the academic year starts, e.g. 2027 for 2027/28 (default: the current one).")
    @click.option("--mode", type=click.Choice(MODES), default="add", show_default=True,
                  help="add: add and update the people in the file, nobody is marked as left; "
                       "sync: the file is the whole school, everyone not in it is marked as left.")
    @click.option("--yes-mark-left", "confirmed_leavers", type=int, default=None,
                  help="sync only: confirm how many people will be marked as left, when that is over 10%.")
    def import_roster(file: Path, slug: str | None, dry_run: bool, academic_year: str | None, mode: str,
                      confirmed_leavers: int | None) -> None:
        """Import people and classes from the school's MIS export (CSV), all or nothing."""
        from eduplatform.roster.services import apply_plan, plan_roster, prepare_secrets

        if current_revision(db.engine) != head_revision():
            raise click.ClickException("The database is not set up: run 'flask --app app init-db' first.")
        chosen = AcademicYear.parse(academic_year) if academic_year is not None else None
        if academic_year is not None and chosen is None:  # before: 99999, -5 and 0 were taken
            raise click.ClickException(f"'{academic_year}' is not an academic year: use the year it starts in, "
                                       "e.g. 2027 for 2027/28.")
        with force_locale(current_app.config["DEFAULT_LOCALE"]):
            school = _school(slug)
            year = chosen or current_year(school)
            plan = plan_roster(file.read_bytes(), school, year, mode=mode)
            _report(plan, file)
        if plan.errors:
            sys.exit(1)
        if plan.needs_typed_confirmation and not dry_run and confirmed_leavers != len(plan.leavers):
            by_role = ", ".join(f"{number} {role.value}" for role, number in plan.leavers_by_role())
            raise click.ClickException(
                f"{len(plan.leavers)} of the school's {plan.current_people} people would be marked as left "
                f"({by_role}). Nothing was imported. If the file really is the whole school, run again with "
                f"--yes-mark-left {len(plan.leavers)}; if it lists only some people, use --mode add.")
        if dry_run:
            click.echo("Dry run: nothing was changed.")
            return
        # The slow hashing first, with the write lock released; then plan again under it and apply.
        summary = plan.summary
        db.session.commit()
        secrets = prepare_secrets(plan)
        with force_locale(current_app.config["DEFAULT_LOCALE"]):
            plan = plan_roster(file.read_bytes(), school, year, mode=mode)
        if not plan.ok or plan.summary != summary:
            raise click.ClickException("The school's people changed while the file was checked: nothing was "
                                       "imported. Run the command again.")
        apply_plan(plan, filename=file.name, secrets=secrets)
        db.session.commit()
        click.echo("Imported. Passwords are not shown here: print the login cards from the web.")
