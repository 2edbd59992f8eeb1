"""Where every sign-in completes: the one function that turns a checked person into a session.

Password sign-in, picture sign-in and a password change (which renews this browser's session)
all end here, so later checks and records (multi-factor sign-in, the sign-in log) hook in once.
"""

from __future__ import annotations

from flask import session
from flask_login import login_user

from eduplatform.accounts.models import User


def start_session(user: User, *, via: str = "password") -> None:
    """Sign ``user`` in on this browser with a fresh session.

    Nothing from before sign-in survives into the signed-in session (no session fixation), and the
    session lasts ``SESSION_MINUTES`` without activity. Callers: the sign-in views, after they have
    checked the person's password or pictures, or a single sign-on provider has (``via`` names it:
    ``password``, ``pictures``, ``google``, ``microsoft``).
    """
    session.clear()
    login_user(user)
    session.permanent = True
    session["signed_in_via"] = via


def signed_in_with_single_sign_on() -> bool:
    """True when this session began with Google or Microsoft (no password was typed)."""
    return session.get("signed_in_via") in {"google", "microsoft"}
