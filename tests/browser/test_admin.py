"""An administrator creates a school and its coordinator; the coordinator adds people one by one,
names the DSL and a local contact; a pupil of the school sees them in "Where to get help"."""

from __future__ import annotations

from typing import TYPE_CHECKING

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips (or fails) every test here with one reason
    expect = None

from eduplatform.accounts.services import create_user
from eduplatform.db import db
from eduplatform.roles import Role

from .conftest import PASSWORD, Person

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import LiveServer

ADMIN = Person(username="site.admin", first_name="Ada", last_name="Admin")


def _first_sign_in(page: Page, username: str, password: str, chosen: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Current password").fill(password)
    page.get_by_label("New password", exact=True).fill(chosen)
    page.get_by_label("New password again").fill(chosen)
    page.get_by_role("button", name="Change password").click()


def _secret(page: Page) -> tuple[str, str]:
    return page.locator("#new-username").inner_text(), page.locator("#new-password").inner_text()


def test_an_admin_sets_up_a_school_and_its_coordinator_names_the_dsl(live_server: LiveServer, new_context,
                                                                    sign_in) -> None:
    with live_server.app.app_context():
        create_user(username=ADMIN.username, first_name=ADMIN.first_name, last_name=ADMIN.last_name,
                    roles={Role.ADMIN}, school_id=None, password=PASSWORD)
        db.session.commit()
    admin = new_context().new_page()
    admin.goto("/login")
    admin.get_by_label("Username").fill(ADMIN.username)
    admin.get_by_label("Password", exact=True).fill(PASSWORD)
    admin.get_by_role("button", name="Sign in").click()

    admin.get_by_role("link", name="Schools").click()
    admin.get_by_label("Trust name").fill("Hillside Learning Trust")
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_role("status")).to_have_text("Trust Hillside Learning Trust added.")
    admin.get_by_role("link", name="Add a school").click()
    admin.get_by_label("School name").fill("Hillside Primary")
    admin.get_by_label("Short name").fill("hillside")
    admin.get_by_label("Trust").select_option(label="Hillside Learning Trust")
    admin.get_by_role("button", name="Create the school").click()
    expect(admin.get_by_role("status")).to_contain_text("Hillside Primary has been created.")
    expect(admin.get_by_role("heading", level=1)).to_have_text("Add a person to Hillside Primary")
    admin.get_by_label("First name").fill("Grace")
    admin.get_by_label("Last name").fill("Obi")
    admin.get_by_label("Online-safety coordinator").check()
    admin.get_by_label("Email").fill("g.obi@hillside.sch.uk")
    admin.get_by_role("button", name="Save").click()
    expect(admin.get_by_role("heading", level=1)).to_have_text("Grace Obi has been added")
    username, password = _secret(admin)

    coordinator = new_context().new_page()
    _first_sign_in(coordinator, username, password, "hillside-coordinator-1")
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Hello, Grace")

    coordinator.get_by_role("navigation", name="Main").get_by_role("link", name="People", exact=True).click()
    coordinator.get_by_role("link", name="Add a person").click()
    coordinator.get_by_label("First name").fill("Amira")
    coordinator.get_by_label("Last name").fill("Hassan")
    coordinator.get_by_label("Staff", exact=True).check()
    coordinator.get_by_label("Designated Safeguarding Lead (DSL)").check()
    coordinator.get_by_role("button", name="Save").click()
    expect(coordinator.get_by_role("heading", level=1)).to_have_text("Amira Hassan has been added")

    coordinator.get_by_role("navigation", name="Main").get_by_role("link", name="People", exact=True).click()
    coordinator.get_by_role("link", name="Add a person").click()
    coordinator.get_by_label("First name").fill("Kai")
    coordinator.get_by_label("Last name").fill("Lee")
    coordinator.get_by_label("Pupil", exact=True).check()
    coordinator.get_by_label("Year group (pupils)").select_option("5")
    coordinator.get_by_role("button", name="Save").click()
    pupil_username, pupil_password = _secret(coordinator)

    coordinator.get_by_role("link", name="School settings").click()
    coordinator.get_by_label("How to reach the DSL").fill("Room 12, or ask any adult to fetch her.")
    coordinator.get_by_role("button", name="Save settings").click()
    coordinator.get_by_label("Who").fill("Mr Okafor, learning mentor")
    coordinator.get_by_label("How to reach them").fill("The mentor room, every lunchtime")
    coordinator.get_by_role("button", name="Add the contact").click()
    expect(coordinator.get_by_role("status")).to_have_text("Contact Mr Okafor, learning mentor added.")

    pupil = new_context().new_page()
    _first_sign_in(pupil, pupil_username, pupil_password, "kai-picks-a-password")
    pupil.goto("/modules/ks2-passwords/lessons/ks2-passwords-why")
    help_box = pupil.get_by_role("complementary", name="Where to get help")
    expect(help_box).to_contain_text("Amira Hassan (DSL). Room 12, or ask any adult to fetch her.")
    expect(help_box).to_contain_text("Mr Okafor, learning mentor")

    # The live server's other school (Oak School) still shows the shared entry, not Hillside's DSL.
    other = new_context().new_page()
    sign_in(other, live_server.pupil)
    other.goto("/modules/ks2-passwords/lessons/ks2-passwords-why")
    expect(other.get_by_role("complementary", name="Where to get help")).not_to_contain_text("Amira Hassan")
