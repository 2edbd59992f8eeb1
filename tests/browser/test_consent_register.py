"""A teacher opens the consent register ("Consent choices") from the class page and prints it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.services import create_user, link_parent
from eduplatform.db import db
from eduplatform.records.models import ConsentDecision
from eduplatform.roles import Role
from eduplatform.schools.services import assign_teacher, create_class, create_school, enrol_pupil

from .conftest import PASSWORD

if TYPE_CHECKING:
    from .conftest import LiveServer


def test_a_teacher_opens_and_prints_the_consent_register(live_server: LiveServer, page) -> None:
    with live_server.app.app_context():
        school = create_school(name="Consent School", slug="consent-school")
        teacher = create_user(username="consent.teacher", first_name="Cora", last_name="Camera", roles={Role.STAFF},
                              school_id=school.id, password=PASSWORD)
        parent = create_user(username="consent.parent", first_name="Pat", last_name="Parent", roles={Role.PARENT},
                             school_id=school.id)
        school_class = create_class(school=school, name="5C", year_group=5, year=AcademicYear.current())
        assign_teacher(school_class, teacher)
        for first, last, given in (("Ada", "Yes", True), ("Bo", "No", False), ("Cy", "Blank", None)):
            pupil = create_user(username=f"consent.{first.lower()}", first_name=first, last_name=last,
                                roles={Role.PUPIL}, school_id=school.id, year_group=5)
            enrol_pupil(school_class, pupil)
            link_parent(parent, pupil)
            if given is not None:
                db.session.flush()
                db.session.add(ConsentDecision(school_id=school.id, parent_id=parent.id, child_id=pupil.id,
                                               agreement_id="home-school-agreement", consent_id="photos-website",
                                               agreement_version="v1", given=given))
        db.session.commit()
        class_id = school_class.id
    page.goto("/login")
    page.get_by_label("Username").fill("consent.teacher")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"/classes/{class_id}")
    page.get_by_role("link", name="Consent choices").click()
    page.wait_for_url(f"**/classes/{class_id}/consents")
    website = page.locator("section.register-item", has=page.get_by_role("heading", name="Website", exact=True))
    assert website.locator(".register-yes li").all_inner_texts() == ["Ada Y."]
    assert website.locator(".register-no li").all_inner_texts() == ["Bo N."]
    assert website.locator(".register-unanswered li").all_inner_texts() == ["Cy B."]
    print_button = page.get_by_role("button", name="Print")
    assert print_button.is_visible()  # shown by the site's script: window.print needs JavaScript

    page.set_viewport_size({"width": round((210 - 20) / 25.4 * 96), "height": 900})  # A4 less 10 mm margins
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    assert print_button.is_hidden() and page.get_by_role("link", name="Download as CSV").is_hidden()
    assert website.locator(".register-yes li").is_visible() and website.locator(".register-no li").is_visible()
    # Fits one A4 page: 297 mm less the browser's default margins (about 10 mm each), at 96 px per inch.
    assert page.evaluate("document.documentElement.scrollHeight") <= (297 - 20) / 25.4 * 96
