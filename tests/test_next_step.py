"""What adults and visitors are told to do next: sign the agreement, then see their completion recorded."""

from __future__ import annotations

import re
from typing import Any

import pytest

from eduplatform.catalogue import current_catalogue
from eduplatform.learning.next_step import NextStepKind, adult_next_step
from eduplatform.records.queries import ModuleState, ModuleStatus
from eduplatform.roles import Role
from tests.conftest import Auth, csrf_token

RIGHT = {"q_q1": "true", "q_q2": "b"}  # the fixture's adult quizzes


def pass_quiz(client, module_id: str) -> Any:
    """Read every lesson of the module, then pass its quiz; the response is the redirect to the result."""
    quiz = f"/modules/{module_id}/quiz"
    page = client.get(quiz).get_data(as_text=True)
    token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post(quiz, data={"csrf_token": csrf_token(client, quiz), "submission_token": token, **RIGHT})


def next_step_of(page: str) -> str | None:
    found = re.search(r'data-next-step="(\w+)"', page)
    return found.group(1) if found else None


def test_a_visitor_who_has_read_the_lesson_is_told_to_sign_the_visitor_agreement(client, auth: Auth, make_user,
                                                                                  school) -> None:
    auth.login(make_user(Role.VISITOR, school=school, first_name="Val", last_name="Visitor"))
    module = "/modules/visitors-welcome"
    assert next_step_of(client.get(module).get_data(as_text=True)) is None  # the lesson first
    landed = auth.post(f"{module}/lessons/visitors-welcome-wifi/read")
    assert landed.headers["Location"] == module  # the page the visitor lands on...
    page = client.get(module).get_data(as_text=True)
    assert next_step_of(page) == "sign_agreement"  # ...says what is next, with a button to it
    assert "Now sign the agreement" in page and "Visitor agreement" in page
    assert re.search(r'<a class="button button-primary" href="/agreements/visitor-aup">', page)

    auth.post("/agreements/visitor-aup/sign", {"typed_name": "Val Visitor"}, token_from="/agreements/visitor-aup")
    done = client.get(module).get_data(as_text=True)
    assert "Completed" in done
    # Visitors have no record page of their own: their dashboard lists their completed modules.
    assert next_step_of(done) == "see_dashboard" and 'href="/#modules-heading"' in done
    assert 'id="modules-heading"' in client.get("/").get_data(as_text=True)


def test_staff_are_told_to_sign_after_the_quiz_then_shown_their_record(client, auth: Auth, make_user,
                                                                        school) -> None:
    teacher = make_user(Role.STAFF, school=school, first_name="Tom", last_name="Hughes")
    auth.login(teacher)
    auth.post("/modules/staff-induction/lessons/staff-induction-roles/read")
    result = client.get(pass_quiz(client, "staff-induction").headers["Location"]).get_data(as_text=True)
    assert "Well done: you passed." in result
    assert next_step_of(result) == "sign_agreement" and 'href="/agreements/staff-aup"' in result

    auth.post("/agreements/staff-aup/sign", {"typed_name": "Tom Hughes"}, token_from="/agreements/staff-aup")
    page = client.get("/modules/staff-induction").get_data(as_text=True)
    assert next_step_of(page) == "see_record"
    assert f'href="/people/{teacher.id}"' in page and "See my record" in page
    record = client.get(f"/people/{teacher.id}")
    assert record.status_code == 200 and "Staff induction" in record.get_data(as_text=True)


def test_a_parent_who_passes_the_workshop_is_shown_their_record(client, auth: Auth, make_user, school) -> None:
    parent = make_user(Role.PARENT, school=school)
    auth.login(parent)
    auth.post("/modules/parents-home/lessons/parents-home-controls/read")
    result = client.get(pass_quiz(client, "parents-home").headers["Location"]).get_data(as_text=True)
    assert next_step_of(result) == "see_record" and f'href="/people/{parent.id}"' in result
    assert client.get(f"/people/{parent.id}").status_code == 200


def test_a_governor_is_shown_their_completed_modules_on_the_dashboard(client, auth: Auth, make_user,
                                                                      school) -> None:
    governor = make_user(Role.GOVERNOR, school=school)
    auth.login(governor)
    auth.post("/modules/governors-duties/lessons/governors-duties-oversight/read")
    result = client.get(pass_quiz(client, "governors-duties").headers["Location"]).get_data(as_text=True)
    assert next_step_of(result) == "see_dashboard" and "See my completed modules" in result
    assert client.get(f"/people/{governor.id}").status_code == 403  # hence the dashboard


def test_pupils_get_no_adult_next_step(client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    assert next_step_of(client.get("/modules/ks2-passwords").get_data(as_text=True)) is None


def test_a_failed_quiz_says_nothing_about_signing(client, auth: Auth, make_user, school) -> None:
    auth.login(make_user(Role.STAFF, school=school))
    auth.post("/modules/staff-induction/lessons/staff-induction-roles/read")
    quiz = "/modules/staff-induction/quiz"
    page = client.get(quiz).get_data(as_text=True)
    token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(quiz, data={"csrf_token": csrf_token(client, quiz), "submission_token": token,
                                       "q_q1": "false", "q_q2": "a"})
    assert next_step_of(client.get(response.headers["Location"]).get_data(as_text=True)) is None


class _Person:
    def __init__(self, *roles: Role) -> None:
        self.id, self.roles, self.is_authenticated, self.is_active = 7, frozenset(roles), True, True


@pytest.mark.parametrize(("read", "passed", "signed", "state", "expected"), [
    (set(), True, False, ModuleState.IN_PROGRESS, None),                         # a lesson still to read
    ({"staff-induction-roles"}, False, False, ModuleState.IN_PROGRESS, None),    # the quiz still to pass
    ({"staff-induction-roles"}, True, False, ModuleState.IN_PROGRESS, NextStepKind.SIGN_AGREEMENT),
    ({"staff-induction-roles"}, True, True, ModuleState.COMPLETED, NextStepKind.SEE_RECORD),
])
def test_the_rule_for_staff(app, read: set[str], passed: bool, signed: bool, state: ModuleState,
                            expected: NextStepKind | None) -> None:
    with app.app_context():
        catalogue = current_catalogue()
        step = adult_next_step(_Person(Role.STAFF), catalogue.modules["staff-induction"], catalogue,
                               status=ModuleStatus(state), lessons_read=read, quiz_passed=passed,
                               agreement_signed=signed)
    assert (step.kind if step else None) is expected
    if expected is NextStepKind.SIGN_AGREEMENT:
        assert step.endpoint == "agreements.show_agreement" and step.values == {"agreement_id": "staff-aup"}


def test_the_rule_leaves_pupils_modules_alone(app) -> None:
    with app.app_context():
        catalogue = current_catalogue()
        step = adult_next_step(_Person(Role.PUPIL), catalogue.modules["ks2-passwords"], catalogue,
                               status=ModuleStatus(ModuleState.COMPLETED), lessons_read=set(), quiz_passed=True,
                               agreement_signed=True)
    assert step is None
