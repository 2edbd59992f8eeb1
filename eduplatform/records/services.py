"""The one place learning records are written: lessons read, quiz attempts, signatures, completion.

Every function flushes and leaves the commit to the request (or CLI job), so an attempt, its
answers and the completion it earns are saved together or not at all.
"""

from __future__ import annotations

from sqlalchemy import exists, select

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import User
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.catalogue import current_catalogue
from eduplatform.catalogue.model import AgreementContent, Catalogue, Lesson, Module, Quiz
from eduplatform.db import db, utcnow
from eduplatform.records.certificates import issue_certificate
from eduplatform.records.completion import Progress, is_complete
from eduplatform.records.grading import QuizResult
from eduplatform.records.models import (
    AgreementSignature,
    Attendance,
    AttendanceKind,
    Attendee,
    CompletionMethod,
    CompletionStatus,
    ConsentDecision,
    LessonRead,
    ModuleCompletion,
    QuizAnswer,
    QuizAttempt,
    SignatureMethod,
)
from eduplatform.records.programme import ensure_programme_snapshot
from eduplatform.records.queries import (
    AgreementState,
    agreement_is_signed,
    agreement_statuses_for_many,
    attempts_today,
    current_consents,
)
from eduplatform.schools.models import SchoolClass


class NoAttemptsLeftError(Exception):
    """The learner has used every attempt the module allows this year."""


class DailyLimitReachedError(Exception):
    """The learner has used today's attempts at the module's quiz (``attempts_per_day``, for adults)."""


def _summary(user: User, module: Module, year: AcademicYear) -> ModuleCompletion:
    """The user's completion row for the module and year, created "in progress" when missing.

    Locked for the rest of the transaction (PostgreSQL; SQLite has one writer), so two requests of
    the same learner (two tabs, a double click) update it one after the other: no lost attempt
    count, no second row.
    """
    query = select(ModuleCompletion).where(
        ModuleCompletion.user_id == user.id, ModuleCompletion.module_id == module.id,
        ModuleCompletion.academic_year == year.start_year).with_for_update()
    row = db.session.scalar(query)
    if row is None:
        _keep_programme(user.school_id, year)
        row, _ = db.insert_unless_raced(
            ModuleCompletion(school_id=user.school_id, user_id=user.id, module_id=module.id,
                             academic_year=year.start_year, status=CompletionStatus.IN_PROGRESS, attempt_count=0),
            lambda: db.session.scalar(query))
    return row


def _keep_programme(school_id: int | None, year: AcademicYear) -> None:
    """Before a record of ``year``: store the school's programme for that year if not stored yet."""
    if school_id is not None:
        ensure_programme_snapshot(school_id, year, current_catalogue())


def current_progress(user: User, module: Module, year: AcademicYear, catalogue: Catalogue) -> Progress:
    """What the user has done towards ``module`` in ``year``, read from the records."""
    lessons = db.session.scalars(select(LessonRead.lesson_id).where(
        LessonRead.user_id == user.id, LessonRead.module_id == module.id,
        LessonRead.academic_year == year.start_year)).all()
    passed = db.session.scalar(select(exists().where(
        QuizAttempt.user_id == user.id, QuizAttempt.module_id == module.id,
        QuizAttempt.academic_year == year.start_year, QuizAttempt.passed.is_(True))))
    signed = bool(module.agreement_id) and agreement_is_signed(
        user, catalogue.agreements[module.agreement_id], catalogue, year)
    return Progress(lessons_read=frozenset(lessons), quiz_passed=bool(passed), agreement_signed=signed)


def _complete_if_rule_met(user: User, module: Module, year: AcademicYear, catalogue: Catalogue,
                          summary: ModuleCompletion) -> None:
    if summary.status is CompletionStatus.COMPLETED:
        return
    if is_complete(module, current_progress(user, module, year, catalogue)):
        summary.status = CompletionStatus.COMPLETED
        summary.completed_at = utcnow()
        summary.method = CompletionMethod.SELF
        summary.recorded_by_id = user.id
        db.session.flush()
        issue_certificate(user, module, summary, catalogue, year)


def record_completion_for(user: User, module: Module, year: AcademicYear, recorded_by: User,
                          method: CompletionMethod) -> ModuleCompletion:
    """Mark a module complete on someone else's word (a teacher-led session, attendance).

    An existing completion this year is kept as it was. Callers: classroom services.
    """
    summary = _summary(user, module, year)
    if summary.status is not CompletionStatus.COMPLETED:
        summary.status = CompletionStatus.COMPLETED
        summary.completed_at = utcnow()
        summary.method = method
        summary.recorded_by_id = recorded_by.id
        db.session.flush()
        issue_certificate(user, module, summary, current_catalogue(), year)
    return summary


def record_attendance(kind: AttendanceKind, leader: User, school_id: int, present: list[User], year: AcademicYear,
                      *, school_class: SchoolClass | None = None, module_id: str | None = None,
                      agreement_id: str | None = None) -> Attendance:
    """Record that a group met, who led it and who was there (nothing else follows from it here).

    Callers: :func:`record_teacher_led_session`, :func:`record_class_signing` (and workshops later).
    """
    _keep_programme(school_id, year)
    attendance = Attendance(school_id=school_id, kind=kind, class_id=school_class.id if school_class else None,
                            led_by_id=leader.id, module_id=module_id, agreement_id=agreement_id,
                            academic_year=year.start_year,
                            attendees=[Attendee(user_id=person.id) for person in present])
    db.session.add(attendance)
    db.session.flush()
    return attendance


def add_attendee(attendance: Attendance, person: User) -> None:
    """Add one more person to a group's attendance (nothing happens when they are already on it).

    Callers: workshops, as attendees arrive one by one (:mod:`eduplatform.workshops.attendance`).
    """
    already = db.session.scalar(select(exists().where(Attendee.attendance_id == attendance.id,
                                                      Attendee.user_id == person.id)))
    if not already:
        db.session.add(Attendee(attendance_id=attendance.id, user_id=person.id))
        db.session.flush()


def record_teacher_led_session(teacher: User, school_class: SchoolClass, module: Module, present: list[User],
                               year: AcademicYear) -> Attendance:
    """The teacher taught ``module`` to the class: every pupil present completes it, teacher-led.

    Callers: the classroom view, for a teacher of the class (or its school's coordinator); the
    caller has checked that ``present`` are pupils of ``school_class``.
    """
    attendance = record_attendance(AttendanceKind.CLASS_SESSION, teacher, school_class.school_id, present, year,
                                   school_class=school_class, module_id=module.id)
    for pupil in present:
        record_completion_for(pupil, module, year, recorded_by=teacher, method=CompletionMethod.TEACHER_LED)
    return attendance


def record_class_signing(teacher: User, school_class: SchoolClass, content: AgreementContent, present: list[User],
                         year: AcademicYear, catalogue: Catalogue) -> tuple[Attendance, int]:
    """The class agreed together: each present pupil signs, with the teacher as witness.

    Pupils whose signature of this version still counts are not signed twice. Returns the
    attendance and how many signatures were recorded. Callers: the classroom view, as above.
    """
    agreement = catalogue.agreements[content.agreement_id]
    statuses = agreement_statuses_for_many(teacher, [p.id for p in present], [agreement], catalogue, year)
    attendance = record_attendance(AttendanceKind.CLASS_SIGNING, teacher, school_class.school_id, present, year,
                                   school_class=school_class, agreement_id=agreement.id)
    signed = 0
    for pupil in present:
        if statuses[pupil.id][agreement.id].state is not AgreementState.SIGNED:
            record_signature(pupil, content, SignatureMethod.WITNESSED, year, catalogue, witness=teacher)
            signed += 1
    return attendance, signed


def record_lesson_read(user: User, module: Module, lesson: Lesson, year: AcademicYear,
                       catalogue: Catalogue) -> None:
    """Note that ``user`` finished reading ``lesson`` (once per year). Callers: the lesson view."""
    summary = _summary(user, module, year)  # locks the learner's row for this module first
    already = db.session.scalar(select(exists().where(
        LessonRead.user_id == user.id, LessonRead.lesson_id == lesson.id,
        LessonRead.academic_year == year.start_year)))
    if not already:
        db.session.add(LessonRead(school_id=user.school_id, user_id=user.id, module_id=module.id,
                                  lesson_id=lesson.id, lesson_version=lesson.version,
                                  academic_year=year.start_year))
        db.session.flush()
    _complete_if_rule_met(user, module, year, catalogue, summary)


def find_attempt(user: User, submission_token: str) -> QuizAttempt | None:
    return db.session.scalar(select(QuizAttempt).where(
        QuizAttempt.user_id == user.id, QuizAttempt.submission_token == submission_token))


def record_quiz_attempt(user: User, module: Module, quiz: Quiz, result: QuizResult, submission_token: str,
                        year: AcademicYear, catalogue: Catalogue) -> QuizAttempt:
    """Save an attempt with every answer, update the module summary and completion.

    The same ``submission_token`` submitted twice (a double click, a resubmitted form) returns the
    first attempt and records nothing more. Raises :class:`NoAttemptsLeftError` when the module's
    attempts for the year are used up, and :class:`DailyLimitReachedError` when today's are (both
    checked under the learner's row lock, so parallel submissions cannot pass a limit).

    ``quiz`` and ``result`` are the quiz as the attempt showed it
    (:func:`eduplatform.records.quiz_draw.quiz_for_attempt`): each answer keeps the option order
    shown. Callers: the quiz view.
    """
    existing = find_attempt(user, submission_token)
    if existing is not None:
        return existing
    summary = _summary(user, module, year)  # locked: parallel submissions are counted one by one
    if module.max_attempts is not None and summary.attempt_count >= module.max_attempts:
        raise NoAttemptsLeftError(module.id)
    if module.attempts_per_day is not None and attempts_today(user, module, year) >= module.attempts_per_day:
        raise DailyLimitReachedError(module.id)
    attempt = QuizAttempt(
        school_id=user.school_id, user_id=user.id, module_id=module.id, quiz_id=quiz.id,
        quiz_version=quiz.version, locale=quiz.locale, academic_year=year.start_year,
        submission_token=submission_token, score=result.score, max_score=result.max_score,
        percent=result.percent, passed=result.passed,
        answers=[QuizAnswer(position=position, question_id=item.question.id, strand=item.question.strand,
                            selected=list(item.selected), is_correct=item.is_correct,
                            shown_options=[option.id for option in item.question.options])
                 for position, item in enumerate(result.results)],
    )
    attempt, ours = db.insert_unless_raced(attempt, lambda: find_attempt(user, submission_token))
    if not ours:  # a concurrent submit of the same token won the race: that one is the attempt
        return attempt
    if summary.attempt_count == 0:
        summary.first_percent = result.percent
    summary.attempt_count += 1
    summary.best_percent = max(summary.best_percent or 0, result.percent)
    db.session.flush()
    _complete_if_rule_met(user, module, year, catalogue, summary)
    return attempt


def record_signature(user: User, content: AgreementContent, method: SignatureMethod, year: AcademicYear,
                     catalogue: Catalogue, typed_name: str | None = None,
                     witness: User | None = None) -> AgreementSignature:
    """Record that ``user`` signed the exact text ``content``; complete modules that needed it.

    Callers: the agreement view (the signer), and teachers witnessing a class signing together.
    """
    _keep_programme(user.school_id, year)
    signature = AgreementSignature(
        school_id=user.school_id, user_id=user.id, agreement_id=content.agreement_id,
        agreement_version=content.version, locale=content.locale, academic_year=year.start_year,
        method=method, typed_name=typed_name, witness_id=witness.id if witness else None,
    )
    db.session.add(signature)
    db.session.flush()
    for module in catalogue.modules_for(catalogue.audience_ids_of(user)):
        if module.agreement_id == content.agreement_id:
            summary = _summary(user, module, year)
            _complete_if_rule_met(user, module, year, catalogue, summary)
    return signature


def record_consent_choices(parent: User, content: AgreementContent, choices: dict[tuple[int, str], bool]) -> int:
    """Record a parent's consent choices per (child id, consent id); only changes add a row.

    Callers: the agreement views, for a parent's own linked children (checked by the caller
    through :func:`eduplatform.access.visible_users`). Returns how many choices changed.
    """
    current = current_consents({child_id for child_id, _ in choices})
    changed = 0
    for (child_id, consent_id), given in sorted(choices.items()):
        if current.get((child_id, consent_id)) is given:
            continue
        db.session.add(ConsentDecision(
            school_id=parent.school_id, parent_id=parent.id, child_id=child_id, agreement_id=content.agreement_id,
            consent_id=consent_id, agreement_version=content.version, given=given))
        record_event(AuditAction.CONSENT_CHANGED, actor=parent, school_id=parent.school_id, subject_user_id=child_id,
                     details={"agreement_id": content.agreement_id, "consent_id": consent_id, "given": given})
        changed += 1
    db.session.flush()
    return changed
