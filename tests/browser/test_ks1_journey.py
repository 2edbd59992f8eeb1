"""A Year 1 pupil's whole visit by taps alone, on a phone, a tablet and a big screen.

Pictures to sign in, the picture dashboard, a lesson read aloud block by block, a picture quiz, the
stars, the promises ticked one by one, then signing out back to the class's picture page. Each
width has its own pupil: records are shared by every test of the live server. The class and its
pupils are created in the live server's own database (through its app) and committed.

Headless Chromium has no voices, so the tests give the page a small stand-in for the browser's
speech synthesis (what it "says" is kept in ``window.__spoken``); one test takes the voices away to
see the note for the grown-up.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips (or fails) every test here with one reason
    expect = None

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from .conftest import LiveServer

WIDTHS = (390, 768, 1920)
#: One pupil per width: username, first name, last name, secret pictures (and their button names).
PUPILS = {
    390: ("ava.owl", "Ava", "Wren", ("sun", "tree", "moon")),
    768: ("ben.owl", "Ben", "Wood", ("dog", "cat", "fish")),
    1920: ("cal.owl", "Cal", "Ash", ("boat", "car", "house")),
}
#: Where the no-voice test signs in.
QUIET = ("dev.owl", "Dev", "Oak", ("apple", "ball", "star"))
#: The smallest tap target, in CSS pixels, for the big cards and buttons of the picture-first pages.
BIG = 64
#: Speech synthesis stand-in: one voice (none with ``window.__noVoices``); what it is asked to say is
#: recorded in ``window.__spoken``, and each utterance lasts until ``window.__endUtterance()`` (the
#: test decides when a sentence has been "said", so nothing depends on timing).
SPEECH = """(() => {
  const spoken = [];
  const voices = window.__noVoices ? [] : [{name: "Test voice", lang: "en-GB", default: true, localService: true}];
  function Utterance(text) { this.text = text; this.onend = null; this.onerror = null; }
  const synth = {
    current: null,
    getVoices() { return voices; },
    speak(utterance) { spoken.push(utterance.text); this.current = utterance; },
    cancel() {
      const utterance = this.current;
      this.current = null;
      if (utterance && utterance.onerror) utterance.onerror({});
    },
    addEventListener() {},
    removeEventListener() {},
  };
  window.__spoken = spoken;
  window.__endUtterance = () => {
    const utterance = synth.current;
    synth.current = null;
    if (utterance && utterance.onend) utterance.onend({});
  };
  Object.defineProperty(window, "speechSynthesis", {value: synth, configurable: true});
  Object.defineProperty(window, "SpeechSynthesisUtterance", {value: Utterance, configurable: true, writable: true});
})();"""
NO_VOICES = "window.__noVoices = true;"


@pytest.fixture(scope="module")
def owls(live_server: LiveServer) -> dict[str, object]:
    """Class Owls (Year 1) of Oak School with a sign-in code and a picture pupil per test."""
    from eduplatform.academic_year import AcademicYear
    from eduplatform.accounts.services import create_user
    from eduplatform.db import db
    from eduplatform.roles import Role
    from eduplatform.schools.models import School
    from eduplatform.schools.services import create_class, enrol_pupil
    from eduplatform.signin.pictures import set_picture_secret
    from eduplatform.signin.services import ensure_sign_in_code

    with live_server.app.app_context():
        school = db.session.query(School).filter_by(slug="oak-school").one()
        school_class = create_class(school=school, name="Owls", year_group=1, year=AcademicYear.current())
        for username, first, last, secret in (*PUPILS.values(), QUIET):
            pupil = create_user(username=username, first_name=first, last_name=last, roles={Role.PUPIL},
                                school_id=school.id, year_group=1)
            enrol_pupil(school_class, pupil)
            set_picture_secret(pupil, secret)
        code = ensure_sign_in_code(school_class)
        db.session.commit()
    return {"code": code}


def sign_in_with_pictures(page: Page, code: object, first: str, last: str, secret: tuple[str, ...]) -> None:
    page.goto(f"/tap/{code}")
    page.get_by_role("link", name=f"{first} {last[0]}.").click()
    for picture in secret:
        page.get_by_role("button", name=picture.capitalize(), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {first}")


def assert_big(locator: Locator, what: str) -> None:
    """Every element of ``locator`` is at least BIG x BIG pixels (measured once the page and its
    stylesheet have loaded: on a busy machine a box measured earlier is the unstyled one)."""
    locator.page.wait_for_load_state("load")
    locator.first.wait_for(state="visible")
    count = locator.count()
    assert count, f"no {what} on the page"
    for index in range(count):
        box = locator.nth(index).bounding_box()
        assert box and box["width"] >= BIG and box["height"] >= BIG, f"{what} #{index + 1} is only {box}"


def assert_no_sideways_scrolling(page: Page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url}: the page is {widths[0]}px wide in a {widths[1]}px window"


def spoken(page: Page) -> list[str]:
    return page.evaluate("window.__spoken.slice()")


def end_utterance(page: Page) -> None:
    """The stand-in voice finishes what it is saying."""
    page.evaluate("window.__endUtterance()")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_ks1_pupil_does_a_lesson_a_picture_quiz_and_the_promises_by_taps(page: Page, owls: dict[str, object],
                                                                          width: int) -> None:
    username, first, last, secret = PUPILS[width]
    page.set_viewport_size({"width": width, "height": 900})
    page.add_init_script(SPEECH)
    sign_in_with_pictures(page, owls["code"], first, last, secret)
    assert page.locator("input:not([type=hidden]), textarea, select").count() == 0  # nothing to type

    # The dashboard: the Next tile first, a big picture card per module and for the promises, stars.
    next_tile = page.locator("a.ks1-next-tile")
    expect(next_tile).to_contain_text("Next")
    expect(next_tile).to_contain_text("Asking first")
    expect(page.locator(".ks1-stars")).to_contain_text("0 stars out of 1")
    expect(page.locator("li.ks1-card h3")).to_have_text(["Asking first", "Our promises"])
    assert_big(page.locator("a.ks1-next-tile, a.ks1-card-link, a.ks1-home-link"), "dashboard target")
    assert_no_sideways_scrolling(page)
    expect(page.locator("main")).not_to_contain_text("%")
    expect(page.get_by_role("button", name="Read this aloud").first).to_be_visible()
    expect(page.locator("[data-read-aloud-missing]")).to_be_hidden()

    # The lesson: a play button per paragraph reads that paragraph, its sentence highlighted; the
    # picture's description only from the picture's own button.
    next_tile.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ask first")
    paragraph = page.locator(".lesson-body p", has_text="I ask a grown-up first.")
    paragraph.get_by_role("button", name="Read this aloud").click()
    expect(paragraph.locator(".read-aloud-now")).to_have_text("I ask a grown-up first.")
    expect(paragraph.get_by_role("button", name="Stop reading")).to_be_visible()
    assert spoken(page) == ["I ask a grown-up first."]
    end_utterance(page)
    expect(paragraph.locator(".read-aloud-now")).to_have_count(0)  # done: the highlight goes
    expect(paragraph.get_by_role("button", name="Read this aloud")).to_be_visible()
    page.get_by_role("button", name="Say what the picture shows").click()
    assert spoken(page) == ["I ask a grown-up first.", "A thumbs up"]
    end_utterance(page)
    assert_no_sideways_scrolling(page)
    assert_big(page.locator("button.ks1-big-button, a.ks1-home-link"), "lesson button")
    page.get_by_role("button", name="Next").click()

    # The quiz: finishing with no answers shows a picture and words to hear, and saves nothing.
    expect(page).to_have_url(re.compile(r"/modules/ks1-asking/quiz$"))
    assert_big(page.locator("label.ks1-choice-card, button.ks1-big-button"), "answer card")
    assert_no_sideways_scrolling(page)
    page.get_by_role("button", name="I have finished").click()
    expect(page.get_by_role("alert")).to_contain_text("Tap a picture for each one.")
    expect(page.locator(".ks1-problem")).to_have_count(2)
    expect(page.locator(".ks1-problem").first).to_contain_text("Tap a picture for this one.")
    # A picture answer and a thumbs-up, each by tapping its whole card.
    page.locator("label.ks1-choice-card", has=page.get_by_alt_text("A thumbs up")).click()
    expect(page.get_by_role("radio", name="A thumbs up")).to_be_checked()
    page.locator("label.ks1-choice-card", has_text="Yes").click()
    expect(page.get_by_role("radio", name="Yes")).to_be_checked()
    expect(page.get_by_role("radio", name="No")).not_to_be_checked()
    page.get_by_role("button", name="I have finished").click()

    # The result: a star per right answer, a sentence read sentence by sentence, then Next.
    expect(page.locator(".ks1-result")).to_contain_text("2 stars out of 2")
    words = page.locator(".ks1-result-words")
    expect(words).to_contain_text("You got 2 right! Well done.")
    expect(page.locator(".ks1-result .star-pictures img")).to_have_count(2)
    expect(page.locator(".ks1-celebrate")).to_have_count(1)
    words.get_by_role("button", name="Read this aloud").click()
    expect(words.locator(".read-aloud-now")).to_have_text("You got 2 right!")
    end_utterance(page)
    expect(words.locator(".read-aloud-now")).to_have_text("Well done.")
    assert spoken(page) == ["You got 2 right!", "Well done."]
    # Another block's button stops this one and reads its own text only.
    page.locator(".ks1-feedback .explanation").first.get_by_role("button", name="Read this aloud").click()
    expect(words.locator(".read-aloud-now")).to_have_count(0)
    assert spoken(page)[-1] == "Explanation-KS1-picture."
    end_utterance(page)
    assert_big(page.locator("a.ks1-next-button"), "Next button")
    assert_no_sideways_scrolling(page)
    page.get_by_role("link", name="Next").click()

    # Home again: one star, and the promises are next.
    expect(page.locator(".ks1-stars")).to_contain_text("1 star out of 1")
    expect(page.locator("a.ks1-next-tile")).to_contain_text("Our promises")
    page.locator("a.ks1-next-tile").click()

    # The promises: each its own tick; "I agree" before ticking them all explains and records nothing.
    expect(page.locator("details.grown-up-notes")).not_to_have_attribute("open", "")
    assert_big(page.locator("label.promise-face, button.ks1-big-button"), "promise card")
    assert_no_sideways_scrolling(page)
    page.get_by_role("button", name="I agree").click()
    expect(page.locator(".ks1-problem").first).to_contain_text('Tick every promise first. Then press "I agree".')
    page.locator("label.promise-face").first.click()
    expect(page.get_by_role("checkbox").first).to_be_checked()
    page.get_by_role("button", name="I agree").click()
    expect(page.get_by_role("status")).to_contain_text("You have made your promises.")
    expect(page.locator(".ks1-signed")).to_contain_text("Well done!")
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_role("heading", name="You have done them all. Well done!")).to_be_visible()
    assert_no_sideways_scrolling(page)

    # Signing out leads back to the class's picture page for the next child.
    page.get_by_role("button", name=f"Sign out {first} {last[0]}.").click()
    expect(page).to_have_url(re.compile(rf"/tap/{owls['code']}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Class Owls: tap your name")


def test_a_device_without_a_voice_tells_the_grown_up_and_shows_no_play_buttons(page: Page,
                                                                                owls: dict[str, object]) -> None:
    page.add_init_script(NO_VOICES)
    page.add_init_script(SPEECH)
    sign_in_with_pictures(page, owls["code"], *QUIET[1:])
    note = page.locator("[data-read-aloud-missing]")
    expect(note).to_be_visible()
    expect(note).to_contain_text("This device cannot read aloud:")
    expect(page.locator(".read-aloud-play")).to_have_count(0)


def test_the_page_fills_the_window_when_it_is_short(page: Page, owls: dict[str, object]) -> None:
    page.set_viewport_size({"width": 1920, "height": 2000})
    page.goto("/login")
    main_bottom = page.evaluate("document.querySelector('main').getBoundingClientRect().bottom")
    assert main_bottom >= 2000 - 1  # no grey band under the page
