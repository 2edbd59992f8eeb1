"""Which parents' workshops a parent is offered: those for their children's ages.

Each workshop names the year groups it is for (``child_year_groups`` in curriculum/modules). A
parent is offered the workshops for their linked children's year groups, marked so; the others stay
open to them, listed apart. A parent with no linked children (or none with a year group) is offered
every workshop. Modules that name no year groups are always offered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from eduplatform.accounts.queries import children_of
from eduplatform.catalogue.model import Module
from eduplatform.roles import Role


@dataclass(frozen=True)
class WorkshopOffer:
    #: The modules to show first, in programme order (every module that is not a parents' workshop too).
    offered: tuple[Module, ...]
    #: Workshops for other ages: still open to the parent, listed apart.
    others: tuple[Module, ...]
    #: Ids of the offered workshops chosen for the children's year groups (marked "for your child's age").
    for_age: frozenset[str]


def split_for_children(modules: Iterable[Module], year_groups: frozenset[int]) -> WorkshopOffer:
    """Split ``modules`` by whether they suit children in ``year_groups`` (a pure function)."""
    modules = tuple(modules)
    offered = tuple(module for module in modules if module.suits_children_in(year_groups))
    chosen = frozenset(module.id for module in offered if module.child_year_groups and year_groups)
    return WorkshopOffer(offered, tuple(module for module in modules if module not in offered), chosen)


def workshop_offer(user: Any, modules: Iterable[Module]) -> WorkshopOffer:
    """:func:`split_for_children` for the user's own linked children (one query, for parents only)."""
    modules = tuple(modules)
    if Role.PARENT not in user.roles or not any(module.child_year_groups for module in modules):
        return WorkshopOffer(modules, (), frozenset())
    year_groups = frozenset(child.year_group for child in children_of(user) if child.year_group is not None)
    return split_for_children(modules, year_groups)
