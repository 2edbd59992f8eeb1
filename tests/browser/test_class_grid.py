"""On a phone or tablet, the teacher's class grid scrolls sideways with the pupils' names kept in view."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.services import create_user
from eduplatform.db import db
from eduplatform.roles import Role
from eduplatform.schools.services import assign_teacher, create_class, create_school, enrol_pupil

from .conftest import PASSWORD, Person

if TYPE_CHECKING:
    from .conftest import LiveServer



@pytest.mark.parametrize("width", [390, 768, 1920])
def test_pupils_names_stay_in_view_while_the_grid_scrolls(live_server: LiveServer, browser, width: int) -> None:
    teacher_person = Person(username=f"grid.teacher{width}", first_name="Gail", last_name="Grid")
    with live_server.app.app_context():
        school = create_school(name=f"Grid School {width}", slug=f"grid-school-{width}")
        teacher = create_user(username=teacher_person.username, first_name=teacher_person.first_name,
                              last_name=teacher_person.last_name, roles={Role.STAFF}, school_id=school.id,
                              password=PASSWORD)
        school_class = create_class(school=school, name="5G", year_group=5, year=AcademicYear.current())
        assign_teacher(school_class, teacher)
        for number in range(3):
            enrol_pupil(school_class, create_user(username=f"grid.pupil{number}.{width}", first_name=f"Pupil{number}",
                                                  last_name="Grid", roles={Role.PUPIL}, school_id=school.id,
                                                  year_group=5))
        db.session.commit()
        class_id = school_class.id
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 844})
    try:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Username").fill(teacher_person.username)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.goto(f"/classes/{class_id}")
        scroller = page.locator(".grid-scroll")
        name = page.get_by_role("rowheader").first
        before = name.bounding_box()
        scrolls = page.evaluate("el => el.scrollWidth > el.clientWidth", scroller.element_handle())
        assert scrolls or width > 390  # a phone scrolls the grid; wider screens may show all of this small one
        scroller.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
        after = name.bounding_box()
        assert before is not None and after is not None
        assert abs(after["x"] - before["x"]) < 1  # the name column did not move off screen
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # the page itself does not scroll
    finally:
        context.close()
