"""A person's data export in a browser, on a phone and on a wide screen: the coordinator opens a
pupil's record and downloads the pupil's data as JSON and PDF; a member of staff downloads their
own from "Your data". No page scrolls sideways; every page is checked with axe (see conftest)."""

from __future__ import annotations

import json
from pathlib import Path
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


def _seed(live_server: LiveServer, width: int) -> tuple[str, int, str]:
    """A school with a coordinator, a Year 3 pupil and a member of staff: usernames and the pupil's id."""
    with live_server.app.app_context():
        school = create_school(name=f"Data School {width}", slug=f"data-school-{width}")
        coordinator = create_user(username=f"data.coordinator{width}", first_name="Cara", last_name="Coord",
                                  roles={Role.COORDINATOR, Role.STAFF}, school_id=school.id, password=PASSWORD)
        pupil = create_user(username=f"data.pupil{width}", first_name="Pip", last_name="Sharma",
                            roles={Role.PUPIL}, school_id=school.id, year_group=3, password=PASSWORD)
        staff = create_user(username=f"data.staff{width}", first_name="Sol", last_name="Staff",
                            roles={Role.STAFF}, school_id=school.id, password=PASSWORD)
        db.session.commit()
        return coordinator.username, pupil.id, staff.username


def _no_sideways_scroll(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def _download(page: Page, link_name: str) -> tuple[str, bytes]:
    with page.expect_download() as downloaded:
        page.get_by_role("link", name=link_name, exact=True).click()
    download = downloaded.value
    return download.suggested_filename, Path(download.path()).read_bytes()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_coordinator_downloads_a_pupils_data_and_staff_their_own(live_server: LiveServer, browser,
                                                                      width: int) -> None:
    from playwright.sync_api import expect

    coordinator, pupil_id, staff = _seed(live_server, width)
    for who in (coordinator, staff):
        context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900},
                                      accept_downloads=True)
        try:
            page = context.new_page()
            sign_in_with_password(page, who)
            if who == coordinator:
                page.goto(f"/people/{pupil_id}")
                # a pupil's record shows their first name and initial
                expect(page.get_by_role("heading", level=1)).to_have_text("Pip S.")
                _no_sideways_scroll(page, width)
                name, body = _download(page, "JSON")
                document = json.loads(body)
                assert name.startswith(f"personal-data-{pupil_id}-") and name.endswith(".json")
                assert document["person"] == {"id": pupil_id, "username": f"data.pupil{width}", "name": "Pip Sharma"}
                assert document["school"] == f"Data School {width}"
                assert any(section["table"] == "user_account" for section in document["sections"])
                name, body = _download(page, "PDF")
                assert name == f"personal-data-{pupil_id}-{document['generated_at'][:10]}.pdf"
                assert body.startswith(b"%PDF")
            else:
                menu = page.get_by_role("button", name="Menu")
                if menu.is_visible():  # the phone's menu is folded away
                    menu.click()
                page.get_by_role("link", name="Your data").click()
                expect(page.get_by_role("heading", level=1)).to_have_text("Your data")
                _no_sideways_scroll(page, width)
                _name, body = _download(page, "Download as JSON (for another service)")
                assert json.loads(body)["person"]["name"] == "Sol Staff"
                name, body = _download(page, "Download as PDF (to read)")
                assert name.endswith(".pdf") and body.startswith(b"%PDF")
                _no_sideways_scroll(page, width)
        finally:
            context.close()
