"""The Records dashboard: figures per group at the current drill-down level, and the people behind them.

Levels: schools (a trust) -> audiences -> year groups (pupils) -> classes -> modules -> people.
Adults go from their audience straight to its modules. Every figure is a ``GROUP BY`` over the
same rows the CSV export streams (:mod:`eduplatform.reports.rows`): four queries per page,
whatever the number of people.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import CompoundSelect, String, Subquery, cast, func, literal, null, select, union_all

from eduplatform.accounts.models import User
from eduplatform.db import db
from eduplatform.i18n import _
from eduplatform.records.programme import is_pupil_audience
from eduplatform.reports import rows as records
from eduplatform.reports.scope import Scope, plan_for_whole_populations
from eduplatform.schools.models import SchoolClass, year_group_label

PAGE_SIZE = 100


@dataclass
class GroupFigures:
    """One row of the dashboard: a group and its figures."""

    key: Any
    label: str
    people: int = 0
    modules: int = 0
    #: Person x module rows per state (completed, overdue, in_progress, not_started).
    states: dict[str, int] = field(default_factory=lambda: dict.fromkeys(records.COMPLETION_STATES, 0))
    #: People in the group who owe an agreement, and how many of them signed this year's text.
    agreement_people: int = 0
    agreement_signed: int = 0

    @property
    def required(self) -> int:
        return sum(self.states.values())

    @property
    def percent_complete(self) -> int | None:
        return round(100 * self.states["completed"] / self.required) if self.required else None


@dataclass
class Dashboard:
    level: str
    groups: list[GroupFigures]
    total: GroupFigures
    #: At the people level: one row per person x module, with names.
    people_rows: list[Any] = field(default_factory=list)
    people_total: int = 0
    page: int = 1


def level_for(scope: Scope, filters: records.Filters) -> str:
    """Which dimension the page groups by, from the filters chosen so far."""
    if len(scope.schools) > 1 and filters.school_id is None:
        return "school"
    if filters.audience is None:
        return "audience"
    if filters.module is not None:
        return "people"
    if filters.class_id is not None:
        return "module"
    if filters.year_group is not None:
        return "class"
    audience = scope.any_programme().audience(filters.audience)
    return "year_group" if audience is not None and is_pupil_audience(audience) else "module"


_DIMENSION = {"school": "school_id", "audience": "audience_id", "year_group": "year_group", "class": "class_id",
              "module": "module_id"}


def build_dashboard(scope: Scope, filters: records.Filters, current_start_year: int, labels: dict[str, Any],
                    page: int = 1) -> Dashboard:
    """The figures of one dashboard page (four queries), or its people rows at the last level."""
    plan_for_whole_populations()
    level = level_for(scope, filters)
    if level == "people":
        return _people_page(scope, filters, current_start_year, page)
    dimension = _DIMENSION[level]
    groups: dict[Any, GroupFigures] = {}
    total = GroupFigures(key=None, label="")

    def group(key: Any) -> GroupFigures:
        if key not in groups:
            groups[key] = GroupFigures(key=key, label=_label(level, key, labels))
        return groups[key]

    for part, key, state, first, second in db.session.execute(
            _completion_figures(records.completion_rows(scope, filters.without("status"), current_start_year,
                                                        states_only=True), dimension)):
        if part == "state":
            group(key).states[state] += first
            total.states[state] += first
        elif part == "group":
            group(key).people, group(key).modules = first, second
        else:
            total.people, total.modules = first, second
    if level != "module":
        agreements = records.agreement_rows(scope, filters.without("status", "module"), current_start_year,
                                            states_only=True)
        for key, state, _rows, people in db.session.execute(records.count_by(agreements, dimension)):
            group(key).agreement_people += people
            total.agreement_people += people
            if state == "signed":
                group(key).agreement_signed += people
                total.agreement_signed += people
    ordered = sorted(groups.values(), key=lambda g: _order(level, g, labels))
    return Dashboard(level=level, groups=ordered, total=total)


def _completion_figures(completions: Subquery, dimension: str) -> CompoundSelect:
    """The completion figures of a page in one statement: the rows are worked out once (a CTE, which
    SQLite and PostgreSQL materialise when it is read more than once) and grouped three ways.

    Rows (part, key, status, first, second): ``state`` - rows per group and state (first); ``group`` -
    people (first) and modules (second) per group; ``total`` - people and modules over all groups.
    """
    rows = completions.element.cte("completion")
    key = rows.c[dimension]
    no_key, no_status = cast(null(), key.type), cast(null(), String())
    people, modules = func.count(func.distinct(rows.c.user_id)), func.count(func.distinct(rows.c.module_id))
    return union_all(
        select(literal("state", String()), key, rows.c.status, func.count(), func.count()).group_by(key, rows.c.status),
        select(literal("group", String()), key, no_status, people, modules).group_by(key),
        select(literal("total", String()), no_key, no_status, people, modules),
    )


def _people_page(scope: Scope, filters: records.Filters, current_start_year: int, page: int) -> Dashboard:
    rows = records.completion_rows(scope, filters, current_start_year)
    total_rows = db.session.scalar(select(func.count()).select_from(rows)) or 0
    found = db.session.execute(
        select(rows, User.first_name, User.last_name, User.username, SchoolClass.name.label("class_name"))
        .join(User, User.id == rows.c.user_id).outerjoin(SchoolClass, SchoolClass.id == rows.c.class_id)
        .order_by(User.last_name, User.first_name, User.id).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return Dashboard(level="people", groups=[], total=GroupFigures(key=None, label=""), people_rows=list(found),
                     people_total=total_rows, page=page)


def _label(level: str, key: Any, labels: dict[str, Any]) -> str:
    if level == "year_group":
        return str(_("Year %(year)s", year=year_group_label(key))) if key is not None else ""
    return str(labels.get(level, {}).get(key, key if key is not None else ""))


def _order(level: str, group: GroupFigures, labels: dict[str, Any]) -> tuple[Any, ...]:
    position = labels.get(f"{level}_order", {}).get(group.key)
    if level == "year_group":
        return (group.key if group.key is not None else 99,)
    return (position if position is not None else 10_000, group.label)
