"""Where every sign-in completes: the one function that turns a checked person into a session.

Password sign-in, picture sign-in and a password change (which renews this browser's session)
all end here, so later checks and records (multi-factor sign-in, the sign-in log) hook in once.
"""

from __future__ import annotations

import time

from flask import current_app, session
from flask_login import login_user

from eduplatform.accounts.mfa import has_mfa, mfa_required
from eduplatform.accounts.models import User
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.roles import Role


def start_session(user: User, *, via: str = "password", renewal: bool = False) -> None:
    """Sign ``user`` in on this browser with a fresh session.

    Nothing from before sign-in survives into the signed-in session (no session fixation), and the
    session ends after ``SESSION_MINUTES`` without activity (:func:`session_has_idled_out`). A
    pupil's cookie also ends when the browser closes (classroom devices are shared); an adult's lasts
    across restarts until it idles out. Callers: the sign-in views, after they have checked the
    person's password or pictures, or a single sign-on provider has (``via`` names it: ``password``,
    ``pictures``, ``google``, ``microsoft``). Each sign-in goes in the audit log; a ``renewal`` (the
    same person's browser after a password change) is no sign-in and does not.
    """
    chosen_language = session.get("locale")  # the language menu's choice is no secret: it stays
    session.clear()
    if chosen_language:
        session["locale"] = chosen_language
    login_user(user)
    session.permanent = Role.PUPIL not in user.roles
    session["signed_in_via"] = via
    # Decided once per session (roles and duties are read here, not on every request).
    session["mfa_set_up_needed"] = mfa_required(user) and not has_mfa(user)
    mark_session_active()
    if not renewal:
        record_event(AuditAction.SIGNED_IN, actor=user, school_id=user.school_id, subject_user_id=user.id,
                     details={"via": via})


def mfa_set_up_needed() -> bool:
    """This session's person must set up multi-factor sign-in before anything else."""
    return bool(session.get("mfa_set_up_needed"))


#: How stale the session's "last active" time may get before a request refreshes it, in seconds.
#: Refreshing changes the cookie, which is then signed and sent again; a minute's slack against
#: an idle time-out of hours keeps most responses free of a new cookie.
ACTIVITY_REFRESH_SECONDS = 60


def mark_session_active() -> None:
    """Note that the signed-in person did something now (called on every request).

    The time is written (and the cookie re-signed) only when it is more than
    :data:`ACTIVITY_REFRESH_SECONDS` old, so most responses carry no new cookie.
    """
    now = int(time.time())
    last = session.get("active_at")
    if not isinstance(last, int) or now - last >= ACTIVITY_REFRESH_SECONDS:
        session["active_at"] = now


def session_has_idled_out() -> bool:
    """True when the session saw no request for ``SESSION_MINUTES`` (for browser-session cookies too)."""
    last = session.get("active_at")
    return not isinstance(last, int) or time.time() - last > current_app.config["SESSION_MINUTES"] * 60


def signed_in_with_single_sign_on() -> bool:
    """True when this session began with Google or Microsoft (no password was typed)."""
    return session.get("signed_in_via") in {"google", "microsoft"}
