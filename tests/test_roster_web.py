"""The roster import pages: upload, line-by-line report, preview, confirm, result; CSRF; who may import."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from eduplatform.accounts.models import User
from eduplatform.db import db
from eduplatform.roles import Role
from eduplatform.roster.models import RosterImport
from eduplatform.schools.models import ClassMember
from tests.conftest import csrf_token, run_in_app

FIXTURES = Path(__file__).parent / "fixtures" / "roster"
_CONFIRM = re.compile(r'action="(/roster/import/[A-Za-z0-9_-]+)"')


@pytest.fixture(autouse=True)
def _no_uploads_left(app) -> None:
    """The instance folder is shared by the whole session: start each test without stored uploads."""
    for path in (Path(app.instance_path) / "roster-uploads").glob("*"):
        path.unlink()


@pytest.fixture
def coordinator(make_user, school) -> User:
    return make_user(Role.COORDINATOR, Role.STAFF, school=school, first_name="Cat", last_name="Cole",
                     external_id="C1")


def upload(auth, data: bytes, filename: str = "roster.csv", mode: str = "sync") -> Any:
    """Upload a file as the whole school's (full sync) unless ``mode`` says otherwise."""
    return auth.post("/roster/import", {"file": (BytesIO(data), filename), "mode": mode}, token_from="/roster/import")


def people_in(app, school) -> int:
    return run_in_app(app, lambda: db.session.scalar(select(func.count()).select_from(User)
                                                     .where(User.school_id == school.id)))


def stored_uploads(app) -> list[Path]:
    folder = Path(app.instance_path) / "roster-uploads"
    return sorted(folder.glob("*.csv")) if folder.exists() else []


def test_the_upload_page_explains_the_columns(client, auth, coordinator) -> None:
    auth.login(coordinator)
    page = client.get("/roster/import").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    for column in ("external_id", "first_name", "last_name", "role", "year_group", "class", "parent_of"):
        assert f"<code>{column}</code>" in page


def test_a_file_with_errors_is_reported_line_by_line_and_nothing_is_kept(app, client, auth, coordinator,
                                                                         school) -> None:
    auth.login(coordinator)
    before, files = people_in(app, school), stored_uploads(app)
    response = upload(auth, (FIXTURES / "with_errors.csv").read_bytes())
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "The file was not imported: 4 problems to fix. Nothing has changed." in page
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", page)
    assert [(line, column) for line, column, _ in rows] == [
        ("3", "first_name"), ("4", "year_group"), ("5", "role"), ("6", "email")]
    assert "This cell is empty but is required." in rows[0][2]
    assert "Unknown year group &#34;Year 14&#34;" in rows[1][2]
    assert people_in(app, school) == before and stored_uploads(app) == files


def test_no_file_chosen(client, auth, coordinator) -> None:
    auth.login(coordinator)
    response = auth.post("/roster/import", {}, token_from="/roster/import")
    assert response.status_code == 200
    assert "Choose the CSV file to check." in response.get_data(as_text=True)


def test_preview_then_confirm_imports_exactly_the_previewed_file(app, client, auth, coordinator, school,
                                                                 make_user) -> None:
    leaver = make_user(Role.GOVERNOR, school=school, first_name="Old", last_name="Governor")
    auth.login(coordinator)
    response = upload(auth, (FIXTURES / "corrected.csv").read_bytes(), filename="corrected.csv")
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    assert re.fullmatch(r"/roster/import/[A-Za-z0-9_-]{43}", preview_url)
    assert people_in(app, school) == 2  # nothing applied by the upload

    page = client.get(preview_url).get_data(as_text=True)
    assert "corrected.csv for Oak School" in page
    counts = dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", page))
    assert counts == {"New people": "5", "Updated": "0", "Unchanged": "0", "Marked as left": "1", "New classes": "2"}
    assert "Old Governor" in page and "avaj1" in page  # who leaves, and the usernames new people will get
    assert "You are not in the file" in page
    assert people_in(app, school) == 2  # nor by the preview
    assert len(stored_uploads(app)) == 1

    response = auth.post(preview_url, {"expected": "5-0-0-1-2", "confirm_left": "1"}, token_from=preview_url)
    assert response.status_code == 302 and "/roster/imports/" in response.headers["Location"]
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Import complete" in result
    assert dict(re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", result))["New people"] == "5"
    assert "4A" in result and "6G" in result  # the classes with login cards to print
    assert people_in(app, school) == 7
    assert run_in_app(app, lambda: db.session.get(User, leaver.id).left_at) is not None
    assert run_in_app(app, lambda: db.session.get(User, coordinator.id).left_at) is None
    record = run_in_app(app, lambda: db.session.scalar(select(RosterImport)))
    assert (record.filename, record.imported_by_id, record.created, record.left) == (
        "corrected.csv", coordinator.id, 5, 1)
    assert stored_uploads(app) == []  # deleted once imported
    assert client.get(preview_url).status_code == 404
    assert auth.post(preview_url, {"expected": "5-0-0-1-2", "confirm_left": "1"}, token_from="/").status_code == 404


def test_no_password_is_shown_on_any_page(app, client, auth, coordinator) -> None:
    auth.login(coordinator)
    preview_url = upload(auth, (FIXTURES / "corrected.csv").read_bytes()).headers["Location"]
    preview = client.get(preview_url).get_data(as_text=True)
    result = client.get(auth.post(preview_url, {"expected": "5-0-0-0-2"}, token_from=preview_url)
                        .headers["Location"]).get_data(as_text=True)
    secrets = run_in_app(app, lambda: list(db.session.scalars(select(User.card_secret)
                                                               .where(User.card_secret.is_not(None)))))
    assert len(secrets) == 5
    assert not any(secret in preview or secret in result for secret in secrets)


def test_confirm_is_refused_when_the_school_changed_since_the_preview(app, client, auth, coordinator, school,
                                                                      make_user) -> None:
    auth.login(coordinator)
    preview_url = upload(auth, (FIXTURES / "corrected.csv").read_bytes()).headers["Location"]
    assert "Marked as left</dt><dd>0" in client.get(preview_url).get_data(as_text=True)
    make_user(Role.VISITOR, school=school)  # arrives meanwhile: would now be marked as left
    response = auth.post(preview_url, {"expected": "5-0-0-0-2"}, token_from=preview_url)
    assert response.status_code == 302 and response.headers["Location"] == preview_url
    assert people_in(app, school) == 2
    assert "changed since this preview" in client.get(preview_url).get_data(as_text=True)


def test_a_failure_while_applying_changes_nothing(app, client, auth, coordinator, school, make_user,
                                                  monkeypatch) -> None:
    make_user(Role.GOVERNOR, school=school)
    auth.login(coordinator)
    preview_url = upload(auth, (FIXTURES / "corrected.csv").read_bytes()).headers["Location"]

    def broken(_user: User) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr("eduplatform.roster.services.end_all_sessions", broken)  # after people were created
    with pytest.raises(RuntimeError, match="disk full"):
        auth.post(preview_url, {"expected": "5-0-0-1-2", "confirm_left": "1"}, token_from=preview_url)
    assert people_in(app, school) == 2  # the coordinator and the governor: the five new people were rolled back
    assert run_in_app(app, lambda: db.session.scalar(select(func.count()).select_from(RosterImport))) == 0


def test_cancel_throws_the_upload_away(app, client, auth, coordinator, school) -> None:
    auth.login(coordinator)
    preview_url = upload(auth, (FIXTURES / "corrected.csv").read_bytes()).headers["Location"]
    response = auth.post(preview_url + "/cancel", token_from=preview_url)
    assert response.status_code == 302 and response.headers["Location"] == "/roster/import"
    assert stored_uploads(app) == [] and client.get(preview_url).status_code == 404
    assert people_in(app, school) == 1


def test_posts_without_the_csrf_token_are_refused(app, client, auth, coordinator, school) -> None:
    auth.login(coordinator)
    data = (FIXTURES / "corrected.csv").read_bytes()
    refused = client.post("/roster/import", data={"file": (BytesIO(data), "roster.csv")})
    assert refused.status_code == 400 and stored_uploads(app) == []
    preview_url = upload(auth, data).headers["Location"]
    assert client.post(preview_url, data={"expected": "5-0-0-0-2"}).status_code == 400
    assert client.post(preview_url + "/cancel").status_code == 400
    assert people_in(app, school) == 1 and client.get(preview_url).status_code == 200


def test_a_coordinator_cannot_use_another_coordinators_upload(app, client, auth, coordinator, make_user,
                                                              make_school) -> None:
    auth.login(coordinator)
    preview_url = upload(auth, (FIXTURES / "corrected.csv").read_bytes()).headers["Location"]
    auth.logout()
    auth.login(make_user(Role.COORDINATOR, school=make_school()))
    assert client.get(preview_url).status_code == 404
    assert auth.post(preview_url, {"expected": "5-0-0-0-2"}).status_code == 404
    assert len(stored_uploads(app)) == 1


@pytest.mark.parametrize("roles", [(Role.TRUST_LEAD,), (Role.ADMIN,), (Role.STAFF,), (Role.PUPIL,)])
def test_only_a_schools_coordinator_may_import(client, auth, make_user, make_trust, roles) -> None:
    user = make_user(*roles, trust_id=make_trust().id if Role.TRUST_LEAD in roles else None)
    auth.login(user)
    assert client.get("/roster/import").status_code == 403


def test_a_too_large_file_is_refused(client, auth, coordinator, monkeypatch) -> None:
    monkeypatch.setattr("eduplatform.roster.views.MAX_UPLOAD_BYTES", 100)
    auth.login(coordinator)
    response = upload(auth, (FIXTURES / "this_year.csv").read_bytes())
    assert response.status_code == 200 and "The file is larger than" in response.get_data(as_text=True)


def test_recent_imports_are_listed(app, client, auth, coordinator) -> None:
    auth.login(coordinator)
    preview_url = upload(auth, (FIXTURES / "corrected.csv").read_bytes(), filename="autumn.csv").headers["Location"]
    auth.post(preview_url, {"expected": "5-0-0-0-2"}, token_from=preview_url)
    assert "autumn.csv" in client.get("/roster/import").get_data(as_text=True)


def test_an_upload_left_too_long_expires(app, client, auth, coordinator, monkeypatch) -> None:
    auth.login(coordinator)
    preview_url = upload(auth, (FIXTURES / "corrected.csv").read_bytes()).headers["Location"]
    old = stored_uploads(app)
    monkeypatch.setattr("eduplatform.roster.uploads.MAX_AGE_SECONDS", -1)
    assert client.get(preview_url).status_code == 404
    upload(auth, (FIXTURES / "corrected.csv").read_bytes())  # the next upload sweeps expired files away
    assert len(old) == 1 and old[0] not in stored_uploads(app)


@pytest.mark.parametrize(("sent", "shown"), [
    ("C:\\Users\\office\\Pupils 2026.csv", "Pupils 2026.csv"), ("exports/roster.csv", "roster.csv"),
    ("", "roster.csv"), (None, "roster.csv"),
])
def test_only_the_files_own_name_is_kept(sent: str | None, shown: str) -> None:
    from eduplatform.roster.views import _filename

    assert _filename(sent) == shown


def test_the_result_links_each_class_to_its_login_cards(app, client, auth, coordinator) -> None:
    """The link goes to the sign-in feature's card page for the class."""
    auth.login(coordinator)
    preview_url = upload(auth, (FIXTURES / "corrected.csv").read_bytes()).headers["Location"]
    result = client.get(auth.post(preview_url, {"expected": "5-0-0-0-2"}, token_from=preview_url)
                        .headers["Location"]).get_data(as_text=True)
    links = dict(re.findall(r'<a href="(/classes/\d+/cards)">Print login cards for ([^<]+)</a>', result))
    assert sorted(links.values()) == ["4A", "6G"]


def test_adult_login_cards_show_first_passwords_only_until_changed(app, client, auth, make_school, make_user) -> None:
    """Adults imported with a first password get a printable card; once they choose their own, it goes."""
    from eduplatform.accounts.models import User as UserModel
    from eduplatform.accounts.services import change_password, issue_first_password
    from eduplatform.db import db as database
    from eduplatform.roles import Role as Roles
    from tests.conftest import run_in_app

    school = make_school()
    governor = make_user(Roles.GOVERNOR, school=school, first_name="Gita", last_name="Rao")
    first = run_in_app(app, lambda: issue_first_password(database.session.get(UserModel, governor.id)))
    auth.login(make_user(Roles.COORDINATOR, school=school))
    page = client.get("/roster/adult-cards").get_data(as_text=True)
    assert "Gita Rao" in page and first in page
    run_in_app(app, lambda: change_password(database.session.get(UserModel, governor.id), "her-own-password"))
    page = client.get("/roster/adult-cards").get_data(as_text=True)
    assert "Gita Rao" not in page and first not in page


def test_abandoned_uploads_are_swept_without_waiting_for_the_next_upload(app, client, auth, coordinator,
                                                                        monkeypatch) -> None:
    """Before: a file left behind stayed until someone uploaded again. Now a daily ``tidy`` removes it."""
    auth.login(coordinator)
    upload(auth, (FIXTURES / "corrected.csv").read_bytes())
    assert len(stored_uploads(app)) == 1
    monkeypatch.setattr("eduplatform.roster.uploads.MAX_AGE_SECONDS", -1)
    result = app.test_cli_runner().invoke(args=["tidy"])
    assert result.exit_code == 0 and "Removed 2 abandoned upload file(s)." in result.output  # the .csv and .json
    assert stored_uploads(app) == []


def multipart(file: bytes, token: str) -> bytes:
    """A form body built by hand: the test client would spool a large upload to a file it never closes."""
    return (b'--cut\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n' + token.encode()
            + b'\r\n--cut\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
            b"Content-Type: text/csv\r\n\r\n" + file + b"\r\n--cut--\r\n")


def test_a_huge_cell_is_named_as_such_not_as_a_broken_file(app, client, auth, coordinator) -> None:
    """Before: a 1 MB cell was reported as "does not look like a CSV file"."""
    auth.login(coordinator)
    data = b"first_name,last_name,role\n" + b"A" * 1_000_000 + b",Smith,staff\n"
    page = client.post("/roster/import", data=multipart(data, csrf_token(client, "/roster/import")),
                       content_type="multipart/form-data; boundary=cut").get_data(as_text=True)
    assert "A value on this line is far too long" in page


def test_a_file_over_the_upload_limit_gets_a_clear_page(app, client, auth, coordinator) -> None:
    """Before: between 5 and 8 MB Werkzeug's unstyled English 413 page."""
    auth.login(coordinator)
    response = client.post("/roster/import", data=multipart(b"x" * (9 * 1024 * 1024), "any"),
                           content_type="multipart/form-data; boundary=cut")
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "That file is too large" in page and response.headers["Content-Security-Policy"]


def test_first_secrets_are_hashed_with_no_transaction_open(app, client, auth, coordinator, monkeypatch) -> None:
    """Before: a 20,000-row import hashed inside its write transaction and held SQLite's lock for 18 s,
    so other schools' quiz submissions failed with "database is locked". Now the hashing happens with
    the transaction ended, and the write only applies what is ready."""
    import eduplatform.accounts.services as account_services
    import eduplatform.signin.pictures as pictures

    hashed_inside: list[bool] = []

    def watching(real):
        def generate(*args, **kwargs):
            hashed_inside.append(db.session.in_transaction())
            return real(*args, **kwargs)
        return generate

    monkeypatch.setattr(account_services, "generate_password_hash", watching(account_services.generate_password_hash))
    monkeypatch.setattr(pictures, "generate_password_hash", watching(pictures.generate_password_hash))
    auth.login(coordinator)
    preview_url = upload(auth, (FIXTURES / "corrected.csv").read_bytes()).headers["Location"]
    response = auth.post(preview_url, {"expected": "5-0-0-0-2"}, token_from=preview_url)
    assert "/roster/imports/" in response.headers["Location"]
    assert hashed_inside and not any(hashed_inside)


def test_a_new_starters_file_in_add_mode_marks_nobody_as_left(app, client, auth, coordinator, school,
                                                              make_user, make_class) -> None:
    """Before: a 4-line file built from the page's own help marked 128 people as left, in a calm blue box."""
    pupils = [make_user(Role.PUPIL, school=school, year_group=5) for _ in range(6)]
    make_class(school, pupils=tuple(pupils))
    auth.login(coordinator)
    starters = b"first_name,last_name,role,year_group,class\nNew,Starter,pupil,5,5N\nAnother,One,pupil,5,5N\n"
    preview_url = upload(auth, starters, mode="add").headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert "nobody is marked as left" in page and "<dt>Marked as left</dt><dd>0</dd>" in page
    assert auth.post(preview_url, {"expected": "2-0-0-0-1"}, token_from=preview_url).status_code == 302
    assert run_in_app(app, lambda: db.session.scalar(select(func.count()).select_from(User).where(
        User.left_at.is_not(None)))) == 0


def test_a_sync_that_would_remove_many_needs_the_number_typed(app, client, auth, coordinator, school,
                                                              make_user) -> None:
    for _ in range(8):
        make_user(Role.STAFF, school=school)
    auth.login(coordinator)
    preview_url = upload(auth, b"first_name,last_name,role\nOnly,One,staff\n", mode="sync").headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert "8 of the school's 9 people would be marked as left" in page and "Staff: 8" in page
    refused = auth.post(preview_url, {"expected": "1-0-0-8-0", "confirm_left": "80"}, token_from=preview_url)
    assert refused.headers["Location"] == preview_url
    assert "type the number of people who will be marked as left (8)" in client.get(preview_url).get_data(
        as_text=True)
    left = lambda: db.session.scalar(select(func.count()).select_from(User).where(User.left_at.is_not(None)))  # noqa: E731
    assert run_in_app(app, left) == 0
    done = auth.post(preview_url, {"expected": "1-0-0-8-0", "confirm_left": "8"}, token_from=preview_url)
    assert "/roster/imports/" in done.headers["Location"]
    assert run_in_app(app, left) == 8


def test_classes_made_by_an_import_get_a_sign_in_code_at_once(app, client, auth, coordinator) -> None:
    auth.login(coordinator)
    preview_url = upload(auth, (FIXTURES / "corrected.csv").read_bytes(), mode="add").headers["Location"]
    auth.post(preview_url, {"expected": "5-0-0-0-2"}, token_from=preview_url)
    from eduplatform.schools.models import SchoolClass

    codes = run_in_app(app, lambda: [(c.sign_in_code, c.sign_in_code_expires_at) for c in db.session.scalars(
        select(SchoolClass))])
    assert codes and all(code and expires is None for code, expires in codes)  # kept: printed on the cards


def _import(auth, client, data: bytes, mode: str, expected: str, confirm: str | None = None) -> str:
    preview_url = upload(auth, data, mode=mode).headers["Location"]
    form = {"expected": expected, **({"confirm_left": confirm} if confirm else {})}
    response = auth.post(preview_url, form, token_from=preview_url)
    assert "/roster/imports/" in response.headers["Location"], client.get(preview_url).get_data(as_text=True)
    return response.headers["Location"]


def test_undo_brings_leavers_back_removes_new_people_and_reverts_updates(app, client, auth, coordinator, school,
                                                                          make_user, make_class) -> None:
    """Before: a mistaken import could not be taken back."""
    kept = make_user(Role.STAFF, school=school, first_name="Kay", last_name="Stay", external_id="S1")
    pupils = [make_user(Role.PUPIL, school=school, year_group=5, external_id=f"P{n}") for n in range(4)]
    old_class = make_class(school, pupils=tuple(pupils))
    auth.login(coordinator)
    result_url = _import(auth, client, b"external_id,first_name,last_name,role\nS1,Kay,Renamed,staff\n"
                                       b"N1,New,Person,governor\n", "sync", "1-1-0-4-0", confirm="4")
    assert run_in_app(app, lambda: db.session.scalar(select(func.count()).select_from(User).where(
        User.left_at.is_not(None)))) == 4
    page = client.get(result_url).get_data(as_text=True)
    assert "Undo this import" in page
    auth.post(result_url + "/undo", token_from=result_url)
    after = client.get(result_url).get_data(as_text=True)
    assert "This import was undone" in after and "4 back from left, 1 new people removed, 1 updates reverted" in after

    def state() -> tuple[Any, ...]:
        return (db.session.scalar(select(func.count()).select_from(User).where(User.left_at.is_not(None))),
                db.session.get(User, kept.id).last_name,
                db.session.scalar(select(func.count()).select_from(User).where(User.first_name == "New")),
                db.session.scalar(select(func.count()).select_from(ClassMember).where(
                    ClassMember.class_id == old_class.id)))

    assert run_in_app(app, state) == (0, "Stay", 0, 4)
    auth.post(result_url + "/undo", token_from=result_url)  # twice: refused, nothing changes
    assert "This import has been undone already." in client.get(result_url).get_data(as_text=True)
    assert run_in_app(app, state) == (0, "Stay", 0, 4)


def test_only_the_latest_import_within_seven_days_can_be_undone(app, client, auth, coordinator) -> None:
    from datetime import timedelta

    from eduplatform.db import utcnow
    from eduplatform.roster.models import RosterImport

    auth.login(coordinator)
    first = _import(auth, client, b"first_name,last_name,role\nAda,One,staff\n", "add", "1-0-0-0-0")
    second = _import(auth, client, b"first_name,last_name,role\nBea,Two,staff\n", "add", "1-0-0-0-0")
    assert "Undo this import" not in client.get(first).get_data(as_text=True)
    auth.post(first + "/undo", token_from=first)
    assert "undo that one first" in client.get(first).get_data(as_text=True)
    second_id = int(second.rsplit("/", 1)[1])
    run_in_app(app, lambda: setattr(db.session.get(RosterImport, second_id), "imported_at",
                                    utcnow() - timedelta(days=8)))
    auth.post(second + "/undo", token_from=second)
    assert "can be undone for 7 days only" in client.get(second).get_data(as_text=True)
    assert run_in_app(app, lambda: db.session.scalar(select(func.count()).select_from(User).where(
        User.first_name == "Bea"))) == 1


def test_undo_keeps_new_people_who_already_have_records(app, client, auth, coordinator) -> None:
    from eduplatform.records.models import LessonRead

    auth.login(coordinator)
    result_url = _import(auth, client, b"first_name,last_name,role,year_group,class\nKit,Read,pupil,5,5R\n",
                         "add", "1-0-0-0-1")

    def read_a_lesson() -> None:
        pupil = db.session.scalar(select(User).where(User.first_name == "Kit"))
        db.session.add(LessonRead(school_id=pupil.school_id, user_id=pupil.id, module_id="ks2-passwords",
                                  lesson_id="ks2-passwords-why", lesson_version="v", academic_year=2026))

    run_in_app(app, read_a_lesson)
    auth.post(result_url + "/undo", token_from=result_url)
    assert "1 new people kept because they already have records" in client.get(result_url).get_data(as_text=True)
    assert run_in_app(app, lambda: db.session.scalar(select(func.count()).select_from(User).where(
        User.first_name == "Kit"))) == 1


def test_two_undos_at_once_undo_once(concurrent_app) -> None:
    """On SQLite and PostgreSQL: the school's row lock takes the second undo after the first, which it sees."""
    from eduplatform.accounts.services import create_user
    from eduplatform.roster.services import apply_plan, plan_roster
    from eduplatform.schools.services import create_school
    from tests.conftest import PASSWORD, Auth, run_together

    with concurrent_app.app_context():
        school = create_school(name="Twice", slug="twice")
        create_user(username="twice.coordinator", first_name="T", last_name="C", school_id=school.id,
                    roles={Role.COORDINATOR, Role.STAFF}, password=PASSWORD)
        record = apply_plan(plan_roster(b"first_name,last_name,role\nNew,Person,staff\n", school), filename="x.csv")
        db.session.commit()
        path = f"/roster/imports/{record.id}"
    tabs = []
    for _ in range(2):
        auth = Auth(concurrent_app.test_client())
        auth.login("twice.coordinator")
        tabs.append((auth, csrf_token(auth.client, path)))
    statuses: list[int] = []
    assert run_together(*[lambda auth=auth, token=token: statuses.append(
        auth.client.post(path + "/undo", data={"csrf_token": token}).status_code) for auth, token in tabs]) == []
    assert statuses == [302, 302]
    with concurrent_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(User.first_name == "New")) == 0
        assert db.session.get(RosterImport, record.id).undone_at is not None
