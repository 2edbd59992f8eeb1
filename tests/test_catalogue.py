"""The catalogue loader: the fixture programme loads, and each kind of content mistake is reported.

Pure unit tests: ``load_catalogue`` is a plain function, so no app or database is needed. Mistakes
are made in a copy of ``tests/fixtures/catalogue`` under ``tmp_path``, one edit per case.
"""

from __future__ import annotations

import dataclasses
import hashlib
import operator
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from eduplatform.catalogue import Catalogue, ContentError, Problem, load_catalogue
from eduplatform.catalogue.model import QuestionType, Requirement, Signing

FIXTURE = Path(__file__).parent / "fixtures" / "catalogue"
STATIC = Path(__file__).resolve().parents[1] / "static"
HEX12 = re.compile(r"^[0-9a-f]{12}$")

FIXTURE_MODULE_ORDER = [
    "ks1-asking", "ks2-passwords", "ks3-footprint", "ks4-scams",
    "staff-induction", "governors-duties", "parents-home", "visitors-welcome",
]


def build_url(endpoint: str, **values: Any) -> str:
    """A stand-in for ``url_for``: the endpoint and the values, joined by slashes."""
    return "/" + endpoint + "/" + "/".join(map(str, values.values()))


def load(root: Path, fallback_locale: str = "en") -> Catalogue:
    return load_catalogue(root / "curriculum", root / "content", STATIC, build_url, fallback_locale=fallback_locale)


class CatalogueCopy:
    """A writable copy of the fixture catalogue; every edit checks that it really changed a file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, relative: str) -> Path:
        return self.root / relative

    def read(self, relative: str) -> str:
        return self.path(relative).read_text(encoding="utf-8")

    def write(self, relative: str, text: str) -> None:
        path = self.path(relative)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def replace(self, relative: str, old: str, new: str, count: int = 1) -> None:
        """Replace ``old`` (which must occur exactly ``count`` times) so a drifting fixture fails loudly."""
        text = self.read(relative)
        assert text.count(old) == count, f"{relative}: expected {count} x {old!r} in the fixture"
        self.write(relative, text.replace(old, new))

    def append(self, relative: str, text: str) -> None:
        self.write(relative, self.read(relative) + text)

    def delete(self, relative: str) -> None:
        path = self.path(relative)
        assert path.is_file(), f"{relative} is not in the fixture"
        path.unlink()

    def load(self) -> Catalogue:
        return load(self.root)

    def problems(self) -> list[Problem]:
        """Load, expecting failure; the problems reported."""
        with pytest.raises(ContentError) as caught:
            self.load()
        assert caught.value.problems, "ContentError without problems"
        return caught.value.problems


@pytest.fixture
def copy(tmp_path: Path) -> CatalogueCopy:
    root = tmp_path / "catalogue"
    shutil.copytree(FIXTURE, root)
    return CatalogueCopy(root)


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load(FIXTURE)


def show(problems: list[Problem]) -> str:
    return "\n".join(str(problem) for problem in problems)


def find_problem(problems: list[Problem], path: str, *fragments: str) -> Problem | None:
    for problem in problems:
        if problem.path == path and all(fragment in problem.message for fragment in fragments):
            return problem
    return None


# --------------------------------------------------------------------------------------------------
# The fixture catalogue loads
# --------------------------------------------------------------------------------------------------


def test_unchanged_copy_loads(copy: CatalogueCopy) -> None:
    """The mistake cases below start from this copy: without a mistake it loads."""
    assert list(copy.load().modules) == FIXTURE_MODULE_ORDER


def test_fixture_modules_are_in_file_order(catalogue: Catalogue) -> None:
    assert list(catalogue.modules) == FIXTURE_MODULE_ORDER
    orders = [module.order for module in catalogue.modules.values()]
    assert orders == sorted(orders)
    assert len(set(orders)) == len(orders)


def test_module_files_are_read_in_name_order(copy: CatalogueCopy) -> None:
    visitors = """  - id: visitors-welcome
    audience: visitors
    strands: [privacy_security]
    lessons: [visitors-welcome-wifi]
    agreement: visitor-aup
    completion: [lessons, agreement]
"""
    copy.replace("curriculum/modules/all.yaml", visitors, "")
    copy.write("curriculum/modules/00-first.yaml", "modules:\n" + visitors)
    catalogue = copy.load()
    assert list(catalogue.modules) == ["visitors-welcome", *FIXTURE_MODULE_ORDER[:-1]]


@pytest.mark.parametrize(
    ("module_id", "audience", "strands", "lessons", "has_quiz", "agreement", "completion", "pass_mark",
     "max_attempts", "renewal"),
    [
        ("ks1-asking", "ks1", ("privacy_security", "online_relationships"), ("ks1-asking-story",), True, None,
         {"lessons", "quiz"}, 60, None, 12),
        ("ks2-passwords", "ks2", ("privacy_security", "online_bullying"),
         ("ks2-passwords-why", "ks2-passwords-strong"), True, None, {"lessons", "quiz"}, 75, 3, 12),
        ("ks3-footprint", "ks3", ("online_reputation",), ("ks3-footprint-trail",), True, None,
         {"lessons", "quiz"}, 80, None, 12),
        ("staff-induction", "staff", ("privacy_security", "online_reputation"), ("staff-induction-roles",), True,
         "staff-aup", {"lessons", "quiz", "agreement"}, 80, None, 24),
        ("visitors-welcome", "visitors", ("privacy_security",), ("visitors-welcome-wifi",), False, "visitor-aup",
         {"lessons", "agreement"}, 80, None, 12),
    ],
)
def test_fixture_module_structure_and_defaults(catalogue: Catalogue, module_id: str, audience: str,
                                               strands: tuple[str, ...], lessons: tuple[str, ...], has_quiz: bool,
                                               agreement: str | None, completion: set[str], pass_mark: int,
                                               max_attempts: int | None, renewal: int) -> None:
    module = catalogue.modules[module_id]
    assert module.audience == audience
    assert module.strands == strands
    assert module.lesson_ids == lessons
    assert module.has_quiz is has_quiz
    assert module.agreement_id == agreement
    assert module.completion == frozenset(Requirement(value) for value in completion)
    assert module.pass_mark == pass_mark
    assert module.max_attempts == max_attempts
    assert module.renewal_months == renewal


def test_fixture_lessons_are_in_reading_order_with_titles_and_text(catalogue: Catalogue) -> None:
    content = catalogue.module_content("ks2-passwords", "en")
    assert content.title == "Passwords"
    assert content.summary == "Fixture module ks2-passwords."
    assert [(lesson.id, lesson.title) for lesson in content.lessons] == [
        ("ks2-passwords-why", "Why passwords matter"),
        ("ks2-passwords-strong", "Strong passwords"),
    ]
    assert all(lesson.module_id == "ks2-passwords" and lesson.locale == "en" for lesson in content.lessons)
    assert content.lessons[1].text.startswith("Use three random words. Keep it to yourself")
    assert "<p>" not in content.lessons[0].text


def test_fixture_outcome_texts_are_loaded(catalogue: Catalogue) -> None:
    assert dict(catalogue.module_content("ks2-passwords", "en").outcomes) == {
        "keep-private": "I keep passwords private.",
        "tell-adult": "I tell an adult.",
    }


def test_fixture_quiz_questions_types_and_correct_answers(catalogue: Catalogue) -> None:
    quiz = catalogue.module_content("ks2-passwords", "en").quiz
    assert quiz is not None
    assert quiz.module_id == "ks2-passwords"
    assert [(q.id, q.type, q.strand, q.correct_option_ids) for q in quiz.questions] == [
        ("q1", QuestionType.SINGLE, "privacy_security", frozenset({"b"})),
        ("q2", QuestionType.MULTIPLE, "privacy_security", frozenset({"a", "c"})),
        ("q3", QuestionType.TRUE_FALSE, "online_bullying", frozenset({"true"})),
        ("q4", QuestionType.TRUE_FALSE, "privacy_security", frozenset({"false"})),
    ]
    assert [option.id for option in quiz.questions[0].options] == ["a", "b", "c"]
    assert quiz.questions[0].options[1].text == "A trusted adult at home"
    assert [option.id for option in quiz.questions[3].options] == ["true", "false"]
    assert quiz.questions[2].explanation == "Explanation-KS2-q3 telling helps."


def test_fixture_picture_question_keeps_image_and_alt(catalogue: Catalogue) -> None:
    quiz = catalogue.module_content("ks1-asking", "en").quiz
    assert quiz is not None
    question = quiz.questions[0]
    assert question.type is QuestionType.PICTURE
    assert [(o.id, o.image, o.alt, o.correct) for o in question.options] == [
        ("up", "img/ui/thumbs-up.svg", "A thumbs up", True),
        ("down", "img/ui/thumbs-down.svg", "A thumbs down", False),
    ]


def test_module_without_quiz_has_no_quiz_content(catalogue: Catalogue) -> None:
    assert catalogue.module_content("visitors-welcome", "en").quiz is None


def test_fixture_agreements_in_order_with_signing(catalogue: Catalogue) -> None:
    assert list(catalogue.agreements) == [
        "ks1-aup", "ks2-aup", "ks3-aup", "ks4-aup", "staff-aup", "governor-aup", "home-school-agreement",
        "visitor-aup",
    ]
    assert catalogue.agreements["ks1-aup"].signing is Signing.TICK
    assert catalogue.agreements["staff-aup"].signing is Signing.TYPED_NAME
    assert catalogue.agreements["home-school-agreement"].audiences == frozenset({"parents"})
    content = catalogue.agreement_content("governor-aup", "en")
    assert (content.title, content.summary) == ("Governor agreement", "Fixture agreement governor-aup.")
    assert str(content.html) == "<p>I will use school systems responsibly.</p>"


def test_fixture_agreement_promises_with_picture(catalogue: Catalogue) -> None:
    content = catalogue.agreement_content("ks1-aup", "en")
    assert [(p.text, p.image, p.alt) for p in content.promises] == [
        ("I ask before I use a tablet.", "img/ui/thumbs-up.svg", "A thumbs up"),
    ]
    assert "I ask before I use a tablet." in content.text
    assert catalogue.agreement_content("ks2-aup", "en").promises == ()


def test_fixture_agreement_consents(catalogue: Catalogue) -> None:
    content = catalogue.agreement_content("home-school-agreement", "en")
    assert [(c.id, c.text) for c in content.consents] == [("photos-website", "Photos on the school website.")]
    assert catalogue.agreement_content("ks1-aup", "en").consents == ()


@pytest.mark.parametrize("locale", ["en", "fr"])
def test_fixture_help_contacts_with_fallback_locale(catalogue: Catalogue, locale: str) -> None:
    contacts = catalogue.help_for(("ks2",), locale)
    assert [(c.name, c.detail) for c in contacts] == [("Test DSL", "Room 1, ask at the office.")]
    assert "visitors" in contacts[0].audiences


def test_help_contacts_for_an_audience_nobody_lists_are_empty(catalogue: Catalogue) -> None:
    assert catalogue.help_for(("nobody",), "en") == ()


@pytest.mark.parametrize(
    ("kind", "item_id", "expected"),
    [
        ("strands", "privacy_security", "Privacy and security"),
        ("strands", "copyright_ownership", "Copyright and ownership"),
        ("audiences", "ks2", "Key Stage 2 (ages 7-11)"),
        ("audiences", "visitors", "Visitors and community users"),
        ("strands", "not-a-strand", "not-a-strand"),
    ],
)
def test_fixture_labels(catalogue: Catalogue, kind: str, item_id: str, expected: str) -> None:
    assert catalogue.label(kind, item_id, "en") == expected


def _versioned_files(catalogue: Catalogue) -> list[tuple[str, Path]]:
    """(version, source file) for every lesson, quiz and agreement of the fixture."""
    content = FIXTURE / "content" / "en"
    found = []
    for module_id in catalogue.modules:
        module_content = catalogue.module_content(module_id, "en")
        for lesson in module_content.lessons:
            found.append((lesson.version, content / "modules" / module_id / f"{lesson.id}.md"))
        if module_content.quiz:
            found.append((module_content.quiz.version, content / "modules" / module_id / "quiz.yaml"))
    for agreement_id in catalogue.agreements:
        found.append((catalogue.agreement_content(agreement_id, "en").version,
                      content / "agreements" / f"{agreement_id}.md"))
    return found


def test_versions_are_12_hex_digits_of_the_file_hash(catalogue: Catalogue) -> None:
    found = _versioned_files(catalogue)
    assert len(found) == 9 + 7 + 8  # lessons, quizzes, agreements
    for version, path in found:
        assert HEX12.match(version), (path, version)
        assert version == hashlib.sha256(path.read_bytes()).hexdigest()[:12], path


def test_internal_lesson_link_is_rewritten_through_build_url(catalogue: Catalogue) -> None:
    html = str(catalogue.module_content("ks2-passwords", "en").lessons[0].html)
    assert '<a href="/learning.show_lesson/ks2-passwords/ks2-passwords-strong">strong passwords</a>' in html
    assert "lesson:" not in html


def test_lesson_image_is_rewritten_to_the_static_url(catalogue: Catalogue) -> None:
    html = str(catalogue.module_content("ks1-asking", "en").lessons[0].html)
    assert 'src="/static/img/ui/thumbs-up.svg"' in html
    assert 'alt="A thumbs up"' in html


@pytest.mark.parametrize(
    ("link", "expected_href"),
    [
        ("lesson:ks3-footprint-trail", "/learning.show_lesson/ks3-footprint/ks3-footprint-trail"),
        ("module:ks4-scams", "/learning.show_module/ks4-scams"),
        ("agreement:ks2-aup", "/agreements.show_agreement/ks2-aup"),
        ("https://www.example.org/help", "https://www.example.org/help"),
    ],
)
def test_link_kinds_are_rewritten_or_kept(copy: CatalogueCopy, link: str, expected_href: str) -> None:
    copy.append("content/en/modules/ks2-passwords/ks2-passwords-strong.md", f"\n[Go]({link})\n")
    html = str(copy.load().module_content("ks2-passwords", "en").lessons[1].html)
    assert f'<a href="{expected_href}">Go</a>' in html


def _expect_immutable(change: Callable[[], object]) -> None:
    with pytest.raises((TypeError, dataclasses.FrozenInstanceError)):
        change()


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda c: setattr(c, "locales", ("fr",)), id="catalogue-attribute"),
        pytest.param(lambda c: operator.setitem(c.modules, "new", None), id="modules-mapping"),
        pytest.param(lambda c: operator.delitem(c.modules, "ks1-asking"), id="modules-mapping-pop"),
        pytest.param(lambda c: operator.setitem(c.audiences, "new", None), id="audiences-mapping"),
        pytest.param(lambda c: operator.setitem(c.agreements, "new", None), id="agreements-mapping"),
        pytest.param(lambda c: operator.setitem(c.module_contents, ("en", "new"), None), id="module-contents-mapping"),
        pytest.param(lambda c: operator.setitem(c.agreement_contents, ("en", "new"), None),
                     id="agreement-contents-mapping"),
        pytest.param(lambda c: operator.setitem(c.help_contacts, "en", ()), id="help-contacts-mapping"),
        pytest.param(lambda c: operator.setitem(c.labels, "fr", {}), id="labels-mapping"),
        pytest.param(lambda c: operator.setitem(c.labels["en"], "strands", {}), id="labels-locale-mapping"),
        pytest.param(lambda c: setattr(c.modules["ks2-passwords"], "pass_mark", 1), id="module"),
        pytest.param(lambda c: setattr(c.audiences["ks1"], "age_band", "18+"), id="audience"),
        pytest.param(lambda c: setattr(c.agreements["ks1-aup"], "renewal_months", 1), id="agreement"),
        pytest.param(lambda c: setattr(c.module_content("ks2-passwords", "en"), "title", "x"), id="module-content"),
        pytest.param(lambda c: setattr(c.module_content("ks2-passwords", "en").lessons[0], "html", "x"),
                     id="lesson"),
        pytest.param(lambda c: setattr(c.module_content("ks2-passwords", "en").quiz, "version", "x"), id="quiz"),
        pytest.param(lambda c: setattr(c.module_content("ks2-passwords", "en").quiz.questions[0].options[0],
                                       "correct", True), id="option"),
        pytest.param(lambda c: setattr(c.agreement_content("ks1-aup", "en"), "version", "x"),
                     id="agreement-content"),
        pytest.param(lambda c: setattr(c.agreement_content("ks1-aup", "en").promises[0], "text", "x"),
                     id="promise"),
        pytest.param(lambda c: setattr(c.help_contacts["en"][0], "detail", "x"), id="help-contact"),
        pytest.param(
            lambda c: operator.setitem(c.labels["en"]["strands"], "privacy_security", "Changed"), id="labels-names"),
        pytest.param(
            lambda c: operator.setitem(c.module_content("ks2-passwords", "en").outcomes, "keep-private", "Changed"),
            id="module-outcomes"),
    ],
)
def test_catalogue_objects_are_immutable(change: Callable[[Catalogue], object]) -> None:
    catalogue = load(FIXTURE)  # a private catalogue: a failing case must not change the shared one
    _expect_immutable(lambda: change(catalogue))


def test_catalogue_mappings_are_mappingproxies(catalogue: Catalogue) -> None:
    for mapping in (catalogue.modules, catalogue.audiences, catalogue.agreements, catalogue.module_contents,
                    catalogue.agreement_contents, catalogue.help_contacts, catalogue.labels, catalogue.labels["en"]):
        assert isinstance(mapping, MappingProxyType)


# --------------------------------------------------------------------------------------------------
# Each kind of mistake is reported, naming the file
# --------------------------------------------------------------------------------------------------

CURRICULUM_MODULES = "curriculum/modules/all.yaml"
KS1 = "content/en/modules/ks1-asking"
KS2 = "content/en/modules/ks2-passwords"
KS3 = "content/en/modules/ks3-footprint"

DUPLICATE_MODULE = """modules:
  - id: ks3-footprint
    audience: ks3
    strands: [online_reputation]
    lessons: [ks3-footprint-trail]
    completion: [lessons]
"""

ZZ_MODULE_WITHOUT_ID = """modules:
  - id: ks2-extra
    audience: ks2
    strands: [privacy_security]
    completion: [attendance]
  - audience: ks2
    strands: [privacy_security]
    completion: [attendance]
"""

MISTAKES: list[Any] = [
    pytest.param(
        lambda c: c.replace(CURRICULUM_MODULES, "    audience: ks2\n", "    audience: year-two\n"),
        CURRICULUM_MODULES, ["module 'ks2-passwords'", "unknown audience 'year-two'"],
        id="unknown-audience-in-module"),
    pytest.param(
        lambda c: c.replace(CURRICULUM_MODULES, "strands: [online_reputation]\n",
                            "strands: [online_reputation, cyber_stuff]\n"),
        CURRICULUM_MODULES, ["module 'ks3-footprint'", "unknown strand 'cyber_stuff'"],
        id="unknown-strand-in-module"),
    pytest.param(
        lambda c: c.replace(f"{KS2}/quiz.yaml", "strand: online_bullying", "strand: bullying"),
        f"{KS2}/quiz.yaml", ["question 'q3'", "unknown strand 'bullying'"],
        id="unknown-strand-on-question"),
    pytest.param(
        lambda c: c.write("curriculum/modules/zz-extra.yaml", DUPLICATE_MODULE),
        "curriculum/modules/zz-extra.yaml", ["duplicate module id 'ks3-footprint'"],
        id="duplicate-module-id"),
    pytest.param(
        lambda c: c.replace(CURRICULUM_MODULES, "lessons: [ks4-scams-phishing]",
                            "lessons: [ks4-scams-phishing, ks3-footprint-trail]"),
        CURRICULUM_MODULES, ["duplicate lesson id 'ks3-footprint-trail'", "ks3-footprint"],
        id="lesson-in-two-modules"),
    pytest.param(
        lambda c: c.replace(f"{KS2}/quiz.yaml", "  - id: q2\n", "  - id: q1\n"),
        f"{KS2}/quiz.yaml", ["duplicate question id 'q1'"],
        id="duplicate-question-id"),
    pytest.param(
        lambda c: c.replace(f"{KS2}/quiz.yaml", "        text: A trusted adult at home\n        correct: true\n",
                            "        text: A trusted adult at home\n"),
        f"{KS2}/quiz.yaml", ["question 'q1'", "no correct answer"],
        id="single-without-correct-answer"),
    pytest.param(
        lambda c: c.replace(f"{KS2}/quiz.yaml", "        text: Anyone who asks nicely\n",
                            "        text: Anyone who asks nicely\n        correct: true\n"),
        f"{KS2}/quiz.yaml", ["question 'q1'", "more than one correct answer"],
        id="single-with-two-correct-answers"),
    pytest.param(
        lambda c: c.replace(f"{KS2}/quiz.yaml", "    answer: false\n", ""),
        f"{KS2}/quiz.yaml", ["question 'q4'", "true/false", "answer"],
        id="true-false-without-answer"),
    pytest.param(
        lambda c: c.replace(f"{KS1}/quiz.yaml", "        alt: A thumbs down\n", ""),
        f"{KS1}/quiz.yaml", ["question 'q1' option #2", "alt text"],
        id="picture-option-without-alt"),
    pytest.param(
        lambda c: c.replace(f"{KS1}/ks1-asking-story.md", "(img/ui/thumbs-up.svg)", "(img/ui/no-such.svg)"),
        f"{KS1}/ks1-asking-story.md", ["missing image", "img/ui/no-such.svg"],
        id="missing-lesson-image"),
    pytest.param(
        lambda c: c.replace(f"{KS1}/quiz.yaml", "image: img/ui/thumbs-down.svg", "image: img/ui/no-such.svg"),
        f"{KS1}/quiz.yaml", ["option #2", "missing image", "img/ui/no-such.svg"],
        id="missing-picture-option-image"),
    pytest.param(
        lambda c: c.replace("content/en/agreements/ks1-aup.md", "image: img/ui/thumbs-up.svg",
                            "image: img/ui/no-such.svg"),
        "content/en/agreements/ks1-aup.md", ["promise #1", "missing image", "img/ui/no-such.svg"],
        id="missing-promise-image"),
    pytest.param(
        lambda c: c.replace(f"{KS1}/ks1-asking-story.md", "(img/ui/thumbs-up.svg)",
                            "(http://images.example.com/thumbs-up.svg)"),
        f"{KS1}/ks1-asking-story.md", ["http://images.example.com/thumbs-up.svg", "must be a path under static/"],
        id="lesson-image-as-http-url"),
    pytest.param(
        lambda c: c.replace(f"{KS1}/quiz.yaml", "image: img/ui/thumbs-up.svg",
                            "image: https://images.example.com/thumbs-up.svg"),
        f"{KS1}/quiz.yaml", ["option #1", "https://images.example.com/thumbs-up.svg", "must be a path under static/"],
        id="picture-option-image-as-https-url"),
    pytest.param(
        lambda c: c.replace(f"{KS2}/ks2-passwords-why.md", "(lesson:ks2-passwords-strong)", "(lesson:nope)"),
        f"{KS2}/ks2-passwords-why.md", ["broken link 'lesson:nope'"],
        id="broken-internal-link"),
    pytest.param(
        lambda c: c.replace(f"{KS2}/ks2-passwords-strong.md",
                            "Use three random words.\n\n![A thumbs up](img/ui/thumbs-up.svg)\n",
                            "[discuss] Asked before anything is said?\n"),
        f"{KS2}/ks2-passwords-strong.md", ["[discuss] prompt must follow the text"],
        id="discussion-prompt-before-any-text"),
    pytest.param(
        lambda c: c.replace(f"{KS2}/ks2-passwords-strong.md", "Never share it.", "- ## A heading in a list\n\nNever"),
        f"{KS2}/ks2-passwords-strong.md", ["every '## ' line must be a section heading"],
        id="heading-marker-inside-a-list"),
    pytest.param(
        lambda c: c.delete(f"{KS3}/module.yaml"),
        f"{KS3}/module.yaml", ["missing", "module 'ks3-footprint'", "falls back to 'en'"],
        id="module-without-fallback-text"),
    pytest.param(
        lambda c: c.delete(f"{KS2}/ks2-passwords-strong.md"),
        f"{KS2}/ks2-passwords-strong.md", ["missing", "lesson 'ks2-passwords-strong'"],
        id="lesson-file-missing"),
    pytest.param(
        lambda c: c.delete(f"{KS3}/quiz.yaml"),
        f"{KS3}/quiz.yaml", ["missing", "module 'ks3-footprint' has no quiz"],
        id="quiz-file-missing"),
    pytest.param(
        lambda c: c.write("content/cy/modules/ks2-ghost/module.yaml", "title: Ysbryd\nsummary: Dim.\n"),
        "content/cy/modules/ks2-ghost", ["module 'ks2-ghost' is not in the curriculum"],
        id="second-locale-module-not-in-curriculum"),
    pytest.param(
        lambda c: c.replace(CURRICULUM_MODULES, "    max_attempts: 3\n", "    max_attempts: 3\n    colour: blue\n"),
        CURRICULUM_MODULES, ["unknown key 'colour'"],
        id="unknown-key-in-curriculum-module"),
    pytest.param(
        lambda c: c.append(f"{KS2}/module.yaml", "colour: blue\n"),
        f"{KS2}/module.yaml", ["unknown key 'colour'"],
        id="unknown-key-in-module-yaml"),
    pytest.param(
        lambda c: c.append(CURRICULUM_MODULES, "  - id: [unclosed\n"),
        CURRICULUM_MODULES, ["not valid YAML"],
        id="invalid-yaml-curriculum-modules"),
    pytest.param(
        lambda c: c.replace(f"{KS2}/quiz.yaml", "questions:\n", "questions:\n  - id: q0\n   type: {broken\n"),
        f"{KS2}/quiz.yaml", ["not valid YAML"],
        id="invalid-yaml-quiz"),
    pytest.param(
        lambda c: c.append(f"{KS2}/module.yaml", "summary: : : [\n"),
        f"{KS2}/module.yaml", ["not valid YAML"],
        id="invalid-yaml-module-yaml"),
    pytest.param(
        lambda c: c.replace(f"{KS2}/ks2-passwords-strong.md", "title: Strong passwords\n",
                            "title: [Strong passwords\n"),
        f"{KS2}/ks2-passwords-strong.md", ["front matter", "not valid YAML"],
        id="invalid-yaml-lesson-front-matter"),
    pytest.param(
        lambda c: c.replace(CURRICULUM_MODULES, "completion: [lessons, agreement]", "completion: [lessons, quiz]"),
        CURRICULUM_MODULES, ["module 'visitors-welcome'", "completion needs the quiz", "has none"],
        id="completion-needs-missing-quiz"),
    pytest.param(
        lambda c: c.replace(f"{KS2}/module.yaml", "  tell-adult: I tell an adult.\n", ""),
        f"{KS2}/module.yaml", ["missing text for outcome 'tell-adult'"],
        id="outcome-without-text"),
    pytest.param(
        lambda c: c.replace(f"{KS1}/quiz.yaml", "        image: img/ui/thumbs-down.svg\n", ""),
        f"{KS1}/quiz.yaml", ["question 'q1' option #2", "image"],
        id="picture-option-without-image"),
    pytest.param(
        lambda c: c.append(f"{KS1}/ks1-asking-story.md", '\n<img src="https://images.example.com/x.png" alt="X">\n'),
        f"{KS1}/ks1-asking-story.md", ["https://images.example.com/x.png", "must be a path under static/"],
        id="raw-html-image-from-another-site"),
    pytest.param(
        lambda c: c.write("curriculum/modules/zz-extra.yaml", ZZ_MODULE_WITHOUT_ID),
        "curriculum/modules/zz-extra.yaml", ["module #2", "missing 'id'"],
        id="module-position-counts-within-its-file"),
]


@pytest.mark.parametrize(("mistake", "path", "fragments"), MISTAKES)
def test_mistake_is_reported_naming_the_file(copy: CatalogueCopy, mistake: Callable[[CatalogueCopy], None],
                                             path: str, fragments: list[str]) -> None:
    mistake(copy)
    problems = copy.problems()
    assert find_problem(problems, path, *fragments), f"no problem in {path} with {fragments}:\n{show(problems)}"


def test_problem_paths_are_relative_to_the_catalogue_root(copy: CatalogueCopy) -> None:
    copy.delete(f"{KS3}/quiz.yaml")
    problems = copy.problems()
    assert problems
    for problem in problems:
        assert not Path(problem.path).is_absolute(), problem
        assert str(copy.root) not in problem.path


def test_content_error_message_lists_every_problem(copy: CatalogueCopy) -> None:
    copy.delete(f"{KS3}/quiz.yaml")
    copy.delete(f"{KS2}/ks2-passwords-strong.md")
    with pytest.raises(ContentError) as caught:
        copy.load()
    message = str(caught.value)
    assert message.startswith(f"{len(caught.value.problems)} problem(s) in the content:")
    assert f"{KS3}/quiz.yaml: missing" in message
    assert f"{KS2}/ks2-passwords-strong.md: missing" in message


def test_several_problems_in_one_run_are_all_reported(copy: CatalogueCopy) -> None:
    copy.replace(CURRICULUM_MODULES, "strands: [online_reputation]\n", "strands: [online_reputation, cyber_stuff]\n")
    copy.replace(f"{KS2}/quiz.yaml", "  - id: q2\n", "  - id: q1\n")
    copy.replace(f"{KS1}/quiz.yaml", "        alt: A thumbs down\n", "")
    copy.delete(f"{KS3}/module.yaml")
    copy.replace(f"{KS2}/ks2-passwords-why.md", "(lesson:ks2-passwords-strong)", "(lesson:nope)")
    problems = copy.problems()
    expected = [
        (CURRICULUM_MODULES, "unknown strand 'cyber_stuff'"),
        (f"{KS2}/quiz.yaml", "duplicate question id 'q1'"),
        (f"{KS1}/quiz.yaml", "alt text"),
        (f"{KS3}/module.yaml", "missing"),
        (f"{KS2}/ks2-passwords-why.md", "broken link 'lesson:nope'"),
    ]
    for path, fragment in expected:
        assert find_problem(problems, path, fragment), f"{path}: {fragment} not reported:\n{show(problems)}"


def test_missing_fallback_locale_folder_is_reported(copy: CatalogueCopy) -> None:
    with pytest.raises(ContentError) as caught:
        load(copy.root, fallback_locale="cy")
    assert find_problem(caught.value.problems, "content/cy", "missing", "fallback locale")


# --------------------------------------------------------------------------------------------------
# A second locale falls back to the first
# --------------------------------------------------------------------------------------------------

CY_MODULE = """title: Cyfrineiriau
summary: Modiwl cyfrineiriau.
outcomes:
  keep-private: Rwy'n cadw cyfrineiriau'n breifat.
  tell-adult: Rwy'n dweud wrth oedolyn.
"""


def test_second_locale_translation_is_used_with_fallback_for_the_rest(copy: CatalogueCopy) -> None:
    copy.write("content/cy/modules/ks2-passwords/module.yaml", CY_MODULE)
    catalogue = copy.load()
    assert catalogue.locales == ("en", "cy")
    assert catalogue.fallback_locale == "en"
    translated = catalogue.module_content("ks2-passwords", "cy")
    assert (translated.locale, translated.title) == ("cy", "Cyfrineiriau")
    assert translated.outcomes["tell-adult"] == "Rwy'n dweud wrth oedolyn."
    assert catalogue.module_content("ks2-passwords", "en").title == "Passwords"
    untranslated = catalogue.module_content("ks3-footprint", "cy")
    assert (untranslated.locale, untranslated.title) == ("en", "Digital footprint")
    agreement = catalogue.agreement_content("ks2-aup", "cy")
    assert (agreement.locale, agreement.title) == ("en", "KS2 agreement")
    assert catalogue.label("strands", "privacy_security", "cy") == "Privacy and security"


def test_partially_translated_module_keeps_its_lessons_and_quiz(copy: CatalogueCopy) -> None:
    copy.write("content/cy/modules/ks2-passwords/module.yaml", CY_MODULE)
    catalogue: Catalogue | None = None
    problems: list[Problem] = []
    try:
        catalogue = copy.load()
    except ContentError as error:  # reporting the incomplete translation is an acceptable fix too
        problems = error.problems
    if catalogue is None:
        assert any(problem.path.startswith("content/cy/modules/ks2-passwords") for problem in problems)
        return
    translated = catalogue.module_content("ks2-passwords", "cy")
    assert tuple(lesson.id for lesson in translated.lessons) == ("ks2-passwords-why", "ks2-passwords-strong")
    assert translated.quiz is not None
    assert [question.id for question in translated.quiz.questions] == ["q1", "q2", "q3", "q4"]


def test_translated_agreement_is_used_in_its_locale(copy: CatalogueCopy) -> None:
    copy.write("content/cy/agreements/ks2-aup.md", "---\ntitle: Cytundeb CA2\nsummary: Crynodeb.\n---\nRwy'n addo.\n")
    catalogue = copy.load()
    assert catalogue.agreement_content("ks2-aup", "cy").title == "Cytundeb CA2"
    assert catalogue.agreement_content("ks2-aup", "en").title == "KS2 agreement"


# --------------------------------------------------------------------------------------------------
# Versions follow the file's bytes
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("I will use school systems responsibly.", "I will use school systems responsibly!"),
        ("I will use school systems responsibly.\n", "I will use school systems responsibly.\n\n"),
        ("title: KS2 agreement", "title: KS2 Agreement"),
    ],
    ids=["word-change", "trailing-newline", "front-matter"],
)
def test_agreement_version_changes_when_its_bytes_change(copy: CatalogueCopy, old: str, new: str) -> None:
    before = copy.load()
    copy.replace("content/en/agreements/ks2-aup.md", old, new)
    after = copy.load()
    assert after.agreement_content("ks2-aup", "en").version != before.agreement_content("ks2-aup", "en").version
    assert after.agreement_content("ks3-aup", "en").version == before.agreement_content("ks3-aup", "en").version


def test_versions_are_stable_across_loads(copy: CatalogueCopy) -> None:
    first, second = copy.load(), copy.load()
    assert first.agreement_content("ks2-aup", "en").version == second.agreement_content("ks2-aup", "en").version
    assert (first.module_content("ks2-passwords", "en").quiz.version
            == second.module_content("ks2-passwords", "en").quiz.version)
