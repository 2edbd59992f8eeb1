"""One-time set-up codes: how an invited parent chooses their first password.

A code is twelve Crockford base-32 characters (60 random bits), printed on a letter or sent by email
in groups of four, ``K7QM-4TXP-9H2B``. Only its SHA-256 is stored (:class:`SetupCode`): the first 16
hex digits find the row, the full hash is compared in constant time. A code works once and for
:data:`VALID_DAYS` days; issuing a new one for the same person ends the older unused ones.
Callers: the invitation letters and emails (:mod:`eduplatform.roster.invitations`) and the public
set-up page (:mod:`eduplatform.roster.invitation_views`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update

from eduplatform.accounts.models import SetupCode, User
from eduplatform.accounts.services import MIN_PASSWORD_LENGTH, change_password
from eduplatform.db import db, utcnow

#: Crockford's base 32: no I, L, O or U, so nothing on a letter can be misread.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
VALID_DAYS = 30
#: What people may type for a character that is not in the alphabet (Crockford's decoding rules).
_READS_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})


class SetupRefusal(StrEnum):
    """Why a code did not set up the account."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    #: The account was disabled or the person has left the school.
    ACCOUNT_CLOSED = "account_closed"


class SetupCodeError(Exception):
    """The code cannot be used; ``refusal`` says why. Nothing was changed."""

    def __init__(self, refusal: SetupRefusal) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal


def new_code() -> str:
    """A fresh random code, without separators."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    """The code as stored: upper case, without spaces or dashes, O read as 0 and I or L as 1."""
    return "".join(text.split()).replace("-", "").upper().translate(_READS_AS)


def display_code(code: str) -> str:
    """The code as printed: groups of four joined by dashes."""
    code = normalise_code(code)
    return "-".join(code[start:start + 4] for start in range(0, len(code), 4))


def _digest(normalised: str) -> str:
    return hashlib.sha256(normalised.encode()).hexdigest()


def end_unused_codes(user_id: int, now: datetime, *, keep: str | None = None) -> None:
    """Stop every unused, unexpired code of the person working but ``keep`` (a newer one replaces them)."""
    statement = update(SetupCode).where(
        SetupCode.user_id == user_id, SetupCode.used_at.is_(None), SetupCode.expires_at > now)
    if keep is not None:
        statement = statement.where(SetupCode.code_hash != _digest(normalise_code(keep)))
    db.session.execute(statement.values(expires_at=now).execution_options(synchronize_session=False))


def issue_setup_code(parent: User, issued_by: User | None, sent_by: str, now: datetime | None = None, *,
                     end_older: bool = True) -> str:
    """Make a new code for ``parent`` (``sent_by``: ``letter`` or ``email``) and return it for printing.

    Older unused codes of the person stop working, unless ``end_older`` is False (an email: they
    end once the server accepted it, :func:`end_unused_codes` with ``keep``). Flushes; the caller's
    request commits. Callers: a coordinator or administrator printing or emailing invitations.
    """
    if sent_by not in ("letter", "email"):
        raise ValueError(f"unknown way of sending a code: {sent_by}")
    now = now or utcnow()
    if end_older:
        end_unused_codes(parent.id, now)
    code = new_code()
    digest = _digest(code)
    db.session.add(SetupCode(user_id=parent.id, lookup=digest[:16], code_hash=digest, sent_by=sent_by,
                             issued_by_id=getattr(issued_by, "id", None), issued_at=now,
                             expires_at=now + timedelta(days=VALID_DAYS)))
    db.session.flush()
    return code


def withdraw_setup_code(code_text: str, now: datetime | None = None) -> None:
    """End a code that never reached its person (the mail server refused the invitation)."""
    digest = _digest(normalise_code(code_text))
    db.session.execute(update(SetupCode).where(SetupCode.lookup == digest[:16], SetupCode.code_hash == digest,
                                               SetupCode.used_at.is_(None))
                       .values(expires_at=now or utcnow()).execution_options(synchronize_session=False))


def find_setup_code(code_text: str) -> SetupCode | None:
    """The stored code matching ``code_text``, whatever its state; None when there is none."""
    digest = _digest(normalise_code(code_text))
    for row in db.session.scalars(select(SetupCode).where(SetupCode.lookup == digest[:16])):
        if hmac.compare_digest(row.code_hash, digest):
            return row
    return None


def redeem(code_text: str, new_password: str, now: datetime | None = None) -> User:
    """Use a code: set the person's password and mark the code used, in the caller's transaction.

    Raises :class:`SetupCodeError` (nothing changed) for an unknown, used or expired code or a closed
    account, and ValueError for a password shorter than the project's minimum. Of two requests
    using one code at the same moment only one succeeds: the code is claimed with a conditional
    UPDATE whose row count says who won. Anyone may call it (the public set-up page).
    """
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    now = now or utcnow()
    row = find_setup_code(code_text)
    if row is None:
        raise SetupCodeError(SetupRefusal.UNKNOWN)
    if row.used_at is not None:
        raise SetupCodeError(SetupRefusal.USED)
    if row.expires_at <= now:
        raise SetupCodeError(SetupRefusal.EXPIRED)
    user = db.session.get(User, row.user_id)
    if user is None or not user.is_active:
        raise SetupCodeError(SetupRefusal.ACCOUNT_CLOSED)
    claimed = db.session.execute(update(SetupCode).where(
        SetupCode.id == row.id, SetupCode.used_at.is_(None), SetupCode.expires_at > now,
    ).values(used_at=now).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise SetupCodeError(SetupRefusal.USED)
    db.session.expire(row)
    change_password(user, new_password)
    return user
