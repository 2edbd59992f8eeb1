"""A coordinator must set up multi-factor sign-in, then signs in with a code from the app."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pyotp

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips (or fails) every test here with one reason
    expect = None

from eduplatform.accounts.services import create_user
from eduplatform.config import DEFAULTS
from eduplatform.db import db
from eduplatform.roles import Role
from eduplatform.schools.services import create_school

from .conftest import PASSWORD

if TYPE_CHECKING:
    from .conftest import LiveServer


def _password_step(page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_coordinator_sets_up_an_authenticator_app_and_signs_in_with_it(live_server: LiveServer,
                                                                        new_context) -> None:
    with live_server.app.app_context():
        school = create_school(name="Maple Academy", slug="maple-academy")
        create_user(username="maple.coordinator", first_name="Mina", last_name="Ito", school_id=school.id,
                    roles={Role.COORDINATOR, Role.STAFF}, password=PASSWORD)
        db.session.commit()
    live_server.app.config["MFA_REQUIRED_FOR"] = DEFAULTS["MFA_REQUIRED_FOR"]
    try:
        page = new_context().new_page()
        _password_step(page, "maple.coordinator")
        expect(page.get_by_role("heading", level=1)).to_have_text("Set up multi-factor sign-in")
        expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
        secret = page.locator("#mfa-secret").inner_text()
        page.get_by_label("Code").fill(pyotp.TOTP(secret).now())
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
        expect(page.locator("#recovery-codes li")).to_have_count(10)
        page.get_by_role("link", name="I have kept them: continue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Mina")

        later = new_context().new_page()
        _password_step(later, "maple.coordinator")
        expect(later.get_by_role("heading", level=1)).to_have_text("Sign in: code")
        later.get_by_label("Code").fill(pyotp.TOTP(secret).at(time.time() + 30))  # not the code used above
        later.get_by_role("button", name="Continue").click()
        expect(later.get_by_role("heading", level=1)).to_have_text("Hello, Mina")
    finally:
        live_server.app.config["MFA_REQUIRED_FOR"] = ()
