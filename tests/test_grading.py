"""Grading a quiz attempt: exact answers only, unanswered is wrong, whole percent rounded down."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pytest

from eduplatform.catalogue.model import Option, Question, QuestionType, Quiz
from eduplatform.records.grading import grade


def question(question_id: str, kind: QuestionType, options: str, correct: str) -> Question:
    """A question whose options are the letters of ``options``; the letters of ``correct`` are right."""
    if kind is QuestionType.TRUE_FALSE:
        made = (Option("true", "", None, None, correct == "true"), Option("false", "", None, None, correct == "false"))
    else:
        picture = kind is QuestionType.PICTURE
        made = tuple(
            Option(letter, "" if picture else f"Option {letter}", f"img/{letter}.svg" if picture else None,
                   f"Picture {letter}" if picture else None, letter in correct)
            for letter in options
        )
    return Question(question_id, kind, "privacy_security", f"Prompt {question_id}", made, "Because.")


def quiz(*questions: Question) -> Quiz:
    return Quiz("m", "m", tuple(questions), "0123456789ab", "en")


SINGLE = question("single", QuestionType.SINGLE, "abc", "b")
MULTIPLE = question("multiple", QuestionType.MULTIPLE, "abcd", "ac")
TRUE = question("tf", QuestionType.TRUE_FALSE, "", "true")
FALSE = question("tf-false", QuestionType.TRUE_FALSE, "", "false")
PICTURE = question("picture", QuestionType.PICTURE, "xy", "y")


def one(q: Question, chosen: Iterable[str] | None) -> bool:
    """Whether ``chosen`` is right for a one-question quiz (None: not answered)."""
    responses: Mapping[str, Iterable[str]] = {} if chosen is None else {q.id: chosen}
    return grade(quiz(q), responses, pass_mark=100).results[0].is_correct


@pytest.mark.parametrize(
    ("q", "chosen", "correct"),
    [
        pytest.param(SINGLE, ["b"], True, id="single-right"),
        pytest.param(SINGLE, ["a"], False, id="single-wrong"),
        pytest.param(SINGLE, ["a", "b"], False, id="single-right-plus-wrong"),
        pytest.param(SINGLE, [], False, id="single-empty"),
        pytest.param(MULTIPLE, ["a", "c"], True, id="multiple-all-correct"),
        pytest.param(MULTIPLE, ["c", "a"], True, id="multiple-any-order"),
        pytest.param(MULTIPLE, ["a", "c", "a"], True, id="multiple-repeated-id"),
        pytest.param(MULTIPLE, ["a", "b", "c"], False, id="multiple-extra-wrong-option"),
        pytest.param(MULTIPLE, ["a"], False, id="multiple-missing-one-correct"),
        pytest.param(MULTIPLE, ["a", "b", "c", "d"], False, id="multiple-everything"),
        pytest.param(MULTIPLE, ["b", "d"], False, id="multiple-only-wrong"),
        pytest.param(TRUE, ["true"], True, id="true-false-right-true"),
        pytest.param(TRUE, ["false"], False, id="true-false-wrong-true"),
        pytest.param(FALSE, ["false"], True, id="true-false-right-false"),
        pytest.param(FALSE, ["true"], False, id="true-false-wrong-false"),
        pytest.param(FALSE, ["true", "false"], False, id="true-false-both"),
        pytest.param(PICTURE, ["y"], True, id="picture-right"),
        pytest.param(PICTURE, ["x"], False, id="picture-wrong"),
        pytest.param(SINGLE, None, False, id="single-unanswered"),
        pytest.param(MULTIPLE, None, False, id="multiple-unanswered"),
        pytest.param(TRUE, None, False, id="true-false-unanswered"),
        pytest.param(PICTURE, None, False, id="picture-unanswered"),
        pytest.param(SINGLE, ["b", "zzz"], True, id="unknown-option-ignored-with-right"),
        pytest.param(SINGLE, ["zzz"], False, id="only-unknown-option-is-unanswered"),
        pytest.param(MULTIPLE, ["a", "c", "nope"], True, id="unknown-option-ignored-multiple"),
    ],
)
def test_question_is_right_only_for_exactly_the_correct_options(q: Question, chosen: list[str] | None,
                                                                correct: bool) -> None:
    assert one(q, chosen) is correct


def test_selected_keeps_valid_ids_in_option_order() -> None:
    result = grade(quiz(MULTIPLE), {"multiple": ["d", "nope", "a", "d"]}, pass_mark=50).results[0]
    assert result.selected == ("a", "d")
    assert result.question is MULTIPLE


def test_unanswered_question_has_nothing_selected() -> None:
    result = grade(quiz(SINGLE), {}, pass_mark=50).results[0]
    assert (result.selected, result.is_correct) == ((), False)


def test_answers_to_unknown_questions_are_ignored() -> None:
    result = grade(quiz(SINGLE), {"single": ["b"], "not-a-question": ["a"]}, pass_mark=100)
    assert (result.score, result.max_score, len(result.results)) == (1, 1, 1)


def test_results_keep_quiz_order() -> None:
    result = grade(quiz(PICTURE, SINGLE, TRUE, MULTIPLE),
                   {"multiple": ["a", "c"], "single": ["b"], "picture": ["x"]}, pass_mark=50)
    assert [r.question.id for r in result.results] == ["picture", "single", "tf", "multiple"]
    assert [r.is_correct for r in result.results] == [False, True, False, True]


FOUR = quiz(SINGLE, MULTIPLE, TRUE, PICTURE)
RIGHT = {"single": ["b"], "multiple": ["a", "c"], "tf": ["true"], "picture": ["y"]}


def first(count: int, answers: Mapping[str, list[str]] = RIGHT) -> dict[str, list[str]]:
    """The right answers to the first ``count`` questions only."""
    return dict(list(answers.items())[:count])


@pytest.mark.parametrize(
    ("right", "total", "percent"),
    [(0, 3, 0), (1, 3, 33), (2, 3, 66), (3, 3, 100), (1, 6, 16), (5, 6, 83), (19, 24, 79), (4, 5, 80), (1, 7, 14)],
)
def test_percent_is_a_whole_number_rounded_down(right: int, total: int, percent: int) -> None:
    questions = [question(f"q{n}", QuestionType.SINGLE, "ab", "a") for n in range(total)]
    responses = {f"q{n}": ["a"] for n in range(right)}
    result = grade(quiz(*questions), responses, pass_mark=80)
    assert (result.score, result.max_score, result.percent) == (right, total, percent)
    assert result.passed is (percent >= 80)


@pytest.mark.parametrize(
    ("right", "pass_mark", "passed"),
    [
        (3, 75, True),   # 75% at a 75% mark: exactly at the mark passes
        (3, 76, False),  # one below the mark fails
        (3, 74, True),
        (4, 100, True),
        (3, 100, False),
        (2, 50, True),
        (2, 51, False),
        (0, 1, False),
    ],
)
def test_exactly_the_pass_mark_passes_and_one_below_fails(right: int, pass_mark: int, passed: bool) -> None:
    result = grade(FOUR, first(right), pass_mark)
    assert result.score == right
    assert result.passed is passed


def test_two_thirds_does_not_pass_a_67_mark() -> None:
    three = quiz(SINGLE, TRUE, PICTURE)
    assert grade(three, {"single": ["b"], "tf": ["true"]}, 66).passed is True
    assert grade(three, {"single": ["b"], "tf": ["true"]}, 67).passed is False


def test_all_wrong_scores_zero_and_fails() -> None:
    wrong = {"single": ["a"], "multiple": ["b"], "tf": ["false"], "picture": ["x"]}
    result = grade(FOUR, wrong, pass_mark=1)
    assert (result.score, result.max_score, result.percent, result.passed) == (0, 4, 0, False)
    assert not any(r.is_correct for r in result.results)


def test_no_answers_at_all_scores_zero() -> None:
    result = grade(FOUR, {}, pass_mark=80)
    assert (result.score, result.percent, result.passed) == (0, 0, False)


def test_all_right_scores_full_marks() -> None:
    result = grade(FOUR, RIGHT, pass_mark=100)
    assert (result.score, result.max_score, result.percent, result.passed) == (4, 4, 100, True)


def test_quiz_without_questions_scores_zero_and_does_not_pass() -> None:
    result = grade(quiz(), {"q": ["a"]}, pass_mark=1)
    assert (result.results, result.score, result.max_score, result.percent, result.passed) == ((), 0, 0, 0, False)
