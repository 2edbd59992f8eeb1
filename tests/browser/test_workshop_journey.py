"""A parents' workshop, end to end in a browser, on a phone and on a wide screen.

A parent finds the workshop on their dashboard, takes a place with one click and adds it to their
calendar; the host starts the session and shows the join code; the parent types it, gives feedback
and is offered their certificate; the host's figures count them. Every page is checked with axe
(see conftest).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from eduplatform.accounts.services import create_user
from eduplatform.db import db, utcnow
from eduplatform.roles import Role
from eduplatform.schools.services import create_school
from eduplatform.workshops.models import Workshop

from .conftest import PASSWORD, sign_in_with_password

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import LiveServer

WIDTHS = [390, 1920]
#: The fixture catalogue's parents' module (tests/fixtures/catalogue) and its title.
MODULE_ID, MODULE_TITLE = "parents-home", "At home"


def _seed(live_server: LiveServer, width: int) -> tuple[str, str, int]:
    """A school with a member of staff hosting a workshop that starts in five minutes (its join window
    is open), and a parent: (host, parent, workshop id)."""
    with live_server.app.app_context():
        school = create_school(name=f"Workshop School {width}", slug=f"workshop-school-{width}")
        host = create_user(username=f"workshop.host{width}", first_name="Hope", last_name="Host",
                           roles={Role.STAFF}, school_id=school.id, password=PASSWORD)
        parent = create_user(username=f"workshop.parent{width}", first_name="Pat", last_name="Rent",
                             roles={Role.PARENT}, school_id=school.id, password=PASSWORD)
        starts_at = utcnow().replace(microsecond=0) + timedelta(minutes=5)
        workshop = Workshop(school_id=school.id, module_id=MODULE_ID, starts_at=starts_at,
                            ends_at=starts_at + timedelta(hours=1), meeting_url="https://meet.example.org/at-home",
                            host_id=host.id, created_by_id=host.id)
        db.session.add(workshop)
        db.session.commit()
        return host.username, parent.username, workshop.id


def _figure(page: Page, name: str):
    """The value of one of the host page's figures (a ``dd`` after its ``dt``)."""
    return page.locator(".workshop-session-figures div").filter(
        has=page.locator("dt", has_text=re.compile(f"^{re.escape(name)}$"))).locator("dd")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_parent_registers_joins_with_the_code_and_gives_feedback(live_server: LiveServer, browser, axe,
                                                                   width: int) -> None:
    from playwright.sync_api import expect

    host_name, parent_name, workshop_id = _seed(live_server, width)
    viewport = {"width": width, "height": 900}
    parent = browser.new_context(base_url=live_server.url, viewport=viewport, locale="en-GB",
                                 accept_downloads=True).new_page()
    host = browser.new_context(base_url=live_server.url, viewport=viewport, locale="en-GB").new_page()
    try:
        # The parent finds the workshop on their dashboard and takes a place with one click.
        sign_in_with_password(parent, parent_name)
        section = parent.locator("section.upcoming-workshops")
        expect(section.get_by_role("heading", level=2)).to_have_text("Upcoming workshops")
        section.get_by_role("link", name=MODULE_TITLE).click()
        expect(parent.get_by_role("heading", level=1)).to_have_text(MODULE_TITLE)
        no_link_yet = "The link to the online meeting is shown here once you have a place."
        expect(parent.get_by_text(no_link_yet)).to_be_visible()
        parent.get_by_role("button", name="Register").click()
        expect(parent.get_by_role("status")).to_have_text("You have a place at this workshop.")
        expect(parent.locator(".workshop-facts")).to_contain_text("You have a place")
        expect(parent.get_by_role("link", name="Join the online meeting")).to_have_attribute(
            "href", "https://meet.example.org/at-home")
        assert parent.evaluate("document.documentElement.scrollWidth") <= width

        # The calendar file.
        with parent.expect_download() as download_info:
            parent.get_by_role("link", name="Add to my calendar").click()
        download = download_info.value
        assert download.suggested_filename == f"workshop-{workshop_id}.ics"
        path = download.path()
        assert path is not None
        with open(path, encoding="utf-8") as handle:
            ics = handle.read()
        assert ics.startswith("BEGIN:VCALENDAR")
        assert re.search(rf"^UID:workshop-{workshop_id}@\S+\r?$", ics, re.MULTILINE)
        assert f"SUMMARY:{MODULE_TITLE}" in ics

        # The host starts the session and reads the join code off their screen.
        sign_in_with_password(host, host_name)
        host.goto(f"/workshops/{workshop_id}/host")
        expect(host.get_by_role("heading", level=1)).to_have_text(MODULE_TITLE)
        expect(_figure(host, "Registered")).to_have_text("1")
        expect(_figure(host, "Attended")).to_have_text("0")
        host.get_by_role("button", name="Start the session").click()
        code_value = host.locator(".workshop-join-code-value")
        expect(code_value).to_have_text(re.compile(r"^\s*[A-Z0-9]{6}\s*$"))
        code = code_value.inner_text().strip()
        expect(host.locator("#join-code")).not_to_contain_text("It does not work yet.")

        # The parent types it, a typing mistake first.
        parent.goto(f"/workshops/{workshop_id}")
        parent.get_by_role("link", name="I am at the workshop: type the join code").click()
        expect(parent.get_by_role("heading", level=1)).to_have_text("Join a workshop")
        parent.get_by_role("button", name="Record that I am here").click()  # nothing typed
        summary = parent.get_by_role("alert").filter(has_text="There is a problem")
        expect(summary).to_be_focused()
        expect(summary).to_contain_text("Enter the code shown on the screen.")
        parent.get_by_label("Code on the screen").fill(f"{code[:3].lower()} {code[3:].lower()}")
        parent.get_by_role("button", name="Record that I am here").click()
        expect(parent.get_by_role("heading", level=1)).to_have_text("After the workshop")
        expect(parent.get_by_role("status")).to_have_text("You are marked present. Thank you for coming.")
        expect(parent.get_by_text("You were at this workshop.")).to_be_visible()

        # Feedback, while the workshop is still running.
        parent.get_by_role("link", name="Give feedback").click()
        parent.wait_for_url(f"**/workshops/{workshop_id}/feedback")
        expect(parent.get_by_role("heading", level=1)).to_have_text("Feedback on the workshop")
        parent.get_by_role("group", name="How useful was the workshop?").get_by_label("4: useful").check()
        parent.get_by_label("One thing we could change (optional)").fill("Start a little later in the evening.")
        parent.get_by_role("button", name="Send feedback").click()
        expect(parent.get_by_role("status")).to_have_text("Thank you for your feedback.")
        expect(parent.get_by_text("Thank you, you already gave feedback.")).to_be_visible()
        expect(parent.get_by_role("link", name="Give feedback")).to_have_count(0)
        certificate = parent.get_by_role("link", name="Your certificate")
        expect(certificate).to_have_attribute("href", re.compile(r"/certificates/\d+$"))
        assert parent.evaluate("document.documentElement.scrollWidth") <= width

        # The host's figures count them.
        host.goto(f"/workshops/{workshop_id}/host")
        expect(_figure(host, "Attended")).to_have_text("1")
        expect(_figure(host, "Feedback given")).to_have_text("1")
        expect(_figure(host, "Average usefulness (1 to 5)")).to_have_text("4.0")
        expect(host.locator("#register")).to_contain_text("Present (typed the code)")
        assert host.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        parent.context.close()
        host.context.close()
    # Closing a context waits for axe to report on its pages: every page of the journey was checked.
    assert {"/", f"/workshops/{workshop_id}", f"/workshops/{workshop_id}/host", "/join",
            f"/workshops/{workshop_id}/after", f"/workshops/{workshop_id}/feedback"} <= set(axe.checked)
