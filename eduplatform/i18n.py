"""Interface language: which locale a request uses, and the gettext helpers to import.

Use ``_`` inside requests and ``_l`` (lazy) for strings built at import time (form labels, enum
titles). Always named placeholders: ``_("Hello %(name)s", name=user.first_name)``.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, has_request_context, request, session
from flask.globals import _cv_app
from flask_babel import get_translations, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup

__all__ = ["_", "_l", "bidi_isolate", "install_template_gettext", "language_name", "ngettext",
           "offered_languages", "select_locale", "select_time_zone", "text_direction"]

#: Where :func:`current_translations` keeps the catalogue it found, beside Flask-Babel's own state.
_KEPT = "eduplatform_translations"


def current_translations() -> Any:
    """Flask-Babel's ``get_translations()``, remembered for the rest of the request (or app context).

    Flask-Babel looks the catalogue up afresh for every string (several context lookups each); a class
    grid translates a hundred. The catalogue is kept against the exact locale and domain objects it
    was found for, so :func:`flask_babel.force_locale` (mail in the recipient's language) and
    :func:`flask_babel.refresh` (a new locale object) are followed at once.
    """
    context = _cv_app.get(None)
    babel_state = context.g.__dict__.get("_flask_babel") if context is not None else None
    if babel_state is not None:
        state = babel_state.__dict__
        kept = state.get(_KEPT)
        if kept is not None and kept[0] is state.get("babel_locale") and kept[1] is state.get("babel_domain"):
            return kept[2]
    translations = get_translations()
    babel_state = context.g.__dict__.get("_flask_babel") if context is not None else None
    if babel_state is not None and babel_state.__dict__.get("babel_locale") is not None:
        state = babel_state.__dict__
        state[_KEPT] = (state["babel_locale"], state.get("babel_domain"), translations)
    return translations


def _(string: str, **variables: Any) -> str:
    """Translate ``string`` into the request's language (Flask-Babel's ``gettext``, with the catalogue
    looked up once per request); named placeholders are filled after translating."""
    translated = current_translations().ugettext(string)
    return translated % variables if variables else translated


def install_template_gettext(app: Any) -> None:
    """Templates' ``_``, ``ngettext`` and ``pgettext`` through :func:`current_translations` (call after
    Flask-Babel's ``init_app``, which installs its own)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda text: current_translations().ugettext(text),
        ngettext=lambda singular, plural, number: current_translations().ungettext(singular, plural, number),
        pgettext=lambda context, text: current_translations().upgettext(context, text),
        npgettext=lambda context, singular, plural, number: current_translations().unpgettext(
            context, singular, plural, number),
        newstyle=True)

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
