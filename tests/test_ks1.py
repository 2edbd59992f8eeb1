"""The picture-first pages of the youngest pupils (Nursery to Year 2), through HTTP as they use them.

The fixture programme has one KS1 module (``ks1-asking``: one lesson, a picture question and a
true/false question) and the KS1 picture agreement with one promise.
"""

from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from eduplatform.catalogue.model import Module, Requirement
from eduplatform.db import db
from eduplatform.learning.steps import module_picture, next_module
from eduplatform.records.models import AgreementSignature, QuizAttempt
from eduplatform.records.queries import ModuleState, ModuleStatus
from eduplatform.roles import Role
from eduplatform.signin.pictures import picture_first
from tests.conftest import Auth, csrf_token

MODULE = "/modules/ks1-asking"
LESSON = MODULE + "/lessons/ks1-asking-story"
QUIZ = MODULE + "/quiz"
RIGHT = {"q_q1": "up", "q_q2": "true"}
#: A picture of static/img/ui/ as the page names it (with or without its fingerprint).
UI = r"/static/img/ui/{}[.0-9a-f]*\.svg"
WRONG = {"q_q1": "down", "q_q2": "false"}
#: Words a young child cannot read without help, or that mean nothing to them.
FORBIDDEN = ("acceptable use", "%", "Autumn", "Spring", "Summer", "This term", "Key Stage", "Early years",
             "programme", "Not started", "In progress", "Best score", "agreement")


@pytest.fixture
def child(make_user, school):
    """A Year 1 pupil: picture sign-in age."""
    return make_user(Role.PUPIL, school=school, year_group=1, first_name="Poppy", last_name="Evans")


def submit_quiz(client, answers: dict) -> object:
    page = client.get(QUIZ).get_data(as_text=True)
    token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post(QUIZ, data={"csrf_token": csrf_token(client, QUIZ), "submission_token": token, **answers})


def main_of(page: str) -> str:
    """The page's main content (the header's sign-out and menu are the same on every page)."""
    return page.split('<main id="main"', 1)[1]


class _Words(HTMLParser):
    """The words a person meets: text, and the alt text, labels and titles that are spoken or shown."""

    def __init__(self) -> None:
        super().__init__()
        self.words: list[str] = []

    def handle_data(self, data: str) -> None:
        self.words.append(data)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.words.extend(value for name, value in attrs if name in {"alt", "title", "aria-label"} and value)


def words_in_main(page: str) -> str:
    parser = _Words()
    parser.feed(main_of(page))
    return " ".join(" ".join(parser.words).split())


# --- Who sees pictures ----------------------------------------------------------------------------


@pytest.mark.parametrize(("roles", "year_group", "expected"), [
    ({Role.PUPIL}, -1, True), ({Role.PUPIL}, 0, True), ({Role.PUPIL}, 2, True), ({Role.PUPIL}, 3, False),
    ({Role.PUPIL}, None, False), ({Role.STAFF}, 1, False),
])
def test_picture_first_pages_are_for_pupils_of_the_picture_year_groups(roles, year_group, expected) -> None:
    class Person:
        is_authenticated = True

    person = Person()
    person.roles, person.year_group = frozenset(roles), year_group
    assert picture_first(person) is expected


def test_nobody_signed_out_gets_picture_pages() -> None:
    class Anonymous:
        is_authenticated = False

    assert picture_first(Anonymous()) is False


# --- The next module: one rule for the Next tile and the Next buttons --------------------------


def _module(module_id: str, order: int, completion=frozenset({Requirement.LESSONS, Requirement.QUIZ})) -> Module:
    return Module(id=module_id, audience="ks1", strands=(), outcomes=(), lesson_ids=(f"{module_id}-1",), has_quiz=True,
                  agreement_id=None, completion=frozenset(completion), pass_mark=60, max_attempts=None,
                  renewal_months=12, order=order)


def _statuses(**states: ModuleState) -> dict[str, ModuleStatus]:
    return {module_id.replace("_", "-"): ModuleStatus(state) for module_id, state in states.items()}


def test_the_next_module_is_the_first_not_completed_in_programme_order() -> None:
    modules = (_module("m-a", 1), _module("m-b", 2), _module("m-c", 3))
    done, going, new = ModuleState.COMPLETED, ModuleState.IN_PROGRESS, ModuleState.NOT_STARTED
    assert next_module(modules, _statuses(m_a=new, m_b=new, m_c=new)).id == "m-a"
    assert next_module(modules, _statuses(m_a=done, m_b=going, m_c=new)).id == "m-b"
    assert next_module(modules, _statuses(m_a=done, m_b=new, m_c=done)).id == "m-b"
    assert next_module(modules, _statuses(m_a=done, m_b=done, m_c=done)) is None
    assert next_module(modules, {}).id == "m-a"  # no records yet


def test_the_next_module_leaves_out_the_one_just_done_and_teacher_led_ones() -> None:
    modules = (_module("m-a", 1), _module("m-led", 2, completion={Requirement.ATTENDANCE}), _module("m-c", 3))
    new = ModuleState.NOT_STARTED
    assert next_module(modules, _statuses(m_a=new, m_led=new, m_c=new), skip="m-a").id == "m-c"
    assert next_module(modules, _statuses(m_a=ModuleState.COMPLETED, m_led=new, m_c=ModuleState.COMPLETED)) is None


def test_every_ks1_module_of_the_shipped_programme_has_a_picture(real_app) -> None:
    catalogue = real_app.extensions["eduplatform.catalogue"]
    ks1 = [module for module in catalogue.modules.values() if module.audience == "ks1"]
    assert ks1
    for module in ks1:
        picture = module_picture(catalogue.module_content(module.id, "en"))
        assert picture is not None and picture.src.endswith(".svg") and picture.alt, module.id


# --- The dashboard ------------------------------------------------------------------------------


def test_a_ks1_dashboard_shows_picture_cards_and_the_next_tile(client, auth: Auth, child) -> None:
    auth.login(child)
    page = client.get("/").get_data(as_text=True)
    assert "Hello, Poppy" in page and "audience-ks1" in page
    cards = re.findall(r'<li class="card ks1-card[^"]*" data-(module|agreement)="([^"]+)"', page)
    assert cards == [("module", "ks1-asking"), ("agreement", "ks1-aup")]
    assert re.search(r'class="ks1-card-picture" src="' + UI.format("thumbs-up"), page)  # its lesson's picture
    assert "Asking first" in page and "Our promises" in page
    assert re.search(rf'<a class="ks1-next-tile" href="{LESSON}" data-next="ks1-asking">', page)
    assert "0 stars out of 1" in page
    assert "Passwords" not in page and "KS2 agreement" not in page


def test_a_ks1_dashboard_has_no_words_a_young_child_cannot_read(client, auth: Auth, child) -> None:
    auth.login(child)
    auth.post(f"{LESSON}/read")
    submit_quiz(client, WRONG)  # a best score exists, still not shown
    content = words_in_main(client.get("/").get_data(as_text=True))
    assert "Asking first" in content and "Our promises" in content
    for word in FORBIDDEN:
        assert word.lower() not in content.lower(), word


def test_the_next_tile_moves_on_to_the_quiz_then_the_promises_then_all_done(app, client, auth: Auth, child) -> None:
    auth.login(child)
    auth.post(f"{LESSON}/read")
    assert f'class="ks1-next-tile" href="{QUIZ}"' in client.get("/").get_data(as_text=True)
    submit_quiz(client, RIGHT)
    page = client.get("/").get_data(as_text=True)
    assert 'class="ks1-next-tile" href="/agreements/ks1-aup" data-next="ks1-aup"' in page
    assert "1 star out of 1" in page and 'class="card ks1-card is-done" data-module="ks1-asking"' in page
    auth.post("/agreements/ks1-aup/sign", {"promise_1": "y"})
    page = client.get("/").get_data(as_text=True)
    assert "ks1-next-tile" not in page and "You have done them all. Well done!" in page


def test_older_pupils_and_staff_keep_the_full_dashboard(client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    page = client.get("/").get_data(as_text=True)
    assert "ks1-card" not in page and "picture-first" not in page and "Not started" in page


# --- Lessons and the quiz ---------------------------------------------------------------------------


def test_a_ks1_lesson_is_marked_for_read_aloud_per_block(client, auth: Auth, child) -> None:
    auth.login(child)
    page = client.get(LESSON).get_data(as_text=True)
    assert '<div class="lesson-body" data-read-aloud-blocks>' in page
    assert "data-read-aloud-strings" in page and 'data-label-read="Read this aloud"' in page
    assert "This device cannot read aloud:" in page  # hidden until the script finds no voice
    assert "data-read-aloud-button" not in page  # no whole-page button: one per block
    assert "I have read this" not in page and ">Next</span>" in page


def test_a_ks1_quiz_shows_true_false_as_thumbs_and_pictures_as_cards(client, auth: Auth, child) -> None:
    auth.login(child)
    page = client.get(QUIZ).get_data(as_text=True)
    # True/false: real radio buttons, each inside a thumb picture card with a short word.
    for value, picture, word in (("true", "thumbs-up", "Yes"), ("false", "thumbs-down", "No")):
        assert re.search(rf'<input class="ks1-choice-input" id="(q_q2-\d)" name="q_q2" [^>]*type="radio" '
                         rf'value="{value}">\s*<label for="\1" class="ks1-choice-card">\s*'
                         rf'<img src="{UI.format(picture)}" alt="" width="112" height="112">'
                         rf'<span class="ks1-choice-text">{word}</span>', page), value
    assert 'class="ks1-choices ks1-thumbs"' in page
    # Picture answers: the whole card is the label, the picture keeps its description (in any order:
    # each attempt shuffles them).
    assert re.search(r'<label for="q_q1-\d" class="ks1-choice-card">\s*<img src="' + UI.format("thumbs-up")
                     + r'" alt="A thumbs up">', page)
    assert '<span class="prompt" data-read-aloud-block>I tell a grown-up if I feel sad.</span>' in page
    assert "%" not in words_in_main(page) and "You pass with" not in page


def test_a_ks1_quiz_with_no_answer_shows_a_picture_problem_and_saves_nothing(app, client, auth: Auth, child) -> None:
    auth.login(child)
    response = submit_quiz(client, {"q_q1": "up"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Some questions have no answer yet. Tap a picture for each one." in page
    assert re.search(r'<p class="ks1-problem error" id="q_q2-error"><img src="' + UI.format("look")
                     + r'" alt=""[^>]*><span data-read-aloud-block>Tap a picture for this one.</span></p>', page)
    assert 'aria-describedby="q_q2-error"' in page
    with app.app_context():
        assert db.session.scalars(select(QuizAttempt)).all() == []


# --- Results ----------------------------------------------------------------------------------------


def test_a_ks1_pass_shows_stars_a_short_sentence_a_celebration_and_next(client, auth: Auth, child) -> None:
    auth.login(child)
    auth.post(f"{LESSON}/read")
    page = client.get(submit_quiz(client, RIGHT).headers["Location"]).get_data(as_text=True)
    assert "2 stars out of 2" in page and page.count("star-filled") == 2 and "star-empty" not in page
    assert "You got 2 right! Well done." in page
    assert 'class="ks1-celebrate" aria-hidden="true"' in page
    # No other KS1 module left to do: the big Next button goes home (where the promises wait).
    assert '<a class="button button-primary ks1-big-button ks1-next-button" href="/">' in page
    content = words_in_main(page)
    assert "%" not in content and "out of 2 (" not in content and "You passed" not in content


def test_a_ks1_retry_says_good_try_and_offers_another_go(client, auth: Auth, child) -> None:
    auth.login(child)
    page = client.get(submit_quiz(client, {"q_q1": "up", "q_q2": "false"}).headers["Location"]).get_data(as_text=True)
    assert "1 star out of 2" in page and page.count("star-filled") == 1 and page.count("star-empty") == 1
    assert "Good try! Let's look again." in page and "You got" not in page
    assert "ks1-celebrate" not in page and "ks1-next-button" not in page
    assert f'href="{QUIZ}"' in page and "Try again" in page
    assert "%" not in words_in_main(page)


def test_a_teacher_sees_a_ks1_pupils_attempt_with_the_usual_score(app, client, auth: Auth, make_user, school, child,
                                                                  make_class) -> None:
    teacher = make_user(Role.STAFF, school=school)
    make_class(school, year_group=1, pupils=(child,), teachers=(teacher,))
    auth.login(child)
    location = submit_quiz(client, RIGHT).headers["Location"]
    auth.logout()
    auth.login(teacher)
    page = client.get(location).get_data(as_text=True)
    assert "You got 2 out of 2 (100%)" in page and "ks1-celebrate" not in page


def test_older_learners_get_a_next_module_link_after_passing(client, auth: Auth, make_user, school) -> None:
    person = make_user(Role.STAFF, Role.GOVERNOR, school=school)  # staff induction, then governor duties
    auth.login(person)
    location = client.post("/modules/staff-induction/quiz", data={
        "csrf_token": csrf_token(client, "/modules/staff-induction/quiz"),
        "submission_token": re.search(r'name="submission_token" type="hidden" value="([^"]+)"',
                                      client.get("/modules/staff-induction/quiz").get_data(as_text=True)).group(1),
        "q_q1": "true", "q_q2": "b"}).headers["Location"]
    page = client.get(location).get_data(as_text=True)
    assert ('<a class="button button-primary" href="/modules/governors-duties" rel="next">'
            "Next module: Governor duties</a>") in page
    assert "ks1-" not in page


def test_no_next_module_link_after_failing_or_when_nothing_is_left(client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    quiz = "/modules/ks2-passwords/quiz"
    token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', client.get(quiz).get_data(as_text=True))
    location = client.post(quiz, data={"csrf_token": csrf_token(client, quiz), "submission_token": token.group(1),
                                       "q_q1": "b", "q_q2": ["a", "c"], "q_q3": "true", "q_q4": "false"}
                           ).headers["Location"]
    assert "Next module" not in client.get(location).get_data(as_text=True)  # KS2 has one module here


# --- The promises -----------------------------------------------------------------------------------


def signatures(app) -> list[AgreementSignature]:
    with app.app_context():
        return list(db.session.scalars(select(AgreementSignature)))


def test_the_ks1_agreement_is_a_card_per_promise_with_its_own_tick(client, auth: Auth, child) -> None:
    auth.login(child)
    page = client.get("/agreements/ks1-aup").get_data(as_text=True)
    assert re.search(r'<input class="promise-tick" id="promise_1" name="promise_1" [^>]*type="checkbox" value="y">\s*'
                     r'<label for="promise_1" class="promise-face">\s*<img src="' + UI.format("thumbs-up")
                     + r'" alt="A thumbs up"[^>]*>\s*<span class="promise-text" data-read-aloud-block>'
                     r"I ask before I use a tablet.</span>", page)
    # The notes for grown-ups are folded away and never read aloud.
    assert re.search(r'<details class="grown-up-notes" data-no-read-aloud>\s*<summary>For the grown-up</summary>\s*'
                     r'<div class="agreement-body"><p>I will use school systems responsibly.</p>', page)
    assert 'name="agree"' not in page and ">I agree</span>" in page


def test_a_missing_tick_explains_in_words_and_pictures_and_records_nothing(app, auth: Auth, child) -> None:
    auth.login(child)
    response = auth.post("/agreements/ks1-aup/sign", {}, token_from="/agreements/ks1-aup")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'Tick every promise first. Then press "I agree".' in page
    assert "Tick this promise too." in page and 'aria-describedby="promise_1-error"' in page
    assert signatures(app) == []


def test_a_ks1_pupil_signs_once_every_promise_is_ticked(app, client, auth: Auth, child) -> None:
    auth.login(child)
    response = auth.post("/agreements/ks1-aup/sign", {"promise_1": "y"}, token_from="/agreements/ks1-aup")
    assert response.status_code == 302
    [signature] = signatures(app)
    assert signature.user_id == child.id and signature.agreement_id == "ks1-aup"
    with app.app_context():
        from eduplatform.catalogue import current_catalogue

        assert signature.agreement_version == current_catalogue().agreement_content("ks1-aup", "en").version
    page = client.get("/agreements/ks1-aup").get_data(as_text=True)
    assert "Thank you! You have made your promises." in page
    assert "You have made these promises. Well done!" in page and 'name="promise_1"' not in page


def test_a_ks1_signature_is_stored_as_before(app, auth: Auth, child) -> None:
    from eduplatform.records.models import SignatureMethod

    auth.login(child)
    auth.post("/agreements/ks1-aup/sign", {"promise_1": "y"}, token_from="/agreements/ks1-aup")
    [signature] = signatures(app)
    assert signature.method is SignatureMethod.TICKED and signature.typed_name is None
    assert isinstance(signature.signed_at, datetime)


def test_older_pupils_still_tick_one_box(app, client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    page = client.get("/agreements/ks2-aup").get_data(as_text=True)
    assert 'name="agree"' in page and "promise-tick" not in page and "For the grown-up" not in page
