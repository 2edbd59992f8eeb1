"""The kinds of worry people can report, read from ``curriculum/concerns.yaml`` and ``content/<locale>/concerns.yaml``.

``curriculum/concerns.yaml`` holds the structure: the category ids in order, who may choose each
(pupils by key stage, parents, staff), the picture the youngest pupils tap for it, and the people a
pupil may ask to talk to (ids, who sees each choice, its picture). ``content/<locale>/concerns.yaml``
holds the words: each category's label, its wording for pupils of each age band (a sentence read
aloud for KS1, then KS2, then KS3 and KS4) and the school's procedure for staff; each "talk to" choice's
label. Both files are optional as a pair: without them nobody can report (there are no categories).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from eduplatform.catalogue.files import Problems, check_keys, read_yaml

#: Who may choose a category or a "talk to" choice: the pupils' audiences, parents and staff.
PUPIL_BANDS = ("ks1", "ks2", "ks3", "ks4")
REPORTERS = frozenset({*PUPIL_BANDS, "parents", "staff"})
#: The age bands of the pupils' wording: ``ks3_4`` covers KS3 and KS4.
WORDING_BANDS = {"ks1": "ks1", "ks2": "ks2", "ks3": "ks3_4", "ks4": "ks3_4"}


@dataclass(frozen=True)
class ConcernCategory:
    """One kind of worry (structure)."""

    id: str
    #: Who may choose it: ``ks1`` ... ``ks4``, ``parents``, ``staff``.
    reporters: frozenset[str]
    #: The picture the youngest pupils tap (a path under ``static/``), or None: not offered to KS1.
    picture: str | None
    order: int


@dataclass(frozen=True)
class TalkToChoice:
    """Someone a pupil may ask to talk to (structure)."""

    id: str
    #: The pupils' audiences offered this choice.
    reporters: frozenset[str]
    #: The picture shown to the youngest pupils (a path under ``static/``).
    picture: str | None


@dataclass(frozen=True)
class CategoryWords:
    """A category's words in one locale."""

    label: str
    #: The pupils' wording per age band (``ks1``, ``ks2``, ``ks3_4``) for the bands that may choose it.
    pupil: MappingProxyType[str, str]
    #: What staff must do (and must not do) for this kind of worry, one step per item.
    procedure: tuple[str, ...]


@dataclass(frozen=True)
class TalkToWords:
    label: str
    #: The youngest pupils' words (read aloud), or the label.
    ks1: str


@dataclass(frozen=True)
class ConcernCatalogue:
    """The categories and "talk to" choices in order, with their words per locale."""

    categories: tuple[ConcernCategory, ...]
    talk_to: tuple[TalkToChoice, ...]
    #: ``words[locale][category id]``.
    words: MappingProxyType[str, MappingProxyType[str, CategoryWords]]
    #: ``talk_to_words[locale][choice id]``.
    talk_to_words: MappingProxyType[str, MappingProxyType[str, TalkToWords]]
    fallback: str = "en"

    def category(self, category_id: str) -> ConcernCategory | None:
        return next((category for category in self.categories if category.id == category_id), None)

    def words_for(self, category_id: str, locale: str) -> CategoryWords | None:
        """The category's words in ``locale``, else the fallback locale's; None for an unknown id."""
        found = self.words.get(locale, MappingProxyType({})).get(category_id)
        return found or self.words.get(self.fallback, MappingProxyType({})).get(category_id)

    def talk_to_words_for(self, choice_id: str, locale: str) -> TalkToWords | None:
        found = self.talk_to_words.get(locale, MappingProxyType({})).get(choice_id)
        return found or self.talk_to_words.get(self.fallback, MappingProxyType({})).get(choice_id)

    def categories_for(self, reporter: str) -> tuple[ConcernCategory, ...]:
        """The categories ``reporter`` (a pupil band, ``parents`` or ``staff``) may choose, in order."""
        return tuple(category for category in self.categories if reporter in category.reporters)

    def talk_to_for(self, band: str) -> tuple[TalkToChoice, ...]:
        return tuple(choice for choice in self.talk_to if band in choice.reporters)


EMPTY_CONCERNS = ConcernCatalogue((), (), MappingProxyType({}), MappingProxyType({}))


def read_concerns(curriculum_root: Path, static_root: Path, locale_folders: dict[str, Path], fallback: str,
                  problems: Problems) -> ConcernCatalogue:
    """Read the categories and their words; every problem is reported against its file and id."""
    path = curriculum_root / "concerns.yaml"
    if not path.exists():
        return EMPTY_CONCERNS
    data: Any = read_yaml(path, problems)
    if not isinstance(data, dict) or not isinstance(data.get("categories"), list):
        problems.add(path, "must hold 'categories:', a list of the kinds of worry")
        return EMPTY_CONCERNS
    check_keys(path, "concerns", data, {"categories"}, {"talk_to"}, problems)
    categories: list[ConcernCategory] = []
    for position, entry in enumerate(data["categories"], start=1):
        category = _read_category(path, static_root, position, entry, problems)
        if category is None:
            continue
        if any(known.id == category.id for known in categories):
            problems.add(path, f"category '{category.id}': the id is used twice")
            continue
        categories.append(category)
    talk_to: list[TalkToChoice] = []
    for position, entry in enumerate(data.get("talk_to") or [], start=1):
        choice = _read_talk_to(path, static_root, position, entry, problems)
        if choice is None:
            continue
        if any(known.id == choice.id for known in talk_to):
            problems.add(path, f"talk_to '{choice.id}': the id is used twice")
            continue
        talk_to.append(choice)
    words: dict[str, MappingProxyType[str, CategoryWords]] = {}
    talk_to_words: dict[str, MappingProxyType[str, TalkToWords]] = {}
    for locale, folder in locale_folders.items():
        words_path = folder / "concerns.yaml"
        if not words_path.exists():
            if locale == fallback:
                problems.add(words_path, "missing: the words of the concern categories in the fallback locale")
            continue
        found, found_talk = _read_words(words_path, categories, talk_to, locale == fallback, problems)
        words[locale], talk_to_words[locale] = MappingProxyType(found), MappingProxyType(found_talk)
    return ConcernCatalogue(tuple(categories), tuple(talk_to), MappingProxyType(words),
                            MappingProxyType(talk_to_words), fallback)


def _reporters(path: Path, where: str, value: Any, allowed: frozenset[str], problems: Problems) -> frozenset[str]:
    found = frozenset(str(item) for item in value) if isinstance(value, list) else frozenset()
    if not found:
        problems.add(path, f"{where}: 'for' must list who may choose it ({', '.join(sorted(allowed))})")
    for unknown in sorted(found - allowed):
        problems.add(path, f"{where}: unknown reporter '{unknown}' (one of {', '.join(sorted(allowed))})")
    return found & allowed


def _picture(path: Path, static_root: Path, where: str, value: Any, problems: Problems) -> str | None:
    if value is None:
        return None
    picture = str(value)
    if not picture.endswith(".svg") or ".." in picture or not (static_root / picture).is_file():
        problems.add(path, f"{where}: picture '{picture}' is not an SVG file under static/")
        return None
    return picture


def _read_category(path: Path, static_root: Path, position: int, entry: Any,
                   problems: Problems) -> ConcernCategory | None:
    if not isinstance(entry, dict):
        problems.add(path, f"category {position}: must be a mapping")
        return None
    if not check_keys(path, f"category {position}", entry, {"id", "for"}, {"picture"}, problems):
        return None
    category_id = str(entry["id"])
    where = f"category '{category_id}'"
    reporters = _reporters(path, where, entry["for"], REPORTERS, problems)
    picture = _picture(path, static_root, where, entry.get("picture"), problems)
    if "ks1" in reporters and picture is None:
        problems.add(path, f"{where}: offered to ks1, so it needs a picture")
    return ConcernCategory(category_id, reporters, picture, position)


def _read_talk_to(path: Path, static_root: Path, position: int, entry: Any, problems: Problems) -> TalkToChoice | None:
    if not isinstance(entry, dict) or not check_keys(path, f"talk_to {position}", entry, {"id", "for"},
                                                      {"picture"}, problems):
        return None
    choice_id = str(entry["id"])
    where = f"talk_to '{choice_id}'"
    reporters = _reporters(path, where, entry["for"], frozenset(PUPIL_BANDS), problems)
    picture = _picture(path, static_root, where, entry.get("picture"), problems)
    if "ks1" in reporters and picture is None:
        problems.add(path, f"{where}: offered to ks1, so it needs a picture")
    return TalkToChoice(choice_id, reporters, picture)


def _read_words(path: Path, categories: list[ConcernCategory], talk_to: list[TalkToChoice], complete: bool,
                problems: Problems) -> tuple[dict[str, CategoryWords], dict[str, TalkToWords]]:
    data = read_yaml(path, problems)
    if not isinstance(data, dict):
        problems.add(path, "must be a mapping with 'categories' and 'talk_to'")
        return {}, {}
    check_keys(path, "concerns", data, {"categories"}, {"talk_to"}, problems)
    known = {category.id: category for category in categories}
    found: dict[str, CategoryWords] = {}
    for category_id, item in (data.get("categories") or {}).items():
        category = known.get(category_id)
        where = f"category '{category_id}'"
        if category is None:
            problems.add(path, f"{where} is not in curriculum/concerns.yaml")
            continue
        if not isinstance(item, dict) or not check_keys(path, where, item, {"label", "procedure"}, {"pupil"},
                                                          problems):
            continue
        pupil = item.get("pupil") or {}
        if not isinstance(pupil, dict):
            problems.add(path, f"{where}: 'pupil' must map age bands (ks1, ks2, ks3_4) to wording")
            pupil = {}
        bands = {WORDING_BANDS[band] for band in category.reporters if band in WORDING_BANDS}
        for band in sorted(set(pupil) - set(WORDING_BANDS.values())):
            problems.add(path, f"{where}: unknown age band '{band}' (one of ks1, ks2, ks3_4)")
        for band in sorted(bands - set(pupil)):
            problems.add(path, f"{where}: missing the pupils' wording for '{band}' (it is offered to them)")
        procedure = item["procedure"]
        steps = tuple(str(step).strip() for step in procedure) if isinstance(procedure, list) else ()
        if not steps or not all(steps):
            problems.add(path, f"{where}: 'procedure' must be a list of steps for staff")
        if not str(item["label"]).strip():
            problems.add(path, f"{where}: the label is empty")
        found[category_id] = CategoryWords(str(item["label"]).strip(),
                                           MappingProxyType({str(k): str(v).strip() for k, v in pupil.items()}),
                                           steps)
    talk_words: dict[str, TalkToWords] = {}
    known_talk = {choice.id for choice in talk_to}
    for choice_id, item in (data.get("talk_to") or {}).items():
        where = f"talk_to '{choice_id}'"
        if choice_id not in known_talk:
            problems.add(path, f"{where} is not in curriculum/concerns.yaml")
            continue
        if not isinstance(item, dict) or not check_keys(path, where, item, {"label"}, {"ks1"}, problems):
            continue
        talk_words[choice_id] = TalkToWords(str(item["label"]).strip(), str(item.get("ks1") or item["label"]).strip())
    if complete:
        for category in categories:
            if category.id not in found:
                problems.add(path, f"category '{category.id}': missing its label, pupils' wording and procedure")
        for choice in talk_to:
            if choice.id not in talk_words:
                problems.add(path, f"talk_to '{choice.id}': missing its label")
    return found, talk_words
