"""Accounts: creating people, passwords, signing in and out, and session invalidation.

Sessions are signed cookies that carry the user's id and their current ``session_token``.
Replacing the token (sign-out, password change, disabling the account) makes every cookie issued
before it worthless, on every device, without any server-side session store.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash, generate_password_hash

from eduplatform.accounts.models import ParentLink, User, UserRole
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.db import db, utcnow
from eduplatform.roles import Role

MIN_PASSWORD_LENGTH = 8


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


_CARD_WORDS = ("apple", "river", "tiger", "maple", "rocket", "garden", "pebble", "cloud", "lemon", "violin",
               "meadow", "harbour", "comet", "willow", "biscuit", "lantern", "puffin", "orbit", "acorn", "canyon")


def new_initial_password() -> str:
    """A pupil's first password, easy to type from a printed card: two words and two digits.

    About 36,000 choices: guessing is held back by the sign-in limits (:mod:`.signin_guard`), and the
    pupil chooses their own at first sign-in.
    """
    words = [_CARD_WORDS[secrets.randbelow(len(_CARD_WORDS))] for _ in range(2)]
    return f"{words[0]}-{words[1]}-{secrets.randbelow(90) + 10}"


#: Letters and digits that cannot be mistaken for each other (no 0/o, 1/l/i).
_ADULT_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


def new_adult_first_password() -> str:
    """An adult's first password: nine characters in three groups (about 44.6 bits), e.g. ``k7q-m4t-xp9``.

    Adults' accounts see other people's records, so their first password must resist guessing on
    its own (at least 40 bits); it lapses after 14 days unused.
    """
    characters = "".join(secrets.choice(_ADULT_ALPHABET) for _ in range(9))
    return f"{characters[:3]}-{characters[3:6]}-{characters[6:]}"


#: PBKDF2-SHA256 with 2,000 iterations (about 1 ms a hash), for school-issued first secrets only.
#:
#: Not Werkzeug's default scrypt (0.15-0.2 s a hash: 2,000 new people in a roster import would take
#: over 5 minutes). A first password is printed on a login card and *also* kept in plain text in
#: ``User.card_secret`` so the card can be printed again, until the person chooses their own
#: password; a slow hash would protect nothing extra. Guessing is limited by the sign-in limits, and
#: the password must be changed at first sign-in. Chosen passwords use the site default
#: (:func:`hash_password`). Picture secrets make the same choice
#: (:data:`eduplatform.signin.pictures.PICTURE_HASH_METHOD`).
FIRST_SECRET_HASH_METHOD = "pbkdf2:sha256:2000"  # noqa: S105 (a hashing method, not a password)


@dataclass(frozen=True)
class PreparedSecret:
    """A first secret made ahead of time, with its hash: the slow part, done before a long write.

    ``kind`` is ``pupil_password``, ``adult_password`` or ``pictures`` (``secret`` is then the
    encoded picture sequence).
    """

    kind: str
    secret: str
    hash: str


def prepare_first_password(*, for_pupil: bool) -> PreparedSecret:
    """A first password and its hash, for :func:`issue_first_password` to use later."""
    password = new_initial_password() if for_pupil else new_adult_first_password()
    return PreparedSecret("pupil_password" if for_pupil else "adult_password", password,
                          generate_password_hash(password, method=FIRST_SECRET_HASH_METHOD))


def issue_first_password(user: User, prepared: PreparedSecret | None = None) -> str:
    """Give the person a first password for their login card; they must change it at first sign-in.

    Pupils get two card words and two digits; adults nine random characters
    (:func:`new_adult_first_password`). ``prepared`` (:func:`prepare_first_password`) lets a roster
    import hash thousands of them before it takes the database's write lock. Any session the
    person had ends. Does not flush (a roster import issues hundreds at once).
    Callers: roster import, and a teacher or coordinator re-issuing a card.
    """
    prepared = prepared or prepare_first_password(for_pupil=Role.PUPIL in user.roles)
    password = prepared.secret
    user.password_hash = prepared.hash
    user.card_secret = password
    user.must_change_password = True
    user.first_password_issued_at = utcnow()
    user.session_token = new_session_token()
    return password


def hash_password(password: str) -> str:
    """Hash with Werkzeug's default method (the test suite may configure a cheaper one)."""
    method = current_app.config.get("PASSWORD_HASH_METHOD") or None
    return generate_password_hash(password, method=method) if method else generate_password_hash(password)


def create_user(*, username: str, first_name: str, last_name: str, roles: set[Role] | frozenset[Role],
                school_id: int | None, password: str | None = None, password_hash: str | None = None,
                year_group: int | None = None, email: str | None = None, external_id: str | None = None,
                trust_id: int | None = None, must_change_password: bool = False) -> User:
    """Add a person with their roles. Callers: the demo seeder, roster import, administrators."""
    user = User(
        username=username.strip().lower(), first_name=first_name, last_name=last_name, school_id=school_id,
        trust_id=trust_id, year_group=year_group, email=email, external_id=external_id,
        password_hash=password_hash or (hash_password(password) if password else None),
        must_change_password=must_change_password, session_token=new_session_token(),
    )
    user.role_rows = [UserRole(role=role) for role in sorted(roles)]
    db.session.add(user)
    db.session.flush()
    return user


def link_parent(parent: User, child: User) -> None:
    """Link a parent or carer to a child of the same school."""
    if parent.school_id != child.school_id:
        raise ValueError("a parent can only be linked to a child of the same school")
    db.session.add(ParentLink(parent_id=parent.id, child_id=child.id))
    db.session.flush()


def find_by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username.strip().lower()))


def password_matches(user: User, password: str) -> bool:
    """Whether ``password`` is the person's current password (to confirm a change of password).

    Not for signing in: that is :func:`eduplatform.accounts.signin_guard.sign_in_with_password`.
    """
    return user.password_hash is not None and check_password_hash(user.password_hash, password)


def end_all_sessions(user: User) -> None:
    """Invalidate every session cookie of ``user`` (sign-out, password change, disabling)."""
    user.session_token = new_session_token()
    db.session.flush()


def change_password(user: User, new_password: str) -> None:
    """Set a new password, clear the must-change flag and end every other session.

    The slow hash is made before anything is written: in a view marked ``reads_first`` the write
    lock is taken only afterwards (:meth:`eduplatform.db.Database.start_writing`).
    """
    password_hash = hash_password(new_password)
    db.start_writing()
    user.password_hash = password_hash
    user.must_change_password = False
    user.first_password_issued_at = None
    user.card_secret = None  # the printed card no longer opens the account
    end_all_sessions(user)
    record_event(AuditAction.PASSWORD_CHANGED, actor=user, school_id=user.school_id, subject_user_id=user.id)


def set_preferred_language(user: User, locale: str) -> None:
    """Remember the interface language ``user`` chose (one of the site's ``LOCALES``; the caller checks)."""
    user.locale = locale
    db.session.flush()


def disable_account(user: User) -> None:
    """Stop the person signing in and end their sessions; their records are kept."""
    user.disabled_at = utcnow()
    end_all_sessions(user)


def load_user_from_session(session_value: str) -> User | None:
    """Flask-Login's user loader: the user only while the cookie's token is still current."""
    user_id, _, token = session_value.partition(".")
    if not user_id.isdigit() or not token:
        return None
    from eduplatform.db import db as database

    # One statement for the person, their roles and their school (the locale and time zone read it):
    # every signed-in request pays for this, so it is not three.
    user = database.session.get(User, int(user_id), options=(joinedload(User.role_rows), joinedload(User.school)))
    if user is None or not user.is_active or not hmac.compare_digest(user.session_token, token):
        return None
    return user


def count_real_users() -> int:
    """How many accounts exist (the demo seeder refuses to run when there are any)."""
    return db.session.scalar(select(func.count()).select_from(User)) or 0
