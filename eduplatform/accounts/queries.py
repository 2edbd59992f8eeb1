"""Reading people's accounts and links: a parent's children."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from eduplatform.accounts.models import ParentLink, User
from eduplatform.db import db


def children_of(parent: Any) -> list[User]:
    """The parent's linked children who are still at the school, by first name."""
    return list(db.session.scalars(
        select(User).join(ParentLink, ParentLink.child_id == User.id)
        .where(ParentLink.parent_id == parent.id, User.left_at.is_(None))
        .order_by(User.first_name, User.id)))
