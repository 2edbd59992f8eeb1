"""Teacher-led sessions: recording who was present, and the completions and signatures that follow."""

from __future__ import annotations

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import User
from eduplatform.catalogue.model import AgreementContent, Catalogue, Module
from eduplatform.classroom.models import TeachingSession, TeachingSessionAttendee
from eduplatform.db import db
from eduplatform.records import queries
from eduplatform.records.models import CompletionMethod, SignatureMethod
from eduplatform.records.services import record_completion_for, record_signature
from eduplatform.schools.models import SchoolClass


def _session(teacher: User, school_class: SchoolClass, present: list[User], year: AcademicYear,
             module_id: str | None = None, agreement_id: str | None = None) -> TeachingSession:
    session = TeachingSession(school_id=school_class.school_id, class_id=school_class.id, teacher_id=teacher.id,
                              module_id=module_id, agreement_id=agreement_id, academic_year=year.start_year,
                              attendees=[TeachingSessionAttendee(user_id=pupil.id) for pupil in present])
    db.session.add(session)
    db.session.flush()
    return session


def record_teacher_led_session(teacher: User, school_class: SchoolClass, module: Module, present: list[User],
                               year: AcademicYear) -> TeachingSession:
    """The teacher taught ``module`` to the class: every pupil present completes it, teacher-led.

    Callers: the classroom view, for a teacher of the class (or its school's coordinator); the
    caller has checked that ``present`` are pupils of ``school_class``.
    """
    session = _session(teacher, school_class, present, year, module_id=module.id)
    for pupil in present:
        record_completion_for(pupil, module, year, recorded_by=teacher, method=CompletionMethod.TEACHER_LED)
    return session


def record_class_signing(teacher: User, school_class: SchoolClass, content: AgreementContent, present: list[User],
                         year: AcademicYear, catalogue: Catalogue) -> tuple[TeachingSession, int]:
    """The class agreed together: each present pupil signs, with the teacher as witness.

    Pupils whose signature of this version still counts are not signed twice. Returns the session
    and how many signatures were recorded. Callers: the classroom view, as above.
    """
    agreement = catalogue.agreements[content.agreement_id]
    statuses = queries.agreement_statuses_for_many(teacher, [p.id for p in present], [agreement], catalogue, year)
    session = _session(teacher, school_class, present, year, agreement_id=agreement.id)
    signed = 0
    for pupil in present:
        if statuses[pupil.id][agreement.id].state is not queries.AgreementState.SIGNED:
            record_signature(pupil, content, SignatureMethod.WITNESSED, year, catalogue, witness=teacher)
            signed += 1
    return session, signed
