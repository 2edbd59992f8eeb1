"""Every route × every role × own/other school: who may use it and who may not.

The table is checked against ``app.url_map``: a new route without an entry here fails
``test_every_route_is_in_the_matrix``, and a view without a declared permission fails
``test_every_view_declares_its_access``.
"""

from __future__ import annotations

from typing import Any

import pytest

from eduplatform.academic_year import AcademicYear
from eduplatform.catalogue import current_catalogue
from eduplatform.records.grading import grade
from eduplatform.records.services import record_quiz_attempt
from eduplatform.roles import Role
from tests.access import (
    admin,
    audit_log,
    certificates,
    classroom,
    compliance,
    concerns_log,
    concerns_reporting,
    consents,
    filtering,
    invitations,
    language,
    privacy_erasure,
    privacy_export,
    reports,
    roster,
    signin,
)
from tests.access import workshop_sessions as sessions_access
from tests.access import workshops as workshops_access
from tests.access.common import ROLES, Case, everyone
from tests.conftest import Auth, run_in_app

#: Feature modules that add their own routes and objects to the matrix.
FEATURES = (roster, signin, classroom, reports, admin, certificates, compliance, invitations, consents,
            workshops_access, sessions_access, audit_log, privacy_export, privacy_erasure, concerns_log,
            filtering, concerns_reporting, language)

#: Endpoints anyone may use without signing in. Keep this list short.
PUBLIC_ENDPOINTS = {"accounts.login", "accounts.verify_code", "health.healthz", "static",
                    # Single sign-on: the provider's answer is checked before anyone is signed in.
                    "accounts.sso_start", "accounts.sso_callback",
                    # Picture sign-in: a child with no password taps class, name, pictures.
                    "signin.find_class", "signin.class_page", "signin.pupil_pictures", "signin.tap_picture",
                    # Checking a certificate's code: employers and inspectors have no account here.
                    "certificates.verify_form", "certificates.verify",
                    # A parent's one-time set-up code from their invitation letter or email.
                    "invitations.setup_account",
                    # The language menu: on every page, before sign-in too.
                    "language.choose_language"}


#: For ks2 content: only its pupils; other learners "not found"; non-learners "forbidden".
KS2_ONLY = everyone(404, anonymous=302, pupil=200, trust_lead=403, admin=403)
KS2_ONLY_POST = {**KS2_ONLY, "pupil": 302}
SIGNED_IN = everyone(200, anonymous=302)
PEOPLE_VIEWERS = everyone(403, anonymous=302, staff=200, parent=200, coordinator=200, trust_lead=200, admin=200,
                          other_coordinator=200)

CORE_MATRIX: dict[str, list[Case]] = {
    "accounts.login": [Case("GET", "/login", everyone(302, anonymous=200))],
    "accounts.logout": [Case("POST", "/logout", everyone(302))],
    "accounts.change_password": [Case("GET", "/account/password", SIGNED_IN)],
    # Only completes a sign-in begun in this browser: without one, everyone is sent to sign in.
    "accounts.verify_code": [Case("GET", "/login/code", everyone(302))],
    "accounts.mfa_settings": [Case("GET", "/account/mfa", {**SIGNED_IN, "pupil": 404})],
    # Nobody in the matrix world has multi-factor sign-in on: nothing to replace or turn off.
    "accounts.new_recovery_codes": [Case("POST", "/account/mfa/recovery-codes", everyone(404, anonymous=302))],
    "accounts.turn_mfa_off": [Case("POST", "/account/mfa/off", everyone(404, anonymous=302))],
    "learning.dashboard": [Case("GET", "/", SIGNED_IN)],
    "learning.show_module": [Case("GET", "/modules/ks2-passwords", KS2_ONLY)],
    "learning.show_lesson": [Case("GET", "/modules/ks2-passwords/lessons/ks2-passwords-why", KS2_ONLY)],
    "learning.mark_lesson_read": [Case("POST", "/modules/ks2-passwords/lessons/ks2-passwords-why/read",
                                       KS2_ONLY_POST)],
    "learning.take_quiz": [Case("GET", "/modules/ks2-passwords/quiz", KS2_ONLY)],
    "learning.show_attempt": [
        Case("GET", "/attempts/{own_school_attempt}",
             everyone(200, anonymous=302, governor=404, visitor=404, other_coordinator=404)),
        Case("GET", "/attempts/{other_school_attempt}", everyone(404, anonymous=302, admin=200, other_coordinator=200)),
    ],
    "agreements.show_agreement": [Case("GET", "/agreements/ks2-aup", KS2_ONLY)],
    "agreements.sign_agreement": [Case("POST", "/agreements/ks2-aup/sign", KS2_ONLY_POST, (("agree", "y"),))],
    "agreements.update_consents": [
        Case("POST", "/agreements/home-school-agreement/consents",
             everyone(404, anonymous=302, parent=302, trust_lead=403, admin=403),
             (("consent-{own_school_pupil}-photos-website", "yes"),)),
    ],
    "people.list_people": [Case("GET", "/people", PEOPLE_VIEWERS)],
    "people.my_children": [Case("GET", "/my-children", everyone(403, anonymous=302, parent=200))],
    "people.show_person": [
        Case("GET", "/people/{own_school_pupil}", {**PEOPLE_VIEWERS, "other_coordinator": 404}),
        Case("GET", "/people/{other_school_pupil}",
             {**PEOPLE_VIEWERS, "staff": 404, "parent": 404, "coordinator": 404, "trust_lead": 404}),
    ],
    "health.healthz": [Case("GET", "/healthz", everyone(200))],
}


MATRIX: dict[str, list[Case]] = {**CORE_MATRIX}
for _feature in FEATURES:
    MATRIX.update(_feature.MATRIX)


@pytest.fixture
def world(app, make_trust, make_school, make_user, make_class, link) -> dict[str, Any]:
    """Two schools in two trusts, with one person per role in the first and a coordinator in the second."""
    trust, other_trust = make_trust(), make_trust()
    school, other_school = make_school(trust=trust), make_school(trust=other_trust)
    people = {
        "pupil": make_user(Role.PUPIL, school=school, year_group=5),
        "staff": make_user(Role.STAFF, school=school),
        "governor": make_user(Role.GOVERNOR, school=school),
        "parent": make_user(Role.PARENT, school=school),
        "visitor": make_user(Role.VISITOR, school=school),
        "coordinator": make_user(Role.COORDINATOR, Role.STAFF, school=school),
        "trust_lead": make_user(Role.TRUST_LEAD, trust_id=trust.id),
        "admin": make_user(Role.ADMIN),
        "other_coordinator": make_user(Role.COORDINATOR, school=other_school),
    }
    other_pupil = make_user(Role.PUPIL, school=other_school, year_group=5)
    own_class = make_class(school, pupils=(people["pupil"],), teachers=(people["staff"],))
    link(people["parent"], people["pupil"])

    def attempt_by(user):
        def record():
            catalogue = current_catalogue()
            module = catalogue.modules["ks2-passwords"]
            quiz = catalogue.module_content(module.id, "en").quiz
            result = grade(quiz, {"q1": ["b"]}, module.pass_mark)
            return record_quiz_attempt(user, module, quiz, result, f"token-{user.id}", AcademicYear.current(),
                                       catalogue)

        return run_in_app(app, record)

    objects = {
        "own_school_pupil": people["pupil"].id,
        "other_school_pupil": other_pupil.id,
        "own_school_attempt": attempt_by(people["pupil"]).id,
        "other_school_attempt": attempt_by(other_pupil).id,
    }
    world = {"people": people, "objects": objects, "school": school, "other_school": other_school,
             "own_class": own_class, "other_pupil": other_pupil}
    for feature in FEATURES:
        objects.update(feature.objects(app, world))
    return world


def _cases() -> list[Any]:
    return [
        pytest.param(endpoint, case, role, id=f"{endpoint}-{index}-{role}")
        for endpoint, cases in MATRIX.items() for index, case in enumerate(cases) for role in ROLES
    ]


@pytest.mark.parametrize(("endpoint", "case", "role"), _cases())
def test_access(client, auth: Auth, world, endpoint: str, case: Case, role: str) -> None:
    if role != "anonymous":
        assert auth.login(world["people"][role]).status_code == 302
    path = case.path.format(**world["objects"])
    if case.method == "GET":
        response = client.get(path.format(**world["objects"]))
    else:
        data = {key.format(**world["objects"]): value.format(**world["objects"]) for key, value in case.data}
        response = auth.post(path, data, token_from="/" if role != "anonymous" else "/login")
    assert response.status_code == case.expected[role], (
        f"{role} {case.method} {path}: expected {case.expected[role]}, got {response.status_code}")
    if role == "anonymous" and case.expected[role] == 302 and endpoint not in PUBLIC_ENDPOINTS:
        assert "/login" in response.headers["Location"]


def test_every_route_is_in_the_matrix(app) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert endpoints - MATRIX.keys() == set(), "add these routes to MATRIX"
    assert MATRIX.keys() - endpoints == set(), "these MATRIX entries have no route"


def test_every_view_declares_its_access(app) -> None:
    undeclared = [
        endpoint for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not (getattr(view, "is_public", False) or hasattr(view, "required_permission"))
    ]
    assert undeclared == []
    public = {endpoint for endpoint, view in app.view_functions.items() if getattr(view, "is_public", False)}
    assert public <= PUBLIC_ENDPOINTS


def test_a_view_without_declared_access_is_refused(app, client, auth, pupil) -> None:
    """Deny by default: a route someone forgot to decorate answers 403 even to signed-in users."""
    app.view_functions["health.healthz"].__dict__.pop("is_public")
    try:
        assert client.get("/healthz").status_code == 403
    finally:
        app.view_functions["health.healthz"].is_public = True
