"""A coordinator erases a person who left, typing their name; the retention page fits a phone."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips (or fails) every test here with one reason
    expect = None

from eduplatform.accounts.services import create_user
from eduplatform.db import db, utcnow
from eduplatform.roles import Role
from eduplatform.schools.services import create_class, create_school, enrol_pupil
from eduplatform.schools.years import current_year

from .conftest import PASSWORD, Person

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Browser, Page

    from .conftest import LiveServer

#: In a school of its own, so the other journeys' people are not touched.
COORDINATOR = Person(username="rowan.coordinator", first_name="Bea", last_name="Rowan")


def _school_with_a_leaver(live_server: LiveServer) -> int:
    with live_server.app.app_context():
        school = create_school(name="Rowan Primary", slug="rowan-primary")
        create_user(username=COORDINATOR.username, first_name=COORDINATOR.first_name,
                    last_name=COORDINATOR.last_name, roles={Role.COORDINATOR, Role.STAFF}, school_id=school.id,
                    password=PASSWORD)
        leaver = create_user(username="rowan.leaver", first_name="Theo", last_name="Gone", roles={Role.PUPIL},
                             school_id=school.id, year_group=6)
        enrol_pupil(create_class(school=school, name="6 Birch", year_group=6, year=current_year(school)), leaver)
        leaver.left_at = utcnow() - timedelta(days=40)
        db.session.commit()
        return leaver.id


def test_the_coordinator_erases_a_person_who_left(page: Page, live_server: LiveServer,
                                                  sign_in: Callable[[Page, Person], None]) -> None:
    leaver_id = _school_with_a_leaver(live_server)
    sign_in(page, COORDINATOR)
    page.goto(f"/people/{leaver_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Theo G.")
    page.get_by_role("link", name="Erase this person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erase Theo Gone")
    expect(page.get_by_text("Places in classes: 1")).to_be_visible()
    page.get_by_label("Type their full name to confirm").fill("Theo Gon")
    page.get_by_role("button", name="Erase this person").click()
    expect(page.get_by_role("alert")).to_contain_text("Type the person's full name exactly as shown: Theo Gone.")
    page.get_by_label("Type their full name to confirm").fill("Theo Gone")
    page.get_by_role("button", name="Erase this person").click()
    page.wait_for_url("**/people")
    # Kept: their role, their class place and the log entry of the coordinator opening their record.
    expect(page.get_by_role("status")).to_contain_text("Theo Gone was erased: 0 records removed, 3 kept")
    expect(page.get_by_role("link", name="Erased person")).to_be_visible()
    page.get_by_role("link", name="Erased person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Erased person")
    expect(page.get_by_text("This person was erased")).to_be_visible()
    expect(page.get_by_role("link", name="Erase this person")).to_have_count(0)


def test_the_retention_page_fits_a_phone(browser: Browser, live_server: LiveServer,
                                         sign_in: Callable[[Page, Person], None]) -> None:
    with live_server.app.app_context():
        school = create_school(name="Aspen Primary", slug="aspen-primary")
        create_user(username="aspen.coordinator", first_name="Ash", last_name="Aspen",
                    roles={Role.COORDINATOR, Role.STAFF}, school_id=school.id, password=PASSWORD)
        db.session.commit()
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        sign_in(page, Person(username="aspen.coordinator", first_name="Ash", last_name="Aspen"))
        page.goto("/privacy/retention")
        expect(page.get_by_role("heading", level=1)).to_have_text("Keeping personal data at Aspen Primary")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_label("Pupils").fill("100")
        page.get_by_role("button", name="Save the periods").click()
        expect(page.get_by_role("alert")).to_contain_text("enter a whole number of days from 365 to 3650")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_label("Pupils").fill("1000")
        page.get_by_role("button", name="Save the periods").click()
        expect(page.get_by_role("status")).to_contain_text("The retention periods of Aspen Primary are saved.")
        expect(page.get_by_label("Pupils")).to_have_value("1000")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
