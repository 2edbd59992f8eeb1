"""Secrets kept at rest (MFA secrets today), encrypted with Fernet (``cryptography``).

The key is derived from the site's ``SECRET_KEY`` for each purpose (HKDF-SHA256), so a copy of the
database alone does not reveal them. Changing ``SECRET_KEY`` makes them unreadable (as it ends
every session): people then set up MFA again.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

__all__ = ["InvalidToken", "decrypt", "encrypt"]


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
