"""Trusts and schools (administrators), a school's settings, and its own "Where to get help"."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from eduplatform.accounts.models import User, UserDuty
from eduplatform.db import db
from eduplatform.roles import Duty, Role
from eduplatform.schools.models import School, SchoolHelpContact, Trust
from eduplatform.schools.services import SchoolSetupError, create_school, slug_from_name
from tests.conftest import run_in_app

PUPIL_LESSON = "/modules/ks2-passwords/lessons/ks2-passwords-why"
STAFF_LESSON = "/modules/staff-induction/lessons/staff-induction-roles"


@pytest.fixture
def admin(make_user: Any) -> User:
    return make_user(Role.ADMIN, username="the.admin")


@pytest.fixture
def coordinator(make_user: Any, school: School) -> User:
    return make_user(Role.COORDINATOR, Role.STAFF, school=school)


def schools_named(app: Any, name: str) -> int:
    return run_in_app(app, lambda: db.session.scalar(select(func.count()).select_from(School).where(
        School.name == name)))


def settings_data(school: School, **changes: str) -> dict[str, str]:
    data = {"name": school.name, "trust_id": "", "default_locale": "en", "time_zone": "Europe/London",
            "dsl_contact": "", "sso_provider": "", "sso_domain": "", "sso_tenant": ""}
    data.update(changes)
    return data


def test_an_admin_creates_a_trust_and_a_school_then_is_asked_for_its_coordinator(app, client, auth, admin) -> None:
    auth.login(admin)
    auth.post("/admin/trusts", {"new-name": "Valley Schools Trust"}, token_from="/admin")
    trust_id = run_in_app(app, lambda: db.session.scalar(select(Trust.id).where(Trust.slug == "valley-schools-trust")))
    response = auth.post("/admin/schools/new", {"name": "Valley Primary", "slug": "valley-primary",
                                                "trust_id": str(trust_id), "default_locale": "cy",
                                                "time_zone": "Europe/London"}, token_from="/admin/schools/new")
    school_id = run_in_app(app, lambda: db.session.scalar(select(School.id).where(School.slug == "valley-primary")))
    assert response.headers["Location"].endswith(f"/schools/{school_id}/people/new")
    overview = client.get("/admin").get_data(as_text=True)
    assert "Valley Schools Trust" in overview and "Valley Primary" in overview
    assert run_in_app(app, lambda: (db.session.get(School, school_id).trust_id,
                                    db.session.get(School, school_id).default_locale)) == (trust_id, "cy")


@pytest.mark.parametrize(("changes", "message"), [
    ({"slug": "taken"}, "The short name taken is already used"),
    ({"slug": "Not A Slug!"}, "A short name uses only lower-case letters"),
    ({"time_zone": "Mars/Olympus"}, "Mars/Olympus is not a time zone"),
    ({"default_locale": "zz-top"}, "Not a valid choice"),  # a select of the offered languages
    ({"name": ""}, "Enter a name."),
])
def test_a_bad_new_school_is_refused_with_a_reason(app, client, auth, admin, make_school, changes, message) -> None:
    run_in_app(app, lambda: create_school(name="Taken", slug="taken"))
    auth.login(admin)
    data = {"name": "Brand New", "slug": "brand-new", "trust_id": "", "default_locale": "en",
            "time_zone": "Europe/London", **changes}
    page = auth.post("/admin/schools/new", data, token_from="/admin/schools/new").get_data(as_text=True)
    assert message in page
    assert schools_named(app, data["name"] or "Brand New") == (1 if data["name"] == "Taken" else 0)


def test_an_admin_renames_a_trust(app, client, auth, admin, make_trust) -> None:
    trust = make_trust()
    auth.login(admin)
    auth.post(f"/admin/trusts/{trust.id}", {"name": "Renamed Trust"}, token_from="/admin")
    assert run_in_app(app, lambda: db.session.get(Trust, trust.id).name) == "Renamed Trust"
    auth.post(f"/admin/trusts/{trust.id}", {"name": ""}, token_from="/admin")
    assert "Enter the trust&#39;s name." in client.get("/admin").get_data(as_text=True)
    assert run_in_app(app, lambda: db.session.get(Trust, trust.id).name) == "Renamed Trust"


def test_a_coordinator_changes_their_schools_settings_but_not_its_name(app, client, auth, school,
                                                                      coordinator) -> None:
    auth.login(coordinator)
    page = client.get(f"/schools/{school.id}/settings").get_data(as_text=True)
    assert 'name="name"' not in page and 'name="time_zone"' in page
    response = auth.post(f"/schools/{school.id}/settings",
                         settings_data(school, name="Hijacked", time_zone="Europe/Dublin",
                                       dsl_contact="Room 12, or phone extension 204",
                                       sso_provider="google", sso_domain="oak.sch.uk"),
                         token_from=f"/schools/{school.id}/settings")
    assert response.status_code == 302
    saved = run_in_app(app, lambda: (lambda s: (s.name, s.time_zone, s.dsl_contact, s.sso_provider, s.sso_domain))(
        db.session.get(School, school.id)))
    assert saved == (school.name, "Europe/Dublin", "Room 12, or phone extension 204", "google", "oak.sch.uk")


def test_a_bad_setting_changes_nothing(app, client, auth, school, coordinator) -> None:
    auth.login(coordinator)
    page = auth.post(f"/schools/{school.id}/settings",
                     settings_data(school, time_zone="Europe/Dublin", sso_provider="microsoft",
                                   sso_domain="oak.sch.uk", sso_tenant="not-a-tenant"),
                     token_from=f"/schools/{school.id}/settings").get_data(as_text=True)
    assert "directory (tenant) ID" in page
    assert run_in_app(app, lambda: (db.session.get(School, school.id).time_zone,
                                    db.session.get(School, school.id).sso_provider)) == ("Europe/London", None)


def test_the_schools_dsl_and_own_contacts_are_shown_to_its_people_only(app, client, auth, school, coordinator,
                                                                       pupil, make_school, make_user) -> None:
    other_pupil = make_user(Role.PUPIL, school=make_school(), year_group=5)
    dsl = make_user(Role.STAFF, school=school, first_name="Amira", last_name="Hassan")

    def set_up() -> None:
        db.session.add(UserDuty(user_id=dsl.id, duty=Duty.DSL))
        db.session.get(School, school.id).dsl_contact = "Find her in room 12."

    run_in_app(app, set_up)
    auth.login(coordinator)
    auth.post(f"/schools/{school.id}/help-contacts",
              {"contact-name": "Mr Okafor, learning mentor", "contact-detail": "The mentor room, every lunchtime",
               "contact-for_pupils": "y"}, token_from=f"/schools/{school.id}/settings")
    auth.logout()

    auth.login(pupil)
    help_box = client.get(PUPIL_LESSON).get_data(as_text=True).split('id="help-heading"')[1]
    assert "Amira Hassan (DSL). Find her in room 12." in help_box
    assert "Mr Okafor, learning mentor" in help_box
    assert "ask at the office" not in help_box  # the shared "ask for the DSL" entry is replaced
    auth.logout()

    auth.login(other_pupil)
    other_box = client.get(PUPIL_LESSON).get_data(as_text=True).split('id="help-heading"')[1]
    assert "Amira Hassan" not in other_box and "Mr Okafor" not in other_box
    assert "ask at the office" in other_box
    auth.logout()

    auth.login(dsl)  # an adult: the pupil-only contact is not shown
    staff_box = client.get(STAFF_LESSON).get_data(as_text=True).split('id="help-heading"')[1]
    assert "Amira Hassan (DSL)" in staff_box and "Mr Okafor" not in staff_box


def test_help_contacts_are_checked_and_removed(app, client, auth, school, coordinator) -> None:
    auth.login(coordinator)
    auth.post(f"/schools/{school.id}/help-contacts", {"contact-name": "Nurse", "contact-detail": "Room 2"},
              token_from=f"/schools/{school.id}/settings")  # neither pupils nor adults
    assert "Choose who sees the contact" in client.get(f"/schools/{school.id}/settings").get_data(as_text=True)
    auth.post(f"/schools/{school.id}/help-contacts", {"contact-name": "", "contact-detail": ""},
              token_from=f"/schools/{school.id}/settings")
    assert "Enter who the contact is." in client.get(f"/schools/{school.id}/settings").get_data(as_text=True)
    assert run_in_app(app, lambda: db.session.scalar(select(func.count()).select_from(SchoolHelpContact))) == 0
    auth.post(f"/schools/{school.id}/help-contacts", {"contact-name": "Nurse", "contact-detail": "Room 2",
                                                      "contact-for_adults": "y"},
              token_from=f"/schools/{school.id}/settings")
    contact_id = run_in_app(app, lambda: db.session.scalar(select(SchoolHelpContact.id)))
    auth.post(f"/schools/{school.id}/help-contacts/{contact_id}/delete", token_from=f"/schools/{school.id}/settings")
    assert run_in_app(app, lambda: db.session.scalar(select(func.count()).select_from(SchoolHelpContact))) == 0


def test_slugs_from_names() -> None:
    assert slug_from_name("St Mary's C of E Primary") == "st-marys-c-of-e-primary"
    assert slug_from_name("Ysgol Gymraeg Aberystwyth — Ŵy") == "ysgol-gymraeg-aberystwyth-wy"


def test_create_school_refuses_a_duplicate_slug(app) -> None:
    def check() -> None:
        create_school(name="One", slug="one")
        with pytest.raises(SchoolSetupError, match="already used"):
            create_school(name="Two", slug="ONE")

    run_in_app(app, check)


def test_the_help_box_costs_the_same_queries_however_many_contacts_and_leads(app, client, auth, school,
                                                                            pupil, make_user) -> None:
    """The school's contacts and its DSL and deputies are read in one query each, not one per person."""
    from sqlalchemy import event

    def selects_for_lesson() -> int:
        engine = app.extensions["eduplatform.db"].engine
        statements: list[str] = []

        def count(_conn, _cursor, statement, *_args) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                statements.append(statement)

        event.listen(engine, "before_cursor_execute", count)
        try:
            assert client.get(PUPIL_LESSON).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    def add(number: int) -> None:
        for n in range(number):
            lead = make_user(Role.STAFF, school=school)
            run_in_app(app, lambda lead=lead, n=n: db.session.add_all([
                UserDuty(user_id=lead.id, duty=Duty.DSL if n == 0 else Duty.DEPUTY_DSL),
                SchoolHelpContact(school_id=school.id, name=f"Contact {n}", detail="Room")]))

    auth.login(pupil)
    add(1)
    one = selects_for_lesson()
    add(6)
    assert selects_for_lesson() == one
