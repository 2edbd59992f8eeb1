"""What one attempt shows: the questions drawn from the module's bank and each one's option order.

A pure function of the quiz and the attempt's ``submission_token`` (issued with the quiz page and
sent back with the answers), so the page and its submission agree without keeping anything on the
server, and a new attempt (a new token) gets a new draw and a new order. Nobody can learn "it is
always option b" or meet the same questions each time. The order shown is stored with each answer
(:class:`~eduplatform.records.models.QuizAnswer.shown_options`) so the review shows what was seen.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import replace

from eduplatform.catalogue.model import Question, QuestionType, Quiz


def _rng(*parts: str) -> random.Random:
    """A random generator seeded by a hash of ``parts``: the same on every server and Python run."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return random.Random(int.from_bytes(digest, "big"))  # noqa: S311 (an order, not a secret)


def drawn_questions(quiz: Quiz, token: str, questions_per_attempt: int | None) -> tuple[Question, ...]:
    """The questions of this attempt, in the quiz's order: all of them, or a seeded draw of
    ``questions_per_attempt`` when the bank is larger."""
    if questions_per_attempt is None or questions_per_attempt >= len(quiz.questions):
        return quiz.questions
    chosen = set(_rng(token, "draw", quiz.id).sample(range(len(quiz.questions)), questions_per_attempt))
    return tuple(question for position, question in enumerate(quiz.questions) if position in chosen)


def shuffled_options(question: Question, token: str) -> Question:
    """The question with its options in this attempt's order (true/false stays True, then False)."""
    if question.type is QuestionType.TRUE_FALSE or len(question.options) < 2:
        return question
    options = list(question.options)
    _rng(token, "options", question.id).shuffle(options)
    return replace(question, options=tuple(options))


def quiz_for_attempt(quiz: Quiz, token: str, questions_per_attempt: int | None = None) -> Quiz:
    """The quiz as this attempt shows it: drawn questions, each with its options shuffled.

    Grading this quiz (:func:`eduplatform.records.grading.grade`) scores only the drawn questions.
    Callers: the quiz view, for the page and for grading its submission.
    """
    questions = drawn_questions(quiz, token, questions_per_attempt)
    return replace(quiz, questions=tuple(shuffled_options(question, token) for question in questions))


def as_shown(question: Question, shown_option_ids: list[str] | None) -> Question:
    """The question with its options in the order an attempt showed them, for its review.

    ``shown_option_ids`` is what the answer stored (None for attempts before options were
    shuffled: the file order). Options added to the quiz since come last; removed ones are left out.
    """
    if not shown_option_ids:
        return question
    position = {option_id: index for index, option_id in enumerate(shown_option_ids)}
    options = sorted(question.options, key=lambda option: position.get(option.id, len(position)))
    return replace(question, options=tuple(options))
