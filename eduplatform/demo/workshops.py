"""The demo school's parents' workshops: one held three weeks ago, with its register, attendance and
feedback, and one in ten days with places taken.

Attendance goes through the workshop service (:func:`eduplatform.workshops.attendance.mark_present`),
so it writes the same records a real session does (attendance, completion "attended", certificate);
the demo then dates them to the evening of the workshop.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, update

from eduplatform.academic_year import AcademicYear, zone
from eduplatform.accounts.models import User, UserRole
from eduplatform.db import db
from eduplatform.records.models import Attendance, CompletionMethod, ModuleCompletion
from eduplatform.roles import Role
from eduplatform.schools.models import School
from eduplatform.workshops.attendance import give_feedback, mark_present
from eduplatform.workshops.models import RegistrationStatus, Workshop, WorkshopRegistration

PAST_MODULE, NEXT_MODULE = "parents-under-8s", "parents-gaming-chat"
#: What the demo's attendees said they would change (feedback is optional; some say nothing).
CHANGES = ("More time for questions at the end.", "A handout to keep would help.", None,
           "Could it start a little later, after bedtime?", None, None)


def _evening(day: date, time_zone: str) -> datetime:
    """Half past six in the evening of ``day`` at the school, as a stored UTC timestamp."""
    local = datetime.combine(day, time(18, 30), tzinfo=zone(time_zone))
    return local.astimezone(UTC).replace(tzinfo=None)


def add_demo_workshops(school: School, host: User, named_parent: User, rng: random.Random, today: date) -> None:
    """Write the two workshops. ``named_parent`` (the demo's ``parent`` account) came to the first and
    has a place at the second. A programme without the two parents' modules gets no workshops."""
    from eduplatform.catalogue import current_catalogue

    if not {PAST_MODULE, NEXT_MODULE} <= set(current_catalogue().modules):
        return
    parents = list(db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(User.school_id == school.id, UserRole.role == Role.PARENT, User.id != named_parent.id)
        .order_by(User.id)))
    rng.shuffle(parents)
    _past_workshop(school, host, [named_parent, *parents[:9]], rng, today)
    _next_workshop(school, host, [named_parent, *parents[9:14]], today)


def _past_workshop(school: School, host: User, registered: list[User], rng: random.Random, today: date) -> None:
    starts = _evening(today - timedelta(days=21), school.time_zone)
    workshop = Workshop(school_id=school.id, module_id=PAST_MODULE, starts_at=starts,
                        ends_at=starts + timedelta(hours=1), meeting_url="https://meet.example.org/oakfield-parents",
                        capacity=30, host_id=host.id, created_by_id=host.id, join_code="DEMO24",
                        created_at=starts - timedelta(days=14))
    db.session.add(workshop)
    db.session.flush()
    for person in registered:
        db.session.add(WorkshopRegistration(workshop_id=workshop.id, user_id=person.id,
                                            status=RegistrationStatus.REGISTERED,
                                            registered_at=starts - timedelta(days=rng.randint(2, 12)),
                                            reminded_at=starts - timedelta(days=1)))
    db.session.flush()
    came = registered[:7]  # three registered parents did not come: they are offered the self-study version
    for number, person in enumerate(came):
        mark_present(workshop, person, "code" if number % 3 else "host", now=starts + timedelta(minutes=5))
    db.session.flush()
    for number, person in enumerate(came[:5]):
        feedback = give_feedback(workshop, person, usefulness=(5, 4, 5, 3, 4)[number], change=CHANGES[number])
        feedback.given_at = starts + timedelta(hours=2, minutes=number * 7)
    held = starts + timedelta(minutes=5)
    db.session.execute(update(Attendance).where(Attendance.id == workshop.attendance_id).values(held_at=held))
    db.session.execute(update(ModuleCompletion).where(
        ModuleCompletion.module_id == PAST_MODULE, ModuleCompletion.user_id.in_([p.id for p in came]),
        ModuleCompletion.method == CompletionMethod.ATTENDED,
        ModuleCompletion.academic_year == AcademicYear.containing(today - timedelta(days=21)).start_year)
        .values(completed_at=held, started_at=held))
    db.session.execute(update(WorkshopRegistration).where(
        WorkshopRegistration.workshop_id == workshop.id, WorkshopRegistration.attended_at.is_not(None))
        .values(attended_at=held))
    workshop.join_code = None  # the session is over: no code is live
    db.session.flush()


def _next_workshop(school: School, host: User, registered: list[User], today: date) -> None:
    starts = _evening(today + timedelta(days=10), school.time_zone)
    workshop = Workshop(school_id=school.id, module_id=NEXT_MODULE, starts_at=starts,
                        ends_at=starts + timedelta(minutes=75), meeting_url="https://meet.example.org/oakfield-gaming",
                        room="The school hall", capacity=25, host_id=host.id, created_by_id=host.id,
                        created_at=starts - timedelta(days=20))
    db.session.add(workshop)
    db.session.flush()
    for person in registered:
        db.session.add(WorkshopRegistration(workshop_id=workshop.id, user_id=person.id,
                                            status=RegistrationStatus.REGISTERED,
                                            registered_at=starts - timedelta(days=5)))
    db.session.flush()
