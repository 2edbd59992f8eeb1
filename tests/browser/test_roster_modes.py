"""A coordinator's import never surprises: add mode marks nobody as left; a whole-school file that
would remove most people needs the number typed; and undo brings them back."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips (or fails) every test here with one reason
    expect = None

from sqlalchemy import func, select

from eduplatform.accounts.models import User
from eduplatform.accounts.services import create_user
from eduplatform.db import db
from eduplatform.roles import Role
from eduplatform.schools.services import create_school

from .conftest import PASSWORD, Person

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.sync_api import Page

    from .conftest import LiveServer


def _left(live_server: LiveServer, school_id: int) -> int:
    with live_server.app.app_context():
        return db.session.scalar(select(func.count()).select_from(User).where(
            User.school_id == school_id, User.left_at.is_not(None)))


def _upload(page: Page, path: Path, whole_school: bool) -> None:
    page.goto("/roster/import")
    page.get_by_label("CSV file from your school's MIS").set_input_files(path)
    page.get_by_label("The whole school" if whole_school else "Some people", exact=False).check()
    page.get_by_role("button", name="Check the file").click()


@pytest.mark.parametrize("width", [390, 768, 1920])
def test_add_mode_then_a_confirmed_sync_then_undo(page: Page, live_server: LiveServer, sign_in, tmp_path,
                                                  width: int) -> None:
    coordinator = Person(username=f"modes.coordinator{width}", first_name="Mo", last_name="Dee")
    page.set_viewport_size({"width": width, "height": 900})
    with live_server.app.app_context():
        school = create_school(name=f"Willow Primary {width}", slug=f"willow-primary-{width}")
        create_user(username=coordinator.username, first_name=coordinator.first_name,
                    last_name=coordinator.last_name, roles={Role.COORDINATOR, Role.STAFF}, school_id=school.id,
                    password=PASSWORD)
        for number in range(6):
            create_user(username=f"willow{width}.staff{number}", first_name="Staff", last_name=str(number),
                        roles={Role.STAFF}, school_id=school.id)
        db.session.commit()
        school_id = school.id
    starters = tmp_path / "starters.csv"
    starters.write_text("first_name,last_name,role\nNia,New,staff\n", encoding="utf-8")
    sign_in(page, coordinator)

    _upload(page, starters, whole_school=False)
    expect(page.get_by_label("What the import will do")).to_contain_text("Marked as left0")
    page.get_by_role("button", name="Import now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import complete")
    assert _left(live_server, school_id) == 0
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"

    _upload(page, starters, whole_school=True)
    warning = page.get_by_role("alert")
    expect(warning).to_contain_text("6 of the school's 8 people would be marked as left")
    page.get_by_role("button", name="Import now").click()  # without typing the number
    expect(page.locator(".flash-error").first).to_contain_text(
        "type the number of people who will be marked as left (6)")
    assert _left(live_server, school_id) == 0
    page.get_by_label("Type how many people will be marked as left").fill("6")
    page.get_by_role("button", name="Import now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import complete")
    assert _left(live_server, school_id) == 6

    page.get_by_role("button", name="Undo this import").click()
    expect(page.get_by_role("status")).to_contain_text("6 back from left")
    assert _left(live_server, school_id) == 0
