"""Reading level of content: the Flesch-Kincaid grade, counted with pyphen's syllable rules.

The Flesch-Kincaid grade estimates the US school grade needed to read a text (add 5 for a reading
age in years). It suits the checks here: a rough, repeatable figure per audience, so a pupil band's
text that is far above its age is caught. Syllables are counted from pyphen's hyphenation
dictionary (shipped with the package; nothing is downloaded).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pyphen

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)|\n")


@lru_cache(maxsize=4)
def _dictionary(lang: str) -> pyphen.Pyphen:
    return pyphen.Pyphen(lang=lang, left=1, right=1)


def count_syllables(word: str, lang: str = "en_GB") -> int:
    """Syllables in one word (at least one)."""
    core = word.strip("'’-").lower()
    if not core:
        return 0
    pieces = _dictionary(lang).positions(core)
    count = len(pieces) + 1
    # pyphen does not split a silent final "e" ("make"); nor should we count it.
    return max(1, count)


@dataclass(frozen=True)
class ReadingLevel:
    words: int
    sentences: int
    syllables: int

    @property
    def grade(self) -> float:
        """Flesch-Kincaid grade level (0 when there is no text)."""
        if not self.words:
            return 0.0
        return round(0.39 * self.words / max(1, self.sentences) + 11.8 * self.syllables / self.words - 15.59, 1)

    @property
    def reading_age(self) -> float:
        """The grade as an approximate reading age in years."""
        return round(self.grade + 5, 1)


def measure(texts: list[str], lang: str = "en_GB") -> ReadingLevel:
    """Measure a body of text (several lessons together give one figure)."""
    words = sentences = syllables = 0
    for text in texts:
        found = _WORD.findall(text)
        words += len(found)
        syllables += sum(count_syllables(word, lang) for word in found)
        # Each text piece ends a sentence even without a full stop (list items, headings).
        sentences += max(1, len([s for s in _SENTENCE_END.split(text) if _WORD.search(s)]))
    return ReadingLevel(words, sentences, syllables)
