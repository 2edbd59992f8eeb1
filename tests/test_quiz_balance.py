"""Issue 16: the quiz balance report (check-content) and its rule that quizzes cannot be passed by length."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask

from eduplatform.catalogue import Catalogue
from eduplatform.catalogue.model import Learners, Option, Question, QuestionType
from eduplatform.catalogue.quiz_balance import (
    MAX_LONGEST_CORRECT_SHARE,
    audience_balance,
    balance_problems,
    correct_is_strictly_longest,
    quiz_balance,
)
from eduplatform.catalogue.report import programme_problems
from tests.test_readability import edit, load

FIXTURE = Path(__file__).parent / "fixtures" / "catalogue"
KS2_QUIZ = "content/en/modules/ks2-passwords/quiz.yaml"


def single(*texts: str, correct: int) -> Question:
    options = tuple(Option(str(i), text, None, None, i == correct) for i, text in enumerate(texts))
    return Question("q1", QuestionType.SINGLE, "privacy_security", "Which?", options, "Because.")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "catalogue")
    return tmp_path / "catalogue"


def test_only_a_strictly_longest_correct_option_counts_as_longest() -> None:
    assert correct_is_strictly_longest(single("short", "the longest one", "medium one", correct=1))
    assert not correct_is_strictly_longest(single("short", "same size", "same size", correct=1))  # a tie: no cue
    assert not correct_is_strictly_longest(single("the longest one", "short", correct=1))
    assert not correct_is_strictly_longest(single("   pad    ", "wordy", correct=0))  # spaces are not length


def test_the_balance_of_an_audience_counts_every_kind_of_question() -> None:
    row = audience_balance(load(FIXTURE), "ks2")
    # ks2-passwords: q1 single (correct b, "A trusted adult at home" the longest), q2 multiple with one wrong
    # option of three, q3 true/false keyed true, q4 keyed false.
    assert (row.one_answer, row.pictures, row.longest_correct, row.correct_positions) == (1, 0, 1, {"b": 1})
    assert (row.keyed_true, row.keyed_false) == (1, 1)
    assert (row.multiple, row.multiple_one_wrong, row.few_options) == (1, 1, 0)
    assert row.longest_share == 1.0


def test_a_single_choice_question_with_two_options_is_counted(root: Path) -> None:
    edit(root, KS2_QUIZ, "      - id: c\n        text: Anyone who asks nicely\n", "")
    row = audience_balance(load(root), "ks2")
    assert row.few_options == 1


def test_an_audience_above_the_limit_is_a_programme_problem_and_balancing_it_clears_it(root: Path) -> None:
    problem = ("audience 'ks2': the correct option is the longest in 1 of 1 one-answer questions (100%), above 40%: "
               "balance the option lengths")
    assert problem in balance_problems(load(root))
    assert problem in programme_problems(load(root))

    edit(root, KS2_QUIZ, "text: Anyone who asks nicely", "text: Anyone who asks you really nicely")
    catalogue = load(root)
    assert audience_balance(catalogue, "ks2").longest_correct == 0
    assert not any(p.startswith("audience 'ks2'") for p in balance_problems(catalogue))


def test_check_content_prints_the_balance_of_every_audience_with_questions(app: Flask) -> None:
    output = app.test_cli_runner().invoke(args=["check-content"]).output
    assert "Quiz balance" in output
    for row in quiz_balance(app.extensions["eduplatform.catalogue"]):
        assert f"  {row.audience_id:10} one-answer {row.one_answer:3}" in output


def test_the_shipped_pupil_quizzes_cannot_be_passed_by_length_position_or_elimination(real_app: Flask) -> None:
    catalogue: Catalogue = real_app.extensions["eduplatform.catalogue"]
    pupils = {audience.id for audience in catalogue.audiences.values() if audience.learners is Learners.PUPILS}
    for row in quiz_balance(catalogue):
        assert row.longest_share <= MAX_LONGEST_CORRECT_SHARE, row
        if row.audience_id not in pupils:
            continue
        assert row.multiple_one_wrong == 0 and row.few_options == 0, row
        true_false = row.keyed_true + row.keyed_false
        assert min(row.keyed_true, row.keyed_false) >= 0.4 * true_false, row
        # No displayed position holds most answers (before issue 16, "b" held 71% in KS2 and KS3).
        assert max(row.correct_positions.values()) <= 0.6 * row.one_answer, row
