"""The teacher's sign-in tools: the board page, class codes, login cards, resetting pictures and passwords."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from eduplatform import access
from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import User
from eduplatform.accounts.services import change_password, issue_first_password
from eduplatform.db import db
from eduplatform.roles import Role
from eduplatform.schools.models import SchoolClass
from eduplatform.schools.services import create_class, enrol_pupil
from eduplatform.signin import services
from eduplatform.signin.pictures import set_picture_secret
from tests.conftest import Auth, csrf_token, run_in_app
from tests.test_signin_pictures import (
    RIGHT,
    WRONG,
    PictureClass,
    make_picture_class,
    pictures_url,
    signed_in_as,
    tap,
)


@pytest.fixture
def ks1(app, make_user, make_class, school, staff) -> PictureClass:
    return make_picture_class(app, make_user, make_class, school, teachers=(staff,))


def reload(app: Flask, model, object_id: int):
    with app.app_context():
        return db.session.get(model, object_id)


@pytest.fixture
def older(app, make_user, school, ks1: PictureClass) -> User:
    """A Year 3 pupil in the same (mixed) class, with a first password for the card."""
    pupil = make_user(Role.PUPIL, school=school, year_group=3, first_name="Olly", last_name="Older")

    def arrange() -> None:
        enrol_pupil(db.session.get(SchoolClass, ks1.id), db.session.get(User, pupil.id))
        issue_first_password(db.session.get(User, pupil.id))

    run_in_app(app, arrange)
    return reload(app, User, pupil.id)


def secret_of(app: Flask, pupil: User) -> str:
    return reload(app, User, pupil.id).card_secret


# --- Codes --------------------------------------------------------------------------------------


def test_codes_are_six_unambiguous_characters_and_unique(app, make_class, school) -> None:
    classes = [make_class(school, year_group=1) for _ in range(30)]

    def give_codes() -> list[str]:
        return [services.ensure_sign_in_code(db.session.get(SchoolClass, c.id)) for c in classes]

    codes = run_in_app(app, give_codes)
    assert len(set(codes)) == len(codes)
    for code in codes:
        assert re.fullmatch(r"[2-9A-HJKMNP-Z]{6}", code), code
        assert not set(code) & set("01OIL")


def test_a_code_is_kept_until_replaced(app, ks1: PictureClass) -> None:
    def again() -> tuple[str, str]:
        school_class = db.session.get(SchoolClass, ks1.id)
        return services.ensure_sign_in_code(school_class), services.ensure_sign_in_code(school_class, replace=True)

    same, replaced = run_in_app(app, again)
    assert same == ks1.code and replaced != ks1.code


def test_the_board_shows_the_code_and_address_in_big_text(client, auth: Auth, staff, ks1) -> None:
    auth.login(staff)
    page = client.get(f"/classes/{ks1.id}/sign-in").get_data(as_text=True)
    assert f'<p class="board-code"><span>{ks1.code[:3]}</span> <span>{ks1.code[3:]}</span></p>' in page
    assert f"http://localhost/tap/{ks1.code}" in page
    assert "http://localhost/tap</p>" in page
    assert "3 pupils in this class sign in with pictures." in page


def test_a_class_without_a_code_gets_one_by_post(app, client, auth: Auth, staff, make_class, school) -> None:
    school_class = make_class(school, year_group=0, teachers=(staff,))
    auth.login(staff)
    page = client.get(f"/classes/{school_class.id}/sign-in").get_data(as_text=True)
    assert "This class has no sign-in code yet." in page
    assert reload(app, SchoolClass, school_class.id).sign_in_code is None  # a GET changes nothing
    response = auth.post(f"/classes/{school_class.id}/sign-in/code", token_from=f"/classes/{school_class.id}/sign-in")
    assert response.status_code == 302
    code = reload(app, SchoolClass, school_class.id).sign_in_code
    assert code and code in client.get(f"/classes/{school_class.id}/sign-in").get_data(as_text=True).replace(
        "</span> <span>", "")


def test_replacing_the_code_retires_the_old_one(app, client, auth: Auth, staff, ks1) -> None:
    auth.login(staff)
    auth.post(f"/classes/{ks1.id}/sign-in/code", {"replace": "1"}, token_from=f"/classes/{ks1.id}/sign-in")
    new_code = reload(app, SchoolClass, ks1.id).sign_in_code
    assert new_code != ks1.code
    assert client.get(f"/tap/{ks1.code}").status_code == 404
    assert client.get(f"/tap/{new_code}").status_code == 200


def test_can_manage_class_follows_the_access_rules(app, make_user, make_school, make_trust, make_class) -> None:
    trust = make_trust()
    school, other_school = make_school(trust=trust), make_school()
    teacher = make_user(Role.STAFF, school=school)
    colleague = make_user(Role.STAFF, school=school)
    coordinator = make_user(Role.COORDINATOR, Role.STAFF, school=school)
    other_coordinator = make_user(Role.COORDINATOR, school=other_school)
    trust_lead = make_user(Role.TRUST_LEAD, trust_id=trust.id)
    admin = make_user(Role.ADMIN)
    parent = make_user(Role.PARENT, school=school)
    school_class = make_class(school, year_group=1, teachers=(teacher,))
    old_class = run_in_app(app, lambda: create_class(school=school, name="Old", year_group=1,
                                                     year=AcademicYear.current().shifted(-1)))

    def decide(person: User, class_id: int) -> bool:
        with app.app_context():
            return access.can_manage_class(db.session.get(User, person.id), db.session.get(SchoolClass, class_id))

    allowed = {teacher, coordinator, admin}
    for person in (teacher, colleague, coordinator, other_coordinator, trust_lead, admin, parent):
        assert decide(person, school_class.id) is (person in allowed), person.username
    assert decide(teacher, old_class.id) is False


# --- Cards --------------------------------------------------------------------------------------


def test_cards_show_pictures_for_the_young_and_passwords_for_the_older(app, client, auth: Auth, staff, ks1,
                                                                      older) -> None:
    auth.login(staff)
    response = client.get(f"/classes/{ks1.id}/cards")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert page.count('class="login-card"') == 4
    assert older.card_secret in page and older.username in page
    for pupil in (ks1.ava, ks1.ben, ks1.cara):
        card = page[page.index(f'id="card-{pupil.id}"'):]
        card = card[:card.index("</article>")]
        assert ks1.code in card and f"http://localhost/tap/{ks1.code}" in card
        assert [re.search(r"img/signin/(\w+)\.[0-9a-f]{10}\.svg", img).group(1)
                for img in re.findall(r'<img src="[^"]+"', card[card.index("card-sequence"):])] == list(RIGHT)
        assert "/static/img/signin/avatar-" in card
    assert "@media print" in (Path(app.static_folder) / "css" / "signin.css").read_text(encoding="utf-8")


def test_cards_come_eight_to_a_sheet(app, client, auth: Auth, staff, make_user, make_class, school) -> None:
    picture_class = make_picture_class(app, make_user, make_class, school, teachers=(staff,),
                                       names=tuple(f"Child{n:02d}" for n in range(10)))
    auth.login(staff)
    page = client.get(f"/classes/{picture_class.id}/cards").get_data(as_text=True)
    sheets = page.split('<section class="card-sheet">')[1:]
    assert [sheet.count('class="login-card"') for sheet in sheets] == [8, 2]


def test_one_card_can_be_printed_again(client, auth: Auth, staff, ks1, older) -> None:
    auth.login(staff)
    page = client.get(f"/classes/{ks1.id}/cards", query_string={"pupil": ks1.ben.id}).get_data(as_text=True)
    assert page.count('class="login-card"') == 1 and f'id="card-{ks1.ben.id}"' in page
    assert older.card_secret not in page


def test_a_changed_password_is_not_shown_and_a_new_one_can_be_given(app, client, auth: Auth, staff, ks1,
                                                                   older) -> None:
    run_in_app(app, lambda: change_password(db.session.get(User, older.id), "my-own-secret-words"))
    auth.login(staff)
    cards_url = f"/classes/{ks1.id}/cards"
    page = client.get(cards_url).get_data(as_text=True)
    assert "The password was changed by its owner" in page
    response = auth.post(f"/classes/{ks1.id}/pupils/{older.id}/new-password", token_from=cards_url)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{cards_url}?pupil={older.id}"
    fresh = reload(app, User, older.id)
    assert fresh.card_secret and fresh.must_change_password
    assert fresh.card_secret in client.get(response.headers["Location"]).get_data(as_text=True)
    # The new first password signs in (and must then be changed).
    other = app.test_client()
    assert Auth(other).login(older.username, fresh.card_secret).headers["Location"] == "/account/password"


def test_a_picture_pupil_gets_no_password_and_an_older_pupil_no_pictures(app, client, auth: Auth, staff, ks1,
                                                                        older) -> None:
    auth.login(staff)
    cards_url = f"/classes/{ks1.id}/cards"
    hash_before = reload(app, User, ks1.ava.id).password_hash
    auth.post(f"/classes/{ks1.id}/pupils/{ks1.ava.id}/new-password", token_from=cards_url)
    assert reload(app, User, ks1.ava.id).password_hash == hash_before
    assert reload(app, User, ks1.ava.id).card_secret == "-".join(RIGHT)
    assert "signs in with pictures, not a password" in client.get(cards_url).get_data(as_text=True)
    before = reload(app, User, older.id)
    auth.post(f"/classes/{ks1.id}/pupils/{older.id}/reset-pictures", token_from=cards_url)
    after = reload(app, User, older.id)
    assert (after.picture_secret_hash, after.card_secret) == (before.picture_secret_hash, before.card_secret)
    assert "signs in with a password, not pictures" in client.get(cards_url).get_data(as_text=True)


@pytest.mark.parametrize("who", ["other_teacher", "other_coordinator", "trust_lead", "parent"])
def test_cards_are_not_found_for_people_who_do_not_run_the_class(app, client, auth: Auth, make_user, make_school,
                                                                  make_trust, school, ks1, who) -> None:
    people = {
        "other_teacher": lambda: make_user(Role.STAFF, school=school),
        "other_coordinator": lambda: make_user(Role.COORDINATOR, Role.STAFF, school=make_school()),
        "trust_lead": lambda: make_user(Role.TRUST_LEAD, trust_id=make_trust().id),
        "parent": lambda: make_user(Role.PARENT, school=school),
    }
    auth.login(people[who]())
    for url in (f"/classes/{ks1.id}/cards", f"/classes/{ks1.id}/sign-in", "/classes/999999/cards"):
        assert client.get(url).status_code == 404


def test_the_coordinator_of_the_school_may_print_cards(client, auth: Auth, make_user, school, ks1) -> None:
    auth.login(make_user(Role.COORDINATOR, Role.STAFF, school=school))
    assert client.get(f"/classes/{ks1.id}/cards").status_code == 200


def test_a_pupil_of_another_class_cannot_be_reached_through_this_class(app, client, auth: Auth, staff, ks1,
                                                                      make_user, make_class, school) -> None:
    other = make_picture_class(app, make_user, make_class, school, names=("Dan",))
    auth.login(staff)
    cards_url = f"/classes/{ks1.id}/cards"
    assert client.get(cards_url, query_string={"pupil": other.ava.id}).status_code == 404
    for action in ("reset-pictures", "new-password"):
        assert auth.post(f"/classes/{ks1.id}/pupils/{other.ava.id}/{action}", token_from=cards_url).status_code == 404
    assert reload(app, User, other.ava.id).card_secret == "-".join(RIGHT)


def test_passwords_and_pictures_appear_only_on_the_cards_page(app, client, auth: Auth, staff, make_user, school,
                                                              ks1, older, link) -> None:
    coordinator = make_user(Role.COORDINATOR, Role.STAFF, school=school)
    secrets = [older.card_secret, "-".join(RIGHT)]
    pages = ["/", f"/tap/{ks1.code}", pictures_url(ks1, ks1.ava), "/tap", f"/classes/{ks1.id}/sign-in",
             "/people", f"/people/{older.id}", f"/people/{ks1.ava.id}"]
    for person in (staff, coordinator):
        auth.login(person)
        oversight = ["/records", "/records/export/completions.csv", "/records/export/attempts.csv", "/audit",
                     "/audit/download.json"]
        for url in [*pages, *oversight] if person is coordinator else pages:
            response = client.get(url)
            assert response.status_code == 200, url
            page = response.get_data(as_text=True)
            assert not [secret for secret in secrets if secret in page], url
        assert older.card_secret in client.get(f"/classes/{ks1.id}/cards").get_data(as_text=True)
        auth.logout()
    parent = make_user(Role.PARENT, school=school)
    link(parent, older)
    auth.login(parent)
    assert older.card_secret not in client.get(f"/people/{older.id}").get_data(as_text=True)


# --- Resetting pictures -------------------------------------------------------------------------


def test_resetting_pictures_gives_a_new_secret_and_the_old_one_fails(app, client, auth: Auth, staff, ks1) -> None:
    auth.login(staff)
    cards_url = f"/classes/{ks1.id}/cards"
    response = auth.post(f"/classes/{ks1.id}/pupils/{ks1.ava.id}/reset-pictures", token_from=cards_url)
    assert response.status_code == 302 and response.headers["Location"] == f"{cards_url}?pupil={ks1.ava.id}"
    new = tuple(secret_of(app, ks1.ava).split("-"))
    assert new != RIGHT and len(new) == 3
    assert "has new pictures" in client.get(response.headers["Location"]).get_data(as_text=True)
    auth.logout()
    tap(client, ks1, ks1.ava, RIGHT)
    assert signed_in_as(client) is None
    tap(client, ks1, ks1.ava, new)
    assert signed_in_as(client) == "Ava"


def test_resetting_pictures_ends_a_pause(app, client, auth: Auth, staff, ks1) -> None:
    for _ in range(services.PUPIL_MAX_WRONG):
        tap(client, ks1, ks1.ava, WRONG)
    assert "Ask your teacher" in client.get(pictures_url(ks1, ks1.ava)).get_data(as_text=True)
    auth.login(staff)
    cards_url = f"/classes/{ks1.id}/cards"
    assert "Paused after too many wrong tries" in client.get(cards_url).get_data(as_text=True)
    auth.post(f"/classes/{ks1.id}/pupils/{ks1.ava.id}/reset-pictures", token_from=cards_url)
    assert "Paused after too many wrong tries" not in client.get(cards_url).get_data(as_text=True)
    auth.logout()
    tap(client, ks1, ks1.ava, tuple(secret_of(app, ks1.ava).split("-")))
    assert signed_in_as(client) == "Ava"


def test_a_pupil_given_pictures_for_the_first_time_appears_on_the_class_page(app, client, auth: Auth, staff,
                                                                              make_user, school, ks1) -> None:
    newcomer = make_user(Role.PUPIL, school=school, year_group=1, first_name="Nell", last_name="New")
    run_in_app(app, lambda: enrol_pupil(db.session.get(SchoolClass, ks1.id), db.session.get(User, newcomer.id)))
    assert "Nell N." not in client.get(f"/tap/{ks1.code}").get_data(as_text=True)
    auth.login(staff)
    cards_url = f"/classes/{ks1.id}/cards"
    assert "No secret pictures yet" in client.get(cards_url).get_data(as_text=True)
    auth.post(f"/classes/{ks1.id}/pupils/{newcomer.id}/reset-pictures", token_from=cards_url)
    assert "Nell N." in client.get(f"/tap/{ks1.code}").get_data(as_text=True)


def test_reset_pictures_service_refuses_password_pupils(app, make_user, school) -> None:
    pupil = make_user(Role.PUPIL, school=school, year_group=4)

    def attempt() -> None:
        with pytest.raises(ValueError, match="password"):
            services.reset_pictures(db.session.get(User, pupil.id))
        young = db.session.get(User, pupil.id)
        young.year_group = 2
        with pytest.raises(ValueError, match="pictures"):
            services.reissue_pupil_password(young)
        set_picture_secret(young)

    run_in_app(app, attempt)


# --- CSRF ---------------------------------------------------------------------------------------


def test_every_teacher_post_needs_the_form_token(app, client, auth: Auth, staff, ks1, older) -> None:
    auth.login(staff)
    posts = [f"/classes/{ks1.id}/sign-in/code", f"/classes/{ks1.id}/pupils/{ks1.ava.id}/reset-pictures",
             f"/classes/{ks1.id}/pupils/{older.id}/new-password"]
    for url in posts:
        assert client.post(url, data={"replace": "1"}).status_code == 400, url
    assert reload(app, SchoolClass, ks1.id).sign_in_code == ks1.code
    assert secret_of(app, ks1.ava) == "-".join(RIGHT)
    assert secret_of(app, older) == older.card_secret
    assert signed_in_as(client) is not None


def test_a_reset_never_gives_back_the_same_pictures(app, monkeypatch, ks1) -> None:
    offered = iter([RIGHT, RIGHT, ("moon", "star", "tree")])
    monkeypatch.setattr(services, "new_picture_secret", lambda: next(offered))
    sequence = run_in_app(app, lambda: services.reset_pictures(db.session.get(User, ks1.ava.id)))
    assert sequence == ("moon", "star", "tree") == tuple(secret_of(app, ks1.ava).split("-"))


def test_a_code_works_until_the_end_of_the_school_day_unless_kept(app, client, auth: Auth, staff, ks1) -> None:
    """Before: a code worked for ever, so one seen on the board could be used, or found, later."""
    from datetime import datetime, timedelta

    from eduplatform.db import utcnow

    def expire() -> None:
        db.session.get(SchoolClass, ks1.id).sign_in_code_expires_at = datetime(2000, 1, 1)

    def make_today() -> datetime | None:
        school_class = db.session.get(SchoolClass, ks1.id)
        services.ensure_sign_in_code(school_class, replace=True)
        return school_class.sign_in_code_expires_at

    ends = run_in_app(app, make_today)
    # At least an hour from when the code was made (the clock has moved on a little since).
    assert ends is not None and timedelta(minutes=59) <= ends - utcnow() <= timedelta(hours=25)
    code = reload(app, SchoolClass, ks1.id).sign_in_code
    assert client.get(f"/tap/{code}").status_code == 200
    run_in_app(app, expire)
    assert client.get(f"/tap/{code}").status_code == 404
    auth.login(staff)
    assert "This class has no sign-in code yet" in client.get(f"/classes/{ks1.id}/sign-in").get_data(as_text=True)
    auth.post(f"/classes/{ks1.id}/sign-in/code", {"permanent": "y"}, token_from=f"/classes/{ks1.id}/sign-in")
    kept = reload(app, SchoolClass, ks1.id)
    assert kept.sign_in_code != code and kept.sign_in_code_expires_at is None
    assert "This code works until you replace it." in client.get(f"/classes/{ks1.id}/sign-in").get_data(
        as_text=True)


def test_the_board_and_the_cards_carry_a_qr_code_of_the_class_page(client, auth: Auth, staff, ks1) -> None:
    auth.login(staff)
    board = client.get(f"/classes/{ks1.id}/sign-in").get_data(as_text=True)
    cards = client.get(f"/classes/{ks1.id}/cards").get_data(as_text=True)
    assert 'class="board-qr" src="data:image/svg+xml' in board
    assert cards.count('class="card-qr" src="data:image/svg+xml') == len(ks1.pupils)
    assert "data-print hidden" in cards  # shown by JavaScript only


def test_a_picture_pupil_signing_out_goes_back_to_the_class_picture_page(app, client, ks1) -> None:
    """A shared tablet: the next child taps their own name."""
    from tests.test_signin_pictures import RIGHT, tap

    assert tap(client, ks1, ks1.ava, RIGHT).headers["Location"] == "/"
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert response.headers["Location"] == f"/tap/{ks1.code}"


def test_staff_who_teach_no_class_are_not_offered_my_classes(client, auth: Auth, make_user, school, staff,
                                                           ks1) -> None:
    auth.login(staff)  # teaches ks1
    assert ">My classes<" in client.get("/").get_data(as_text=True)
    auth.logout()
    auth.login(make_user(Role.STAFF, school=school))
    assert ">My classes<" not in client.get("/").get_data(as_text=True)
