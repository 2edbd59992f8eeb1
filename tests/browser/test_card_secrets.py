"""After a restore without its data key, a teacher's login cards say new pictures are needed, and giving them works.

The secrets are written with the site's key, then the site runs with another key (as when a
database is restored on a machine without its ``instance/data_key``); the key is put back after.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips (or fails) every test here with one reason
    expect = None

from .conftest import sign_in_with_password

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import LiveServer


def _class_with_a_picture_pupil(live_server: LiveServer) -> int:
    from eduplatform.academic_year import AcademicYear
    from eduplatform.accounts.models import User
    from eduplatform.accounts.services import create_user
    from eduplatform.db import db
    from eduplatform.roles import Role
    from eduplatform.schools.models import School
    from eduplatform.schools.services import assign_teacher, create_class, enrol_pupil
    from eduplatform.signin.pictures import set_picture_secret
    from eduplatform.signin.services import ensure_sign_in_code

    with live_server.app.app_context():
        school = db.session.query(School).filter_by(slug="oak-school").one()
        school_class = create_class(school=school, name="Kestrels", year_group=1, year=AcademicYear.current())
        teacher = db.session.query(User).filter_by(username=live_server.staff.username).one()
        assign_teacher(school_class, teacher)
        pupil = create_user(username="ivy.restore", first_name="Ivy", last_name="Rowe", roles={Role.PUPIL},
                            school_id=school.id, year_group=1)
        enrol_pupil(school_class, pupil)
        set_picture_secret(pupil, ("moon", "car", "fish"))
        ensure_sign_in_code(school_class)
        db.session.commit()
        return school_class.id


def test_a_teacher_gives_new_pictures_when_the_old_ones_cannot_be_read(page: Page, live_server: LiveServer) -> None:
    from cryptography.fernet import Fernet

    class_id = _class_with_a_picture_pupil(live_server)
    own_key = live_server.app.config["DATA_KEY"]
    live_server.app.config["DATA_KEY"] = Fernet.generate_key().decode()
    try:
        sign_in_with_password(page, live_server.staff.username)
        page.goto(f"/classes/{class_id}/cards")
        card = page.locator("article.login-card", has_text="Ivy Rowe")
        expect(card.get_by_text("These secret pictures cannot be read")).to_be_visible()
        expect(card.locator(".card-sequence")).to_have_count(0)

        card.get_by_role("button", name="Give new pictures").click()

        expect(page.get_by_text("Ivy Rowe has new pictures")).to_be_visible()
        card = page.locator("article.login-card", has_text="Ivy Rowe")
        expect(card.locator(".card-sequence li")).to_have_count(3)
        expect(card.get_by_text("cannot be read")).to_have_count(0)
    finally:
        live_server.app.config["DATA_KEY"] = own_key
