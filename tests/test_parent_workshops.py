"""Parents are offered first the workshops for their children's ages (year groups in curriculum YAML)."""

from __future__ import annotations

import html
import re
import shutil
from itertools import count
from pathlib import Path
from typing import Any

import pytest

from eduplatform.accounts.services import create_user, link_parent
from eduplatform.db import db, upgrade_database
from eduplatform.learning.workshops import split_for_children
from eduplatform.roles import Role
from eduplatform.schools.services import create_school
from tests.conftest import PASSWORD, Auth
from tests.test_catalogue import FIXTURE, CatalogueCopy, find_problem, show

UNDER_8S, GAMING, TEENS = "parents-under-8s", "parents-gaming-chat", "parents-teens-social"
_numbers = count(1)


def test_the_shipped_workshops_name_their_childrens_year_groups(real_app) -> None:
    modules = real_app.extensions["eduplatform.catalogue"].modules
    assert modules[UNDER_8S].child_year_groups == frozenset({-1, 0, 1, 2, 3})
    assert modules[GAMING].child_year_groups == frozenset({3, 4, 5, 6, 7, 8})
    assert modules[TEENS].child_year_groups == frozenset(range(7, 14))
    assert not modules["staff-induction"].child_year_groups  # only parents' workshops name any


@pytest.mark.parametrize(("year_groups", "offered", "others"), [
    ({1}, [UNDER_8S], [GAMING, TEENS]),                 # a Year 1 child
    ({5}, [GAMING], [UNDER_8S, TEENS]),
    ({10}, [TEENS], [UNDER_8S, GAMING]),
    ({0, 9}, [UNDER_8S, TEENS], [GAMING]),              # a child in Reception and one in Year 9
    ({3}, [UNDER_8S, GAMING], [TEENS]),                 # Year 3 (ages 7-8): both ranges include it
    (set(), [UNDER_8S, GAMING, TEENS], []),             # no linked children: every workshop
])
def test_workshops_are_split_by_the_childrens_year_groups(real_app, year_groups: set[int], offered: list[str],
                                                          others: list[str]) -> None:
    catalogue = real_app.extensions["eduplatform.catalogue"]
    offer = split_for_children(catalogue.modules_for(frozenset({"parents"})), frozenset(year_groups))
    assert [m.id for m in offer.offered] == offered and [m.id for m in offer.others] == others
    assert offer.for_age == (frozenset(offered) if year_groups else frozenset())


@pytest.fixture(scope="module")
def shipped(real_app) -> Any:
    with real_app.app_context():
        upgrade_database(db.engine)
        school = create_school(name="Workshop School", slug="workshop-school")
        db.session.commit()
        return school.id


def _parent(real_app, school_id: int, *child_years: int | None) -> str:
    number = next(_numbers)
    with real_app.app_context():
        parent = create_user(username=f"parent{number}", first_name="Pat", last_name=f"Parent{number}",
                             roles={Role.PARENT}, school_id=school_id, password=PASSWORD)
        for index, year in enumerate(child_years):
            child = create_user(username=f"child{number}x{index}", first_name="Kim", last_name="Child",
                                roles={Role.PUPIL}, school_id=school_id, year_group=year)
            link_parent(parent, child)
        db.session.commit()
        return parent.username


def _dashboard(real_app, username: str) -> str:
    client = real_app.test_client()
    Auth(client).login(username)
    return client.get("/").get_data(as_text=True)


def _cards(page: str) -> list[str]:
    """The workshops offered (in page order) before the "other ages" list."""
    offered = page.split('class="other-workshops"')[0]
    return [m for m in re.findall(r'data-module="([^"]+)"', offered) if m.startswith("parents-")]


def test_a_parent_of_a_year_1_child_is_offered_the_under_8s_workshop_marked_for_their_age(real_app,
                                                                                          shipped) -> None:
    page = _dashboard(real_app, _parent(real_app, shipped, 1))
    assert _cards(page) == [UNDER_8S]
    assert "For your child's age" in html.unescape(page)
    other = page.split('class="other-workshops"')[1]
    assert "2 workshops for children of other ages" in other
    assert f'data-module="{GAMING}"' in other and f'data-module="{TEENS}"' in other


def test_a_parent_of_a_teenager_and_a_year_5_child(real_app, shipped) -> None:
    page = _dashboard(real_app, _parent(real_app, shipped, 5, 10))
    assert _cards(page) == [GAMING, TEENS]
    assert "1 workshop for children of other ages" in page


def test_a_parent_with_no_linked_children_is_offered_every_workshop(real_app, shipped) -> None:
    page = _dashboard(real_app, _parent(real_app, shipped))
    assert _cards(page) == [UNDER_8S, GAMING, TEENS]
    assert "For your child" not in page and 'class="other-workshops"' not in page


def test_other_workshops_stay_open_to_the_parent(real_app, shipped) -> None:
    client = real_app.test_client()
    Auth(client).login(_parent(real_app, shipped, 1))
    assert client.get(f"/modules/{TEENS}").status_code == 200


# --- The data is checked at load -------------------------------------------------------------------


@pytest.fixture
def copy(tmp_path: Path) -> CatalogueCopy:
    root = tmp_path / "catalogue"
    shutil.copytree(FIXTURE, root)
    return CatalogueCopy(root)


MODULES = "curriculum/modules/all.yaml"


@pytest.mark.parametrize(("old", "new", "fragments"), [
    ("  - id: parents-home\n    audience: parents\n",
     "  - id: parents-home\n    audience: parents\n    child_year_groups: [1, 14]\n",
     ["module 'parents-home' child_year_groups", "from -1 to 13", "14"]),
    ("  - id: parents-home\n    audience: parents\n",
     "  - id: parents-home\n    audience: parents\n    child_year_groups: Year 1\n",
     ["module 'parents-home'", "child_year_groups must be a list"]),
    ("  - id: ks3-footprint\n    audience: ks3\n",
     "  - id: ks3-footprint\n    audience: ks3\n    child_year_groups: [7]\n",
     ["module 'ks3-footprint'", "only for adults' modules"]),
])
def test_bad_child_year_groups_are_reported(copy: CatalogueCopy, old: str, new: str, fragments: list[str]) -> None:
    copy.replace(MODULES, old, new)
    problems = copy.problems()
    assert find_problem(problems, MODULES, *fragments), show(problems)


def test_good_child_year_groups_load(copy: CatalogueCopy) -> None:
    copy.replace(MODULES, "  - id: parents-home\n    audience: parents\n",
                 "  - id: parents-home\n    audience: parents\n    child_year_groups: [-1, 0, 1]\n")
    assert copy.load().modules["parents-home"].child_year_groups == frozenset({-1, 0, 1})


@pytest.mark.parametrize(("new", "fragments"), [
    ("photo_consents: [photos-website, photos-moon]", ["photo consent 'photos-moon'", "not a consent item"]),
    ("photo_consents: photos-website", ["photo_consents must be a list"]),
    ("photo_consents: [photos-website, photos-website]", ["'photos-website' is listed twice"]),
])
def test_bad_photo_consents_are_reported(copy: CatalogueCopy, new: str, fragments: list[str]) -> None:
    copy.replace("curriculum/agreements.yaml", "photo_consents: [photos-website]", new)
    problems = copy.problems()
    assert find_problem(problems, "curriculum/agreements.yaml", *fragments), show(problems)
