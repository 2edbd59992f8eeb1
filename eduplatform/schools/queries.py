"""Reading schools and classes: the one query for "the pupils of a class"."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from eduplatform.accounts.models import User
from eduplatform.db import db
from eduplatform.schools.models import ClassMember, SchoolClass


def current_pupils_query(class_id: int) -> Select[tuple[User]]:
    """The class's current pupils (not left, not disabled), by first name, as a query to refine.

    The one definition of "the pupils of a class": the class grid, attendance, login cards, the
    picture sign-in page and the access rules all start from it.
    """
    return (select(User).join(ClassMember, ClassMember.user_id == User.id)
            .where(ClassMember.class_id == class_id, User.left_at.is_(None), User.disabled_at.is_(None))
            .order_by(User.first_name, User.last_name, User.id))


def pupils_of(school_class: SchoolClass) -> list[User]:
    """The class's current pupils, by first name (see :func:`current_pupils_query`), with their roles
    read in the same query (pages show pupils by :attr:`User.display_name`, which needs them)."""
    query = current_pupils_query(school_class.id).options(joinedload(User.role_rows))
    return list(db.session.scalars(query).unique())
