"""Reading the records for oversight: figures per module and audience across the actor's scope.

Every query takes the actor and filters with :func:`eduplatform.access.visible_users`, so a report
can never show more than the pages behind it. Figures are aggregated in the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select

from eduplatform.academic_year import AcademicYear
from eduplatform.access import visible_users
from eduplatform.accounts.models import User, UserRole
from eduplatform.catalogue.model import Catalogue
from eduplatform.db import db
from eduplatform.records.models import CompletionStatus, ModuleCompletion


@dataclass(frozen=True)
class ModuleProgressRow:
    module_id: str
    completed: int
    in_progress: int
    learners: int


def school_progress(actor: Any, catalogue: Catalogue, year: AcademicYear) -> list[ModuleProgressRow]:
    """Per module: how many people in the actor's scope have completed it or are under way this year.

    Two aggregate queries (GROUP BY in the database), whatever the number of people.
    """
    in_scope = select(User.id).where(visible_users(actor), User.left_at.is_(None))
    counts = db.session.execute(
        select(
            ModuleCompletion.module_id,
            func.sum(case((ModuleCompletion.status == CompletionStatus.COMPLETED, 1), else_=0)),
            func.sum(case((ModuleCompletion.status == CompletionStatus.IN_PROGRESS, 1), else_=0)),
        )
        .where(ModuleCompletion.user_id.in_(in_scope), ModuleCompletion.academic_year == year.start_year)
        .group_by(ModuleCompletion.module_id)
    ).all()
    by_module = {module_id: (int(done or 0), int(going or 0)) for module_id, done, going in counts}

    # Learners per audience: pupils by year group, adults by role.
    by_year = dict(db.session.execute(
        select(User.year_group, func.count(func.distinct(User.id)))
        .join(UserRole, UserRole.user_id == User.id)
        .where(User.id.in_(in_scope), UserRole.role == "pupil").group_by(User.year_group)).all())
    # One query per adult audience (a handful), counting each person once even with two roles.
    by_adult_audience = {
        audience.id: db.session.scalar(
            select(func.count(func.distinct(UserRole.user_id)))
            .where(UserRole.user_id.in_(in_scope), UserRole.role.in_(sorted(audience.roles)))) or 0
        for audience in catalogue.audiences.values() if audience.roles
    }
    rows = []
    for module in catalogue.modules.values():
        audience = catalogue.audiences[module.audience]
        learners = (sum(by_year.get(y, 0) for y in audience.year_groups)
                    + by_adult_audience.get(audience.id, 0))
        done, going = by_module.get(module.id, (0, 0))
        rows.append(ModuleProgressRow(module.id, done, going, learners))
    return rows
