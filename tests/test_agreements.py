"""Signing acceptable use agreements against the exact text version."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from eduplatform.academic_year import AcademicYear
from eduplatform.agreements.forms import names_match
from eduplatform.db import db
from eduplatform.records.models import AgreementSignature, CompletionStatus, ModuleCompletion, SignatureMethod
from eduplatform.roles import Role
from tests.conftest import Auth, run_in_app


def signatures(app) -> list[AgreementSignature]:
    with app.app_context():
        return list(db.session.scalars(select(AgreementSignature)))


def test_a_pupil_ticks_to_agree(app, client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    page = client.get("/agreements/ks2-aup").get_data(as_text=True)
    assert "Not signed" in page and "I agree" in page
    response = auth.post("/agreements/ks2-aup/sign", {"agree": "y"})
    assert response.status_code == 302
    page = client.get("/agreements/ks2-aup").get_data(as_text=True)
    assert "Signed" in page and "Last signed on" in page
    [signature] = signatures(app)
    assert signature.method is SignatureMethod.TICKED and signature.user_id == pupil.id
    assert signature.academic_year == AcademicYear.current().start_year and len(signature.agreement_version) == 12


def test_not_ticking_explains_and_records_nothing(app, auth: Auth, pupil) -> None:
    auth.login(pupil)
    response = auth.post("/agreements/ks2-aup/sign", {})
    assert response.status_code == 200 and "Tick the box to agree." in response.get_data(as_text=True)
    assert signatures(app) == []


def test_an_adult_signs_by_typing_their_full_name(app, client, auth: Auth, staff) -> None:
    auth.login(staff)
    wrong = auth.post("/agreements/staff-aup/sign", {"typed_name": "Someone Else"})
    assert "Type your full name exactly as the school has it: Tom Hughes" in wrong.get_data(as_text=True)
    assert signatures(app) == []
    assert auth.post("/agreements/staff-aup/sign", {"typed_name": "  tom   HUGHES "}).status_code == 302
    [signature] = signatures(app)
    assert signature.method is SignatureMethod.TYPED_NAME and signature.typed_name == "tom   HUGHES"


@pytest.mark.parametrize(("typed", "full", "expected"), [
    ("Tom Hughes", "Tom Hughes", True), ("tom hughes", "Tom Hughes", True), ("Tom  Hughes", "Tom Hughes", True),
    ("Tom", "Tom Hughes", False), ("Tom Hughes-Smith", "Tom Hughes", False), ("Zoë O'Brien", "zoë o'brien", True),
])
def test_typed_names_match_ignoring_case_and_spacing(typed, full, expected) -> None:
    assert names_match(typed, full) is expected


def test_a_changed_text_needs_signing_again(app, client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    auth.post("/agreements/ks2-aup/sign", {"agree": "y"})

    def pretend_signed_an_older_text() -> None:
        db.session.scalar(select(AgreementSignature)).agreement_version = "0ld0ld0ld0ld"

    run_in_app(app, pretend_signed_an_older_text)
    page = client.get("/agreements/ks2-aup").get_data(as_text=True)
    assert "Needs signing again" in page and "has changed since you signed it" in page
    assert "Needs signing again" in client.get("/").get_data(as_text=True)
    assert auth.post("/agreements/ks2-aup/sign", {"agree": "y"}).status_code == 302
    assert len(signatures(app)) == 2  # the history is kept
    assert "Needs signing again" not in client.get("/").get_data(as_text=True)


def test_last_years_signature_is_due_again(app, client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    auth.post("/agreements/ks2-aup/sign", {"agree": "y"})

    def move_to_last_year() -> None:
        db.session.scalar(select(AgreementSignature)).academic_year -= 1

    run_in_app(app, move_to_last_year)
    assert "Due to sign again" in client.get("/agreements/ks2-aup").get_data(as_text=True)


def test_a_module_needing_the_agreement_completes_when_it_is_signed(app, client, auth: Auth, staff) -> None:
    auth.login(staff)
    auth.post("/modules/staff-induction/lessons/staff-induction-roles/read")
    page = client.get("/modules/staff-induction/quiz").get_data(as_text=True)
    import re

    token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page).group(1)
    auth.post("/modules/staff-induction/quiz", {"submission_token": token, "q_q1": "true", "q_q2": "b"},
              token_from="/modules/staff-induction/quiz")

    def status() -> CompletionStatus:
        with app.app_context():
            return db.session.scalar(select(ModuleCompletion.status).where(
                ModuleCompletion.module_id == "staff-induction"))

    assert status() is CompletionStatus.IN_PROGRESS
    auth.post("/agreements/staff-aup/sign", {"typed_name": "Tom Hughes"})
    assert status() is CompletionStatus.COMPLETED


def test_agreements_of_other_audiences_are_not_found(client, auth: Auth, make_user, school) -> None:
    auth.login(make_user(Role.GOVERNOR, school=school))
    assert client.get("/agreements/staff-aup").status_code == 404
    assert client.get("/agreements/governor-aup").status_code == 200


def test_a_parent_chooses_each_consent_for_each_child_and_can_withdraw(app, client, auth: Auth, make_user,
                                                                       school, link) -> None:
    from eduplatform.records.models import ConsentDecision

    parent = make_user(Role.PARENT, school=school, first_name="Lucy", last_name="Patel")
    first = make_user(Role.PUPIL, school=school, year_group=1, first_name="Leo")
    second = make_user(Role.PUPIL, school=school, year_group=5, first_name="Maya")
    link(parent, first)
    link(parent, second)
    auth.login(parent)
    page = client.get("/agreements/home-school-agreement").get_data(as_text=True)
    assert "Consent choices" in page and "Photo and video consent" not in page and "Leo" in page and "Maya" in page

    missing = auth.post("/agreements/home-school-agreement/sign",
                        {"typed_name": "Lucy Patel", f"consent-{first.id}-photos-website": "yes"})
    assert "Choose yes or no." in missing.get_data(as_text=True)
    assert signatures(app) == []

    signed = auth.post("/agreements/home-school-agreement/sign", {
        "typed_name": "Lucy Patel", f"consent-{first.id}-photos-website": "yes",
        f"consent-{second.id}-photos-website": "no"})
    assert signed.status_code == 302
    withdrawn = auth.post("/agreements/home-school-agreement/consents", {
        f"consent-{first.id}-photos-website": "no", f"consent-{second.id}-photos-website": "no"})
    assert withdrawn.status_code == 302
    with app.app_context():
        history = [(d.child_id, d.given) for d in db.session.scalars(
            select(ConsentDecision).order_by(ConsentDecision.id))]
    assert history == [(first.id, True), (second.id, False), (first.id, False)]
    assert "(1 changed)" in client.get("/agreements/home-school-agreement").get_data(as_text=True)


def test_consents_show_on_the_childs_record_for_the_coordinator(app, client, auth: Auth, make_user, school,
                                                                 link) -> None:
    parent = make_user(Role.PARENT, school=school, first_name="Lucy", last_name="Patel")
    child = make_user(Role.PUPIL, school=school, year_group=1)
    link(parent, child)
    auth.login(parent)
    auth.post("/agreements/home-school-agreement/sign",
              {"typed_name": "Lucy Patel", f"consent-{child.id}-photos-website": "yes"})
    auth.logout()
    auth.login(make_user(Role.COORDINATOR, school=school))
    page = client.get(f"/people/{child.id}").get_data(as_text=True)
    assert "Photos on the school website." in page and "Given" in page
