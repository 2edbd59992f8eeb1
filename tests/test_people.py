"""Scoping: who appears in lists, person pages and the progress report."""

from __future__ import annotations

import re

from eduplatform.roles import Role
from tests.conftest import Auth


def names_on(client, path: str) -> str:
    return client.get(path).get_data(as_text=True)


def test_scopes_of_the_people_list(client, auth: Auth, make_school, make_user, make_class, link) -> None:
    school, other = make_school(), make_school()
    taught = make_user(Role.PUPIL, school=school, year_group=4, first_name="Taught", last_name="Pupil")
    untaught = make_user(Role.PUPIL, school=school, year_group=4, first_name="Untaught", last_name="Pupil")
    outsider = make_user(Role.PUPIL, school=other, year_group=4, first_name="Outsider", last_name="Pupil")
    teacher = make_user(Role.STAFF, school=school)
    parent = make_user(Role.PARENT, school=school)
    coordinator = make_user(Role.COORDINATOR, school=school)
    make_class(school, year_group=4, pupils=(taught,), teachers=(teacher,))
    make_class(school, year_group=4, pupils=(untaught,))
    link(parent, untaught)

    expectations = {
        teacher: ({"Taught P."}, {"Untaught P.", "Outsider P."}),
        parent: ({"Untaught P."}, {"Taught P.", "Outsider P."}),
        coordinator: ({"Taught P.", "Untaught P."}, {"Outsider P."}),
    }
    for viewer, (seen, unseen) in expectations.items():
        auth.login(viewer)
        page = names_on(client, "/people")
        assert all(name in page for name in seen), (viewer.username, seen)
        assert not any(name in page for name in unseen), (viewer.username, unseen)
        auth.logout()
    assert outsider.id  # exists, yet nobody above saw them


def test_a_teacher_cannot_open_another_teachers_pupil(client, auth: Auth, make_school, make_user,
                                                      make_class) -> None:
    school = make_school()
    mine, theirs = (make_user(Role.PUPIL, school=school, year_group=3) for _ in range(2))
    me, colleague = make_user(Role.STAFF, school=school), make_user(Role.STAFF, school=school)
    make_class(school, year_group=3, pupils=(mine,), teachers=(me,))
    make_class(school, year_group=3, pupils=(theirs,), teachers=(colleague,))
    auth.login(me)
    assert client.get(f"/people/{mine.id}").status_code == 200
    assert client.get(f"/people/{theirs.id}").status_code == 404


def test_the_people_list_searches_and_filters_by_role(client, auth: Auth, make_school, make_user) -> None:
    school = make_school()
    make_user(Role.PUPIL, school=school, year_group=6, first_name="Ada", last_name="Lovelace")
    make_user(Role.GOVERNOR, school=school, first_name="Alan", last_name="Turing")
    auth.login(make_user(Role.COORDINATOR, school=school))
    assert "Ada L." in names_on(client, "/people?q=love") and "Alan Turing" not in names_on(client, "/people?q=love")
    page = names_on(client, "/people?role=governor")
    assert "Alan Turing" in page and "Ada L." not in page
    assert client.get("/people?role=not-a-role&page=-3").status_code == 200


def test_records_count_only_the_viewers_school(app, client, auth: Auth, make_school, make_user) -> None:
    from tests.test_learning import ALL_RIGHT, read_all_lessons, submit

    school, other = make_school(), make_school()
    done = make_user(Role.PUPIL, school=school, year_group=5)
    make_user(Role.PUPIL, school=school, year_group=6)
    elsewhere = make_user(Role.PUPIL, school=other, year_group=5)
    for pupil in (done, elsewhere):
        auth.login(pupil)
        read_all_lessons(auth)
        submit(client, ALL_RIGHT)
        auth.logout()
    auth.login(make_user(Role.COORDINATOR, school=school))
    assert client.get("/progress").headers["Location"].endswith("/records")
    page = client.get("/records?audience=ks2").get_data(as_text=True)
    rows = {row.split("</a>")[0].split(">")[-1]: row for row in page.split("<tr>")[1:] if "year_group=" in row}
    cells = [re.sub(r"<[^>]+>", "", cell.split("</td>")[0]) for cell in rows["Year 5"].split("<td>")[1:4]]
    assert cells == ["1", "1", "1"], cells  # one person, one module each, completed
    assert "Year 6" in rows and len(rows) == 2  # the other school's Year 5 pupil is not counted


def test_the_count_of_people_uses_plural_forms(client, auth, make_user, school) -> None:
    coordinator = make_user(Role.COORDINATOR, Role.STAFF, school=school, first_name="Una", last_name="Only")
    auth.login(coordinator)
    page = client.get(f"/people?q={coordinator.username}").get_data(as_text=True)
    assert "<p>1 person</p>" in page


def test_a_parent_sees_each_childs_lessons_agreement_and_consents_on_their_own_page(app, client, auth, make_user,
                                                                                   school, link) -> None:
    parent = make_user(Role.PARENT, school=school)
    child = make_user(Role.PUPIL, school=school, year_group=5, first_name="Maya", last_name="Patel")
    other = make_user(Role.PUPIL, school=school, year_group=5, first_name="Not", last_name="Mine")
    link(parent, child)
    auth.login(parent)
    home = client.get("/").get_data(as_text=True)
    assert ">My children<" in home and ">People<" not in home  # the staff People list is not the parents' page
    page = client.get("/my-children").get_data(as_text=True)
    assert "Maya P." in page and "Not M." not in page and other.username not in page
    assert "Not answered" in page  # each consent item, in the form's order
    assert "<code>" not in page  # no text-version hashes for parents
