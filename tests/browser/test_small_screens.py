"""Pages a pupil or parent opens on a phone fit a 390 px screen, and focus is visible on white."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .conftest import LiveServer


def test_the_find_class_page_fits_a_phone(live_server: LiveServer, browser) -> None:
    """Before: the find-class page overflowed sideways at 390 px."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        for path in ("/tap", "/login"):
            page.goto(path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        page.goto("/login")
        page.keyboard.press("Tab")  # the skip link, then the first field
        page.keyboard.press("Tab")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
        assert outline in ("rgb(11, 12, 12)",), outline  # near-black on white: 19:1, over the 3:1 WCAG 1.4.11 asks
    finally:
        context.close()


def test_a_parents_children_page_and_the_school_settings_fit_a_phone(live_server: LiveServer, browser) -> None:
    from eduplatform.accounts.services import create_user, link_parent
    from eduplatform.catalogue import current_catalogue
    from eduplatform.db import db
    from eduplatform.records.models import CompletionMethod
    from eduplatform.records.services import record_completion_for
    from eduplatform.roles import Role
    from eduplatform.schools.services import create_school
    from eduplatform.schools.years import current_year

    from .conftest import PASSWORD

    with live_server.app.app_context():
        school = create_school(name="Phone Primary", slug="phone-primary")
        parent = create_user(username="phone.parent", first_name="Pam", last_name="Parent", roles={Role.PARENT},
                             school_id=school.id, password=PASSWORD)
        child = create_user(username="phone.child", first_name="Cal", last_name="Child", roles={Role.PUPIL},
                            school_id=school.id, year_group=5)
        link_parent(parent, child)
        coordinator = create_user(username="phone.coordinator", first_name="Cora", last_name="Coord",
                                  school_id=school.id, roles={Role.COORDINATOR, Role.STAFF}, password=PASSWORD)
        db.session.flush()
        record_completion_for(child, current_catalogue().modules["ks2-passwords"], current_year(child), coordinator,
                              CompletionMethod.TEACHER_LED)  # so the page shows the "talk about it at home" prompts
        db.session.commit()
        school_id = school.id
    for width in (390, 1280):
        for username, path, text in (("phone.parent", "/my-children", "Make up a strong pretend password"),
                                     ("phone.coordinator", f"/schools/{school_id}/settings", "Phone Primary")):
            context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 844})
            try:
                page = context.new_page()
                page.goto("/login")
                page.get_by_label("Username").fill(username)
                page.get_by_label("Password", exact=True).fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.goto(path)
                assert text in page.content(), (width, path)
                assert page.evaluate("document.documentElement.scrollWidth") <= width, (width, path)
            finally:
                context.close()
