"""Whole journeys in another language with the shipped programme (issue 17): a Year 1 pupil signs in
with pictures and reads a lesson in Urdu; a parent signs the home-school agreement in Polish and the
school sees which language was signed.

These run on a server of their own with the real curriculum and content (the other browser tests use
the small test programme), so the translated files under ``content/ur`` and ``content/pl`` are the
ones a school gets.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from flask import Flask

    from .conftest import LiveServer

SECRET = ("sun", "tree", "moon")
LESSONS = ("ks1-trusted-adults-who", "ks1-trusted-adults-tell")


@pytest.fixture(scope="module")
def shipped(chromium_executable: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app with the shipped programme on a free port, its own SQLite file, a school with a
    Year 1 picture class (one pupil), and a parent of a Year 3 child."""
    from eduplatform import create_app
    from eduplatform.academic_year import AcademicYear
    from eduplatform.accounts.services import create_user, link_parent
    from eduplatform.db import db, upgrade_database
    from eduplatform.roles import Role
    from eduplatform.schools.services import create_class, create_school, enrol_pupil
    from eduplatform.signin.pictures import set_picture_secret
    from eduplatform.signin.services import ensure_sign_in_code
    from tests.conftest import test_settings

    from .conftest import PASSWORD, LiveServer, serving

    folder = tmp_path_factory.mktemp("shipped-languages")
    settings = test_settings(folder / "instance", f"sqlite:///{folder / 'shipped.sqlite3'}")
    del settings["CURRICULUM_PATH"], settings["CONTENT_PATH"]  # the shipped programme
    app: Flask = create_app(settings)
    with app.app_context():
        upgrade_database(db.engine)
        school = create_school(name="Ysgol Amlieithog", slug="many-languages")
        owls = create_class(school=school, name="Owls", year_group=1, year=AcademicYear.current())
        pupil = create_user(username="aisha.owl", first_name="Aisha", last_name="Khan", roles={Role.PUPIL},
                            school_id=school.id, year_group=1)
        enrol_pupil(owls, pupil)
        set_picture_secret(pupil, SECRET)
        child = create_user(username="kasia.child", first_name="Kasia", last_name="Nowak", roles={Role.PUPIL},
                            school_id=school.id, year_group=3)
        parent = create_user(username="ewa.parent", first_name="Ewa", last_name="Nowak", roles={Role.PARENT},
                             school_id=school.id, password=PASSWORD)
        link_parent(parent, child)
        create_user(username="cara.coordinator", first_name="Cara", last_name="Jones", school_id=school.id,
                    roles={Role.COORDINATOR, Role.STAFF}, password=PASSWORD)
        app.config["LANGUAGE_JOURNEY"] = {"code": ensure_sign_in_code(owls), "pupil": pupil.id,
                                          "parent": parent.id}
        db.session.commit()
    with serving(app) as url:
        yield LiveServer(url=url, pupil=None, staff=None, app=app)


def _page_language(page) -> list[str]:
    return page.evaluate("[document.documentElement.lang, document.documentElement.dir]")


def test_a_year_1_pupil_signs_in_with_pictures_and_reads_a_lesson_in_urdu(shipped: LiveServer, browser) -> None:
    from eduplatform.catalogue import current_catalogue
    from eduplatform.db import db
    from eduplatform.records.models import LessonRead

    journey = shipped.app.config["LANGUAGE_JOURNEY"]
    with shipped.app.app_context():
        lesson = next(item for item in current_catalogue().module_content("ks1-trusted-adults", "ur").lessons
                      if item.id == LESSONS[0])
        assert lesson.locale == "ur"  # the shipped Urdu text, not the English fallback
    context = browser.new_context(base_url=shipped.url, locale="ur-PK", viewport={"width": 768, "height": 1000})
    try:
        page = context.new_page()
        page.goto(f"/tap/{journey['code']}")
        assert _page_language(page) == ["ur", "rtl"]
        page.locator(f"a[href$='/{journey['pupil']}']").click()
        for picture in SECRET:  # no reading needed: the pictures are the same in every language
            page.locator(f"button[name=picture][value={picture}]").click()
        page.wait_for_url(f"{shipped.url}/")
        assert _page_language(page) == ["ur", "rtl"]
        page.goto(f"/modules/ks1-trusted-adults/lessons/{LESSONS[0]}")
        assert _page_language(page) == ["ur", "rtl"]
        assert page.locator(".content-language-note").count() == 0
        assert lesson.title in page.locator("h1").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        page.locator("form[action$='/read'] button[type=submit]").click()
        page.wait_for_url(f"**/lessons/{LESSONS[1]}")
    finally:
        context.close()
    with shipped.app.app_context():
        read = db.session.query(LessonRead).filter_by(user_id=journey["pupil"], lesson_id=LESSONS[0]).count()
    assert read == 1


def test_a_parent_signs_the_home_school_agreement_in_polish(shipped: LiveServer, browser) -> None:
    from eduplatform.db import db
    from eduplatform.records.models import AgreementSignature, ConsentDecision

    from .conftest import PASSWORD

    journey = shipped.app.config["LANGUAGE_JOURNEY"]
    context = browser.new_context(base_url=shipped.url, locale="pl-PL")
    try:
        page = context.new_page()
        page.goto("/login")
        assert _page_language(page) == ["pl", "ltr"]
        page.locator("#username").fill("ewa.parent")
        page.locator("#password").fill(PASSWORD)
        page.locator("#submit").click()
        page.wait_for_url(f"{shipped.url}/")
        page.goto("/agreements/home-school-agreement")
        assert page.locator(".content-language-note").count() == 0  # the Polish text
        radios = page.locator("input[type=radio][value=yes]")
        assert radios.count() >= 5  # a choice per consent item for the child
        for index in range(radios.count()):
            radios.nth(index).check()
        page.locator("#typed_name").fill("Ewa Nowak")
        page.locator("form[action$='/sign'] [type=submit]").click()
        page.wait_for_url("**/agreements/home-school-agreement")
        assert page.locator(".flash-success, [role=status], .flash").count() >= 1
    finally:
        context.close()
    with shipped.app.app_context():
        signature = db.session.query(AgreementSignature).filter_by(user_id=journey["parent"]).one()
        decisions = db.session.query(ConsentDecision).filter_by(parent_id=journey["parent"]).count()
    assert signature.locale == "pl" and decisions >= 5
    # The coordinator, in English, sees which language the parent signed in.
    context = browser.new_context(base_url=shipped.url, locale="en-GB")
    try:
        page = context.new_page()
        page.goto("/login")
        page.locator("#username").fill("cara.coordinator")
        page.locator("#password").fill(PASSWORD)
        page.locator("#submit").click()
        page.wait_for_url(f"{shipped.url}/")
        page.goto(f"/people/{journey['parent']}")
        history = page.locator("table", has=page.locator("th", has_text="Text version"))
        assert "Polski" in history.locator("td[lang=pl]").inner_text()
    finally:
        context.close()
