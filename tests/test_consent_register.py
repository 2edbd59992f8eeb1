"""The consent register of a class (each item parents choose), its CSV, and the coordinator's consent returns."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from eduplatform.audit.models import AuditAction, AuditEvent
from eduplatform.db import db, utcnow
from eduplatform.records.models import ConsentDecision
from eduplatform.roles import Role
from tests.conftest import Auth, run_in_app

AGREEMENT = "home-school-agreement"
ITEM = "photos-website"  # the test catalogue's one consent item (label "Website")


def decide(app, parent, child, given: bool, minutes_ago: int) -> None:
    """A parent's decision, dated ``minutes_ago``, as the agreement page records it."""
    run_in_app(app, lambda: db.session.add(ConsentDecision(
        school_id=child.school_id, parent_id=parent.id, child_id=child.id, agreement_id=AGREEMENT,
        consent_id=ITEM, agreement_version="v1", given=given, decided_at=utcnow() - timedelta(minutes=minutes_ago))))


@pytest.fixture
def register(make_school, make_user, make_class, link, app):
    """A class of five with a teacher, the school's coordinator, and parents deciding:

    Ava: yes. Ben: yes, then withdrawn. Cai: mum yes, dad no (disagree). Dan: dad no, then mum yes
    later (still disagree: no wins). Eve: nobody answered.
    """
    school = make_school()
    names = (("Ava", "Smith"), ("Ben", "Jones"), ("Cai", "Evans"), ("Dan", "Owen"), ("Eve", "Hughes"))
    pupils = {first: make_user(Role.PUPIL, school=school, year_group=5, first_name=first, last_name=last)
              for first, last in names}
    teacher = make_user(Role.STAFF, school=school)
    school_class = make_class(school, year_group=5, pupils=tuple(pupils.values()), teachers=(teacher,))
    mum, dad = make_user(Role.PARENT, school=school), make_user(Role.PARENT, school=school)
    for pupil in pupils.values():
        link(mum, pupil)
        link(dad, pupil)
    decide(app, mum, pupils["Ava"], True, minutes_ago=60)
    decide(app, mum, pupils["Ben"], True, minutes_ago=60)
    decide(app, mum, pupils["Ben"], False, minutes_ago=5)   # withdrawn
    decide(app, mum, pupils["Cai"], True, minutes_ago=60)
    decide(app, dad, pupils["Cai"], False, minutes_ago=30)
    decide(app, dad, pupils["Dan"], False, minutes_ago=60)
    decide(app, mum, pupils["Dan"], True, minutes_ago=5)    # the later yes does not undo the other parent's no
    return {"school": school, "class": school_class, "teacher": teacher, "mum": mum, "pupils": pupils,
            "coordinator": make_user(Role.COORDINATOR, Role.STAFF, school=school)}


def _list(html: str, css_class: str) -> str:
    start = html.index(f'register-list {css_class}"')
    return html[start:html.index("</div>", start)]


def test_the_register_follows_the_parents_decisions(client, auth: Auth, register) -> None:
    auth.login(register["teacher"])
    html = client.get(f"/classes/{register['class'].id}/consents").get_data(as_text=True)
    assert "Website" in html and "Photos on the school website." in html
    may, may_not, unanswered = (_list(html, kind) for kind in ("register-yes", "register-no", "register-unanswered"))
    assert "Ava S." in may and "Consent given (1)" in may
    assert [name for name in ("Ben J.", "Cai E.", "Dan O.") if name in may_not] == ["Ben J.", "Cai E.", "Dan O."]
    assert may_not.index("Ben J.") < may_not.index("Cai E.") < may_not.index("Dan O.")
    assert may_not.count("(parents disagree)") == 2  # Cai and Dan; Ben's withdrawal is one parent's choice
    assert "Eve H." in unanswered and "Ava S." not in may_not + unanswered
    assert "Smith" not in html  # first name and initial only


def test_the_class_page_links_to_the_register(client, auth: Auth, register) -> None:
    auth.login(register["coordinator"])
    page = client.get(f"/classes/{register['class'].id}").get_data(as_text=True)
    assert f"/classes/{register['class'].id}/consents" in page
    assert client.get(f"/classes/{register['class'].id}/consents").status_code == 200


@pytest.mark.parametrize(("who", "status"), [("other_teacher", 404), ("parent", 403), ("pupil", 403),
                                             ("other_coordinator", 404)])
def test_only_the_classs_teachers_and_coordinator_see_it(client, auth: Auth, register, make_user, make_school,
                                                         who, status) -> None:
    people = {"other_teacher": lambda: make_user(Role.STAFF, school=register["school"]),
              "parent": lambda: register["mum"], "pupil": lambda: register["pupils"]["Ava"],
              "other_coordinator": lambda: make_user(Role.COORDINATOR, school=make_school())}
    auth.login(people[who]())
    assert client.get(f"/classes/{register['class'].id}/consents").status_code == status
    assert client.get(f"/classes/{register['class'].id}/consents.csv").status_code == status


def _logged(app) -> list[AuditEvent]:
    return run_in_app(app, lambda: list(db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == AuditAction.EXPORT_DOWNLOADED.value))))


def test_the_csv_lists_each_pupil_formula_safe_and_is_logged(app, client, auth: Auth, register, make_user,
                                                             make_class) -> None:
    school = register["school"]
    sneaky = make_user(Role.PUPIL, school=school, year_group=5, first_name="=HYPERLINK(1)", last_name="Zed")
    school_class = make_class(school, pupils=(*register["pupils"].values(), sneaky), teachers=(register["teacher"],))
    auth.login(register["teacher"])
    response = client.get(f"/classes/{school_class.id}/consents.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["First name", "Last name initial", "Website"]
    assert rows[1:] == [["'=HYPERLINK(1)", "Z.", "not answered"], ["Ava", "S.", "yes"], ["Ben", "J.", "no"],
                        ["Cai", "E.", "no"], ["Dan", "O.", "no"], ["Eve", "H.", "not answered"]]
    [logged] = _logged(app)
    assert logged.actor_id == register["teacher"].id and logged.school_id == school.id
    assert logged.details["kind"] == "consent_register" and logged.details["class_id"] == school_class.id
    assert logged.details["rows"] == 6 and logged.details["complete"] is True


def _statements(app, action: Any) -> list[str]:
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):  # not the test's SAVEPOINT bookkeeping
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = action()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return statements


def _school_of(size: int, app, make_school, make_user, make_class):
    school = make_school()
    pupils = tuple(make_user(Role.PUPIL, school=school, year_group=5) for _ in range(size))
    teacher = make_user(Role.STAFF, school=school)
    parent = make_user(Role.PARENT, school=school)
    for minutes, pupil in enumerate(pupils):
        decide(app, parent, pupil, minutes % 2 == 0, minutes_ago=minutes + 1)
    coordinator = make_user(Role.COORDINATOR, Role.STAFF, school=school)
    return school, teacher, coordinator, make_class(school, year_group=5, pupils=pupils, teachers=(teacher,))


def test_register_and_returns_make_the_same_queries_for_5_or_30_pupils(app, client, auth: Auth, make_school,
                                                                       make_user, make_class) -> None:
    counts = []
    for size in (5, 30):
        school, teacher, coordinator, school_class = _school_of(size, app, make_school, make_user, make_class)
        auth.login(teacher)
        path = f"/classes/{school_class.id}/consents"
        register = len(_statements(app, lambda path=path: client.get(path)))
        auth.logout()
        auth.login(coordinator)
        make_class(school, pupils=())  # one more (empty) class changes nothing either
        returns = len(_statements(app, lambda: client.get("/consents")))
        auth.logout()
        counts.append((register, returns))
    assert counts[0] == counts[1]


def test_the_returns_count_each_class_in_sql(app, client, auth: Auth, register, make_user, make_class) -> None:
    school = register["school"]
    empty = make_class(school, pupils=())
    auth.login(register["coordinator"])
    html = client.get("/consents").get_data(as_text=True)
    row = html[html.index(f'data-class="{register["class"].id}"'):]
    row = row[:row.index("</tr>")]
    # 5 pupils: 1 yes, 3 no, 1 not answered, 80% answered
    assert [cell.split("<")[0] for cell in row.split("<td>")[1:]] == ["5", "1", "3", "1", "80%"]
    empty_row = html[html.index(f'data-class="{empty.id}"'):]
    assert "No pupils" in empty_row[:empty_row.index("</tr>")]


def test_overseers_of_several_schools_choose_one_and_other_schools_are_not_found(client, auth: Auth, register,
                                                                                  make_user, make_school) -> None:
    other_school = make_school()
    admin = make_user(Role.ADMIN)
    auth.login(admin)
    chooser = client.get("/consents").get_data(as_text=True)
    assert f"/consents?school={register['school'].id}" in chooser and f"/consents?school={other_school.id}" in chooser
    assert "80%" not in chooser
    assert "80%" in client.get(f"/consents?school={register['school'].id}").get_data(as_text=True)
    bad = client.get("/consents?school=abc")
    assert bad.status_code == 400 and "abc is not a school." in bad.get_data(as_text=True)
    auth.logout()
    auth.login(register["coordinator"])
    assert client.get(f"/consents?school={other_school.id}").status_code == 404
