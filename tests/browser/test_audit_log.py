"""The audit log in a browser, on a phone and on a wide screen: the coordinator opens it from the menu,
finds their own sign-in, filters by what happened and downloads the CSV. Every page is checked with
axe (see conftest)."""

from __future__ import annotations

import csv
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from eduplatform.accounts.models import User
from eduplatform.accounts.services import create_user
from eduplatform.audit.models import AuditAction, AuditEvent
from eduplatform.db import db
from eduplatform.roles import Role
from eduplatform.schools.services import create_school

from .conftest import PASSWORD, sign_in_with_password

if TYPE_CHECKING:
    from .conftest import LiveServer

WIDTHS = [390, 1920]


def _seed(live_server: LiveServer, width: int) -> str:
    """A school with a coordinator and a member of staff who once typed a wrong password."""
    with live_server.app.app_context():
        school = create_school(name=f"Log School {width}", slug=f"log-school-{width}")
        coordinator = create_user(username=f"log.coordinator{width}", first_name="Lara", last_name="Log",
                                  roles={Role.COORDINATOR, Role.STAFF}, school_id=school.id, password=PASSWORD)
        staff = create_user(username=f"log.staff{width}", first_name="Sami", last_name="Staff",
                            roles={Role.STAFF}, school_id=school.id, password=PASSWORD)
        db.session.add(AuditEvent(action=AuditAction.SIGN_IN_FAILED.value, school_id=school.id,
                                  subject_user_id=staff.id, details={"reason": "wrong_password"},
                                  address="192.0.2.7"))
        db.session.commit()
        return coordinator.username


@pytest.mark.parametrize("width", WIDTHS)
def test_the_coordinator_reads_filters_and_downloads_the_audit_log(live_server: LiveServer, browser,
                                                                   width: int) -> None:
    from playwright.sync_api import expect

    coordinator = _seed(live_server, width)
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900},
                                  accept_downloads=True)
    try:
        page = context.new_page()
        sign_in_with_password(page, coordinator)
        menu = page.get_by_role("button", name="Menu")
        if menu.is_visible():  # the phone's menu is folded away
            menu.click()
        page.get_by_role("link", name="Audit log").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
        newest = page.locator("tbody tr").first
        expect(newest).to_contain_text("Signed in")
        expect(newest).to_contain_text("Lara Log")
        expect(page.locator("tbody tr")).to_have_count(2)
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling

        page.get_by_label("What").select_option(label="Sign-in refused")
        page.get_by_role("button", name="Show").click()
        expect(page.locator("tbody tr")).to_have_count(1)
        expect(page.locator("tbody tr")).to_contain_text("Sami Staff")
        expect(page.locator("tbody tr")).to_contain_text("wrong password")
        assert "action=sign_in_failed" in page.url
        assert page.evaluate("document.documentElement.scrollWidth") <= width

        with page.expect_download() as downloaded:
            page.get_by_role("link", name="Download as CSV").click()
        download = downloaded.value
        assert download.suggested_filename.startswith("audit-log-") and download.suggested_filename.endswith(".csv")
        with open(download.path(), encoding="utf-8-sig", newline="") as file:
            rows = list(csv.reader(file))
        assert len(rows) == 2 and rows[1][2] == "sign_in_failed" and rows[1][7] == "Sami Staff"
    finally:
        context.close()
    with live_server.app.app_context():  # the download is itself in the log, with the filter used
        actor = db.session.scalar(select(User.id).where(User.username == coordinator))
        exported = db.session.scalars(select(AuditEvent.details).where(
            AuditEvent.actor_id == actor, AuditEvent.action == AuditAction.AUDIT_LOG_EXPORTED.value)).all()
        assert [(entry["action"], entry["rows"], entry["complete"]) for entry in exported] == [
            ("sign_in_failed", 1, True)]
