"""Where every sign-in completes: the one function that turns a checked person into a session.

Password sign-in, picture sign-in and a password change (which renews this browser's session)
all end here, so later checks and records (multi-factor sign-in, the sign-in log) hook in once.
"""

from __future__ import annotations

from flask import session
from flask_login import login_user

from eduplatform.accounts.models import User


def start_session(user: User) -> None:
    """Sign ``user`` in on this browser with a fresh session.

    Nothing from before sign-in survives into the signed-in session (no session fixation), and the
    session lasts ``SESSION_MINUTES`` without activity. Callers: the sign-in views, after they have
    checked the person's password or pictures.
    """
    session.clear()
    login_user(user)
    session.permanent = True
