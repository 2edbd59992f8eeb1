"""Who must do what in a year: the people of each audience, and the modules and agreements they owe.

Everything here is SQL built once per report, whatever the number of people:

* :func:`population` - one row per (person, audience) for the year: pupils by the year group of
  their class that year (or their recorded year group moved back one per year when they had no
  class), adults by role. Someone counts in a year when their account existed before it ended and
  they had not left before it began.
* :func:`required_modules`, :func:`required_agreements`, :func:`agreement_versions`,
  :func:`consent_items` - each school's programme of the year as a small ``VALUES`` table to join.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CTE,
    Integer,
    String,
    Subquery,
    and_,
    case,
    cast,
    column,
    extract,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.selectable import Values
from sqlalchemy.sql.visitors import InternalTraversal

from eduplatform.accounts.models import User, UserRole
from eduplatform.records.completion import years_valid
from eduplatform.reports.scope import Scope
from eduplatform.schools.models import ClassMember, SchoolClass

#: The last day of each term: a module placed in a term is due by then (overdue after it).
TERM_ENDS = {"autumn": (0, 12, 31), "spring": (1, 3, 31), "summer": (1, 7, 31)}


def due_date(term: str | None, start_year: int) -> date:
    """When a module placed in ``term`` of the year starting ``start_year`` is due (no term: end of July)."""
    years_on, month, day = TERM_ENDS.get(term or "summer", TERM_ENDS["summer"])
    return date(start_year + years_on, month, day)


class _ConstantTable(Values):
    """``VALUES`` whose rows are part of its SQL cache key, so a report's statements are compiled once.

    SQLAlchemy never caches a plain ``VALUES`` with data: a Records page then spent more time
    compiling its two statements than running them. The rows are small, hashable constants from
    the programme, so the same programme's statement is found in the cache, its values included.
    """

    inherit_cache = True
    _cache_key_traversal = [(name, InternalTraversal.dp_plain_obj if name == "_data" else kind)
                            for name, kind in Values._traverse_internals]


def _values(name: str, columns: list[tuple[str, object]], rows: list[tuple[object, ...]]) -> CTE:
    """A small table of constants; an empty one still has its columns (and no rows)."""
    cols = [column(col_name, col_type) for col_name, col_type in columns]
    if not rows:  # VALUES needs a row: one that can never match
        rows = [tuple(None for _ in columns)]
    return _ConstantTable(*cols, name=name).data(tuple(tuple(row) for row in rows)).cte(name)


def required_modules(scope: Scope) -> CTE:
    """(school_id, audience_id, module_id, term, due, years_valid, position) of each school's programme."""
    rows = [(school_id, module.audience, module.id, module.term, due_date(module.term, scope.year.start_year)
             .isoformat(), years_valid(module.renewal_months), position)
            for school_id, programme in scope.programmes.items()
            for position, module in enumerate(programme.modules)]
    return _values("required_module", [("school_id", Integer()), ("audience_id", String()), ("module_id", String()),
                                       ("term", String()), ("due", String()), ("years_valid", Integer()),
                                       ("position", Integer())], rows)


def required_agreements(scope: Scope) -> CTE:
    """(school_id, audience_id, agreement_id, years_valid, position): the agreements each audience signs."""
    rows = [(school_id, audience_id, agreement.id, years_valid(agreement.renewal_months), position)
            for school_id, programme in scope.programmes.items()
            for position, agreement in enumerate(programme.agreements)
            for audience_id in sorted(agreement.audiences)]
    return _values("required_agreement", [("school_id", Integer()), ("audience_id", String()),
                                          ("agreement_id", String()), ("years_valid", Integer()),
                                          ("position", Integer())], rows)


def agreement_versions(scope: Scope) -> CTE:
    """(school_id, agreement_id, locale, version): the texts whose signature counts this year."""
    rows = [(school_id, agreement.id, locale, version)
            for school_id, programme in scope.programmes.items() for agreement in programme.agreements
            for locale, version in agreement.versions.items()]
    return _values("agreement_version", [("school_id", Integer()), ("agreement_id", String()),
                                         ("locale", String()), ("version", String())], rows)


def consent_items(scope: Scope) -> CTE:
    """(school_id, agreement_id, consent_id, position): consent items parents decide per child."""
    rows = [(school_id, agreement.id, consent_id, position)
            for school_id, programme in scope.programmes.items() for agreement in programme.agreements
            for position, consent_id in enumerate(agreement.consents)]
    return _values("consent_item", [("school_id", Integer()), ("agreement_id", String()),
                                    ("consent_id", String()), ("position", Integer())], rows)


def _present_in_year(scope: Scope) -> object:
    first_day = datetime.combine(scope.year.first_day, datetime.min.time())
    after_last_day = datetime.combine(scope.year.shifted(1).first_day, datetime.min.time())
    return and_(User.created_at < after_last_day, or_(User.left_at.is_(None), User.left_at >= first_day))


def _academic_start_year(moment: object) -> object:
    """The academic year (start year) of a stored timestamp, in SQL (September starts a year)."""
    return cast(extract("year", moment), Integer) - case((extract("month", moment) < 9, 1), else_=0)


def population(scope: Scope, current_start_year: int) -> Subquery:
    """One row per (person, audience) of the scope in its year: user_id, school_id, audience_id,
    year_group (pupils), class_id (pupils' class that year, if any).

    Schools whose programmes define the audiences alike (usually all of them) are read together:
    pupils get their audience from their year group with one ``CASE``, adults one branch per audience.
    Built once per scope (a page's completion and agreement statements share it).
    """
    key = ("population", current_start_year)
    if key not in scope.built:
        scope.built[key] = _population(scope, current_start_year)
    return scope.built[key]


def _population(scope: Scope, current_start_year: int) -> Subquery:
    year = scope.year.start_year
    year_class = (select(ClassMember.user_id, func.min(ClassMember.class_id).label("class_id"))
                  .join(SchoolClass, SchoolClass.id == ClassMember.class_id)
                  .where(SchoolClass.academic_year == year, SchoolClass.school_id.in_(scope.school_ids))
                  .group_by(ClassMember.user_id).subquery("year_class"))
    class_row = SchoolClass.__table__.alias("class_that_year")
    # Years moved back since the year asked for: from now for people still here, from their last year for leavers.
    years_since = case((User.left_at.is_(None), current_start_year - year),
                       else_=_academic_start_year(User.left_at) - year)
    year_group = cast(func.coalesce(class_row.c.year_group, User.year_group - years_since), Integer)
    branches = []
    for audiences, school_ids in _schools_by_audiences(scope).items():
        in_schools = User.school_id.in_(school_ids)
        pupil_audiences = [(audience_id, groups) for audience_id, learners, groups, _roles in audiences
                           if learners == "pupils" and groups]
        if pupil_audiences:
            audience_of = case(*((year_group.in_(sorted(groups)), literal(audience_id, String()))
                                 for audience_id, groups in pupil_audiences))
            pupils = (
                select(User.id.label("user_id"), User.school_id.label("school_id"),
                       audience_of.label("audience_id"), year_group.label("year_group"),
                       year_class.c.class_id.label("class_id"))
                .select_from(User)
                .join(UserRole, and_(UserRole.user_id == User.id, UserRole.role == "pupil"))
                .outerjoin(year_class, year_class.c.user_id == User.id)
                .outerjoin(class_row, class_row.c.id == year_class.c.class_id)
                .where(in_schools, scope.people_filter(), _present_in_year(scope), audience_of.is_not(None)))
            branches.append(pupils)
        # Adults: one branch for every adult audience, through a (role, audience) table; DISTINCT
        # keeps one row per person and audience when two of their roles lead to the same audience.
        role_audiences = sorted((role, audience_id) for audience_id, learners, _groups, roles in audiences
                                if learners != "pupils" for role in roles)
        if role_audiences:
            audience_of_role = _values(f"audience_of_role_{len(branches)}",
                                       [("role", String()), ("audience_id", String())], role_audiences)
            branches.append(
                select(User.id.label("user_id"), User.school_id.label("school_id"),
                       audience_of_role.c.audience_id.label("audience_id"),
                       cast(null(), Integer).label("year_group"), cast(null(), Integer).label("class_id"))
                .select_from(User)
                .join(UserRole, UserRole.user_id == User.id)
                .join(audience_of_role, audience_of_role.c.role == UserRole.role)
                .where(in_schools, scope.people_filter(), _present_in_year(scope))
                .distinct())
    return union_all(*branches).subquery("population")


def _schools_by_audiences(scope: Scope) -> dict[tuple[Any, ...], list[int]]:
    """The scope's schools grouped by how their programme of the year defines its audiences."""
    groups: dict[tuple[Any, ...], list[int]] = {}
    for school_id, programme in scope.programmes.items():
        key = tuple((a.id, a.learners, frozenset(a.year_groups), frozenset(a.roles)) for a in programme.audiences)
        groups.setdefault(key, []).append(school_id)
    return groups


def today_literal(scope: Scope) -> object:
    """The scope's "today" as an ISO date literal, comparable with the ``due`` column."""
    return literal(scope.today.isoformat(), String())


__all__ = ["agreement_versions", "consent_items", "due_date", "population", "required_agreements",
           "required_modules", "today_literal"]
