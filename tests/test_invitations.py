"""Parents' invitations: one-time set-up codes, the set-up page, the letters PDF and the emails."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from eduplatform.accounts.models import SetupCode, User
from eduplatform.accounts.services import create_user, link_parent
from eduplatform.accounts.setup_codes import (
    SetupCodeError,
    SetupRefusal,
    display_code,
    issue_setup_code,
    normalise_code,
    redeem,
)
from eduplatform.audit.models import AuditAction, AuditEvent
from eduplatform.db import db, utcnow
from eduplatform.roles import Role
from eduplatform.schools.models import SchoolClass
from eduplatform.schools.services import assign_teacher, create_school
from tests.conftest import Auth, csrf_token, run_in_app, run_together
from tests.smtp_server import SmtpServer, running_smtp_server

NEW_PASSWORD = "a-brand-new-password"


@pytest.fixture
def uninvited(app, make_user, school):
    """A parent whose account has no password yet."""
    def make(**extra: Any) -> User:
        person = make_user(Role.PARENT, school=school, **extra)

        def clear() -> User:
            user = db.session.get(User, person.id)
            user.password_hash = None
            return user

        return run_in_app(app, clear)

    return make


def _issue(app, parent: User, now=None) -> str:
    return run_in_app(app, lambda: issue_setup_code(db.session.get(User, parent.id), None, "letter", now))


def _redeem(app, code: str, now=None) -> User:
    return run_in_app(app, lambda: redeem(code, NEW_PASSWORD, now))


# --- Codes --------------------------------------------------------------------------------------


def test_a_code_is_twelve_unambiguous_characters_and_only_its_hash_is_stored(app, uninvited) -> None:
    parent = uninvited()
    code = _issue(app, parent)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{12}", code)
    rows = run_in_app(app, lambda: list(db.session.scalars(select(SetupCode).where(SetupCode.user_id == parent.id))))
    assert len(rows) == 1 and code not in (rows[0].code_hash, rows[0].lookup)
    assert normalise_code(display_code(code).lower()) == code
    assert normalise_code(" ab-cd oil ") == "ABCD011"


def test_a_code_works_once(app, client, uninvited) -> None:
    parent = uninvited()
    code = _issue(app, parent)
    user = _redeem(app, display_code(code).lower())
    assert user.id == parent.id and not user.must_change_password
    assert Auth(client).login(parent.username, NEW_PASSWORD).status_code == 302
    with pytest.raises(SetupCodeError) as refused:
        run_in_app(app, lambda: redeem(code, "another-password-again"))
    assert refused.value.refusal is SetupRefusal.USED
    assert Auth(app.test_client()).login(parent.username, NEW_PASSWORD).status_code == 302  # unchanged


def test_an_expired_code_changes_nothing(app, uninvited) -> None:
    parent = uninvited()
    issued = utcnow() - timedelta(days=31)
    code = _issue(app, parent, now=issued)
    with pytest.raises(SetupCodeError) as refused:
        _redeem(app, code)
    assert refused.value.refusal is SetupRefusal.EXPIRED
    assert run_in_app(app, lambda: db.session.get(User, parent.id).password_hash) is None
    assert _redeem(app, code, now=issued + timedelta(days=29)).id == parent.id  # still valid on day 29


def test_a_new_code_ends_the_old_one(app, uninvited) -> None:
    parent = uninvited()
    old, new = _issue(app, parent), _issue(app, parent)
    with pytest.raises(SetupCodeError) as refused:
        _redeem(app, old)
    assert refused.value.refusal is SetupRefusal.EXPIRED
    assert _redeem(app, new).id == parent.id


def test_unknown_codes_short_passwords_and_closed_accounts_are_refused(app, uninvited) -> None:
    parent = uninvited()
    code = _issue(app, parent)
    with pytest.raises(SetupCodeError) as unknown:
        _redeem(app, "ZZZZ-ZZZZ-ZZZZ")
    assert unknown.value.refusal is SetupRefusal.UNKNOWN
    with pytest.raises(ValueError, match="at least"):
        run_in_app(app, lambda: redeem(code, "short"))
    run_in_app(app, lambda: setattr(db.session.get(User, parent.id), "disabled_at", utcnow()))
    with pytest.raises(SetupCodeError) as closed:
        _redeem(app, code)
    assert closed.value.refusal is SetupRefusal.ACCOUNT_CLOSED


def test_one_code_used_in_parallel_sets_up_the_account_once(concurrent_app) -> None:
    with concurrent_app.app_context():
        school = create_school(name="Parallel", slug="parallel")
        parent = create_user(username="par.ent", first_name="Par", last_name="Ent", roles={Role.PARENT},
                             school_id=school.id)
        code = issue_setup_code(parent, None, "letter")
        db.session.commit()
    clients = [concurrent_app.test_client() for _ in range(4)]
    forms = [(client, {"csrf_token": csrf_token(client, "/setup"), "code": code,
                       "new_password": f"password-number-{index}", "confirm_password": f"password-number-{index}"})
             for index, client in enumerate(clients)]
    statuses: dict[int, int] = {}

    def set_up(index: int) -> None:
        client, form = forms[index]
        statuses[index] = client.post("/setup", data=form).status_code

    assert run_together(*[lambda index=index: set_up(index) for index in range(len(forms))]) == []
    assert sorted(statuses.values()) == [302, 400, 400, 400]
    [winner] = [index for index, status in statuses.items() if status == 302]
    assert Auth(concurrent_app.test_client()).login("par.ent", f"password-number-{winner}").status_code == 302


# --- The set-up page ----------------------------------------------------------------------------


def test_the_set_up_page_sets_the_password_and_sends_to_sign_in(app, client, uninvited) -> None:
    parent = uninvited()
    code = _issue(app, parent)
    form = {"code": display_code(code), "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    response = Auth(client).post("/setup", form, token_from="/setup")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    page = client.get("/login").get_data(as_text=True)
    assert parent.username in page
    again = Auth(client).post("/setup", {**form, "new_password": "x" * 10, "confirm_password": "x" * 10},
                              token_from="/setup")
    assert again.status_code == 400 and "already been used" in again.get_data(as_text=True)
    assert Auth(client).login(parent.username, NEW_PASSWORD).status_code == 302


def test_the_set_up_page_explains_bad_input_and_changes_nothing(app, client, uninvited) -> None:
    parent = uninvited()
    code = _issue(app, parent)
    mismatch = Auth(client).post("/setup", {"code": code, "new_password": NEW_PASSWORD,
                                            "confirm_password": "something-else"}, token_from="/setup")
    assert mismatch.status_code == 400 and "not the same" in mismatch.get_data(as_text=True)
    wrong = Auth(client).post("/setup", {"code": "ABCD-EFGH-JKMN", "new_password": NEW_PASSWORD,
                                         "confirm_password": NEW_PASSWORD}, token_from="/setup")
    assert wrong.status_code == 400 and "not right" in wrong.get_data(as_text=True)
    assert 'class="error-summary"' in wrong.get_data(as_text=True)
    assert run_in_app(app, lambda: db.session.get(User, parent.id).password_hash) is None


def test_the_set_up_page_is_rate_limited_per_address(app, client, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "RATELIMIT_ENABLED", True)
    token = csrf_token(client, "/setup")
    form = {"csrf_token": token, "code": "ABCD-EFGH-JKMN", "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD}
    statuses = [client.post("/setup", data=form).status_code for _ in range(11)]
    assert statuses[:10] == [400] * 10 and statuses[10] == 429
    assert "Too many tries" in client.post("/setup", data=form).get_data(as_text=True)


# --- Letters and emails -------------------------------------------------------------------------


@pytest.fixture
def family_class(app, make_user, make_class, school, uninvited):
    """A class with two pupils: one has two uninvited parents, the other one parent already signed in."""
    amy = make_user(Role.PUPIL, school=school, year_group=5, first_name="Amy")
    ben = make_user(Role.PUPIL, school=school, year_group=5, first_name="Ben")
    mum = uninvited(first_name="Mum", email="mum@example.org")
    dad = uninvited(first_name="Dad", email="dad@refused.example.org")
    active = make_user(Role.PARENT, school=school, first_name="Active")
    school_class = make_class(school, pupils=(amy, ben))
    run_in_app(app, lambda: [link_parent(db.session.get(User, parent.id), db.session.get(User, child.id))
                             for parent, child in ((mum, amy), (dad, amy), (active, ben))])
    coordinator = make_user(Role.COORDINATOR, Role.STAFF, school=school)
    return {"class": school_class, "mum": mum, "dad": dad, "active": active, "coordinator": coordinator}


def test_the_invitations_page_lists_who_gets_a_letter(client, auth, family_class) -> None:
    auth.login(family_class["coordinator"])
    page = client.get(f"/classes/{family_class['class'].id}/invitations").get_data(as_text=True)
    assert "new codes for 2 parents" in page
    assert "Already signed in" in page and family_class["active"].full_name in page
    assert "no mail server is set up" in page and "/invitations/email" not in page


def test_letters_are_one_page_per_parent_each_with_its_own_code(app, client, auth, family_class) -> None:
    auth.login(family_class["coordinator"])
    old_code = _issue(app, family_class["mum"])
    response = auth.post(f"/classes/{family_class['class'].id}/invitations.pdf",
                         token_from=f"/classes/{family_class['class'].id}/invitations")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages]
    assert len(pages) == 2
    codes = [re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", text).group(0) for text in pages]
    assert len(set(codes)) == 2 and all("Amy" in text for text in pages)
    assert any(family_class["mum"].username in text for text in pages)
    with pytest.raises(SetupCodeError):
        _redeem(app, old_code)  # the earlier letter stopped working
    assert {_redeem(app, code).id for code in codes} == {family_class["mum"].id, family_class["dad"].id}
    events = run_in_app(app, lambda: list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == AuditAction.INVITATIONS_ISSUED.value))))
    assert [event.details["count"] for event in events] == [2]


def test_another_schools_coordinator_cannot_print_the_letters(app, client, auth, family_class, make_user,
                                                              make_school) -> None:
    other = make_user(Role.COORDINATOR, school=make_school())
    auth.login(other)
    response = auth.post(f"/classes/{family_class['class'].id}/invitations.pdf")
    assert response.status_code == 404
    assert run_in_app(app, lambda: db.session.scalar(select(SetupCode.id).limit(1))) is None


@pytest.fixture
def smtp(app, monkeypatch) -> Any:
    with running_smtp_server() as server:
        for key, value in {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": server.port, "MAIL_USE_TLS": False,
                           "MAIL_USE_SSL": False, "MAIL_FROM": "School <office@oak.example.org>",
                           "MAIL_TIMEOUT": 2, "BASE_URL": "https://safety.example.org"}.items():
            monkeypatch.setitem(app.config, key, value)
        server.refuse.add("dad@refused.example.org")
        yield server


def test_emailed_invitations_carry_a_working_code_and_refused_ones_none(app, client, auth, family_class,
                                                                        smtp: SmtpServer) -> None:
    auth.login(family_class["coordinator"])
    dad_letter = _issue(app, family_class["dad"])
    page_path = f"/classes/{family_class['class'].id}/invitations"
    assert "/invitations/email" in client.get(page_path).get_data(as_text=True)
    response = auth.post(f"{page_path}/email", token_from=page_path)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "1 invitation was emailed" in page
    assert "Refused by the mail server" in page and family_class["dad"].full_name in page
    [mail] = smtp.to("mum@example.org")
    text, html = mail.part("text/plain"), mail.part("text/html")
    assert "https://safety.example.org/setup" in text and "https://safety.example.org/setup" in html
    code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", text).group(0)
    assert code in html and family_class["mum"].username in text
    assert _redeem(app, code).id == family_class["mum"].id
    refused_codes = run_in_app(app, lambda: list(db.session.scalars(select(SetupCode).where(
        SetupCode.user_id == family_class["dad"].id, SetupCode.sent_by == "email"))))
    assert len(refused_codes) == 1 and refused_codes[0].expires_at <= utcnow()  # withdrawn
    assert _redeem(app, dad_letter).id == family_class["dad"].id  # his earlier letter still works


def test_the_class_page_links_to_the_invitations_for_its_coordinator_only(client, auth, family_class, make_user,
                                                                          school) -> None:
    path = f"/classes/{family_class['class'].id}"
    auth.login(family_class["coordinator"])
    assert f"{path}/invitations" in client.get(path).get_data(as_text=True)
    auth.logout()
    teacher = make_user(Role.STAFF, school=school)
    from tests.conftest import run_in_app as run
    run(client.application, lambda: assign_teacher(db.session.get(SchoolClass, family_class["class"].id),
                                                   db.session.get(User, teacher.id)))
    auth.login(teacher)
    page = client.get(path)
    assert page.status_code == 200 and f"{path}/invitations" not in page.get_data(as_text=True)
