"""The training record as a page and a CSV show it: whole schools' training, each school dated by its
own calendar, narrowed by the page's filters, with the counts at the top and per school.

:func:`build_record` is the one data object both the page (``compliance.training_record``) and the
CSV (``reports.export_training_csv``) render, so a download holds exactly the rows on screen.
Filters live in the address (``?school=3&rule=dsl-training&status=overdue&role=staff&q=smith``);
a value that does not fit answers 400 with a message, or 404 for a school the person does not see.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from flask import abort, request

from eduplatform.academic_year import local_date
from eduplatform.catalogue.model import Catalogue
from eduplatform.catalogue.training import TrainingRule
from eduplatform.compliance.queries import LISTED_ROLES, PersonTraining, training_record
from eduplatform.compliance.status import TrainingStatus
from eduplatform.db import utcnow
from eduplatform.i18n import _
from eduplatform.schools.models import School
from eduplatform.schools.years import time_zone_of

#: The statuses counted at the top of the page and per school (not required is not counted).
COUNTED = (TrainingStatus.OVERDUE, TrainingStatus.DUE_SOON, TrainingStatus.UPCOMING, TrainingStatus.IN_DATE)
MAX_SEARCH = 100


@dataclass(frozen=True)
class RecordFilters:
    """What the training record is narrowed to; None (or empty) means everything."""

    school_id: int | None = None
    rule_id: str | None = None
    status: TrainingStatus | None = None
    role: str | None = None
    search: str = ""

    def as_args(self) -> dict[str, str | int]:
        """The filters as address arguments (for links, the CSV link and the export's log entry)."""
        values = {"school": self.school_id, "rule": self.rule_id, "status": self.status and self.status.value,
                  "role": self.role, "q": self.search or None}
        return {key: value for key, value in values.items() if value is not None}


@dataclass(frozen=True)
class SchoolSummary:
    """One school's row of the side-by-side summary: how many people, and each rule's statuses."""

    school: School
    people: int
    by_rule: dict[str, Counter[TrainingStatus]]


@dataclass(frozen=True)
class TrainingRecord:
    """The training record of the chosen schools, filtered."""

    schools: tuple[School, ...]
    #: The rules shown as columns (one when the record is filtered by rule).
    rules: tuple[TrainingRule, ...]
    #: The people listed: every filter applied.
    people: list[PersonTraining]
    #: How many people match the filters other than status (the counts describe them).
    matching: int
    #: The statuses of the shown rules' requirements of the matching people.
    counts: Counter[TrainingStatus]
    summaries: tuple[SchoolSummary, ...]
    #: Each school's own "today" (its calendar, in its time zone).
    today: dict[int, date]

    def school(self, school_id: int) -> School:
        return next(school for school in self.schools if school.id == school_id)


def filters_from_request(schools: Sequence[School], catalogue: Catalogue) -> RecordFilters:
    """The filters in the address, each checked: 404 for a school not in ``schools``, 400 for the rest."""
    args = request.args
    school_id = None
    raw_school = args.get("school", "").strip()
    if raw_school:
        if not raw_school.isdigit():
            abort(400, description=_("%(value)s is not a number.", value=raw_school[:20]))
        school_id = int(raw_school)
        if school_id not in {school.id for school in schools}:
            abort(404)
    rule_id = args.get("rule", "").strip() or None
    if rule_id is not None and catalogue.training_rule(rule_id) is None:
        abort(400, description=_("There is no training rule called %(value)s.", value=rule_id[:60]))
    status = args.get("status", "").strip() or None
    if status is not None and status not in TrainingStatus._value2member_map_:
        abort(400, description=_("%(value)s is not a status of the training record.", value=status[:40]))
    role = args.get("role", "").strip() or None
    if role is not None and role not in {listed.value for listed in LISTED_ROLES}:
        abort(400, description=_("%(value)s is not a role listed in the training record.", value=role[:40]))
    search = " ".join(args.get("q", "").split())[:MAX_SEARCH]
    return RecordFilters(school_id=school_id, rule_id=rule_id, status=TrainingStatus(status) if status else None,
                         role=role, search=search)


def school_today(school: School | None) -> date:
    """Today's date on the school's calendar (its time zone; Europe/London without a school)."""
    return local_date(utcnow(), time_zone_of(school))


def read_training(catalogue: Catalogue, schools: Sequence[School]) -> tuple[list[PersonTraining], dict[int, date]]:
    """The training of every current adult of ``schools``, in the order of ``schools`` then by name.

    Each school is dated by its own calendar: one :func:`training_record` per time zone (a trust's
    schools usually share one), so the number of queries does not grow with the schools.
    """
    by_zone: dict[str, list[School]] = defaultdict(list)
    for school in schools:
        by_zone[time_zone_of(school)].append(school)
    now = utcnow()
    rows: list[PersonTraining] = []
    today: dict[int, date] = {}
    for zone, members in by_zone.items():
        day = local_date(now, zone)
        rows += training_record(catalogue, [school.id for school in members], day)
        today.update((school.id, day) for school in members)
    position = {school.id: index for index, school in enumerate(schools)}
    rows.sort(key=lambda row: position[row.school_id])  # stable: names stay in order within a school
    return rows, today


def build_record(catalogue: Catalogue, schools: Sequence[School], filters: RecordFilters) -> TrainingRecord:
    """The training record of ``schools`` (or the one the filters choose), filtered, with its counts."""
    shown = tuple(school for school in schools if filters.school_id in (None, school.id))
    rows, today = read_training(catalogue, shown)
    rules = tuple(rule for rule in catalogue.training_rules if filters.rule_id in (None, rule.id))
    matching = [row for row in rows if _matches(row, filters)]
    counts: Counter[TrainingStatus] = Counter()
    by_school: dict[int, dict[str, Counter[TrainingStatus]]] = {
        school.id: {rule.id: Counter() for rule in rules} for school in shown}
    people_of: Counter[int] = Counter()
    for row in matching:
        people_of[row.school_id] += 1
        for rule in rules:
            status = _status(row, rule)
            if status is not TrainingStatus.NOT_REQUIRED:
                counts[status] += 1
                by_school[row.school_id][rule.id][status] += 1
    people = [row for row in matching
              if filters.status is None or any(_status(row, rule) is filters.status for rule in rules)]
    summaries = tuple(SchoolSummary(school, people_of[school.id], by_school[school.id]) for school in shown)
    return TrainingRecord(schools=shown, rules=rules, people=people, matching=len(matching), counts=counts,
                          summaries=summaries, today=today)


def _status(row: PersonTraining, rule: TrainingRule) -> TrainingStatus:
    cell = row.requirement(rule.id)
    return cell.status if cell is not None else TrainingStatus.NOT_REQUIRED


def _matches(row: PersonTraining, filters: RecordFilters) -> bool:
    """Role, name and (with a rule chosen) whether that rule is the person's to meet."""
    if filters.role is not None and filters.role not in row.roles:
        return False
    if filters.search:
        wanted = filters.search.casefold()
        if wanted not in row.full_name.casefold() and wanted not in row.username.casefold():
            return False
    if filters.rule_id is not None:
        cell = row.requirement(filters.rule_id)
        return cell is not None and cell.status is not TrainingStatus.NOT_REQUIRED
    return True
