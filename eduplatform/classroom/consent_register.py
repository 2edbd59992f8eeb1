"""The consent register: which pupils may appear or take part, for each consent item parents choose.

Each parent's newest decision on an item counts for that parent (a later "no" is a withdrawal). When
a child's parents disagree, "no" wins and the register says the parents disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select

from eduplatform.academic_year import AcademicYear
from eduplatform.access import visible_records
from eduplatform.accounts.models import User
from eduplatform.catalogue.model import Catalogue
from eduplatform.classroom.queries import ConsentColumn
from eduplatform.db import db
from eduplatform.records.models import ConsentDecision


class ConsentState(StrEnum):
    YES = "yes"
    NO = "no"
    NOT_ANSWERED = "not_answered"


def consent_items(catalogue: Catalogue, locale: str) -> tuple[ConsentColumn, ...]:
    """Every consent item of every agreement (the items parents choose), in agreement order."""
    items = []
    for agreement in catalogue.agreements.values():
        for consent in catalogue.agreement_content(agreement.id, locale).consents:
            label = catalogue.label("consents", consent.id, locale)
            items.append(ConsentColumn(agreement.id, consent.id, consent.text if label == consent.id else label,
                                       consent.text))
    return tuple(items)


def decided_items(actor: Any, children: Any, items: Iterable[ConsentColumn], year: AcademicYear) -> Select[Any]:
    """Per child and item someone decided on: ``lowest`` and ``highest`` of the parents' newest choices
    (1 yes, 0 no). ``lowest`` 0 means "no"; ``lowest`` 0 with ``highest`` 1 means the parents disagree.

    ``children`` is a list of ids or a select of ids; only children the actor may see in ``year`` count.
    """
    cd = ConsentDecision
    newest = func.row_number().over(partition_by=(cd.child_id, cd.parent_id, cd.agreement_id, cd.consent_id),
                                    order_by=(cd.decided_at.desc(), cd.id.desc())).label("newest")
    wanted = or_(*(and_(cd.agreement_id == item.agreement_id, cd.consent_id == item.consent_id) for item in items))
    per_parent = (select(cd.child_id, cd.agreement_id, cd.consent_id, cd.given, newest)
                  .where(cd.child_id.in_(children), wanted, visible_records(actor, cd.child_id, year))
                  .subquery("per_parent"))
    given = case((per_parent.c.given, 1), else_=0)
    return (select(per_parent.c.child_id, per_parent.c.agreement_id, per_parent.c.consent_id,
                   func.min(given).label("lowest"), func.max(given).label("highest"))
            .where(per_parent.c.newest == 1)
            .group_by(per_parent.c.child_id, per_parent.c.agreement_id, per_parent.c.consent_id))


@dataclass(frozen=True)
class RegisterPupil:
    first_name: str
    initial: str
    #: "No" because one parent said yes and another no.
    parents_disagree: bool = False

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.initial}".strip()


@dataclass(frozen=True)
class RegisterItem:
    """One consent item of a class's register: its pupils in three lists, by name."""

    item: ConsentColumn
    yes: list[RegisterPupil]
    no: list[RegisterPupil]
    not_answered: list[RegisterPupil]


@dataclass(frozen=True)
class PupilChoices:
    """One pupil's row of the register: their state on each item, in the items' order."""

    first_name: str
    initial: str
    states: list[ConsentState]


def initial_of(last_name: str) -> str:
    return f"{last_name[:1].upper()}." if last_name else ""


def _choices(actor: Any, pupils: list[User], items: tuple[ConsentColumn, ...],
             year: AcademicYear) -> dict[tuple[int, str, str], tuple[int, int]]:
    if not pupils or not items:
        return {}
    rows = db.session.execute(decided_items(actor, [pupil.id for pupil in pupils], items, year))
    return {(child_id, agreement_id, consent_id): (int(lowest), int(highest))
            for child_id, agreement_id, consent_id, lowest, highest in rows}


def _state(found: tuple[int, int] | None) -> ConsentState:
    if found is None:
        return ConsentState.NOT_ANSWERED
    return ConsentState.YES if found[0] == 1 else ConsentState.NO


def _by_name(pupils: list[User]) -> list[User]:
    return sorted(pupils, key=lambda pupil: (pupil.first_name.casefold(), pupil.last_name.casefold(), pupil.id))


def class_register(actor: Any, pupils: list[User], items: tuple[ConsentColumn, ...],
                   year: AcademicYear) -> list[RegisterItem]:
    """The register of a class: per item, who may appear, who may not, who is not answered (one query)."""
    found = _choices(actor, pupils, items, year)
    register = []
    for item in items:
        lists: dict[ConsentState, list[RegisterPupil]] = {state: [] for state in ConsentState}
        for pupil in _by_name(pupils):
            choice = found.get((pupil.id, item.agreement_id, item.consent_id))
            lists[_state(choice)].append(RegisterPupil(
                pupil.first_name, initial_of(pupil.last_name), parents_disagree=choice == (0, 1)))
        register.append(RegisterItem(item, lists[ConsentState.YES], lists[ConsentState.NO],
                                     lists[ConsentState.NOT_ANSWERED]))
    return register


def class_choices(actor: Any, pupils: list[User], items: tuple[ConsentColumn, ...],
                  year: AcademicYear) -> list[PupilChoices]:
    """One row per pupil, by name, with their state on each item (one query): the register as a table."""
    found = _choices(actor, pupils, items, year)
    return [PupilChoices(pupil.first_name, initial_of(pupil.last_name),
                         [_state(found.get((pupil.id, item.agreement_id, item.consent_id))) for item in items])
            for pupil in _by_name(pupils)]
