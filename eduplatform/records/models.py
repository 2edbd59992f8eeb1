"""What the platform records about learning: the evidence that exports and the audit read.

Records point at content by its stable id and the version (hash) of the text the person saw,
never by a foreign key to a content row: content lives in files (see :mod:`eduplatform.catalogue`).
Every record carries its school and academic year.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any, Optional

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduplatform.db import Base, personal_data, utcnow


def _enum(enum_class: type[StrEnum], name: str) -> Enum:
    return Enum(enum_class, name=name, values_callable=lambda members: [m.value for m in members],
                native_enum=False, length=20, validate_strings=True)


class CompletionStatus(StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


class CompletionMethod(StrEnum):
    """How a module was completed."""

    #: The learner met the module's rule themselves.
    SELF = "self"
    #: A teacher ran the session and recorded who was present.
    TEACHER_LED = "teacher_led"
    #: Attendance at a workshop or training session was recorded.
    ATTENDED = "attended"
    #: Brought in from another system by the coordinator.
    IMPORTED = "imported"


class SignatureMethod(StrEnum):
    """How an agreement was signed."""

    #: The learner ticked "I agree" (pupils).
    TICKED = "ticked"
    #: The signer typed their full name (adults).
    TYPED_NAME = "typed_name"
    #: A teacher recorded the class agreeing together (the youngest pupils).
    WITNESSED = "witnessed"


class LessonRead(Base):
    """A learner finished reading a lesson in an academic year."""

    __tablename__ = "lesson_read"
    __table_args__ = (UniqueConstraint("user_id", "lesson_id", "academic_year"),
                      personal_data(subject=("user_id",), erase="keep_anonymised"))

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    #: Catalogue ids of the module and lesson.
    module_id: Mapped[str] = mapped_column(String(100))
    lesson_id: Mapped[str] = mapped_column(String(100))
    #: Version (content hash) of the lesson text that was read.
    lesson_version: Mapped[str] = mapped_column(String(16))
    academic_year: Mapped[int]
    read_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuizAttempt(Base):
    """One submitted quiz attempt with its score. Its answers are in :class:`QuizAnswer`."""

    __tablename__ = "quiz_attempt"
    __table_args__ = (
        # A double submit of the same attempt (same token) is recorded once.
        UniqueConstraint("user_id", "submission_token"),
        CheckConstraint("score >= 0 AND score <= max_score", name="score_range"),
        Index("ix_quiz_attempt_user_module_year", "user_id", "module_id", "academic_year"),
        personal_data(subject=("user_id",), erase="keep_anonymised"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    module_id: Mapped[str] = mapped_column(String(100))
    quiz_id: Mapped[str] = mapped_column(String(100))
    #: Version (content hash) of the quiz that was answered.
    quiz_version: Mapped[str] = mapped_column(String(16))
    #: The content language the quiz was taken in.
    locale: Mapped[str] = mapped_column(String(16))
    academic_year: Mapped[int]
    #: Random token issued with the quiz page; identifies this attempt across resubmits.
    submission_token: Mapped[str] = mapped_column(String(64))
    #: Questions answered correctly, out of ``max_score``.
    score: Mapped[int]
    max_score: Mapped[int]
    #: Whole-number percentage, rounded down.
    percent: Mapped[int]
    #: Whether the percentage reached the module's pass mark.
    passed: Mapped[bool]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    answers: Mapped[list[QuizAnswer]] = relationship(
        cascade="all, delete-orphan", order_by="QuizAnswer.position", back_populates="attempt"
    )


class QuizAnswer(Base):
    """The answer given to one question in one attempt."""

    __tablename__ = "quiz_answer"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),
                      personal_data(erase="keep_anonymised", via="attempt_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id", ondelete="CASCADE"))
    #: Order of the question in the quiz.
    position: Mapped[int]
    question_id: Mapped[str] = mapped_column(String(100))
    #: The Education for a Connected World strand the question tests (for the audit).
    strand: Mapped[str] = mapped_column(String(50), index=True)
    #: The option ids chosen, in the order they were shown.
    selected: Mapped[Any] = mapped_column(JSON)
    is_correct: Mapped[bool]
    #: The option ids in the order this attempt showed them (a shuffle per attempt); None before
    #: options were shuffled (file order). The questions drawn for the attempt are its answers.
    shown_options: Mapped[Optional[Any]] = mapped_column(JSON)

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")


class ModuleCompletion(Base):
    """One learner's progress in one module in one academic year (the summary of the records)."""

    __tablename__ = "module_completion"
    __table_args__ = (
        UniqueConstraint("user_id", "module_id", "academic_year"),
        CheckConstraint(
            "(status = 'completed') = (completed_at IS NOT NULL AND method IS NOT NULL)",
            name="completed_has_method",
        ),
        Index("ix_module_completion_school_year", "school_id", "academic_year", "module_id"),
        personal_data(subject=("user_id",), mentions=("recorded_by_id",), erase="keep_anonymised"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    module_id: Mapped[str] = mapped_column(String(100))
    academic_year: Mapped[int]
    status: Mapped[CompletionStatus] = mapped_column(_enum(CompletionStatus, "completion_status"))
    #: Best quiz percentage this year, if the module has a quiz and it was attempted.
    best_percent: Mapped[Optional[int]]
    #: The first attempt's percentage this year: the honest measure of what was known before.
    first_percent: Mapped[Optional[int]]
    #: Quiz attempts this year.
    attempt_count: Mapped[int] = mapped_column(default=0)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[Optional[datetime]]
    method: Mapped[Optional[CompletionMethod]] = mapped_column(_enum(CompletionMethod, "completion_method"))
    #: Who recorded the completion: the learner, or the teacher/coordinator who recorded it.
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))


class AgreementSignature(Base):
    """A signed acceptable use agreement, against the exact text version that was signed."""

    __tablename__ = "agreement_signature"
    __table_args__ = (
        CheckConstraint("method <> 'typed_name' OR typed_name IS NOT NULL", name="typed_name_present"),
        CheckConstraint("method <> 'witnessed' OR witness_id IS NOT NULL", name="witness_present"),
        Index("ix_agreement_signature_user_agreement", "user_id", "agreement_id", "academic_year"),
        personal_data(subject=("user_id",), mentions=("witness_id",), erase="keep_anonymised", clear=("typed_name",)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    agreement_id: Mapped[str] = mapped_column(String(100))
    #: Version (content hash) of the agreement text that was signed.
    agreement_version: Mapped[str] = mapped_column(String(16))
    #: The language of the text that was signed.
    locale: Mapped[str] = mapped_column(String(16))
    academic_year: Mapped[int]
    method: Mapped[SignatureMethod] = mapped_column(_enum(SignatureMethod, "signature_method"))
    #: Adults: the full name they typed as their signature.
    typed_name: Mapped[Optional[str]] = mapped_column(String(200))
    #: The teacher who witnessed a class signing together.
    witness_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConsentDecision(Base):
    """A parent's choice on one consent item (e.g. photos on the website) for one child.

    Never updated in place: each change is a new row, so the history of giving and withdrawing
    consent is kept. The newest row per child and item is the current choice.
    """

    __tablename__ = "consent_decision"
    __table_args__ = (Index("ix_consent_decision_child_item", "child_id", "consent_id", "decided_at"),
                      personal_data(subject=("child_id",), mentions=("parent_id",), erase="keep_anonymised"))

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    #: The parent or carer who decided.
    parent_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    #: The child the decision is about.
    child_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    #: The agreement and the consent item's id within it.
    agreement_id: Mapped[str] = mapped_column(String(100))
    consent_id: Mapped[str] = mapped_column(String(100))
    #: Version of the agreement text that was shown when deciding.
    agreement_version: Mapped[str] = mapped_column(String(16))
    #: True: consent given; False: refused or withdrawn.
    given: Mapped[bool]
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)


class AttendanceKind(StrEnum):
    """What kind of group met."""

    #: A teacher taught a module to a class (the module is completed, teacher-led, by those present).
    CLASS_SESSION = "class_session"
    #: A class read its agreement together and agreed, with the teacher as witness.
    CLASS_SIGNING = "class_signing"
    #: A workshop or training session (parents' online workshops, staff training).
    WORKSHOP = "workshop"


class Attendance(Base):
    """A group met for a module or an agreement, led by someone, and who was there.

    A class is one kind of group; a workshop will be another. The completions and signatures that
    follow from it are written by :mod:`eduplatform.records.services` in the same transaction.
    """

    __tablename__ = "attendance"
    __table_args__ = (
        Index("ix_attendance_school_year", "school_id", "academic_year"),
        Index("ix_attendance_class_year", "class_id", "academic_year"),
        CheckConstraint("module_id IS NOT NULL OR agreement_id IS NOT NULL", name="about_something"),
        personal_data(mentions=("led_by_id",), erase="keep_anonymised"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    kind: Mapped[AttendanceKind] = mapped_column(_enum(AttendanceKind, "attendance_kind"))
    #: The class that met (class sessions and class signings); None for other groups.
    class_id: Mapped[Optional[int]] = mapped_column(ForeignKey("school_class.id"))
    #: Who led it (recorded as ``recorded_by`` on completions, as witness on signatures).
    led_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    #: Catalogue id of the module taught, or of the agreement signed together.
    module_id: Mapped[Optional[str]] = mapped_column(String(100))
    agreement_id: Mapped[Optional[str]] = mapped_column(String(100))
    academic_year: Mapped[int]
    held_at: Mapped[datetime] = mapped_column(default=utcnow)

    attendees: Mapped[list[Attendee]] = relationship(cascade="all, delete-orphan")


class Attendee(Base):
    """A person who was present."""

    __tablename__ = "attendee"
    __table_args__ = (personal_data(subject=("user_id",), erase="keep_anonymised"),)

    attendance_id: Mapped[int] = mapped_column(ForeignKey("attendance.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True, index=True)


class ProgrammeSnapshot(Base):
    """What a school's programme was in one academic year: the modules, agreements and audiences.

    Taken when the year's first record is written, or when the coordinator starts the year, and
    never changed afterwards, so reports for a past year use that year's programme (a module
    removed from the catalogue since still counts in last year's figures). ``content`` is the JSON
    built by :func:`eduplatform.records.programme.snapshot_of`.
    """

    __tablename__ = "programme_snapshot"
    __table_args__ = (UniqueConstraint("school_id", "academic_year"),
                      personal_data(mentions=("taken_by_id",), erase="keep_anonymised"))

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    academic_year: Mapped[int]
    #: Modules (id, audience, term, strands, versions, title), agreements, audiences and strands.
    content: Mapped[Any] = mapped_column(JSON)
    #: Why it was taken: the year's first record, or the coordinator starting the year.
    reason: Mapped[str] = mapped_column(String(20))
    #: The coordinator who started the year (None when the first record triggered it).
    taken_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)


class Certificate(Base):
    """Proof that an adult completed a module: the record a certificate PDF is rebuilt from.

    The PDF is never stored: it is made again from this row on demand and is the same each time.
    ``code`` is random (not derived from ids) and is what the public verification page looks up.
    Completing the module again (a renewal) issues a new certificate and points the old one's
    ``superseded_by_id`` at it.
    """

    __tablename__ = "certificate"
    __table_args__ = (
        Index("ix_certificate_user_module", "user_id", "module_id"),
        Index("ix_certificate_school_issued", "school_id", "issued_at"),
        personal_data(subject=("user_id",), erase="delete"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The verification code, upper-case letters and digits (see :mod:`eduplatform.records.certificates`).
    code: Mapped[str] = mapped_column(String(20), unique=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    module_id: Mapped[str] = mapped_column(String(100))
    #: The version of the module's words the holder completed (its quiz's version, else the first lesson's).
    module_version: Mapped[str] = mapped_column(String(16))
    #: The language the holder completed it in; the certificate is printed in it.
    locale: Mapped[str] = mapped_column(String(16))
    academic_year: Mapped[int]
    #: The day the module was completed (in the school's time zone).
    completed_on: Mapped[date]
    #: How: self (lessons and quiz), attended (a workshop), teacher_led.
    method: Mapped[str] = mapped_column(String(20))
    #: The best quiz percentage, where the module has a quiz.
    score_percent: Mapped[Optional[int]]
    #: The last day it keeps the training rule in date; None: it does not expire.
    expires_on: Mapped[Optional[date]]
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The certificate issued when the holder completed the module again.
    superseded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("certificate.id"))


class ExternalTraining(Base):
    """Training done elsewhere (a local authority DSL course), recorded by the coordinator.

    It counts towards the training rules of its module like a completion, with method ``external``.
    """

    __tablename__ = "external_training"
    __table_args__ = (
        Index("ix_external_training_school_user", "school_id", "user_id"),
        personal_data(subject=("user_id",), mentions=("recorded_by_id",), erase="keep_anonymised", clear=("note",)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    #: The module whose rule it counts towards (for example ``staff-dsl``).
    module_id: Mapped[str] = mapped_column(String(100))
    completed_on: Mapped[date]
    #: Who ran it: "Local authority safeguarding team".
    provider: Mapped[str] = mapped_column(String(200))
    note: Mapped[Optional[str]] = mapped_column(String(1000))
    recorded_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
