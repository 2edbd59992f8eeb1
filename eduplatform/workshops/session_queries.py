"""Reads of a workshop's session: who may host it, its register and figures, and what an attendee
(or someone who missed it) is offered afterwards.

Who may host (:func:`may_host`): the workshop's host, holders of ``RUN_WORKSHOPS`` for its school
(its coordinator) and administrators.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import abort
from sqlalchemy import func, select

from eduplatform.accounts.models import User
from eduplatform.db import db
from eduplatform.records.models import Certificate
from eduplatform.workshops.models import RegistrationStatus, Workshop, WorkshopFeedback, WorkshopRegistration
from eduplatform.workshops.queries import may_run


@dataclass(frozen=True)
class RegisterLine:
    """One person on the register: their place and whether they came."""

    user_id: int
    name: str
    status: RegistrationStatus
    attended_at: datetime | None
    method: str | None


@dataclass(frozen=True)
class SessionFigures:
    """The host's figures: places taken, who came, who answered and how useful they found it."""

    registered: int
    attended: int
    feedback_given: int
    #: Average usefulness (1 to 5), None before anyone answered.
    average_usefulness: float | None


@dataclass(frozen=True)
class AfterState:
    """What one person is offered about a workshop once it has ended (or once they were there)."""

    workshop: Workshop
    attended: bool
    feedback_given: bool
    certificate_id: int | None
    #: They had a place, did not come, and the workshop is over: offered the self-study version.
    missed: bool


def may_host(actor: Any, workshop: Workshop) -> bool:
    """The workshop's host, its school's coordinator, administrators."""
    return workshop.host_id == actor.id or may_run(actor, workshop)


def hosted_workshop_or_404(workshop_id: int, actor: Any) -> Workshop:
    """The workshop, when ``actor`` may host it; else 404."""
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None or not may_host(actor, workshop):
        abort(404)
    return workshop


def registration_of(workshop_id: int, user_id: int) -> WorkshopRegistration | None:
    return db.session.scalar(select(WorkshopRegistration).where(
        WorkshopRegistration.workshop_id == workshop_id, WorkshopRegistration.user_id == user_id))


def register_lines(workshop: Workshop) -> list[RegisterLine]:
    """Everyone on the list (registered or waiting, and anyone who came), by name."""
    rows = db.session.execute(
        select(User.id, User.first_name, User.last_name, WorkshopRegistration.status,
               WorkshopRegistration.attended_at, WorkshopRegistration.attendance_method)
        .join(WorkshopRegistration, WorkshopRegistration.user_id == User.id)
        .where(WorkshopRegistration.workshop_id == workshop.id,
               WorkshopRegistration.status != RegistrationStatus.CANCELLED)
        .order_by(User.last_name, User.first_name, User.id))
    return [RegisterLine(row[0], f"{row[1]} {row[2]}".strip(), row[3], row[4], row[5]) for row in rows]


def session_figures(workshop: Workshop) -> SessionFigures:
    """Registered (places taken), attended, feedback given and average usefulness, in two queries."""
    reg = WorkshopRegistration
    registered, attended = db.session.execute(
        select(func.count().filter(reg.status == RegistrationStatus.REGISTERED),
               func.count(reg.attended_at))
        .where(reg.workshop_id == workshop.id)).one()
    given, average = db.session.execute(
        select(func.count(), func.avg(WorkshopFeedback.usefulness)).where(WorkshopFeedback.workshop_id == workshop.id)
    ).one()
    return SessionFigures(int(registered or 0), int(attended or 0), int(given or 0),
                          float(average) if average is not None else None)


def certificate_id_for(user_id: int, module_id: str, academic_year: int) -> int | None:
    """The person's current certificate for the module in that year, if one was issued."""
    return db.session.scalar(select(Certificate.id).where(
        Certificate.user_id == user_id, Certificate.module_id == module_id,
        Certificate.academic_year == academic_year, Certificate.superseded_by_id.is_(None))
        .order_by(Certificate.id.desc()).limit(1))


def after_state(workshop: Workshop, user_id: int, academic_year: int, now: datetime) -> AfterState | None:
    """What ``user_id`` is offered about the workshop; None when they had no place and did not come."""
    registration = registration_of(workshop.id, user_id)
    if registration is None or (registration.status is RegistrationStatus.CANCELLED
                                and registration.attended_at is None):
        return None
    attended = registration.attended_at is not None
    feedback_given = attended and db.session.scalar(select(func.count()).select_from(WorkshopFeedback).where(
        WorkshopFeedback.workshop_id == workshop.id, WorkshopFeedback.user_id == user_id)) > 0
    missed = not attended and workshop.cancelled_at is None and workshop.ends_at <= now
    certificate = certificate_id_for(user_id, workshop.module_id, academic_year) if attended else None
    return AfterState(workshop, attended, bool(feedback_given), certificate, missed)
