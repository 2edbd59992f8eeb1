"""A Year 1 pupil signs in by taps alone: class code page, own name, three pictures, dashboard.

The class, its code and the pupil are created in the live server's own database (through its
app) and committed, since the browser's requests run against that database.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips (or fails) every test here with one reason
    expect = None

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import LiveServer

SECRET = ("moon", "car", "fish")
PICTURE_NAMES = {"moon": "Moon", "car": "Car", "fish": "Fish", "apple": "Apple", "ball": "Ball", "boat": "Boat"}


@pytest.fixture(scope="module")
def year1_class(live_server: LiveServer) -> dict[str, object]:
    """A Year 1 class of Oak School with a sign-in code and two picture pupils (Poppy and Sam).

    Created once for this module: only the first test signs anyone in.
    """
    from eduplatform.academic_year import AcademicYear
    from eduplatform.accounts.services import create_user
    from eduplatform.db import db
    from eduplatform.roles import Role
    from eduplatform.schools.models import School
    from eduplatform.schools.services import create_class, enrol_pupil
    from eduplatform.signin.pictures import set_picture_secret
    from eduplatform.signin.services import ensure_sign_in_code

    with live_server.app.app_context():
        school = db.session.query(School).filter_by(slug="oak-school").one()
        school_class = create_class(school=school, name="Badgers", year_group=1, year=AcademicYear.current())
        found: dict[str, object] = {}
        for username, first, last, secret in (("poppy.tap", "Poppy", "Evans", SECRET),
                                              ("sam.tap", "Sam", "Okafor", ("apple", "ball", "boat"))):
            pupil = create_user(username=username, first_name=first, last_name=last, roles={Role.PUPIL},
                                school_id=school.id, year_group=1)
            enrol_pupil(school_class, pupil)
            set_picture_secret(pupil, secret)
            found[first] = pupil.id
        found["code"] = ensure_sign_in_code(school_class)
        db.session.commit()
    return found


def tap_pictures(page: Page, pictures: tuple[str, ...]) -> None:
    for picture in pictures:
        page.get_by_role("button", name=PICTURE_NAMES[picture], exact=True).click()


def test_a_year1_pupil_signs_in_with_taps_only(page: Page, year1_class: dict[str, object]) -> None:
    code = year1_class["code"]
    page.goto(f"/tap/{code}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Class Badgers: tap your name")
    expect(page.get_by_role("link", name="Sam O.")).to_be_visible()

    page.get_by_role("link", name="Poppy E.").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Poppy E.")
    expect(page.locator(".tap-grid button")).to_have_count(12)
    expect(page.locator("input:not([type=hidden])")).to_have_count(0)  # nothing to type

    # A wrong sequence: a kind message, and the slots empty again.
    tap_pictures(page, ("apple", "ball"))
    expect(page.locator(".tap-slots li.filled")).to_have_count(2)
    tap_pictures(page, ("boat",))
    expect(page.get_by_role("alert")).to_contain_text("Those were not your pictures. Have another go.")
    expect(page.locator(".tap-slots li.filled")).to_have_count(0)

    # The right pictures, one tap each.
    tap_pictures(page, SECRET[:1])
    expect(page.locator(".tap-slots li.filled")).to_have_count(1)
    tap_pictures(page, SECRET[1:])
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Poppy")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("li.card").filter(has=page.get_by_role("heading", name="Asking first"))).to_be_visible()
    expect(page.get_by_role("heading", name="Passwords", exact=True)).to_have_count(0)  # no KS2 modules


def test_the_class_code_can_be_typed_on_the_find_your_class_page(page: Page, year1_class: dict[str, object]) -> None:
    code = str(year1_class["code"])
    page.goto("/tap")
    page.get_by_label("Class code").fill(f"{code[:3].lower()} {code[3:].lower()}")
    page.get_by_role("button", name="Find my class").click()
    expect(page).to_have_url(re.compile(rf"/tap/{code}$"))
    expect(page.get_by_role("link", name="Sam O.")).to_be_visible()
