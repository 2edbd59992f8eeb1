"""Reading a teacher's classes and the modules and agreements taught in them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from eduplatform.academic_year import AcademicYear
from eduplatform.access import visible_classes
from eduplatform.catalogue.model import Agreement, Catalogue, Module
from eduplatform.db import db
from eduplatform.schools.models import SchoolClass


def classes_in_scope(actor: Any, year: AcademicYear) -> list[SchoolClass]:
    """The classes the actor teaches or oversees in ``year``, youngest first."""
    return list(db.session.scalars(select(SchoolClass).where(visible_classes(actor, year))
                                   .order_by(SchoolClass.year_group, SchoolClass.name)))


def class_modules(audience_ids: frozenset[str], catalogue: Catalogue) -> tuple[Module, ...]:
    return catalogue.modules_for(audience_ids)


def class_agreements(audience_ids: frozenset[str], catalogue: Catalogue) -> tuple[Agreement, ...]:
    return catalogue.agreements_for(audience_ids)
