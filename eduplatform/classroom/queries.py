"""Reading a teacher's classes: their pupils, the audiences they belong to, the class grid."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from eduplatform.academic_year import AcademicYear
from eduplatform.access import visible_classes
from eduplatform.accounts.models import User
from eduplatform.catalogue.model import Agreement, Catalogue, Module
from eduplatform.db import db
from eduplatform.roles import Role
from eduplatform.schools.models import ClassMember, SchoolClass


def classes_in_scope(actor: Any, year: AcademicYear) -> list[SchoolClass]:
    """The classes the actor teaches or oversees this year, youngest first."""
    return list(db.session.scalars(select(SchoolClass).where(visible_classes(actor, year))
                                   .order_by(SchoolClass.year_group, SchoolClass.name)))


def pupils_of(school_class: SchoolClass) -> list[User]:
    """The class's pupils who have not left, by first name."""
    return list(db.session.scalars(
        select(User).join(ClassMember, ClassMember.user_id == User.id)
        .where(ClassMember.class_id == school_class.id, User.left_at.is_(None))
        .order_by(User.first_name, User.last_name, User.id)))


def class_audience_ids(pupils: list[User], school_class: SchoolClass, catalogue: Catalogue) -> frozenset[str]:
    """The audiences of the class's pupils (a mixed-age class may span two key stages)."""
    year_groups = {pupil.year_group for pupil in pupils} or {school_class.year_group}
    return frozenset(audience.id for year_group in year_groups
                     for audience in catalogue.audiences_for(frozenset({Role.PUPIL}), year_group))


def class_modules(audience_ids: frozenset[str], catalogue: Catalogue) -> tuple[Module, ...]:
    return catalogue.modules_for(audience_ids)


def class_agreements(audience_ids: frozenset[str], catalogue: Catalogue) -> tuple[Agreement, ...]:
    return catalogue.agreements_for(audience_ids)
