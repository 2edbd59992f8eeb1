"""The retention purge: what each school no longer keeps goes, the same code for a dry run and a real run.

For each school, with its periods (:func:`eduplatform.privacy.retention.effective_periods`):

* people whose period has passed are erased (:func:`eduplatform.privacy.erasure.erase`): pupils,
  staff (governors, coordinators) and parents that long after they left; visitors that long after
  their last visit (their last sign-in or signature, else when their account was made). A person
  holding several roles waits for the longest of their periods. People a hold applies to
  (:mod:`eduplatform.privacy.holds`) are kept and reported with the reasons;
* picture sign-in attempts, audit-log entries and set-up codes (counted from their expiry) older
  than their period are deleted;
* adults' lapsed first passwords are cleared from ``card_secret`` (the card cannot be used anyway).

One short transaction per school, committed at once on a real run, which also records
``PURGE_RUN`` for the school (counts only). A dry run counts the same rows and changes nothing.
Run it nightly: ``flask --app app purge`` (see the README).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, or_, select, update

from eduplatform.accounts.models import SetupCode, User, UserRole
from eduplatform.accounts.signin_guard import ADULT_FIRST_PASSWORD_DAYS
from eduplatform.audit.models import AuditAction, AuditEvent
from eduplatform.audit.services import record_event
from eduplatform.db import db, utcnow
from eduplatform.privacy.erasure import erase
from eduplatform.privacy.holds import STAFF_ROLES, holds_on
from eduplatform.privacy.retention import PEOPLE_KINDS, effective_periods
from eduplatform.records.models import AgreementSignature
from eduplatform.roles import Role
from eduplatform.schools.models import School
from eduplatform.signin.models import PictureSignInAttempt

#: What a school's counts are about, in report order: the people kinds, then the rows.
COUNTED = (*PEOPLE_KINDS, "sign_in_attempts", "audit_log", "setup_codes", "lapsed_first_passwords")


@dataclass(frozen=True)
class KeptPerson:
    """Someone whose period has passed but who must be kept, and why."""

    user_id: int
    name: str
    username: str
    kind: str
    reasons: tuple[str, ...]


@dataclass
class SchoolPurge:
    """One school's part of a run: what went (or would go), and who was kept."""

    school_id: int
    school_name: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTED, 0))
    kept: list[KeptPerson] = field(default_factory=list)


@dataclass
class PurgeReport:
    """A run of the purge over some schools."""

    today: date
    dry_run: bool
    schools: list[SchoolPurge] = field(default_factory=list)

    def total(self, kind: str) -> int:
        return sum(school.counts[kind] for school in self.schools)


def purge(today: date, *, dry_run: bool, school_ids: Iterable[int] | None = None) -> PurgeReport:
    """Remove (or, with ``dry_run``, count) what the schools' periods no longer keep on ``today``.

    Callers: ``flask purge`` (nightly), the retention page's preview (``dry_run``). A real run
    commits once per school; a dry run writes nothing.
    """
    query = select(School).order_by(School.name, School.id)
    if school_ids is not None:
        query = query.where(School.id.in_(list(school_ids)))
    report = PurgeReport(today=today, dry_run=dry_run)
    for school in db.session.scalars(query).all():
        report.schools.append(_purge_school(school, today, dry_run=dry_run))
        if not dry_run:
            db.session.commit()
    return report


def _cutoff(today: date, days: int) -> datetime:
    """The start of the day ``days`` before ``today``: anything before it is older than the period."""
    return datetime.combine(today - timedelta(days=days), time.min)


def _purge_school(school: School, today: date, *, dry_run: bool) -> SchoolPurge:
    periods = effective_periods(school.retention_periods)
    result = SchoolPurge(school.id, school.name)
    due, kinds = _people_due(school, periods, today)
    held = holds_on(due, today)
    for person in due:
        if person.id in held:
            result.kept.append(KeptPerson(person.id, person.display_name, person.username, kinds[person.id],
                                          tuple(held[person.id])))
            continue
        result.counts[kinds[person.id]] += 1
        if not dry_run:
            erase(person)
    in_school = User.school_id == school.id
    rows = {
        "sign_in_attempts": (PictureSignInAttempt, (PictureSignInAttempt.school_id == school.id,
                                                    PictureSignInAttempt.attempted_at < _cutoff(today, periods[
                                                        "sign_in_attempts"]))),
        "audit_log": (AuditEvent, (AuditEvent.school_id == school.id,
                                   AuditEvent.at < _cutoff(today, periods["audit_log"]))),
        "setup_codes": (SetupCode, (SetupCode.user_id.in_(select(User.id).where(in_school)),
                                    SetupCode.expires_at < _cutoff(today, periods["setup_codes"]))),
    }
    for kind, (model, conditions) in rows.items():
        result.counts[kind] = db.session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0
        if result.counts[kind] and not dry_run:
            db.session.execute(delete(model).where(*conditions))
    lapsed = _lapsed_first_passwords(school, today)
    result.counts["lapsed_first_passwords"] = db.session.scalar(
        select(func.count()).select_from(lapsed.subquery())) or 0
    if result.counts["lapsed_first_passwords"] and not dry_run:
        db.session.execute(update(User).where(User.id.in_(lapsed)).values(card_secret=None))
    if not dry_run:
        record_event(AuditAction.PURGE_RUN, school_id=school.id,
                     details={"today": today.isoformat(), "counts": dict(result.counts), "kept": len(result.kept)})
    return result


def _lapsed_first_passwords(school: School, today: date) -> Select[tuple[int]]:
    """Adults of the school whose printed first password has lapsed and is still stored for the card."""
    issued_before = datetime.combine(today, time.min) - timedelta(days=ADULT_FIRST_PASSWORD_DAYS)
    pupils = select(UserRole.user_id).where(UserRole.role == Role.PUPIL)
    return select(User.id).where(User.school_id == school.id, User.card_secret.is_not(None),
                                 User.must_change_password.is_(True), User.first_password_issued_at < issued_before,
                                 User.id.not_in(pupils))


def kind_of(roles: frozenset[Role], periods: dict[str, int]) -> str | None:
    """The retention kind of someone with ``roles``: the one with the longest period (None: no kind)."""
    kinds = [kind for kind, wanted in (("staff", bool(roles & STAFF_ROLES)), ("pupils", Role.PUPIL in roles),
                                       ("parents", Role.PARENT in roles), ("visitors", Role.VISITOR in roles))
             if wanted]
    return max(kinds, key=lambda kind: periods[kind]) if kinds else None


def _people_due(school: School, periods: dict[str, int], today: date) -> tuple[list[User], dict[int, str]]:
    """The school's people (not yet erased) whose period has passed, and each one's kind."""
    shortest = min(periods[kind] for kind in PEOPLE_KINDS)
    visitors = select(UserRole.user_id).where(UserRole.role == Role.VISITOR)
    people: Sequence[User] = db.session.scalars(
        select(User).where(User.school_id == school.id, User.erased_at.is_(None),
                           or_(User.left_at < _cutoff(today, shortest), User.id.in_(visitors)))
        .order_by(User.id)).all()
    last_visits = _last_visits([person.id for person in people if Role.VISITOR in person.roles])
    due: list[User] = []
    kinds: dict[int, str] = {}
    for person in people:
        kind = kind_of(person.roles, periods)
        if kind is None:
            continue
        if kind == "visitors":
            end = max(moment for moment in (person.created_at, person.left_at, last_visits.get(person.id))
                      if moment is not None)
        elif person.left_at is None:
            continue
        else:
            end = person.left_at
        if end < _cutoff(today, periods[kind]):
            due.append(person)
            kinds[person.id] = kind
    return due, kinds


def _last_visits(user_ids: list[int]) -> dict[int, datetime]:
    """Each visitor's last sign-in (in the audit log) or signature, whichever is later."""
    if not user_ids:
        return {}
    found: dict[int, datetime] = defaultdict(lambda: datetime.min)
    queries: list[Select[Any]] = [
        select(AuditEvent.actor_id, func.max(AuditEvent.at)).where(
            AuditEvent.actor_id.in_(user_ids), AuditEvent.action == AuditAction.SIGNED_IN.value)
        .group_by(AuditEvent.actor_id),
        select(AgreementSignature.user_id, func.max(AgreementSignature.signed_at)).where(
            AgreementSignature.user_id.in_(user_ids)).group_by(AgreementSignature.user_id),
    ]
    for query in queries:
        for user_id, moment in db.session.execute(query):
            if moment is not None and moment > found[user_id]:
                found[user_id] = moment
    return dict(found)


# --- Command line ------------------------------------------------------------------------------


def describe(report: PurgeReport) -> list[str]:
    """The report as lines for the terminal: per school the counts, then the people kept and why."""
    verb = "would remove" if report.dry_run else "removed"
    lines = [f"Retention purge for {report.today.isoformat()}{' (dry run: nothing changed)' if report.dry_run else ''}"]
    for school in report.schools:
        lines.append(f"{school.school_name} (id {school.school_id}):")
        lines.extend(f"  {verb} {school.counts[kind]} {_LABELS[kind]}" for kind in COUNTED)
        for kept in school.kept:
            lines.append(f"  kept {kept.name} ({kept.username}, {_LABELS[kept.kind]}):")
            lines.extend(f"    - {reason}" for reason in kept.reasons)
    if not report.schools:
        lines.append("No schools.")
    return lines


#: Plain labels of the counts, for the command line's report.
_LABELS = {"pupils": "pupils", "staff": "staff, governors or coordinators", "parents": "parents",
           "visitors": "visitors", "sign_in_attempts": "picture sign-in attempts", "audit_log": "audit-log entries",
           "setup_codes": "set-up codes", "lapsed_first_passwords": "lapsed first passwords (from login cards)"}


def register(app: Any) -> None:
    """Attach ``purge`` and ``erase-person`` to the app's CLI."""
    import click

    from eduplatform.academic_year import local_date
    from eduplatform.privacy.erasure import ErasureRefusedError, erase_on_request, plan_erasure

    @app.cli.command("purge")
    @click.option("--dry-run", is_flag=True, help="Count what would be removed; change nothing.")
    @click.option("--today", "today_text", metavar="YYYY-MM-DD", help="Run as on this day (default: today).")
    @click.option("--school", "school_id", type=int, help="Only this school (its id).")
    def purge_command(dry_run: bool, today_text: str | None, school_id: int | None) -> None:
        """Remove the personal data the schools' retention periods no longer keep. Run it nightly."""
        try:
            today = date.fromisoformat(today_text) if today_text else local_date(utcnow())
        except ValueError:
            raise click.BadParameter("give the day as YYYY-MM-DD, such as 2027-09-01", param_hint="--today") from None
        if school_id is not None and db.session.get(School, school_id) is None:
            raise click.BadParameter(f"there is no school with id {school_id}", param_hint="--school")
        report = purge(today, dry_run=dry_run, school_ids=None if school_id is None else [school_id])
        for line in describe(report):
            click.echo(line)

    @app.cli.command("erase-person")
    @click.argument("username")
    @click.option("--yes", is_flag=True, help="Really erase (without it, show what would be removed).")
    def erase_person_command(username: str, yes: bool) -> None:
        """Erase one person on request: their account becomes an anonymous stub; records stay anonymous."""
        person = db.session.scalar(select(User).where(User.username == username.strip().lower()))
        if person is None:
            raise click.ClickException(f"there is nobody with the username {username!r}")
        plan = plan_erasure(person)
        click.echo(f"{person.full_name} ({person.username}): {plan.removed_total} rows would be removed, "
                   f"{plan.kept_total} kept without their name.")
        if not yes:
            raise click.ClickException("nothing erased: add --yes to erase this person")
        try:
            done = erase_on_request(person, actor=None, today=local_date(utcnow()))
        except ErasureRefusedError as refused:
            raise click.ClickException("this person must be kept: " + " ".join(refused.reasons)) from None
        db.session.commit()
        click.echo(f"Erased: {done.removed_total} rows removed, {done.kept_total} kept without their name "
                   f"(the account is now {person.username}).")
