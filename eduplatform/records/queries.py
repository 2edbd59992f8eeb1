"""Reading learning records: statuses for dashboards and people pages, attempts, school progress.

Every query that lists other people's records takes the actor and applies
:func:`eduplatform.access.visible_records`, so it can never show more than the actor may see.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import case, func, select

from eduplatform.academic_year import AcademicYear, zone
from eduplatform.access import visible_records
from eduplatform.accounts.models import User
from eduplatform.catalogue.model import Agreement, Catalogue, Module
from eduplatform.db import db, utcnow
from eduplatform.records.completion import still_valid, years_valid
from eduplatform.records.models import (
    AgreementSignature,
    CompletionStatus,
    ConsentDecision,
    LessonRead,
    ModuleCompletion,
    QuizAttempt,
)
from eduplatform.schools.years import time_zone_of


class ModuleState(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


@dataclass(frozen=True)
class ModuleStatus:
    state: ModuleState
    best_percent: int | None = None
    attempt_count: int = 0
    completed_at: datetime | None = None
    #: The academic year of the completion that counts (may be an earlier year for 2-year renewals).
    completed_year: int | None = None
    #: How it was completed: ``self``, ``teacher_led``, ``attended``, ``imported``.
    method: str | None = None
    #: The year's first quiz attempt score: what the person knew before (``best_percent`` is after).
    first_percent: int | None = None


class AgreementState(StrEnum):
    NOT_SIGNED = "not_signed"
    SIGNED = "signed"
    #: Signed, but the text has changed since: the person must sign the new version.
    NEEDS_SIGNING_AGAIN = "needs_signing_again"
    #: Signed, but longer ago than the agreement's renewal period.
    EXPIRED = "expired"


@dataclass(frozen=True)
class AgreementStatus:
    state: AgreementState
    signed_at: datetime | None = None
    signed_version: str | None = None


def module_statuses_for_many(actor: Any, user_ids: Iterable[int], modules: Iterable[Module],
                             year: AcademicYear) -> dict[int, dict[str, ModuleStatus]]:
    """Status of each module for each person in ``year``: one query however many people and modules.

    Only records of people the actor may see are read; anyone else shows as not started.
    """
    user_ids, modules = list(user_ids), list(modules)
    if not modules or not user_ids:
        return {user_id: {m.id: ModuleStatus(ModuleState.NOT_STARTED) for m in modules} for user_id in user_ids}
    oldest = year.start_year - max(years_valid(m.renewal_months) for m in modules) + 1
    mc = ModuleCompletion
    # Plain rows, not whole records: a class grid reads hundreds of them.
    rows = db.session.execute(select(
        mc.user_id, mc.module_id, mc.academic_year, mc.status, mc.best_percent, mc.attempt_count, mc.completed_at,
        mc.method, mc.first_percent).where(
        ModuleCompletion.user_id.in_(user_ids),
        ModuleCompletion.module_id.in_([m.id for m in modules]),
        ModuleCompletion.academic_year.between(oldest, year.start_year),
        visible_records(actor, ModuleCompletion.user_id, year),
    ).order_by(ModuleCompletion.academic_year.desc())).all()
    found: dict[tuple[int, str], list[Any]] = {}
    for row in rows:
        found.setdefault((row.user_id, row.module_id), []).append(row)
    return {user_id: {module.id: _status_from(found.get((user_id, module.id), []), module, year)
                      for module in modules} for user_id in user_ids}


def _status_from(rows: list[Any], module: Module, year: AcademicYear) -> ModuleStatus:
    """The state of ``module`` from a person's completion rows (newest year first)."""
    completed = next((r for r in rows if r.status is CompletionStatus.COMPLETED
                      and still_valid(r.academic_year, module.renewal_months, year)), None)
    if completed is not None:
        return ModuleStatus(ModuleState.COMPLETED, completed.best_percent, completed.attempt_count,
                            completed.completed_at, completed.academic_year,
                            completed.method.value if completed.method else None,
                            first_percent=completed.first_percent)
    this_year = next((r for r in rows if r.academic_year == year.start_year), None)
    if this_year is not None:
        return ModuleStatus(ModuleState.IN_PROGRESS, this_year.best_percent, this_year.attempt_count,
                            first_percent=this_year.first_percent)
    return ModuleStatus(ModuleState.NOT_STARTED)


def module_statuses(actor: Any, user_id: int, modules: Iterable[Module],
                    year: AcademicYear) -> dict[str, ModuleStatus]:
    """Status of each module for one person in ``year`` (one query for all modules), as the actor may see."""
    return module_statuses_for_many(actor, [user_id], modules, year)[user_id]


def _latest_signatures(actor: Any, user_ids: list[int], agreement_ids: list[str],
                       year: AcademicYear) -> dict[tuple[int, str], AgreementSignature]:
    rows = db.session.scalars(select(AgreementSignature).where(
        AgreementSignature.user_id.in_(user_ids), AgreementSignature.agreement_id.in_(agreement_ids),
        visible_records(actor, AgreementSignature.user_id, year),
        AgreementSignature.academic_year <= year.start_year,
    ).order_by(AgreementSignature.signed_at.desc(), AgreementSignature.id.desc())).all()
    latest: dict[tuple[int, str], AgreementSignature] = {}
    for row in rows:
        latest.setdefault((row.user_id, row.agreement_id), row)
    return latest


def signature_state(agreement: Agreement, signature: AgreementSignature | None, current_version: str,
                    year: AcademicYear) -> AgreementStatus:
    """Whether the latest signature still counts: right text version and within its renewal period."""
    if signature is None:
        return AgreementStatus(AgreementState.NOT_SIGNED)
    if signature.agreement_version != current_version:
        state = AgreementState.NEEDS_SIGNING_AGAIN
    elif not still_valid(signature.academic_year, agreement.renewal_months, year):
        state = AgreementState.EXPIRED
    else:
        state = AgreementState.SIGNED
    return AgreementStatus(state, signature.signed_at, signature.agreement_version)


def agreement_statuses_for_many(actor: Any, user_ids: Iterable[int], agreements: Iterable[Agreement],
                                catalogue: Catalogue, year: AcademicYear) -> dict[int, dict[str, AgreementStatus]]:
    """Status of each agreement for each person: one query however many people and agreements.

    Only signatures of people the actor may see are read; anyone else shows as not signed.
    """
    user_ids, agreements = list(user_ids), list(agreements)
    latest = (_latest_signatures(actor, user_ids, [a.id for a in agreements], year)
              if user_ids and agreements else {})
    statuses: dict[int, dict[str, AgreementStatus]] = {}
    for user_id in user_ids:
        statuses[user_id] = {}
        for agreement in agreements:
            signature = latest.get((user_id, agreement.id))
            locale = signature.locale if signature else catalogue.fallback_locale
            current = catalogue.agreement_content(agreement.id, locale).version
            statuses[user_id][agreement.id] = signature_state(agreement, signature, current, year)
    return statuses


def agreement_statuses(actor: Any, user_id: int, agreements: Iterable[Agreement], catalogue: Catalogue,
                       year: AcademicYear) -> dict[str, AgreementStatus]:
    """Status of each agreement for one person (one query for all of them), as the actor may see."""
    return agreement_statuses_for_many(actor, [user_id], agreements, catalogue, year)[user_id]


def agreement_is_signed(user: User, agreement: Agreement, catalogue: Catalogue, year: AcademicYear) -> bool:
    """Whether the person's own signature of ``agreement`` counts in ``year``."""
    status = agreement_statuses(user, user.id, [agreement], catalogue, year)[agreement.id]
    return status.state is AgreementState.SIGNED


def lessons_read(user_id: int, module: Module, year: AcademicYear) -> set[str]:
    return set(db.session.scalars(select(LessonRead.lesson_id).where(
        LessonRead.user_id == user_id, LessonRead.module_id == module.id,
        LessonRead.academic_year == year.start_year)))


def attempts_this_year(user_id: int, module: Module, year: AcademicYear) -> list[QuizAttempt]:
    return list(db.session.scalars(select(QuizAttempt).where(
        QuizAttempt.user_id == user_id, QuizAttempt.module_id == module.id,
        QuizAttempt.academic_year == year.start_year).order_by(QuizAttempt.submitted_at.desc())))


def start_of_today(user: User, now: datetime | None = None) -> datetime:
    """Midnight today in the user's school's time zone, as a stored (naive UTC) timestamp."""
    time_zone = zone(time_zone_of(user.school))
    moment = (now or utcnow()).replace(tzinfo=UTC).astimezone(time_zone)
    midnight = datetime.combine(moment.date(), time(0), tzinfo=time_zone)
    return midnight.astimezone(UTC).replace(tzinfo=None)


def attempts_today(user: User, module: Module, year: AcademicYear, now: datetime | None = None) -> int:
    """How many attempts of ``year`` the user has made at the module's quiz since midnight (their school's day)."""
    return db.session.scalar(select(func.count()).select_from(QuizAttempt).where(
        QuizAttempt.user_id == user.id, QuizAttempt.module_id == module.id,
        QuizAttempt.academic_year == year.start_year, QuizAttempt.submitted_at >= start_of_today(user, now))) or 0


def get_visible_attempt(actor: Any, attempt_id: int) -> QuizAttempt | None:
    """An attempt the actor may see (their own, or a person in their scope), else None."""
    return db.session.scalar(select(QuizAttempt).where(
        QuizAttempt.id == attempt_id, visible_records(actor, QuizAttempt.user_id)))


def signatures_of(user_id: int) -> list[AgreementSignature]:
    return list(db.session.scalars(select(AgreementSignature).where(AgreementSignature.user_id == user_id)
                                    .order_by(AgreementSignature.signed_at.desc())))


def current_consents(child_ids: Iterable[int]) -> dict[tuple[int, str], bool]:
    """The newest consent choice per (child id, consent id) for the given children."""
    from eduplatform.records.models import ConsentDecision

    rows = db.session.execute(
        select(ConsentDecision.child_id, ConsentDecision.consent_id, ConsentDecision.given)
        .where(ConsentDecision.child_id.in_(list(child_ids)))
        .order_by(ConsentDecision.decided_at, ConsentDecision.id)
    ).all()
    return {(child_id, consent_id): given for child_id, consent_id, given in rows}


def consent_choices_for_many(actor: Any, child_ids: Iterable[int], items: Iterable[tuple[str, str]],
                             year: AcademicYear | None = None) -> dict[int, dict[tuple[str, str], bool]]:
    """Each child's current choice on each consent item ``(agreement id, consent id)`` for the people
    who use photos (teachers): one query however many children and items.

    Each parent's newest decision counts for that parent (a later "no" withdraws a "yes"), and when
    a child's parents disagree, "no" wins: a photo is used only when no parent has said no. The
    consent register (:mod:`eduplatform.classroom.consent_register`) follows the same rule. An item
    nobody has answered is left out of the child's mapping. Only children the actor may see in
    ``year`` are read; anyone else shows nothing answered.
    """
    child_ids, items = list(child_ids), list(dict.fromkeys(items))
    found: dict[int, dict[tuple[str, str], bool]] = {child_id: {} for child_id in child_ids}
    if not child_ids or not items:
        return found
    cd = ConsentDecision
    newest = func.row_number().over(partition_by=(cd.child_id, cd.parent_id, cd.agreement_id, cd.consent_id),
                                    order_by=(cd.decided_at.desc(), cd.id.desc())).label("newest")
    latest = (select(cd.child_id, cd.agreement_id, cd.consent_id, case((cd.given, 1), else_=0).label("yes"), newest)
              .where(cd.child_id.in_(child_ids), cd.agreement_id.in_(sorted({a for a, _ in items})),
                     cd.consent_id.in_(sorted({c for _, c in items})), visible_records(actor, cd.child_id, year))
              .subquery("latest_consent"))
    wanted = set(items)
    for child_id, agreement_id, consent_id, every_parent_said_yes in db.session.execute(
            select(latest.c.child_id, latest.c.agreement_id, latest.c.consent_id, func.min(latest.c.yes))
            .where(latest.c.newest == 1)
            .group_by(latest.c.child_id, latest.c.agreement_id, latest.c.consent_id)):
        if (agreement_id, consent_id) in wanted:
            found[child_id][(agreement_id, consent_id)] = bool(every_parent_said_yes)
    return found


@dataclass(frozen=True)
class MissedQuestion:
    module_id: str
    question_id: str
    #: Pupils who answered it wrong at least once, of those who answered it.
    pupils_wrong: int
    pupils_answered: int

    @property
    def percent_wrong(self) -> int:
        return round(100 * self.pupils_wrong / self.pupils_answered) if self.pupils_answered else 0


#: A question is listed only when at least this many pupils answered it: one pupil's slip is no pattern.
MIN_PUPILS_FOR_MISSED = 3


def most_missed_questions(actor: Any, user_ids: Iterable[int], year: AcademicYear,
                          limit: int = 5) -> list[MissedQuestion]:
    """The quiz questions most of these pupils got wrong in ``year`` (a GROUP BY in the database), by the
    share who got them wrong, among questions at least :data:`MIN_PUPILS_FOR_MISSED` pupils answered.

    Only attempts of pupils the actor may see are counted.
    """
    from eduplatform.records.models import QuizAnswer

    wrong = func.count(func.distinct(case((QuizAnswer.is_correct.is_(False), QuizAttempt.user_id))))
    answered = func.count(func.distinct(QuizAttempt.user_id))
    rows = db.session.execute(
        select(QuizAttempt.module_id, QuizAnswer.question_id, wrong, answered)
        .join(QuizAnswer, QuizAnswer.attempt_id == QuizAttempt.id)
        .where(QuizAttempt.user_id.in_(list(user_ids)), QuizAttempt.academic_year == year.start_year,
               visible_records(actor, QuizAttempt.user_id, year))
        .group_by(QuizAttempt.module_id, QuizAnswer.question_id)
        .having(wrong > 0, answered >= MIN_PUPILS_FOR_MISSED)
        .order_by((wrong * 1.0 / answered).desc(), wrong.desc(), QuizAttempt.module_id, QuizAnswer.question_id)
        .limit(limit)
    ).all()
    return [MissedQuestion(module_id, question_id, int(w), int(a)) for module_id, question_id, w, a in rows]
