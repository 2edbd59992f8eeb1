"""Issue 13: "talk about it at home" prompts in the content, check-content's rule, and My children."""

from __future__ import annotations

import shutil
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import User
from eduplatform.accounts.services import link_parent
from eduplatform.catalogue import Catalogue, current_catalogue
from eduplatform.catalogue.files import ContentError
from eduplatform.catalogue.report import missing_at_home_prompts, programme_problems
from eduplatform.db import db, utcnow
from eduplatform.people.at_home import completed_this_term
from eduplatform.records.models import CompletionMethod, ModuleCompletion
from eduplatform.records.queries import ModuleState, ModuleStatus
from eduplatform.records.services import record_completion_for
from eduplatform.roles import Role
from eduplatform.schools.years import current_year
from tests.conftest import run_in_app
from tests.test_learning import HALF_RIGHT, read_all_lessons, submit
from tests.test_readability import edit, load
from tests.test_records import _count_queries

FIXTURE = Path(__file__).parent / "fixtures" / "catalogue"
PASSWORDS_PROMPT = "Make up a strong pretend password together from three random words."


@pytest.fixture(scope="module")
def fixture_catalogue() -> Catalogue:
    return load(FIXTURE)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "catalogue")
    return tmp_path / "catalogue"


# --- Content and loader ---------------------------------------------------------------------------


def test_the_loader_reads_the_prompts_trimmed_and_in_order(fixture_catalogue: Catalogue) -> None:
    prompts = fixture_catalogue.module_content("ks2-passwords", "en").at_home
    assert prompts == (PASSWORDS_PROMPT, "Ask your child who they could tell if someone found out a password.",
                       "Agree a family rule: passwords stay with the person and their grown-ups.")
    assert fixture_catalogue.module_content("staff-induction", "en").at_home == ()


@pytest.mark.parametrize(("prompts", "problem"), [
    ("at_home: Talk about passwords at home.\n", "'at_home' must be a list of prompts for parents"),
    ("at_home:\n  - 42\n", "at_home prompt #1: must be text"),
    ("at_home:\n  - Too short\n", "at_home prompt #1: must be 10-300 characters long, not 9"),
    (f"at_home:\n  - Fine prompt here.\n  - {'a' * 301}\n", "at_home prompt #2: must be 10-300 characters long"),
    ("at_home:\n  - Ask about <b>passwords</b> tonight.\n", "at_home prompt #1: must be plain text"),
    ("at_home:\n  - \"Ask about **passwords** tonight.\"\n", "at_home prompt #1: must be plain text"),
    ("at_home:\n  - \"- Ask about passwords tonight.\"\n", "at_home prompt #1: must be plain text"),
    ("at_home:\n  - \"Read [this](https://example.org) first.\"\n", "at_home prompt #1: must be plain text"),
])
def test_a_bad_prompt_stops_loading_with_the_file_and_the_problem(root: Path, prompts: str, problem: str) -> None:
    module_file = root / "content/en/modules/ks1-asking/module.yaml"
    text = module_file.read_text(encoding="utf-8")
    module_file.write_text(text[:text.index("at_home:")] + prompts, encoding="utf-8")
    with pytest.raises(ContentError) as raised:
        load(root)
    assert "ks1-asking/module.yaml" in str(raised.value) and problem in str(raised.value)


def test_every_shipped_pupil_module_has_three_plain_prompts(real_app) -> None:
    catalogue: Catalogue = real_app.extensions["eduplatform.catalogue"]
    assert missing_at_home_prompts(catalogue) == []
    pupil_modules = [m for m in catalogue.modules if m.split("-")[0] in {"ks1", "ks2", "ks3", "ks4"}]
    assert len(pupil_modules) == 42
    prompts = [p for m in pupil_modules for p in catalogue.module_content(m, "en").at_home]
    assert len(prompts) == 126 and len(set(prompts)) == 126  # none repeated from another module
    for module_id in catalogue.modules.keys() - set(pupil_modules):
        assert catalogue.module_content(module_id, "en").at_home == ()  # adults' modules have none


# --- check-content --------------------------------------------------------------------------------


def test_check_content_flags_pupil_modules_without_exactly_three_prompts(fixture_catalogue: Catalogue) -> None:
    problems = missing_at_home_prompts(fixture_catalogue)
    assert "module 'ks1-asking': 2 'at_home' prompt(s) for parents, needs exactly 3" in problems
    assert "module 'ks3-footprint': 0 'at_home' prompt(s) for parents, needs exactly 3" in problems
    assert not any("ks2-passwords" in p or "staff-" in p or "parents-" in p for p in problems)
    assert set(problems) <= set(programme_problems(fixture_catalogue))


def test_a_fourth_prompt_is_flagged_too(root: Path) -> None:
    edit(root, "content/en/modules/ks2-passwords/module.yaml", "at_home:\n",
         "at_home:\n  - Ask which websites your child likes best and why.\n")
    assert "module 'ks2-passwords': 4 'at_home' prompt(s) for parents, needs exactly 3" in \
        missing_at_home_prompts(load(root))


def test_the_check_content_command_fails_on_missing_prompts(runner) -> None:
    result = runner.invoke(args=["check-content"])  # the fixture catalogue is deliberately incomplete
    assert result.exit_code == 1
    assert "module 'ks1-asking': 2 'at_home' prompt(s) for parents, needs exactly 3" in result.output
    assert "module 'ks2-passwords'" not in result.output


# --- This term ------------------------------------------------------------------------------------


def _done(on: datetime) -> ModuleStatus:
    return ModuleStatus(ModuleState.COMPLETED, completed_at=on)


@pytest.mark.parametrize(("completed", "today", "expected"), [
    (datetime(2025, 9, 10, 9), date(2025, 12, 19), True),  # autumn term, same year
    (datetime(2025, 12, 31, 23, 30), date(2026, 1, 5), False),  # still 31 December in London: last term
    (datetime(2025, 12, 19, 9), date(2026, 1, 5), False),  # last term
    (datetime(2026, 4, 1, 9), date(2026, 7, 20), True),  # summer term
    (datetime(2026, 3, 31, 23, 30), date(2026, 4, 2), True),  # 00:30 on 1 April British Summer Time: summer
    (datetime(2025, 4, 10, 9), date(2026, 4, 10), False),  # the same term a year earlier
    (datetime(2026, 1, 9, 9), date(2026, 1, 8), False),  # a date in the future is never "this term"
])
def test_completed_this_term_uses_the_schedules_terms_in_the_schools_zone(completed: datetime, today: date,
                                                                         expected: bool) -> None:
    assert completed_this_term(_done(completed), today, "Europe/London") is expected


def test_a_module_not_completed_is_never_this_terms() -> None:
    today = date(2026, 1, 20)
    assert not completed_this_term(ModuleStatus(ModuleState.IN_PROGRESS, 40, 1), today, "Europe/London")
    assert not completed_this_term(ModuleStatus(ModuleState.NOT_STARTED), today, "Europe/London")


# --- My children ----------------------------------------------------------------------------------


def _complete(app, pupil, module_id: str, by) -> None:
    def record() -> None:
        learner, recorder = db.session.get(User, pupil.id), db.session.get(User, by.id)
        module = current_catalogue().modules[module_id]
        record_completion_for(learner, module, current_year(learner), recorder, CompletionMethod.TEACHER_LED)

    run_in_app(app, record)


def _move_completion_back(app, pupil, days: int) -> None:
    def move() -> None:
        for row in db.session.scalars(select(ModuleCompletion).where(ModuleCompletion.user_id == pupil.id)):
            row.completed_at = utcnow() - timedelta(days=days)

    run_in_app(app, move)


def test_a_parent_sees_done_modules_with_their_date_and_this_terms_prompts(app, client, auth, make_user, school,
                                                                          link) -> None:
    parent = make_user(Role.PARENT, school=school)
    teacher = make_user(Role.STAFF, school=school)
    maya = make_user(Role.PUPIL, school=school, year_group=5, first_name="Maya", last_name="Patel")
    leo = make_user(Role.PUPIL, school=school, year_group=1, first_name="Leo", last_name="Patel")
    link(parent, maya)
    link(parent, leo)
    _complete(app, maya, "ks2-passwords", teacher)
    auth.login(parent)
    page = client.get("/my-children").get_data(as_text=True)
    leo_part, maya_part = page.split("Leo P.")[1].split("Maya P.")[0], page.split("Maya P.")[1]  # by first name
    assert "Talk about it at home" in maya_part and PASSWORDS_PROMPT in maya_part
    assert "Ideas for a chat with Maya about what they learned this term." in maya_part
    assert "Done" in maya_part and "Not done yet" not in maya_part.split("Talk about it at home")[0]
    with app.test_request_context():
        from flask_babel import format_date
        assert format_date(utcnow()) in maya_part
    assert "Not done yet" in leo_part and PASSWORDS_PROMPT not in leo_part
    assert "When Leo finishes a lesson this term, ideas for talking about it at home appear here." in leo_part


def test_prompts_are_only_for_this_terms_modules(app, client, auth, make_user, school, link) -> None:
    parent = make_user(Role.PARENT, school=school)
    maya = make_user(Role.PUPIL, school=school, year_group=5, first_name="Maya")
    link(parent, maya)
    _complete(app, maya, "ks2-passwords", make_user(Role.STAFF, school=school))
    _move_completion_back(app, maya, days=190)  # every term is shorter than six months
    auth.login(parent)
    page = client.get("/my-children").get_data(as_text=True)
    assert PASSWORDS_PROMPT not in page and "ideas for talking about it at home appear here" in page


def test_a_past_year_shows_no_prompts_for_this_term(app, client, auth, make_user, school, link) -> None:
    parent = make_user(Role.PARENT, school=school)
    maya = make_user(Role.PUPIL, school=school, year_group=5, first_name="Maya")
    link(parent, maya)
    _complete(app, maya, "ks2-passwords", make_user(Role.STAFF, school=school))
    auth.login(parent)
    last_year = AcademicYear.containing(date.today()).shifted(-1).start_year
    page = client.get(f"/my-children?year={last_year}").get_data(as_text=True)
    assert "Talk about it at home" not in page and PASSWORDS_PROMPT not in page


def test_a_parent_never_sees_a_childs_score_or_a_module_in_progress(app, client, auth, make_user, school,
                                                                  link) -> None:
    parent = make_user(Role.PARENT, school=school)
    maya = make_user(Role.PUPIL, school=school, year_group=5, first_name="Maya")
    link(parent, maya)
    auth.login(maya)
    read_all_lessons(auth)
    submit(client, HALF_RIGHT)  # below the pass mark: in progress, with a score
    auth.logout()
    auth.login(parent)
    page = client.get("/my-children").get_data(as_text=True)
    assert "Not done yet" in page
    assert "In progress" not in page and "%" not in page.split("<main")[1] and "Best score" not in page
    assert PASSWORDS_PROMPT not in page


def test_a_parent_in_one_school_cannot_open_anything_of_a_child_in_another(app, client, auth, make_school,
                                                                            make_user, link) -> None:
    school_a, school_b = make_school("Ash School"), make_school("Birch School")
    parent = make_user(Role.PARENT, school=school_a)
    own = make_user(Role.PUPIL, school=school_a, year_group=5, first_name="Maya")
    other = make_user(Role.PUPIL, school=school_b, year_group=5, first_name="Zed", last_name="Other")
    link(parent, own)
    link(make_user(Role.PARENT, school=school_b), other)
    _complete(app, other, "ks2-passwords", make_user(Role.STAFF, school=school_b))
    with pytest.raises(ValueError, match="same school"):
        run_in_app(app, lambda: link_parent(parent, other))
    auth.login(parent)
    page = client.get("/my-children").get_data(as_text=True)
    assert "Maya" in page and "Zed" not in page and PASSWORDS_PROMPT not in page
    assert client.get(f"/people/{other.id}").status_code == 404
    assert client.get(f"/people/{own.id}").status_code == 200
    assert client.get(f"/people?q={other.username}").get_data(as_text=True).count("Zed") == 0


def test_my_children_makes_the_same_number_of_queries_however_many_children(app, make_user, school) -> None:
    from flask_login import login_user

    parent = make_user(Role.PARENT, school=school)
    teacher = make_user(Role.STAFF, school=school)

    def add_child(year_group: int) -> None:
        child = make_user(Role.PUPIL, school=school, year_group=year_group)
        run_in_app(app, lambda: link_parent(db.session.get(User, parent.id), db.session.get(User, child.id)))
        if year_group >= 3:
            _complete(app, child, "ks2-passwords", teacher)

    def view() -> None:
        with app.test_request_context("/my-children"):
            login_user(db.session.get(User, parent.id))
            app.view_functions["people.my_children"]()

    add_child(5)
    one = _count_queries(app, view)
    for year_group in (1, 4, 6):
        add_child(year_group)
    assert _count_queries(app, view) == one
