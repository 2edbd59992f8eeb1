"""One adult's training, for "My training" and the page about them that the coordinator opens: what
is due and when (most urgent first), what is in date until when, their history (completions of adults'
modules, training done elsewhere, agreements the rules name) and their certificates.

A fixed number of queries: the person's row of the training record and four reads of their records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from eduplatform.academic_year import local_date
from eduplatform.accounts.models import User
from eduplatform.catalogue.model import Catalogue, Learners
from eduplatform.catalogue.training import TrainingRule
from eduplatform.compliance.queries import EXTERNAL, SIGNED, training_record
from eduplatform.compliance.record import school_today
from eduplatform.compliance.status import RequirementStatus, TrainingStatus
from eduplatform.db import db
from eduplatform.records.models import (
    AgreementSignature,
    Certificate,
    CompletionStatus,
    ExternalTraining,
    ModuleCompletion,
)
from eduplatform.schools.years import time_zone_of

#: Still to do, most urgent first.
TO_DO = (TrainingStatus.OVERDUE, TrainingStatus.DUE_SOON, TrainingStatus.UPCOMING)


@dataclass(frozen=True)
class Requirement:
    """One rule the person must meet, where they stand, and what it is called."""

    rule: TrainingRule
    status: RequirementStatus
    title: str
    #: Titles of the other modules whose completion also counts (a new starter's induction counts as
    #: that year's refresher).
    also_counted: tuple[str, ...] = ()


@dataclass(frozen=True)
class HistoryEntry:
    """Something done towards the training: a completion, training done elsewhere, a signature."""

    on: date
    item_id: str
    title: str
    #: self, teacher_led, attended, imported, external or signed.
    method: str
    provider: str | None = None
    note: str | None = None
    #: The :class:`ExternalTraining` row, so a wrongly entered one can be removed.
    external_id: int | None = None


@dataclass(frozen=True)
class CertificateEntry:
    certificate: Certificate
    title: str
    #: current, superseded (renewed since) or expired.
    state: str


@dataclass(frozen=True)
class TrainingPage:
    person: User
    today: date
    #: Rules the person must meet and has still to do (overdue, due soon, upcoming), most urgent first.
    due: list[Requirement]
    #: Rules the person meets today.
    in_date: list[Requirement]
    #: Newest first.
    history: list[HistoryEntry]
    #: Newest first.
    certificates: list[CertificateEntry]
    #: The modules and agreements the person can open on the platform (their audiences'), for the
    #: "open the module" buttons; training outside these is done elsewhere.
    openable: frozenset[str] = frozenset()


def item_title(catalogue: Catalogue, item_id: str, locale: str) -> str:
    """A module's or agreement's title in ``locale``; its id when the programme no longer has it."""
    if item_id in catalogue.modules:
        return catalogue.module_content(item_id, locale).title
    if item_id in catalogue.agreements:
        return catalogue.agreement_content(item_id, locale).title
    return item_id


def rule_titles(catalogue: Catalogue, locale: str) -> dict[str, str]:
    """Each rule's name on the page: the title of the module (or agreement) it is about."""
    return {rule.id: item_title(catalogue, rule.item_id, locale) for rule in catalogue.training_rules}


def training_page(person: User, catalogue: Catalogue, locale: str) -> TrainingPage:
    """Everything "My training" shows about ``person`` (an adult; the views refuse pupils)."""
    school = person.school
    today = school_today(school)
    rows = training_record(catalogue, [person.school_id], today, user_ids=[person.id]) if school else []
    titles = rule_titles(catalogue, locale)
    requirements = [Requirement(catalogue.training_rules[index], cell, titles[cell.rule_id],
                                tuple(item_title(catalogue, other, locale)
                                      for other in catalogue.training_rules[index].also_counts))
                    for row in rows for index, cell in enumerate(row.requirements)
                    if cell.status is not TrainingStatus.NOT_REQUIRED]
    due = sorted((item for item in requirements if item.status.status in TO_DO),
                 key=lambda item: (TO_DO.index(item.status.status), item.status.due_on or date.max))
    in_date = [item for item in requirements if item.status.status is TrainingStatus.IN_DATE]
    audiences = catalogue.audience_ids_of(person)
    openable = frozenset(module.id for module in catalogue.modules_for(audiences)) | frozenset(
        agreement.id for agreement in catalogue.agreements_for(audiences))
    return TrainingPage(person=person, today=today, due=due, in_date=in_date,
                        history=_history(person, catalogue, locale, time_zone_of(school)),
                        certificates=_certificates(person, catalogue, locale, today), openable=openable)


def _history(person: User, catalogue: Catalogue, locale: str, time_zone: str) -> list[HistoryEntry]:
    adult_modules = [module.id for module in catalogue.modules.values()
                     if (audience := catalogue.audiences.get(module.audience)) is not None
                     and audience.learners is Learners.ADULTS]
    rule_agreements = sorted({rule.agreement_id for rule in catalogue.training_rules if rule.agreement_id})
    entries = [
        HistoryEntry(on=local_date(completed_at, time_zone), item_id=module_id,
                     title=item_title(catalogue, module_id, locale), method=str(method))
        for module_id, completed_at, method in db.session.execute(
            select(ModuleCompletion.module_id, ModuleCompletion.completed_at, ModuleCompletion.method).where(
                ModuleCompletion.user_id == person.id, ModuleCompletion.status == CompletionStatus.COMPLETED,
                ModuleCompletion.module_id.in_(adult_modules)))
        if completed_at is not None
    ]
    entries += [
        HistoryEntry(on=entry.completed_on, item_id=entry.module_id,
                     title=item_title(catalogue, entry.module_id, locale), method=EXTERNAL,
                     provider=entry.provider, note=entry.note, external_id=entry.id)
        for entry in db.session.scalars(select(ExternalTraining).where(ExternalTraining.user_id == person.id))
    ]
    if rule_agreements:
        entries += [
            HistoryEntry(on=local_date(signed_at, time_zone), item_id=agreement_id,
                         title=item_title(catalogue, agreement_id, locale), method=SIGNED)
            for agreement_id, signed_at in db.session.execute(
                select(AgreementSignature.agreement_id, AgreementSignature.signed_at).where(
                    AgreementSignature.user_id == person.id, AgreementSignature.agreement_id.in_(rule_agreements)))
        ]
    return sorted(entries, key=lambda entry: (entry.on, entry.external_id or 0), reverse=True)


def _certificates(person: User, catalogue: Catalogue, locale: str, today: date) -> list[CertificateEntry]:
    found = db.session.scalars(select(Certificate).where(Certificate.user_id == person.id)
                               .order_by(Certificate.issued_at.desc(), Certificate.id.desc()))
    return [CertificateEntry(certificate, item_title(catalogue, certificate.module_id, locale),
                             certificate_state(certificate, today)) for certificate in found]


def certificate_state(certificate: Certificate, today: date) -> str:
    """current, superseded (the holder completed the module again) or expired (past its expiry date)."""
    if certificate.superseded_by_id is not None:
        return "superseded"
    if certificate.expires_on is not None and certificate.expires_on < today:
        return "expired"
    return "current"
