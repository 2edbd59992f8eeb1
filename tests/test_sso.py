"""Signing in with Google or Microsoft, against a real OpenID Connect provider on 127.0.0.1.

The provider (:mod:`tests.oidc_provider`) is Authlib's server side: it issues real codes and signed
ID tokens. The site's client is the real one (Authlib's Flask client); nothing of it is mocked.
The browser's trip to the provider and back is made with ``requests`` (to the provider) and the
Flask test client (to the site).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from flask import Flask
from sqlalchemy import func, select

from eduplatform.accounts.models import User
from eduplatform.accounts.services import disable_account
from eduplatform.accounts.sso import init_sso
from eduplatform.db import db
from eduplatform.roles import Role
from eduplatform.schools.models import School
from eduplatform.schools.services import SchoolSetupError, set_single_sign_on
from tests.conftest import run_in_app
from tests.oidc_provider import LocalOIDCProvider

DOMAIN = "oak.sch.uk"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
SETTINGS = ("SSO_GOOGLE_CLIENT_ID", "SSO_GOOGLE_CLIENT_SECRET", "SSO_GOOGLE_METADATA_URL",
            "SSO_MICROSOFT_CLIENT_ID", "SSO_MICROSOFT_CLIENT_SECRET", "SSO_MICROSOFT_METADATA_URL")


@pytest.fixture
def idp(app: Flask) -> Iterator[LocalOIDCProvider]:
    """The local provider, set up as both Google and Microsoft for the site; put back afterwards."""
    saved = {name: app.config[name] for name in SETTINGS}
    with LocalOIDCProvider() as provider:
        for name in ("GOOGLE", "MICROSOFT"):
            app.config.update({f"SSO_{name}_CLIENT_ID": "eduplatform-test",
                               f"SSO_{name}_CLIENT_SECRET": "test-secret",
                               f"SSO_{name}_METADATA_URL": provider.metadata_url})
        init_sso(app)
        try:
            yield provider
        finally:
            app.config.update(saved)
            init_sso(app)


@pytest.fixture
def sso_school(app: Flask, make_school: Any) -> School:
    school = make_school()

    def turn_on() -> None:
        set_single_sign_on(db.session.get(School, school.id), provider="google", domain=DOMAIN, tenant=None)

    run_in_app(app, turn_on)
    return school


@pytest.fixture
def teacher(make_user: Any, sso_school: School) -> User:
    return make_user(Role.STAFF, school=sso_school, email=f"t.jones@{DOMAIN}")


def sign_on(client: Any, provider: str = "google") -> Any:
    """Click "Sign in with ...", let the provider answer, and follow it back to the site."""
    start = client.get(f"/login/sso/{provider}")
    assert start.status_code == 302, start.get_data(as_text=True)
    if not start.headers["Location"].startswith("http://127.0.0.1"):
        return start  # the site did not send us to the provider (it said why)
    answer = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["Location"])
    assert back.path == f"/login/sso/{provider}/callback"
    return client.get(f"{back.path}?{back.query}")


def signed_in_as(client: Any) -> str | None:
    page = client.get("/", follow_redirects=False)
    if page.status_code != 200:
        return None
    text = page.get_data(as_text=True)
    if "Sign out " not in text:
        return None
    return text.split("Sign out ", 1)[1].removeprefix("<bdi>").split("<", 1)[0]  # the name, isolated in <bdi>


def flashed(client: Any) -> str:
    return client.get("/login").get_data(as_text=True)


def people_count(app: Flask) -> int:
    return run_in_app(app, lambda: db.session.scalar(select(func.count()).select_from(User)))


def test_a_teacher_signs_in_with_google_by_the_email_on_their_account(client, idp, teacher) -> None:
    idp.sign_in_as(teacher.email, hd=DOMAIN)
    response = sign_on(client)
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    assert signed_in_as(client) == teacher.display_name
    assert "/token" in idp.requests_seen and "/jwks" in idp.requests_seen


def test_the_sign_in_page_offers_google_only_once_a_school_has_chosen_it(app, client, idp, make_school) -> None:
    make_school()
    assert "Sign in with Google" not in client.get("/login").get_data(as_text=True)
    school = make_school()
    run_in_app(app, lambda: set_single_sign_on(db.session.get(School, school.id), provider="google",
                                               domain="elm.sch.uk", tenant=None))
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with Google" in page and "Sign in with Microsoft" not in page


def test_with_single_sign_on_on_passwords_and_pictures_are_still_offered(client, idp, sso_school) -> None:
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in with Google" in page
    assert 'name="password"' in page and "sign in with pictures" in page


def test_an_email_that_matches_nobody_is_told_to_ask_the_school_and_nothing_is_created(app, client, idp,
                                                                                      teacher) -> None:
    before = people_count(app)
    idp.sign_in_as(f"new.person@{DOMAIN}", hd=DOMAIN)
    response = sign_on(client)
    assert response.headers["Location"].endswith("/login")
    assert "has no account for new.person@oak.sch.uk" in flashed(client)
    assert signed_in_as(client) is None
    assert people_count(app) == before


def test_an_account_of_another_domain_is_refused(client, idp, teacher) -> None:
    idp.sign_in_as("t.jones@elsewhere.org", hd="elsewhere.org")
    sign_on(client)
    assert "accounts of elsewhere.org cannot sign in" in flashed(client)
    assert signed_in_as(client) is None


def test_a_personal_google_account_with_a_school_address_is_refused(client, idp, teacher) -> None:
    """Google marks Workspace accounts with ``hd``; a personal account registered with the address has none."""
    idp.sign_in_as(teacher.email)  # no hd
    sign_on(client)
    assert signed_in_as(client) is None
    idp.sign_in_as(teacher.email, hd=DOMAIN, email_verified=False)
    sign_on(client)
    assert signed_in_as(client) is None


def test_people_are_matched_within_the_school_of_the_domain_only(client, idp, teacher, make_school,
                                                                make_user) -> None:
    other = make_school()
    make_user(Role.COORDINATOR, Role.STAFF, school=other, email="head@other.sch.uk")
    idp.sign_in_as("head@other.sch.uk", hd=DOMAIN)  # a token whose hd is ours but whose address is not
    sign_on(client)
    assert signed_in_as(client) is None


def test_a_token_signed_with_the_wrong_key_is_refused_and_passwords_still_work(client, auth, idp, teacher) -> None:
    idp.sign_in_as(teacher.email, hd=DOMAIN)
    idp.sign_ids_with_wrong_key()
    response = sign_on(client)
    assert response.headers["Location"].endswith("/login")
    assert "could not be checked" in flashed(client)
    assert signed_in_as(client) is None
    assert auth.login(teacher).status_code == 302
    assert signed_in_as(client) == teacher.display_name


def test_a_refused_consent_and_a_replayed_answer_are_refused(client, idp, teacher) -> None:
    idp.sign_in_as(teacher.email, hd=DOMAIN)
    idp.deny_next()
    sign_on(client)
    assert signed_in_as(client) is None
    start = client.get("/login/sso/google")
    answer = requests.get(start.headers["Location"], allow_redirects=False, timeout=10)
    back = urlsplit(answer.headers["Location"])
    client.get(f"{back.path}?{back.query}")
    assert signed_in_as(client) == teacher.display_name
    with client.session_transaction() as session:  # another browser (or this one signed out)
        session.clear()
    client.get(f"{back.path}?{back.query}")  # the same answer again: its state belongs to no session
    assert signed_in_as(client) is None


def test_a_provider_that_does_not_answer_leaves_password_sign_in(app, client, auth, teacher) -> None:
    saved = {name: app.config[name] for name in SETTINGS}
    app.config.update(SSO_GOOGLE_CLIENT_ID="site", SSO_GOOGLE_CLIENT_SECRET="secret",
                      SSO_GOOGLE_METADATA_URL="http://127.0.0.1:9/.well-known/openid-configuration")
    init_sso(app)
    try:
        response = client.get("/login/sso/google")
        assert response.status_code == 302 and response.headers["Location"].endswith("/login")
        assert "Google sign-in is not answering just now" in flashed(client)
        assert auth.login(teacher).status_code == 302
    finally:
        app.config.update(saved)
        init_sso(app)


def test_a_disabled_account_cannot_sign_in_with_google(app, client, idp, teacher) -> None:
    run_in_app(app, lambda: disable_account(db.session.get(User, teacher.id)))
    idp.sign_in_as(teacher.email, hd=DOMAIN)
    sign_on(client)
    assert "cannot sign in: it has been disabled" in flashed(client)
    assert signed_in_as(client) is None


def test_signing_in_with_google_does_not_ask_for_a_new_password(app, client, idp, teacher) -> None:
    """An adult still on a first password (never used) is not sent to change it after Google sign-in."""
    def first_password() -> None:
        db.session.get(User, teacher.id).must_change_password = True

    run_in_app(app, first_password)
    idp.sign_in_as(teacher.email, hd=DOMAIN)
    sign_on(client)
    assert client.get("/").status_code == 200


def test_a_person_with_multi_factor_sign_in_still_types_their_code_after_google(app, client, idp, teacher) -> None:
    import pyotp

    from eduplatform.accounts import mfa

    secret = pyotp.random_base32()
    run_in_app(app, lambda: mfa.turn_on(db.session.get(User, teacher.id), secret))
    idp.sign_in_as(teacher.email, hd=DOMAIN)
    response = sign_on(client)
    assert response.headers["Location"] == "/login/code"
    assert signed_in_as(client) is None


def test_microsoft_accepts_only_tokens_of_the_schools_own_tenant(app, client, idp, make_school, make_user) -> None:
    school = make_school()
    run_in_app(app, lambda: set_single_sign_on(db.session.get(School, school.id), provider="microsoft",
                                               domain="birch.sch.uk", tenant=TENANT))
    person = make_user(Role.STAFF, school=school, email="a.khan@birch.sch.uk")
    idp.sign_in_as(person.email, tid="00000000-0000-0000-0000-000000000000")
    sign_on(client, "microsoft")
    assert signed_in_as(client) is None
    idp.sign_in_as(person.email, tid=TENANT)
    sign_on(client, "microsoft")
    assert signed_in_as(client) == person.display_name


def test_school_sign_on_settings_are_checked(app, make_school, make_trust) -> None:
    trust = make_trust()
    first, second, outsider = make_school(trust=trust), make_school(trust=trust), make_school()

    def check() -> None:
        school = db.session.get(School, first.id)
        with pytest.raises(SchoolSetupError, match="email domain"):
            set_single_sign_on(school, provider="google", domain="not a domain", tenant=None)
        with pytest.raises(SchoolSetupError, match="tenant"):
            set_single_sign_on(school, provider="microsoft", domain=DOMAIN, tenant="")
        with pytest.raises(SchoolSetupError, match="Choose Google or Microsoft"):
            set_single_sign_on(school, provider="yahoo", domain=DOMAIN, tenant=None)
        set_single_sign_on(school, provider="google", domain=DOMAIN, tenant=None)
        set_single_sign_on(db.session.get(School, second.id), provider="google", domain=DOMAIN, tenant=None)
        with pytest.raises(SchoolSetupError, match="Another school already signs in"):
            set_single_sign_on(db.session.get(School, outsider.id), provider="google", domain=DOMAIN, tenant=None)

    run_in_app(app, check)


def test_sso_routes_of_providers_that_are_not_set_up_are_not_found(client) -> None:
    assert client.get("/login/sso/google").status_code == 404
    assert client.get("/login/sso/github").status_code == 404
