"""Reading a teacher's classes and the modules and agreements taught in them."""

from __future__ import annotations

from dataclasses import dataclass
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
    """The class's modules in the order its pupils see them on their dashboards."""
    return catalogue.in_term_order(catalogue.modules_for(audience_ids))


def class_agreements(audience_ids: frozenset[str], catalogue: Catalogue) -> tuple[Agreement, ...]:
    return catalogue.agreements_for(audience_ids)


@dataclass(frozen=True)
class ConsentColumn:
    """A consent item shown as a column of the class grid."""

    agreement_id: str
    consent_id: str
    #: The short heading (``consents`` in the locale's labels.yaml), else the item's full text.
    label: str
    #: What the parents agreed to, in full.
    text: str


def photo_consent_columns(catalogue: Catalogue, locale: str) -> tuple[ConsentColumn, ...]:
    """The consent items about photos (``photo_consents`` in curriculum/agreements.yaml), in order."""
    columns = []
    for agreement_id, consent_id in catalogue.photo_consent_items():
        content = catalogue.agreement_content(agreement_id, locale)
        text = next((c.text for c in content.consents if c.id == consent_id), consent_id)
        label = catalogue.label("consents", consent_id, locale)
        columns.append(ConsentColumn(agreement_id, consent_id, text if label == consent_id else label, text))
    return tuple(columns)
