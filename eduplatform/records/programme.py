"""The programme of an academic year: stored once per school and year, read by every report.

Reports for a past year must use that year's programme, not today's catalogue. So the first time
a record is written in a school's academic year (or when the coordinator starts the year), the
programme as it stands (module ids, audiences, terms, strands, content versions, titles) is stored
in :class:`ProgrammeSnapshot` and never changed. :func:`programme_for` returns the stored one, or,
for a year without one (nothing recorded yet), today's catalogue, saying so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from sqlalchemy import select

from eduplatform.academic_year import AcademicYear
from eduplatform.catalogue.model import Catalogue, Learners
from eduplatform.db import db
from eduplatform.records.models import ProgrammeSnapshot

#: Bumped when the shape of a snapshot's JSON changes (readers accept every version up to it).
SNAPSHOT_FORMAT = 1
FIRST_RECORD = "first_record"
STARTED_BY_COORDINATOR = "started"


@dataclass(frozen=True)
class ProgrammeModule:
    id: str
    audience: str
    term: str | None
    strands: tuple[str, ...]
    has_quiz: bool
    agreement_id: str | None
    renewal_months: int
    #: Version (hash) of each lesson and of the quiz, in the fallback locale.
    lesson_versions: tuple[str, ...]
    quiz_version: str | None
    #: The title in the fallback locale, for years when the module has left the catalogue.
    title: str


@dataclass(frozen=True)
class ProgrammeAgreement:
    id: str
    audiences: frozenset[str]
    #: The version (hash) of the text in the fallback locale.
    version: str
    renewal_months: int
    title: str
    #: ``{locale: version}``: a signature counts when it signed one of these texts.
    versions: Mapping[str, str]
    #: Consent items parents decide separately (ids, in order).
    consents: tuple[str, ...]


@dataclass(frozen=True)
class ProgrammeAudience:
    id: str
    learners: str
    year_groups: frozenset[int]
    roles: frozenset[str]
    label: str


@dataclass(frozen=True)
class Programme:
    """One academic year's programme, as stored (or as today's catalogue when nothing is stored)."""

    year: AcademicYear
    modules: tuple[ProgrammeModule, ...]
    agreements: tuple[ProgrammeAgreement, ...]
    audiences: tuple[ProgrammeAudience, ...]
    strands: tuple[str, ...]
    #: True when read from a stored snapshot; False when built from today's catalogue.
    stored: bool

    def modules_for(self, audience_id: str) -> tuple[ProgrammeModule, ...]:
        return tuple(module for module in self.modules if module.audience == audience_id)

    def agreements_for(self, audience_id: str) -> tuple[ProgrammeAgreement, ...]:
        return tuple(agreement for agreement in self.agreements if audience_id in agreement.audiences)

    def module(self, module_id: str) -> ProgrammeModule | None:
        return next((module for module in self.modules if module.id == module_id), None)

    def audience(self, audience_id: str) -> ProgrammeAudience | None:
        return next((audience for audience in self.audiences if audience.id == audience_id), None)


def snapshot_of(catalogue: Catalogue) -> dict[str, Any]:
    """Today's programme as plain JSON data (what a :class:`ProgrammeSnapshot` stores)."""
    locale = catalogue.fallback_locale
    modules = []
    for module in catalogue.modules.values():
        content = catalogue.module_content(module.id, locale)
        term = catalogue.schedule.term_of.get(module.id)
        modules.append({
            "id": module.id, "audience": module.audience, "term": term.value if term else None,
            "strands": list(module.strands), "has_quiz": module.has_quiz, "agreement_id": module.agreement_id,
            "renewal_months": module.renewal_months,
            "lesson_versions": [lesson.version for lesson in content.lessons],
            "quiz_version": content.quiz.version if content.quiz else None, "title": content.title,
        })
    agreements = [{
        "id": agreement.id, "audiences": sorted(agreement.audiences),
        "version": catalogue.agreement_content(agreement.id, locale).version,
        "versions": {other: catalogue.agreement_content(agreement.id, other).version for other in catalogue.locales},
        "consents": [item.id for item in catalogue.agreement_content(agreement.id, locale).consents],
        "renewal_months": agreement.renewal_months, "title": catalogue.agreement_content(agreement.id, locale).title,
    } for agreement in catalogue.agreements.values()]
    audiences = [{
        "id": audience.id, "learners": audience.learners.value, "year_groups": sorted(audience.year_groups),
        "roles": sorted(audience.roles), "label": catalogue.label("audiences", audience.id, locale),
    } for audience in sorted(catalogue.audiences.values(), key=lambda a: a.order)]
    return {"format": SNAPSHOT_FORMAT, "modules": modules, "agreements": agreements, "audiences": audiences,
            "strands": list(catalogue.strands)}


def _programme_from(data: dict[str, Any], year: AcademicYear, stored: bool) -> Programme:
    return Programme(
        year=year, stored=stored, strands=tuple(data["strands"]),
        modules=tuple(ProgrammeModule(
            id=m["id"], audience=m["audience"], term=m["term"], strands=tuple(m["strands"]), has_quiz=m["has_quiz"],
            agreement_id=m["agreement_id"], renewal_months=m["renewal_months"],
            lesson_versions=tuple(m["lesson_versions"]), quiz_version=m["quiz_version"], title=m["title"],
        ) for m in data["modules"]),
        agreements=tuple(ProgrammeAgreement(
            id=a["id"], audiences=frozenset(a["audiences"]), version=a["version"],
            renewal_months=a["renewal_months"], title=a["title"],
            versions=MappingProxyType(dict(a.get("versions") or {"": a["version"]})),
            consents=tuple(a.get("consents", ()))) for a in data["agreements"]),
        audiences=tuple(ProgrammeAudience(
            id=a["id"], learners=a["learners"], year_groups=frozenset(a["year_groups"]), roles=frozenset(a["roles"]),
            label=a["label"]) for a in data["audiences"]),
    )


def ensure_programme_snapshot(school_id: int, year: AcademicYear, catalogue: Catalogue, *,
                              reason: str = FIRST_RECORD, taken_by_id: int | None = None) -> ProgrammeSnapshot:
    """Store the school's programme for ``year`` unless it is stored already; return the stored one.

    Safe under concurrent first records: the unique (school, year) constraint lets exactly one
    insert win, and the others read the winner. Callers: the records services (the first record of
    a year) and the coordinator's "start the year" (CLI and web).
    """
    existing = _snapshot(school_id, year)
    if existing is not None:
        return existing
    snapshot = ProgrammeSnapshot(school_id=school_id, academic_year=year.start_year, content=snapshot_of(catalogue),
                                 reason=reason, taken_by_id=taken_by_id)
    return db.insert_unless_raced(snapshot, lambda: _snapshot(school_id, year))[0]


def _snapshot(school_id: int, year: AcademicYear) -> ProgrammeSnapshot | None:
    return db.session.scalar(select(ProgrammeSnapshot).where(
        ProgrammeSnapshot.school_id == school_id, ProgrammeSnapshot.academic_year == year.start_year))


def programme_for(school_id: int | None, year: AcademicYear, catalogue: Catalogue) -> Programme:
    """The programme reports use for the school's ``year``: the stored snapshot, else today's catalogue."""
    snapshot = _snapshot(school_id, year) if school_id is not None else None
    if snapshot is not None:
        return _programme_from(snapshot.content, year, stored=True)
    return _programme_from(snapshot_of(catalogue), year, stored=False)


def programmes_for(school_ids: list[int], year: AcademicYear, catalogue: Catalogue) -> dict[int, Programme]:
    """:func:`programme_for` of several schools at once (one query however many schools)."""
    stored = {row.school_id: row for row in db.session.scalars(select(ProgrammeSnapshot).where(
        ProgrammeSnapshot.school_id.in_(school_ids), ProgrammeSnapshot.academic_year == year.start_year))}
    today = None
    found: dict[int, Programme] = {}
    for school_id in school_ids:
        if school_id in stored:
            found[school_id] = _programme_from(stored[school_id].content, year, stored=True)
        else:
            today = today or _programme_from(snapshot_of(catalogue), year, stored=False)
            found[school_id] = today
    return found


def is_pupil_audience(audience: ProgrammeAudience) -> bool:
    return audience.learners == Learners.PUPILS.value
