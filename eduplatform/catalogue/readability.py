"""Reading level of content: the Flesch-Kincaid grade, with a rule-based English syllable count.

The Flesch-Kincaid grade estimates the US school grade needed to read a text (add 5 for a reading
age in years). It suits the checks here: a rough, repeatable figure per audience, so a pupil band's
text that is far above its age is caught. Syllables are counted with the usual English rules
(vowel groups, silent final "e", "-le", "-ed", "-es", common suffixes); no dictionary is needed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)|\n")
_VOWEL_GROUP = re.compile(r"[aeiouy]+")
_CONTRACTION = re.compile(r"['’](s|re|ll|ve|d|t|m)$")
#: Suffixes that are one syllable of their own and leave a silent "e" before them silent.
_SUFFIXES = ("ness", "ment", "less", "ful", "ly", "ty")


def _stem_syllables(part: str) -> int:
    count = len(_VOWEL_GROUP.findall(part))
    if count <= 1:
        return count
    if part.endswith("e") and not part.endswith(("ee", "ye")):
        # "little", "apple": a consonant before "-le" makes it a syllable; "smile", "make": silent.
        if not (part.endswith("le") and len(part) > 2 and part[-3] not in "aeiouy"):
            count -= 1
    elif part.endswith("ed") and part[-3:-2] not in ("t", "d"):
        count -= 1  # "asked", "used"; but "wanted", "needed"
    elif part.endswith("es") and part[-3:-2] not in ("s", "x", "z", "c", "g") and not part.endswith(("ches", "shes")):
        count -= 1  # "makes", "games"; but "boxes", "places", "pages"
    return max(1, count)


def _part_syllables(part: str) -> int:
    part = _CONTRACTION.sub("", part.lower()).replace("'", "").replace("’", "")
    if not part:
        return 0
    for suffix in _SUFFIXES:
        stem = part[: -len(suffix)]
        if part.endswith(suffix) and _VOWEL_GROUP.search(stem):
            return max(1, _stem_syllables(stem)) + 1
    return max(1, _stem_syllables(part))


def count_syllables(word: str) -> int:
    """Syllables in one word (hyphenated words count each part)."""
    return sum(_part_syllables(part) for part in word.strip("'’-").split("-") if part)


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


def measure(texts: list[str]) -> ReadingLevel:
    """Measure a body of text (several lessons together give one figure)."""
    words = sentences = syllables = 0
    for text in texts:
        found = _WORD.findall(text)
        words += len(found)
        syllables += sum(count_syllables(word) for word in found)
        # Each text piece ends a sentence even without a full stop (list items, headings).
        sentences += max(1, len([s for s in _SENTENCE_END.split(text) if _WORD.search(s)]))
    return ReadingLevel(words, sentences, syllables)
