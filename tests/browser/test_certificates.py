"""Certificates in a browser, on a phone and on a wide screen: checking a code without an account,
the holder downloading their certificate, and the coordinator's list with its bulk downloads.
Every page is checked with axe (see conftest)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import select

from eduplatform.accounts.models import User
from eduplatform.accounts.services import create_user
from eduplatform.audit.models import AuditAction, AuditEvent
from eduplatform.db import db
from eduplatform.records.certificates import new_code
from eduplatform.records.models import Certificate
from eduplatform.roles import Role
from eduplatform.schools.services import create_school

from .conftest import PASSWORD, sign_in_with_password

if TYPE_CHECKING:

    from .conftest import LiveServer

WIDTHS = [390, 1920]


def _seed(live_server: LiveServer, width: int) -> tuple[str, str, int, str]:
    """A school with a coordinator and a member of staff holding a certificate: (coordinator, holder,
    certificate id, code)."""
    with live_server.app.app_context():
        school = create_school(name=f"Certificate School {width}", slug=f"certificate-school-{width}")
        coordinator = create_user(username=f"cert.coordinator{width}", first_name="Cora", last_name="Ord",
                                  roles={Role.COORDINATOR, Role.STAFF}, school_id=school.id, password=PASSWORD)
        holder = create_user(username=f"cert.holder{width}", first_name="Hana", last_name="Older",
                             roles={Role.STAFF}, school_id=school.id, password=PASSWORD)
        certificate = Certificate(code=new_code(), school_id=school.id, user_id=holder.id, module_id="staff-induction",
                                  module_version="a1b2c3d4e5f6", locale="en", academic_year=2026,
                                  completed_on=date(2026, 9, 14), method="self", score_percent=90,
                                  expires_on=date(2099, 8, 31), issued_at=datetime(2026, 9, 14, 10))
        db.session.add(certificate)
        db.session.commit()
        return coordinator.username, holder.username, certificate.id, certificate.code


@pytest.mark.parametrize("width", WIDTHS)
def test_anyone_checks_a_certificate_by_typing_its_code(live_server: LiveServer, browser, width: int) -> None:
    from playwright.sync_api import expect

    _coordinator, _holder, _certificate_id, code = _seed(live_server, width)
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto("/verify")
        page.get_by_role("button", name="Check the certificate").click()  # nothing typed
        summary = page.get_by_role("alert").filter(has_text="There is a problem")
        expect(summary).to_be_focused()
        summary.get_by_role("link", name="Verification code: Type the code printed on the certificate.").click()
        expect(page.get_by_label("Verification code")).to_be_focused()
        page.get_by_label("Verification code").fill(f"{code[:5].lower()}-{code[5:].lower()}")
        page.get_by_role("button", name="Check the certificate").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("This certificate is genuine")
        expect(page.locator(".verify-facts")).to_contain_text("Hana Older")
        expect(page.get_by_role("link", name="Sign in")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.goto("/verify/NOPE0-NOPE0")
        expect(page.get_by_role("heading", level=1)).to_have_text("No certificate has this code")
        page.get_by_role("link", name="Check another code").click()
        expect(page.get_by_label("Verification code")).to_be_visible()
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_holder_downloads_their_certificate(live_server: LiveServer, browser, width: int) -> None:
    from playwright.sync_api import expect

    _coordinator, holder, certificate_id, code = _seed(live_server, width + 1)
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        sign_in_with_password(page, holder)
        page.goto(f"/certificates/{certificate_id}")
        expect(page.locator(".certificate-card-code")).to_have_text(f"{code[:5]}-{code[5:]}")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        with page.expect_download() as downloaded:
            page.get_by_role("link", name="Download the certificate (PDF)").click()
        download = downloaded.value
        assert download.suggested_filename == f"older-hana-staff-induction-{code[:5]}-{code[5:]}.pdf"
        with open(download.path(), "rb") as file:
            assert file.read(5) == b"%PDF-"
    finally:
        context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_the_coordinator_lists_and_downloads_certificates(live_server: LiveServer, browser, width: int) -> None:
    from playwright.sync_api import expect

    coordinator, _holder, _certificate_id, _code = _seed(live_server, width + 2)
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        sign_in_with_password(page, coordinator)
        page.goto("/certificates")
        expect(page.get_by_text("1 certificate", exact=True)).to_be_visible()
        page.get_by_label("Only current certificates (not expired or replaced)").check()
        page.get_by_role("button", name="Show").click()
        expect(page.get_by_role("link", name="Older, Hana")).to_be_visible()
        assert "current=y" in page.url
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        with page.expect_download() as downloaded:
            page.get_by_role("link", name="Download as a ZIP of PDF files").click()
        assert downloaded.value.suggested_filename == "certificates.zip"
        page.get_by_label("Completed from").fill("2030-01-01")
        page.get_by_label("Completed up to").fill("2029-01-01")
        page.get_by_role("button", name="Show").click()
        expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_contain_text(
            "The last day comes before the first day")
    finally:
        context.close()
    with live_server.app.app_context():  # the download is in the school's audit log
        actor = db.session.scalar(select(User.id).where(User.username == coordinator))
        logged = db.session.scalars(select(AuditEvent.details).where(
            AuditEvent.actor_id == actor, AuditEvent.action == AuditAction.EXPORT_DOWNLOADED.value)).all()
        assert logged == [{"kind": "certificates", "filters": {"schools": [logged[0]["filters"]["schools"][0]],
                                                               "current": True}, "count": 1, "format": "zip"}]
