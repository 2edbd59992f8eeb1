"""The filtering and monitoring check, end to end in a browser, on a phone and on a wide screen.

The coordinator of a school whose last check is long overdue sees the red status on the dashboard,
follows it to Filtering and monitoring, records today's check with the governor responsible, and sees
the status turn green; the dashboard then says nothing about it. No sideways scrolling at either
width; every page is checked with axe (see conftest).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from eduplatform.accounts.services import create_user
from eduplatform.concerns import services
from eduplatform.concerns.filtering_queries import school_today
from eduplatform.concerns.models import FilteringKind
from eduplatform.db import db
from eduplatform.roles import Role
from eduplatform.schools.services import create_school

from .conftest import PASSWORD, sign_in_with_password

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import LiveServer

WIDTHS = [390, 1920]
CHECKED = "Tried searches for self-harm content on a pupil laptop and a staff phone on the school Wi-Fi."
GOVERNOR = "Mrs Patel, governor responsible for online safety"


def _seed(live_server: LiveServer, width: int) -> str:
    """A school of its own whose only check was 400 days ago (checks due every 365): its coordinator's username."""
    with live_server.app.app_context():
        school = create_school(name=f"Filtering School {width}", slug=f"filtering-school-{width}")
        coordinator = create_user(username=f"filtering.coord{width}", first_name="Cora", last_name="Ord",
                                  roles={Role.COORDINATOR, Role.STAFF}, school_id=school.id, password=PASSWORD)
        services.record_filtering(school.id, None, kind=FilteringKind.CHECK,
                                  done_on=school_today(school) - timedelta(days=400),
                                  what="Searched for harmful content", result="Blocked")
        db.session.commit()
        return coordinator.username


def _no_sideways_scroll(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", WIDTHS)
def test_the_coordinator_records_a_check_and_the_status_turns_green(live_server: LiveServer, browser, axe,
                                                                     width: int) -> None:
    from playwright.sync_api import expect

    username = _seed(live_server, width)
    page = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900},
                               locale="en-GB").new_page()
    try:
        sign_in_with_password(page, username)
        page.goto("/")
        alert = page.locator(".filtering-alert")
        expect(alert).to_have_class("panel filtering-alert filtering-alert-red")
        expect(alert.locator(".filtering-badge")).to_have_text("Overdue")
        expect(alert).to_contain_text("The check is 35 days overdue.")
        _no_sideways_scroll(page, width)
        alert.get_by_role("link", name="Record a check in the filtering and monitoring logs").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Filtering and monitoring")
        status = page.locator(".filtering-status .filtering-badge")
        expect(status).to_have_text("Overdue")
        expect(status).to_have_class("badge filtering-badge filtering-red")
        _no_sideways_scroll(page, width)

        page.locator("#checks summary").click()
        form = page.locator("#checks form")
        expect(form.get_by_label("Date of the check")).not_to_have_value("")  # today, already filled in
        form.get_by_label("What was checked").fill(CHECKED)
        form.get_by_label("Result", exact=True).fill("Blocked, and the alert reached the DSL within the hour.")
        form.get_by_label("Who took part (optional)").fill(GOVERNOR)
        form.get_by_role("button", name="Record the check").click()

        expect(page.get_by_role("status")).to_have_text("The check is recorded.")
        expect(status).to_have_text("In date")
        expect(status).to_have_class("badge filtering-badge filtering-green")
        newest = page.locator("#checks .filtering-entry").first
        expect(newest).to_contain_text(CHECKED)
        expect(newest).to_contain_text(GOVERNOR)
        expect(newest).to_contain_text("Cora Ord")
        expect(page.locator("#checks .filtering-entry")).to_have_count(1)  # the old check was in an earlier year
        _no_sideways_scroll(page, width)

        page.goto("/")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.locator(".filtering-alert")).to_have_count(0)
        _no_sideways_scroll(page, width)
    finally:
        page.context.close()
