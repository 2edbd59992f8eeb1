"""A real school starts: the README's "Setting up your school" steps, then Google sign-in, in Chromium.

This module runs its own site on an empty SQLite database (no demo, no seeded school), set up with
the real commands (``init-db``, ``create-school``, ``create-user``), with Google sign-in pointed at
a real OpenID Connect provider on 127.0.0.1 (:mod:`tests.oidc_provider`).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips (or fails) every test here with one reason
    expect = None

from conftest import test_settings

from eduplatform import create_app
from eduplatform.db import db
from tests.oidc_provider import LocalOIDCProvider

from .conftest import ACTION_TIMEOUT_MS

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ROSTER = ("first_name,last_name,role,year_group,class,email\n"
          "Asha,Mistry,pupil,5,5K,\n"
          "Ben,Cole,staff,,5K,b.cole@elm.sch.uk\n")


@dataclass
class EmptySite:
    url: str
    app: Any
    idp: LocalOIDCProvider

    def run(self, *args: str) -> str:
        result = self.app.test_cli_runner().invoke(args=list(args))
        assert result.exit_code == 0, result.output
        return result.output


@pytest.fixture(scope="module")
def site(chromium_executable: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmptySite]:
    from werkzeug.serving import make_server

    folder = tmp_path_factory.mktemp("empty-site")
    with LocalOIDCProvider() as idp:
        settings = test_settings(folder / "instance", f"sqlite:///{folder / 'site.sqlite3'}")
        settings.update(SSO_GOOGLE_CLIENT_ID="eduplatform-test", SSO_GOOGLE_CLIENT_SECRET="test-secret",
                        SSO_GOOGLE_METADATA_URL=idp.metadata_url)
        app = create_app(settings)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield EmptySite(url=f"http://127.0.0.1:{server.port}", app=app, idp=idp)
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=10)
            with app.app_context():
                db.engine.dispose()


@pytest.fixture
def open_page(browser: Browser, site: EmptySite) -> Iterator[Any]:
    contexts = []

    def open_one() -> Page:
        context = browser.new_context(base_url=site.url, locale="en-GB", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_one
    for context in contexts:
        context.close()


def _sign_in(page: Page, username: str, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def _choose_password(page: Page, first: str, chosen: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Change password")
    page.get_by_label("Current password").fill(first)
    page.get_by_label("New password", exact=True).fill(chosen)
    page.get_by_label("New password again").fill(chosen)
    page.get_by_role("button", name="Change password").click()


def test_a_new_school_sets_up_from_the_command_line_and_a_pupil_signs_in(site: EmptySite, open_page,
                                                                         tmp_path) -> None:
    site.run("init-db")
    site.run("create-school", "--name", "Elm Tree Primary", "--slug", "elm-tree")
    printed = site.run("create-user", "--school", "elm-tree", "--role", "coordinator", "--username", "j.patel",
                       "--email", "j.patel@elm.sch.uk", "--first-name", "Jaya", "--last-name", "Patel")
    first_password = re.search(r"First password: (\S+)", printed).group(1)

    coordinator = open_page()
    _sign_in(coordinator, "j.patel", first_password)
    _choose_password(coordinator, first_password, "elm-tree-coordinator-2026")
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Hello, Jaya")

    roster = tmp_path / "elm-roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    coordinator.get_by_role("link", name="Import people").click()
    coordinator.get_by_label("CSV file from your school's MIS").set_input_files(roster)
    coordinator.get_by_role("button", name="Check the file").click()
    expect(coordinator.get_by_label("What the import will do")).to_contain_text("New people2")
    expect(coordinator.get_by_label("What the import will do")).to_contain_text("Marked as left0")
    coordinator.get_by_role("button", name="Import now").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Import complete")

    coordinator.get_by_role("link", name="My classes").click()
    coordinator.get_by_role("link", name="5K").first.click()
    coordinator.get_by_role("link", name=re.compile("login cards", re.I)).first.click()
    card = coordinator.locator(".card-details").first
    username = card.locator(".card-secret").nth(0).inner_text()
    pupil_password = card.locator(".card-secret").nth(1).inner_text()

    pupil = open_page()
    _sign_in(pupil, username, pupil_password)
    _choose_password(pupil, pupil_password, "asha-chooses-this-one")
    expect(pupil.get_by_role("heading", level=1)).to_have_text("Hello, Asha")


def test_a_teacher_signs_in_with_google_once_the_school_turns_it_on(site: EmptySite, open_page) -> None:
    site.run("init-db")
    site.run("create-school", "--name", "Ash Grove Academy", "--slug", "ash-grove")
    printed = site.run("create-user", "--school", "ash-grove", "--role", "coordinator", "--username", "r.shah",
                       "--first-name", "Ravi", "--last-name", "Shah")
    site.run("create-user", "--school", "ash-grove", "--role", "staff", "--username", "b.cole",
             "--email", "b.cole@ash.sch.uk", "--first-name", "Ben", "--last-name", "Cole")
    first_password = re.search(r"First password: (\S+)", printed).group(1)

    coordinator = open_page()
    _sign_in(coordinator, "r.shah", first_password)
    _choose_password(coordinator, first_password, "ash-grove-coordinator-2026")
    coordinator.get_by_role("link", name="School settings").click()
    coordinator.get_by_label("Sign in with").select_option("google")
    coordinator.get_by_label("Email domain of the school's accounts").fill("ash.sch.uk")
    coordinator.get_by_role("button", name="Save settings").click()
    expect(coordinator.get_by_role("status")).to_have_text("The settings of Ash Grove Academy are saved.")

    site.idp.sign_in_as("b.cole@ash.sch.uk", hd="ash.sch.uk")
    teacher = open_page()
    teacher.goto("/login")
    teacher.get_by_role("link", name="Sign in with Google").click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Hello, Ben")  # no password change asked
    assert teacher.url.startswith(site.url)

    site.idp.sign_in_as("new.teacher@ash.sch.uk", hd="ash.sch.uk")
    stranger = open_page()
    stranger.goto("/login")
    stranger.get_by_role("link", name="Sign in with Google").click()
    expect(stranger.get_by_role("alert")).to_contain_text(
        "Your school has no account for new.teacher@ash.sch.uk. Ask your school's online-safety coordinator")
    expect(stranger.get_by_role("heading", level=1)).to_have_text("Sign in")
