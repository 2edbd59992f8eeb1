"""Reading level (Flesch-Kincaid with pyphen syllables) and the programme report built on it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from eduplatform.catalogue import Catalogue, load_catalogue
from eduplatform.catalogue.readability import ReadingLevel, count_syllables, measure
from eduplatform.catalogue.report import MAX_READING_GRADE, programme_problems, reading_levels, strand_coverage

FIXTURE = Path(__file__).parent / "fixtures" / "catalogue"
STATIC = Path(__file__).resolve().parents[1] / "static"

KS1_SIMPLE = "I can play. I can run. The cat is red. We are kind. I ask Mum. It is fun."
DENSE = ("Comprehensive safeguarding responsibilities necessitate institutional accountability, organisational "
         "transparency and continuous professional development regarding information security vulnerabilities.")


def build_url(endpoint: str, **values: Any) -> str:
    return "/" + endpoint + "/" + "/".join(map(str, values.values()))


def load(root: Path) -> Catalogue:
    return load_catalogue(root / "curriculum", root / "content", STATIC, build_url)


def edit(root: Path, relative: str, old: str, new: str) -> None:
    path = root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{relative}: {old!r} is not in the fixture"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the fixture catalogue whose KS1 texts are all short and simple."""
    copy = tmp_path / "catalogue"
    shutil.copytree(FIXTURE, copy)
    edit(copy, "content/en/modules/ks1-asking/quiz.yaml", "Explanation-KS1-picture.", "The thumb is up.")
    edit(copy, "content/en/modules/ks1-asking/quiz.yaml", "Explanation-KS1-true-false.", "Tell a grown-up.")
    edit(copy, "content/en/agreements/ks1-aup.md", "I ask before I use a tablet.", "I ask first.")
    edit(copy, "content/en/agreements/ks1-aup.md", "I will use school systems responsibly.", "I am kind.")
    return copy


@pytest.fixture(scope="module")
def fixture_catalogue() -> Catalogue:
    return load(FIXTURE)


# --------------------------------------------------------------------------------------------------
# Syllables and the Flesch-Kincaid grade
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "syllables"),
    [
        ("cat", 1), ("dog", 1), ("make", 1), ("time", 1), ("safe", 1), ("Cat", 1), ("'cat'", 1), ("dog's", 1),
        ("water", 2), ("password", 2), ("online", 2), ("reading", 2), ("because", 2), ("before", 2),
        ("internet", 3), ("security", 4), ("beautiful", 3),
        ("information", 4),
    ],
)
def test_count_syllables_of_known_words(word: str, syllables: int) -> None:
    assert count_syllables(word) == syllables


@pytest.mark.parametrize(
    ("word", "syllables"),
    [
        # over-counted
        ("smile", 1), ("tablet", 2), ("cat's", 1), ("you're", 1), ("can't", 1), ("teacher's", 2),
        # under-counted
        ("people", 2), ("happy", 2), ("little", 2), ("apple", 2), ("nobody", 3), ("computer", 3),
        ("grown-up", 2), ("e-safety", 3),
    ],
)
def test_count_syllables_of_tricky_words(word: str, syllables: int) -> None:
    assert count_syllables(word) == syllables


@pytest.mark.parametrize("word", ["", "'", "-", "'-'"])
def test_count_syllables_of_punctuation_only_is_zero(word: str) -> None:
    assert count_syllables(word) == 0


@pytest.mark.parametrize(
    ("text", "words", "sentences"),
    [
        ("I can play. I can run. The cat is red.", 10, 3),
        ("Stop! Think. Tell?", 3, 3),
        ("A heading without a full stop", 6, 1),
        ("First line\nSecond line", 4, 2),
        ("Mixing in numbers 123 and symbols !!", 5, 1),
    ],
)
def test_measure_counts_words_and_sentences(text: str, words: int, sentences: int) -> None:
    level = measure([text])
    assert (level.words, level.sentences) == (words, sentences)


def test_measure_adds_up_several_texts() -> None:
    together = measure(["I can play.", "The cat is red"])
    assert (together.words, together.sentences) == (7, 2)
    assert together.syllables == measure(["I can play."]).syllables + measure(["The cat is red"]).syllables


def test_grade_is_the_flesch_kincaid_formula() -> None:
    # 0.39 * 100/5 + 11.8 * 150/100 - 15.59 = 7.8 + 17.7 - 15.59 = 9.91
    level = ReadingLevel(words=100, sentences=5, syllables=150)
    assert level.grade == 9.9
    assert level.reading_age == 14.9


def test_simple_ks1_text_scores_low() -> None:
    assert measure([KS1_SIMPLE]).grade < 1.0


def test_dense_text_scores_high() -> None:
    assert measure([DENSE]).grade > 16.0


def test_denser_text_scores_higher_than_simpler_text() -> None:
    assert measure([DENSE]).grade > measure(["Everything you post leaves a trail."]).grade > measure([KS1_SIMPLE]).grade


@pytest.mark.parametrize("texts", [[], [""], ["   "], ["123 456."], ["", ""]])
def test_no_words_gives_grade_zero(texts: list[str]) -> None:
    level = measure(texts)
    assert level.words == 0
    assert level.grade == 0.0


# --------------------------------------------------------------------------------------------------
# The programme report
# --------------------------------------------------------------------------------------------------


def test_strand_coverage_counts_modules_and_questions_for_pupil_audiences(fixture_catalogue: Catalogue) -> None:
    rows = {row.audience_id: row for row in strand_coverage(fixture_catalogue)}
    assert list(rows) == ["ks1", "ks2", "ks3", "ks4"]  # adults have no strand grid
    assert rows["ks2"].modules_per_strand["privacy_security"] == 1
    assert rows["ks2"].questions_per_strand["privacy_security"] == 3
    assert rows["ks2"].questions_per_strand["online_bullying"] == 1
    assert rows["ks2"].modules_per_strand["copyright_ownership"] == 0


@pytest.mark.parametrize(
    ("audience", "strand"),
    [("ks1", "self_image_identity"), ("ks1", "copyright_ownership"), ("ks2", "online_relationships"),
     ("ks3", "privacy_security"), ("ks4", "online_bullying")],
)
def test_programme_problems_flag_an_empty_strand_cell(fixture_catalogue: Catalogue, audience: str,
                                                      strand: str) -> None:
    assert (f"audience '{audience}': no module with quiz questions covers strand '{strand}'"
            in programme_problems(fixture_catalogue))


@pytest.mark.parametrize(
    ("audience", "strand"),
    [("ks1", "privacy_security"), ("ks1", "online_relationships"), ("ks2", "online_bullying"),
     ("ks3", "online_reputation"), ("ks4", "privacy_security")],
)
def test_programme_problems_do_not_flag_a_covered_strand(fixture_catalogue: Catalogue, audience: str,
                                                         strand: str) -> None:
    assert not any(f"audience '{audience}'" in problem and f"'{strand}'" in problem
                   for problem in programme_problems(fixture_catalogue))


def test_programme_problems_never_flag_strands_for_adult_audiences(fixture_catalogue: Catalogue) -> None:
    for adult in ("staff", "governors", "parents", "visitors"):
        assert not any(problem.startswith(f"audience '{adult}': no module") for problem in
                       programme_problems(fixture_catalogue))


def test_strand_taught_without_quiz_questions_is_flagged(root: Path) -> None:
    strand_problem = "audience 'ks1': no module with quiz questions covers strand 'online_relationships'"
    assert strand_problem not in programme_problems(load(root))
    edit(root, "content/en/modules/ks1-asking/quiz.yaml", "strand: online_relationships", "strand: privacy_security")
    catalogue = load(root)
    assert "online_relationships" in catalogue.modules["ks1-asking"].strands  # the module still teaches it
    assert strand_problem in programme_problems(catalogue)


def _reading_problems(catalogue: Catalogue, audience: str) -> list[str]:
    return [p for p in programme_problems(catalogue) if p.startswith(f"audience '{audience}': reading grade")]


def test_simple_ks1_programme_is_not_too_hard(root: Path) -> None:
    catalogue = load(root)
    assert reading_levels(catalogue)["ks1"].grade <= MAX_READING_GRADE["4-7"]
    assert _reading_problems(catalogue, "ks1") == []


@pytest.mark.parametrize(
    ("file", "old"),
    [
        ("content/en/modules/ks1-asking/ks1-asking-story.md", "I ask a grown-up first."),
        ("content/en/modules/ks1-asking/quiz.yaml", "The thumb is up."),
        ("content/en/agreements/ks1-aup.md", "I am kind."),
    ],
    ids=["lesson", "quiz-explanation", "agreement"],
)
def test_too_hard_pupil_text_is_flagged(root: Path, file: str, old: str) -> None:
    edit(root, file, old, DENSE)
    catalogue = load(root)
    grade = reading_levels(catalogue)["ks1"].grade
    assert grade > MAX_READING_GRADE["4-7"]
    assert _reading_problems(catalogue, "ks1") == [
        f"audience 'ks1': reading grade {grade} is above 3.5, too hard for ages 4-7"
    ]


def test_dense_text_for_adults_is_not_flagged(root: Path) -> None:
    edit(root, "content/en/modules/staff-induction/staff-induction-roles.md", "The DSL leads on safeguarding.", DENSE)
    catalogue = load(root)
    assert reading_levels(catalogue)["staff"].grade > 12
    assert not any(problem.startswith("audience 'staff'") for problem in programme_problems(catalogue))


def test_fixture_ks1_is_flagged_as_too_hard(fixture_catalogue: Catalogue) -> None:
    """The fixture is deliberately incomplete: its KS1 placeholder texts read above the 4-7 band."""
    assert _reading_problems(fixture_catalogue, "ks1")
    assert _reading_problems(fixture_catalogue, "ks2") == []


def test_pupil_lessons_without_a_discussion_prompt_are_a_programme_problem(fixture_catalogue: Catalogue) -> None:
    from eduplatform.catalogue.report import missing_discussion_prompts

    problems = missing_discussion_prompts(fixture_catalogue)
    assert "lesson 'ks2-passwords-strong': no [discuss] prompt for the teacher in section(s) 3" in problems
    assert "lesson 'ks2-passwords-why': no [discuss] prompt for the teacher in section(s) 1" in problems
    assert not any("staff-induction" in problem or "parents-home" in problem for problem in problems)


def test_the_shipped_pupil_lessons_have_a_prompt_under_every_section(real_app) -> None:
    from eduplatform.catalogue.report import missing_discussion_prompts

    assert missing_discussion_prompts(real_app.extensions["eduplatform.catalogue"]) == []
