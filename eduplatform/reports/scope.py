"""Whose records a report covers: one school, or several (a trust), and as seen by whom.

A :class:`Scope` is built once per page or command and handed to every query, which then applies
both its schools and, for a signed-in person, :func:`eduplatform.access.visible_users`, so a report
never shows more than the pages behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, select, text

from eduplatform.academic_year import AcademicYear, local_date
from eduplatform.access import sees_everyone_in, visible_users
from eduplatform.accounts.models import User
from eduplatform.catalogue.model import Catalogue
from eduplatform.db import db, utcnow
from eduplatform.records.programme import Programme, programmes_for
from eduplatform.schools.models import School, Trust
from eduplatform.schools.years import time_zone_of


@dataclass(frozen=True)
class Scope:
    """The schools a report covers, the year, and the person looking (None: a command-line job)."""

    schools: tuple[School, ...]
    year: AcademicYear
    #: Each school's programme of ``year`` (see :mod:`eduplatform.records.programme`).
    programmes: dict[int, Programme]
    actor: Any = None
    #: The trust, when the report rolls several schools up.
    trust: Trust | None = None
    #: "Today" for deciding what is overdue: the last day of a past year, today for the current one.
    today: date = date.min
    #: Parts of the report's SQL built once for the scope and shared by its statements (the population).
    built: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def school_ids(self) -> list[int]:
        return [school.id for school in self.schools]

    @property
    def is_trust(self) -> bool:
        return self.trust is not None

    def file_label(self, school_id: int | None = None) -> str:
        """``<school or trust slug>-<year>`` for file names, e.g. ``oakfield-2026-27``."""
        if school_id is not None:
            place = next(school.slug for school in self.schools if school.id == school_id)
        elif len(self.schools) == 1:
            place = self.schools[0].slug
        else:
            place = self.trust.slug if self.trust else "all-schools"
        return f"{place}-{self.year.label.replace('/', '-')}"

    def people_filter(self) -> ColumnElement[bool]:
        """A filter on :class:`User`: the scope's schools, and only people the actor may see.

        When the actor sees everyone in the scope's schools (:func:`eduplatform.access.sees_everyone_in`:
        a coordinator in their school, a trust lead in their trust's), the school column alone says
        it, so the report's SQL does not repeat the :func:`visible_users` subquery in every branch.
        """
        in_schools = User.school_id.in_(self.school_ids)
        if self.actor is None or sees_everyone_in(self.actor, self.schools):
            return in_schools
        return and_(in_schools, User.id.in_(select(User.id).where(visible_users(self.actor, self.year))))

    def programme(self, school_id: int) -> Programme:
        return self.programmes[school_id]

    def any_programme(self) -> Programme:
        """The first school's programme: labels and titles for a trust report (schools share a catalogue)."""
        return self.programmes[self.schools[0].id]


def build_scope(schools: list[School], year: AcademicYear, catalogue: Catalogue, *, actor: Any = None,
                trust: Trust | None = None) -> Scope:
    """A scope over ``schools`` for ``year``: loads their programmes of that year (one query)."""
    if not schools:
        raise ValueError("a report needs at least one school")
    zone = time_zone_of(schools[0])
    today = min(local_date(utcnow(), zone), year.last_day)
    return Scope(schools=tuple(schools), year=year, programmes=programmes_for([s.id for s in schools], year, catalogue),
                 actor=actor, trust=trust, today=today)


def trust_schools(trust: Trust) -> list[School]:
    return list(db.session.scalars(select(School).where(School.trust_id == trust.id).order_by(School.name)))


def plan_for_whole_populations(on: bool = True) -> None:
    """Tell PostgreSQL to plan this transaction's report queries for whole populations.

    The people of a report come from a union of computed branches (audience from year group,
    roles) whose size the planner cannot estimate: it guesses a few dozen rows and nests loops over
    tens of thousands of signatures or completions, taking minutes. Reports read whole schools,
    so hash and merge joins are always right; ``SET LOCAL`` ends with the transaction. ``on=False``
    gives the planner its usual choice back (queries that read one school's rows by index). Other
    databases plan these queries well and are left alone.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"SET LOCAL enable_nestloop = {'off' if on else 'on'}"))
