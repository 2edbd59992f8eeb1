"""Picture sign-in: class codes, checking tapped pictures, guess limits and teachers' resets.

Guess limits are counted from :class:`PictureSignInAttempt` rows in the database, so every app
server agrees on them:

* **per pupil**: after :data:`PUPIL_MAX_WRONG` wrong tries within :data:`PUPIL_WINDOW`, the pupil
  is paused for :data:`PUPIL_PAUSE` (the page says: ask your teacher). A teacher resetting the
  pupil's pictures ends the pause at once; so does a right try (the count starts again after it).
* **per class**: after :data:`CLASS_MAX_WRONG` wrong tries within :data:`CLASS_WINDOW` across the
  class, each further try must wait :data:`CLASS_DELAY` after the class's previous wrong try.
  Guessing slows to one try every few seconds, but nobody in the class is locked out.

Services flush, never commit: the request commits once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import delete, func, select

from eduplatform.academic_year import local_date, zone
from eduplatform.accounts.models import User
from eduplatform.accounts.services import issue_first_password
from eduplatform.accounts.signin_guard import (
    count_wrong_try,
    forget_wrong_tries,
    is_school_address,
    must_wait,
    remember_school_address,
)
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.db import db, utcnow
from eduplatform.schools.models import SchoolClass
from eduplatform.schools.queries import current_pupils_query
from eduplatform.schools.years import time_zone_of
from eduplatform.signin.models import PictureSignInAttempt
from eduplatform.signin.pictures import (
    SECRET_LENGTH,
    avatar_not_in,
    new_picture_secret,
    picture_secret_matches,
    set_picture_secret,
    uses_pictures,
)

#: Class codes: no 0/O, 1/I/L, so a code read off the board cannot be mistyped.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 6

#: Per pupil: this many wrong tries within PUPIL_WINDOW pause the pupil for PUPIL_PAUSE.
PUPIL_MAX_WRONG = 5
PUPIL_WINDOW = timedelta(minutes=15)
PUPIL_PAUSE = timedelta(minutes=15)

#: Per class: after this many wrong tries within CLASS_WINDOW, every try waits CLASS_DELAY after
#: the class's previous wrong try.
CLASS_MAX_WRONG = 30
CLASS_WINDOW = timedelta(minutes=10)
CLASS_DELAY = timedelta(seconds=5)


# --- Class codes --------------------------------------------------------------------------------


def normalise_code(text: str | None) -> str:
    """A typed code as stored: capitals, without spaces or dashes ('abc 234' -> 'ABC234')."""
    return "".join(ch for ch in (text or "").upper() if not ch.isspace() and ch != "-")


def is_well_formed_code(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def end_of_school_day(school_class: SchoolClass, now: datetime | None = None) -> datetime:
    """Midnight at the end of today in the school's time zone (UTC, naive), at least an hour from now."""
    now = now or utcnow()
    zone_name = time_zone_of(school_class.school)
    today = local_date(now, zone_name)
    midnight = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone(zone_name))
    return max(midnight.astimezone(UTC).replace(tzinfo=None), now + timedelta(hours=1))


def code_is_current(school_class: SchoolClass, now: datetime | None = None) -> bool:
    """The class has a code and it has not expired."""
    return bool(school_class.code_works_at(now or utcnow()))


def ensure_sign_in_code(school_class: SchoolClass, replace: bool = False, permanent: bool = False,
                        now: datetime | None = None) -> str:
    """Give the class a sign-in code when it has none (or a new one when ``replace``); return it.

    A code works until the end of the school day it was made (:func:`end_of_school_day`): one seen
    on the board cannot be used from home that evening, nor guessed for long. With ``permanent`` it
    works until replaced (for a class display, or printed login cards); asking for ``permanent`` on
    a current code keeps the code and makes it permanent. A replaced code stops working at once.
    Callers: the teacher's "show on the board" page (POST) and the demo seeder.
    """
    if code_is_current(school_class, now) and not replace:
        if permanent:
            school_class.sign_in_code_expires_at = None
            db.session.flush()
        return school_class.sign_in_code or ""
    while True:
        code = _new_code()
        taken = db.session.scalar(select(SchoolClass.id).where(SchoolClass.sign_in_code == code))
        if taken is None and code != school_class.sign_in_code:
            break
    school_class.sign_in_code = code
    school_class.sign_in_code_expires_at = None if permanent else end_of_school_day(school_class, now)
    db.session.flush()
    return code


# --- Guess limits -------------------------------------------------------------------------------


def pupil_paused_until(user: User, now: datetime | None = None) -> datetime | None:
    """When the pupil may try again, if they are paused now; otherwise None.

    Paused when the last :data:`PUPIL_MAX_WRONG` wrong tries since their last right one all fell
    within :data:`PUPIL_WINDOW`: the pause lasts :data:`PUPIL_PAUSE` from the last of them.
    """
    now = now or utcnow()
    since = now - PUPIL_WINDOW - PUPIL_PAUSE
    last_success = db.session.scalar(
        select(func.max(PictureSignInAttempt.attempted_at))
        .where(PictureSignInAttempt.user_id == user.id, PictureSignInAttempt.succeeded.is_(True),
               PictureSignInAttempt.attempted_at > since))
    failures = db.session.scalars(
        select(PictureSignInAttempt.attempted_at)
        .where(PictureSignInAttempt.user_id == user.id, PictureSignInAttempt.succeeded.is_(False),
               PictureSignInAttempt.attempted_at > max(since, last_success or since))
        .order_by(PictureSignInAttempt.attempted_at.desc())
        .limit(PUPIL_MAX_WRONG)).all()
    if len(failures) < PUPIL_MAX_WRONG or failures[0] - failures[-1] > PUPIL_WINDOW:
        return None
    until = failures[0] + PUPIL_PAUSE
    return until if until > now else None


def class_wait_until(school_class: SchoolClass, now: datetime | None = None) -> datetime | None:
    """When the next try in this class may be made, if the class is slowed down now; otherwise None."""
    now = now or utcnow()
    count, latest = db.session.execute(
        select(func.count(), func.max(PictureSignInAttempt.attempted_at))
        .where(PictureSignInAttempt.class_id == school_class.id, PictureSignInAttempt.succeeded.is_(False),
               PictureSignInAttempt.attempted_at > now - CLASS_WINDOW)
    ).one()
    if count < CLASS_MAX_WRONG or latest is None:
        return None
    until = latest + CLASS_DELAY
    return until if until > now else None


# --- Signing in ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What happened to a complete sequence of taps."""

    #: "ok", "wrong", "paused" or "wait".
    result: str
    #: For "paused" and "wait": when the pupil (or the class) may try again.
    until: datetime | None = None


def paused_for(user: User, address: str | None, now: datetime | None = None) -> datetime | None:
    """When the pupil's pause ends, for a try from ``address``: never at the school's own address.

    A pupil at school (an address the school signs in from) is slowed per address instead
    (:func:`check_pictures`), so a stranger with the class code cannot lock the class out.
    """
    if address is not None and is_school_address(user, address):
        return None
    return pupil_paused_until(user, now)


def _log_failure(school_class: SchoolClass, user: User, reason: str) -> None:
    """A refused picture sign-in in the audit log, in the same transaction as the try it counts."""
    record_event(AuditAction.SIGN_IN_FAILED, school_id=school_class.school_id, subject_user_id=user.id,
                 details={"reason": reason, "via": "pictures", "class_id": school_class.id})


def check_pictures(school_class: SchoolClass, user: User, sequence: list[str],
                   now: datetime | None = None, address: str | None = None) -> Outcome:
    """Check a pupil's tapped pictures on their class's sign-in page and record the try.

    A paused pupil (:func:`paused_for`), a try from an address that must wait after its own wrong
    tries for this pupil (growing delays), or a try too soon in a slowed-down class, is refused
    without being checked or recorded. Callers: the picture sign-in view (a public page: it must
    only be given a pupil of ``school_class`` who signs in with pictures).
    """
    now = now or utcnow()
    db.start_writing()  # the view read the class and pupil in a read transaction (reads_first)
    # One try at a time per class (PostgreSQL row lock; SQLite has one writer): parallel taps are
    # counted one after another, so none slips past the pupil's or the class's limit.
    db.session.execute(select(SchoolClass.id).where(SchoolClass.id == school_class.id).with_for_update())
    paused = paused_for(user, address, now)
    if paused is not None:
        _log_failure(school_class, user, "paused")
        return Outcome("paused", paused)
    name = f"pictures/{user.id}"
    if address is not None and must_wait(address, name):
        return Outcome("wait", now + timedelta(seconds=2))
    wait = class_wait_until(school_class, now)
    if wait is not None:
        return Outcome("wait", wait)
    right = len(sequence) == SECRET_LENGTH and picture_secret_matches(user, sequence) and user.is_active
    db.session.add(PictureSignInAttempt(school_id=school_class.school_id, class_id=school_class.id, user_id=user.id,
                                        succeeded=right, attempted_at=now))
    db.session.flush()
    if not right:
        _log_failure(school_class, user, "wrong_pictures")
    if address is not None:
        if right:
            forget_wrong_tries(address, name)
            remember_school_address(user, address)
        else:
            count_wrong_try(address, name, free_tries=PUPIL_MAX_WRONG + 1)
    return Outcome("ok" if right else "wrong")


# --- Avatars ------------------------------------------------------------------------------------


def give_new_pupils_distinct_avatars(class_ids: set[int], new_pupil_ids: set[int]) -> None:
    """In each class, the pupils just given pictures get an avatar no classmate already has.

    Classmates keep theirs: a child who knows their fox stays the fox. Callers: roster import and
    adding one pupil, after the pupils are in their classes. One query per class.
    """
    for class_id in sorted(class_ids):
        pupils = list(db.session.scalars(current_pupils_query(class_id)))
        taken = {pupil.avatar for pupil in pupils if pupil.id not in new_pupil_ids and pupil.avatar}
        for pupil in sorted((p for p in pupils if p.id in new_pupil_ids), key=lambda p: p.id):
            pupil.avatar = avatar_not_in(taken)
            taken.add(pupil.avatar)
    db.session.flush()


# --- Teachers' tools ----------------------------------------------------------------------------


def clear_pause(user: User) -> None:
    """Forget the pupil's wrong tries, so any pause ends now and the count starts again."""
    db.session.execute(delete(PictureSignInAttempt).where(PictureSignInAttempt.user_id == user.id,
                                                          PictureSignInAttempt.succeeded.is_(False)))
    db.session.flush()


def reset_pictures(user: User, *, actor: User | None = None) -> tuple[str, ...]:
    """Give a pupil new secret pictures (for a new login card) and end any pause; logged as done by ``actor``.

    Callers: a teacher or coordinator who may manage the pupil's class
    (:func:`eduplatform.access.can_manage_class`). Raises ValueError for a pupil who does
    not sign in with pictures.
    """
    if not uses_pictures(user.year_group):
        raise ValueError("this pupil signs in with a password")
    sequence = new_picture_secret()
    while picture_secret_matches(user, list(sequence)):  # never the old pictures again
        sequence = new_picture_secret()
    set_picture_secret(user, sequence)
    clear_pause(user)
    db.session.flush()
    record_event(AuditAction.PICTURES_RESET, actor=actor, school_id=user.school_id, subject_user_id=user.id,
                 details={"kind": "pictures"})
    return sequence


def reissue_pupil_password(user: User, *, actor: User | None = None) -> str:
    """Give a pupil a new first password to print on their card; they change it at first sign-in.
    Logged (as a reset of the pupil's sign-in) as done by ``actor``.

    Callers: a teacher or coordinator who may manage the pupil's class. Raises ValueError for a
    pupil who signs in with pictures.
    """
    if uses_pictures(user.year_group):
        raise ValueError("this pupil signs in with pictures")
    password = issue_first_password(user)
    db.session.flush()
    record_event(AuditAction.PICTURES_RESET, actor=actor, school_id=user.school_id, subject_user_id=user.id,
                 details={"kind": "first_password"})
    return password
