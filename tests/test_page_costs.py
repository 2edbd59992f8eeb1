"""What the teacher's class grid and the Records dashboard (school progress) cost in SQL statements,
and that the school-column shortcut of a coordinator's or trust lead's report changes no figure."""

from __future__ import annotations

from typing import Any

import pytest

from eduplatform import access
from eduplatform.accounts.models import User
from eduplatform.catalogue import current_catalogue
from eduplatform.db import db
from eduplatform.reports import scope as scope_module
from eduplatform.reports.dashboard import build_dashboard
from eduplatform.reports.rows import Filters
from eduplatform.reports.scope import build_scope
from eduplatform.roles import Role
from eduplatform.schools.models import School
from tests.conftest import Auth, counting_statements, run_in_app
from tests.records_world import RecordsWorld, build_records_world
from tests.test_classroom import setup_class
from tests.test_learning import HALF_RIGHT, submit

#: The class grid's statements: the signed-in person; the class with its access check; its pupils with
#: their roles; the most-missed questions, module completions, signatures and photo consents; then the
#: menu's "My classes" check and the person's duties (base.html).
CLASS_GRID_STATEMENTS = 9
#: The Records dashboard's: the signed-in person; the schools overseen; their programme; the class names;
#: the completion figures (one statement, three groupings); the agreement figures; the person's duties.
#: PostgreSQL adds one: the planner setting of :func:`eduplatform.reports.scope.plan_for_whole_populations`.
RECORDS_PAGE_STATEMENTS = 7


def _statements(app, client, path: str) -> int:
    """The page's SQL statements, without the SAVEPOINT and RELEASE of the test's own transaction."""
    client.get(path)  # anything read once per process (the catalogue's caches) is read before counting
    with counting_statements(app) as count:
        assert client.get(path).status_code == 200
    return count[0] - 2


def test_the_class_grid_costs_the_same_few_statements_however_many_pupils(app, client, auth: Auth, make_school,
                                                                         make_user, make_class) -> None:
    school, children, teacher, small = setup_class(make_school, make_user, make_class, pupils=3)
    for child in children:
        auth.login(child)
        submit(client, HALF_RIGHT)
        auth.logout()
    more = tuple(make_user(Role.PUPIL, school=school, year_group=5, first_name=f"Pupil{n}") for n in range(12))
    large = make_class(school, year_group=5, pupils=more + tuple(children), teachers=(teacher,))
    auth.login(teacher)
    assert _statements(app, client, f"/classes/{small.id}") == CLASS_GRID_STATEMENTS
    assert _statements(app, client, f"/classes/{large.id}") == CLASS_GRID_STATEMENTS


def test_the_class_grid_still_says_each_state_in_words(client, auth: Auth, make_school, make_user,
                                                       make_class) -> None:
    _, children, teacher, school_class = setup_class(make_school, make_user, make_class, pupils=2)
    auth.login(children[0])
    submit(client, HALF_RIGHT)
    auth.logout()
    auth.login(teacher)
    page = client.get(f"/classes/{school_class.id}").get_data(as_text=True)
    # The labels are translated once per page, so each cell must still carry its own.
    assert '<td class="cell-in_progress"><span aria-hidden="true">◐</span> Started' in page
    assert '<span class="visually-hidden">Not yet</span>' in page
    assert page.count(">Not signed</td>") >= 2


@pytest.fixture
def world(app, make_trust, make_school, make_user, make_class, link) -> RecordsWorld:
    return build_records_world(app, make_trust, make_school, make_user, make_class, link)


@pytest.mark.parametrize("who", ["coordinator", "trust_lead"])
def test_the_records_page_costs_the_same_few_statements_however_many_people(app, client, auth: Auth,
                                                                           world: RecordsWorld, make_user,
                                                                           who: str) -> None:
    auth.login(world.people[who])
    before = _statements(app, client, "/records")
    on_postgresql = app.extensions["eduplatform.db"].engine.dialect.name == "postgresql"
    assert before == RECORDS_PAGE_STATEMENTS + on_postgresql
    for number in range(10):
        make_user(Role.PUPIL, school=world.school, year_group=5 + number % 2)
        make_user(Role.PARENT, school=world.school)
        make_user(Role.STAFF, Role.PARENT, school=world.school)
    assert _statements(app, client, "/records") == before
    assert _statements(app, client, "/records?audience=ks2") <= before


def _figures(app, world: RecordsWorld, actor_key: str, school_names: tuple[str, ...]) -> list[Any]:
    def build() -> list[Any]:
        actor = db.session.get(User, world.people[actor_key].id)
        schools = [db.session.get(School, s.id) for s in (world.school, world.other_school)
                   if s.name in school_names]
        scope = build_scope(schools, world.year, current_catalogue(), actor=actor,
                            trust=schools[0].trust if len(schools) > 1 else None)
        found = []
        own = world.school.id
        for filters in (Filters(), Filters(school_id=own), Filters(school_id=own, audience="ks2"),
                        Filters(school_id=own, audience="staff"), Filters(school_id=own, audience="ks2", year_group=5)):
            dashboard = build_dashboard(scope, filters, world.year.start_year, {})
            found.append([(g.key, g.people, g.modules, g.states, g.agreement_people, g.agreement_signed)
                          for g in dashboard.groups])
        return found

    return run_in_app(app, build)


@pytest.mark.parametrize(("who", "schools"), [("coordinator", ("Records School",)),
                                              ("trust_lead", ("Records School", "Sister School"))])
def test_the_school_column_shortcut_gives_the_figures_of_the_visible_users_rule(app, world: RecordsWorld,
                                                                               monkeypatch, who: str,
                                                                               schools: tuple[str, ...]) -> None:
    shortcut = _figures(app, world, who, schools)
    monkeypatch.setattr(scope_module, "sees_everyone_in", lambda actor, schools: False)
    assert _figures(app, world, who, schools) == shortcut


def test_who_sees_everyone_in_a_school(app, world: RecordsWorld) -> None:
    def check() -> None:
        def person(key: str) -> User:
            return db.session.get(User, world.people[key].id)

        school, sister, far = (db.session.get(School, s.id) for s in (world.school, world.other_school,
                                                                      world.far_school))
        assert access.sees_everyone_in(person("coordinator"), [school])
        assert not access.sees_everyone_in(person("coordinator"), [school, sister])
        assert access.sees_everyone_in(person("trust_lead"), [school, sister])
        assert not access.sees_everyone_in(person("trust_lead"), [school, far])
        assert not access.sees_everyone_in(person("teacher"), [school])
        assert not access.sees_everyone_in(person("governor"), [school])

    run_in_app(app, check)
