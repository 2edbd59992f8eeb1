"""``flask --app app <command>``: the batch jobs of administrators and coordinators."""

from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask_babel import force_locale

from eduplatform.catalogue import current_catalogue
from eduplatform.catalogue.quiz_balance import quiz_balance
from eduplatform.catalogue.report import programme_problems, reading_levels, strand_coverage, translation_coverage
from eduplatform.catalogue.statement_coverage import statement_report_lines
from eduplatform.db import current_revision, db, head_revision, upgrade_database


def _database_ready() -> bool:
    return current_revision(db.engine) == head_revision()


def register_commands(app: Flask) -> None:
    """Attach every command to the app's CLI."""
    from eduplatform.audit.cli import register as register_audit_log_commands
    from eduplatform.compliance.cli import register as register_compliance_commands
    from eduplatform.people.cli import register as register_people_commands
    from eduplatform.privacy.backup_cli import register as register_backup_commands
    from eduplatform.privacy.export_cli import register as register_export_commands
    from eduplatform.privacy.purge import register as register_purge_commands
    from eduplatform.records.cli import register as register_records_commands
    from eduplatform.reports.cli import register as register_reports_commands
    from eduplatform.roster.cli import register as register_roster_commands
    from eduplatform.workshops.cli import register as register_workshop_commands

    register_people_commands(app)
    register_audit_log_commands(app)
    register_roster_commands(app)
    register_records_commands(app)
    register_reports_commands(app)
    register_compliance_commands(app)
    register_workshop_commands(app)
    register_purge_commands(app)
    register_backup_commands(app)
    register_export_commands(app)

    @app.cli.command("init-db")
    def init_db() -> None:
        """Create the database or upgrade it to the newest schema (safe to run every time)."""
        upgrade_database(db.engine)
        click.echo(f"Database ready at revision {current_revision(db.engine)}.")

    @app.cli.command("db-revision")
    @click.option("-m", "--message", required=True, help="What the migration changes.")
    def db_revision(message: str) -> None:
        """Developers: write a new migration from the difference between the models and the database."""
        from alembic import command

        from eduplatform.db import alembic_config

        with db.engine.connect() as connection:
            command.revision(alembic_config(connection), message=message, autogenerate=True)

    @app.cli.command("seed-demo")
    @click.option("--password", default=None, help="Give every demo account this password.")
    @click.option("--seed", default=2026, show_default=True, help="Random seed for the demo people.")
    @click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when people already exist.")
    def seed_demo_command(password: str | None, seed: int, if_empty: bool) -> None:
        """Build the demo school and print each account's password. Refuses a database with people in it."""
        from eduplatform.accounts.services import count_real_users
        from eduplatform.demo.seed import seed_demo

        if not _database_ready():
            raise click.ClickException("The database is not set up: run 'flask --app app init-db' first.")
        existing = count_real_users()
        if existing:
            if if_empty:
                click.echo(f"The database already has {existing} people: demo data not added.")
                return
            raise click.ClickException(
                f"The database already has {existing} people. The demo is only added to an empty database.")
        if password is not None and len(password) < 8:
            raise click.ClickException("Use a demo password of at least 8 characters.")
        with force_locale(current_app.config["DEFAULT_LOCALE"]):
            accounts = seed_demo(password=password, seed=seed)
        db.session.commit()
        click.echo(f"Demo school created with {accounts.people} people. Sign in at http://127.0.0.1:5000/login")
        click.echo(f"{'username':24} password")
        for username, chosen in accounts.named.items():
            click.echo(f"{username:24} {chosen}")
        click.echo(f"{'(every other account)':24} {accounts.shared_password}")
        click.echo(f"pupil.ks1 can also sign in by tapping: http://127.0.0.1:5000/tap/{accounts.ks1_class_code} "
                   f"then Leo P., then {', '.join(accounts.ks1_pictures)}")

    @app.cli.command("check-content")
    def check_content() -> None:
        """Validate curriculum and content; print strand coverage and reading levels. Non-zero on problems."""
        catalogue = current_catalogue()  # loading already checked every file
        click.echo(f"Content loaded: {len(catalogue.modules)} modules, {len(catalogue.agreements)} agreements, "
                   f"locales {', '.join(catalogue.locales)}.")
        click.echo("\nModules per audience:")
        for audience in catalogue.audiences.values():
            modules = catalogue.modules_for((audience.id,))
            lessons = sum(len(m.lesson_ids) for m in modules)
            questions = sum(len(q.questions) for m in modules
                            if (q := catalogue.module_content(m.id, catalogue.fallback_locale).quiz))
            click.echo(f"  {audience.id:10} modules {len(modules):3}  lessons {lessons:3}  questions {questions:4}")
        click.echo("\nStrand coverage (modules / quiz questions):")
        strands = catalogue.strands
        click.echo("  " + " " * 10 + "".join(f"{s[:12]:>14}" for s in strands))
        for row in strand_coverage(catalogue):
            cells = "".join(f"{row.modules_per_strand[s]:>8} / {row.questions_per_strand[s]:<3}" for s in strands)
            click.echo(f"  {row.audience_id:10}{cells}")
        click.echo("\nReading level (Flesch-Kincaid grade; reading age = grade + 5):")
        for audience_id, level in reading_levels(catalogue).items():
            click.echo(f"  {audience_id:10} grade {level.grade:5.1f}   words {level.words:6}")
        click.echo("\nQuiz balance (one-answer = single + picture; longest = correct option strictly longest):")
        for row in quiz_balance(catalogue):
            spread = " ".join(f"{letter}:{count}" for letter, count in row.correct_positions.items())
            click.echo(f"  {row.audience_id:10} one-answer {row.one_answer:3} (pictures {row.pictures:2})  "
                       f"longest {row.longest_correct:3} ({row.longest_share:4.0%})  positions {spread:24}  "
                       f"true/false {row.keyed_true}/{row.keyed_false}  multiple one-wrong "
                       f"{row.multiple_one_wrong}/{row.multiple}  <3 options {row.few_options}")
        click.echo("\n" + "\n".join(statement_report_lines(catalogue)))
        click.echo(f"\nTranslation coverage (texts written in the locale, of all; the rest shown in "
                   f"'{catalogue.fallback_locale}'):")
        for cover in translation_coverage(catalogue, tuple(current_app.config["LOCALES"])):
            click.echo(f"  {cover.locale:4} {cover.audience_id:10} {cover.translated:4} / {cover.total:<4} "
                       f"({cover.translated / (cover.total or 1):4.0%})")
        problems = programme_problems(catalogue)
        if problems:
            click.echo(f"\n{len(problems)} problem(s) with the programme:", err=True)
            for problem in problems:
                click.echo(f"  {problem}", err=True)
            sys.exit(1)
        click.echo("\nContent OK.")
