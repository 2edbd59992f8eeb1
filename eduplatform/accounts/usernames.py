"""Usernames for new people: first name + last-name initial + a number, lower-case ASCII.

``Zoë O'Brien`` becomes ``zoeo1`` (or ``zoeo2`` when that is taken). Usernames are unique across
the whole platform (``User.username``), so the numbers already used are read for every base in a
few queries, not one query per person. Names with no Latin letters at all (for example written
only in Arabic or Chinese script) fall back to ``pupil`` or ``user`` + a number.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from sqlalchemy import or_, select

from eduplatform.accounts.models import User
from eduplatform.db import db

#: Letters that do not decompose into an ASCII letter plus accents.
_SPECIAL = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th",
                          "ı": "i", "ŋ": "n", "ħ": "h"})
_NOT_ASCII_LETTER = re.compile(r"[^a-z]")
MAX_FIRST_NAME = 20
_CHUNK = 200


def ascii_letters(text: str) -> str:
    """Lower-case a-z only: accents dropped, other letters transliterated where obvious."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_SPECIAL))
    return _NOT_ASCII_LETTER.sub("", "".join(char for char in decomposed if not unicodedata.combining(char)))


def username_base(first_name: str, last_name: str, is_pupil: bool) -> str:
    """``zoeo`` for Zoë O'Brien; ``pupil`` / ``user`` when the name has no Latin letters."""
    base = ascii_letters(first_name)[:MAX_FIRST_NAME] + ascii_letters(last_name)[:1]
    return base or ("pupil" if is_pupil else "user")


class UsernameAllocator:
    """Hands out free usernames: never one in the database, nor one the file asks for.

    Read-only: the preview shows the usernames new people will get, and applying the same file
    (in the same transaction as the check) gives exactly those.
    """

    def __init__(self, reserved: Iterable[str], bases_for: Iterable[tuple[str, str, bool]]) -> None:
        self.taken = set(reserved)
        self.next_number: dict[str, int] = {}
        bases = sorted({username_base(*name) for name in bases_for})
        for start in range(0, len(bases), _CHUNK):
            chunk = bases[start:start + _CHUNK]
            # Bases are a-z only, so LIKE needs no escaping.
            self.taken.update(db.session.scalars(
                select(User.username).where(or_(*(User.username.like(f"{base}%") for base in chunk)))))

    def allocate(self, first_name: str, last_name: str, is_pupil: bool) -> str:
        base = username_base(first_name, last_name, is_pupil)
        number = self.next_number.get(base, 1)
        while f"{base}{number}" in self.taken:
            number += 1
        username = f"{base}{number}"
        self.taken.add(username)
        self.next_number[base] = number + 1
        return username
