"""``create-school`` and ``create-user``: setting up a real school from an empty database.

A new school runs, in order: ``init-db``, ``create-school``, ``create-user --role coordinator``
(which prints a first password the coordinator must change when they first sign in), then the
coordinator imports the roster on the web or with ``import-roster``. Bad input prints a clear
message, exits with status 1 and changes nothing.
"""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask_babel import force_locale
from sqlalchemy import select

from eduplatform.accounts.models import User
from eduplatform.accounts.services import create_user, issue_first_password
from eduplatform.db import current_revision, db, head_revision
from eduplatform.people.services import PersonChangeError, PersonDetails, add_person
from eduplatform.roles import Duty, Role
from eduplatform.schools.models import School, Trust
from eduplatform.schools.services import SchoolSetupError, create_school, find_or_create_trust
from eduplatform.schools.years import current_year


def _database_ready() -> None:
    if current_revision(db.engine) != head_revision():
        raise click.ClickException("The database is not set up: run 'flask --app app init-db' first.")


def _fail(message: str) -> click.ClickException:
    db.session.rollback()
    return click.ClickException(message)


def _names_from_username(username: str, last_name: str) -> tuple[str, str]:
    """``jo.patel`` gives Jo Patel, until the person's names are edited on the web."""
    first, _, rest = username.partition(".")
    if not first:
        raise _fail("Give a --first-name (or a --username to take the names from).")
    return first.title(), last_name or rest.replace(".", " ").title()


def register(app: Flask) -> None:
    """Attach the set-up commands to the app's CLI."""

    @app.cli.command("create-school")
    @click.option("--name", required=True, help="The school's name, e.g. 'Oakfield Primary School'.")
    @click.option("--slug", required=True, help="Short name: lower-case letters, digits, hyphens, e.g. oakfield.")
    @click.option("--trust", "trust_name", default=None, help="The trust it belongs to (created if new).")
    @click.option("--language", default="en", show_default=True, help="The school's default language code.")
    @click.option("--time-zone", default="Europe/London", show_default=True, help="The school's time zone.")
    def create_school_command(name: str, slug: str, trust_name: str | None, language: str, time_zone: str) -> None:
        """Add a school (and its trust). Then add its coordinator with create-user."""
        _database_ready()
        with force_locale(current_app.config["DEFAULT_LOCALE"]):
            try:
                trust = find_or_create_trust(trust_name) if trust_name else None
                school = create_school(name=name, slug=slug, trust=trust, default_locale=language,
                                       time_zone=time_zone)
            except SchoolSetupError as error:
                raise _fail(str(error)) from None
        db.session.commit()
        in_trust = f" in {trust.name} ({trust.slug})" if trust else ""
        click.echo(f"School created: {school.name} ({school.slug}){in_trust}.")
        if language not in current_app.config["LOCALES"]:
            click.echo(f"Note: the site does not offer '{language}' yet; pages show in "
                       f"{current_app.config['DEFAULT_LOCALE']} until it does.")
        click.echo(f"Next: flask --app app create-user --school {school.slug} --role coordinator "
                   "--username USERNAME --email EMAIL --first-name NAME --last-name NAME")

    @app.cli.command("create-user")
    @click.option("--school", "school_slug", default=None, help="The school's short name (not for admin or "
                  "trust_lead).")
    @click.option("--trust", "trust_slug", default=None, help="trust_lead only: the trust's short name.")
    @click.option("--role", "role_names", required=True, multiple=True,
                  type=click.Choice([role.value for role in Role]), help="A role; repeat for several.")
    @click.option("--duty", "duty_names", multiple=True, type=click.Choice([duty.value for duty in Duty]),
                  help="Staff only: dsl or deputy_dsl.")
    @click.option("--username", default=None, help="Sign-in name (made from the name when left out).")
    @click.option("--email", default=None, help="Email address (needed for Google or Microsoft sign-in).")
    @click.option("--first-name", default="", help="First name.")
    @click.option("--last-name", default="", help="Last name.")
    def create_user_command(school_slug: str | None, trust_slug: str | None, role_names: tuple[str, ...],
                            duty_names: tuple[str, ...], username: str | None, email: str | None,
                            first_name: str, last_name: str) -> None:
        """Add one person and print their first password, which they must change when they first sign in."""
        _database_ready()
        roles = frozenset(Role(name) for name in role_names)
        if not first_name:
            first_name, last_name = _names_from_username(username or "", last_name)
        with force_locale(current_app.config["DEFAULT_LOCALE"]):
            if roles & {Role.ADMIN, Role.TRUST_LEAD}:
                password, user = _create_overseer(roles, trust_slug, school_slug, username, email, first_name,
                                                  last_name)
            else:
                if not school_slug:
                    raise _fail("Name the school with --school SLUG.")
                school = db.session.scalar(select(School).where(School.slug == school_slug))
                if school is None:
                    raise _fail(f"No school with the short name '{school_slug}'. "
                                "Create it first with 'flask --app app create-school'.")
                details = PersonDetails(first_name=first_name, last_name=last_name, roles=roles, email=email,
                                        duties=frozenset(Duty(name) for name in duty_names), username=username)
                try:
                    user, secret = add_person(school, details, actor=None, year=current_year(school))
                except PersonChangeError as error:
                    raise _fail(str(error)) from None
                if secret.password is None:
                    raise _fail("Pupils of Nursery to Year 2 sign in with pictures: add them with the roster.")
                password = secret.password
        db.session.commit()
        click.echo(f"Created {', '.join(sorted(role.value for role in user.roles))} '{user.username}'.")
        click.echo(f"First password: {password}")
        click.echo("They sign in at the site's /login page with this username and password, and must choose "
                   "their own password straight away.")

    def _create_overseer(roles: frozenset[Role], trust_slug: str | None, school_slug: str | None,
                         username: str | None, email: str | None, first_name: str,
                         last_name: str) -> tuple[str, User]:
        if len(roles) > 1:
            raise _fail("An administrator or trust lead holds only that role.")
        if school_slug:
            raise _fail("Administrators and trust leads belong to no school: leave out --school.")
        trust_id = None
        if Role.TRUST_LEAD in roles:
            trust = db.session.scalar(select(Trust).where(Trust.slug == (trust_slug or "")))
            if trust is None:
                raise _fail("Name the trust lead's trust with --trust SLUG (an existing trust).")
            trust_id = trust.id
        if not username:
            raise _fail("Give administrators and trust leads a --username.")
        if db.session.scalar(select(User.id).where(User.username == username.strip().lower())) is not None:
            raise _fail(f"The username {username} is already taken.")
        user = create_user(username=username, first_name=first_name, last_name=last_name, roles=roles,
                           school_id=None, trust_id=trust_id, email=email)
        return issue_first_password(user), user
