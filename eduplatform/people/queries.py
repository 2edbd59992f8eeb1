"""Lists of people, always filtered by :func:`eduplatform.access.visible_users`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, or_, select

from eduplatform.access import visible_users
from eduplatform.accounts.models import User, UserRole
from eduplatform.roles import Role

PAGE_SIZE = 50


def people_in_scope(actor: Any, search: str = "", role: Role | None = None) -> Select[tuple[User]]:
    """People the actor may see, optionally matching a name/username search and a role."""
    query = select(User).where(visible_users(actor))
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(or_(func.lower(User.first_name).like(pattern), func.lower(User.last_name).like(pattern),
                                User.username.like(pattern)))
    if role is not None:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    return query.order_by(User.last_name, User.first_name, User.id)


