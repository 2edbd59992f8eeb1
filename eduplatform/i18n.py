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
from markupsafe import Markup

__all__ = ["_", "_l", "bidi_isolate", "language_name", "ngettext", "offered_languages", "select_locale",
           "select_time_zone", "text_direction"]

#: Each language named in itself, as the language menu shows it (not translated: a reader looks for
#: their own language's name). Others fall back to Babel's own name of the language in itself.
LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg", "pl": "Polski", "ur": "اردو"}
#: Languages written right to left (the page gets ``dir="rtl"``).
RIGHT_TO_LEFT = frozenset({"ur", "ar", "fa", "he", "ps", "sd", "ug", "yi"})


def language_name(code: str) -> str:
    """``code``'s name in that language (``cy`` -> ``Cymraeg``), for menus and notes."""
    if code in LANGUAGE_NAMES:
        return LANGUAGE_NAMES[code]
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(code).get_display_name(code)
    except (ValueError, UnknownLocaleError):
        return code
    return (name[:1].upper() + name[1:]) if name else code


def bidi_isolate(text: object) -> Markup:
    """``text`` (a person's name, a username) in ``<bdi>``: read in its own direction inside any page.

    A Jinja filter (``|bdi``), usable inside ``{% trans %}`` without changing the message.
    """
    return Markup("<bdi>{}</bdi>").format(text)


def text_direction(code: str) -> str:
    """``rtl`` for a language written right to left (Urdu), else ``ltr``."""
    return "rtl" if code.replace("-", "_").split("_")[0] in RIGHT_TO_LEFT else "ltr"


def offered_languages() -> list[tuple[str, str]]:
    """The site's languages as ``(code, name in itself)``, in the order of the ``LOCALES`` setting."""
    return [(code, language_name(code)) for code in current_app.config["LOCALES"]]


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
