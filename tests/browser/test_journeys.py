"""Whole journeys through the site in headless Chromium, checked by what the person sees.

The fixtures (live server, browser, pages, ``sign_in``) are in this folder's ``conftest.py``; the
content is the fixture catalogue in ``tests/fixtures/catalogue``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips (or fails) every test here with one reason
    expect = None

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Locator, Page

    from .conftest import LiveServer, Person

    SignIn = Callable[[Page, Person], None]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SESSION_COOKIE = "eduplatform_session"

#: The ``ks2-passwords`` quiz: each question's prompt, the labels of its right answers, and the
#: explanation shown as feedback.
KS2_QUIZ = [
    ("Who can you share your password with?", ["A trusted adult at home"],
     "Explanation-KS2-q1 only grown-ups who look after you."),
    ("Which make a strong password?", ["Three random words", "Mixing in numbers and symbols"],
     "Explanation-KS2-q2 long and unguessable."),
    ("If someone is unkind online you should tell a trusted adult.", ["True"],
     "Explanation-KS2-q3 telling helps."),
    ("It is fine to use the same password everywhere.", ["False"],
     "Explanation-KS2-q4 one leak opens every door."),
]


def question(page: Page, prompt: str) -> Locator:
    """The quiz question (its fieldset) whose prompt is ``prompt``."""
    return page.get_by_role("group", name=re.compile(re.escape(prompt)))


def answer(page: Page, prompt: str, labels: list[str]) -> None:
    """Choose the options labelled ``labels`` (radio buttons or checkboxes) in one question."""
    for label in labels:
        question(page, prompt).get_by_label(label, exact=True).check()


def card(page: Page, title: str) -> Locator:
    """The dashboard card (module or agreement) titled ``title``."""
    return page.locator("li.card").filter(has=page.get_by_role("heading", name=title, exact=True))


def go_to_dashboard(page: Page) -> None:
    """Follow "My dashboard" in the header."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^Hello, "))


def test_ks2_pupil_reads_both_lessons_and_passes_the_quiz(page: Page, live_server: LiveServer,
                                                          sign_in: SignIn) -> None:
    """Dashboard, module, lesson 1, lesson 2, an incomplete submission, a perfect one, "Completed"."""
    sign_in(page, live_server.pupil)
    module_card = card(page, "Passwords")
    expect(module_card).to_contain_text("Not started")

    module_card.get_by_role("link", name="Passwords").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Passwords")
    page.get_by_role("link", name="Why passwords matter").click()

    expect(page.get_by_text("Lesson 1 of 2")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Why passwords matter")
    expect(page.locator("main")).to_contain_text("A password keeps your account safe.")
    page.get_by_role("button", name="I have read this: next lesson").click()

    expect(page.get_by_text("Lesson 2 of 2")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Strong passwords")
    expect(page.locator("main")).to_contain_text("Use three random words.")
    page.get_by_role("button", name="I have read this: go to the quiz").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Quiz: Passwords")
    expect(page.get_by_text("Question 4 of 4")).to_be_visible()
    *answered, (last_prompt, last_labels, _) = KS2_QUIZ
    for prompt, labels, _ in answered:
        answer(page, prompt, labels)
    page.get_by_role("button", name="Submit my answers").click()

    expect(page.get_by_role("alert")).to_have_text(
        "Some questions have no answer yet. Nothing was saved: answer them and submit again.")
    expect(question(page, last_prompt)).to_contain_text("Answer this question before you submit.")
    answer(page, last_prompt, last_labels)
    for prompt, labels, _ in answered:  # the answers given before are still chosen
        for label in labels:
            expect(question(page, prompt).get_by_label(label, exact=True)).to_be_checked()
    page.get_by_role("button", name="Submit my answers").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your answers: Passwords")
    result = page.get_by_role("status")
    expect(result).to_contain_text("You got 4 out of 4 (100%).")
    expect(result).to_contain_text("Well done: you passed.")
    expect(result).to_contain_text("Completed")
    feedback = page.locator("ol.feedback > li")
    expect(feedback).to_have_count(len(KS2_QUIZ))
    for item, (prompt, _, explanation) in zip(feedback.all(), KS2_QUIZ, strict=True):
        expect(item).to_contain_text(prompt)
        expect(item.get_by_text("Right", exact=True)).to_be_visible()
        expect(item).to_contain_text(explanation)

    go_to_dashboard(page)
    expect(module_card).to_contain_text("Completed")
    expect(module_card).to_contain_text("Best score 100%")


def test_staff_member_signs_the_staff_agreement_with_their_full_name(page: Page, live_server: LiveServer,
                                                                      sign_in: SignIn) -> None:
    """A wrong name is refused with a message naming the full name; the right one signs."""
    staff = live_server.staff
    sign_in(page, staff)
    agreement_card = card(page, "Staff agreement")
    expect(agreement_card).to_contain_text("Not signed")

    agreement_card.get_by_role("link", name="Staff agreement").click()
    expect(page).to_have_url(re.compile(r"/agreements/staff-aup$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff agreement")
    expect(page.locator("main")).to_contain_text("I will use school systems responsibly.")
    expect(page.get_by_text("Not signed", exact=True)).to_be_visible()

    name_box = page.get_by_label("Type your full name to sign")
    name_box.fill(staff.first_name)
    page.get_by_role("button", name="Sign the agreement").click()
    expect(page.locator("main")).to_contain_text(
        f"Type your full name exactly as the school has it: {staff.full_name}")
    expect(page.get_by_text("Not signed", exact=True)).to_be_visible()

    name_box.fill(staff.full_name)
    page.get_by_role("button", name="Sign the agreement").click()
    expect(page.get_by_role("status")).to_have_text("Thank you. Your signature has been recorded.")
    expect(page.get_by_text("Signed", exact=True)).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Last signed on \d\d/\d\d/\d{4}\.$"))).to_be_visible()
    expect(page.get_by_role("button", name="Sign the agreement")).to_have_count(0)

    go_to_dashboard(page)
    expect(agreement_card).to_contain_text("Signed")
    expect(agreement_card).not_to_contain_text("Not signed")


def test_signing_out_makes_the_old_session_cookie_worthless(page: Page, context: BrowserContext,
                                                            new_context: Callable[[], BrowserContext],
                                                            live_server: LiveServer, sign_in: SignIn) -> None:
    """A session cookie copied before signing out opens the dashboard until then, and never after."""
    pupil = live_server.pupil
    sign_in(page, pupil)
    saved = [cookie for cookie in context.cookies() if cookie["name"] == SESSION_COOKIE]
    assert len(saved) == 1, f"expected one {SESSION_COOKIE} cookie, got {context.cookies()}"

    # Control: before sign-out, the copied cookie alone opens the dashboard in another browser.
    before = new_context()
    before.add_cookies(saved)
    other_page = before.new_page()
    other_page.goto("/")
    expect(other_page.get_by_role("heading", level=1)).to_have_text(f"Hello, {pupil.first_name}")
    before.close()

    page.get_by_role("button", name=f"Sign out {pupil.first_name} {pupil.last_name[0]}.").click()
    expect(page.get_by_role("status")).to_have_text("You have signed out.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    after = new_context()
    after.add_cookies(saved)
    stale_page = after.new_page()
    stale_page.goto("/")
    expect(stale_page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(stale_page.get_by_role("status")).to_have_text("Please sign in to open that page.")
    expect(stale_page.get_by_label("Username")).to_be_visible()
    expect(stale_page.get_by_text(f"Hello, {pupil.first_name}")).to_have_count(0)


def test_quiz_and_dashboard_screenshots_are_pngs(page: Page, live_server: LiveServer, sign_in: SignIn,
                                                 tmp_path: Path) -> None:
    """Full-page screenshots of the pupil's quiz and dashboard are written as non-empty PNG files."""
    sign_in(page, live_server.pupil)
    dashboard = tmp_path / "dashboard.png"
    page.screenshot(path=dashboard, full_page=True)

    page.goto("/modules/ks2-passwords/quiz")
    expect(page.get_by_role("heading", level=1)).to_have_text("Quiz: Passwords")
    quiz = tmp_path / "quiz.png"
    page.screenshot(path=quiz, full_page=True)

    for shot in (dashboard, quiz):
        data = shot.read_bytes()
        assert data.startswith(PNG_SIGNATURE), f"{shot.name} is not a PNG"
        assert len(data) > 1000, f"{shot.name} is only {len(data)} bytes"
