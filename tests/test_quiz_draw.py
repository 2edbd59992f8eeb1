"""Each attempt's questions and option order: seeded by the attempt's token, every option kept,
only the drawn questions graded, and the review order rebuilt from what was stored."""

from __future__ import annotations

import pytest

from eduplatform.catalogue.model import QuestionType
from eduplatform.records.grading import grade
from eduplatform.records.quiz_draw import as_shown, drawn_questions, quiz_for_attempt, shuffled_options
from tests.test_grading import question, quiz

BANK = quiz(*[question(f"q{number}", QuestionType.SINGLE, "abcde", "b") for number in range(12)],
            question("tf", QuestionType.TRUE_FALSE, "", "false"),
            question("pic", QuestionType.PICTURE, "wxyz", "y"))
TOKENS = [f"token-{number:04d}-abcdefghijkl" for number in range(40)]


def _orders(shown):
    return {q.id: tuple(option.id for option in q.options) for q in shown.questions}


def test_the_same_token_gives_the_same_questions_and_order() -> None:
    """The page (GET) and its submission (POST) rebuild the same attempt from the token alone."""
    assert _orders(quiz_for_attempt(BANK, TOKENS[0], 5)) == _orders(quiz_for_attempt(BANK, TOKENS[0], 5))


def test_different_tokens_give_different_orders_and_draws() -> None:
    orders = {tuple(_orders(quiz_for_attempt(BANK, token)).items()) for token in TOKENS}
    draws = {tuple(q.id for q in drawn_questions(BANK, token, 5)) for token in TOKENS}
    assert len(orders) > 30 and len(draws) > 30
    first_option = {quiz_for_attempt(BANK, token).questions[0].options[0].id for token in TOKENS}
    assert first_option == set("abcde")  # the right answer is not always in the same place


def test_every_option_is_shown_once_and_true_false_keeps_its_order() -> None:
    for token in TOKENS:
        for shown in quiz_for_attempt(BANK, token).questions:
            original = next(q for q in BANK.questions if q.id == shown.id)
            assert sorted(o.id for o in shown.options) == sorted(o.id for o in original.options)
            assert shown.correct_option_ids == original.correct_option_ids
            if shown.type is QuestionType.TRUE_FALSE:
                assert [o.id for o in shown.options] == ["true", "false"]


@pytest.mark.parametrize("per_attempt", [1, 5, 13])
def test_a_draw_has_that_many_distinct_questions_in_quiz_order(per_attempt: int) -> None:
    drawn = drawn_questions(BANK, TOKENS[3], per_attempt)
    positions = [BANK.questions.index(q) for q in drawn]
    assert len(drawn) == per_attempt and positions == sorted(set(positions))


@pytest.mark.parametrize("per_attempt", [None, 14, 50])
def test_no_draw_or_a_draw_as_large_as_the_bank_asks_every_question(per_attempt: int | None) -> None:
    assert drawn_questions(BANK, TOKENS[0], per_attempt) == BANK.questions


def test_over_many_attempts_every_question_of_the_bank_is_drawn() -> None:
    seen = {q.id for token in TOKENS for q in drawn_questions(BANK, token, 4)}
    assert seen == {q.id for q in BANK.questions}


def test_only_the_drawn_questions_are_graded() -> None:
    shown = quiz_for_attempt(BANK, TOKENS[1], 4)
    right = {q.id: sorted(q.correct_option_ids) for q in shown.questions}
    result = grade(shown, right, 75)
    assert (result.score, result.max_score, result.percent, result.passed) == (4, 4, 100, True)
    assert [item.question.id for item in result.results] == [q.id for q in shown.questions]
    others = {q.id: sorted(q.correct_option_ids) for q in BANK.questions if q.id not in right}
    assert grade(shown, others, 75).score == 0  # answers to questions not drawn count for nothing


def test_selected_answers_follow_the_shown_order() -> None:
    multiple = question("multi", QuestionType.MULTIPLE, "abcdef", "ace")
    shown = shuffled_options(multiple, TOKENS[7])
    result = grade(quiz(shown), {"multi": ["a", "c", "e"]}, 50)
    assert result.results[0].selected == tuple(o.id for o in shown.options if o.id in "ace")
    assert result.results[0].is_correct


def test_the_review_rebuilds_the_shown_order_from_what_was_stored() -> None:
    original = BANK.questions[0]
    shown = shuffled_options(original, TOKENS[5])
    stored = [option.id for option in shown.options]
    assert as_shown(original, stored) == shown
    assert as_shown(original, None) == original  # an attempt from before the shuffle: file order
    # Options added since the attempt come last.
    assert [o.id for o in as_shown(original, ["c", "a"]).options] == ["c", "a", "b", "d", "e"]
