"""Who may import a roster, past imports, and the classes whose login cards are waiting to be printed."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import User
from eduplatform.db import db
from eduplatform.roster.models import RosterImport
from eduplatform.schools.models import ClassMember, SchoolClass


def recent_imports(school_id: int, limit: int = 5) -> list[RosterImport]:
    """The school's latest applied imports, newest first."""
    return list(db.session.scalars(select(RosterImport).where(RosterImport.school_id == school_id)
                                   .order_by(RosterImport.imported_at.desc(), RosterImport.id.desc()).limit(limit)))


def importer_names(imports: list[RosterImport]) -> dict[int, str]:
    """Who ran each of these imports (user id -> full name), in one query."""
    ids = {record.imported_by_id for record in imports if record.imported_by_id is not None}
    if not ids:
        return {}
    return {user.id: user.full_name for user in db.session.scalars(select(User).where(User.id.in_(ids)))}


@dataclass(frozen=True)
class ClassCards:
    school_class: SchoolClass
    pupils: int
    #: Pupils whose card still opens their account (a first password or pictures not yet replaced).
    cards: int


def classes_with_cards(school_id: int, year: AcademicYear) -> list[ClassCards]:
    """The school's classes of ``year`` that have pupils with a login card to print, by name."""
    rows = db.session.execute(
        select(SchoolClass, func.count(User.id), func.count(User.card_secret))
        .join(ClassMember, ClassMember.class_id == SchoolClass.id)
        .join(User, User.id == ClassMember.user_id)
        .where(SchoolClass.school_id == school_id, SchoolClass.academic_year == year.start_year,
               User.left_at.is_(None))
        .group_by(SchoolClass.id).order_by(SchoolClass.name))
    return [ClassCards(school_class, pupils, cards) for school_class, pupils, cards in rows if cards]


def adults_with_cards(school_id: int) -> list[User]:
    """Adults of the school whose first password has not been replaced yet: their cards can be printed."""
    return list(db.session.scalars(
        select(User).where(User.school_id == school_id, User.card_secret.is_not(None), User.year_group.is_(None),
                           User.left_at.is_(None))
        .order_by(User.last_name, User.first_name, User.id)))
