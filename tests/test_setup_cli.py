"""Setting up a real school from an empty database, without the demo: the README's steps.

``init-db``, ``create-school``, ``create-user --role coordinator``; the coordinator signs in with the
printed first password, chooses their own, imports the roster and prints a class's login cards;
a pupil signs in with their card.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from eduplatform.accounts.models import User
from eduplatform.db import db
from eduplatform.roles import Role
from eduplatform.schools.models import School, SchoolClass, Trust
from tests.conftest import Auth

ROSTER = "first_name,last_name,role,year_group,class\nAsha,Mistry,pupil,5,5K\nBen,Cole,staff,,5K\n"


@pytest.fixture
def cli(fresh_app):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    return runner


def count(app, model=User) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def first_password(output: str) -> str:
    found = re.search(r"First password: (\S+)", output)
    assert found, output
    return found.group(1)


def test_from_an_empty_database_to_a_signed_in_pupil(fresh_app, cli, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    empty = cli.invoke(args=["import-roster", str(roster)])
    assert empty.exit_code == 1 and "There is no school yet: create one with" in empty.output

    school = cli.invoke(args=["create-school", "--name", "Elm Tree Primary", "--slug", "elm-tree",
                              "--trust", "Valley Trust", "--language", "fr"])
    assert school.exit_code == 0, school.output
    assert "School created: Elm Tree Primary (elm-tree) in Valley Trust (valley-trust)." in school.output
    assert "does not offer 'fr' yet" in school.output

    coordinator = cli.invoke(args=["create-user", "--school", "elm-tree", "--role", "coordinator",
                                   "--username", "j.patel", "--email", "j.patel@elm.sch.uk", "--duty", "dsl"])
    assert coordinator.exit_code == 0, coordinator.output
    password = first_password(coordinator.output)
    with fresh_app.app_context():
        person = db.session.scalar(select(User).where(User.username == "j.patel"))
        assert (person.first_name, person.last_name, person.roles) == ("J", "Patel", {Role.COORDINATOR, Role.STAFF})
        assert {duty.value for duty in person.duties} == {"dsl"}
        assert db.session.scalar(select(School.default_locale)) == "fr"

    client = fresh_app.test_client()
    auth = Auth(client)
    assert auth.login("j.patel", password).headers["Location"].endswith("/account/password")
    changed = auth.post("/account/password", {"current_password": password, "new_password": "a-long-new-password",
                                              "confirm_password": "a-long-new-password"},
                        token_from="/account/password")
    assert changed.status_code == 302

    imported = cli.invoke(args=["import-roster", str(roster)])
    assert imported.exit_code == 0, imported.output
    assert "marked as left 0" in imported.output  # add and update: the default
    with fresh_app.app_context():
        class_id = db.session.scalar(select(SchoolClass.id).where(SchoolClass.name == "5K"))
    cards = client.get(f"/classes/{class_id}/cards").get_data(as_text=True)
    pupil_password = re.search(r'<dt>First password</dt><dd class="card-secret">([^<]+)</dd>', cards).group(1)

    pupil = Auth(fresh_app.test_client())
    with fresh_app.app_context():
        username = db.session.scalar(select(User.username).where(User.first_name == "Asha"))
    assert pupil.login(username, pupil_password).headers["Location"].endswith("/account/password")
    assert count(fresh_app, School) == 1 and count(fresh_app, Trust) == 1


@pytest.mark.parametrize(("args", "message"), [
    (["create-school", "--name", "Again", "--slug", "elm-tree"], "The short name elm-tree is already used"),
    (["create-school", "--name", "Bad", "--slug", "Bad Slug"], "A short name uses only lower-case letters"),
    (["create-school", "--name", "Far", "--slug", "far", "--time-zone", "Nowhere/Here"], "is not a time zone"),
    (["create-user", "--school", "nope", "--role", "coordinator", "--username", "x.y"],
     "No school with the short name 'nope'"),
    (["create-user", "--school", "elm-tree", "--role", "coordinator", "--username", "first.one"],
     "The username first.one is already taken"),
    (["create-user", "--role", "coordinator", "--username", "x.y"], "Name the school with --school SLUG."),
    (["create-user", "--role", "trust_lead", "--username", "t.l"], "Name the trust lead's trust with --trust"),
    (["create-user", "--school", "elm-tree", "--role", "admin", "--username", "a.b"],
     "Administrators and trust leads belong to no school"),
    (["create-user", "--school", "elm-tree", "--role", "governor", "--username", "g.h", "--duty", "dsl"],
     "Only staff can hold the DSL duty."),
])
def test_bad_set_up_commands_say_why_and_change_nothing(fresh_app, cli, args, message) -> None:
    assert cli.invoke(args=["create-school", "--name", "Elm", "--slug", "elm-tree"]).exit_code == 0
    assert cli.invoke(args=["create-user", "--school", "elm-tree", "--role", "coordinator",
                            "--username", "first.one"]).exit_code == 0
    before = (count(fresh_app), count(fresh_app, School))
    result = cli.invoke(args=args)
    assert result.exit_code == 1 and message in result.output, result.output
    assert (count(fresh_app), count(fresh_app, School)) == before


def test_an_administrator_and_a_trust_lead_from_the_command_line(fresh_app, cli) -> None:
    assert cli.invoke(args=["create-school", "--name", "Elm", "--slug", "elm", "--trust", "Valley"]).exit_code == 0
    admin = cli.invoke(args=["create-user", "--role", "admin", "--username", "site.admin"])
    lead = cli.invoke(args=["create-user", "--role", "trust_lead", "--trust", "valley", "--username", "v.lead",
                            "--first-name", "Val", "--last-name", "Lead"])
    assert admin.exit_code == 0 and lead.exit_code == 0, admin.output + lead.output
    auth = Auth(fresh_app.test_client())
    assert auth.login("site.admin", first_password(admin.output)).headers["Location"].endswith("/account/password")
    with fresh_app.app_context():
        trust_lead = db.session.scalar(select(User).where(User.username == "v.lead"))
        assert trust_lead.trust_id is not None and trust_lead.school_id is None


def test_commands_refuse_a_database_that_is_not_set_up(fresh_app) -> None:
    result = fresh_app.test_cli_runner().invoke(args=["create-school", "--name", "Elm", "--slug", "elm"])
    assert result.exit_code == 1 and "run 'flask --app app init-db' first" in result.output
