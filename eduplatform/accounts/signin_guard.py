"""Password sign-in that is hard to attack and hard to lock out.

:func:`sign_in_with_password` is the one way a password is checked at sign-in. It holds these
rules, each against a finding of an attack on the site:

* **Same time for everyone.** Every try takes at least ``SIGN_IN_FLOOR_MS``, whether the name is
  unknown, known, on a first password or paused: the timing says nothing about who exists.
* **Per client and account, growing delays.** After :data:`FREE_TRIES` wrong tries for one name
  from one address, that address waits 1 s, 2 s, 4 s ... (at most :data:`MAX_DELAY`) before it may
  try that name again. Unknown names are counted the same way.
* **Per account, from anywhere, counted atomically.** Each try first adds one to the account's
  count in the database (``UPDATE ... RETURNING``), then checks the password, so parallel tries
  are counted one by one on PostgreSQL too. Past ``MAX_FAILED_SIGN_INS`` wrong tries the account
  pauses for ``SIGN_IN_BLOCK_MINUTES``: no password is checked, right or wrong, **except from an
  address the school has signed in from before** (:func:`remember_school_address`), so a pupil or
  teacher at school still signs in while a stranger elsewhere is stopped.
* **Per address across accounts, and site-wide**: Flask-Limiter's limits on the sign-in route
  (:mod:`eduplatform.rate_limits`); the site-wide one spares addresses someone has signed in from.
* **First passwords of adults lapse** after :data:`ADULT_FIRST_PASSWORD_DAYS` days unused.

Callers: the sign-in view (marked ``reads_first``: the name is looked up, and an unknown name's
dummy check runs, in a read transaction). Unlike other services it commits, twice: once the try is
counted (so the slow password check does not hold SQLite's write lock) and before waiting out the
time floor.
"""

from __future__ import annotations

import functools
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import update
from werkzeug.security import check_password_hash, generate_password_hash

from eduplatform.accounts.models import User
from eduplatform.accounts.services import find_by_username
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.db import db, utcnow
from eduplatform.rate_limits import clear_counter, hit_counter, read_counter, remember_address
from eduplatform.roles import Role

#: Wrong tries for one name from one address before that address has to wait.
FREE_TRIES = 3
#: The longest wait between tries for one name from one address, in seconds.
MAX_DELAY = 15 * 60
#: How long an address's wrong tries are remembered, in seconds.
MEMORY = 60 * 60
#: How long an address counts as the school's after someone of the school signed in from it, in seconds.
SCHOOL_ADDRESS_DAYS = 30
#: Days an adult's first password (printed or shown once) stays valid while unused.
ADULT_FIRST_PASSWORD_DAYS = 14
#: How much of a typed name that matches no account the audit log keeps.
LOGGED_NAME_LENGTH = 80


@functools.cache
def _dummy_hash() -> str:
    """Compared against when no account matches (or the try is refused), so the work done is the same.

    Made once, with Werkzeug's default method: the method real passwords are stored with in
    production. (A fixed PBKDF2 hash of 600,000 rounds cost about three times a real scrypt check,
    so on a slow machine an unknown name took longer than a real one, past the time floor.)
    """
    return generate_password_hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class SignInResult:
    """The person signed in, or why not: ``wrong`` (never says which part), ``wait`` or ``expired``."""

    user: User | None
    refusal: str | None = None


def _address_key(address: str, username: str) -> str:
    return f"signin/{address}/{username}"


def _school_key(user: User, address: str) -> str:
    owner = f"school/{user.school_id}" if user.school_id is not None else f"user/{user.id}"
    return f"good-address/{owner}/{address}"


def remember_school_address(user: User, address: str) -> None:
    """After a right password: this address is one the person's school signs in from."""
    hit_counter(_school_key(user, address), SCHOOL_ADDRESS_DAYS * 86_400)
    remember_address(address)


def is_school_address(user: User, address: str) -> bool:
    return read_counter(_school_key(user, address)) > 0


def must_wait(address: str, username: str) -> bool:
    """Whether this address must still wait before trying this name again (its growing delay)."""
    return read_counter("wait/" + _address_key(address, username)) > 0


def count_wrong_try(address: str, username: str, free_tries: int = FREE_TRIES) -> None:
    """One more wrong try for this name from this address; from the ``free_tries``-th on, a growing wait."""
    wrong = hit_counter(_address_key(address, username), MEMORY)
    if wrong >= free_tries:
        delay = min(MAX_DELAY, 2 ** (wrong - free_tries))
        hit_counter("wait/" + _address_key(address, username), delay)


def _reserve_try(user: User) -> tuple[int, datetime | None]:
    """Count this try against the account before checking anything: (tries so far, paused until)."""
    db.start_writing()
    row = db.session.execute(
        update(User).where(User.id == user.id).values(failed_sign_ins=User.failed_sign_ins + 1)
        .returning(User.failed_sign_ins, User.sign_in_blocked_until)
        .execution_options(synchronize_session=False)).one()
    return row[0], row[1]


def _pause(user: User, now: datetime) -> None:
    minutes = current_app.config["SIGN_IN_BLOCK_MINUTES"]
    db.session.execute(update(User).where(User.id == user.id)
                       .values(sign_in_blocked_until=now + timedelta(minutes=minutes), failed_sign_ins=0)
                       .execution_options(synchronize_session=False))


def _succeeded(user: User, address: str, username: str) -> None:
    db.session.execute(update(User).where(User.id == user.id)
                       .values(failed_sign_ins=0, sign_in_blocked_until=None)
                       .execution_options(synchronize_session=False))
    db.session.refresh(user)
    forget_wrong_tries(address, username)
    remember_school_address(user, address)


def forget_wrong_tries(address: str, username: str) -> None:
    """After a right try: this address starts afresh for this name."""
    clear_counter(_address_key(address, username))
    clear_counter("wait/" + _address_key(address, username))


def first_password_expired(user: User, now: datetime | None = None) -> bool:
    """An adult still on a first password issued more than :data:`ADULT_FIRST_PASSWORD_DAYS` ago."""
    if not user.must_change_password or user.first_password_issued_at is None or Role.PUPIL in user.roles:
        return False
    return (now or utcnow()) - user.first_password_issued_at > timedelta(days=ADULT_FIRST_PASSWORD_DAYS)


def _log_failure(username: str, user: User | None, reason: str) -> None:
    """A refused sign-in in the audit log, in the transaction that counts the try (committed below).

    A known account is named by its id; a name that matches none is kept as typed (cut short), the
    only free text the log holds, so a school can see which names are being tried.
    """
    db.start_writing()
    if user is None:
        record_event(AuditAction.SIGN_IN_FAILED, details={"reason": reason, "name": username[:LOGGED_NAME_LENGTH]})
    else:
        record_event(AuditAction.SIGN_IN_FAILED, school_id=user.school_id, subject_user_id=user.id,
                     details={"reason": reason})


def _check(username: str, password: str, address: str) -> SignInResult:
    if must_wait(address, username):
        check_password_hash(_dummy_hash(), password)
        _log_failure(username, find_by_username(username), "wait")
        return SignInResult(None, "wait")
    user = find_by_username(username)
    if user is None or user.password_hash is None:
        check_password_hash(_dummy_hash(), password)
        count_wrong_try(address, username)
        _log_failure(username, user, "unknown_name" if user is None else "no_password")
        return SignInResult(None, "wrong")
    now = utcnow()
    tries, paused_until = _reserve_try(user)
    db.session.commit()  # the try is counted; the slow password check runs without the write lock
    paused = (paused_until is not None and paused_until > now) or tries > current_app.config["MAX_FAILED_SIGN_INS"]
    if paused and not is_school_address(user, address):
        check_password_hash(_dummy_hash(), password)
        count_wrong_try(address, username)
        _log_failure(username, user, "paused")
        return SignInResult(None, "wrong")
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        if tries >= current_app.config["MAX_FAILED_SIGN_INS"]:
            _pause(user, now)
        count_wrong_try(address, username)
        _log_failure(username, user, "wrong_password" if user.is_active else "disabled")
        return SignInResult(None, "wrong")
    if first_password_expired(user, now):
        _log_failure(username, user, "first_password_expired")
        return SignInResult(None, "expired")
    _succeeded(user, address, username)
    return SignInResult(user)


def sign_in_with_password(username: str, password: str, address: str) -> SignInResult:
    """Check a sign-in by password under every rule of this module; at least ``SIGN_IN_FLOOR_MS`` long."""
    started = time.perf_counter()
    try:
        result = _check(username.strip().lower(), password, address)
        db.session.commit()  # before waiting out the floor: the wait must never hold the write lock
        return result
    finally:
        remaining = current_app.config["SIGN_IN_FLOOR_MS"] / 1000 - (time.perf_counter() - started)
        if remaining > 0:
            time.sleep(remaining)
