"""``flask import-roster``: the same report as the web, dry runs, errors and their exit code."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from eduplatform.accounts.models import User
from eduplatform.db import db
from eduplatform.roster.models import RosterImport
from eduplatform.schools.models import School
from eduplatform.schools.services import create_school

FIXTURES = Path(__file__).parent / "fixtures" / "roster"


@pytest.fixture
def cli(fresh_app):
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    return runner


def add_schools(app, *slugs: str) -> None:
    with app.app_context():
        for slug in slugs:
            create_school(name=slug.title(), slug=slug)
        db.session.commit()


def count(app, model=User) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_import_then_reimport(fresh_app, cli) -> None:
    add_schools(fresh_app, "oak")
    result = cli.invoke(args=["import-roster", str(FIXTURES / "this_year.csv")])
    assert result.exit_code == 0, result.output
    assert "this_year.csv: 11 people for Oak (oak)" in result.output
    assert "created 11, updated 0, unchanged 0, marked as left 0, new classes 5" in result.output
    assert "note (line 1): Columns not used by the import (ignored): Shoe Size." in result.output
    assert "print the login cards from the web" in result.output
    assert count(fresh_app) == 11 and count(fresh_app, RosterImport) == 1
    with fresh_app.app_context():
        secrets = list(db.session.scalars(select(User.card_secret)))
    assert not any(secret in result.output for secret in secrets)  # passwords only on the cards

    again = cli.invoke(args=["import-roster", str(FIXTURES / "this_year.csv")])
    assert again.exit_code == 0 and "created 0, updated 0, unchanged 11, marked as left 0" in again.output


def test_dry_run_changes_nothing(fresh_app, cli) -> None:
    add_schools(fresh_app, "oak")
    result = cli.invoke(args=["import-roster", str(FIXTURES / "this_year.csv"), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "created 11" in result.output and "Dry run: nothing was changed." in result.output
    assert count(fresh_app) == 0 and count(fresh_app, RosterImport) == 0


def test_errors_are_printed_with_a_non_zero_exit_and_nothing_changes(fresh_app, cli) -> None:
    add_schools(fresh_app, "oak")
    result = cli.invoke(args=["import-roster", str(FIXTURES / "with_errors.csv")])
    assert result.exit_code == 1
    assert "line 3, column first_name: This cell is empty but is required." in result.output
    assert 'line 4, column year_group: Unknown year group "Year 14"' in result.output
    assert 'line 5, column role: Unknown role "teacher"' in result.output
    assert "line 6, column email:" in result.output
    assert "4 error(s): nothing was changed." in result.output
    assert count(fresh_app) == 0


def test_a_whole_file_error(fresh_app, cli, tmp_path) -> None:
    add_schools(fresh_app, "oak")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = cli.invoke(args=["import-roster", str(empty)])
    assert result.exit_code == 1 and "file: The file is empty." in result.output


def test_the_school_must_be_named_when_there_are_several(fresh_app, cli) -> None:
    add_schools(fresh_app, "oak", "elm")
    result = cli.invoke(args=["import-roster", str(FIXTURES / "corrected.csv")])
    assert result.exit_code != 0 and "--school (elm, oak)" in result.output
    unknown = cli.invoke(args=["import-roster", str(FIXTURES / "corrected.csv"), "--school", "ash"])
    assert unknown.exit_code != 0 and "No school with the slug 'ash'" in unknown.output
    assert cli.invoke(args=["import-roster", str(FIXTURES / "corrected.csv"), "--school", "elm"]).exit_code == 0
    with fresh_app.app_context():
        slugs = set(db.session.scalars(select(School.slug).join(User, User.school_id == School.id)))
    assert slugs == {"elm"}


def test_next_year_with_the_academic_year_option(fresh_app, cli) -> None:
    add_schools(fresh_app, "oak")
    cli.invoke(args=["import-roster", str(FIXTURES / "this_year.csv"), "--academic-year", "2026"])
    result = cli.invoke(args=["import-roster", str(FIXTURES / "next_year.csv"), "--academic-year", "2027",
                              "--mode", "sync"])
    assert result.exit_code == 1 and "2 of the school's 11 people would be marked as left" in result.output
    assert "--yes-mark-left 2" in result.output  # 2 of 11 is over 10%: confirmed by number, or refused
    result = cli.invoke(args=["import-roster", str(FIXTURES / "next_year.csv"), "--academic-year", "2027",
                              "--mode", "sync", "--yes-mark-left", "2"])
    assert result.exit_code == 0, result.output
    assert "2027/28" in result.output
    assert "created 2, updated 7, unchanged 2, marked as left 2, new classes 5" in result.output


def test_the_database_must_be_set_up(fresh_app) -> None:
    result = fresh_app.test_cli_runner().invoke(args=["import-roster", str(FIXTURES / "corrected.csv")])
    assert result.exit_code != 0 and "init-db" in result.output


@pytest.mark.parametrize("year", ["99999", "-5", "0", "soon"])
def test_an_impossible_academic_year_is_refused(fresh_app, cli, year) -> None:
    add_schools(fresh_app, "oak")
    result = cli.invoke(args=["import-roster", str(FIXTURES / "this_year.csv"), "--academic-year", year])
    assert result.exit_code == 1 and f"'{year}' is not an academic year" in result.output
    assert count(fresh_app) == 0


def test_add_mode_is_the_default_and_marks_nobody_as_left(fresh_app, cli, tmp_path) -> None:
    """Before: a 4-line "new starters" file marked everyone else in the school as left."""
    add_schools(fresh_app, "oak")
    assert cli.invoke(args=["import-roster", str(FIXTURES / "this_year.csv")]).exit_code == 0
    starters = tmp_path / "starters.csv"
    starters.write_text("first_name,last_name,role,year_group,class\nNew,Starter,pupil,5,5K\n", encoding="utf-8")
    result = cli.invoke(args=["import-roster", str(starters)])
    assert result.exit_code == 0 and "created 1, updated 0, unchanged 0, marked as left 0" in result.output
    with fresh_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(User.left_at.is_not(None))) == 0
