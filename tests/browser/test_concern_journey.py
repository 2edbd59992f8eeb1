"""A worry, end to end in a browser, on a phone and on a wide screen.

A Year 5 pupil tells someone through "Tell someone"; the school's DSL signs in, sees "1 new" beside
Concerns in the menu, opens the log and the concern (its text exactly as typed), and records an action;
the pupil's "what I have told" then says an adult has read it, and never shows what the DSL wrote.
Every page is checked with axe (see conftest).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from eduplatform.accounts.models import UserDuty
from eduplatform.accounts.services import create_user
from eduplatform.db import db
from eduplatform.roles import Duty, Role
from eduplatform.schools.services import create_school

from .conftest import PASSWORD, sign_in_with_password

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import LiveServer

WIDTHS = [390, 1920]
WORRY = "A boy in my game keeps sending me mean messages.\nHe says everyone hates me."
ACTION = "Spoke to the pupil at break; checked the game's chat settings with home."


def _seed(live_server: LiveServer, width: int) -> tuple[str, str]:
    """A school of its own with a Year 5 pupil and a member of staff holding the DSL duty: their usernames."""
    with live_server.app.app_context():
        school = create_school(name=f"Concern School {width}", slug=f"concern-school-{width}")
        pupil = create_user(username=f"concern.pupil{width}", first_name="Maya", last_name="Patel",
                            roles={Role.PUPIL}, school_id=school.id, year_group=5, password=PASSWORD)
        dsl = create_user(username=f"concern.dsl{width}", first_name="Dana", last_name="Lead", roles={Role.STAFF},
                          school_id=school.id, password=PASSWORD)
        dsl.duty_rows = [UserDuty(duty=Duty.DSL)]
        db.session.commit()
        return pupil.username, dsl.username


def _tell(page: Page) -> None:
    """The pupil reports through the "Tell someone" page."""
    from playwright.sync_api import expect

    page.goto("/tell")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tell someone")
    page.locator("input[name=category]").first.check()
    page.get_by_label("What happened?").fill(WORRY)
    page.locator("input[name=happening_now][value=no]").check()
    page.get_by_role("button", name="Send it to an adult I trust").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto("/tell/mine")
    expect(page.get_by_text("Not read yet")).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_pupil_tells_the_dsl_reads_and_acts_and_the_pupil_sees_it_was_read(live_server: LiveServer, browser,
                                                                              axe, width: int) -> None:
    from playwright.sync_api import expect

    pupil_name, dsl_name = _seed(live_server, width)
    viewport = {"width": width, "height": 900}
    pupil = browser.new_context(base_url=live_server.url, viewport=viewport, locale="en-GB").new_page()
    dsl = browser.new_context(base_url=live_server.url, viewport=viewport, locale="en-GB").new_page()
    try:
        sign_in_with_password(pupil, pupil_name)
        _tell(pupil)

        # The DSL sees one new concern in the menu and on the dashboard, and opens the log.
        sign_in_with_password(dsl, dsl_name)
        expect(dsl.locator(".concern-dashboard")).to_contain_text("1 new concern waiting")
        menu = dsl.get_by_role("navigation", name="Main").get_by_role("link", name="Concerns")
        expect(menu).to_contain_text("1 new")
        menu.click()
        expect(dsl.get_by_role("heading", level=1)).to_have_text("Concerns")
        row = dsl.locator(".concern-log tbody tr").first
        expect(row).to_contain_text("Maya Patel")
        expect(row).to_contain_text("Not yet")
        row.get_by_role("link").click()

        # The whole concern, as typed; the DSL's own read receipt; then an action.
        expect(dsl.locator(".concern-text").first).to_have_text(WORRY)
        expect(dsl.locator(".concern-reads")).to_contain_text("Dana Lead")
        expect(dsl.locator(".concern-state")).to_contain_text("Open")
        dsl.get_by_label("What was done").fill(ACTION)
        dsl.get_by_label("What came of it (optional)").fill("Parent aware")
        dsl.get_by_role("button", name="Add to the record").click()
        expect(dsl.get_by_role("status")).to_have_text("The action is added to the record.")
        expect(dsl.locator(".concern-actions")).to_contain_text(ACTION)
        dsl.get_by_role("link", name="Concerns", exact=True).first.click()
        expect(dsl.locator(".concern-log tbody tr").first).to_contain_text("Yes")

        # The pupil sees that an adult has read it, and never what the DSL wrote.
        pupil.goto("/tell/mine")
        expect(pupil.get_by_text("An adult has read this")).to_be_visible()
        expect(pupil.locator("body")).not_to_contain_text(ACTION)
        expect(pupil.locator("body")).not_to_contain_text("Parent aware")
        # And the pupil cannot open the log.
        assert pupil.goto("/concerns").status == 403
    finally:
        pupil.context.close()
        dsl.context.close()
