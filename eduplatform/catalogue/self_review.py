"""The yearly self-review framework and the audit's settings: read from ``curriculum/`` and ``content/``.

``curriculum/self_review.yaml`` holds the groups and aspects (ids, and which drafter writes an
aspect's evidence sentence from the records); ``content/<locale>/self_review.yaml`` holds the words
(titles, questions, level descriptors). ``curriculum/audit.yaml`` names the modules, agreements and
audiences the audit's staff, governor and parent sections report on. All three files are optional:
without them the audit has no self-review aspects and leaves those figures out.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from eduplatform.catalogue.files import Problems, check_keys, read_yaml

#: The drafters that can write an aspect's evidence from the records (eduplatform.reports.evidence).
KNOWN_DRAFTERS = frozenset({
    "pupil_programme", "pupil_outcomes", "pupil_agreements", "staff_agreements", "staff_induction",
    "staff_refresher", "dsl_training", "governor_training", "parent_engagement", "consent_returns",
    "visitor_agreements", "reporting",
})
LEVELS = (1, 2, 3, 4, 5)
#: What ``curriculum/audit.yaml`` may name, and what kind of id each is.
AUDIT_SETTINGS = {
    "staff_induction": "module", "staff_refresher": "module", "dsl_training": "module",
    "governor_training": "module", "home_school_agreement": "agreement", "staff_audience": "audience",
    "dsl_audience": "audience", "governor_audience": "audience", "parent_audience": "audience",
    "visitor_audience": "audience", "class_signing_audience": "audience",
}


@dataclass(frozen=True)
class Aspect:
    id: str
    group: str
    #: The drafter of its evidence sentence, or None when the platform holds no records for it.
    evidence: str | None
    order: int


@dataclass(frozen=True)
class AspectWords:
    title: str
    question: str
    #: What each level (1 strongest ... 5 just starting) looks like.
    levels: MappingProxyType[int, str]


@dataclass(frozen=True)
class SelfReview:
    """The aspects in order, grouped, with their words per locale."""

    groups: tuple[str, ...]
    aspects: tuple[Aspect, ...]
    #: ``group_titles[locale][group id]``.
    group_titles: MappingProxyType[str, MappingProxyType[str, str]]
    #: ``words[locale][aspect id]``.
    words: MappingProxyType[str, MappingProxyType[str, AspectWords]]

    def aspect(self, aspect_id: str) -> Aspect | None:
        return next((aspect for aspect in self.aspects if aspect.id == aspect_id), None)

    def words_for(self, aspect_id: str, locale: str, fallback: str) -> AspectWords:
        found = self.words.get(locale, MappingProxyType({})).get(aspect_id)
        return found or self.words[fallback][aspect_id]

    def group_title(self, group: str, locale: str, fallback: str) -> str:
        return (self.group_titles.get(locale, MappingProxyType({})).get(group)
                or self.group_titles.get(fallback, MappingProxyType({})).get(group) or group)


EMPTY_SELF_REVIEW = SelfReview((), (), MappingProxyType({}), MappingProxyType({}))


def read_self_review(curriculum_root: Path, locale_folders: dict[str, Path], fallback: str,
                     problems: Problems) -> SelfReview:
    """Read the framework and its words; every problem is reported against its file."""
    path = curriculum_root / "self_review.yaml"
    if not path.exists():
        return EMPTY_SELF_REVIEW
    data = read_yaml(path, problems)
    groups: list[str] = []
    aspects: list[Aspect] = []
    if not isinstance(data, dict) or not isinstance(data.get("groups"), list):
        problems.add(path, "must hold a list under 'groups'")
        return EMPTY_SELF_REVIEW
    for group in data["groups"]:
        if not isinstance(group, dict) or not check_keys(path, "group", group, {"id", "aspects"}, set(), problems):
            continue
        groups.append(str(group["id"]))
        for item in group["aspects"] or []:
            if not isinstance(item, dict) or not check_keys(path, f"group '{group['id']}'", item, {"id"},
                                                              {"evidence"}, problems):
                continue
            if item.get("evidence") is not None and item["evidence"] not in KNOWN_DRAFTERS:
                problems.add(path, f"aspect '{item['id']}': unknown evidence drafter '{item['evidence']}' "
                                   f"(one of {', '.join(sorted(KNOWN_DRAFTERS))})")
            if any(aspect.id == item["id"] for aspect in aspects):
                problems.add(path, f"duplicate aspect id '{item['id']}'")
                continue
            aspects.append(Aspect(str(item["id"]), str(group["id"]), item.get("evidence"), len(aspects)))
    group_titles: dict[str, MappingProxyType[str, str]] = {}
    words: dict[str, MappingProxyType[str, AspectWords]] = {}
    for locale, folder in locale_folders.items():
        words_path = folder / "self_review.yaml"
        if not words_path.exists():
            if locale == fallback:
                problems.add(words_path, "missing: the words of the self-review in the fallback locale")
            continue
        titles, found = _read_words(words_path, groups, aspects, locale == fallback, problems)
        group_titles[locale], words[locale] = MappingProxyType(titles), MappingProxyType(found)
    return SelfReview(tuple(groups), tuple(aspects), MappingProxyType(group_titles), MappingProxyType(words))


def _read_words(path: Path, groups: list[str], aspects: list[Aspect], complete: bool,
                problems: Problems) -> tuple[dict[str, str], dict[str, AspectWords]]:
    data = read_yaml(path, problems)
    if not isinstance(data, dict):
        problems.add(path, "must be a mapping with 'groups' and 'aspects'")
        return {}, {}
    titles = {str(k): str(v) for k, v in (data.get("groups") or {}).items()}
    found: dict[str, AspectWords] = {}
    known = {aspect.id for aspect in aspects}
    for aspect_id, item in (data.get("aspects") or {}).items():
        if aspect_id not in known:
            problems.add(path, f"aspect '{aspect_id}' is not in curriculum/self_review.yaml")
            continue
        if not isinstance(item, dict) or not check_keys(path, f"aspect '{aspect_id}'", item,
                                                          {"title", "question", "levels"}, set(), problems):
            continue
        levels = item["levels"] if isinstance(item["levels"], dict) else {}
        if sorted(levels) != list(LEVELS):
            problems.add(path, f"aspect '{aspect_id}': levels must be exactly 1, 2, 3, 4 and 5")
            continue
        found[aspect_id] = AspectWords(str(item["title"]), str(item["question"]),
                                       MappingProxyType({int(k): str(v) for k, v in levels.items()}))
    if complete:
        for aspect in aspects:
            if aspect.id not in found:
                problems.add(path, f"aspect '{aspect.id}': missing its title, question and levels")
        for group in groups:
            if group not in titles:
                problems.add(path, f"group '{group}': missing its title")
    return titles, found


def read_audit_settings(curriculum_root: Path, known: dict[str, set[str]], problems: Problems) -> MappingProxyType[
        str, str]:
    """``curriculum/audit.yaml``: which module, agreement or audience each audit figure reports on."""
    path = curriculum_root / "audit.yaml"
    if not path.exists():
        return MappingProxyType({})
    data: Any = read_yaml(path, problems)
    if not isinstance(data, dict):
        problems.add(path, "must be a mapping of setting to id")
        return MappingProxyType({})
    check_keys(path, "audit settings", data, set(), set(AUDIT_SETTINGS), problems)
    settings: dict[str, str] = {}
    for key, kind in AUDIT_SETTINGS.items():
        value = data.get(key)
        if value is None:
            continue
        if value not in known[kind]:
            problems.add(path, f"{key}: there is no {kind} '{value}' in the curriculum")
            continue
        settings[key] = str(value)
    return MappingProxyType(settings)
