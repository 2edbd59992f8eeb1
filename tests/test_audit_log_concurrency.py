"""Sixteen writers at once with the audit log on, on SQLite (a file, WAL) and PostgreSQL.

Sign-ins (right and wrong passwords) and sign-outs are POSTs whose entries go in the request's own
transaction; opening a person's record is a GET whose entry goes in a short transaction of its own.
Every request must succeed (no "database is locked", no error) and leave exactly one entry.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import func, select

from eduplatform.accounts.services import create_user
from eduplatform.audit.models import AuditAction, AuditEvent
from eduplatform.db import db
from eduplatform.roles import Role
from eduplatform.schools.services import create_school
from tests.conftest import PASSWORD, Auth, csrf_token, run_together

SIGNING_IN = 6  # threads signing in and out with the right password
WRONG = 2  # threads signing in with a wrong password (kept under the address's limit of failed tries)
READERS = 8  # threads opening pupils' records
ROUNDS = 4


def _world(app: Any) -> dict[str, list[Any]]:
    with app.app_context():
        school = create_school(name="Busy", slug="busy")

        def person(name: str, *roles: Role, year_group: int | None = None) -> Any:
            return create_user(username=name, first_name=name.title(), last_name="Busy", roles=set(roles),
                               school_id=school.id, year_group=year_group, password=PASSWORD)

        adults = [person(f"adult{n}", Role.STAFF).username for n in range(SIGNING_IN + WRONG)]
        person("coord", Role.COORDINATOR, Role.STAFF)
        pupils = [person(f"pupil{n}", Role.PUPIL, year_group=5).id for n in range(READERS)]
        db.session.commit()
    return {"adults": adults, "pupils": pupils}


def _entries(app: Any, action: AuditAction | None = None) -> int:
    with app.app_context():
        query = select(func.count()).select_from(AuditEvent)
        if action is not None:
            query = query.where(AuditEvent.action == action.value)
        return db.session.scalar(query) or 0


def test_sixteen_writers_lose_no_entry_and_never_lock(concurrent_app, caplog: pytest.LogCaptureFixture) -> None:
    app = concurrent_app
    world = _world(app)
    readers = []
    for _ in range(READERS):
        reader = Auth(app.test_client())
        assert reader.login("coord").status_code == 302
        readers.append(reader)
    before = _entries(app)
    assert before == READERS  # the readers' own sign-ins
    statuses: list[tuple[str, int]] = []

    def sign_in_and_out(username: str) -> None:
        auth = Auth(app.test_client())
        for _ in range(ROUNDS):
            statuses.append(("in", auth.login(username).status_code))
            statuses.append(("out", auth.client.post("/logout", data={
                "csrf_token": csrf_token(auth.client, "/account/password")}).status_code))

    def wrong_password(username: str) -> None:
        auth = Auth(app.test_client())
        for _ in range(ROUNDS):
            statuses.append(("wrong", auth.login(username, "not-the-password").status_code))

    def read(reader: Auth, pupil_id: int) -> None:
        for _ in range(ROUNDS):
            statuses.append(("read", reader.client.get(f"/people/{pupil_id}").status_code))

    actions = ([lambda name=name: sign_in_and_out(name) for name in world["adults"][:SIGNING_IN]]
               + [lambda name=name: wrong_password(name) for name in world["adults"][SIGNING_IN:]]
               + [lambda reader=reader, pupil=pupil: read(reader, pupil)
                  for reader, pupil in zip(readers, world["pupils"], strict=True)])
    assert len(actions) == 16
    with caplog.at_level(logging.ERROR):
        assert run_together(*actions) == []
    assert sorted(set(statuses)) == [("in", 302), ("out", 302), ("read", 200), ("wrong", 200)]
    requests = len(statuses)
    assert requests == (SIGNING_IN * 2 + WRONG + READERS) * ROUNDS
    assert not [record for record in caplog.records if "audit-log entry" in record.getMessage()
                or "locked" in record.getMessage()]
    assert _entries(app) - before == requests
    assert _entries(app, AuditAction.SIGNED_IN) - READERS == SIGNING_IN * ROUNDS
    assert _entries(app, AuditAction.SIGNED_OUT) == SIGNING_IN * ROUNDS
    assert _entries(app, AuditAction.SIGN_IN_FAILED) == WRONG * ROUNDS
    assert _entries(app, AuditAction.PERSON_RECORD_VIEWED) == READERS * ROUNDS
