"""Multi-factor sign-in: set-up with a QR code, the code step, recovery codes, and who must use it."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest
from flask import Flask

from eduplatform.accounts.models import User, UserDuty
from eduplatform.config import DEFAULTS
from eduplatform.db import db
from eduplatform.roles import Duty, Role
from tests.conftest import Auth, run_in_app


@pytest.fixture
def required(app: Flask) -> Iterator[None]:
    """The production rule: coordinators, trust leads, administrators and the DSL and deputies."""
    app.config["MFA_REQUIRED_FOR"] = DEFAULTS["MFA_REQUIRED_FOR"]
    try:
        yield
    finally:
        app.config["MFA_REQUIRED_FOR"] = ()


def set_up(client: Any, auth: Auth) -> tuple[str, list[str]]:
    """Go through the set-up page as a person would: read the key, type the app's code."""
    page = client.get("/account/mfa").get_data(as_text=True)
    secret = re.search(r'id="mfa-secret" class="secret">([A-Z2-7]+)<', page).group(1)
    assert 'src="data:image/svg+xml' in page  # the QR code
    done = auth.post("/account/mfa", {"code": pyotp.TOTP(secret).now()}, token_from="/account/mfa")
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", done.get_data(as_text=True))
    return secret, codes


def code_at(secret: str, offset_steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


@pytest.mark.parametrize("who", ["coordinator", "trust_lead", "admin", "dsl", "deputy_dsl"])
def test_accounts_that_see_personal_data_must_set_it_up_first(app, client, auth, school, make_user, make_trust,
                                                              required, who) -> None:
    if who == "coordinator":
        person = make_user(Role.COORDINATOR, Role.STAFF, school=school)
    elif who == "trust_lead":
        person = make_user(Role.TRUST_LEAD, trust_id=make_trust().id)
    elif who == "admin":
        person = make_user(Role.ADMIN)
    else:
        person = make_user(Role.STAFF, school=school)
        run_in_app(app, lambda: db.session.add(UserDuty(user_id=person.id, duty=Duty(who))))
    auth.login(person)
    for path in ("/", "/people", "/records"):
        assert client.get(path).headers["Location"] == "/account/mfa"
    set_up(client, auth)
    assert client.get("/").status_code == 200


def test_other_staff_may_choose_it_and_pupils_do_not_see_it(client, auth, staff, pupil, required) -> None:
    auth.login(staff)
    assert client.get("/").status_code == 200
    assert "Add a second step when you sign in" in client.get("/account/mfa").get_data(as_text=True)
    auth.logout()
    auth.login(pupil)
    assert client.get("/account/mfa").status_code == 404


def test_signing_in_with_the_app_code_and_with_a_recovery_code(app, client, auth, school, make_user,
                                                              required) -> None:
    coordinator = make_user(Role.COORDINATOR, Role.STAFF, school=school)
    auth.login(coordinator)
    secret, codes = set_up(client, auth)
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = run_in_app(app, lambda: db.session.get(User, coordinator.id).mfa_secret)
    assert secret not in stored  # encrypted at rest
    auth.logout()

    browser = Auth(app.test_client())
    assert browser.login(coordinator).headers["Location"] == "/login/code"
    assert browser.client.get("/").headers["Location"].startswith("/login")  # not signed in yet
    wrong = browser.post("/login/code", {"code": "000000"}, token_from="/login/code")
    assert "That code is not right" in wrong.get_data(as_text=True)
    assert browser.post("/login/code", {"code": code_at(secret, 1)}, token_from="/login/code").status_code == 302
    assert browser.client.get("/").status_code == 200

    again = Auth(app.test_client())  # the same code a second time: refused
    again.login(coordinator)
    assert "That code is not right" in again.post("/login/code", {"code": code_at(secret, 1)},
                                                  token_from="/login/code").get_data(as_text=True)
    assert again.post("/login/code", {"code": codes[0]}, token_from="/login/code").status_code == 302
    third = Auth(app.test_client())
    third.login(coordinator)
    assert "That code is not right" in third.post("/login/code", {"code": codes[0]},
                                                  token_from="/login/code").get_data(as_text=True)


def test_a_wrong_password_never_reaches_the_code_step(app, client, auth, staff) -> None:
    auth.login(staff)
    set_up(client, auth)
    auth.logout()
    assert auth.login(staff, "not-the-password").status_code == 200
    assert client.get("/login/code").headers["Location"] == "/login"


def test_the_code_step_stops_after_many_wrong_codes(app, client, auth, staff) -> None:
    auth.login(staff)
    secret, _ = set_up(client, auth)
    auth.logout()
    for number in range(10):
        browser = Auth(app.test_client())
        browser.client.environ_base["REMOTE_ADDR"] = f"198.51.100.{number}"
        browser.login(staff)
        browser.post("/login/code", {"code": "123456"}, token_from="/login/code")
    last = Auth(app.test_client())
    last.login(staff)
    page = last.post("/login/code", {"code": code_at(secret)}, token_from="/login/code").get_data(as_text=True)
    assert "Too many wrong codes" in page


def test_required_accounts_cannot_turn_it_off_and_others_can(app, client, auth, school, make_user,
                                                            required, staff) -> None:
    coordinator = make_user(Role.COORDINATOR, Role.STAFF, school=school)
    auth.login(coordinator)
    set_up(client, auth)
    auth.post("/account/mfa/off", token_from="/account/mfa")
    assert "cannot be turned off" in client.get("/account/mfa").get_data(as_text=True)
    assert run_in_app(app, lambda: db.session.get(User, coordinator.id).mfa_secret) is not None
    auth.logout()
    auth.login(staff)
    set_up(client, auth)
    auth.post("/account/mfa/off", token_from="/account/mfa")
    assert run_in_app(app, lambda: db.session.get(User, staff.id).mfa_secret) is None


def test_new_recovery_codes_replace_the_old_ones(app, client, auth, staff) -> None:
    auth.login(staff)
    _, old = set_up(client, auth)
    page = auth.post("/account/mfa/recovery-codes", token_from="/account/mfa").get_data(as_text=True)
    new = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", page)
    assert len(new) == 10 and not set(new) & set(old)
    auth.logout()
    auth.login(staff)
    assert "That code is not right" in auth.post("/login/code", {"code": old[0]},
                                                 token_from="/login/code").get_data(as_text=True)


def test_a_started_sign_in_ends_when_the_password_changes(app, client, auth, staff) -> None:
    auth.login(staff)
    secret, _ = set_up(client, auth)
    auth.logout()
    auth.login(staff)  # password right, code step open
    run_in_app(app, lambda: setattr(db.session.get(User, staff.id), "session_token", "changed-elsewhere"))
    assert client.get("/login/code").headers["Location"] == "/login"
