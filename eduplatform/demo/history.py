"""Two years of believable records for the demo school: last year complete and signed, this year under way.

Built through the records services (the same writes a pupil's quiz or a teacher's session make),
so the demo's figures come from real records: last year's classes, completions, quiz attempts
with answers, agreements, consents and a signed audit; this year's autumn term in progress.
Deterministic for a given random generator.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import ParentLink, User
from eduplatform.catalogue.model import Catalogue, Module
from eduplatform.db import db, utcnow
from eduplatform.records import services
from eduplatform.records.grading import grade
from eduplatform.records.models import (
    AgreementSignature,
    Attendance,
    CompletionMethod,
    ConsentDecision,
    LessonRead,
    ModuleCompletion,
    QuizAttempt,
    SignatureMethod,
)
from eduplatform.records.quiz_draw import quiz_for_attempt
from eduplatform.roles import Role
from eduplatform.schools.models import School, SchoolClass
from eduplatform.schools.services import assign_teacher, create_class, enrol_pupil

#: How likely a module is done: last year (finished), and this year by term (autumn under way).
DONE_LAST_YEAR = 0.86
DONE_THIS_YEAR = {"autumn": 0.62, "spring": 0.08, "summer": 0.0, None: 0.0}
#: Strands pupils find harder in the demo, so the audit has weakest strands to show.
HARDER_STRANDS = {"copyright_ownership": 0.2, "managing_online_information": 0.15}


class DemoHistory:
    """Writes the demo school's records for last year and this year."""

    def __init__(self, school: School, catalogue: Catalogue, rng: random.Random, this_year: AcademicYear):
        self.school, self.catalogue, self.rng = school, catalogue, rng
        self.this_year, self.last_year = this_year, this_year.shifted(-1)
        self.tokens = 0
        #: Modules the training rules count: adults' completions of them are written by demo/training.py.
        self.training_modules = {module for rule in catalogue.training_rules for module in rule.counted_modules}

    # --- People and classes ------------------------------------------------------------------------

    def backdate_people(self) -> None:
        """Everyone joined before last year began, except this year's Reception pupils."""
        joined = datetime.combine(self.last_year.first_day, datetime.min.time()) - timedelta(days=20)
        db.session.execute(update(User).where(User.school_id == self.school.id).values(created_at=joined))
        this_september = datetime.combine(self.this_year.first_day, datetime.min.time())
        db.session.execute(update(User).where(User.school_id == self.school.id, User.year_group == 0)
                           .values(created_at=this_september))
        db.session.flush()

    def last_years_classes(self, classes: dict[int, SchoolClass]) -> dict[int, SchoolClass]:
        """Each current class (Year 1 up) was last year's class of the year group below, with its teachers."""
        from eduplatform.schools.models import ClassTeacher

        made: dict[int, SchoolClass] = {}
        for year_group, current in sorted(classes.items()):
            if year_group < 1:
                continue
            below = classes.get(year_group - 1)
            name = below.name if below else f"Year {year_group - 1}"
            old = create_class(school=self.school, name=name, year_group=year_group - 1, year=self.last_year)
            for pupil in self._pupils(current):
                enrol_pupil(old, pupil)
            teachers = db.session.scalars(select(User).join(ClassTeacher, ClassTeacher.user_id == User.id)
                                          .where(ClassTeacher.class_id == (below or current).id)).all()
            for teacher in teachers:
                assign_teacher(old, teacher)
            made[year_group - 1] = old
        return made

    @staticmethod
    def _pupils(school_class: SchoolClass) -> list[User]:
        from eduplatform.schools.queries import pupils_of

        return pupils_of(school_class)

    # --- One year's records ---------------------------------------------------------------------

    def year_of_records(self, year: AcademicYear, classes: dict[int, SchoolClass], *, finished: bool) -> None:
        """Completions, attempts, agreements and consents for every class and adult of the school."""
        for _year_group, school_class in sorted(classes.items()):
            pupils = self._pupils(school_class)
            teacher = self._teacher_of(school_class)
            audience_ids = self.catalogue.pupil_audience_ids({school_class.year_group})
            for module in self.catalogue.modules_for(audience_ids):
                chance = DONE_LAST_YEAR if finished else DONE_THIS_YEAR[self._term(module)]
                led = teacher is not None and school_class.year_group is not None and school_class.year_group <= 2
                if led and self.rng.random() < chance:
                    present = [p for p in pupils if self.rng.random() < 0.92]
                    if present:
                        services.record_teacher_led_session(teacher, school_class, module, present, year)
                    self._quizzes(pupils, module, year, chance)
                    continue
                for pupil in pupils:
                    if self.rng.random() < chance:
                        self.complete(pupil, module, year)
            self._agreements(pupils, audience_ids, year, finished, teacher, school_class)
        self._adults(year, finished)

    def _term(self, module: Module) -> str | None:
        term = self.catalogue.schedule.term_of.get(module.id)
        return term.value if term else None

    def _teacher_of(self, school_class: SchoolClass) -> User | None:
        from eduplatform.schools.models import ClassTeacher

        return db.session.scalar(select(User).join(ClassTeacher, ClassTeacher.user_id == User.id)
                                 .where(ClassTeacher.class_id == school_class.id).order_by(User.id).limit(1))

    def complete(self, person: User, module: Module, year: AcademicYear, method: CompletionMethod =
                 CompletionMethod.SELF) -> None:
        """``person`` completes ``module`` in ``year``: a passing quiz attempt (where it has a quiz), then the
        completion."""
        if module.has_quiz:
            self._attempt(person, module, year, passing=True)
        services.record_completion_for(person, module, year, recorded_by=person, method=method)

    def _quizzes(self, pupils: list[User], module: Module, year: AcademicYear, chance: float) -> None:
        if module.has_quiz:
            for pupil in pupils:
                if self.rng.random() < chance * 0.8:
                    self._attempt(pupil, module, year, passing=self.rng.random() < 0.8)

    def _attempt(self, person: User, module: Module, year: AcademicYear, *, passing: bool) -> None:
        quiz = self.catalogue.module_content(module.id, self.catalogue.fallback_locale).quiz
        if quiz is None:
            return
        tries = 2 if self.rng.random() < 0.25 else 1
        for attempt in range(tries):
            skill = 0.68 + 0.12 * attempt + (0.15 if passing else -0.2)
            responses = {}
            for question in quiz.questions:
                right = self.rng.random() < skill - HARDER_STRANDS.get(question.strand, 0.0)
                options = [o.id for o in question.options if o.correct == right] or [question.options[0].id]
                responses[question.id] = list(question.correct_option_ids) if right else [self.rng.choice(options)]
            self.tokens += 1
            token = f"demo-{self.tokens}"
            shown = quiz_for_attempt(quiz, token, module.questions_per_attempt)  # as the quiz page would draw
            services.record_quiz_attempt(person, module, shown, grade(shown, responses, module.pass_mark),
                                         token, year, self.catalogue)

    def _agreements(self, pupils: list[User], audience_ids: frozenset[str], year: AcademicYear, finished: bool,
                    teacher: User | None, school_class: SchoolClass) -> None:
        for agreement in self.catalogue.agreements_for(audience_ids):
            content = self.catalogue.agreement_content(agreement.id, self.catalogue.fallback_locale)
            if agreement.class_signing and teacher is not None:
                present = [p for p in pupils if self.rng.random() < (0.95 if finished else 0.8)]
                if present:
                    services.record_class_signing(teacher, school_class, content, present, year, self.catalogue)
                continue
            for pupil in pupils:
                if self.rng.random() < (0.93 if finished else 0.7):
                    services.record_signature(pupil, content, SignatureMethod.TICKED, year, self.catalogue)

    def _adults(self, year: AcademicYear, finished: bool) -> None:
        """Adults' modules and agreements by chance; new starters (joined since the year began) and the
        training rules' modules are left to :mod:`eduplatform.demo.training`, which dates them on purpose."""
        began = datetime.combine(year.first_day, datetime.min.time())
        adults = db.session.scalars(select(User).where(User.school_id == self.school.id, User.year_group.is_(None),
                                                       User.left_at.is_(None), User.created_at <= began)
                                    .order_by(User.id)).all()
        for person in adults:
            roles = person.roles
            audience_ids = self.catalogue.audience_ids_of(person)
            keen = 0.9 if finished else 0.6
            if Role.PARENT in roles and not roles & {Role.STAFF, Role.COORDINATOR}:
                keen = 0.45 if finished else 0.25
            for module in self.catalogue.modules_for(audience_ids):
                if module.id in self.training_modules:
                    continue
                if self.rng.random() < (keen if finished else keen * (1 if self._term(module) == "autumn" else .1)):
                    method = CompletionMethod.ATTENDED if Role.PARENT in roles and self.rng.random() < .5 \
                        else CompletionMethod.SELF
                    self.complete(person, module, year, method)
            for agreement in self.catalogue.agreements_for(audience_ids):
                if self.rng.random() < (0.95 if finished else 0.75) * (0.7 if Role.PARENT in roles else 1):
                    content = self.catalogue.agreement_content(agreement.id, self.catalogue.fallback_locale)
                    services.record_signature(person, content, SignatureMethod.TYPED_NAME, year, self.catalogue,
                                              typed_name=person.full_name)
                    if content.consents and Role.PARENT in roles:
                        self._consents(person, content)

    def _consents(self, parent: User, content: Any) -> None:
        children = db.session.scalars(select(ParentLink.child_id).where(ParentLink.parent_id == parent.id)).all()
        choices = {(child, item.id): self.rng.random() < 0.8 for child in children for item in content.consents}
        services.record_consent_choices(parent, content, choices)

    # --- Dates ----------------------------------------------------------------------------------

    def date_last_years_records(self) -> None:
        """Give last year's records dates in last year (the services stamp them with today)."""
        start = datetime.combine(self.last_year.first_day, datetime.min.time()) + timedelta(days=10)
        self._date_records(self.last_year, start, days=290, consents_since=None)

    def date_this_years_records(self, today: date) -> None:
        """Give this year's records dates from 1 September to today, never later than now."""
        start = datetime.combine(self.this_year.first_day, datetime.min.time())
        self._date_records(self.this_year, start, days=(today - self.this_year.first_day).days, consents_since=start)

    def _date_records(self, year: AcademicYear, start: datetime, *, days: int, consents_since: datetime | None) -> None:
        """Date the year's records at random school hours in ``days`` days from ``start``; consent
        decisions made since ``consents_since`` (every one of the school's, when None) likewise."""
        now = utcnow()

        def when() -> datetime:
            return min(start + timedelta(days=self.rng.randint(0, days), hours=self.rng.randint(8, 15)), now)

        for model, column in ((ModuleCompletion, "completed_at"), (QuizAttempt, "submitted_at"),
                              (AgreementSignature, "signed_at"), (LessonRead, "read_at")):
            for row in db.session.scalars(select(model).where(model.academic_year == year.start_year,
                                                              model.school_id == self.school.id)):
                moment = when()
                if getattr(row, column) is not None:
                    setattr(row, column, moment)
                if model is ModuleCompletion:
                    row.started_at = moment - timedelta(days=3)
        decisions = select(ConsentDecision).where(ConsentDecision.school_id == self.school.id)
        if consents_since is not None:
            decisions = decisions.where(ConsentDecision.decided_at >= consents_since)
        for decision in db.session.scalars(decisions):
            decision.decided_at = when()
        for attendance in db.session.scalars(select(Attendance).where(Attendance.academic_year == year.start_year,
                                                                      Attendance.school_id == self.school.id)):
            attendance.held_at = when()
        db.session.flush()


# --- Last year's audit, signed ------------------------------------------------------------------

DEMO_ACTIONS = (
    ("Run a parents' workshop on gaming and chat in the spring term", "Online-safety coordinator", 3),
    ("Teach copyright and ownership again in Key Stage 2, with a class project", "Key Stage 2 lead", 5),
    ("Check the filtering reports each half term and log what was found", "Network manager", 1),
)


def sign_last_years_audit(school: School, coordinator: User, catalogue: Catalogue, rng: random.Random,
                          last_year: AcademicYear) -> None:
    """Rate every aspect, write an action plan and sign last year's audit, as a coordinator would."""
    from datetime import date

    from eduplatform.reports import services as audit_services
    from eduplatform.reports.audit_build import build_audit
    from eduplatform.reports.scope import build_scope

    for aspect in catalogue.self_review.aspects:
        audit_services.rate_aspect(school.id, last_year, aspect.id, level=rng.choice((2, 2, 3, 3, 4)),
                                   commentary="", evidence=None, editor=coordinator)
    for action, owner, months in DEMO_ACTIONS:
        audit_services.add_action(school.id, last_year, action=action, owner=owner,
                                  due_on=date(last_year.start_year + 1, 9, 1) + timedelta(days=30 * months))
    review = audit_services.find_review(school.id, last_year)
    audit = build_audit(build_scope([school], last_year, catalogue), catalogue, catalogue.fallback_locale, review)
    audit_services.sign_off(school.id, last_year, audit, coordinator=coordinator,
                            coordinator_name=coordinator.full_name, chair_name="Judith Whitfield",
                            chair_signed_on=date(last_year.start_year + 1, 7, 8))
