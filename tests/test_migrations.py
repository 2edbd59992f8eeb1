"""Schema upgrades keep every record: data written before a migration is there after it."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from eduplatform.db import alembic_config, db


def _upgrade(app, revision: str) -> None:
    with app.app_context(), db.engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)


def test_teaching_sessions_become_attendance_records(fresh_app) -> None:
    _upgrade(fresh_app, "f96b92c8c3f7")  # the last revision with teaching_session
    with fresh_app.app_context(), db.engine.begin() as connection:
        connection.execute(text("INSERT INTO school (id, slug, name, default_locale, created_at, time_zone) "
                                "VALUES (1, 's', 'S', 'en', '2026-01-01', 'Europe/London')"))
        connection.execute(text("INSERT INTO school_class (id, school_id, academic_year, name, year_group) "
                                "VALUES (1, 1, 2026, '1A', 1)"))
        for user_id in (1, 2):
            connection.execute(text(
                "INSERT INTO user_account (id, school_id, username, first_name, last_name, session_token, "
                "must_change_password, failed_sign_ins, created_at) "
                "VALUES (:id, 1, :username, 'F', 'L', 't', false, 0, '2026-01-01')"),
                {"id": user_id, "username": f"u{user_id}"})
        connection.execute(text("INSERT INTO teaching_session (id, school_id, class_id, teacher_id, module_id, "
                                "agreement_id, academic_year, held_at) VALUES "
                                "(7, 1, 1, 1, 'ks1-ask-first', NULL, 2026, '2026-10-01'), "
                                "(8, 1, 1, 1, NULL, 'ks1-aup', 2026, '2026-10-02')"))
        connection.execute(text("INSERT INTO teaching_session_attendee (session_id, user_id) VALUES (7, 2), (8, 2)"))
    _upgrade(fresh_app, "head")
    with fresh_app.app_context(), db.engine.connect() as connection:
        rows = connection.execute(text("SELECT id, kind, class_id, led_by_id, module_id, agreement_id "
                                       "FROM attendance ORDER BY id")).all()
        attendees = connection.execute(text("SELECT attendance_id, user_id FROM attendee ORDER BY 1")).all()
    assert [tuple(row) for row in rows] == [(7, "class_session", 1, 1, "ks1-ask-first", None),
                                            (8, "class_signing", 1, 1, None, "ks1-aup")]
    assert [tuple(row) for row in attendees] == [(7, 2), (8, 2)]
