"""Managing people one by one: add, edit, roles and the DSL duty, disable and enable, new first passwords."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import ParentLink, User
from eduplatform.accounts.services import create_user
from eduplatform.audit.models import AuditAction, AuditEvent
from eduplatform.db import db
from eduplatform.people.services import PersonChangeError, PersonDetails, add_person, disable_person
from eduplatform.roles import Duty, Role
from eduplatform.schools.models import ClassMember, School
from eduplatform.schools.services import create_school
from tests.conftest import PASSWORD, Auth, run_in_app, run_together


@pytest.fixture
def coordinator(make_user: Any, school: School) -> User:
    return make_user(Role.COORDINATOR, Role.STAFF, school=school, first_name="Cara", last_name="Bell")


def new_secret(page: str) -> tuple[str, str]:
    username = re.search(r'id="new-username">([^<]+)<', page)
    password = re.search(r'id="new-password">([^<]+)<', page)
    assert username and password, page
    return username.group(1), password.group(1)


def count_people(app: Any) -> int:
    return run_in_app(app, lambda: db.session.scalar(select(func.count()).select_from(User)))


def person_data(**changes: str | list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {"first_name": "Nadia", "last_name": "Rahman", "email": "n.rahman@oak.sch.uk",
                            "roles": ["staff"], "username": "", "year_group": "", "class_id": "", "children": ""}
    data.update(changes)
    return data


def test_a_coordinator_adds_a_member_of_staff_who_signs_in_with_the_first_password(app, client, auth, school,
                                                                                   coordinator) -> None:
    auth.login(coordinator)
    response = auth.post(f"/schools/{school.id}/people/new", person_data(),
                         token_from=f"/schools/{school.id}/people/new")
    assert response.status_code == 200
    username, password = new_secret(response.get_data(as_text=True))
    assert username == "nadiar1"
    auth.logout()
    signed_in = auth.login(username, password)
    assert signed_in.headers["Location"].endswith("/account/password")  # a first password must be changed

    def check() -> tuple[Any, ...]:
        person = db.session.scalar(select(User).where(User.username == username))
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.PERSON_ADDED.value))
        return person.school_id, person.roles, person.email, event.actor_id, event.subject_user_id, person.id

    school_id, roles, email, actor_id, subject_id, person_id = run_in_app(app, check)
    assert (school_id, roles, email) == (school.id, {Role.STAFF}, "n.rahman@oak.sch.uk")
    assert (actor_id, subject_id) == (coordinator.id, person_id)


def test_a_new_ks1_pupil_gets_secret_pictures_and_their_class(app, client, auth, school, coordinator,
                                                              make_class) -> None:
    reception = make_class(school, year_group=0)
    auth.login(coordinator)
    page = auth.post(f"/schools/{school.id}/people/new",
                     person_data(first_name="Leo", last_name="Park", email="", roles=["pupil"], year_group="0",
                                 class_id=str(reception.id)),
                     token_from=f"/schools/{school.id}/people/new").get_data(as_text=True)
    assert "Secret pictures" in page

    def check() -> tuple[Any, ...]:
        pupil = db.session.scalar(select(User).where(User.first_name == "Leo"))
        return pupil.picture_secret_hash is not None, pupil.password_hash, db.session.scalar(
            select(ClassMember.class_id).where(ClassMember.user_id == pupil.id))

    assert run_in_app(app, check) == (True, None, reception.id)


@pytest.mark.parametrize(("changes", "message"), [
    ({"username": "taken.name"}, "The username taken.name is already taken"),
    ({"email": "taken@oak.sch.uk"}, "already has the email taken@oak.sch.uk"),
    ({"roles": []}, "Choose at least one role."),
    ({"roles": ["pupil", "staff"], "year_group": "5"}, "A pupil cannot also hold an adult role."),
    ({"roles": ["pupil"], "email": ""}, "Choose the pupil&#39;s year group."),
    ({"roles": ["parent"], "children": "nobody1"}, "No pupil of this school has the username nobody1."),
    ({"roles": ["governor"], "duties": ["dsl"]}, "Only staff can hold the DSL duty."),
    ({"started_on": "2099-09-01"}, "The start date cannot be in the future"),
    ({"roles": ["admin"]}, "is not a valid choice"),
    ({"email": "not-an-email"}, "Enter an email address such as"),
    ({"year_group": "42", "roles": ["pupil"]}, "Not a valid choice"),
])
def test_bad_input_is_refused_with_a_reason_and_adds_nobody(app, client, auth, school, coordinator, make_user,
                                                           changes, message) -> None:
    make_user(Role.STAFF, school=school, username="taken.name", email="taken@oak.sch.uk")
    before = count_people(app)
    auth.login(coordinator)
    page = auth.post(f"/schools/{school.id}/people/new", person_data(**changes),
                     token_from=f"/schools/{school.id}/people/new").get_data(as_text=True)
    assert message in page
    assert count_people(app) == before


def test_a_parent_is_linked_to_their_children_by_username(app, client, auth, school, coordinator, pupil) -> None:
    auth.login(coordinator)
    auth.post(f"/schools/{school.id}/people/new",
              person_data(first_name="Pat", roles=["parent"], email="pat@example.org", children=pupil.username),
              token_from=f"/schools/{school.id}/people/new")
    links = run_in_app(app, lambda: list(db.session.execute(select(ParentLink.child_id).join(
        User, User.id == ParentLink.parent_id).where(User.first_name == "Pat")).scalars()))
    assert links == [pupil.id]


def test_giving_the_dsl_duty_and_the_coordinator_role_on_the_edit_page(app, client, auth, school, coordinator,
                                                                      staff) -> None:
    auth.login(coordinator)
    form_page = client.get(f"/people/{staff.id}/edit").get_data(as_text=True)
    assert 'value="Tom"' in form_page
    response = auth.post(f"/people/{staff.id}/edit",
                         person_data(first_name="Tom", last_name="Hughes", email="t.hughes@oak.sch.uk",
                                     roles=["staff", "coordinator"], duties=["dsl"]),
                         token_from=f"/people/{staff.id}/edit")
    assert response.status_code == 302
    roles, duties = run_in_app(app, lambda: (db.session.get(User, staff.id).roles,
                                             db.session.get(User, staff.id).duties))
    assert roles == {Role.STAFF, Role.COORDINATOR} and duties == {Duty.DSL}
    page = client.get(f"/people/{staff.id}").get_data(as_text=True)
    assert "Designated Safeguarding Lead (DSL)" in page


def test_a_future_start_date_or_a_governors_duty_is_refused_on_the_edit_page(app, client, auth, school, coordinator,
                                                                           staff, make_user) -> None:
    governor = make_user(Role.GOVERNOR, school=school, first_name="Gwen", last_name="Jones")
    auth.login(coordinator)
    future = auth.post(f"/people/{staff.id}/edit", person_data(first_name="Tom", last_name="Hughes",
                                                              started_on="2099-09-01"),
                       token_from=f"/people/{staff.id}/edit")
    assert "The start date cannot be in the future" in future.get_data(as_text=True)
    assert run_in_app(app, lambda: db.session.get(User, staff.id).started_on) is None
    duty = auth.post(f"/people/{governor.id}/edit", person_data(first_name="Gwen", last_name="Jones", email="",
                                                               roles=["governor"], duties=["dsl"]),
                     token_from=f"/people/{governor.id}/edit")
    assert "Only staff can hold the DSL duty." in duty.get_data(as_text=True)
    assert run_in_app(app, lambda: db.session.get(User, governor.id).duties) == frozenset()


def test_nobody_removes_their_own_or_the_last_coordinator_role(app, client, auth, school, coordinator,
                                                              make_user) -> None:
    admin = make_user(Role.ADMIN)
    auth.login(admin)
    page = auth.post(f"/people/{coordinator.id}/edit", person_data(first_name="Cara", roles=["staff"]),
                     token_from=f"/people/{coordinator.id}/edit").get_data(as_text=True)
    assert "This is the school&#39;s last coordinator" in page
    second = make_user(Role.COORDINATOR, Role.STAFF, school=school)
    auth.logout()
    auth.login(second)
    page = auth.post(f"/people/{second.id}/edit", person_data(first_name="Sam", roles=["staff"]),
                     token_from=f"/people/{second.id}/edit").get_data(as_text=True)
    assert "You cannot remove your own coordinator role" in page
    assert run_in_app(app, lambda: Role.COORDINATOR in db.session.get(User, second.id).roles)


def test_disabling_and_enabling_an_account(app, client, auth, school, coordinator, staff) -> None:
    auth.login(coordinator)
    assert auth.post(f"/people/{staff.id}/disable", token_from=f"/people/{staff.id}").status_code == 302
    other = Auth(app.test_client())
    assert other.login(staff).status_code == 200  # refused: the form is shown again
    auth.post(f"/people/{staff.id}/enable", token_from=f"/people/{staff.id}")
    assert other.login(staff).status_code == 302
    actions = run_in_app(app, lambda: list(db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.subject_user_id == staff.id, AuditEvent.action.like("account_%")).order_by(AuditEvent.id))))
    assert actions == [AuditAction.ACCOUNT_DISABLED.value, AuditAction.ACCOUNT_ENABLED.value]


def test_a_coordinator_cannot_disable_themself_or_the_last_coordinator(app, client, auth, school, coordinator,
                                                                      make_user) -> None:
    auth.login(coordinator)
    auth.post(f"/people/{coordinator.id}/disable", token_from=f"/people/{coordinator.id}")
    assert "You cannot disable your own account." in client.get(f"/people/{coordinator.id}").get_data(as_text=True)
    admin_client = Auth(app.test_client())
    admin_client.login(make_user(Role.ADMIN))
    admin_client.post(f"/people/{coordinator.id}/disable", token_from=f"/people/{coordinator.id}")
    assert "last coordinator" in admin_client.client.get(f"/people/{coordinator.id}").get_data(as_text=True)
    assert run_in_app(app, lambda: db.session.get(User, coordinator.id).disabled_at) is None


def test_a_new_first_password_for_an_adult_replaces_the_old_one(app, client, auth, school, coordinator,
                                                                 staff, pupil) -> None:
    auth.login(coordinator)
    page = auth.post(f"/people/{staff.id}/password", token_from=f"/people/{staff.id}").get_data(as_text=True)
    _, password = new_secret(page)
    other = Auth(app.test_client())
    assert other.login(staff).status_code == 200  # the old password no longer works
    assert other.login(staff, password).headers["Location"].endswith("/account/password")
    auth.post(f"/people/{pupil.id}/password", token_from=f"/people/{pupil.id}")
    assert "from their class page" in client.get(f"/people/{pupil.id}").get_data(as_text=True)


def test_an_admin_manages_people_of_any_school(app, client, auth, school, make_school, make_user) -> None:
    other = make_school()
    auth.login(make_user(Role.ADMIN))
    response = auth.post(f"/schools/{other.id}/people/new",
                         person_data(first_name="Ola", roles=["coordinator"], email="ola@river.sch.uk"),
                         token_from=f"/schools/{other.id}/people/new")
    username, _ = new_secret(response.get_data(as_text=True))
    assert run_in_app(app, lambda: db.session.scalar(select(User).where(User.username == username)).roles) == {
        Role.COORDINATOR, Role.STAFF}


def test_two_coordinators_disabling_each_other_at_once_leave_one(concurrent_app) -> None:
    """The school always keeps a coordinator who can sign in, on SQLite and on PostgreSQL."""
    with concurrent_app.app_context():
        school = create_school(name="Pair", slug="pair")
        first, second = (create_user(username=name, first_name=name, last_name="C", school_id=school.id,
                                     roles={Role.COORDINATOR, Role.STAFF}, password=PASSWORD)
                         for name in ("first", "second"))
        db.session.commit()
        pairs = [("first", second.id), ("second", first.id)]
    clients = []
    for username, target in pairs:
        auth = Auth(concurrent_app.test_client())
        auth.login(username)
        clients.append((auth, target))

    assert run_together(*[lambda auth=auth, target=target: auth.post(f"/people/{target}/disable",
                                                                     token_from=f"/people/{target}")
                          for auth, target in clients]) == []
    with concurrent_app.app_context():
        disabled = db.session.scalar(select(func.count()).select_from(User).where(User.disabled_at.is_not(None)))
    assert disabled == 1


def test_the_service_refuses_the_same_things_from_the_command_line(app, school, coordinator) -> None:
    def check() -> None:
        with pytest.raises(PersonChangeError, match="Trust leads and administrators"):
            add_person(db.session.get(School, school.id), PersonDetails(
                first_name="X", last_name="Y", roles=frozenset({Role.TRUST_LEAD})), actor=None,
                year=AcademicYear.current())
        with pytest.raises(PersonChangeError, match="last coordinator"):
            disable_person(db.session.get(User, coordinator.id), actor=None)

    run_in_app(app, check)
