"""The audit's safeguarding sections: concerns reported (counts only) and the filtering and monitoring checks.

**Concerns**: how many were reported in the year, by category and by term (autumn, spring, summer,
by the school's calendar), this year beside last year. Counts only: no names, no words, nothing that
points at a person, so governors may read them in a signed audit. One ``GROUP BY`` query per year.

**Filtering and monitoring**: the checks and the changes to what is blocked or allowed recorded in
the year, the last check on or before the audit's day, and on how many days of the year (up to that
day) a check was in date (a check keeps the school in date for its interval, the due day included:
:mod:`eduplatform.concerns.filtering_queries`). One ``GROUP BY`` query per year. The interval is the
school's today: a school that changed it mid-year is measured against the one it has now.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select

from eduplatform.academic_year import DEFAULT_TIME_ZONE, zone
from eduplatform.catalogue.model import Term
from eduplatform.concerns.categories import category_ids
from eduplatform.concerns.filtering_queries import MAX_CHECK_DAYS
from eduplatform.concerns.models import Concern, FilteringKind, FilteringRecord
from eduplatform.db import db
from eduplatform.reports.audit import Figure
from eduplatform.reports.scope import Scope

#: Each term's months (September-December, January-March, April-August: :meth:`Term.containing`).
_TERM_STARTS = ((Term.AUTUMN, 0, 9), (Term.SPRING, 1, 1), (Term.SUMMER, 1, 4))


@dataclass
class FilteringTally:
    """One school's filtering and monitoring logs over one year."""

    checks: int = 0
    changes: int = 0
    #: The last check on or before the audit's day (looking back at most a year before the year began).
    last_check: date | None = None
    #: Days of the year up to the audit's day, and of them the days a check was in date.
    days: int = 0
    days_in_date: int = 0


@dataclass
class SafeguardingCounts:
    """The year's concerns and filtering logs, keyed by school first."""

    #: (school, category, term) -> concerns reported.
    concerns: dict[tuple[int, str, str], int] = field(default_factory=dict)
    #: school -> the filtering and monitoring logs' tally.
    filtering: dict[int, FilteringTally] = field(default_factory=dict)


def _stored(local: datetime, time_zone: str | None) -> datetime:
    """A school's wall-clock moment as a stored (naive UTC) timestamp."""
    return local.replace(tzinfo=zone(time_zone or DEFAULT_TIME_ZONE)).astimezone(UTC).replace(tzinfo=None)


def _term_spans(scope: Scope) -> list[tuple[int, Term, datetime, datetime]]:
    """Each school's three terms of the year as ``[start, end)`` stored (UTC) timestamps."""
    spans = []
    start_year = scope.year.start_year
    for school in scope.schools:
        bounds = [_stored(datetime(start_year + offset, month, 1), school.time_zone) for _term, offset, month in
                  _TERM_STARTS]
        bounds.append(_stored(datetime.combine(scope.year.last_day + timedelta(days=1), time.min), school.time_zone))
        spans += [(school.id, term, bounds[index], bounds[index + 1]) for index, (term, _o, _m) in
                  enumerate(_TERM_STARTS)]
    return spans


def count_concerns(scope: Scope) -> dict[tuple[int, str, str], int]:
    """``{(school_id, category, term): concerns}`` reported in ``scope``'s year (one query)."""
    spans = _term_spans(scope)
    term = case(*[(and_(Concern.school_id == school_id, Concern.reported_at >= start, Concern.reported_at < end),
                   term.value) for school_id, term, start, end in spans], else_=None).label("term")
    counted: ColumnElement[bool] = or_(*[and_(Concern.school_id == school_id, Concern.reported_at >= start,
                                              Concern.reported_at < end)
                                         for school_id, _term, start, end in spans]) if spans else false()
    found = {}
    for school_id, category, term_value, number in db.session.execute(
            select(Concern.school_id, Concern.category, term, func.count())
            .where(Concern.school_id.in_(scope.school_ids), counted)
            .group_by(Concern.school_id, Concern.category, term)):
        found[(school_id, category, term_value)] = number
    return found


def count_filtering(scope: Scope) -> dict[int, FilteringTally]:
    """``{school_id: FilteringTally}`` for every school of ``scope`` (one query)."""
    year, end = scope.year, scope.today
    since = year.first_day - timedelta(days=MAX_CHECK_DAYS)
    checks: dict[int, list[date]] = {school.id: [] for school in scope.schools}
    tallies = {school.id: FilteringTally() for school in scope.schools}
    for school_id, kind, done_on, number in db.session.execute(
            select(FilteringRecord.school_id, FilteringRecord.kind, FilteringRecord.done_on, func.count())
            .where(FilteringRecord.school_id.in_(scope.school_ids), FilteringRecord.done_on >= since,
                   FilteringRecord.done_on <= end)
            .group_by(FilteringRecord.school_id, FilteringRecord.kind, FilteringRecord.done_on)):
        in_year = done_on >= year.first_day
        if kind == FilteringKind.CHECK.value:
            checks[school_id].append(done_on)
            tallies[school_id].checks += number if in_year else 0
        elif in_year:
            tallies[school_id].changes += number
    for school in scope.schools:
        tally = tallies[school.id]
        tally.last_check = max(checks[school.id], default=None)
        tally.days, tally.days_in_date = days_in_date(checks[school.id], school.filtering_check_days, year.first_day,
                                                      end)
    return tallies


def days_in_date(checks: Iterable[date], interval: int, first: date, last: date) -> tuple[int, int]:
    """(days from ``first`` to ``last``, of them the days a check was in date): a check on day ``c``
    keeps days ``c`` to ``c + interval`` in date."""
    if last < first:
        return 0, 0
    done = sorted(set(checks))
    covered, index, latest = 0, 0, None
    day = first
    while day <= last:
        while index < len(done) and done[index] <= day:
            latest, index = done[index], index + 1
        if latest is not None and (day - latest).days <= interval:
            covered += 1
        day += timedelta(days=1)
    return (last - first).days + 1, covered


def count_safeguarding(scope: Scope) -> SafeguardingCounts:
    """Both sections' counts for ``scope``'s year (two queries)."""
    return SafeguardingCounts(concerns=count_concerns(scope), filtering=count_filtering(scope))


# --- Figures -------------------------------------------------------------------------------------


def categories_counted(*counts: SafeguardingCounts | None) -> list[str]:
    """The programme's categories in order, then any other category found in the counts (an old id)."""
    known = list(category_ids())
    found = sorted({category for found in counts if found for (_school, category, _term) in found.concerns}
                   - set(known))
    return known + found


def _in(schools: set[int] | None, school_id: int) -> bool:
    return schools is None or school_id in schools


def _concerns(counts: SafeguardingCounts | None, schools: set[int] | None, category: str | None,
              term: str | None) -> int | None:
    if counts is None:
        return None
    return sum(number for (school_id, found_category, found_term), number in counts.concerns.items()
               if _in(schools, school_id) and category in (None, found_category) and term in (None, found_term))


def _filtering(counts: SafeguardingCounts, schools: set[int] | None) -> FilteringTally:
    found = [tally for school_id, tally in counts.filtering.items() if _in(schools, school_id)]
    return FilteringTally(checks=sum(t.checks for t in found), changes=sum(t.changes for t in found),
                          last_check=max((t.last_check for t in found if t.last_check), default=None),
                          days=sum(t.days for t in found), days_in_date=sum(t.days_in_date for t in found))


def safeguarding_figures(now: SafeguardingCounts, before: SafeguardingCounts | None, schools: set[int] | None,
                         school_slug: str | None, categories: list[str]) -> list[Figure]:
    """The concerns and filtering figures of one group of schools (``before`` None: last year not counted).

    Concerns: ``concerns_reported`` (all), ``concerns_by_category`` (``item`` = category) and
    ``concerns_<term>`` (``term`` set; ``item`` = category, or None for the term's total), counts.
    Filtering: ``filtering_checks`` and ``filtering_changes`` (counts) and ``filtering_days_in_date``
    (days in date of the days so far, percent).
    """
    figures = []

    def count(section: str, measure: str, value: int | None, previous: int | None, **keys: str | None) -> None:
        figures.append(Figure(section=section, measure=measure, school=school_slug, unit="count",
                              value=None if value is None else float(value), count=value, total=0,
                              previous=None if previous is None else float(previous), previous_count=previous,
                              previous_total=None if previous is None else 0, **keys))

    def concerns(category: str | None = None, term: str | None = None) -> tuple[int | None, int | None]:
        return _concerns(now, schools, category, term), _concerns(before, schools, category, term)

    count("concerns", "concerns_reported", *concerns())
    for category in categories:
        count("concerns", "concerns_by_category", *concerns(category), item=category)
    for term in Term:
        count("concerns", f"concerns_{term.value}", *concerns(term=term.value), term=term.value)
        for category in categories:
            count("concerns", f"concerns_{term.value}", *concerns(category, term.value), item=category,
                  term=term.value)
    tally, previous = _filtering(now, schools), _filtering(before, schools) if before else None
    count("filtering", "filtering_checks", tally.checks, previous.checks if previous else None)
    count("filtering", "filtering_changes", tally.changes, previous.changes if previous else None)
    share = (round(100 * tally.days_in_date / tally.days, 1) if tally.days else None)
    before_share = (round(100 * previous.days_in_date / previous.days, 1) if previous and previous.days else None)
    figures.append(Figure(section="filtering", measure="filtering_days_in_date", school=school_slug, unit="percent",
                          value=share, count=tally.days_in_date, total=tally.days, previous=before_share,
                          previous_count=previous.days_in_date if previous else None,
                          previous_total=previous.days if previous else None))
    return figures


def filtering_facts(now: SafeguardingCounts, scope: Scope) -> dict[str, dict[str, str | int | None]]:
    """Per school (by slug): ``last_check`` (ISO date, on or before the audit's day; None: none found)
    and ``check_days`` (the school's interval between checks)."""
    facts: dict[str, dict[str, str | int | None]] = {}
    for school in scope.schools:
        tally = now.filtering.get(school.id)
        facts[school.slug] = {"last_check": tally.last_check.isoformat() if tally and tally.last_check else None,
                              "check_days": school.filtering_check_days}
    return facts
