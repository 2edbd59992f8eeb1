"""Telling someone, in a browser: a Year 5 pupil writes what happened (on a phone and a wide screen), a
Year 1 pupil taps pictures on a phone, and each ends on the reassuring page with the help for their age;
a member of staff sees the school's procedure appear as they choose the kind of concern. Every page is
checked with axe (see conftest)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from eduplatform.accounts.services import create_user
from eduplatform.concerns.models import Concern
from eduplatform.db import db
from eduplatform.roles import Role
from eduplatform.schools.services import create_school

from .conftest import PASSWORD, sign_in_with_password

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import LiveServer

WORRY = "Someone in a group chat keeps posting pictures of me with nasty words."


def _seed(live_server: LiveServer, name: str, year_group: int | None, role: Role = Role.PUPIL) -> tuple[str, int]:
    """A person of a school of their own (so each test's reports are its own): username and school id."""
    with live_server.app.app_context():
        school = create_school(name=f"Tell School {name}", slug=f"tell-school-{name}")
        person = create_user(username=f"tell.{name}", first_name="Sam", last_name="Jones", roles={role},
                             school_id=school.id, year_group=year_group, password=PASSWORD)
        if role is not Role.PUPIL:
            create_user(username=f"tell.{name}.child", first_name="Ruby", last_name="Green", roles={Role.PUPIL},
                        school_id=school.id, year_group=4, password=PASSWORD)
        db.session.commit()
        return person.username, school.id


def _reports(live_server: LiveServer, school_id: int) -> list[Concern]:
    with live_server.app.app_context():
        return list(db.session.scalars(select(Concern).where(Concern.school_id == school_id)))


def _open(browser, live_server: LiveServer, width: int) -> Page:
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900},
                                  locale="en-GB")
    return context.new_page()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_ks2_pupil_tells_someone_and_sees_where_else_to_get_help(live_server: LiveServer, browser, axe,
                                                                    width: int) -> None:
    from playwright.sync_api import expect

    username, school_id = _seed(live_server, f"ks2-{width}", 5)
    page = _open(browser, live_server, width)
    try:
        sign_in_with_password(page, username)
        button = page.get_by_role("link", name="Tell someone")
        expect(button).to_be_visible()
        button.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Tell someone")
        page.get_by_role("button", name="Send it to an adult I trust").click()  # nothing filled in
        expect(page.locator("[data-error-summary]")).to_contain_text("Choose what it is about")
        page.get_by_label("Someone is being unkind, mean or threatening to me or a friend online.").check()
        page.get_by_label("What happened?").fill(WORRY)
        page.get_by_role("group", name="Is it happening now?").get_by_label("Yes").check()
        page.get_by_label("My teacher").check()
        page.get_by_role("button", name="Send it to an adult I trust").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for telling us")
        expect(page.get_by_text("As it is happening now, also tell an adult near you straight away.")).to_be_visible()
        expect(page.get_by_role("complementary", name="You can also talk to")).to_contain_text("Test DSL")
        page.get_by_role("link", name="See what I have told before").click()
        expect(page.get_by_text("Not read yet")).to_be_visible()
        [concern] = _reports(live_server, school_id)
        assert (concern.text, concern.happening_now, concern.talk_to) == (WORRY, True, "teacher")
    finally:
        page.context.close()


def test_a_ks1_pupil_tells_by_tapping_pictures_on_a_phone(live_server: LiveServer, browser, axe) -> None:
    from playwright.sync_api import expect

    username, school_id = _seed(live_server, "ks1", 1)
    page = _open(browser, live_server, 390)
    try:
        sign_in_with_password(page, username)
        page.locator("a.tell-someone").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Tell someone")
        page.locator(".ks1-choice-card", has_text="I saw something on a screen that made me feel sad").click()
        page.locator(".ks1-choice-card", has=page.get_by_text("No", exact=True)).click()
        page.locator(".ks1-choice-card", has_text="My family at home").click()
        page.get_by_role("button", name="Tell").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for telling.")
        expect(page.get_by_text("You did the right thing.")).to_be_visible()
        # Nothing on the page is wider than the phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        [concern] = _reports(live_server, school_id)
        assert (concern.pictures, concern.text, concern.talk_to, concern.happening_now) == (
            ["inappropriate_content"], "", "family", False)
    finally:
        page.context.close()


def test_staff_see_what_to_do_as_they_choose_the_kind(live_server: LiveServer, browser, axe) -> None:
    from playwright.sync_api import expect

    username, school_id = _seed(live_server, "staff", None, Role.STAFF)
    page = _open(browser, live_server, 1280)
    try:
        sign_in_with_password(page, username)
        page.get_by_role("link", name="Report a concern").click()
        expect(page.get_by_role("button", name="Show what to do")).to_be_hidden()  # JavaScript shows the steps
        page.get_by_label("Which child is it about?").select_option(label="Ruby Green (Year 4)")
        page.get_by_role("radio", name="Sharing nudes and semi-nudes").check()
        steps = page.get_by_role("region", name="What to do: Sharing nudes and semi-nudes")
        expect(steps).to_be_visible()
        expect(steps).to_contain_text("never ask the pupil to show it to you")
        page.get_by_label("What did you see or hear?").fill("A Year 4 pupil said an older child asked for a photo.")
        page.get_by_role("group", name="Is it happening now?").get_by_label("No").check()
        page.get_by_role("button", name="Send to the DSL").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your report has been sent")
        expect(page.get_by_role("region", name="What to do now: Sharing nudes and semi-nudes")).to_be_visible()
        [concern] = _reports(live_server, school_id)
        assert (concern.category, concern.reporter_kind) == ("nudes", "staff")
    finally:
        page.context.close()
