"""The help box is kept in memory per school (every lesson page shows it), and a change written in
this process shows on the next page: a new DSL, a deputy who left, a contact removed."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, text, update

from eduplatform.accounts.models import User, UserDuty
from eduplatform.db import db
from eduplatform.roles import Duty, Role
from eduplatform.schools import help as school_help
from eduplatform.schools.models import School, SchoolHelpContact
from tests.conftest import counting_statements, run_in_app

LESSON = "/modules/ks2-passwords/lessons/ks2-passwords-why"


def help_box(client: Any) -> str:
    return client.get(LESSON).get_data(as_text=True).split('id="help-heading"')[1].split("</section>")[0]


def test_a_second_page_reads_no_help_and_a_committed_change_shows_at_once(app, client, auth, school, pupil,
                                                                          make_user) -> None:
    dsl = make_user(Role.STAFF, school=school, first_name="Amira", last_name="Hassan")
    auth.login(pupil)
    assert "Amira Hassan" not in help_box(client)
    with counting_statements(app) as first:
        help_box(client)
    run_in_app(app, lambda: db.session.add(UserDuty(user_id=dsl.id, duty=Duty.DSL)))
    assert "Amira Hassan (DSL)" in help_box(client)  # the duty's commit cleared the kept box
    with counting_statements(app) as kept:
        help_box(client)
    assert kept[0] == first[0]

    def add_contact() -> None:
        db.session.add(SchoolHelpContact(school_id=school.id, name="Mr Okafor", detail="Mentor room",
                                         for_pupils=True, for_adults=False))
        db.session.get(School, school.id).dsl_contact = "Room 12."

    run_in_app(app, add_contact)
    box = help_box(client)
    assert "Mr Okafor" in box and "Amira Hassan (DSL). Room 12." in box

    run_in_app(app, lambda: db.session.execute(
        update(User).where(User.id == dsl.id).values(first_name="Amina")))  # a bulk update clears every school
    assert "Amina Hassan (DSL)" in help_box(client)
    run_in_app(app, lambda: db.session.execute(delete(SchoolHelpContact).where(
        SchoolHelpContact.school_id == school.id)))
    assert "Mr Okafor" not in help_box(client)


def test_a_rolled_back_change_is_not_shown_and_an_old_box_is_read_again(app, client, auth, school, pupil,
                                                                        make_user, monkeypatch) -> None:
    dsl = make_user(Role.STAFF, school=school, first_name="Amira", last_name="Hassan")
    auth.login(pupil)
    help_box(client)

    def flushed_then_rolled_back() -> None:
        db.session.add(UserDuty(user_id=dsl.id, duty=Duty.DSL))
        db.session.flush()
        school_help.forget_school_help(school.id)
        assert school_help._own_help(school.id).leads  # read (and kept) while the transaction is open
        db.session.rollback()

    with app.app_context():
        flushed_then_rolled_back()
    assert "Amira Hassan" not in help_box(client)

    # Another worker's change (written here behind the session's back) shows once the box is old.
    with app.app_context():
        db.session.execute(text("INSERT INTO user_duty (user_id, duty) VALUES (:user, 'dsl')"), {"user": dsl.id})
        db.session.commit()
    assert "Amira Hassan" not in help_box(client)
    monkeypatch.setattr(school_help, "SCHOOL_HELP_SECONDS", 0.0)
    assert "Amira Hassan (DSL)" in help_box(client)
