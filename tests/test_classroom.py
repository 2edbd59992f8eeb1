"""A teacher's classes: the progress grid, most-missed questions, teacher-led sessions, class signing."""

from __future__ import annotations

from sqlalchemy import select

from eduplatform.db import db
from eduplatform.records.models import (
    AgreementSignature,
    Attendance,
    CompletionMethod,
    CompletionStatus,
    ModuleCompletion,
    SignatureMethod,
)
from eduplatform.roles import Role
from tests.conftest import Auth, run_in_app
from tests.test_learning import HALF_RIGHT, submit


def completions(app, module_id: str) -> dict[int, ModuleCompletion]:
    with app.app_context():
        rows = db.session.scalars(select(ModuleCompletion).where(ModuleCompletion.module_id == module_id))
        return {row.user_id: row for row in rows}


def setup_class(make_school, make_user, make_class, year_group: int = 5, pupils: int = 3):
    school = make_school()
    children = [make_user(Role.PUPIL, school=school, year_group=year_group, first_name=f"Kid{n}")
                for n in range(pupils)]
    teacher = make_user(Role.STAFF, school=school, first_name="Tom", last_name="Hughes")
    school_class = make_class(school, year_group=year_group, pupils=tuple(children), teachers=(teacher,))
    return school, children, teacher, school_class


def test_a_teacher_lists_only_their_own_classes(client, auth: Auth, make_school, make_user, make_class) -> None:
    school, _, teacher, mine = setup_class(make_school, make_user, make_class)
    colleague = make_user(Role.STAFF, school=school)
    theirs = make_class(school, teachers=(colleague,))
    auth.login(teacher)
    page = client.get("/classes").get_data(as_text=True)
    assert mine.name in page and theirs.name not in page
    assert client.get(f"/classes/{theirs.id}").status_code == 404
    auth.logout()
    auth.login(make_user(Role.COORDINATOR, school=school))
    page = client.get("/classes").get_data(as_text=True)
    assert mine.name in page and theirs.name in page


def test_a_teacher_led_session_completes_the_module_for_those_present(app, client, auth: Auth, make_school,
                                                                      make_user, make_class) -> None:
    _, (here, also_here, absent), teacher, school_class = setup_class(make_school, make_user, make_class)
    auth.login(teacher)
    form_page = client.get(f"/classes/{school_class.id}/sessions/ks2-passwords").get_data(as_text=True)
    assert "Kid0 L" in form_page and "checked" in form_page
    response = auth.post(f"/classes/{school_class.id}/sessions/ks2-passwords",
                         {"present": [str(here.id), str(also_here.id)]})
    assert response.status_code == 302
    rows = completions(app, "ks2-passwords")
    assert set(rows) == {here.id, also_here.id}
    assert all(r.status is CompletionStatus.COMPLETED and r.method is CompletionMethod.TEACHER_LED
               and r.recorded_by_id == teacher.id for r in rows.values())
    with app.app_context():
        session = db.session.scalar(select(Attendance))
        assert {a.user_id for a in session.attendees} == {here.id, also_here.id}
    grid = client.get(f"/classes/{school_class.id}").get_data(as_text=True)
    assert grid.count("</span> Done <span class=\"tag tag-led\">with the teacher</span>") == 2  # marked apart
    assert absent.display_name in grid and '<span class="visually-hidden">Not yet</span>' in grid


def test_attendance_must_name_pupils_of_the_class(app, auth: Auth, make_school, make_user, make_class) -> None:
    school, _, teacher, school_class = setup_class(make_school, make_user, make_class)
    stranger = make_user(Role.PUPIL, school=school, year_group=5)
    auth.login(teacher)
    none_ticked = auth.post(f"/classes/{school_class.id}/sessions/ks2-passwords", {})
    assert "Tick at least one pupil who was present." in none_ticked.get_data(as_text=True)
    outsider = auth.post(f"/classes/{school_class.id}/sessions/ks2-passwords", {"present": str(stranger.id)})
    assert outsider.status_code == 200
    assert completions(app, "ks2-passwords") == {}


def test_a_ks1_class_agrees_together_with_the_teacher_as_witness(app, client, auth: Auth, make_school, make_user,
                                                                 make_class) -> None:
    _, children, teacher, school_class = setup_class(make_school, make_user, make_class, year_group=1)
    auth.login(teacher)
    page = client.get(f"/classes/{school_class.id}/agreements/ks1-aup").get_data(as_text=True)
    assert "I ask before I use a tablet." in page
    ids = [str(child.id) for child in children]
    auth.post(f"/classes/{school_class.id}/agreements/ks1-aup", {"present": ids})
    auth.post(f"/classes/{school_class.id}/agreements/ks1-aup", {"present": ids})  # again: nobody signs twice
    with app.app_context():
        signatures = list(db.session.scalars(select(AgreementSignature)))
    assert len(signatures) == 3
    assert {s.method for s in signatures} == {SignatureMethod.WITNESSED} and {s.witness_id for s in signatures} == {
        teacher.id}
    assert "Signed" in client.get(f"/classes/{school_class.id}").get_data(as_text=True)
    assert client.get(f"/classes/{school_class.id}/agreements/ks2-aup").status_code == 404  # not this class's


def test_the_grid_shows_the_questions_most_pupils_got_wrong(app, client, auth: Auth, make_school, make_user,
                                                            make_class) -> None:
    _, children, teacher, school_class = setup_class(make_school, make_user, make_class, pupils=3)
    auth.login(children[0])
    submit(client, HALF_RIGHT)  # q2 and q4 wrong
    auth.logout()
    auth.login(teacher)
    page = client.get(f"/classes/{school_class.id}").get_data(as_text=True)
    assert "Which make a strong password?" not in page  # one pupil's answers are no pattern yet
    auth.logout()
    for child in children[1:]:
        auth.login(child)
        submit(client, HALF_RIGHT)
        auth.logout()
    auth.login(teacher)
    page = client.get(f"/classes/{school_class.id}").get_data(as_text=True)
    assert "Which make a strong password?" in page and "100% got this wrong at least once (3 of 3 pupils)" in page
    assert "Who can you share your password with?" not in page.split("Questions most pupils got wrong")[1]


def test_presentation_mode_shows_the_lesson_for_the_board(client, auth: Auth, make_school, make_user,
                                                          make_class) -> None:
    _, _, teacher, school_class = setup_class(make_school, make_user, make_class)
    auth.login(teacher)
    page = client.get(f"/classes/{school_class.id}/present/ks2-passwords/ks2-passwords-why").get_data(as_text=True)
    assert "A password keeps your account safe." in page and "Next lesson" in page
    last = client.get(f"/classes/{school_class.id}/present/ks2-passwords/ks2-passwords-strong").get_data(True)
    assert "End of the lesson" in last and f'href="/classes/{school_class.id}#module-ks2-passwords"' in last
    assert client.get(f"/classes/{school_class.id}/present/ks1-asking/ks1-asking-story").status_code == 404


def test_board_mode_shows_no_menu_no_name_and_no_register(client, auth: Auth, make_school, make_user,
                                                          make_class) -> None:
    _, _, teacher, school_class = setup_class(make_school, make_user, make_class)
    auth.login(teacher)
    page = client.get(f"/classes/{school_class.id}/present/ks2-passwords/ks2-passwords-strong").get_data(True)
    assert 'class="site-header"' not in page and "Hughes" not in page and "Sign out" not in page
    assert 'name="present"' not in page  # the register stays on the teacher's class page
    assert "Exit the board" in page


def test_board_mode_shows_each_section_with_its_prompt_folded_for_the_teacher(client, auth: Auth, make_school,
                                                                            make_user, make_class) -> None:
    _, _, teacher, school_class = setup_class(make_school, make_user, make_class)
    auth.login(teacher)
    page = client.get(f"/classes/{school_class.id}/present/ks2-passwords/ks2-passwords-strong").get_data(True)
    assert page.count("data-board-section") == 3
    assert page.count('<details class="board-prompt">') == 2
    assert "Which three words would make a funny picture?" in page and "[discuss]" not in page


def test_links_on_the_board_lead_to_board_pages_or_become_text(client, auth: Auth, make_school, make_user,
                                                               make_class) -> None:
    _, _, teacher, school_class = setup_class(make_school, make_user, make_class)
    auth.login(teacher)
    board = f"/classes/{school_class.id}"
    page = client.get(f"{board}/present/ks2-passwords/ks2-passwords-strong").get_data(True)
    assert f'<a href="{board}/board/agreements/ks2-aup">promises</a>' in page
    assert f'<a href="{board}/present/ks2-passwords/ks2-passwords-why">why passwords matter</a>' in page
    assert f'<a href="{board}/present/ks2-passwords/ks2-passwords-why">the module</a>' in page
    assert '<span class="unlinked">footprints</span>' in page  # a KS3 module: not this class's
    assert "/modules/" not in page and 'href="/agreements/' not in page
    for link in (f"{board}/board/agreements/ks2-aup", f"{board}/present/ks2-passwords/ks2-passwords-why"):
        assert client.get(link).status_code == 200


def test_an_agreement_on_the_board_shows_each_promise_on_its_own(client, auth: Auth, make_school, make_user,
                                                                 make_class) -> None:
    _, _, teacher, school_class = setup_class(make_school, make_user, make_class, year_group=1)
    auth.login(teacher)
    page = client.get(f"/classes/{school_class.id}/board/agreements/ks1-aup").get_data(True)
    assert 'class="site-header"' not in page and 'name="present"' not in page
    assert page.count('<p class="board-promise">') == 1 and page.count("data-board-section") == 2
    assert "I ask before I use a tablet." in page
    assert f"/classes/{school_class.id}#agree-ks1-aup" in page
    assert client.get(f"/classes/{school_class.id}/board/agreements/ks2-aup").status_code == 404
    assert client.get(f"/classes/{school_class.id}/board/agreements/nope").status_code == 404


def test_a_teacher_never_sees_another_schools_class_even_if_listed_as_its_teacher(app, client, auth: Auth,
                                                                                  make_school, make_user,
                                                                                  make_class) -> None:
    """visible_classes scopes staff to their own school, like visible_users does."""
    from eduplatform.schools.models import ClassTeacher

    home, away = make_school(), make_school()
    teacher = make_user(Role.STAFF, school=home)
    away_class = make_class(away, year_group=5)
    run_in_app(app, lambda: db.session.add(ClassTeacher(class_id=away_class.id, user_id=teacher.id)))
    auth.login(teacher)
    assert client.get(f"/classes/{away_class.id}").status_code == 404
    assert away_class.name not in client.get("/classes").get_data(as_text=True)
