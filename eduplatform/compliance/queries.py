"""Reading training compliance: the training record of whole schools in a fixed number of queries.

:func:`training_record` reads, for every adult of the given schools, their roles, duties and
latest completion towards each rule (module completions, training done elsewhere, agreement
signatures), with a window function in the database; then :func:`requirement_status` decides each
cell. Four statements whatever the number of people (``tests/test_compliance.py`` pins it).
Callers: the training record and "My training" pages, reminders, the audit and the bench.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import String, cast, func, literal, select, union_all

from eduplatform.academic_year import local_date
from eduplatform.accounts.models import User, UserDuty, UserRole
from eduplatform.catalogue.model import Catalogue
from eduplatform.catalogue.training import TrainingRule, effective_periods
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
                    user_ids: Iterable[int] | None = None) -> list[PersonTraining]:
    """The training record of the current (not left) adults of ``school_ids``, sorted by school and name.

    ``user_ids`` narrows it to some people (one person's "My training"). People who have left are
    not listed: their rules no longer apply and their records stay in the exports.
    """
    rules = catalogue.training_rules
    if not school_ids or not rules:
        return []
    only = list(user_ids) if user_ids is not None else None
    people_query = (
        select(User.id, User.school_id, User.first_name, User.last_name, User.username, User.started_on,
               User.created_at, School.time_zone, School.training_periods)
        .join(School, School.id == User.school_id)
        .where(User.school_id.in_(school_ids), User.left_at.is_(None),
               User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(LISTED_ROLES))))
        .order_by(User.school_id, func.lower(User.last_name), func.lower(User.first_name), User.id))
    if only is not None:
        people_query = people_query.where(User.id.in_(only))
    people = db.session.execute(people_query).all()
    if not people:
        return []
    ids = select(User.id).where(User.school_id.in_(school_ids), User.left_at.is_(None))
    if only is not None:
        ids = ids.where(User.id.in_(only))
    roles: dict[int, set[str]] = defaultdict(set)
    for user_id, role in db.session.execute(select(UserRole.user_id, UserRole.role).where(UserRole.user_id.in_(ids))):
        roles[user_id].add(role.value)
    duties: dict[int, set[str]] = defaultdict(set)
    for user_id, duty in db.session.execute(select(UserDuty.user_id, UserDuty.duty).where(UserDuty.user_id.in_(ids))):
        duties[user_id].add(duty.value)
    latest = _latest_completions(rules, school_ids, ids)

    rows: list[PersonTraining] = []
    for person in people:
        started = start_date_of(person.started_on, person.created_at, person.time_zone)
        person_roles, person_duties = frozenset(roles[person.id]), frozenset(duties[person.id])
        cells = []
        for rule in rules:
            done = _latest_for_rule(rule, latest.get(person.id, {}), person.time_zone)
            cells.append(requirement_status(
                rule, effective_periods(rule, person.training_periods),
                applies=rule.applies_to(person_roles, person_duties), started_on=started, last_done=done, today=today))
        rows.append(PersonTraining(person.id, person.school_id, person.first_name, person.last_name, person.username,
                                   person_roles, person_duties, started, tuple(cells)))
    return rows


def _latest_for_rule(rule: TrainingRule, done: dict[str, tuple[object, str]], time_zone: str) -> LastDone | None:
    items = (*rule.counted_modules, *([rule.agreement_id] if rule.agreement_id else []))
    candidates = [LastDone(on=_as_date(done[item][0], time_zone), method=done[item][1], item_id=item)
                  for item in items if item in done]
    return max(candidates, key=lambda last: last.on, default=None)


def _latest_completions(rules: Sequence[TrainingRule], school_ids: Sequence[int],
                        user_ids: object) -> dict[int, dict[str, tuple[object, str]]]:
    """``{user_id: {module or agreement id: latest completion}}`` in one statement.

    Completions, training done elsewhere and signatures are put together (UNION ALL) and the latest
    of each person and item is picked by ``row_number()`` in the database.
    """
    modules = sorted({module for rule in rules for module in rule.counted_modules})
    agreements = sorted({rule.agreement_id for rule in rules if rule.agreement_id})
    parts = []
    if modules:
        parts.append(select(
            ModuleCompletion.user_id.label("user_id"), ModuleCompletion.module_id.label("item_id"),
            ModuleCompletion.completed_at.label("done_at"), cast(ModuleCompletion.method, String(20)).label("method"))
            .where(ModuleCompletion.school_id.in_(school_ids), ModuleCompletion.user_id.in_(user_ids),
                   ModuleCompletion.status == CompletionStatus.COMPLETED, ModuleCompletion.module_id.in_(modules)))
        parts.append(select(
            ExternalTraining.user_id.label("user_id"), ExternalTraining.module_id.label("item_id"),
            ExternalTraining.completed_on.label("done_at"), literal(EXTERNAL, String(20)).label("method"))
            .where(ExternalTraining.school_id.in_(school_ids), ExternalTraining.user_id.in_(user_ids),
                   ExternalTraining.module_id.in_(modules)))
    if agreements:
        parts.append(select(
            AgreementSignature.user_id.label("user_id"), AgreementSignature.agreement_id.label("item_id"),
            AgreementSignature.signed_at.label("done_at"), literal(SIGNED, String(20)).label("method"))
            .where(AgreementSignature.school_id.in_(school_ids), AgreementSignature.user_id.in_(user_ids),
                   AgreementSignature.agreement_id.in_(agreements)))
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

