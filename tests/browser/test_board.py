"""Board mode in a real browser: what the class sees when a teacher projects a lesson or agreement."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips (or fails) every test here with one reason
    expect = None

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import User
from eduplatform.db import db
from eduplatform.schools.services import assign_teacher, create_class

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import LiveServer

WIDTHS = (390, 768, 1920)


def _class(live_server: LiveServer, name: str, year_group: int) -> int:
    """A class of the live server's staff member (committed); empty classes take their year group's audience."""
    from sqlalchemy import select

    with live_server.app.app_context():
        teacher = db.session.scalar(select(User).where(User.username == live_server.staff.username))
        school_class = create_class(school=teacher.school, name=name, year_group=year_group,
                                    year=AcademicYear.current())
        assign_teacher(school_class, teacher)
        db.session.commit()
        return school_class.id


def _open_board(page: Page, live_server: LiveServer, sign_in, class_id: int, width: int, where: str,
                link: str) -> Page:
    """The teacher signs in, opens the class page and follows ``link`` in ``where``: the board's new window."""
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, live_server.staff)
    page.goto(f"/classes/{class_id}")
    with page.expect_popup() as popup:
        page.locator(where).get_by_role("link", name=link).click()
    board = popup.value
    board.set_viewport_size({"width": width, "height": 900})
    return board


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"


@pytest.mark.parametrize("width", WIDTHS)
def test_a_projected_lesson_shows_one_section_at_a_time_without_the_menu(page: Page, live_server: LiveServer,
                                                                        sign_in, width: int) -> None:
    class_id = _class(live_server, f"4 Board {width}", 4)
    board = _open_board(page, live_server, sign_in, class_id, width, "#module-ks2-passwords", "Show on the board")
    expect(board.get_by_text("A password keeps your account safe.")).to_be_visible()
    expect(board.get_by_text("Part 1 of 1")).to_be_visible()  # the board's script has started
    expect(board.locator(".site-header")).to_have_count(0)
    expect(board.get_by_text("Sign out")).to_have_count(0)
    expect(board.get_by_text(live_server.staff.last_name)).to_have_count(0)
    _fits(board)

    # The lesson's link to the next lesson opens its board page.
    board.get_by_role("link", name="strong passwords").click()
    expect(board.get_by_role("heading", level=1)).to_have_text("Strong passwords")
    sections = board.locator("[data-board-section]")
    expect(sections).to_have_count(3)
    expect(sections.nth(0)).to_be_visible()
    expect(sections.nth(1)).to_be_hidden()
    expect(board.get_by_text("Part 1 of 3")).to_be_visible()

    # The prompt is folded away for the teacher.
    prompt = sections.nth(0).locator(".board-prompt")
    expect(prompt.get_by_text("Which three words would make a funny picture?")).to_be_hidden()
    prompt.locator("summary").click()
    expect(prompt.get_by_text("Which three words would make a funny picture?")).to_be_visible()

    # Arrow keys and the large buttons move one section at a time.
    board.keyboard.press("ArrowRight")
    expect(sections.nth(1)).to_be_visible()
    expect(sections.nth(0)).to_be_hidden()
    board.get_by_role("link", name="Next").click()
    expect(sections.nth(2)).to_be_visible()
    expect(board.get_by_text("Part 3 of 3")).to_be_visible()
    _fits(board)
    next_box = board.get_by_role("link", name="End of the lesson").bounding_box()
    assert next_box and next_box["height"] >= 64

    # Every link in the lesson works for the teacher; one outside the class's programme is plain text.
    expect(sections.nth(2).locator(".unlinked", has_text="footprints")).to_have_count(1)
    for name in ("why passwords matter", "the module"):
        href = sections.nth(2).get_by_role("link", name=name).get_attribute("href")
        assert board.request.get(href).status == 200
    board.keyboard.press("ArrowLeft")
    expect(sections.nth(1)).to_be_visible()
    sections.nth(1).get_by_role("link", name="promises").click()
    expect(board.get_by_role("heading", level=1)).to_have_text("KS2 agreement")
    assert "/board/agreements/ks2-aup" in board.url
    expect(board.locator(".site-header")).to_have_count(0)
    board.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_class_reads_its_picture_promises_on_the_board(page: Page, live_server: LiveServer, sign_in,
                                                           width: int) -> None:
    class_id = _class(live_server, f"1 Board {width}", 1)
    board = _open_board(page, live_server, sign_in, class_id, width, "#agree-ks1-aup",
                        "Read it together on the board")
    expect(board.locator(".site-header")).to_have_count(0)
    expect(board.get_by_text("I will use school systems responsibly.")).to_be_visible()
    expect(board.get_by_text("Part 1 of 2")).to_be_visible()  # the board's script has started
    board.keyboard.press("ArrowRight")
    expect(board.get_by_text("Part 2 of 2")).to_be_visible()
    expect(board.get_by_text("I ask before I use a tablet.")).to_be_visible()
    expect(board.get_by_role("img", name="A thumbs up")).to_be_visible()
    _fits(board)
    board.get_by_role("link", name="We have read our promises").click()
    assert board.url.endswith(f"/classes/{class_id}#agree-ks1-aup")
    board.get_by_role("link", name="Record who agreed").click()
    expect(board.get_by_role("button", name="We agree: record it for the pupils ticked")).to_be_visible()
    board.close()
