"""Adults on a phone and on a wide screen: the person form's error summary, and photo consent in the class grid."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.services import create_user, link_parent
from eduplatform.db import db, utcnow
from eduplatform.records.models import ConsentDecision
from eduplatform.roles import Role
from eduplatform.schools.services import assign_teacher, create_class, create_school, enrol_pupil

from .conftest import PASSWORD, sign_in_with_password

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import LiveServer

WIDTHS = [390, 1920]


def _seed(live_server: LiveServer, width: int) -> tuple[str, int, int]:
    """A school with a coordinator, and a class of three whose parents chose yes, no, or nothing."""
    with live_server.app.app_context():
        school = create_school(name=f"Flows School {width}", slug=f"flows-school-{width}")
        coordinator = create_user(username=f"flows.coordinator{width}", first_name="Cora", last_name="Ord",
                                  roles={Role.COORDINATOR, Role.STAFF}, school_id=school.id, password=PASSWORD)
        school_class = create_class(school=school, name="5F", year_group=5, year=AcademicYear.current())
        assign_teacher(school_class, coordinator)
        parent = create_user(username=f"flows.parent{width}", first_name="Pat", last_name="Rent",
                             roles={Role.PARENT}, school_id=school.id)
        for number, given in enumerate((True, False, None)):
            pupil = create_user(username=f"flows.pupil{width}x{number}", first_name=("Ava", "Ben", "Cai")[number],
                                last_name="Flow", roles={Role.PUPIL}, school_id=school.id, year_group=5)
            enrol_pupil(school_class, pupil)
            link_parent(parent, pupil)
            if given is not None:
                db.session.add(ConsentDecision(
                    school_id=school.id, parent_id=parent.id, child_id=pupil.id,
                    agreement_id="home-school-agreement", consent_id="photos-website", agreement_version="v1",
                    given=given, decided_at=utcnow() - timedelta(minutes=5)))
        db.session.commit()
        return coordinator.username, school.id, school_class.id


def _focused_id(page: Page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.getAttribute('data-error-summary')")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_person_forms_error_summary_takes_focus_and_leads_to_each_field(live_server: LiveServer, browser,
                                                                           width: int) -> None:
    from playwright.sync_api import expect

    username, school_id, _class_id = _seed(live_server, width)
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        sign_in_with_password(page, username)
        page.goto(f"/schools/{school_id}/people/new")
        assert page.locator("[data-error-summary]").count() == 0
        page.get_by_label("Last name").fill("Rahman")
        page.get_by_label("Email (adults; needed for Google or Microsoft sign-in)").fill("not-an-email")
        page.get_by_role("checkbox", name="Staff", exact=True).check()
        page.get_by_role("button", name="Save").click()

        summary = page.get_by_role("alert").filter(has_text="There is a problem")
        expect(summary).to_be_visible()
        expect(summary).to_be_focused()  # focused on load: a screen reader reads it first
        assert summary.bounding_box()["y"] < page.get_by_role("heading", level=1).bounding_box()["y"]

        summary.get_by_role("link", name="First name: Enter a first name.").click()
        expect(page.locator("#first_name")).to_be_focused()
        assert page.evaluate("window.scrollY") >= 0 and page.locator("#first_name").is_visible()
        summary.get_by_role("link", name="Email").click()
        expect(page.locator("#email")).to_be_focused()

        # Every checkbox of the form sits on a row at least 44px high, with a box of at least 24px.
        for box in page.locator(".person-form input[type=checkbox]").all():
            row = box.locator("xpath=..").bounding_box()
            own = box.bounding_box()
            assert row["height"] >= 44 and own["width"] >= 24 and own["height"] >= 24
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
        assert not errors, errors
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_class_grid_shows_whether_each_pupil_may_appear_in_photos(live_server: LiveServer, browser,
                                                                      width: int) -> None:
    from playwright.sync_api import expect

    username, _school_id, class_id = _seed(live_server, width + 1)
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        sign_in_with_password(page, username)
        page.goto(f"/classes/{class_id}")
        grid = page.locator("table.grid")
        expect(grid.get_by_role("columnheader", name="May appear in photos")).to_be_visible()
        expect(grid.get_by_role("columnheader", name="Photos: Website")).to_be_attached()
        cells = {name: page.locator(f"tr:has(th:has-text('{name}')) td[data-consent='photos-website']")
                 for name in ("Ava", "Ben", "Cai")}
        expect(cells["Ava"]).to_have_text("✓ Yes")
        expect(cells["Ben"]).to_have_text("✗ No")
        expect(cells["Cai"]).to_have_text("Not answered")
        cells["Cai"].scroll_into_view_if_needed()
        expect(cells["Cai"]).to_be_in_viewport()  # reachable by scrolling the grid sideways on a phone
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()
