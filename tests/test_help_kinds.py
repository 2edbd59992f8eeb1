"""Help contacts have a kind, lessons link to a kind (``[text](help:kind)``), and a lesson may only name a
kind that its audience's help box has.

Pure unit tests of the loader and of ``programme_problems`` on a copy of ``tests/fixtures/catalogue``,
plus the same checks on the shipped programme.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest
from flask import Flask

from eduplatform.catalogue import Catalogue, ContentError, Problem
from eduplatform.catalogue.model import HelpKind
from eduplatform.catalogue.report import missing_help_kinds, programme_problems
from eduplatform.roles import Role
from tests.test_catalogue import FIXTURE, load

HELP = "content/en/help.yaml"
KS2_LESSON = "content/en/modules/ks2-passwords/ks2-passwords-why.md"
AGREEMENT = "content/en/agreements/ks1-aup.md"

GAMBLING_FOR_KS4 = """
  - kind: gambling
    name: Test gambling helpline
    detail: Call the test number.
    audiences: [ks4, parents]
"""


@pytest.fixture
def root(tmp_path: Path) -> Path:
    copy = tmp_path / "catalogue"
    shutil.copytree(FIXTURE, copy)
    return copy


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{relative}: expected one {old!r}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def append(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def problems_loading(root: Path) -> list[Problem]:
    with pytest.raises(ContentError) as caught:
        load(root)
    return caught.value.problems


def reported(problems: list[Problem], path: str, *fragments: str) -> bool:
    return any(problem.path == path and all(f in problem.message for f in fragments) for problem in problems)


def link_gambling_from_ks2(root: Path) -> None:
    edit(root, KS2_LESSON, "A password keeps your account safe.",
         "A password keeps your account safe. Worried about betting? Try [the gambling helpline](help:gambling).")


# --------------------------------------------------------------------------------------------------
# The loader
# --------------------------------------------------------------------------------------------------


def test_help_contacts_are_loaded_with_their_kind(root: Path) -> None:
    append(root, HELP, GAMBLING_FOR_KS4)
    catalogue = load(root)
    kinds = [(contact.name, contact.kind) for contact in catalogue.help_contacts["en"]]
    assert kinds == [("Test DSL", HelpKind.DSL), ("Test gambling helpline", HelpKind.GAMBLING)]
    with pytest.raises(dataclasses.FrozenInstanceError):
        catalogue.help_contacts["en"][1].kind = HelpKind.FRAUD  # type: ignore[misc]


def test_a_help_contact_without_a_kind_is_reported(root: Path) -> None:
    edit(root, HELP, "    kind: dsl\n", "")
    assert reported(problems_loading(root), HELP, "contact #1", "missing 'kind'")


def test_a_help_contact_with_an_unknown_kind_is_reported(root: Path) -> None:
    edit(root, HELP, "    kind: dsl\n", "    kind: wellbeing_bot\n")
    assert reported(problems_loading(root), HELP, "contact #1", "unknown kind 'wellbeing_bot'", "gambling")


def test_a_help_link_becomes_a_link_to_the_help_box_and_records_its_kind(root: Path) -> None:
    link_gambling_from_ks2(root)
    append(root, HELP, GAMBLING_FOR_KS4)
    lesson = load(root).module_content("ks2-passwords", "en").lessons[0]
    assert '<a href="#help-gambling">the gambling helpline</a>' in lesson.html
    assert lesson.help_kinds == frozenset({HelpKind.GAMBLING})
    assert "the gambling helpline" in lesson.text


def test_a_lesson_without_help_links_names_no_kind(root: Path) -> None:
    lessons = load(root).module_content("ks2-passwords", "en").lessons
    assert [lesson.help_kinds for lesson in lessons] == [frozenset(), frozenset()]


def test_an_unknown_kind_in_a_lesson_link_is_reported(root: Path) -> None:
    edit(root, KS2_LESSON, "A password keeps your account safe.",
         "A password keeps your account safe. Ask [the password police](help:password_police).")
    assert reported(problems_loading(root), KS2_LESSON, "help:password_police", "unknown help kind")


def test_a_help_link_outside_a_lesson_is_reported(root: Path) -> None:
    append(root, AGREEMENT, "\nAsk [the DSL](help:dsl).\n")
    assert reported(problems_loading(root), AGREEMENT, "help:dsl", "for lessons only")


# --------------------------------------------------------------------------------------------------
# check-content: a lesson names only kinds its audience's help box has
# --------------------------------------------------------------------------------------------------


def test_a_lesson_naming_a_kind_its_audience_lacks_fails_check_content(root: Path) -> None:
    link_gambling_from_ks2(root)
    append(root, HELP, GAMBLING_FOR_KS4)  # gambling help for KS4 and parents, not KS2
    problems = programme_problems(load(root))
    assert [p for p in problems if "help" in p] == [
        "lesson 'ks2-passwords-why' (en): links to help of kind 'gambling', but no help contact for audience "
        "'ks2' has that kind (content/en/help.yaml)"]


def test_a_lesson_naming_a_kind_its_audience_has_passes(root: Path) -> None:
    link_gambling_from_ks2(root)
    append(root, HELP, GAMBLING_FOR_KS4.replace("[ks4, parents]", "[ks2, ks4, parents]"))
    assert missing_help_kinds(load(root)) == []


def test_a_kind_with_no_contact_at_all_fails_check_content(root: Path) -> None:
    link_gambling_from_ks2(root)
    assert missing_help_kinds(load(root)) == [
        "lesson 'ks2-passwords-why' (en): links to help of kind 'gambling', but no help contact for audience "
        "'ks2' has that kind (content/en/help.yaml)"]


# --------------------------------------------------------------------------------------------------
# The shipped programme
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shipped(real_app: Flask) -> Catalogue:
    return real_app.extensions["eduplatform.catalogue"]


def test_every_shipped_help_contact_has_a_kind(shipped: Catalogue) -> None:
    assert all(isinstance(contact.kind, HelpKind) for contact in shipped.help_contacts["en"])


def test_every_kind_a_shipped_lesson_names_is_in_its_audiences_help_box(shipped: Catalogue) -> None:
    assert missing_help_kinds(shipped) == []
    named = {kind for content in shipped.module_contents.values() for lesson in content.lessons
             for kind in lesson.help_kinds}
    assert {HelpKind.GAMBLING, HelpKind.FRAUD, HelpKind.TERRORISM, HelpKind.CRISIS, HelpKind.CEOP,
            HelpKind.CHILDLINE, HelpKind.NUDE_IMAGES} <= named


@pytest.mark.parametrize(("audience", "kinds"), [
    ("ks3", {HelpKind.CHILD_ABUSE_IMAGES, HelpKind.GAMBLING, HelpKind.HARMFUL_SEXUAL_BEHAVIOUR, HelpKind.CRISIS}),
    ("ks4", {HelpKind.FRAUD, HelpKind.TERRORISM, HelpKind.CRISIS, HelpKind.GAMBLING}),
    ("staff", {HelpKind.CEOP, HelpKind.FRAUD, HelpKind.TERRORISM, HelpKind.HARMFUL_SEXUAL_BEHAVIOUR}),
    ("dsl", {HelpKind.CEOP, HelpKind.NUDE_IMAGES, HelpKind.HARMFUL_SEXUAL_BEHAVIOUR, HelpKind.GAMBLING}),
])
def test_shipped_help_boxes_offer_the_services_lessons_point_to(shipped: Catalogue, audience: str,
                                                                kinds: set[HelpKind]) -> None:
    assert kinds <= {contact.kind for contact in shipped.help_for((audience,), "en")}


def test_adult_only_services_are_not_shown_to_young_pupils(shipped: Catalogue) -> None:
    names = {contact.name for contact in shipped.help_for(("ks1", "ks2"), "en")}
    assert not any(service in name for name in names for service in ("Stop It Now", "Samaritans", "Shout", "Fraud"))


# --------------------------------------------------------------------------------------------------
# The lesson page: a help link lands on its kind's entry in the help box
# --------------------------------------------------------------------------------------------------


def test_a_help_link_on_a_lesson_page_points_to_its_entry_in_the_help_box(
        app: Flask, real_app: Flask, client, auth, make_user, school, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(app.extensions, "eduplatform.catalogue", real_app.extensions["eduplatform.catalogue"])
    auth.login(make_user(Role.PUPIL, school=school, year_group=10))
    page = client.get("/modules/ks4-wellbeing/lessons/ks4-wellbeing-support").get_data(as_text=True)
    assert 'href="#help-crisis"' in page and 'href="#help-childline"' in page
    assert page.count('id="help-crisis"') == 1  # Shout and Samaritans share the kind: the first is the target
    assert page.index('id="help-crisis"') < page.index("Shout") < page.index("Samaritans")
    assert 'id="help-childline"' in page and 'id="help-dsl"' in page
