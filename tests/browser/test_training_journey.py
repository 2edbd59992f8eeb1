"""A new member of staff's induction, end to end in a browser, on a phone and on a wide screen.

They sign in, find their induction due in "My training", read the lesson, pass the quiz, sign the
staff agreement, and download their certificate; the coordinator watches their row in the training
record turn from "Due soon" to "In date". Every page is checked with axe (see conftest).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from eduplatform.accounts.services import create_user
from eduplatform.db import db
from eduplatform.roles import Role
from eduplatform.schools.services import create_school

from .conftest import PASSWORD, sign_in_with_password

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import LiveServer

WIDTHS = [390, 1920]


def _seed(live_server: LiveServer, width: int) -> tuple[str, str, str]:
    """A school with a coordinator and a member of staff who started three days ago."""
    from eduplatform.academic_year import local_date
    from eduplatform.db import utcnow

    with live_server.app.app_context():
        school = create_school(name=f"Induction School {width}", slug=f"induction-school-{width}")
        coordinator = create_user(username=f"induct.coordinator{width}", first_name="Cora", last_name="Ord",
                                  roles={Role.COORDINATOR, Role.STAFF}, school_id=school.id, password=PASSWORD)
        newcomer = create_user(username=f"induct.new{width}", first_name="Nia", last_name="Starter",
                               roles={Role.STAFF}, school_id=school.id, password=PASSWORD)
        newcomer.started_on = local_date(utcnow(), school.time_zone) - timedelta(days=3)
        db.session.commit()
        return coordinator.username, newcomer.username, newcomer.full_name


def _record_row(page: Page, full_name: str):
    return page.locator("tr").filter(has=page.get_by_role("link", name=re.compile(re.escape(full_name.split()[1]))))


@pytest.mark.parametrize("width", WIDTHS)
def test_a_new_member_of_staff_completes_induction_and_the_coordinator_sees_them_turn_green(
        live_server: LiveServer, browser, width: int) -> None:
    from playwright.sync_api import expect

    coordinator, newcomer, full_name = _seed(live_server, width)
    viewport = {"width": width, "height": 900}
    boss = browser.new_context(base_url=live_server.url, viewport=viewport, locale="en-GB").new_page()
    staff = browser.new_context(base_url=live_server.url, viewport=viewport, locale="en-GB",
                                accept_downloads=True).new_page()
    try:
        # The coordinator's training record: the newcomer's induction is due soon.
        sign_in_with_password(boss, coordinator)
        boss.goto("/training")
        expect(boss.get_by_role("heading", level=1)).to_have_text("Training record")
        row = _record_row(boss, full_name)
        expect(row).to_contain_text("Due soon")
        expect(row).not_to_contain_text("In date")

        # The newcomer finds their induction in "My training".
        sign_in_with_password(staff, newcomer)
        staff.goto("/")
        staff.get_by_role("link", name="My training").first.click()
        expect(staff.get_by_role("heading", level=1)).to_have_text("My training")
        due = staff.locator("li.training-card").filter(has=staff.get_by_role("heading", name="Staff induction"))
        expect(due).to_contain_text("Due soon")
        due.get_by_role("link", name="Open the module").click()

        # Lesson, quiz, agreement.
        expect(staff.get_by_role("heading", level=1)).to_have_text("Staff induction")
        staff.get_by_role("link", name="Roles").click()
        staff.get_by_role("button", name="I have read this: go to the quiz").click()
        staff.get_by_role("group", name=re.compile("Fixture statement that is true")).get_by_label(
            "True", exact=True).check()
        staff.get_by_role("group", name=re.compile("Fixture single choice")).get_by_label(
            "Fixture right", exact=True).check()
        staff.get_by_role("button", name="Submit my answers").click()
        expect(staff.get_by_role("status")).to_contain_text("you passed")
        staff.goto("/agreements/staff-aup")
        staff.get_by_label("Type your full name to sign").fill(full_name)
        staff.get_by_role("button", name="Sign the agreement").click()
        expect(staff.get_by_role("status")).to_have_text("Thank you. Your signature has been recorded.")

        # Back in "My training": in date, with a certificate to download.
        staff.goto("/my-training")
        done = staff.locator("li.training-card").filter(has=staff.get_by_role("heading", name="Staff induction"))
        expect(done).to_contain_text("In date")
        certificates = staff.locator("#certificates-heading + div table, section:has(#certificates-heading) table")
        expect(certificates.first).to_contain_text("Staff induction")
        expect(certificates.first).to_contain_text("Current")
        with staff.expect_download() as download_info:
            certificates.first.get_by_role("link", name="Download (PDF)").first.click()
        pdf = download_info.value
        path = pdf.path()
        assert path is not None
        with open(path, "rb") as handle:
            assert handle.read(5) == b"%PDF-"

        # The coordinator's record now shows the newcomer in date.
        boss.reload()
        row = _record_row(boss, full_name)
        expect(row).to_contain_text("In date")
        expect(row).not_to_contain_text("Due soon")
    finally:
        boss.context.close()
        staff.context.close()
