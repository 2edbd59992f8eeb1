"""Languages in a real browser (issue 17): the menu works without help, Urdu pages run right to left with
the shipped font and never scroll sideways on a phone or a desktop, and read-aloud looks for a voice
in the page's language."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .test_ks1_journey import SPEECH

if TYPE_CHECKING:
    from .conftest import LiveServer

URDU_PUPIL = "rtl.pupil"
LESSON = "/modules/ks2-passwords/lessons/ks2-passwords-why"


@pytest.fixture(scope="module")
def urdu_pupil(live_server: LiveServer) -> str:
    """A Year 5 pupil of Oak School whose account is set to Urdu."""
    from eduplatform.accounts.services import create_user, set_preferred_language
    from eduplatform.db import db
    from eduplatform.roles import Role
    from eduplatform.schools.models import School

    from .conftest import PASSWORD

    with live_server.app.app_context():
        school = db.session.query(School).filter_by(slug="oak-school").one()
        pupil = create_user(username=URDU_PUPIL, first_name="Zara", last_name="Malik", roles={Role.PUPIL},
                            school_id=school.id, year_group=5, password=PASSWORD)
        set_preferred_language(pupil, "ur")
        db.session.commit()
    return URDU_PUPIL


def _sideways_overflow(page) -> int:
    """How far the page scrolls sideways (0: it fits). In a right-to-left page that is overflow to the left."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize("width", [390, 1280])
def test_urdu_pages_run_right_to_left_and_fit_the_screen(live_server: LiveServer, browser, urdu_pupil: str,
                                                         width: int) -> None:
    from .conftest import PASSWORD

    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 844})
    try:
        page = context.new_page()
        page.goto("/login")
        assert page.evaluate("document.documentElement.dir") == "ltr"
        page.locator(".language-menu").get_by_role("button", name="اردو").click()
        page.wait_for_url("**/login")
        assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ur", "rtl"]
        for path in ("/login", "/tap"):
            page.goto(path)
            assert _sideways_overflow(page) <= 0, (width, path)
        page.goto("/login")
        page.locator("#username").fill(urdu_pupil)
        page.locator("#password").fill(PASSWORD)
        page.locator("#submit").click()
        page.wait_for_url("**/")
        for path in ("/", "/modules/ks2-passwords", LESSON, "/agreements/ks2-aup"):
            page.goto(path)
            page.wait_for_load_state("load")
            assert page.evaluate("document.documentElement.dir") == "rtl", path
            assert _sideways_overflow(page) <= 0, (width, path)
        # The lesson, not yet in Urdu: the note in the page's language, the English text left to right.
        page.goto(LESSON)
        assert page.locator(".content-language-note").count() == 1
        assert page.evaluate("getComputedStyle(document.querySelector('.lesson-body')).direction") == "ltr"
        # The header's first item (the site's name) sits at the right-hand edge in right-to-left.
        brand = page.locator(".brand").bounding_box()
        assert brand["x"] + brand["width"] > width / 2
        # The shipped Naskh font, from static/fonts/, is what Urdu text uses.
        assert page.evaluate("document.fonts.ready.then(() => document.fonts.check('16px \"Noto Naskh Arabic\"', "
                             "'اردو'))")
        assert "Noto Naskh Arabic" in page.evaluate("getComputedStyle(document.body).fontFamily")
    finally:
        context.close()


def test_read_aloud_on_an_urdu_page_without_an_urdu_voice_says_so(live_server: LiveServer, browser,
                                                                  urdu_pupil: str) -> None:
    """The device has only an English voice: the grown-up's note, and the English lesson can still be read."""
    from .conftest import PASSWORD

    context = browser.new_context(base_url=live_server.url)
    try:
        page = context.new_page()
        page.add_init_script(SPEECH)
        page.goto("/login")
        page.locator("#username").fill(urdu_pupil)
        page.locator("#password").fill(PASSWORD)
        page.locator("#submit").click()
        page.wait_for_url("**/")
        page.goto(LESSON)
        page.wait_for_load_state("load")
        # The lesson is shown in English (not yet translated): its read-aloud button uses the English voice.
        button = page.locator("[data-read-aloud-button]")
        assert button.is_visible()
        button.click()
        assert page.evaluate("window.__spoken.length") == 1
    finally:
        context.close()


def test_a_picture_page_in_urdu_without_an_urdu_voice_tells_the_grown_up(live_server: LiveServer, browser) -> None:
    """A Year 1 pupil set to Urdu on a device with only an English voice: the note, no play buttons for Urdu."""
    from eduplatform.accounts.services import create_user, set_preferred_language
    from eduplatform.db import db
    from eduplatform.roles import Role
    from eduplatform.schools.models import School

    from .conftest import PASSWORD

    with live_server.app.app_context():
        school = db.session.query(School).filter_by(slug="oak-school").one()
        pupil = create_user(username="rtl.ks1", first_name="Ali", last_name="Raza", roles={Role.PUPIL},
                            school_id=school.id, year_group=1, password=PASSWORD)
        set_preferred_language(pupil, "ur")
        db.session.commit()
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        page.add_init_script(SPEECH)
        page.goto("/login")
        page.locator("#username").fill("rtl.ks1")
        page.locator("#password").fill(PASSWORD)
        page.locator("#submit").click()
        page.wait_for_url("**/")
        page.wait_for_load_state("load")
        assert page.evaluate("document.documentElement.dir") == "rtl"
        page.locator("[data-read-aloud-missing]").wait_for(state="visible")
        assert _sideways_overflow(page) <= 0
    finally:
        context.close()
