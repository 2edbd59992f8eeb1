"""Consent returns: per class and consent item, how many pupils' parents said yes, no, or nothing yet.

Counted in SQL (GROUP BY), three queries however many classes and pupils.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import User
from eduplatform.classroom.consent_register import decided_items
from eduplatform.classroom.queries import ConsentColumn
from eduplatform.db import db
from eduplatform.schools.models import ClassMember, SchoolClass


@dataclass(frozen=True)
class ItemReturns:
    yes: int
    no: int
    pupils: int

    @property
    def not_answered(self) -> int:
        return self.pupils - self.yes - self.no

    @property
    def answered_percent(self) -> int | None:
        """The share of pupils with an answer, rounded down (None for an empty class)."""
        return (self.yes + self.no) * 100 // self.pupils if self.pupils else None


@dataclass(frozen=True)
class ClassReturns:
    school_class: SchoolClass
    pupils: int
    #: One entry per consent item, in the items' order.
    items: list[ItemReturns]


def _current_members(school_id: int, year: AcademicYear) -> Any:
    """(class id, pupil id) of the current pupils of the school's classes in ``year``."""
    return (select(ClassMember.class_id, ClassMember.user_id)
            .join(SchoolClass, SchoolClass.id == ClassMember.class_id)
            .join(User, User.id == ClassMember.user_id)
            .where(SchoolClass.school_id == school_id, SchoolClass.academic_year == year.start_year,
                   User.left_at.is_(None), User.disabled_at.is_(None)))


def consent_returns(actor: Any, school_id: int, year: AcademicYear,
                    items: tuple[ConsentColumn, ...]) -> list[ClassReturns]:
    """Every class of the school in ``year``, youngest first, with its counts per consent item."""
    classes = list(db.session.scalars(select(SchoolClass).where(
        SchoolClass.school_id == school_id, SchoolClass.academic_year == year.start_year)
        .order_by(SchoolClass.year_group, SchoolClass.name, SchoolClass.id)))
    if not classes:
        return []
    members = _current_members(school_id, year).subquery("members")
    sizes = dict(db.session.execute(select(members.c.class_id, func.count()).group_by(members.c.class_id)).all())
    counts: dict[int, dict[tuple[str, str], tuple[int, int]]] = defaultdict(dict)
    if items:
        decided = decided_items(actor, select(members.c.user_id), items, year).subquery("decided")
        rows = db.session.execute(
            select(members.c.class_id, decided.c.agreement_id, decided.c.consent_id,
                   func.sum(case((decided.c.lowest == 1, 1), else_=0)),
                   func.sum(case((decided.c.lowest == 0, 1), else_=0)))
            .join(decided, decided.c.child_id == members.c.user_id)
            .group_by(members.c.class_id, decided.c.agreement_id, decided.c.consent_id))
        for class_id, agreement_id, consent_id, yes, no in rows:
            counts[class_id][(agreement_id, consent_id)] = (int(yes or 0), int(no or 0))
    result = []
    for school_class in classes:
        pupils = sizes.get(school_class.id, 0)
        found = counts[school_class.id]
        result.append(ClassReturns(school_class, pupils, [
            ItemReturns(*found.get((item.agreement_id, item.consent_id), (0, 0)), pupils=pupils) for item in items]))
    return result
