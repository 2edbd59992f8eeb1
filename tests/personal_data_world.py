"""A small school where three people have a row in every table of the personal data map.

:func:`person_with_everything` is the world the subject access export and erasure are tried on:
a Year 1 pupil, their parent, and a member of staff who is also the school's coordinator and DSL
(no single person can be all three). Between them they have at least one row in **every** table
marked with :func:`eduplatform.db.personal_data`, as subject, through ``via`` or as the person
named (``mentions``). Everything is made through the services the site itself uses, so the rows
are the ones a real school would hold; the only exception is ``reminder_sent``, whose service
(:func:`eduplatform.compliance.reminders.record_sent`) needs a mail server's acceptance, so the
row it would write is added as it writes it.

The concern tables are safeguarding records (``restricted``): the pupil reports a worry of their own,
the parent reports one about the pupil, and the staff member, as DSL, reads it, records an action
and closes it. Their words are in :data:`CONCERN_WORDS`: no export may contain any of them.

A new marked table makes ``tests/test_privacy_export.py::test_the_world_has_a_row_in_every_marked_table``
fail until this world gives it a row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import Flask

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import User
from eduplatform.roles import Duty, Role
from eduplatform.schools.models import School, SchoolClass
from tests.conftest import run_in_app

#: The pupil's module (KS1: pictures to sign in, a lesson, a quiz, an agreement the class signs together).
PUPIL_MODULE = "ks1-asking"
PUPIL_AGREEMENT = "ks1-aup"
STAFF_MODULE = "staff-induction"
PARENT_MODULE = "parents-home"
PARENT_AGREEMENT = "home-school-agreement"
MFA_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # base32, as an authenticator app is given
#: What the concerns say (reports, the action, the outcomes): never copied into anyone's export.
CONCERN_WORDS = {
    "own": "Someone in a game keeps asking me to turn my camera on.",
    "parent": "Ava Moss was sent unkind messages about her drawing in the class chat group.",
    "action": "Spoke with Ava and her class teacher; the chat group's messages were saved by the school.",
    "action_outcome": "The pupils who sent them apologised; the group now has an adult in it.",
    "closed": "Resolved with both families; class lesson on kind messages planned for next week.",
}


@dataclass
class World:
    """Who is in the world, and the secret values that must never appear in an export."""

    school: School
    school_class: SchoolClass
    pupil: User
    parent: User
    staff: User
    #: Plain secret values as held (or hashed) in the database: passwords, hashes, codes, tokens.
    secrets: list[str] = field(default_factory=list)

    @property
    def people(self) -> dict[str, User]:
        return {"pupil": self.pupil, "parent": self.parent, "staff": self.staff}


def person_with_everything(app: Flask, make_user: Callable[..., User], make_school: Callable[..., School],
                           make_class: Callable[..., SchoolClass],
                           link: Callable[[User, User], None]) -> World:
    """Build the world (in the test's rolled-back transaction) and return who is in it.

    Takes the factory fixtures of ``tests/conftest.py``; call it from a test or a fixture::

        world = person_with_everything(app, make_user, make_school, make_class, link)
    """
    school = make_school("Rowan Primary")
    staff = make_user(Role.STAFF, Role.COORDINATOR, school=school, first_name="Tess", last_name="Whitfield",
                      email="tess.whitfield@rowan.example.org")
    pupil = make_user(Role.PUPIL, school=school, year_group=1, first_name="Ava", last_name="Moss")
    parent = make_user(Role.PARENT, school=school, first_name="Lena", last_name="Moss",
                       email="lena.moss@home.example.org")
    school_class = make_class(school, year_group=1, pupils=(pupil,), teachers=(staff,))
    link(parent, pupil)
    secrets: list[str] = []
    run_in_app(app, lambda: _records(school.id, school_class.id, pupil.id, parent.id, staff.id, secrets))
    return World(school=school, school_class=school_class, pupil=pupil, parent=parent, staff=staff,
                 secrets=[secret for secret in secrets if secret])


def _records(school_id: int, class_id: int, pupil_id: int, parent_id: int, staff_id: int,
             secrets: list[str]) -> None:
    from eduplatform.db import db

    school = db.session.get(School, school_id)
    school_class = db.session.get(SchoolClass, class_id)
    pupil, parent, staff = (db.session.get(User, pk) for pk in (pupil_id, parent_id, staff_id))
    assert school and school_class and pupil and parent and staff  # just made
    year = AcademicYear.current()
    staff.duty_rows = [_duty(Duty.DSL)]
    _pupil_records(school_class, pupil, staff, year, secrets)
    _parent_records(school, parent, pupil, staff, secrets)
    _staff_records(school, staff, year, secrets)
    _oversight_records(school, pupil, staff, year)
    _safeguarding_records(school, pupil, parent, staff)
    for person in (pupil, parent, staff):
        secrets += [person.password_hash or "", person.session_token or "", person.picture_secret_hash or "",
                    person.card_secret or ""]
    db.session.flush()


def _duty(duty: Duty) -> Any:
    from eduplatform.accounts.models import UserDuty

    return UserDuty(duty=duty)


def _pupil_records(school_class: SchoolClass, pupil: User, staff: User, year: AcademicYear,
                   secrets: list[str]) -> None:
    """Pictures and a sign-in, a lesson read, a quiz attempt, a teacher-led session, the class agreeing."""
    from eduplatform.catalogue import current_catalogue
    from eduplatform.records import services as records
    from eduplatform.records.grading import grade
    from eduplatform.signin.services import check_pictures, reset_pictures

    catalogue = current_catalogue()
    sequence = reset_pictures(pupil)
    secrets.append("".join(sequence))
    check_pictures(school_class, pupil, list(sequence))
    module = catalogue.modules[PUPIL_MODULE]
    content = catalogue.module_content(module.id, "en")
    records.record_lesson_read(pupil, module, content.lessons[0], year, catalogue)
    assert content.quiz is not None
    result = grade(content.quiz, {q.id: sorted(q.correct_option_ids) for q in content.quiz.questions},
                   module.pass_mark)
    records.record_quiz_attempt(pupil, module, content.quiz, result, "world-attempt-1", year, catalogue)
    records.record_teacher_led_session(staff, school_class, module, [pupil], year)
    agreement = catalogue.agreement_content(PUPIL_AGREEMENT, "en")
    records.record_class_signing(staff, school_class, agreement, [pupil], year, catalogue)


def _parent_records(school: School, parent: User, pupil: User, staff: User, secrets: list[str]) -> None:
    """An invitation code, the home-school agreement with a consent choice, a workshop attended."""
    from eduplatform.accounts.setup_codes import issue_setup_code
    from eduplatform.catalogue import current_catalogue
    from eduplatform.db import utcnow
    from eduplatform.records import services as records
    from eduplatform.records.models import SignatureMethod
    from eduplatform.workshops import services as workshops
    from eduplatform.workshops.attendance import give_feedback, mark_present

    catalogue = current_catalogue()
    secrets.append(issue_setup_code(parent, staff, "letter"))
    agreement = catalogue.agreement_content(PARENT_AGREEMENT, "en")
    records.record_signature(parent, agreement, SignatureMethod.TYPED_NAME, AcademicYear.current(), catalogue,
                             typed_name=parent.full_name)
    records.record_consent_choices(parent, agreement, {(pupil.id, item.id): True for item in agreement.consents})
    starts = utcnow() + timedelta(days=1)  # places are taken before it starts
    workshop = workshops.schedule_workshop(
        school_id=school.id, module_id=PARENT_MODULE, starts_at=starts, ends_at=starts + timedelta(hours=1),
        meeting_url="https://meet.example.org/rowan", room=None, capacity=20, host_id=staff.id,
        created_by_id=staff.id)
    workshops.register(workshop.id, parent.id)
    mark_present(workshop, parent, "code", now=starts + timedelta(minutes=5))
    give_feedback(workshop, parent, usefulness=4, change="More time for questions.")


def _staff_records(school: School, staff: User, year: AcademicYear, secrets: list[str]) -> None:
    """Multi-factor sign-in, induction completed (a certificate), training elsewhere, a reminder sent."""
    from eduplatform.accounts import mfa
    from eduplatform.catalogue import current_catalogue
    from eduplatform.compliance.models import ReminderSent
    from eduplatform.db import db
    from eduplatform.records import services as records
    from eduplatform.records.external import record_external_training
    from eduplatform.records.models import CompletionMethod

    catalogue = current_catalogue()
    secrets += [MFA_SECRET, *mfa.turn_on(staff, MFA_SECRET), staff.mfa_secret or ""]
    records.record_completion_for(staff, catalogue.modules[STAFF_MODULE], year, recorded_by=staff,
                                  method=CompletionMethod.ATTENDED)
    today = date.today()
    record_external_training(staff, module_id=STAFF_MODULE, completed_on=today - timedelta(days=400),
                             provider="Local authority safeguarding team", note="Half-day course",
                             today=today, catalogue=catalogue, actor=staff)
    # What compliance.reminders.record_sent writes once a mail server accepted a reminder.
    db.session.add(ReminderSent(school_id=school.id, user_id=staff.id, kind="reminder", rule_id=STAFF_MODULE,
                                sent_on=today))
    db.session.flush()


def _safeguarding_records(school: School, pupil: User, parent: User, staff: User) -> None:
    """Two concerns (the pupil's own, and the parent's about the pupil, read, acted on and closed by the
    staff member as DSL) and a filtering check the staff member recorded."""
    from eduplatform.concerns import services as concerns
    from eduplatform.concerns.models import FilteringKind

    concerns.report_concern(pupil, category="something_else", text=CONCERN_WORDS["own"])
    about = concerns.report_concern(parent, category="cyberbullying", text=CONCERN_WORDS["parent"],
                                    about_id=pupil.id)
    concerns.mark_read(about.id, staff.id, school.id)
    concerns.add_action(about, staff, what=CONCERN_WORDS["action"], outcome=CONCERN_WORDS["action_outcome"])
    concerns.close_concern(about, staff, outcome=CONCERN_WORDS["closed"])
    concerns.record_filtering(school.id, staff, kind=FilteringKind.CHECK, done_on=date.today(),
                              what="Tried the test sites for each category from a pupil laptop.",
                              result="All blocked; the monitoring alert reached the DSL within the hour.",
                              with_whom="Judith Chair, governor for safeguarding")


def _oversight_records(school: School, pupil: User, staff: User, year: AcademicYear) -> None:
    """A roster import that updates the staff member, the year's audit rated and signed, a log entry."""
    from eduplatform.audit.models import AuditAction
    from eduplatform.audit.services import record_event
    from eduplatform.catalogue import current_catalogue
    from eduplatform.records.programme import ensure_programme_snapshot
    from eduplatform.reports import services as audit_services
    from eduplatform.reports.audit_build import build_audit
    from eduplatform.reports.scope import build_scope
    from eduplatform.roster.services import apply_plan, plan_roster

    catalogue = current_catalogue()
    last_year = AcademicYear(year.start_year - 1)
    ensure_programme_snapshot(school.id, last_year, catalogue, reason="started", taken_by_id=staff.id)
    roster = (f"first_name,last_name,role,username,external_id\n"
              f"{staff.first_name},{staff.last_name},staff,{staff.username},MIS-STAFF-1\n").encode()
    apply_plan(plan_roster(roster, school), filename="staff.csv", imported_by=staff)
    for aspect in catalogue.self_review.aspects:
        audit_services.rate_aspect(school.id, year, aspect.id, level=3, commentary="Reviewed in the spring term.",
                                   evidence=None, editor=staff)
    review = audit_services.find_review(school.id, year)
    audit = build_audit(build_scope([school], year, catalogue), catalogue, catalogue.fallback_locale, review)
    audit_services.sign_off(school.id, year, audit, coordinator=staff, coordinator_name=staff.full_name,
                            chair_name="Judith Chair", chair_signed_on=date.today())
    record_event(AuditAction.PERSON_RECORD_VIEWED, actor=staff, school_id=school.id, subject_user_id=pupil.id)
