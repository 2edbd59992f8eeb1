"""Multi-factor sign-in: a code from an authenticator app (TOTP, pyotp), or a one-time recovery code.

**Required** for the accounts that see other people's personal data across a school or more:
coordinators, trust leads, administrators and staff holding the DSL or deputy DSL duty
(``MFA_REQUIRED_FOR``; the schools' cyber security standard asks for MFA on such accounts).
**Optional** for every other adult. Pupils never use it.

The secret is stored encrypted (:mod:`eduplatform.crypto`); a code is accepted once (its time step
is remembered) and within one step of the server's clock either way. Recovery codes are stored as
hashes and each works once.

Callers: the account views (set-up, sign-in step, turning off, new recovery codes).
"""

from __future__ import annotations

import secrets
import time
from urllib.parse import quote

import pyotp
from flask import current_app
from sqlalchemy import delete, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from eduplatform.accounts.models import RecoveryCode, User
from eduplatform.accounts.services import FIRST_SECRET_HASH_METHOD
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.crypto import InvalidToken, decrypt, encrypt
from eduplatform.db import db, utcnow
from eduplatform.roles import Role

RECOVERY_CODES = 10
_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
_PURPOSE = "mfa"
STEP_SECONDS = 30


def mfa_required(user: User) -> bool:
    """Whether the person must use MFA (their roles or duties are in ``MFA_REQUIRED_FOR``)."""
    required = set(current_app.config["MFA_REQUIRED_FOR"])
    return bool({role.value for role in user.roles} & required
                or ({duty.value for duty in user.duties} & required and Role.PUPIL not in user.roles))


def mfa_allowed(user: User) -> bool:
    """Adults may turn MFA on; pupils do not use it."""
    return Role.PUPIL not in user.roles


def has_mfa(user: User) -> bool:
    return user.mfa_secret is not None


def new_secret() -> str:
    """A fresh TOTP secret (base32), to show in the set-up page before it is confirmed."""
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """The ``otpauth://`` address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=quote(user.username), issuer_name="eduplatform")


def _matching_step(secret: str, code: str, now: float) -> int | None:
    code = "".join(ch for ch in code if ch.isdigit())
    if len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = int(now // STEP_SECONDS)
    for step in (current - 1, current, current + 1):
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def code_matches_new_secret(secret: str, code: str) -> bool:
    """Set-up: the code the app shows for the secret not yet saved."""
    return _matching_step(secret, code, time.time()) is not None


def turn_on(user: User, secret: str) -> list[str]:
    """Save the confirmed secret and return fresh recovery codes (to show once)."""
    user.mfa_secret = encrypt(secret, _PURPOSE)
    user.mfa_last_step = None
    codes = new_recovery_codes(user)
    record_event(AuditAction.MFA_ENABLED, actor=user, school_id=user.school_id, subject_user_id=user.id)
    return codes


def turn_off(user: User) -> None:
    """Remove MFA (only for people who do not require it: the view checks)."""
    user.mfa_secret = None
    user.mfa_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()
    record_event(AuditAction.MFA_DISABLED, actor=user, school_id=user.school_id, subject_user_id=user.id)


def new_recovery_codes(user: User) -> list[str]:
    """Replace the person's recovery codes with :data:`RECOVERY_CODES` new ones; return them."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=generate_password_hash(
        code, method=FIRST_SECRET_HASH_METHOD)) for code in codes)
    db.session.flush()
    return codes


def unused_recovery_codes(user: User) -> int:
    return len(db.session.scalars(select(RecoveryCode.id).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).all())


def verify(user: User, code: str) -> bool:
    """A code from the app (not used before) or an unused recovery code; using it counts."""
    if user.mfa_secret is None:
        return False
    try:
        secret = decrypt(user.mfa_secret, _PURPOSE)
    except InvalidToken:
        return False
    step = _matching_step(secret, code, time.time())
    if step is not None:
        # Atomic: only one request may move the last step forward past this one.
        moved = db.session.execute(
            update(User).where(User.id == user.id,
                               (User.mfa_last_step.is_(None)) | (User.mfa_last_step < step))
            .values(mfa_last_step=step).execution_options(synchronize_session=False))
        return moved.rowcount == 1
    typed = code.strip().lower()
    for recovery in db.session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                                  RecoveryCode.used_at.is_(None))):
        if check_password_hash(recovery.code_hash, typed):
            used = db.session.execute(update(RecoveryCode).where(RecoveryCode.id == recovery.id,
                                                                 RecoveryCode.used_at.is_(None))
                                      .values(used_at=utcnow()).execution_options(synchronize_session=False))
            if used.rowcount != 1:
                return False
            record_event(AuditAction.MFA_RECOVERY_CODE_USED, actor=user, school_id=user.school_id,
                         subject_user_id=user.id)
            return True
    return False
