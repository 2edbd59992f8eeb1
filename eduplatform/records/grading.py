"""Grading a quiz attempt: a pure function of the quiz, the answers and the pass mark."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from eduplatform.catalogue.model import Question, Quiz


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    #: The valid option ids chosen, in the order the options were shown.
    selected: tuple[str, ...]
    is_correct: bool


@dataclass(frozen=True)
class QuizResult:
    results: tuple[QuestionResult, ...]
    score: int
    max_score: int
    #: Whole-number percentage, rounded down (so 79.9% never passes an 80% mark).
    percent: int
    passed: bool


def grade(quiz: Quiz, responses: Mapping[str, Iterable[str]], pass_mark: int) -> QuizResult:
    """Mark every question of ``quiz``: right only when exactly the correct options were chosen.

    Pass the quiz as the attempt showed it (:func:`eduplatform.records.quiz_draw.quiz_for_attempt`):
    a module that draws its questions from a larger bank is scored on the drawn questions only.

    ``responses`` maps question ids to the option ids chosen; unknown ids are ignored and an
    unanswered question is wrong. Multiple-choice questions have no part marks: "select all that
    apply" is right only when every correct option and no other is selected.
    """
    results = []
    for question in quiz.questions:
        chosen = set(responses.get(question.id, ()))
        selected = tuple(option.id for option in question.options if option.id in chosen)
        is_correct = bool(selected) and frozenset(selected) == question.correct_option_ids
        results.append(QuestionResult(question, selected, is_correct))
    score = sum(result.is_correct for result in results)
    max_score = len(results)
    percent = (score * 100) // max_score if max_score else 0
    return QuizResult(tuple(results), score, max_score, percent, percent >= pass_mark)
