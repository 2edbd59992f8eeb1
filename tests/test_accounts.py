"""Signing in and out, sessions, passwords and CSRF."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from eduplatform.accounts import services
from eduplatform.accounts.models import User
from eduplatform.accounts.views import safe_next
from eduplatform.db import db
from eduplatform.records.models import AgreementSignature
from eduplatform.roles import Role
from tests.conftest import PASSWORD, Auth, csrf_token, run_in_app


def reload(app: Flask, user: User) -> User:
    with app.app_context():
        return db.session.get(User, user.id)


def session_cookie(client) -> str:
    return client.get_cookie("eduplatform_session").value


def test_sign_in_lands_on_the_dashboard(client, auth: Auth, pupil) -> None:
    response = auth.login(pupil)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Hello, Maya" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(("username", "password"), [
    ("nobody", PASSWORD),       # unknown user
    ("{user}", "wrong-pass"),  # wrong password
    ("{user}", ""),             # empty password
])
def test_failed_sign_in_says_why_and_signs_nobody_in(client, auth: Auth, pupil, username, password) -> None:
    response = auth.login(username.format(user=pupil.username), password)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "do not match" in page or "Enter your password" in page
    assert client.get("/").status_code == 302


def test_usernames_are_not_case_sensitive(auth: Auth, pupil) -> None:
    assert auth.login(pupil.username.upper()).status_code == 302


def test_the_session_is_renewed_at_sign_in(client, auth: Auth, pupil) -> None:
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    auth.login(pupil)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_sign_out_invalidates_every_copy_of_the_cookie(app, auth: Auth, pupil) -> None:
    other_device = app.test_client()
    assert Auth(other_device).login(pupil).status_code == 302
    auth.login(pupil)
    old_cookie = session_cookie(auth.client)
    assert auth.logout().status_code == 302

    replay = app.test_client()
    replay.set_cookie("eduplatform_session", old_cookie)
    assert replay.get("/").status_code == 302, "the old cookie still works after sign-out"
    assert other_device.get("/").status_code == 302, "another device stayed signed in after sign-out"


def test_password_change_keeps_this_browser_and_ends_other_sessions(app, client, auth: Auth, pupil) -> None:
    other_device = app.test_client()
    Auth(other_device).login(pupil)
    auth.login(pupil)
    response = auth.post("/account/password", {"current_password": PASSWORD, "new_password": "a-new-password",
                                                "confirm_password": "a-new-password"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other_device.get("/").status_code == 302
    assert Auth(app.test_client()).login(pupil, "a-new-password").status_code == 302


@pytest.mark.parametrize(("current", "new", "confirm", "message"), [
    ("wrong-current", "a-new-password", "a-new-password", "Your current password is not right."),
    (PASSWORD, "short", "short", "Use at least 8 characters."),
    (PASSWORD, "a-new-password", "another-password", "The two new passwords are not the same."),
])
def test_bad_password_change_says_why_and_changes_nothing(app, auth: Auth, pupil, current, new, confirm,
                                                          message) -> None:
    auth.login(pupil)
    before = reload(app, pupil).password_hash
    response = auth.post("/account/password", {"current_password": current, "new_password": new,
                                                "confirm_password": confirm})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert reload(app, pupil).password_hash == before


def test_disabling_an_account_ends_its_sessions(app, client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    run_in_app(app, lambda: services.disable_account(db.session.get(User, pupil.id)))
    assert client.get("/").status_code == 302
    assert auth.login(pupil).status_code == 200  # refused


def test_must_change_password_leads_to_the_change_form(client, auth: Auth, make_user, school) -> None:
    user = make_user(Role.PUPIL, school=school, year_group=5, must_change_password=True)
    response = auth.login(user)
    assert response.headers["Location"] == "/account/password"
    assert client.get("/").headers["Location"] == "/account/password"


@pytest.mark.parametrize(("target", "expected"), [
    ("/modules/ks2-passwords", "/modules/ks2-passwords"),
    ("//evil.example/", None),
    ("https://evil.example/", None),
    ("/\\evil.example", None),
    ("javascript:alert(1)", None),
    ("", None),
])
def test_only_same_site_paths_are_followed_after_sign_in(target, expected) -> None:
    assert safe_next(target) == expected


def test_sign_in_follows_a_safe_next(client, pupil) -> None:
    token = csrf_token(client, "/login?next=/modules/ks2-passwords")
    response = client.post("/login", data={"username": pupil.username, "password": PASSWORD, "csrf_token": token,
                                           "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_cookies_are_http_only_and_same_site(client, auth: Auth, pupil) -> None:
    response = auth.login(pupil)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_cookies_are_secure_over_https(tmp_path) -> None:
    from eduplatform import create_app
    from tests.conftest import test_settings

    https_app = create_app({**test_settings(tmp_path, f"sqlite:///{tmp_path / 'x.sqlite3'}"), "HTTPS": True})
    assert https_app.config["SESSION_COOKIE_SECURE"] is True


def test_a_post_without_a_valid_csrf_token_is_refused_and_changes_nothing(app, client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    for token in (None, "forged-token"):
        data = {"agree": "y"} | ({"csrf_token": token} if token else {})
        response = client.post("/agreements/ks2-aup/sign", data=data)
        assert response.status_code == 400
        assert "Nothing was saved" in response.get_data(as_text=True)
    response = client.post("/logout")
    assert response.status_code == 400
    assert client.get("/").status_code == 200, "sign-out happened without a token"
    with app.app_context():
        assert db.session.scalars(select(AgreementSignature)).all() == []


def test_sign_out_is_post_only(client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    assert client.get("/logout").status_code == 405
    assert client.get("/").status_code == 200


def test_a_pupils_session_ends_with_the_browser_and_an_adults_lasts(client, auth: Auth, pupil, staff) -> None:
    """Classroom devices are shared: a pupil's cookie has no expiry date (it goes when the browser closes)."""
    response = auth.login(pupil)
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if "eduplatform_session=" in value)
    assert "Expires=" not in cookie
    auth.logout()
    response = auth.login(staff)
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if "eduplatform_session=" in value)
    assert "Expires=" in cookie


def test_a_session_unused_for_the_idle_time_ends(app, client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    assert client.get("/").status_code == 200
    with client.session_transaction() as session:
        session["active_at"] -= app.config["SESSION_MINUTES"] * 60 + 1
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert "You were signed out because the page was not used for a while" in client.get("/login").get_data(
        as_text=True)
    assert client.get("/").status_code == 302  # still signed out
