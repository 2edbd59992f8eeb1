"""The class grid's photo-consent columns: each pupil's parents' current choice, in one query."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event

from eduplatform.academic_year import AcademicYear
from eduplatform.catalogue import current_catalogue
from eduplatform.classroom.queries import photo_consent_columns
from eduplatform.db import db, utcnow
from eduplatform.records.models import ConsentDecision
from eduplatform.records.queries import consent_choices_for_many
from eduplatform.roles import Role
from tests.conftest import Auth, run_in_app

AGREEMENT = "home-school-agreement"
PHOTOS = (AGREEMENT, "photos-website")


def decide(app, parent, child, given: bool, minutes_ago: int, consent_id: str = "photos-website") -> None:
    """A parent's decision, dated ``minutes_ago``, as the agreement page records it."""
    run_in_app(app, lambda: db.session.add(ConsentDecision(
        school_id=child.school_id, parent_id=parent.id, child_id=child.id, agreement_id=AGREEMENT,
        consent_id=consent_id, agreement_version="v1", given=given,
        decided_at=utcnow() - timedelta(minutes=minutes_ago))))


@pytest.fixture
def grid(make_school, make_user, make_class):
    """A class of three, its teacher, a coordinator, and two parents of the first pupil."""
    school = make_school()
    pupils = [make_user(Role.PUPIL, school=school, year_group=5, first_name=name) for name in ("Ava", "Ben", "Cai")]
    teacher = make_user(Role.STAFF, school=school)
    school_class = make_class(school, year_group=5, pupils=tuple(pupils), teachers=(teacher,))
    mum, dad = (make_user(Role.PARENT, school=school) for _ in range(2))
    return {"school": school, "pupils": pupils, "teacher": teacher, "class": school_class, "mum": mum, "dad": dad,
            "coordinator": make_user(Role.COORDINATOR, school=school)}


def test_photo_items_come_from_the_curriculum_not_the_code(app, real_app) -> None:
    with app.app_context():
        assert current_catalogue().photo_consent_items() == (PHOTOS,)
        assert [c.label for c in photo_consent_columns(current_catalogue(), "en")] == ["Website"]
    shipped = real_app.extensions["eduplatform.catalogue"]
    items = [consent_id for _, consent_id in shipped.photo_consent_items()]
    assert items == ["photos-displays", "photos-website", "photos-social-media", "photos-local-press"]
    assert "video-school-events" not in items  # a video item is not about photos
    with real_app.test_request_context():
        labels = [c.label for c in photo_consent_columns(shipped, "en")]
    assert labels == ["Displays", "Website", "Social media", "Local press"]


def test_when_parents_disagree_no_wins_and_a_parents_later_no_withdraws_their_yes(app, grid) -> None:
    """The class grid follows the consent register's rule: each parent's newest choice, and "no" when
    any parent says no, whichever of them answered last."""
    first, second, third = grid["pupils"]
    decide(app, grid["mum"], first, True, minutes_ago=30)
    decide(app, grid["dad"], first, False, minutes_ago=10)  # the other parent, later: no
    decide(app, grid["dad"], second, False, minutes_ago=30)
    decide(app, grid["mum"], second, True, minutes_ago=5)   # the other way round: still no
    decide(app, grid["mum"], third, True, minutes_ago=30)
    decide(app, grid["mum"], third, False, minutes_ago=20)  # withdrawn
    decide(app, grid["mum"], third, True, minutes_ago=10)   # and given again
    with app.test_request_context():
        from flask_login import login_user

        teacher = db.session.get(type(grid["teacher"]), grid["teacher"].id)
        login_user(teacher)
        found = consent_choices_for_many(teacher, [p.id for p in grid["pupils"]], [PHOTOS], AcademicYear.current())
    assert found == {first.id: {PHOTOS: False}, second.id: {PHOTOS: False}, third.id: {PHOTOS: True}}


def test_only_children_the_actor_may_see_are_read(app, grid, make_user) -> None:
    first = grid["pupils"][0]
    decide(app, grid["mum"], first, True, minutes_ago=1)
    with app.test_request_context():
        from flask_login import login_user

        stranger = db.session.get(type(grid["teacher"]), make_user(Role.STAFF, school=grid["school"]).id)
        login_user(stranger)
        assert consent_choices_for_many(stranger, [first.id], [PHOTOS]) == {first.id: {}}


def test_the_grid_shows_yes_no_and_not_answered(app, client, auth: Auth, grid) -> None:
    first, second, third = grid["pupils"]
    decide(app, grid["mum"], first, True, minutes_ago=20)
    decide(app, grid["dad"], first, False, minutes_ago=2)
    decide(app, grid["mum"], second, True, minutes_ago=2)
    for who in ("teacher", "coordinator"):
        auth.login(grid[who])
        page = client.get(f"/classes/{grid['class'].id}").get_data(as_text=True)
        auth.logout()
        assert "May appear in photos" in page
        assert '<span class="visually-hidden">Photos: </span>Website</th>' in page
        cells = _consent_cells(page)
        assert cells == {"Ava": "No", "Ben": "Yes", "Cai": "Not answered"}, who


def _consent_cells(page: str) -> dict[str, str]:
    """Pupil first name -> the text of their photo-consent cell."""
    import re

    rows = re.findall(r'<th scope="row"><a [^>]*>(\w+)[^<]*</a></th>(.*?)</tr>', page, re.S)
    found = {}
    for name, cells in rows:
        cell = re.search(r'data-consent="photos-website">(.*?)</td>', cells, re.S)
        found[name] = re.sub(r"<[^>]+>|[✓✗]", "", cell.group(1)).strip()
    return found


@pytest.mark.parametrize("who", ["other_teacher", "parent", "other_coordinator"])
def test_the_consent_column_is_for_the_classs_teachers_and_coordinator_only(client, auth: Auth, grid, make_user,
                                                                           make_school, who) -> None:
    people = {"other_teacher": lambda: make_user(Role.STAFF, school=grid["school"]),
              "parent": lambda: grid["mum"],
              "other_coordinator": lambda: make_user(Role.COORDINATOR, school=make_school())}
    auth.login(people[who]())
    assert client.get(f"/classes/{grid['class'].id}").status_code in (403, 404)


def _grid_statements(app, client, auth: Auth, teacher, school_class) -> list[str]:
    auth.login(teacher)
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):  # not the test's SAVEPOINT bookkeeping
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(f"/classes/{school_class.id}")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    auth.logout()
    return statements


def test_the_grid_reads_consents_in_one_query_for_a_class_of_thirty(app, client, auth: Auth, make_school, make_user,
                                                                   make_class) -> None:
    def class_of(size: int):
        school = make_school()
        pupils = tuple(make_user(Role.PUPIL, school=school, year_group=5) for _ in range(size))
        teacher = make_user(Role.STAFF, school=school)
        parent = make_user(Role.PARENT, school=school)
        for minutes, pupil in enumerate(pupils):
            decide(app, parent, pupil, minutes % 2 == 0, minutes_ago=minutes + 1)
        return teacher, make_class(school, year_group=5, pupils=pupils, teachers=(teacher,))

    small = _grid_statements(app, client, auth, *class_of(3))
    large = _grid_statements(app, client, auth, *class_of(30))
    assert len(large) == len(small), "the grid's queries must not grow with the class"
    assert sum("consent_decision" in statement for statement in large) == 1
