"""The demo school's staff and governor training: start dates, history and certificates, dated on purpose.

Every date is worked out from the day the demo is seeded, so the training record shows the same
mix whatever that day is: always some in date (green), some due within 30 days (amber) and some
overdue (red). The story, for Oakfield:

* the coordinator has been at the school for years and has done this year's refresher;
* the DSL (``dsl``) has been at the school for years; the local authority's DSL course she did
  elsewhere falls due for renewal in 20 days (amber); she has done this year's refresher;
* the deputy DSL (the teacher) did the platform's DSL module last year (in date for two years),
  but not yet this year's refresher (due by 31 October: upcoming, amber or overdue by the date);
* the named member of staff started 10 school days ago: induction due soon (amber); one teacher
  started 40 school days ago and has not done it (red); one started in September and has;
* the other staff, at the school for 1 to 15 years, did the induction when the school took up the
  platform last year (it counted as last year's refresher); about two in three have done this year's;
* governors: one renewed this year, one appointed three months ago has not been trained (red), two
  trained last year at different times, so they fall due through the year.

Completions go through the records services, like the site's own; then they, their quiz attempts
and their certificates are dated: the certificate's day, academic year and expiry follow its
completion, and earlier certificates are superseded by later ones in date order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, select

from eduplatform.academic_year import AcademicYear, local_date, zone
from eduplatform.accounts.models import User, UserRole
from eduplatform.catalogue.model import Catalogue
from eduplatform.catalogue.training import add_months, add_school_days
from eduplatform.db import db, utcnow
from eduplatform.demo.history import DemoHistory
from eduplatform.records.certificates import expiry_for_module
from eduplatform.records.external import record_external_training, rule_modules
from eduplatform.records.models import (
    Certificate,
    ModuleCompletion,
    QuizAttempt,
)
from eduplatform.roles import Role
from eduplatform.schools.models import School
from eduplatform.schools.years import time_zone_of

INDUCTION, REFRESHER, DSL, GOVERNORS = "staff-induction", "staff-refresher", "staff-dsl", "governors-online-safety"
DSL_COURSE = ("Northfield Safeguarding Children Partnership", "Two-day course for designated safeguarding leads.")


def school_days_before(day: date, school_days: int) -> date:
    """The day ``school_days`` weekdays before ``day`` (Saturdays and Sundays are skipped)."""
    left = school_days
    while left > 0:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


@dataclass(frozen=True)
class DemoStaff:
    """The named adults the story is about (the seeder made them)."""

    coordinator: User
    #: The Designated Safeguarding Lead (a member of staff holding the duty; not the coordinator).
    dsl: User
    deputy: User
    new_starter: User
    governor: User


class DemoTraining:
    """Writes the demo school's start dates and training history; see the module's story."""

    def __init__(self, history: DemoHistory, named: DemoStaff):
        self.history, self.named = history, named
        self.school, self.catalogue, self.rng = history.school, history.catalogue, history.rng
        self.this_year, self.last_year = history.this_year, history.last_year
        self.zone = time_zone_of(self.school)
        self.today = local_date(utcnow(), self.zone)
        others = [person for person in self._holders(Role.STAFF) if person not in (
            named.coordinator, named.dsl, named.deputy, named.new_starter)]
        #: Class teachers: two started lately (one 40 school days ago, one in September), the rest long ago.
        self.late_starter, self.september_starter = (others + [None, None])[:2]
        self.class_veterans = others[2:]
        self.veterans = [named.coordinator, named.dsl, named.deputy, *self.class_veterans]
        governors = [person for person in self._holders(Role.GOVERNOR) if person is not named.governor]
        #: Governors besides the named one: newly appointed, trained early last year, trained late last year.
        self.new_governor, self.autumn_governor, self.summer_governor = (governors + [None, None, None])[:3]

    def _holders(self, role: Role) -> list[User]:
        return list(db.session.scalars(select(User).join(UserRole, UserRole.user_id == User.id)
                                       .where(User.school_id == self.school.id, UserRole.role == role)
                                       .order_by(User.id)))

    # --- Start dates ----------------------------------------------------------------------------

    def set_start_dates(self) -> None:
        """Start dates (the roster's ``start_date``) that vary; new starters' accounts made the day they started.

        Call after :meth:`DemoHistory.backdate_people`, before any records are written.
        """
        last_september = self.last_year.first_day
        self.named.coordinator.started_on = date(self.this_year.start_year - 9, 9, 1)
        self.named.dsl.started_on = date(self.this_year.start_year - 12, 9, 1)
        self.named.deputy.started_on = date(self.this_year.start_year - 4, 1, 6)
        for veteran in self.class_veterans:
            veteran.started_on = last_september - timedelta(days=self.rng.randint(30, 15 * 365))
        first_school_day = add_school_days(self.this_year.first_day - timedelta(days=1), 1)
        self._joined(self.named.new_starter, school_days_before(self.today, 10))
        self._joined(self.late_starter, school_days_before(self.today, 40))
        self._joined(self.september_starter, min(first_school_day, self.today))
        self.named.governor.started_on = date(self.this_year.start_year - 4, 3, 1)
        self._joined(self.new_governor, add_months(self.today, -3))
        for governor, years in ((self.autumn_governor, 2), (self.summer_governor, 6)):
            if governor is not None:
                governor.started_on = date(self.this_year.start_year - years, 11, 1)
        db.session.flush()

    def _joined(self, person: User | None, day: date) -> None:
        if person is not None:
            person.started_on = day
            person.created_at = self._moment(day, 8)

    # --- Training -------------------------------------------------------------------------------

    def write_last_years_training(self) -> None:
        """Last year's training, dated (call after last year's other records are dated)."""
        september = self.last_year.first_day
        for veteran in self.veterans:
            self._complete(veteran, INDUCTION, september + timedelta(days=self.rng.randint(3, 45)))
        self._complete(self.named.deputy, DSL, september + timedelta(days=75))
        self._complete(self.named.governor, GOVERNORS, september + timedelta(days=40))
        self._complete(self.autumn_governor, GOVERNORS, september + timedelta(days=120))
        self._complete(self.summer_governor, GOVERNORS, september + timedelta(days=270))

    def write_this_years_training(self) -> None:
        """This year's training to date, and the DSL's course done elsewhere (call after this year's
        other records are dated)."""
        self._complete(self.named.coordinator, REFRESHER, self._this_year_day(10))
        self._complete(self.named.dsl, REFRESHER, self._this_year_day(8))
        for veteran in self.class_veterans:
            if self.rng.random() < 0.65:
                self._complete(veteran, REFRESHER, self._this_year_day(self.rng.randint(3, 60)))
        if self.september_starter is not None:
            self._complete(self.september_starter, INDUCTION,
                           min(self.september_starter.started_on + timedelta(days=3), self.today))
        # The named governor renews a fortnight before last year's training expires (or as soon as the year allows).
        renewal = add_months(self.last_year.first_day + timedelta(days=40), 12) - timedelta(days=15)
        self._complete(self.named.governor, GOVERNORS, min(max(renewal, self.this_year.first_day), self.today))
        self._done_elsewhere(self.named.dsl, DSL, add_months(self.today + timedelta(days=20), -24))

    def _this_year_day(self, days_in: int) -> date:
        return min(self.this_year.first_day + timedelta(days=days_in), self.today)

    def _complete(self, person: User | None, module_id: str, day: date) -> None:
        """``person`` completes the module on ``day`` (quiz passed, then the completion), dated that day."""
        module = self.catalogue.modules.get(module_id)
        if person is None or module is None:
            return
        year = AcademicYear.containing(day)
        self.history.complete(person, module, year)
        moment = self._moment(day, self.rng.randint(9, 16))
        completion = db.session.scalar(select(ModuleCompletion).where(
            ModuleCompletion.user_id == person.id, ModuleCompletion.module_id == module_id,
            ModuleCompletion.academic_year == year.start_year))
        completion.started_at, completion.completed_at = moment - timedelta(hours=1), moment
        for attempt in db.session.scalars(select(QuizAttempt).where(
                QuizAttempt.user_id == person.id, QuizAttempt.module_id == module_id,
                QuizAttempt.academic_year == year.start_year)):
            attempt.submitted_at = moment - timedelta(minutes=5)
        db.session.flush()

    def _done_elsewhere(self, person: User, module_id: str, day: date) -> None:
        """Training done elsewhere, recorded by the coordinator through the records service."""
        if module_id in rule_modules(self.catalogue):
            provider, note = DSL_COURSE
            record_external_training(person, module_id=module_id, completed_on=day, provider=provider, note=note,
                                     today=self.today, catalogue=self.catalogue, actor=self.named.coordinator)

    def _moment(self, day: date, hour: int) -> datetime:
        """``hour`` o'clock on ``day`` in the school's time zone, stored as UTC; never later than now."""
        local = datetime.combine(day, time(hour)).replace(tzinfo=zone(self.zone))
        return min(local.astimezone(UTC).replace(tzinfo=None), utcnow())


def date_certificates(school: School, catalogue: Catalogue) -> None:
    """Date the school's certificates as their completions: the day, the academic year, the expiry
    with the school's periods and the issue time; then supersede each holder's earlier certificate of
    a module by the next one, in date order.

    The records services issue a certificate the moment a completion is recorded; the demo writes
    past years' completions today and dates them afterwards, so their certificates follow here.
    """
    time_zone = time_zone_of(school)
    rows = db.session.execute(
        select(Certificate, ModuleCompletion.completed_at)
        .join(ModuleCompletion, and_(ModuleCompletion.user_id == Certificate.user_id,
                                     ModuleCompletion.module_id == Certificate.module_id,
                                     ModuleCompletion.academic_year == Certificate.academic_year))
        .where(Certificate.school_id == school.id, ModuleCompletion.completed_at.is_not(None))).all()
    chains: dict[tuple[int, str], list[Certificate]] = defaultdict(list)
    for certificate, completed_at in rows:
        day = local_date(completed_at, time_zone)
        certificate.completed_on = day
        certificate.academic_year = AcademicYear.containing(day).start_year
        certificate.expires_on = expiry_for_module(catalogue, certificate.module_id, school.training_periods, day)
        certificate.issued_at = completed_at
        chains[(certificate.user_id, certificate.module_id)].append(certificate)
    for chain in chains.values():
        chain.sort(key=lambda certificate: (certificate.completed_on, certificate.id))
        for older, newer in zip(chain, chain[1:], strict=False):
            older.superseded_by_id = newer.id
        chain[-1].superseded_by_id = None
    db.session.flush()
