"""Whether quizzes can be passed by guessing: the quiz balance report printed by ``flask check-content``.

A pure function over the catalogue (fallback locale), one row per audience. What it counts:

- **one-answer questions**: ``single`` and ``picture`` questions (exactly one correct option);
- **longest is correct**: the correct option's text is *strictly* longer (in characters, after
  trimming) than every other option's. A tie for longest does not count: a learner who picks "the
  longest" cannot tell tied options apart, so a tie gives no cue;
- **correct positions**: how often the correct option of a one-answer question is shown first,
  second, third... (``a``, ``b``, ``c``... by displayed position in the file, not by option id);
- **true/false keys**: how many true/false questions are keyed true and how many false;
- **multiple-choice with one wrong option**: ``multiple`` questions where only one option is wrong
  (ticking everything but one scores full marks by elimination);
- **fewer than three options**: ``single`` and ``multiple`` questions with two options or fewer
  (picture questions for the youngest are reported in their own count and are allowed two).

Anyone may call it; it reads nothing but the catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass
from string import ascii_lowercase

from eduplatform.catalogue.model import Catalogue, Question, QuestionType

#: The highest share of one-answer questions, per audience, whose correct option may be the longest.
MAX_LONGEST_CORRECT_SHARE = 0.40

_ONE_ANSWER = (QuestionType.SINGLE, QuestionType.PICTURE)


@dataclass(frozen=True)
class BalanceRow:
    """The quiz balance of one audience's questions."""

    audience_id: str
    #: ``single`` plus ``picture`` questions, and how many of them are pictures.
    one_answer: int
    pictures: int
    #: One-answer questions whose correct option is strictly the longest.
    longest_correct: int
    #: Displayed position letter -> how many one-answer questions have their correct option there.
    correct_positions: dict[str, int]
    keyed_true: int
    keyed_false: int
    multiple: int
    multiple_one_wrong: int
    #: ``single`` and ``multiple`` questions with fewer than three options.
    few_options: int

    @property
    def longest_share(self) -> float:
        """The share (0-1) of one-answer questions whose correct option is the longest; 0 with none."""
        return self.longest_correct / self.one_answer if self.one_answer else 0.0


def correct_is_strictly_longest(question: Question) -> bool:
    """True when the one correct option's text is longer than every other option's (ties do not count)."""
    correct = [len(option.text.strip()) for option in question.options if option.correct]
    others = [len(option.text.strip()) for option in question.options if not option.correct]
    return len(correct) == 1 and bool(others) and correct[0] > max(others)


def _position_letter(index: int) -> str:
    return ascii_lowercase[index] if index < len(ascii_lowercase) else str(index + 1)


def _audience_questions(catalogue: Catalogue, audience_id: str) -> list[Question]:
    questions: list[Question] = []
    for module in catalogue.modules_for((audience_id,)):
        quiz = catalogue.module_content(module.id, catalogue.fallback_locale).quiz
        if quiz:
            questions += quiz.questions
    return questions


def audience_balance(catalogue: Catalogue, audience_id: str) -> BalanceRow:
    """The quiz balance of every question in the quizzes of one audience's modules."""
    questions = _audience_questions(catalogue, audience_id)
    one_answer = [q for q in questions if q.type in _ONE_ANSWER]
    positions: dict[str, int] = {}
    for question in one_answer:
        index = next(i for i, option in enumerate(question.options) if option.correct)
        letter = _position_letter(index)
        positions[letter] = positions.get(letter, 0) + 1
    true_false = [q for q in questions if q.type is QuestionType.TRUE_FALSE]
    keyed_true = sum(1 for q in true_false if "true" in q.correct_option_ids)
    multiple = [q for q in questions if q.type is QuestionType.MULTIPLE]
    return BalanceRow(
        audience_id=audience_id,
        one_answer=len(one_answer),
        pictures=sum(1 for q in one_answer if q.type is QuestionType.PICTURE),
        longest_correct=sum(1 for q in one_answer if correct_is_strictly_longest(q)),
        correct_positions=dict(sorted(positions.items())),
        keyed_true=keyed_true,
        keyed_false=len(true_false) - keyed_true,
        multiple=len(multiple),
        multiple_one_wrong=sum(1 for q in multiple if len(q.options) - len(q.correct_option_ids) == 1),
        few_options=sum(1 for q in questions
                        if q.type in (QuestionType.SINGLE, QuestionType.MULTIPLE) and len(q.options) < 3),
    )


def quiz_balance(catalogue: Catalogue) -> list[BalanceRow]:
    """One :class:`BalanceRow` per audience that has quiz questions, in audience order."""
    rows = [audience_balance(catalogue, audience_id) for audience_id in catalogue.audiences]
    return [row for row in rows if row.one_answer or row.keyed_true or row.keyed_false or row.multiple]


def balance_problems(catalogue: Catalogue) -> list[str]:
    """Audiences whose quizzes can be passed by picking the longest option."""
    return [f"audience '{row.audience_id}': the correct option is the longest in {row.longest_correct} of "
            f"{row.one_answer} one-answer questions ({row.longest_share:.0%}), above "
            f"{MAX_LONGEST_CORRECT_SHARE:.0%}: balance the option lengths"
            for row in quiz_balance(catalogue) if row.longest_share > MAX_LONGEST_CORRECT_SHARE]
