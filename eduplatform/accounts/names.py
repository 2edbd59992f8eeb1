"""Cleaning the names people type or import, before they are stored or shown.

A name can carry invisible characters that change how the page shows it: a right-to-left override
makes "Ali<U+202E>cod.exe" appear as "Aliexe.doc" on a class's tap page. They are removed, with the
zero-width spaces that hide a difference between two names. The zero-width joiner and non-joiner
stay: Urdu, Persian and other scripts need them to join letters correctly.
"""

from __future__ import annotations

import re
import unicodedata

#: Direction marks, embeddings, overrides and isolates; zero-width space and no-break; word joiner.
_INVISIBLE = re.compile("[\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\u061c\ufeff]")


def clean_text(value: str) -> str:
    """NFC, without invisible direction or zero-width characters, whitespace collapsed to single spaces."""
    return " ".join(_INVISIBLE.sub("", unicodedata.normalize("NFC", value)).split())
