"""Concerns written together, on SQLite and PostgreSQL: a pupil pressing "Send" in several tabs at once
keeps every report, and DSLs opening the same new concern at once leave one read receipt each.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from eduplatform.accounts.models import UserDuty
from eduplatform.accounts.services import create_user
from eduplatform.concerns.models import Concern, ConcernRead
from eduplatform.concerns.services import report_concern
from eduplatform.db import db
from eduplatform.roles import Duty, Role
from eduplatform.schools.services import create_school
from tests.conftest import PASSWORD, Auth, csrf_token, run_together

TABS = 6


def _school_with_pupil_and_dsls(app: Any) -> int:
    with app.app_context():
        school = create_school(name="Tell", slug="tell")
        create_user(username="tell.pupil", first_name="Tia", last_name="Tell", roles={Role.PUPIL},
                    school_id=school.id, year_group=5, password=PASSWORD)
        for name in ("dsl.one", "dsl.two"):
            staff = create_user(username=name, first_name="Dee", last_name=name, roles={Role.STAFF},
                                school_id=school.id, password=PASSWORD)
            staff.duty_rows = [UserDuty(duty=Duty.DSL if name == "dsl.one" else Duty.DEPUTY_DSL)]
        db.session.commit()
        return school.id


def _signed_in(app: Any, username: str, times: int) -> list[Auth]:
    tabs = []
    for _ in range(times):
        auth = Auth(app.test_client())
        assert auth.login(username).status_code == 302
        tabs.append(auth)
    return tabs


def test_reports_sent_from_several_tabs_at_once_are_all_kept(concurrent_app) -> None:
    _school_with_pupil_and_dsls(concurrent_app)
    tabs = _signed_in(concurrent_app, "tell.pupil", TABS)
    forms = [(tab, {"csrf_token": csrf_token(tab.client, "/tell"), "category": "cyberbullying",
                    "text": f"Report from tab {number}", "happening_now": "no"}) for number, tab in enumerate(tabs)]
    statuses: list[int] = []
    assert run_together(*[lambda tab=tab, form=form: statuses.append(tab.client.post("/tell", data=form).status_code)
                          for tab, form in forms]) == []
    assert statuses == [302] * TABS
    with concurrent_app.app_context():
        texts = sorted(db.session.scalars(select(Concern.text)))
    assert texts == sorted(f"Report from tab {number}" for number in range(TABS))  # none merged, none lost


def test_dsls_opening_a_new_concern_at_once_leave_one_receipt_each(concurrent_app) -> None:
    _school_with_pupil_and_dsls(concurrent_app)
    with concurrent_app.app_context():
        from eduplatform.accounts.models import User

        pupil = db.session.scalar(select(User).where(User.username == "tell.pupil"))
        concern_id = report_concern(pupil, category="cyberbullying", text="Please help").id
        db.session.commit()
    readers = _signed_in(concurrent_app, "dsl.one", 3) + _signed_in(concurrent_app, "dsl.two", 3)
    statuses: list[int] = []
    assert run_together(*[lambda tab=tab: statuses.append(tab.client.get(f"/concerns/{concern_id}").status_code)
                          for tab in readers]) == []
    assert statuses == [200] * len(readers)
    with concurrent_app.app_context():
        receipts = db.session.scalar(select(func.count()).select_from(ConcernRead))
        concern = db.session.get(Concern, concern_id)
        assert receipts == 2 and concern.first_read_at is not None and concern.status == "open"
