"""Who ``send-reminders`` emails, about what, and the record of what was sent.

For each school, :func:`plan_school` reads the training record (one call of
:func:`eduplatform.compliance.queries.training_record`) and decides:

- **reminders**: each adult with an email address gets one email listing their requirements that
  are due within 30 days or overdue, leaving out any requirement they were reminded about in the
  last 7 days (nothing left: no email);
- **digests**: each coordinator gets at most one digest a week: the counts by status per rule and
  the people overdue or due soon (nobody due or overdue: no digest);
- **without email**: the people who would have been emailed but have no address.

:func:`record_sent` writes the :class:`~eduplatform.compliance.models.ReminderSent` rows of one
message, in its own commit, once the mail server has accepted it. The emails themselves are built by
:mod:`eduplatform.compliance.reminder_mail`; the command is in :mod:`eduplatform.compliance.cli`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import select

from eduplatform.accounts.models import User, UserRole
from eduplatform.catalogue.model import Catalogue
from eduplatform.compliance.models import ReminderSent
from eduplatform.compliance.queries import LISTED_ROLES, PersonTraining, training_record
from eduplatform.compliance.status import TrainingStatus
from eduplatform.db import db
from eduplatform.mail import recipient_locale
from eduplatform.roles import Role
from eduplatform.schools.models import School

#: A person hears about one requirement at most once in this many days; a coordinator gets one digest.
REMIND_EVERY_DAYS = 7
#: The statuses counted in the digest, in its column order.
DIGEST_STATUSES = (TrainingStatus.OVERDUE, TrainingStatus.DUE_SOON, TrainingStatus.UPCOMING,
                   TrainingStatus.IN_DATE)


class MailKind(StrEnum):
    """What a :class:`ReminderSent` row records (its ``kind`` column)."""

    REMINDER = "reminder"
    DIGEST = "digest"


@dataclass(frozen=True)
class Recipient:
    """Someone an email is for, in their own language."""

    user_id: int
    first_name: str
    full_name: str
    username: str
    #: None: no address, so nothing can be sent.
    email: str | None
    locale: str


@dataclass(frozen=True)
class DueItem:
    """One requirement to act on: its rule, the module or agreement, whether overdue, and the due day."""

    rule_id: str
    item_id: str
    #: A module (``True``) or an agreement.
    is_module: bool
    status: TrainingStatus
    due_on: date | None

    @property
    def overdue(self) -> bool:
        return self.status is TrainingStatus.OVERDUE


@dataclass(frozen=True)
class Outgoing:
    """One email to send: a reminder (with the person's items) or a coordinator's digest."""

    kind: MailKind
    recipient: Recipient
    #: Reminders: what the email lists (and what is recorded as sent). Digests: empty.
    items: tuple[DueItem, ...] = ()


@dataclass(frozen=True)
class DigestPerson:
    """One line of the digest's lists."""

    full_name: str
    item: DueItem


@dataclass(frozen=True)
class RuleCounts:
    """How many people stand where against one rule (people it does not apply to are not counted)."""

    rule_id: str
    item_id: str
    is_module: bool
    counts: dict[TrainingStatus, int]


@dataclass(frozen=True)
class Digest:
    """What a coordinator's weekly digest says about their school."""

    rules: tuple[RuleCounts, ...]
    overdue: tuple[DigestPerson, ...]
    due_soon: tuple[DigestPerson, ...]


@dataclass(frozen=True)
class SchoolPlan:
    """Everything one school's run sends, and whom it cannot reach."""

    school_id: int
    school_name: str
    school_slug: str
    today: date
    outgoing: tuple[Outgoing, ...]
    digest: Digest | None
    #: People who would have had an email (reminder or digest) but have no address.
    without_email: tuple[Recipient, ...]


def plan_school(catalogue: Catalogue, school: School, today: date, offered: Sequence[str],
                site_default: str) -> SchoolPlan:
    """What ``send-reminders`` sends for ``school`` on ``today`` (read only; nothing is written)."""
    record = training_record(catalogue, [school.id], today)
    recipients = _recipients(school, offered, site_default) if record else {}
    recent = _recently_sent(school.id, today)
    outgoing: list[Outgoing] = []
    without_email: list[Recipient] = []
    for person in record:
        recipient = recipients[person.user_id]
        items = [item for item in _due_items(catalogue, person)
                 if (MailKind.REMINDER, person.user_id, item.rule_id) not in recent]
        if not items:
            continue
        if recipient.email is None:
            without_email.append(recipient)
        else:
            outgoing.append(Outgoing(MailKind.REMINDER, recipient, tuple(items)))
    digest = _digest(catalogue, record)
    if digest is not None:
        for person in record:
            if Role.COORDINATOR.value not in person.roles or (MailKind.DIGEST, person.user_id, None) in recent:
                continue
            recipient = recipients[person.user_id]
            if recipient.email is None:
                without_email.append(recipient)
            else:
                outgoing.append(Outgoing(MailKind.DIGEST, recipient))
    return SchoolPlan(school.id, school.name, school.slug, today, tuple(outgoing), digest, tuple(without_email))


def _due_items(catalogue: Catalogue, person: PersonTraining) -> list[DueItem]:
    """The person's requirements that are overdue or due within 30 days, most urgent first."""
    items = []
    for cell in person.requirements:
        rule = catalogue.training_rule(cell.rule_id)
        if rule is None or not cell.status.needs_action:
            continue
        items.append(DueItem(rule.id, rule.item_id, rule.module_id is not None, cell.status, cell.due_on))
    return sorted(items, key=lambda item: (not item.overdue, item.due_on or date.max))


def _digest(catalogue: Catalogue, record: Sequence[PersonTraining]) -> Digest | None:
    """The school's digest, or None when nobody is due or overdue."""
    overdue: list[DigestPerson] = []
    due_soon: list[DigestPerson] = []
    for person in record:
        for item in _due_items(catalogue, person):
            (overdue if item.overdue else due_soon).append(DigestPerson(person.full_name, item))
    if not overdue and not due_soon:
        return None
    rules = []
    for rule in catalogue.training_rules:
        counts = Counter(cell.status for person in record if (cell := person.requirement(rule.id)) is not None)
        if sum(counts[status] for status in DIGEST_STATUSES):
            rules.append(RuleCounts(rule.id, rule.item_id, rule.module_id is not None,
                                    {status: counts[status] for status in DIGEST_STATUSES}))
    return Digest(tuple(rules), tuple(sorted(overdue, key=_by_due)), tuple(sorted(due_soon, key=_by_due)))


def _by_due(line: DigestPerson) -> tuple[date, str]:
    return line.item.due_on or date.max, line.full_name.lower()


def _recipients(school: School, offered: Sequence[str], site_default: str) -> dict[int, Recipient]:
    """Addresses and languages of the school's current adults (those its training record lists), in one query."""
    rows = db.session.execute(
        select(User.id, User.first_name, User.last_name, User.username, User.email, User.locale)
        .where(User.school_id == school.id, User.left_at.is_(None),
               User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(LISTED_ROLES)))))
    return {row.id: Recipient(
        user_id=row.id, first_name=row.first_name, full_name=f"{row.first_name} {row.last_name}".strip(),
        username=row.username, email=(row.email or "").strip() or None,
        locale=recipient_locale(row.locale, school.default_locale, offered, site_default)) for row in rows}


def _recently_sent(school_id: int, today: date) -> set[tuple[MailKind, int, str | None]]:
    """``(kind, user id, rule id)`` of what was sent in the last 7 days (a digest has no rule)."""
    since = today - timedelta(days=REMIND_EVERY_DAYS)
    rows = db.session.execute(
        select(ReminderSent.kind, ReminderSent.user_id, ReminderSent.rule_id)
        .where(ReminderSent.school_id == school_id, ReminderSent.sent_on > since))
    return {(MailKind(row.kind), row.user_id, row.rule_id) for row in rows}


def record_sent(plan: SchoolPlan, outgoing: Outgoing) -> None:
    """Record that the server accepted ``outgoing``, in a commit of its own, so a later crash keeps it.

    A reminder writes one row per requirement it listed; a digest one row without a rule. Callers:
    ``send-reminders``, only after the mail server accepted the message.
    """
    rule_ids: Sequence[str | None] = ([item.rule_id for item in outgoing.items]
                                      if outgoing.kind is MailKind.REMINDER else [None])
    for rule_id in rule_ids:
        db.session.add(ReminderSent(school_id=plan.school_id, user_id=outgoing.recipient.user_id,
                                    kind=outgoing.kind.value, rule_id=rule_id, sent_on=plan.today))
    db.session.commit()
