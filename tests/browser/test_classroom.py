"""A teacher runs a teacher-led session in the browser and the class grid shows the completions."""

from __future__ import annotations

from typing import TYPE_CHECKING

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips (or fails) every test here with one reason
    expect = None

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import User
from eduplatform.accounts.services import create_user
from eduplatform.db import db
from eduplatform.roles import Role
from eduplatform.schools.services import assign_teacher, create_class, enrol_pupil

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import LiveServer


def _class_taught_by_staff(live_server: LiveServer) -> tuple[int, list[str]]:
    """A Year 4 class of three pupils taught by the live server's staff member (committed)."""
    from sqlalchemy import select

    with live_server.app.app_context():
        teacher = db.session.scalar(select(User).where(User.username == live_server.staff.username))
        school_class = create_class(school=teacher.school, name="4 Kestrels", year_group=4,
                                    year=AcademicYear.current())
        assign_teacher(school_class, teacher)
        names = []
        for first in ("Ava", "Ben", "Cleo"):
            pupil = create_user(username=f"{first.lower()}.kestrel", first_name=first, last_name="Kestrel",
                                roles={Role.PUPIL}, school_id=teacher.school_id, year_group=4,
                                password="unused-password")
            enrol_pupil(school_class, pupil)
            names.append(pupil.display_name)
        db.session.commit()
        return school_class.id, names


def test_a_teacher_runs_a_teacher_led_session_and_the_grid_shows_it(page: Page, live_server: LiveServer,
                                                                    sign_in) -> None:
    class_id, (ava, ben, cleo) = _class_taught_by_staff(live_server)
    sign_in(page, live_server.staff)
    page.get_by_role("link", name="My classes", exact=True).click()
    page.get_by_role("link", name="4 Kestrels").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Class 4 Kestrels")

    with page.expect_popup() as popup:  # the board opens in its own window, to project
        page.locator("#module-ks2-passwords").get_by_role("link", name="Show on the board").click()
    board = popup.value
    expect(board.get_by_text("A password keeps your account safe.")).to_be_visible()
    board.get_by_role("link", name="Next lesson").click()
    expect(board.get_by_role("link", name="Next", exact=True)).to_be_visible()
    board.close()
    # The register stays on the teacher's own screen.
    page.locator("#module-ks2-passwords").get_by_role("link", name="Record who was present").click()

    expect(page.get_by_label(cleo)).to_be_checked()  # everyone starts ticked
    page.get_by_label(cleo).uncheck()  # Cleo was away
    page.get_by_role("button", name="Record for the pupils ticked").click()

    expect(page.get_by_text("2 pupils have completed this module, led by you.")).to_be_visible()
    grid = page.locator("table.grid")
    expect(grid.get_by_role("row", name=ava).get_by_text("Done")).to_have_count(1)
    expect(grid.get_by_role("row", name=ben).get_by_text("Done")).to_have_count(1)
    expect(grid.get_by_role("row", name=cleo).get_by_text("Done")).to_have_count(0)
    assert f"/classes/{class_id}" in page.url
