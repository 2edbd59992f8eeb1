"""Picture sign-in for Reception to Year 2: finding the class, tapping pictures, guess limits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, update

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import User
from eduplatform.db import db, utcnow
from eduplatform.roles import Role
from eduplatform.schools.models import School, SchoolClass
from eduplatform.signin import services
from eduplatform.signin.models import PictureSignInAttempt
from eduplatform.signin.pictures import set_picture_secret
from tests.conftest import Auth, csrf_token, run_in_app, run_together

RIGHT = ("cat", "dog", "sun")
WRONG = ("apple", "ball", "boat")


@dataclass
class PictureClass:
    """A Year 1 class with a sign-in code and three picture pupils (Ava, Ben, Cara)."""

    school_class: SchoolClass
    code: str
    pupils: list[User]

    @property
    def id(self) -> int:
        return self.school_class.id

    @property
    def ava(self) -> User:
        return self.pupils[0]

    @property
    def ben(self) -> User:
        return self.pupils[1]

    @property
    def cara(self) -> User:
        return self.pupils[2]


def give_pictures(app: Flask, user: User, sequence: tuple[str, ...] = RIGHT) -> None:
    run_in_app(app, lambda: set_picture_secret(db.session.get(User, user.id), sequence))


def make_picture_class(app: Flask, make_user, make_class, school: School, teachers=(), year_group: int = 1,
                       names=("Ava", "Ben", "Cara")) -> PictureClass:
    pupils = [make_user(Role.PUPIL, school=school, year_group=year_group, first_name=name, last_name="Smith")
              for name in names]
    school_class = make_class(school, year_group=year_group, pupils=tuple(pupils), teachers=tuple(teachers))
    for pupil in pupils:
        give_pictures(app, pupil)
    code = run_in_app(app, lambda: services.ensure_sign_in_code(db.session.get(SchoolClass, school_class.id)))
    return PictureClass(school_class, code, pupils)


@pytest.fixture
def ks1(app, make_user, make_class, school, staff) -> PictureClass:
    return make_picture_class(app, make_user, make_class, school, teachers=(staff,))


def pictures_url(ks1: PictureClass, pupil: User) -> str:
    return f"/tap/{ks1.code}/{pupil.id}"


def tap(client: FlaskClient, ks1: PictureClass, pupil: User, pictures: tuple[str, ...] | list[str]):
    """Tap ``pictures`` one by one on the pupil's grid, as the browser's forms would; the last response."""
    url = pictures_url(ks1, pupil)
    page = client.get(url).get_data(as_text=True)
    token = csrf_token(client, url if 'name="csrf_token"' in page else "/login")  # no grid while paused
    response = None
    for picture in pictures:
        response = client.post(url, data={"picture": picture, "csrf_token": token})
    return response


def attempts(app: Flask, **where) -> list[PictureSignInAttempt]:
    with app.app_context():
        query = select(PictureSignInAttempt).filter_by(**where).order_by(PictureSignInAttempt.id)
        return list(db.session.scalars(query))


def add_failures(app: Flask, ks1: PictureClass, pupil: User, count: int, ago: timedelta,
                 spread: timedelta = timedelta(0)) -> None:
    """Record ``count`` wrong tries by ``pupil``, the latest ``ago`` before now, ``spread`` apart."""
    def add() -> None:
        now = utcnow()
        for n in range(count):
            db.session.add(PictureSignInAttempt(school_id=ks1.school_class.school_id, class_id=ks1.id,
                                                user_id=pupil.id, succeeded=False,
                                                attempted_at=now - ago - spread * n))
        db.session.flush()

    run_in_app(app, add)


def signed_in_as(client: FlaskClient) -> str | None:
    page = client.get("/")
    if page.status_code != 200:
        return None
    found = re.search(r"<h1>Hello, ([^<]+)</h1>", page.get_data(as_text=True))
    return found.group(1) if found else None


# --- Finding the class --------------------------------------------------------------------------


def test_find_class_page_asks_for_the_code(client) -> None:
    page = client.get("/tap")
    assert page.status_code == 200
    assert "Find your class" in page.get_data(as_text=True)
    assert 'name="code"' in page.get_data(as_text=True)


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "{spaced}", " {code} "])
def test_a_typed_code_leads_to_the_class(client, ks1, typed) -> None:
    code = typed.format(code=ks1.code, lower=ks1.code.lower(), spaced=f"{ks1.code[:3]} {ks1.code[3:]}")
    response = client.get("/tap", query_string={"code": code})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/tap/{ks1.code}"


@pytest.mark.parametrize("typed", ["", "ZZZZZZ", "ABC", "0OIL1!"])
def test_a_wrong_code_says_so(client, ks1, typed) -> None:
    response = client.get("/tap", query_string={"code": typed})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "We could not find a class with that code" in page or "Type the class code." in page


def test_the_class_page_lists_its_picture_pupils_with_avatars(client, ks1) -> None:
    page = client.get(f"/tap/{ks1.code}").get_data(as_text=True)
    for pupil in (ks1.ava, ks1.ben, ks1.cara):
        assert f'href="/tap/{ks1.code}/{pupil.id}"' in page
        assert f"{pupil.first_name} S." in page
    assert page.count("/static/img/signin/avatar-") == 3
    assert "Smith" not in page  # first name and initial only


def test_a_lower_case_code_in_the_address_works_too(client, ks1) -> None:
    assert client.get(f"/tap/{ks1.code.lower()}").status_code == 200


def test_unknown_and_last_years_codes_are_not_found(app, client, ks1, school) -> None:
    assert client.get("/tap/ZZZZZZ").status_code == 404
    assert client.get("/tap/not-a-code").status_code == 404

    def last_year() -> str:
        old = db.session.get(SchoolClass, ks1.id)
        old.academic_year = AcademicYear.current().shifted(-1).start_year
        db.session.flush()
        return old.sign_in_code

    code = run_in_app(app, last_year)
    assert client.get(f"/tap/{code}").status_code == 404
    assert client.get("/tap", query_string={"code": code}).status_code == 200  # "could not find"


def test_left_disabled_and_older_pupils_are_not_listed_or_reachable(app, client, ks1, make_user, school) -> None:
    older = make_user(Role.PUPIL, school=school, year_group=3, first_name="Olly", last_name="Older")
    no_pictures = make_user(Role.PUPIL, school=school, year_group=1, first_name="Nia", last_name="None")

    def arrange() -> None:
        from eduplatform.schools.services import enrol_pupil

        school_class = db.session.get(SchoolClass, ks1.id)
        enrol_pupil(school_class, db.session.get(User, older.id))
        set_picture_secret(db.session.get(User, older.id))  # pictures, but Year 3 signs in with a password
        enrol_pupil(school_class, db.session.get(User, no_pictures.id))
        db.session.get(User, ks1.ben.id).left_at = utcnow()
        db.session.get(User, ks1.cara.id).disabled_at = utcnow()

    run_in_app(app, arrange)
    page = client.get(f"/tap/{ks1.code}").get_data(as_text=True)
    assert "Ava S." in page
    for name in ("Ben S.", "Cara S.", "Olly O.", "Nia N."):
        assert name not in page
    for pupil in (ks1.ben, ks1.cara, older, no_pictures):
        assert client.get(pictures_url(ks1, pupil)).status_code == 404
        token = csrf_token(client, pictures_url(ks1, ks1.ava))
        assert client.post(pictures_url(ks1, pupil), data={"picture": "cat", "csrf_token": token}).status_code == 404


def test_a_pupil_of_another_class_is_not_found_through_this_code(app, client, ks1, make_user, make_class,
                                                                  make_school, school) -> None:
    other = make_picture_class(app, make_user, make_class, school, names=("Dan",))
    elsewhere = make_picture_class(app, make_user, make_class, make_school(), names=("Eve",))
    token = csrf_token(client, pictures_url(ks1, ks1.ava))
    for stranger in (other.ava, elsewhere.ava):
        assert client.get(f"/tap/{ks1.code}/{stranger.id}").status_code == 404
        response = client.post(f"/tap/{ks1.code}/{stranger.id}", data={"picture": "cat", "csrf_token": token})
        assert response.status_code == 404
    assert client.get(f"/tap/{ks1.code}/999999").status_code == 404
    assert attempts(app) == []
    # ...while through their own class's code they are there.
    assert client.get(f"/tap/{other.code}/{other.ava.id}").status_code == 200


# --- Tapping ------------------------------------------------------------------------------------


def test_the_grid_shows_twelve_picture_buttons_and_no_secret(client, ks1) -> None:
    page = client.get(pictures_url(ks1, ks1.ava)).get_data(as_text=True)
    assert page.count('name="picture"') == 12
    assert page.count('class="empty"') == 3
    assert "cat-dog-sun" not in page
    assert re.findall(r'<input(?![^>]*type="hidden")', page) == []  # nothing to type


def test_right_pictures_sign_the_pupil_in_and_renew_the_session(app, client, ks1) -> None:
    client.get(pictures_url(ks1, ks1.ava))
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    response = tap(client, ks1, ks1.ava, RIGHT)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    with client.session_transaction() as session:
        assert "planted" not in session and "signin_taps" not in session
        assert not session.permanent  # a pupil's session ends when the browser closes
    assert signed_in_as(client) == "Ava"
    assert [(a.user_id, a.class_id, a.succeeded) for a in attempts(app)] == [(ks1.ava.id, ks1.id, True)]


def test_each_tap_fills_a_slot_and_go_back_one_empties_it(app, client, ks1) -> None:
    url = pictures_url(ks1, ks1.ava)
    tap(client, ks1, ks1.ava, ["cat"])
    assert client.get(url).get_data(as_text=True).count('class="filled"') == 1
    tap(client, ks1, ks1.ava, ["ball"])  # a mistake
    page = client.get(url).get_data(as_text=True)
    assert page.count('class="filled"') == 2 and "Go back one picture" in page
    client.post(url, data={"undo": "1", "csrf_token": csrf_token(client, url)})
    assert client.get(url).get_data(as_text=True).count('class="filled"') == 1
    response = tap(client, ks1, ks1.ava, ["dog", "sun"])
    assert response.headers["Location"] == "/"
    assert signed_in_as(client) == "Ava"


def test_a_picture_that_is_not_on_the_grid_is_ignored(app, client, ks1) -> None:
    url = pictures_url(ks1, ks1.ava)
    for bad in ("", "dragon", "cat-dog-sun"):
        client.post(url, data={"picture": bad, "csrf_token": csrf_token(client, url)})
    assert client.get(url).get_data(as_text=True).count('class="filled"') == 0
    assert attempts(app) == []


def test_taps_for_one_pupil_do_not_carry_over_to_another(app, client, ks1) -> None:
    tap(client, ks1, ks1.ava, ["cat", "dog"])
    assert client.get(pictures_url(ks1, ks1.ben)).get_data(as_text=True).count('class="filled"') == 0
    tap(client, ks1, ks1.ava, ["cat", "dog"])
    client.get(f"/tap/{ks1.code}")  # back to the names: a fresh start
    assert client.get(pictures_url(ks1, ks1.ava)).get_data(as_text=True).count('class="filled"') == 0


def test_wrong_pictures_are_recorded_and_the_child_is_told_kindly(app, client, ks1) -> None:
    response = tap(client, ks1, ks1.ava, WRONG)
    assert response.status_code == 302 and response.headers["Location"] == pictures_url(ks1, ks1.ava)
    page = client.get(pictures_url(ks1, ks1.ava)).get_data(as_text=True)
    assert "Oops! Those were not your pictures. Have another go." in page
    assert page.count('class="empty"') == 3  # start again
    assert signed_in_as(client) is None
    assert [(a.user_id, a.succeeded) for a in attempts(app)] == [(ks1.ava.id, False)]
    # The right pictures still work straight after.
    assert tap(client, ks1, ks1.ava, RIGHT).headers["Location"] == "/"


def test_the_right_pictures_in_the_wrong_order_fail(app, client, ks1) -> None:
    tap(client, ks1, ks1.ava, ("sun", "dog", "cat"))
    assert signed_in_as(client) is None


def test_another_pupils_pictures_do_not_open_this_account(app, client, ks1) -> None:
    give_pictures(app, ks1.ben, ("moon", "star", "tree"))
    tap(client, ks1, ks1.ava, ("moon", "star", "tree"))
    assert signed_in_as(client) is None


def test_picture_pupils_reach_only_ks1_learning(app, client, ks1) -> None:
    tap(client, ks1, ks1.ava, RIGHT)
    assert client.get("/modules/ks1-asking").status_code == 200
    assert client.get("/modules/ks2-passwords").status_code == 404
    assert client.get("/agreements/ks2-aup").status_code == 404
    assert "Asking first" in client.get("/").get_data(as_text=True)


def test_a_signed_in_pupil_tapping_for_a_classmate_becomes_the_classmate(app, client, ks1) -> None:
    """A shared tablet: the next child's right pictures replace the previous child's session."""
    tap(client, ks1, ks1.ava, RIGHT)
    tap(client, ks1, ks1.ben, RIGHT)
    assert signed_in_as(client) == "Ben"


# --- Guess limits -------------------------------------------------------------------------------


def test_five_wrong_tries_pause_the_pupil_even_for_the_right_pictures(app, client, ks1) -> None:
    for _ in range(services.PUPIL_MAX_WRONG):
        tap(client, ks1, ks1.ava, WRONG)
    page = client.get(pictures_url(ks1, ks1.ava)).get_data(as_text=True)
    assert "Ask your teacher to help you sign in." in page
    assert 'name="picture"' not in page
    response = tap(client, ks1, ks1.ava, RIGHT)
    assert response.status_code == 302 and signed_in_as(client) is None
    assert len(attempts(app)) == services.PUPIL_MAX_WRONG  # the refused try was not even checked
    # Classmates are not affected.
    assert tap(client, ks1, ks1.ben, RIGHT).headers["Location"] == "/"


def test_four_wrong_tries_do_not_pause(app, client, ks1) -> None:
    for _ in range(services.PUPIL_MAX_WRONG - 1):
        tap(client, ks1, ks1.ava, WRONG)
    assert tap(client, ks1, ks1.ava, RIGHT).headers["Location"] == "/"


def test_the_pause_ends_after_fifteen_minutes(app, client, ks1) -> None:
    add_failures(app, ks1, ks1.ava, services.PUPIL_MAX_WRONG, ago=services.PUPIL_PAUSE - timedelta(seconds=30))
    tap(client, ks1, ks1.ava, RIGHT)
    assert signed_in_as(client) is None

    def age() -> None:
        db.session.execute(update(PictureSignInAttempt).values(
            attempted_at=PictureSignInAttempt.attempted_at - timedelta(minutes=1)))

    run_in_app(app, age)
    assert tap(client, ks1, ks1.ava, RIGHT).headers["Location"] == "/"


def test_wrong_tries_spread_over_more_than_the_window_do_not_pause(app, ks1) -> None:
    add_failures(app, ks1, ks1.ava, services.PUPIL_MAX_WRONG, ago=timedelta(seconds=10), spread=timedelta(minutes=4))
    with app.app_context():
        assert services.pupil_paused_until(db.session.get(User, ks1.ava.id)) is None
    add_failures(app, ks1, ks1.ben, services.PUPIL_MAX_WRONG, ago=timedelta(seconds=10), spread=timedelta(minutes=3))
    with app.app_context():
        until = services.pupil_paused_until(db.session.get(User, ks1.ben.id))
        assert until is not None and until > utcnow() + services.PUPIL_PAUSE - timedelta(minutes=1)


def test_a_right_try_starts_the_count_again(app, ks1) -> None:
    add_failures(app, ks1, ks1.ava, services.PUPIL_MAX_WRONG - 1, ago=timedelta(minutes=2))

    def succeed_then_fail() -> None:
        pupil = db.session.get(User, ks1.ava.id)
        school_class = db.session.get(SchoolClass, ks1.id)
        assert services.check_pictures(school_class, pupil, list(RIGHT)).result == "ok"
        assert services.check_pictures(school_class, pupil, list(WRONG)).result == "wrong"
        assert services.pupil_paused_until(pupil) is None

    run_in_app(app, succeed_then_fail)


def test_a_slowed_class_refuses_tries_too_soon_but_locks_nobody_out(app, client, ks1) -> None:
    """30 wrong tries across the class: each try waits 5 s after the last wrong one; then it works."""
    add_failures(app, ks1, ks1.cara, services.CLASS_MAX_WRONG - 1, ago=timedelta(minutes=8),
                 spread=timedelta(seconds=1))
    add_failures(app, ks1, ks1.ava, 1, ago=timedelta(seconds=1))
    before = len(attempts(app))
    assert "Wait a moment between tries" in client.get(f"/tap/{ks1.code}").get_data(as_text=True)
    page = client.get(pictures_url(ks1, ks1.ben))
    assert "Wait a moment, then tap again." in page.get_data(as_text=True)
    assert 1 <= int(page.headers["Refresh"]) <= 5
    assert " disabled>" in page.get_data(as_text=True)

    tap(client, ks1, ks1.ben, RIGHT)
    assert signed_in_as(client) is None
    assert len(attempts(app)) == before  # refused, not checked
    # Only the last tap waits: the first two are kept.
    assert client.get(pictures_url(ks1, ks1.ben)).get_data(as_text=True).count('class="filled"') == 2

    def wait_five_seconds() -> None:
        db.session.execute(update(PictureSignInAttempt).values(
            attempted_at=PictureSignInAttempt.attempted_at - services.CLASS_DELAY))

    run_in_app(app, wait_five_seconds)
    assert "Wait a moment" not in client.get(f"/tap/{ks1.code}").get_data(as_text=True)
    page = client.get(pictures_url(ks1, ks1.ben))
    assert "Refresh" not in page.headers and " disabled>" not in page.get_data(as_text=True)
    assert tap(client, ks1, ks1.ben, RIGHT).headers["Location"] == "/"  # the class page started afresh
    assert signed_in_as(client) == "Ben"


def test_fewer_than_thirty_wrong_tries_do_not_slow_the_class(app, ks1) -> None:
    add_failures(app, ks1, ks1.cara, services.CLASS_MAX_WRONG - 1, ago=timedelta(0), spread=timedelta(seconds=1))
    with app.app_context():
        assert services.class_wait_until(db.session.get(SchoolClass, ks1.id)) is None
    add_failures(app, ks1, ks1.cara, 1, ago=timedelta(0))
    with app.app_context():
        assert services.class_wait_until(db.session.get(SchoolClass, ks1.id)) is not None


def test_old_wrong_tries_do_not_slow_the_class(app, ks1) -> None:
    add_failures(app, ks1, ks1.cara, services.CLASS_MAX_WRONG, ago=services.CLASS_WINDOW + timedelta(seconds=1))
    with app.app_context():
        assert services.class_wait_until(db.session.get(SchoolClass, ks1.id)) is None
        count = db.session.scalar(select(func.count()).select_from(PictureSignInAttempt))
        assert count == services.CLASS_MAX_WRONG


# --- CSRF ---------------------------------------------------------------------------------------


def test_a_tap_without_the_form_token_is_refused(app, client, ks1) -> None:
    client.get(pictures_url(ks1, ks1.ava))
    for picture in RIGHT:
        response = client.post(pictures_url(ks1, ks1.ava), data={"picture": picture})
        assert response.status_code == 400
    assert signed_in_as(client) is None
    assert attempts(app) == []


def test_a_teacher_lets_a_paused_pupil_try_the_same_pictures_again(app, client, auth, ks1, staff) -> None:
    for _ in range(services.PUPIL_MAX_WRONG):
        tap(client, ks1, ks1.ava, WRONG)
    teacher = Auth(app.test_client())
    teacher.login(staff)
    assert "Let them try again" in teacher.client.get(f"/classes/{ks1.id}/cards").get_data(as_text=True)
    teacher.post(f"/classes/{ks1.id}/pupils/{ks1.ava.id}/unpause", token_from=f"/classes/{ks1.id}/cards")
    assert tap(client, ks1, ks1.ava, RIGHT).headers["Location"] == "/"  # the same card still works


def committed_picture_class(app: Flask, slug: str, username: str) -> PictureClass:
    """A school with a Year 1 picture class of one pupil (secret RIGHT), committed for real."""
    from eduplatform.accounts.services import create_user
    from eduplatform.schools.services import create_class, create_school, enrol_pupil

    with app.app_context():
        school = create_school(name=slug.title(), slug=slug)
        school_class = create_class(school=school, name="1T", year_group=1, year=AcademicYear.current())
        pupil = create_user(username=username, first_name="Tia", last_name="P", roles={Role.PUPIL},
                            school_id=school.id, year_group=1)
        enrol_pupil(school_class, pupil)
        set_picture_secret(pupil, RIGHT)
        code = services.ensure_sign_in_code(school_class)
        db.session.commit()
        return PictureClass(school_class, code, [pupil])


def test_parallel_wrong_taps_never_pass_the_pupils_limit(concurrent_app) -> None:
    """Before: on PostgreSQL 8 wrong tries were counted (and checked) instead of 5. Now never more than 5."""
    target = committed_picture_class(concurrent_app, "taps", "tapper")
    pupil = target.pupils[0]

    def guess(number: int) -> None:
        client = concurrent_app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"198.51.100.{number}"
        tap(client, target, pupil, WRONG)

    assert run_together(*[lambda number=number: guess(number) for number in range(12)]) == []
    with concurrent_app.app_context():
        checked = db.session.scalar(select(func.count()).select_from(PictureSignInAttempt).where(
            PictureSignInAttempt.user_id == pupil.id))
    assert checked == services.PUPIL_MAX_WRONG


def test_a_stranger_with_the_code_cannot_lock_out_a_pupil_at_school(app, ks1) -> None:
    """Before: anyone with a class code paused all 7 picture pupils of a class in 1.5 s."""
    at_school = app.test_client()
    at_school.environ_base["REMOTE_ADDR"] = "192.0.2.77"
    assert tap(at_school, ks1, ks1.ben, RIGHT).headers["Location"] == "/"  # the school signs in from here
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "198.51.100.77"
    for _ in range(services.PUPIL_MAX_WRONG):
        tap(stranger, ks1, ks1.ava, WRONG)
    assert "Ask your teacher" in stranger.get(pictures_url(ks1, ks1.ava)).get_data(as_text=True)  # paused for them
    pupil = app.test_client()
    pupil.environ_base["REMOTE_ADDR"] = "192.0.2.77"
    assert tap(pupil, ks1, ks1.ava, RIGHT).headers["Location"] == "/"  # Ava at school signs in


def test_the_first_taps_do_not_wait_for_the_write_lock(fresh_app, tmp_path) -> None:
    """Before: every tap was a write request and queued for SQLite's write lock, though only the last
    one writes. Now the first taps are answered while another writer holds the lock."""
    import sqlite3

    from eduplatform.db import upgrade_database

    with fresh_app.app_context():
        upgrade_database(db.engine)
    target = committed_picture_class(fresh_app, "quick-taps", "quick.tapper")
    pupil = target.pupils[0]
    client = fresh_app.test_client()
    url = pictures_url(target, pupil)
    token = csrf_token(client, url)
    writer = sqlite3.connect(str(tmp_path / "fresh.sqlite3"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # someone else is writing (an import, a quiz) for a while
    try:
        for picture in RIGHT[:-1]:
            started = utcnow()
            response = client.post(url, data={"picture": picture, "csrf_token": token})
            assert response.status_code == 302 and (utcnow() - started).total_seconds() < 2
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    last = client.post(url, data={"picture": RIGHT[-1], "csrf_token": token})
    assert last.headers["Location"] == "/"  # the third tap wrote the try and signed in
