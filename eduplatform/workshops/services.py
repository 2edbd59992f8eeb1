"""Writes about workshops: schedule, cancel, register (or wait), give up a place, note a reminder.

Services flush; the request commits once. Registration and giving up a place lock the workshop row
first (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the request's ``BEGIN IMMEDIATE`` makes
writers take turns), so parallel requests can never put more people on the list than it has places.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from eduplatform.db import db, utcnow
from eduplatform.workshops.models import RegistrationStatus, Workshop, WorkshopRegistration


class WorkshopClosedError(Exception):
    """The workshop is cancelled or has already started: places can no longer be taken."""


def schedule_workshop(*, school_id: int, module_id: str, starts_at: datetime, ends_at: datetime,
                      meeting_url: str | None, room: str | None, capacity: int | None, host_id: int,
                      created_by_id: int) -> Workshop:
    """A new workshop (times in UTC). Callers: coordinators and administrators, after validating the form."""
    workshop = Workshop(school_id=school_id, module_id=module_id, starts_at=starts_at, ends_at=ends_at,
                        meeting_url=meeting_url or None, room=room or None, capacity=capacity, host_id=host_id,
                        created_by_id=created_by_id)
    db.session.add(workshop)
    db.session.flush()
    return workshop


def cancel_workshop(workshop: Workshop) -> None:
    """Mark the workshop cancelled (once); registrations stay so those registered see it was cancelled."""
    if workshop.cancelled_at is None:
        workshop.cancelled_at = utcnow()
        db.session.flush()


def _lock(workshop_id: int) -> Workshop:
    """The workshop, read again with its row locked for this transaction (PostgreSQL)."""
    workshop = db.session.scalar(
        select(Workshop).where(Workshop.id == workshop_id).with_for_update().execution_options(populate_existing=True))
    if workshop is None:
        raise LookupError(workshop_id)
    return workshop


def _registered_count(workshop_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(WorkshopRegistration).where(
        WorkshopRegistration.workshop_id == workshop_id,
        WorkshopRegistration.status == RegistrationStatus.REGISTERED)) or 0


def _registration(workshop_id: int, user_id: int) -> WorkshopRegistration | None:
    return db.session.scalar(select(WorkshopRegistration).where(
        WorkshopRegistration.workshop_id == workshop_id, WorkshopRegistration.user_id == user_id))


def register(workshop_id: int, user_id: int) -> RegistrationStatus:
    """Give the person a place, or a place on the waiting list when the workshop is full.

    Asking again changes nothing and answers their current status. Raises :class:`WorkshopClosedError` for a
    cancelled or started workshop. Callers: parents of the workshop's school, for themselves.
    """
    workshop = _lock(workshop_id)
    if workshop.cancelled_at is not None or workshop.starts_at <= utcnow():
        raise WorkshopClosedError
    registration = _registration(workshop_id, user_id)
    if registration is not None and registration.status is not RegistrationStatus.CANCELLED:
        return registration.status
    full = workshop.capacity is not None and _registered_count(workshop_id) >= workshop.capacity
    status = RegistrationStatus.WAITING if full else RegistrationStatus.REGISTERED
    if registration is None:
        db.session.add(WorkshopRegistration(workshop_id=workshop_id, user_id=user_id, status=status))
    else:
        registration.status, registration.registered_at = status, utcnow()
        registration.reminded_at = None
    db.session.flush()
    return status


def give_up_place(workshop_id: int, user_id: int) -> WorkshopRegistration | None:
    """Cancel the person's place (or their wait); when a place frees, the first waiting person gets it.

    Answers the registration of whoever moved up from the waiting list, or None. Callers: parents, for
    themselves. Nothing happens when they had no place.
    """
    workshop = _lock(workshop_id)
    registration = _registration(workshop_id, user_id)
    if registration is None or registration.status is RegistrationStatus.CANCELLED:
        return None
    freed = registration.status is RegistrationStatus.REGISTERED
    registration.status = RegistrationStatus.CANCELLED
    db.session.flush()
    if not freed or workshop.cancelled_at is not None:
        return None
    if workshop.capacity is not None and _registered_count(workshop_id) >= workshop.capacity:
        return None
    first_waiting = db.session.scalar(
        select(WorkshopRegistration).where(WorkshopRegistration.workshop_id == workshop_id,
                                           WorkshopRegistration.status == RegistrationStatus.WAITING)
        .order_by(WorkshopRegistration.registered_at, WorkshopRegistration.id).limit(1))
    if first_waiting is not None:
        first_waiting.status = RegistrationStatus.REGISTERED
        db.session.flush()
    return first_waiting


def mark_reminded(registration_id: int) -> None:
    """Record that the day-before reminder was accepted by the mail server, in a commit of its own.

    Callers: ``send-workshop-reminders``, only after the server accepted the message.
    """
    registration = db.session.get(WorkshopRegistration, registration_id)
    if registration is not None:
        registration.reminded_at = utcnow()
    db.session.commit()
