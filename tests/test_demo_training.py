"""The demo's training: a realistic mix on the training record, and certificates dated when the training was done.

Seeds the demo once with the shipped programme (its rules are in curriculum/training.yaml).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select

from eduplatform.academic_year import AcademicYear, local_date
from eduplatform.accounts.models import User, UserRole
from eduplatform.catalogue import current_catalogue
from eduplatform.compliance.queries import training_record
from eduplatform.compliance.status import TrainingStatus
from eduplatform.db import db, upgrade_database, utcnow
from eduplatform.records.certificates import expiry_for_module
from eduplatform.records.models import Certificate
from eduplatform.reports.models import AuditReview
from eduplatform.roles import Role
from eduplatform.schools.models import School


@pytest.fixture(scope="module")
def demo(real_app) -> dict[str, Any]:
    """The demo seeded with its history; the Oakfield school id and its local date today."""
    with real_app.app_context():
        upgrade_database(db.engine)
        from eduplatform.demo.seed import seed_demo

        seed_demo(password="demo-password")
        db.session.commit()
        school = db.session.scalar(select(School).where(School.slug == "oakfield"))
        return {"school_id": school.id, "today": local_date(utcnow(), school.time_zone)}


@pytest.fixture
def in_app(real_app, demo) -> Any:
    with real_app.app_context():
        yield
        db.session.rollback()


def _record(demo: dict[str, Any]) -> dict[str, Any]:
    rows = training_record(current_catalogue(), [demo["school_id"]], demo["today"])
    return {row.username: row for row in rows}


@pytest.mark.usefixtures("in_app")
def test_the_training_record_shows_green_amber_and_red(demo) -> None:
    record = _record(demo)
    statuses = Counter(cell.status for row in record.values() for cell in row.requirements)
    assert statuses[TrainingStatus.IN_DATE] and statuses[TrainingStatus.DUE_SOON] and statuses[TrainingStatus.OVERDUE]
    dsl = record["dsl"].requirement("dsl-training")
    assert dsl.status is TrainingStatus.DUE_SOON and dsl.last_done.method == "external"
    assert record["coordinator"].requirement("dsl-training").status is TrainingStatus.NOT_REQUIRED  # not the DSL
    assert record["teacher"].requirement("dsl-training").status is TrainingStatus.IN_DATE
    assert record["staff"].requirement("staff-induction").status is TrainingStatus.DUE_SOON
    assert len({row.started_on for row in record.values()}) > 10  # start dates vary


@pytest.mark.usefixtures("in_app")
def test_certificates_are_dated_when_the_training_was_done(demo) -> None:
    school = db.session.get(School, demo["school_id"])
    certificates = db.session.scalars(select(Certificate).where(Certificate.school_id == school.id)).all()
    assert len({certificate.completed_on for certificate in certificates}) > 20
    assert sum(certificate.completed_on < demo["today"] for certificate in certificates) > len(certificates) / 2
    by_id = {certificate.id: certificate for certificate in certificates}
    current = Counter()
    for certificate in certificates:
        assert certificate.completed_on <= demo["today"]
        assert certificate.academic_year == AcademicYear.containing(certificate.completed_on).start_year
        assert certificate.expires_on == expiry_for_module(current_catalogue(), certificate.module_id,
                                                           school.training_periods, certificate.completed_on)
        if certificate.superseded_by_id is None:
            current[(certificate.user_id, certificate.module_id)] += 1
        else:
            assert by_id[certificate.superseded_by_id].completed_on > certificate.completed_on
    assert set(current.values()) == {1}  # one current certificate per person and module
    governor = db.session.scalar(select(User).where(User.username == "governor"))
    assert sum(certificate.user_id == governor.id for certificate in certificates) == 2  # renewed this year


@pytest.mark.usefixtures("in_app")
def test_adults_have_email_addresses_and_last_years_audit_is_signed(demo) -> None:
    adults = db.session.scalars(select(User).join(UserRole, UserRole.user_id == User.id).where(
        UserRole.role.in_([Role.STAFF, Role.COORDINATOR, Role.GOVERNOR, Role.PARENT, Role.VISITOR]))).all()
    assert adults and all(person.email and person.email.endswith("example.org") for person in adults)
    pupils = db.session.scalars(select(User).join(UserRole, UserRole.user_id == User.id)
                                .where(UserRole.role == Role.PUPIL)).all()
    assert not any(pupil.email for pupil in pupils)
    last_year = AcademicYear.containing(demo["today"]).shifted(-1)
    review = db.session.scalar(select(AuditReview).where(AuditReview.school_id == demo["school_id"],
                                                         AuditReview.academic_year == last_year.start_year))
    figures = {(figure["section"], figure["measure"]) for figure in review.frozen["figures"]}
    assert {("staff", "refresher"), ("staff", "dsl_in_date"), ("staff", "governors_trained")} <= figures


@pytest.mark.usefixtures("in_app")
def test_the_demo_has_a_past_workshop_with_attendance_and_feedback_and_a_coming_one_with_places(demo) -> None:
    from eduplatform.records.models import CompletionMethod, ModuleCompletion
    from eduplatform.workshops.models import Workshop, WorkshopFeedback, WorkshopRegistration

    workshops = db.session.scalars(select(Workshop).where(Workshop.school_id == demo["school_id"])
                                   .order_by(Workshop.starts_at)).all()
    assert len(workshops) == 2
    past, coming = workshops
    assert past.ends_at < utcnow() < coming.starts_at and past.join_code is None
    registrations = db.session.scalars(select(WorkshopRegistration).where(
        WorkshopRegistration.workshop_id == past.id)).all()
    came = [r for r in registrations if r.attended_at is not None]
    assert len(registrations) == 10 and len(came) == 7  # three are offered the self-study version
    feedback = db.session.scalars(select(WorkshopFeedback).where(WorkshopFeedback.workshop_id == past.id)).all()
    assert len(feedback) == 5 and {f.user_id for f in feedback} <= {r.user_id for r in came}
    attended = db.session.scalars(select(ModuleCompletion).where(
        ModuleCompletion.module_id == past.module_id, ModuleCompletion.method == CompletionMethod.ATTENDED,
        ModuleCompletion.academic_year == AcademicYear.containing(past.starts_at).start_year,
        ModuleCompletion.user_id.in_([r.user_id for r in came]))).all()
    assert attended and all(local_date(c.completed_at, "Europe/London") == local_date(past.starts_at, "Europe/London")
                            for c in attended)
    parent = db.session.scalar(select(User).where(User.username == "parent"))
    assert parent.id in {r.user_id for r in came}
    assert db.session.scalar(select(WorkshopRegistration).where(
        WorkshopRegistration.workshop_id == coming.id, WorkshopRegistration.user_id == parent.id)) is not None
