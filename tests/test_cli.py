"""The flask commands: init-db, seed-demo, check-content, and start-up refusing bad content."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from eduplatform import create_app
from eduplatform.accounts.models import ParentLink, User
from eduplatform.catalogue import ContentError
from eduplatform.db import current_revision, db, head_revision
from eduplatform.schools.models import SchoolClass
from tests.conftest import CATALOGUE, test_settings

ROOT = Path(__file__).resolve().parent.parent
README_ACCOUNTS = ["coordinator", "dsl", "teacher", "staff", "governor", "parent", "pupil.ks2", "pupil.ks3",
                   "pupil.ks4"]


def test_init_db_creates_and_is_safe_to_repeat(fresh_app) -> None:
    runner = fresh_app.test_cli_runner()
    for _ in range(2):
        result = runner.invoke(args=["init-db"])
        assert result.exit_code == 0, result.output
        assert "Database ready at revision" in result.output
    with fresh_app.app_context():
        assert current_revision(db.engine) == head_revision()


def test_seed_demo_needs_the_database_first(fresh_app) -> None:
    result = fresh_app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "init-db" in result.output


def test_seed_demo_builds_the_school_and_prints_passwords(fresh_app) -> None:
    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["init-db"])
    result = runner.invoke(args=["seed-demo", "--password", "demo-password"])
    assert result.exit_code == 0, result.output
    for username in README_ACCOUNTS:
        assert f"{username:24} demo-password" in result.output
    with fresh_app.app_context():
        year_groups = set(db.session.scalars(select(SchoolClass.year_group)))
        assert set(range(0, 12)) <= year_groups  # Reception to Year 11
        parent = db.session.scalar(select(User).where(User.username == "parent"))
        assert db.session.scalar(select(func.count()).select_from(ParentLink)
                                 .where(ParentLink.parent_id == parent.id)) == 2
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code != 0 and "already has" in again.output
    assert runner.invoke(args=["seed-demo", "--if-empty"]).exit_code == 0


def test_seed_demo_is_deterministic(tmp_path) -> None:
    usernames = []
    for run in range(2):
        app = create_app(test_settings(tmp_path / f"i{run}", f"sqlite:///{tmp_path / f'd{run}.sqlite3'}"))
        runner = app.test_cli_runner()
        runner.invoke(args=["init-db"])
        runner.invoke(args=["seed-demo", "--password", "demo-password", "--seed", "7"])
        with app.app_context():
            usernames.append(list(db.session.scalars(select(User.username).order_by(User.id))))
        app.extensions["eduplatform.db"].engine.dispose()
    assert usernames[0] == usernames[1]


def test_demo_accounts_can_sign_in(fresh_app) -> None:
    runner = fresh_app.test_cli_runner()
    runner.invoke(args=["init-db"])
    runner.invoke(args=["seed-demo", "--password", "demo-password"])
    from tests.conftest import Auth

    for username in README_ACCOUNTS:
        client = fresh_app.test_client()
        assert Auth(client).login(username, "demo-password").status_code == 302, username
        assert client.get("/").status_code == 200


def test_check_content_reports_coverage_gaps_with_a_failing_exit(app) -> None:
    result = app.test_cli_runner().invoke(args=["check-content"])
    assert result.exit_code == 1
    assert "Strand coverage" in result.output and "Reading level" in result.output
    assert "no module with quiz questions covers strand 'copyright_ownership'" in result.output


def _broken_catalogue(tmp_path: Path) -> Path:
    root = tmp_path / "catalogue"
    shutil.copytree(CATALOGUE, root)
    quiz = root / "content/en/modules/ks3-footprint/quiz.yaml"
    quiz.write_text(quiz.read_text().replace("strand: online_reputation", "strand: astrology", 1))
    return root


def test_bad_content_stops_start_up_naming_the_file(tmp_path) -> None:
    root = _broken_catalogue(tmp_path)
    settings = test_settings(tmp_path, f"sqlite:///{tmp_path / 'x.sqlite3'}")
    settings.update(CURRICULUM_PATH=str(root / "curriculum"), CONTENT_PATH=str(root / "content"))
    with pytest.raises(ContentError) as raised:
        create_app(settings)
    assert "content/en/modules/ks3-footprint/quiz.yaml: question 'q1': unknown strand 'astrology'" in str(raised.value)


def test_the_entry_point_exits_with_the_problem_instead_of_a_traceback(tmp_path) -> None:
    root = _broken_catalogue(tmp_path)
    env = {**os.environ, "EDUPLATFORM_CURRICULUM_PATH": str(root / "curriculum"),
           "EDUPLATFORM_CONTENT_PATH": str(root / "content"), "EDUPLATFORM_INSTANCE_PATH": str(tmp_path / "i")}
    result = subprocess.run([sys.executable, "-c", "import app"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 2
    assert "unknown strand 'astrology'" in result.stderr and "Traceback" not in result.stderr
