"""The kinds of worry, as the concerns pages need them: ids, labels, pupils' wording and staff procedures
in the current locale, read from the catalogue (``curriculum/concerns.yaml`` and ``content/<locale>/concerns.yaml``).

Callers: the reporting pages, the DSLs' log and its export, the filtering logs and the audit's counts.
"""

from __future__ import annotations

from flask import has_request_context
from flask_babel import get_locale

from eduplatform.catalogue import current_catalogue
from eduplatform.catalogue.concerns import WORDING_BANDS, ConcernCatalogue, ConcernCategory, TalkToChoice


def _concerns() -> ConcernCatalogue:
    return current_catalogue().concerns


def _locale(locale: str | None) -> str:
    if locale:
        return locale
    return str(get_locale()) if has_request_context() else current_catalogue().fallback_locale


def category_ids() -> tuple[str, ...]:
    """Every category id, in the order they are offered and counted."""
    return tuple(category.id for category in _concerns().categories)


def category_label(category_id: str, locale: str | None = None) -> str:
    """The category's name in the current locale (or ``locale``); an unknown id gives the id itself."""
    words = _concerns().words_for(category_id, _locale(locale))
    return words.label if words else category_id


def categories_for(reporter: str) -> tuple[ConcernCategory, ...]:
    """The categories one kind of reporter may choose: a pupil's key stage (``ks1`` ... ``ks4``),
    ``parents`` or ``staff``."""
    return _concerns().categories_for(reporter)


def is_offered(category_id: str, reporter: str) -> bool:
    """Whether ``reporter`` (as for :func:`categories_for`) may choose ``category_id``."""
    return any(category.id == category_id for category in categories_for(reporter))


def pupil_wording(category_id: str, band: str, locale: str | None = None) -> str:
    """How pupils of ``band`` (``ks1`` ... ``ks4``) see the category; its label if it has no wording for them."""
    words = _concerns().words_for(category_id, _locale(locale))
    if words is None:
        return category_id
    return words.pupil.get(WORDING_BANDS.get(band, ""), words.label)


def procedure(category_id: str, locale: str | None = None) -> tuple[str, ...]:
    """What staff must do (and must not do) for this kind of worry, step by step; () for an unknown id."""
    words = _concerns().words_for(category_id, _locale(locale))
    return words.procedure if words else ()


def category_picture(category_id: str) -> str | None:
    """The picture the youngest pupils tap for the category (a path under ``static/``), or None."""
    category = _concerns().category(category_id)
    return category.picture if category else None


def talk_to_choices(band: str) -> tuple[TalkToChoice, ...]:
    """Who pupils of ``band`` may ask to talk to, in order."""
    return _concerns().talk_to_for(band)


def talk_to_label(choice_id: str, band: str | None = None, locale: str | None = None) -> str:
    """A "talk to" choice's words (the youngest pupils' own words for ``band="ks1"``); unknown: the id."""
    words = _concerns().talk_to_words_for(choice_id, _locale(locale))
    if words is None:
        return choice_id
    return words.ks1 if band == "ks1" else words.label
