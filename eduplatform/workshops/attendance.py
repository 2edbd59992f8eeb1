"""Writes of a workshop's session: the join code, who was present (and the completion that gives),
and the attendees' feedback.

Marking someone present writes, in the request's one transaction: their place on the list (created
when they had none), the workshop's attendance record (one per workshop, led by the host, created
with its first attendee) and their completion of the module, method ``attended``, which issues their
certificate. Marking is final and marking twice changes nothing.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import select

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import User
from eduplatform.catalogue import current_catalogue
from eduplatform.db import db, utcnow
from eduplatform.i18n import _
from eduplatform.records import services as records
from eduplatform.records.models import Attendance, AttendanceKind, CompletionMethod
from eduplatform.roles import Role
from eduplatform.schools.models import School
from eduplatform.schools.years import time_zone_of
from eduplatform.workshops.models import RegistrationStatus, Workshop, WorkshopFeedback, WorkshopRegistration

#: Letters and digits nobody confuses when read off a screen (no 0/O, 1/I/L).
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6
#: The code works from a little before the start (people arrive early) to a little after the end.
OPENS_BEFORE = timedelta(minutes=15)
CLOSES_AFTER = timedelta(minutes=30)
#: Roles who may record their own attendance with the code (any adult of the school).
ADULT_ROLES = (Role.PARENT, Role.STAFF, Role.COORDINATOR, Role.GOVERNOR, Role.VISITOR)
CODE_METHOD, HOST_METHOD = "code", "host"


class JoinRefusedError(Exception):
    """The join code cannot record attendance; the message says why, for the person."""

    #: Shown at the code field of the join form.
    field = "code"


class AttendanceRefusedError(Exception):
    """The host cannot mark people present (yet); the message says why."""


class FeedbackAlreadyGivenError(Exception):
    """The person already gave feedback on this workshop (once per person)."""


def code_window(workshop: Workshop) -> tuple[datetime, datetime]:
    """When the join code works: (opens, closes), UTC."""
    return workshop.starts_at - OPENS_BEFORE, workshop.ends_at + CLOSES_AFTER


def normalise_code(text: str) -> str:
    """What was typed, as stored: capitals, without spaces or dashes."""
    return "".join(character for character in text.upper() if character.isalnum())


def _new_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def start_session(workshop: Workshop, now: datetime | None = None) -> str:
    """Give the workshop its join code (kept when it has one) and answer it.

    A code is never shared with another workshop whose window has not closed, so a code names one
    session. Raises :class:`AttendanceRefusedError` for a cancelled or finished workshop. Callers: the
    host, the school's coordinator, administrators.
    """
    now = now or utcnow()
    if workshop.cancelled_at is not None:
        raise AttendanceRefusedError(_("This workshop was cancelled."))
    if now > code_window(workshop)[1]:
        raise AttendanceRefusedError(_("This session has ended."))
    if workshop.join_code is None:
        while True:
            code = _new_code()
            if not _code_in_use(code, now):
                break
        workshop.join_code = code
        db.session.flush()
    return workshop.join_code


def _code_in_use(code: str, now: datetime) -> bool:
    """True when a workshop holds ``code`` and its window has not closed (compared in Python: few
    workshops ever share a code, and interval arithmetic differs between databases)."""
    return any(code_window(workshop)[1] >= now
               for workshop in db.session.scalars(select(Workshop).where(Workshop.join_code == code)))


def workshop_for_code(typed: str, person: User, now: datetime | None = None) -> Workshop:
    """The workshop of ``person``'s school whose join code was typed, when the code works now.

    Raises :class:`JoinRefusedError` with one clear message: the code is not right (also for another
    school's code), the workshop was cancelled, the session has not started yet, or it has ended.
    """
    now = now or utcnow()
    code = normalise_code(typed)
    if len(code) != JOIN_CODE_LENGTH or person.school_id is None or not person.has_role(*ADULT_ROLES):
        raise JoinRefusedError(_("That code is not right. Check the code on the screen and type it again."))
    candidates = list(db.session.scalars(
        select(Workshop).where(Workshop.join_code == code, Workshop.school_id == person.school_id)
        .order_by(Workshop.starts_at.desc())))
    if not candidates:
        raise JoinRefusedError(_("That code is not right. Check the code on the screen and type it again."))
    workshop = candidates[0]
    opens, closes = code_window(workshop)
    if workshop.cancelled_at is not None:
        raise JoinRefusedError(_("This workshop was cancelled, so attendance cannot be recorded."))
    if now < opens:
        raise JoinRefusedError(_("This session has not started yet. Type the code again when it starts."))
    if now > closes:
        raise JoinRefusedError(_("This session has ended. The code no longer records attendance."))
    return workshop


def _lock(workshop_id: int) -> Workshop:
    workshop = db.session.scalar(select(Workshop).where(Workshop.id == workshop_id).with_for_update()
                                 .execution_options(populate_existing=True))
    if workshop is None:
        raise LookupError(workshop_id)
    return workshop


def _host(workshop: Workshop) -> User:
    host = db.session.get(User, workshop.host_id)
    assert host is not None  # a foreign key
    return host


def workshop_year(workshop: Workshop) -> AcademicYear:
    """The academic year the workshop took place in (the school's time zone)."""
    return AcademicYear.of_timestamp(workshop.starts_at, time_zone_of(db.session.get(School, workshop.school_id)))


def mark_present(workshop: Workshop, person: User, method: str, now: datetime | None = None) -> bool:
    """Record ``person`` present: their place, the attendance record and their completion (attended).

    True when newly recorded; False when they already were (nothing changes). Callers: the join
    code (the person themself, after :func:`workshop_for_code`) and the host's register.
    """
    workshop = _lock(workshop.id)
    registration = db.session.scalar(select(WorkshopRegistration).where(
        WorkshopRegistration.workshop_id == workshop.id, WorkshopRegistration.user_id == person.id))
    if registration is not None and registration.attended_at is not None:
        return False
    if registration is None:
        registration = WorkshopRegistration(workshop_id=workshop.id, user_id=person.id,
                                            status=RegistrationStatus.REGISTERED)
        db.session.add(registration)
    # Those who came took a place, whatever the list said (waiting, or given up and came after all).
    registration.status = RegistrationStatus.REGISTERED
    registration.attended_at = now or utcnow()
    registration.attendance_method = method
    host, year = _host(workshop), workshop_year(workshop)
    if workshop.attendance_id is None:
        attendance = records.record_attendance(AttendanceKind.WORKSHOP, host, workshop.school_id, [person], year,
                                               module_id=workshop.module_id)
        workshop.attendance_id = attendance.id
    else:
        attendance = db.session.get(Attendance, workshop.attendance_id)
        assert attendance is not None  # a foreign key
        records.add_attendee(attendance, person)
    module = current_catalogue().modules.get(workshop.module_id)
    if module is not None:  # a module removed from the catalogue since: the attendance still stands
        records.record_completion_for(person, module, year, recorded_by=host, method=CompletionMethod.ATTENDED)
    db.session.flush()
    return True


def mark_present_by_host(workshop: Workshop, user_ids: set[int], now: datetime | None = None) -> int:
    """The host ticked these people on the register: each is recorded present; answers how many were new.

    Only people on the list (registered or waiting) can be ticked. Raises :class:`AttendanceRefusedError`
    for a cancelled workshop or before its session opens. Callers: the host, the school's
    coordinator, administrators.
    """
    now = now or utcnow()
    if workshop.cancelled_at is not None:
        raise AttendanceRefusedError(_("This workshop was cancelled, so attendance cannot be recorded."))
    if now < code_window(workshop)[0]:
        raise AttendanceRefusedError(_("The session has not started yet: mark people present when it starts."))
    on_list = db.session.scalars(select(User).join(WorkshopRegistration, WorkshopRegistration.user_id == User.id)
                                 .where(WorkshopRegistration.workshop_id == workshop.id,
                                        WorkshopRegistration.status != RegistrationStatus.CANCELLED,
                                        User.id.in_(user_ids)).order_by(User.id))
    return sum(mark_present(workshop, person, HOST_METHOD, now) for person in list(on_list))


def give_feedback(workshop: Workshop, person: User, usefulness: int, change: str | None) -> WorkshopFeedback:
    """Save an attendee's two answers, once. Raises :class:`FeedbackAlreadyGivenError` the second time.

    Callers: attendees of the workshop, for themselves (the view checks they attended).
    """
    existing = db.session.scalar(select(WorkshopFeedback).where(
        WorkshopFeedback.workshop_id == workshop.id, WorkshopFeedback.user_id == person.id))
    if existing is not None:
        raise FeedbackAlreadyGivenError(_("Thank you, you already gave feedback on this workshop."))
    feedback = WorkshopFeedback(workshop_id=workshop.id, user_id=person.id, usefulness=usefulness,
                                change=change or None)
    db.session.add(feedback)
    db.session.flush()
    return feedback
