"""Secrets kept at rest, encrypted with Fernet (``cryptography``).

Two keys, for two kinds of secret:

* MFA secrets use a key derived from the site's ``SECRET_KEY`` for each purpose (HKDF-SHA256).
  Changing ``SECRET_KEY`` makes them unreadable (as it ends every session): people set up MFA again.
* Login-card secrets (a pupil's picture sequence, an adult's first password, kept only so the card
  can be printed again) use ``DATA_KEY``, kept in ``instance/data_key`` apart from the database:
  :class:`EncryptedText` encrypts them as they are written and decrypts them as they are read.

A copy of the database alone reveals neither.
"""

from __future__ import annotations

import base64
import logging
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import String
from sqlalchemy.types import TypeDecorator

__all__ = ["UNREADABLE", "EncryptedText", "InvalidToken", "decrypt", "decrypt_at_rest", "encrypt", "encrypt_at_rest",
           "is_unreadable"]

log = logging.getLogger(__name__)

#: Every Fernet token starts with the version byte 0x80, which is "gAAAAA" in URL-safe base64.
_TOKEN_PREFIX = "gAAAAA"  # noqa: S105 (a format marker, not a secret)


def _fernet(purpose: str) -> Fernet:
    key = HKDF(algorithm=SHA256(), length=32, salt=None, info=f"eduplatform/{purpose}".encode()).derive(
        str(current_app.config["SECRET_KEY"]).encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(text: str, purpose: str) -> str:
    """``text`` encrypted for ``purpose`` (a short name such as ``mfa``), as ASCII."""
    return _fernet(purpose).encrypt(text.encode()).decode("ascii")


def decrypt(token: str, purpose: str) -> str:
    """The text :func:`encrypt` was given; raises :class:`InvalidToken` for anything else."""
    return _fernet(purpose).decrypt(token.encode("ascii")).decode()


def _data_fernet() -> Fernet:
    return Fernet(str(current_app.config["DATA_KEY"]).encode("ascii"))


def encrypt_at_rest(text: str) -> str:
    """``text`` encrypted with the site's ``DATA_KEY``."""
    return _data_fernet().encrypt(text.encode()).decode("ascii")


def is_encrypted(value: str) -> bool:
    """Whether ``value`` looks like a Fernet token rather than plain text."""
    return value.startswith(_TOKEN_PREFIX)


def decrypt_at_rest(token: str) -> str | None:
    """The text :func:`encrypt_at_rest` was given, or None when this site's key cannot read it.

    None (rather than an error) because the only use is printing a card again: with another key
    (a database restored without its ``data_key``) the card needs new pictures or a new first
    password, which the coordinator can issue.
    """
    try:
        return _data_fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, ValueError):
        log.warning("a secret kept at rest cannot be read with this site's DATA_KEY")
        return None


class UnreadableSecret(str):
    """What an :class:`EncryptedText` column reads as when this site's ``DATA_KEY`` cannot decrypt it.

    Empty, so it is false wherever the plain text would be used (no card prints it, no password
    matches it), yet recognisable (:func:`is_unreadable`) so a page can say that new pictures or a
    new first password are needed instead of pretending there is no secret.
    """

    __slots__ = ()


#: The one unreadable value.
UNREADABLE = UnreadableSecret("")


def is_unreadable(value: object) -> bool:
    """Whether ``value`` was read from an :class:`EncryptedText` column this site's key cannot decrypt."""
    return isinstance(value, UnreadableSecret)


class EncryptedText(TypeDecorator[str]):
    """A text column stored encrypted with ``DATA_KEY`` and read back as plain text.

    Only for values nobody searches by (comparisons in SQL see the ciphertext); ``IS NULL`` and
    ``count()`` still work. A row written before encryption (plain text) reads as itself; one
    encrypted with another key (a database restored without its ``data_key``) reads as
    :data:`UNREADABLE`.
    """

    impl = String(255)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None or is_unreadable(value):
            return None  # an unreadable secret copied elsewhere is no secret: never "" encrypted
        return encrypt_at_rest(str(value))

    def process_result_value(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        if not is_encrypted(value):
            return value
        plain = decrypt_at_rest(value)
        return UNREADABLE if plain is None else plain
