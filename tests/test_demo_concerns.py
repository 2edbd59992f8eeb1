"""The demo's safeguarding: a `dsl` account that is not the coordinator, a small concern log, and a
year of filtering and monitoring records. Seeds the demo once with the shipped programme."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from eduplatform.academic_year import AcademicYear, local_date
from eduplatform.access import may_read_concerns
from eduplatform.accounts.models import User
from eduplatform.audit.models import AuditAction, AuditEvent
from eduplatform.concerns.models import Concern, ConcernAction, ConcernRead, FilteringRecord
from eduplatform.db import db, upgrade_database, utcnow
from eduplatform.roles import Duty
from eduplatform.schools.models import School


@pytest.fixture(scope="module")
def demo(real_app) -> dict[str, Any]:
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


def _named(username: str) -> User:
    person = db.session.scalar(select(User).where(User.username == username))
    assert person is not None
    return person


@pytest.mark.usefixtures("in_app")
def test_the_dsl_is_a_member_of_staff_and_the_coordinator_is_not(demo) -> None:
    dsl, coordinator, teacher = _named("dsl"), _named("coordinator"), _named("teacher")
    assert Duty.DSL in dsl.duties and may_read_concerns(dsl)
    assert Duty.DEPUTY_DSL in teacher.duties and may_read_concerns(teacher)
    assert not coordinator.duties and not may_read_concerns(coordinator)
    school = db.session.get(School, demo["school_id"])
    assert "Mrs Adebayo" in (school.dsl_contact or "") and "Okafor" not in (school.dsl_contact or "")


@pytest.mark.usefixtures("in_app")
def test_the_concern_log_has_closed_open_new_and_happening_now_concerns(demo) -> None:
    concerns = db.session.scalars(select(Concern).where(Concern.school_id == demo["school_id"])
                                  .order_by(Concern.reported_at)).all()
    this_year = AcademicYear.containing(demo["today"])
    years = Counter(AcademicYear.containing(local_date(c.reported_at, "Europe/London")) for c in concerns)
    assert years == {this_year: 6, this_year.shifted(-1): 3}
    assert len({c.category for c in concerns}) >= 6
    now = [c for c in concerns if c.happening_now]
    assert len(now) == 1 and now[0].reporter_kind == "parent" and now[0].status == "new"
    new_from_pupil = [c for c in concerns if c.status == "new" and c.reporter_kind == "pupil"]
    assert len(new_from_pupil) == 1 and 3 <= _year_group(new_from_pupil[0].reporter_id) <= 6
    assert new_from_pupil[0].reporter_id != _named("pupil.ks2").id  # pupil.ks2 starts with no reports
    assert Counter(c.status for c in concerns) == {"closed": 5, "open": 2, "new": 2}
    for concern in concerns:
        assert concern.reported_at <= utcnow()
        actions = db.session.scalars(select(ConcernAction).where(ConcernAction.concern_id == concern.id)).all()
        reads = db.session.scalars(select(ConcernRead).where(ConcernRead.concern_id == concern.id)).all()
        if concern.status == "new":
            assert concern.first_read_at is None and not actions and not reads
            continue
        assert reads and concern.first_read_at >= concern.reported_at and actions
        assert all(action.at >= concern.reported_at and action.by_id for action in actions)
        if concern.status == "closed":
            assert concern.outcome and concern.closed_at >= max(action.at for action in actions)
    logged = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.CONCERN_READ.value)).all()
    assert len(logged) == db.session.query(ConcernRead).count()


def _year_group(user_id: int) -> int:
    person = db.session.get(User, user_id)
    assert person is not None and person.year_group is not None
    return person.year_group


@pytest.mark.usefixtures("in_app")
def test_a_year_of_filtering_checks_with_the_governor_and_changes_with_who_asked(demo) -> None:
    records = db.session.scalars(select(FilteringRecord).where(FilteringRecord.school_id == demo["school_id"])
                                 .order_by(FilteringRecord.done_on)).all()
    checks = [r for r in records if r.kind == "check"]
    changes = [r for r in records if r.kind == "change"]
    governor = _named("governor")
    assert len(checks) >= 3 and all(governor.full_name in (r.with_whom or "") for r in checks)
    assert checks[0].done_on < demo["today"] - timedelta(days=300) and checks[-1].done_on >= demo["today"] - timedelta(
        days=60)
    assert all(r.done_on <= demo["today"] and r.done_on.weekday() < 5 for r in records)
    assert len(changes) >= 2 and all(r.requested_by and r.approved_by and r.result for r in changes)
    assert any(r.reviewed_on for r in changes)
