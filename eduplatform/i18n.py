"""Interface language: which locale a request uses, and the gettext helpers to import.

Use ``_`` inside requests and ``_l`` (lazy) for strings built at import time (form labels, enum
titles). Always named placeholders: ``_("Hello %(name)s", name=user.first_name)``.
"""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

__all__ = ["_", "_l", "ngettext", "select_locale", "select_time_zone"]


def select_locale() -> str:
    """The user's preference, then the session, then the browser, then the school's default."""
    offered = current_app.config["LOCALES"]
    if not has_request_context():  # command-line jobs: the site's default
        return current_app.config["DEFAULT_LOCALE"]
    if getattr(current_user, "is_authenticated", False) and current_user.locale in offered:
        return current_user.locale
    if session.get("locale") in offered:
        return session["locale"]
    from_browser = request.accept_languages.best_match(offered)
    if from_browser:
        return from_browser
    school = getattr(current_user, "school", None) if getattr(current_user, "is_authenticated", False) else None
    if school is not None and school.default_locale in offered:
        return school.default_locale
    return current_app.config["DEFAULT_LOCALE"]


def select_time_zone() -> str:
    """Dates and times are shown in the signed-in person's school's time zone (Europe/London otherwise)."""
    from eduplatform.academic_year import DEFAULT_TIME_ZONE

    school = getattr(current_user, "school", None) if getattr(current_user, "is_authenticated", False) else None
    return (school.time_zone if school is not None and school.time_zone else None) or DEFAULT_TIME_ZONE
