"""What every signed-in page pays before its own work: one statement for the person, and no new cookie."""

from __future__ import annotations

from sqlalchemy import event

from eduplatform.db import db
from tests.conftest import Auth


def _statements_of(app, action) -> list[str]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return seen


def test_the_person_their_roles_and_school_load_in_one_statement(app, client, auth: Auth, pupil) -> None:
    """Before: the person, then their roles, then (without Accept-Language) their school: three statements."""
    auth.login(pupil)
    statements = _statements_of(app, lambda: client.get("/modules/ks2-passwords/lessons/ks2-passwords-why"))
    about_the_person = [s for s in statements if "FROM user_account" in s.split("WHERE")[0]
                        and "user_role" in s and "school" in s]
    assert len(about_the_person) == 1
    assert not any(s.lstrip().startswith("SELECT user_role") for s in statements)


def test_a_page_soon_after_the_last_one_sends_no_new_session_cookie(client, auth: Auth, pupil, staff) -> None:
    """Before: every response re-signed and re-sent the session cookie to note the time of activity
    (and an adult's lasting cookie was re-sent on every response anyway)."""
    for person, page in ((pupil, "/modules/ks2-passwords/lessons/ks2-passwords-why"), (staff, "/my-training")):
        auth.login(person)
        client.get("/")
        again = client.get(page)
        assert again.status_code == 200, page
        assert "Set-Cookie" not in again.headers, person.username
        auth.logout()


def test_activity_is_noted_again_once_a_minute_has_passed(client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    with client.session_transaction() as session:
        session["active_at"] -= 61
    assert "Set-Cookie" in client.get("/").headers
