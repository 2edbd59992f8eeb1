"""Reading training compliance: the training record of whole schools in a fixed number of queries.

:func:`training_record` reads, for every adult of the given schools, their roles, duties and
latest completion towards each rule (module completions, training done elsewhere, agreement
signatures), with a window function in the database; then :func:`requirement_status` decides each
cell. Four statements whatever the number of people (``tests/test_compliance.py`` pins it); one
more for the record as it stood on a past day (the schools' time zones).
Callers: the training record and "My training" pages, reminders, the audit and the bench.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import DateTime, String, case, cast, func, literal, or_, select, true, union_all

from eduplatform.academic_year import DEFAULT_TIME_ZONE, local_date, zone
from eduplatform.accounts.models import User, UserDuty, UserRole
from eduplatform.catalogue.model import Catalogue
from eduplatform.catalogue.training import Periods, TrainingRule, effective_periods
from eduplatform.compliance.status import LastDone, RequirementStatus, TrainingStatus, requirement_status
from eduplatform.db import db
from eduplatform.records.models import (
    AgreementSignature,
    CompletionStatus,
    ExternalTraining,
    ModuleCompletion,
)
from eduplatform.roles import Role
from eduplatform.schools.models import School

#: Method shown for training done elsewhere and for agreements signed.
EXTERNAL, SIGNED = "external", "signed"
#: Roles whose holders are listed in the training record (adults who may have training to do).
LISTED_ROLES = (Role.STAFF, Role.COORDINATOR, Role.GOVERNOR, Role.VISITOR)


@dataclass(frozen=True)
class PersonTraining:
    """One row of the training record: an adult and their status against every rule."""

    user_id: int
    school_id: int
    first_name: str
    last_name: str
    username: str
    roles: frozenset[str]
    duties: frozenset[str]
    started_on: date
    #: In the order of the catalogue's rules.
    requirements: tuple[RequirementStatus, ...]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def requirement(self, rule_id: str) -> RequirementStatus | None:
        return next((cell for cell in self.requirements if cell.rule_id == rule_id), None)

    @property
    def worst(self) -> TrainingStatus:
        """The most urgent status in the row (NOT_REQUIRED when no rule applies)."""
        order = list(TrainingStatus)
        return min((cell.status for cell in self.requirements), key=order.index, default=TrainingStatus.NOT_REQUIRED)


def start_date_of(started_on: date | None, created_at: datetime, time_zone: str) -> date:
    """When a person's training clock starts: the roster's start date, else the account's creation."""
    return started_on or local_date(created_at, time_zone)


def training_record(catalogue: Catalogue, school_ids: Sequence[int], today: date,
                    user_ids: Iterable[int] | None = None, *, as_it_stood: bool = False) -> list[PersonTraining]:
    """The training record of the current (not left) adults of ``school_ids``, sorted by school and name.

    ``user_ids`` narrows it to some people (one person's "My training"). People who have left are
    not listed: their rules no longer apply and their records stay in the exports.

    ``as_it_stood``: the record as it stood at the end of ``today``, a past day (the audit of a past
    year on its 31 August): the adults on the roll that day (those who have left since included,
    those who started later left out), and only the training done by then.
    """
    rules = catalogue.training_rules
    if not school_ids or not rules:
        return []
    only = list(user_ids) if user_ids is not None else None
    day_ends = _day_ends(school_ids, today) if as_it_stood else None
    on_roll = User.left_at.is_(None) if day_ends is None else or_(
        User.left_at.is_(None), User.left_at >= _per_school(day_ends, User.school_id))
    listed = User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(LISTED_ROLES)))
    people_query = (
        select(User.id, User.school_id, User.first_name, User.last_name, User.username, User.started_on,
               User.created_at, School.time_zone, School.training_periods)
        .join(School, School.id == User.school_id)
        .where(User.school_id.in_(school_ids), on_roll, listed)
        .order_by(User.school_id, func.lower(User.last_name), func.lower(User.first_name), User.id))
    if only is not None:
        people_query = people_query.where(User.id.in_(only))
    people = db.session.execute(people_query).all()
    if not people:
        return []
    ids = select(User.id).where(User.school_id.in_(school_ids), on_roll, listed)  # the people listed, not pupils
    if only is not None:
        ids = ids.where(User.id.in_(only))
    roles: dict[int, set[str]] = defaultdict(set)
    for user_id, role in db.session.execute(select(UserRole.user_id, UserRole.role).where(UserRole.user_id.in_(ids))):
        roles[user_id].add(role.value)
    duties: dict[int, set[str]] = defaultdict(set)
    for user_id, duty in db.session.execute(select(UserDuty.user_id, UserDuty.duty).where(UserDuty.user_id.in_(ids))):
        duties[user_id].add(duty.value)
    latest = _latest_completions(rules, school_ids, ids, day_ends, today)

    rows: list[PersonTraining] = []
    periods_of: dict[int, tuple[Periods, ...]] = {}  # each school's periods, worked out once
    for person in people:
        started = start_date_of(person.started_on, person.created_at, person.time_zone)
        if as_it_stood and started > today:
            continue  # not on the roll yet that day
        person_roles, person_duties = frozenset(roles[person.id]), frozenset(duties[person.id])
        if person.school_id not in periods_of:
            periods_of[person.school_id] = tuple(effective_periods(rule, person.training_periods) for rule in rules)
        done = {item: LastDone(on=_as_date(moment, person.time_zone), method=method, item_id=item)
                for item, (moment, method) in latest.get(person.id, {}).items()}
        cells = tuple(
            requirement_status(rule, periods, applies=rule.applies_to(person_roles, person_duties), started_on=started,
                               last_done=_latest_for_rule(rule, done), today=today)
            for rule, periods in zip(rules, periods_of[person.school_id], strict=True))
        rows.append(PersonTraining(person.id, person.school_id, person.first_name, person.last_name, person.username,
                                   person_roles, person_duties, started, cells))
    return rows


def _latest_for_rule(rule: TrainingRule, done: dict[str, LastDone]) -> LastDone | None:
    """The latest of the person's completions (``done``, by module or agreement) that count for ``rule``."""
    latest = None
    for item in (*rule.counted_modules, *([rule.agreement_id] if rule.agreement_id else [])):
        found = done.get(item)
        if found is not None and (latest is None or found.on > latest.on):
            latest = found
    return latest


def _day_ends(school_ids: Sequence[int], day: date) -> dict[int, datetime]:
    """Each school's end of ``day`` (its local midnight after it) as a stored UTC timestamp."""
    zones = db.session.execute(select(School.id, School.time_zone).where(School.id.in_(school_ids))).all()
    after = datetime.combine(day + timedelta(days=1), time.min)
    return {school_id: after.replace(tzinfo=zone(time_zone or DEFAULT_TIME_ZONE)).astimezone(UTC).replace(tzinfo=None)
            for school_id, time_zone in zones}


def _per_school(day_ends: dict[int, datetime], school_column: Any) -> Any:
    """The end of the day for the row's school, in SQL (one value when the schools share a time zone)."""
    moments = set(day_ends.values())
    if len(moments) == 1:
        return literal(next(iter(moments)), DateTime())
    return case({school_id: literal(moment, DateTime()) for school_id, moment in day_ends.items()},
                value=school_column)


def _latest_completions(rules: Sequence[TrainingRule], school_ids: Sequence[int], user_ids: object,
                        day_ends: dict[int, datetime] | None = None,
                        today: date | None = None) -> dict[int, dict[str, tuple[object, str]]]:
    """``{user_id: {module or agreement id: latest completion}}`` in one statement.

    Completions, training done elsewhere and signatures are put together (UNION ALL) and the latest
    of each person and item is picked by ``row_number()`` in the database. With ``day_ends`` (see
    :func:`training_record`'s ``as_it_stood``), only what was done by the end of ``today`` counts.
    """
    modules = sorted({module for rule in rules for module in rule.counted_modules})
    agreements = sorted({rule.agreement_id for rule in rules if rule.agreement_id})

    def done_by(moment: Any, school_column: Any) -> Any:
        return true() if day_ends is None else moment < _per_school(day_ends, school_column)

    parts = []
    if modules:
        parts.append(select(
            ModuleCompletion.user_id.label("user_id"), ModuleCompletion.module_id.label("item_id"),
            ModuleCompletion.completed_at.label("done_at"), cast(ModuleCompletion.method, String(20)).label("method"))
            .where(ModuleCompletion.school_id.in_(school_ids), ModuleCompletion.user_id.in_(user_ids),
                   ModuleCompletion.status == CompletionStatus.COMPLETED, ModuleCompletion.module_id.in_(modules),
                   done_by(ModuleCompletion.completed_at, ModuleCompletion.school_id)))
        parts.append(select(
            ExternalTraining.user_id.label("user_id"), ExternalTraining.module_id.label("item_id"),
            ExternalTraining.completed_on.label("done_at"), literal(EXTERNAL, String(20)).label("method"))
            .where(ExternalTraining.school_id.in_(school_ids), ExternalTraining.user_id.in_(user_ids),
                   ExternalTraining.module_id.in_(modules),
                   true() if today is None or day_ends is None else ExternalTraining.completed_on <= today))
    if agreements:
        parts.append(select(
            AgreementSignature.user_id.label("user_id"), AgreementSignature.agreement_id.label("item_id"),
            AgreementSignature.signed_at.label("done_at"), literal(SIGNED, String(20)).label("method"))
            .where(AgreementSignature.school_id.in_(school_ids), AgreementSignature.user_id.in_(user_ids),
                   AgreementSignature.agreement_id.in_(agreements),
                   done_by(AgreementSignature.signed_at, AgreementSignature.school_id)))
    if not parts:
        return {}
    every = union_all(*parts).subquery()
    ranked = select(every, func.row_number().over(
        partition_by=(every.c.user_id, every.c.item_id), order_by=every.c.done_at.desc()).label("rank")).subquery()
    found: dict[int, dict[str, tuple[object, str]]] = defaultdict(dict)
    for row in db.session.execute(select(ranked.c.user_id, ranked.c.item_id, ranked.c.done_at, ranked.c.method)
                                  .where(ranked.c.rank == 1)):
        found[row.user_id][row.item_id] = (row.done_at, row.method)
    return found


def _as_date(value: object, time_zone: str) -> date:
    """The school's calendar day of a completion or signature (a UTC timestamp), or the date of training
    done elsewhere. SQLite returns the UNION's values as text."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if len(value) > 10 else date.fromisoformat(value)
    if isinstance(value, datetime):
        return local_date(value, time_zone)
    if isinstance(value, date):
        return value
    raise TypeError(f"not a date: {value!r}")

