"""Training rules (``curriculum/training.yaml``): which adults must complete what, and how often.

Pure data and date arithmetic; the status of a person's training is worked out by
:mod:`eduplatform.compliance.status` from these rules and the records. A school may change a rule's
periods (:func:`effective_periods`); the rule file holds the defaults.
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from eduplatform.catalogue.files import Problems, check_keys, read_yaml


class Renewal(StrEnum):
    """How often a rule's training must be done again."""

    NEVER = "never"
    #: Once in every academic year, by the rule's ``due_by`` day.
    ACADEMIC_YEAR = "academic_year"
    #: A set number of months after the last completion.
    MONTHS = "months"
    #: On the day of each visit (visitors' agreement).
    EACH_VISIT = "each_visit"


#: The roles and duties a rule may be for (the values of :class:`eduplatform.roles.Role` and ``Duty``).
RULE_ROLES = frozenset({"staff", "coordinator", "governor", "visitor"})
RULE_DUTIES = frozenset({"dsl", "deputy_dsl"})
#: The longest period a rule may set, so a typing slip (2400 months) is caught.
MAX_MONTHS = 120
MAX_SCHOOL_DAYS = 260


@dataclass(frozen=True)
class Periods:
    """A rule's periods: the defaults from the file, or a school's own."""

    #: School days after the start date by which it is first due; None: due from the start date.
    first_due_school_days: int | None
    #: With :attr:`Renewal.MONTHS`: how many months a completion stays in date.
    renew_after_months: int | None
    #: With :attr:`Renewal.ACADEMIC_YEAR`: (month, day) it is due each academic year.
    due_by: tuple[int, int] | None


@dataclass(frozen=True)
class TrainingRule:
    """One requirement: who must do which module (or sign which agreement), and when."""

    id: str
    module_id: str | None
    agreement_id: str | None
    roles: frozenset[str]
    duties: frozenset[str]
    renew: Renewal
    periods: Periods
    #: Other modules whose completion counts for this rule (within the same period).
    also_counts: tuple[str, ...] = ()

    @property
    def item_id(self) -> str:
        """The module or agreement the rule is about."""
        return self.module_id or self.agreement_id or ""

    @property
    def counted_modules(self) -> tuple[str, ...]:
        return ((self.module_id,) if self.module_id else ()) + self.also_counts

    def applies_to(self, roles: frozenset[str] | set[str], duties: frozenset[str] | set[str]) -> bool:
        """Whether a person with these role and duty values must meet the rule."""
        return bool(self.roles & set(roles)) or bool(self.duties & set(duties))


def add_school_days(start: date, school_days: int) -> date:
    """The day ``school_days`` weekdays after ``start`` (Saturdays and Sundays are skipped).

    Holidays are not known to the platform, so a school that wants them allowed for sets a longer
    period. A start on a weekend counts from the next Monday.
    """
    if school_days <= 0:
        return start
    if start.weekday() >= 5:  # from a weekend: the Friday before counts as the start
        start -= timedelta(days=start.weekday() - 4)
    weeks, extra = divmod(school_days, 5)
    day = start + timedelta(weeks=weeks)
    weekday = day.weekday()
    return day + timedelta(days=extra + (2 if weekday + extra >= 5 else 0))


def add_months(start: date, months: int) -> date:
    """``start`` plus ``months`` calendar months (31 January + 1 month is 28 or 29 February)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def academic_year_start(day: date) -> int:
    """The calendar year the academic year containing ``day`` starts in (1 September)."""
    return day.year if day.month >= 9 else day.year - 1


def due_by_in_year(due_by: tuple[int, int], start_year: int) -> date:
    """The ``due_by`` day inside the academic year starting 1 September ``start_year``."""
    month, day = due_by
    year = start_year if month >= 9 else start_year + 1
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def expiry_of(rule: TrainingRule, periods: Periods, done_on: date) -> date | None:
    """The last day a completion on ``done_on`` keeps the rule in date; None: it never expires."""
    if rule.renew is Renewal.MONTHS and periods.renew_after_months:
        return add_months(done_on, periods.renew_after_months) - timedelta(days=1)
    if rule.renew is Renewal.ACADEMIC_YEAR:
        return date(academic_year_start(done_on) + 1, 8, 31)
    if rule.renew is Renewal.EACH_VISIT:
        return done_on
    return None


def effective_periods(rule: TrainingRule, overrides: Mapping[str, Any] | None) -> Periods:
    """The rule's periods with a school's own values (``School.training_periods[rule.id]``) on top.

    Stored overrides are checked when saved (:func:`period_problems`); anything unusable left in
    the database is ignored, never trusted.
    """
    own = (overrides or {}).get(rule.id) or {}
    periods = rule.periods
    days = own.get("first_due_school_days")
    if isinstance(days, int) and 1 <= days <= MAX_SCHOOL_DAYS and periods.first_due_school_days is not None:
        periods = replace(periods, first_due_school_days=days)
    months = own.get("renew_after_months")
    if isinstance(months, int) and 1 <= months <= MAX_MONTHS and rule.renew is Renewal.MONTHS:
        periods = replace(periods, renew_after_months=months)
    due_by = parse_due_by(own.get("due_by")) if rule.renew is Renewal.ACADEMIC_YEAR else None
    if due_by is not None:
        periods = replace(periods, due_by=due_by)
    return periods


def parse_due_by(value: Any) -> tuple[int, int] | None:
    """``"10-31"`` as (10, 31); None when it is not a real day of the year (29 February is refused)."""
    if not isinstance(value, str) or len(value) != 5 or value[2] != "-":
        return None
    try:
        month, day = int(value[:2]), int(value[3:])
        date(2001, month, day)  # a year without 29 February: the day must exist every year
    except ValueError:
        return None
    return month, day


def read_training_rules(curriculum_root: Path, modules: set[str], agreements: set[str],
                        problems: Problems) -> tuple[TrainingRule, ...]:
    """``curriculum/training.yaml``: every rule, checked. Problems name the file and the rule."""
    path = curriculum_root / "training.yaml"
    if not path.exists():
        return ()
    data: Any = read_yaml(path, problems)
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        problems.add(path, "must hold 'rules:', a list of training rules")
        return ()
    rules: list[TrainingRule] = []
    seen: set[str] = set()
    for position, entry in enumerate(data["rules"], start=1):
        rule = _read_rule(path, position, entry, modules, agreements, problems)
        if rule is None:
            continue
        if rule.id in seen:
            problems.add(path, f"rule '{rule.id}': the id is used twice")
            continue
        seen.add(rule.id)
        rules.append(rule)
    return tuple(rules)


def _read_rule(path: Path, position: int, entry: Any, modules: set[str], agreements: set[str],
               problems: Problems) -> TrainingRule | None:
    where = f"rule {position}"
    if not isinstance(entry, dict):
        problems.add(path, f"{where}: must be a mapping")
        return None
    if not check_keys(path, where, entry, {"id", "for", "renew"},
                      {"module", "agreement", "first_due_school_days", "renew_after_months", "due_by", "also_counts"},
                      problems):
        return None
    rule_id = str(entry["id"])
    where = f"rule '{rule_id}'"
    before = len(problems.found)
    module_id, agreement_id = entry.get("module"), entry.get("agreement")
    if (module_id is None) == (agreement_id is None):
        problems.add(path, f"{where}: name either a 'module' or an 'agreement'")
    if module_id is not None and module_id not in modules:
        problems.add(path, f"{where}: there is no module '{module_id}' in the curriculum")
    if agreement_id is not None and agreement_id not in agreements:
        problems.add(path, f"{where}: there is no agreement '{agreement_id}' in the curriculum")
    also = entry.get("also_counts") or []
    for other in also if isinstance(also, list) else [also]:
        if other not in modules:
            problems.add(path, f"{where}: also_counts: there is no module '{other}' in the curriculum")
    roles, duties = _who(path, where, entry["for"], problems)
    try:
        renew = Renewal(entry["renew"])
    except ValueError:
        problems.add(path, f"{where}: renew must be one of {', '.join(r.value for r in Renewal)}")
        return None
    periods = _periods(path, where, entry, renew, problems)
    if len(problems.found) > before or periods is None:
        return None
    return TrainingRule(id=rule_id, module_id=module_id, agreement_id=agreement_id, roles=roles, duties=duties,
                        renew=renew, periods=periods, also_counts=tuple(also) if isinstance(also, list) else (also,))


def _who(path: Path, where: str, value: Any, problems: Problems) -> tuple[frozenset[str], frozenset[str]]:
    if not isinstance(value, dict) or not check_keys(path, f"{where}: for", value, set(), {"roles", "duties"},
                                                     problems):
        problems.add(path, f"{where}: 'for' must name roles and/or duties")
        return frozenset(), frozenset()
    roles, duties = frozenset(value.get("roles") or ()), frozenset(value.get("duties") or ())
    for role in sorted(roles - RULE_ROLES):
        problems.add(path, f"{where}: unknown role '{role}' (one of {', '.join(sorted(RULE_ROLES))})")
    for duty in sorted(duties - RULE_DUTIES):
        problems.add(path, f"{where}: unknown duty '{duty}' (one of {', '.join(sorted(RULE_DUTIES))})")
    if not roles and not duties:
        problems.add(path, f"{where}: 'for' names nobody")
    return roles, duties


def _periods(path: Path, where: str, entry: dict[str, Any], renew: Renewal, problems: Problems) -> Periods | None:
    days = entry.get("first_due_school_days")
    months = entry.get("renew_after_months")
    due_by_text = entry.get("due_by")
    ok = True
    if days is not None and (not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= MAX_SCHOOL_DAYS):
        problems.add(path, f"{where}: first_due_school_days must be a whole number from 1 to {MAX_SCHOOL_DAYS} "
                           f"(a period below one day cannot be met), not {days!r}")
        ok = False
    if renew is Renewal.MONTHS:
        if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= MAX_MONTHS:
            problems.add(path, f"{where}: renew: months needs renew_after_months from 1 to {MAX_MONTHS}, "
                               f"not {months!r}")
            ok = False
    elif months is not None:
        problems.add(path, f"{where}: renew_after_months is only for renew: months")
        ok = False
    due_by = None
    if renew is Renewal.ACADEMIC_YEAR:
        due_by = parse_due_by(due_by_text)
        if due_by is None:
            problems.add(path, f"{where}: renew: academic_year needs due_by as MM-DD (for example \"10-31\"), "
                               f"not {due_by_text!r}")
            ok = False
    elif due_by_text is not None:
        problems.add(path, f"{where}: due_by is only for renew: academic_year")
        ok = False
    return Periods(first_due_school_days=days, renew_after_months=months, due_by=due_by) if ok else None
