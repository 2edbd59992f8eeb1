"""Login-card secrets (picture sequences, first passwords) are kept encrypted with ``DATA_KEY``.

The database holds only ciphertext; cards and sign-in work as before; the migration encrypted the
rows written before it; the key comes from the environment or ``instance/data_key``; a bad key
stops start-up; and a database read with another key (restored without its ``data_key``) still
serves every card and sign-in page, saying that new pictures or a new first password are needed.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from alembic import command
from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import select, text

from eduplatform import create_app
from eduplatform.accounts.models import User
from eduplatform.accounts.services import issue_first_password
from eduplatform.config import ConfigError
from eduplatform.crypto import UNREADABLE, EncryptedText, decrypt_at_rest, is_unreadable
from eduplatform.db import alembic_config, db
from eduplatform.roles import Role
from eduplatform.roster.models import RosterChange, RosterImport
from eduplatform.roster.undo import undo_import
from eduplatform.schools.models import SchoolClass
from eduplatform.schools.services import enrol_pupil
from tests.conftest import Auth, run_in_app, test_settings
from tests.test_roster_import import NEXT_YEAR, do_import, fixture, person
from tests.test_signin_pictures import RIGHT, PictureClass, make_picture_class, signed_in_as, tap

#: The revision before the one that encrypts card secrets.
BEFORE_ENCRYPTION = "ded92715955d"
MESSAGE = "cannot be read with this site"


@pytest.fixture
def ks1(app, make_user, make_class, school, staff) -> PictureClass:
    return make_picture_class(app, make_user, make_class, school, teachers=(staff,))


@pytest.fixture
def older(app, make_user, school, ks1: PictureClass) -> User:
    """A Year 3 pupil of the same class, with a first password on their card."""
    pupil = make_user(Role.PUPIL, school=school, year_group=3, first_name="Olly", last_name="Older")

    def arrange() -> User:
        enrol_pupil(db.session.get(SchoolClass, ks1.id), db.session.get(User, pupil.id))
        issue_first_password(db.session.get(User, pupil.id))
        return db.session.get(User, pupil.id)

    return run_in_app(app, arrange)


@pytest.fixture
def newcomer(app, make_user, school) -> User:
    """A member of staff who has not yet replaced their first password."""
    adult = make_user(Role.STAFF, school=school, first_name="Nora", last_name="Newcomer")
    return run_in_app(app, lambda: (issue_first_password(db.session.get(User, adult.id)),
                                    db.session.get(User, adult.id))[1])


@pytest.fixture
def coordinator(make_user, school) -> User:
    return make_user(Role.COORDINATOR, Role.STAFF, school=school)


def _stored(app: Flask, user: User) -> str:
    """The card secret as the database holds it (raw SQL, no decryption)."""
    return run_in_app(app, lambda: db.session.execute(
        text("SELECT card_secret FROM user_account WHERE id = :id"), {"id": user.id}).scalar_one())


def test_the_database_holds_ciphertext_not_the_pictures_or_the_password(app, ks1, older) -> None:
    key = Fernet(app.config["DATA_KEY"].encode())
    pictures, password = "-".join(RIGHT), older.card_secret
    assert password and len(password) >= 8
    for user, plain in ((ks1.ava, pictures), (older, password)):
        stored = _stored(app, user)
        assert stored.startswith("gAAAAA") and plain not in stored
        assert key.decrypt(stored.encode()).decode() == plain
    assert _stored(app, ks1.ava) != _stored(app, ks1.ben)  # the same pictures, not the same ciphertext


def test_login_cards_and_picture_sign_in_still_work(app, client, ks1, older, staff) -> None:
    auth = Auth(client)
    auth.login(staff)
    page = client.get(f"/classes/{ks1.id}/cards").get_data(as_text=True)
    assert older.card_secret in page and page.count('class="card-sequence"') == 3
    assert MESSAGE not in page
    auth.logout()
    assert tap(client, ks1, ks1.ava, RIGHT).status_code == 302
    assert signed_in_as(client) == "Ava"
    auth.logout()
    assert auth.login(older.username, older.card_secret).headers["Location"] == "/account/password"


def test_the_migration_encrypts_rows_written_in_plain_text_before_it(fresh_app: Flask) -> None:
    with fresh_app.app_context(), db.engine.begin() as connection:
        command.upgrade(alembic_config(connection), BEFORE_ENCRYPTION)
    with fresh_app.app_context(), db.engine.begin() as connection:
        connection.execute(text("INSERT INTO school (id, slug, name, default_locale, created_at, time_zone) "
                                "VALUES (1, 's', 'S', 'en', '2026-01-01', 'Europe/London')"))
        for user_id, secret in ((1, "cat-dog-sun"), (2, "first-password-1"), (3, None)):
            connection.execute(text(
                "INSERT INTO user_account (id, school_id, username, first_name, last_name, session_token, "
                "must_change_password, failed_sign_ins, created_at, card_secret) "
                "VALUES (:id, 1, :username, 'F', 'L', 't', false, 0, '2026-01-01', :secret)"),
                {"id": user_id, "username": f"u{user_id}", "secret": secret})
        # A roster import's undo record kept the account as it was, its card secret in plain text.
        connection.execute(text("INSERT INTO roster_import (id, school_id, filename, academic_year, rows, created, "
                                "updated, unchanged, \"left\", imported_at, mode) "
                                "VALUES (1, 1, 'r.csv', 2026, 1, 0, 1, 0, 0, '2026-01-01', 'add')"))
        connection.execute(text("INSERT INTO roster_change (id, import_id, user_id, kind, before) "
                                "VALUES (1, 1, 2, 'updated', :before)"),
                           {"before": json.dumps({"fields": {"card_secret": "first-password-1"}, "roles": []})})
    with fresh_app.app_context(), db.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    with fresh_app.app_context():
        stored = dict(db.session.execute(text("SELECT id, card_secret FROM user_account")).all())
        assert stored[1].startswith("gAAAAA") and stored[2].startswith("gAAAAA") and stored[3] is None
        assert "cat" not in stored[1] and "password" not in stored[2]
        read = {user.id: user.card_secret for user in db.session.scalars(select(User))}
        assert read == {1: "cat-dog-sun", 2: "first-password-1", 3: None}
        before = db.session.execute(text("SELECT before FROM roster_change")).scalar()
        kept = (json.loads(before) if isinstance(before, str) else before)["fields"]["card_secret"]
        assert kept.startswith("gAAAAA") and decrypt_at_rest(kept) == "first-password-1"


def test_the_data_key_comes_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("EDUPLATFORM_DATA_KEY", key)
    application = create_app(test_settings(tmp_path / "instance", f"sqlite:///{tmp_path / 'k.sqlite3'}"))
    assert application.config["DATA_KEY"] == key
    assert not (tmp_path / "instance" / "data_key").exists()  # nothing generated beside it


def test_the_data_key_is_generated_once_into_the_instance_folder_owner_only(tmp_path: Path) -> None:
    settings = test_settings(tmp_path / "instance", f"sqlite:///{tmp_path / 'k.sqlite3'}")
    first = create_app(settings).config["DATA_KEY"]
    key_file = tmp_path / "instance" / "data_key"
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    Fernet(first.encode())  # a valid key
    assert create_app(settings).config["DATA_KEY"] == first  # read back, not made again


@pytest.mark.parametrize("bad", ["not-a-key", "x" * 44, Fernet.generate_key().decode()[:-2]])
def test_a_bad_data_key_is_refused_at_start_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bad: str) -> None:
    settings = test_settings(tmp_path / "instance", f"sqlite:///{tmp_path / 'k.sqlite3'}")
    with pytest.raises(ConfigError, match="DATA_KEY must be a Fernet key"):
        create_app({**settings, "DATA_KEY": bad})
    monkeypatch.setenv("EDUPLATFORM_DATA_KEY", bad)
    with pytest.raises(ConfigError, match="DATA_KEY must be a Fernet key"):
        create_app(settings)


@pytest.fixture
def another_key(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The site now runs with another DATA_KEY: as after restoring a backup without its data_key.

    Ask for it after the fixtures that write secrets (last among the arguments): those are written
    with the site's own key first.
    """
    monkeypatch.setitem(app.config, "DATA_KEY", Fernet.generate_key().decode())


def test_secrets_encrypted_with_another_key_read_as_unreadable(app, ks1, older, another_key) -> None:
    def read() -> tuple[str | None, str | None]:
        return db.session.get(User, ks1.ava.id).card_secret, db.session.get(User, older.id).card_secret

    pictures, password = run_in_app(app, read)
    assert is_unreadable(pictures) and is_unreadable(password) and not pictures and not password
    assert not is_unreadable("") and not is_unreadable(None) and is_unreadable(UNREADABLE)
    # An unreadable secret written back (copied to another row) is no secret: never "" encrypted.
    assert EncryptedText().process_bind_param(pictures, None) is None


def test_with_another_key_the_class_cards_say_new_secrets_are_needed(app, client, ks1, older, staff,
                                                                    another_key) -> None:
    Auth(client).login(staff)
    response = client.get(f"/classes/{ks1.id}/cards")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count(MESSAGE) == 4  # the three picture pupils and the one with a password
    assert "These secret pictures cannot be read" in page and "This first password cannot be read" in page
    assert 'class="card-sequence"' not in page and "No secret pictures yet" not in page
    assert "The password was changed by its owner" not in page
    one = client.get(f"/classes/{ks1.id}/cards?pupil={ks1.ava.id}").get_data(as_text=True)
    assert one.count(MESSAGE) == 1
    # New pictures are written with the site's key now: the card shows them again.
    Auth(client).post(f"/classes/{ks1.id}/pupils/{ks1.ava.id}/reset-pictures", token_from=f"/classes/{ks1.id}/cards")
    card = client.get(f"/classes/{ks1.id}/cards?pupil={ks1.ava.id}").get_data(as_text=True)
    assert MESSAGE not in card and 'class="card-sequence"' in card


def test_with_another_key_the_adult_cards_say_a_new_first_password_is_needed(client, newcomer, coordinator,
                                                                            another_key) -> None:
    Auth(client).login(coordinator)
    response = client.get("/roster/adult-cards")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert MESSAGE in page and f'href="/people/{newcomer.id}"' in page
    assert "Nora Newcomer" in page and "<code></code>" not in page


def test_with_another_key_every_sign_in_still_works(client, ks1, older, another_key) -> None:
    assert client.get(f"/tap/{ks1.code}").status_code == 200
    assert client.get(f"/tap/{ks1.code}/{ks1.ava.id}").status_code == 200
    assert tap(client, ks1, ks1.ava, RIGHT).status_code == 302  # checked against the hash, not the card
    assert signed_in_as(client) == "Ava"
    Auth(client).logout()
    assert Auth(client).login(older.username, older.card_secret).headers["Location"] == "/account/password"


def test_the_undo_record_of_a_roster_import_keeps_the_card_secret_encrypted(app, school) -> None:
    do_import(app, school, fixture("this_year.csv"))
    pictures = run_in_app(app, lambda: person("P003", school).card_secret)  # Year 2: pictures
    do_import(app, school, fixture("next_year.csv"), year=NEXT_YEAR)  # Year 3: a first password instead

    def saved() -> str:
        change = db.session.scalar(select(RosterChange).where(RosterChange.user_id == person("P003", school).id,
                                                              RosterChange.kind == "updated"))
        return change.before["fields"]["card_secret"]

    kept = run_in_app(app, saved)
    assert kept.startswith("gAAAAA") and pictures not in kept
    assert Fernet(app.config["DATA_KEY"].encode()).decrypt(kept.encode()).decode() == pictures

    def undo() -> None:
        latest = db.session.scalar(select(RosterImport).where(RosterImport.school_id == school.id)
                                   .order_by(RosterImport.id.desc()))
        undo_import(latest, actor=None)

    run_in_app(app, undo)
    assert run_in_app(app, lambda: person("P003", school).card_secret) == pictures


def test_the_demo_and_the_account_commands_write_encrypted_card_secrets(fresh_app: Flask) -> None:
    runner = fresh_app.test_cli_runner()
    assert runner.invoke(args=["init-db"]).exit_code == 0
    demo = runner.invoke(args=["seed-demo", "--password", "demo-password"])
    assert demo.exit_code == 0, demo.output
    added = runner.invoke(args=["create-user", "--school", "oakfield", "--role", "staff", "--username", "new.teacher"])
    assert added.exit_code == 0, added.output
    with fresh_app.app_context():
        stored = db.session.execute(text("SELECT username, card_secret FROM user_account "
                                         "WHERE card_secret IS NOT NULL")).all()
        assert len(stored) > 50 and all(secret.startswith("gAAAAA") for _name, secret in stored)
        ks1 = db.session.scalar(select(User).where(User.username == "pupil.ks1"))
        assert " then " + ", ".join(ks1.card_secret.split("-")) in demo.output
        teacher = db.session.scalar(select(User).where(User.username == "new.teacher"))
        assert teacher.card_secret and teacher.card_secret in added.output
