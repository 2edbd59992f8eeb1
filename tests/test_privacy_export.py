"""A person's data export (subject access request): the schema walk, JSON, PDF, access and the log."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import event, or_, select

from eduplatform.audit.models import AuditAction, AuditEvent
from eduplatform.db import db
from eduplatform.privacy.export import marked_tables, personal_data_of, to_json
from eduplatform.privacy.export_labels import COLUMN_HEADINGS, SECRET_COLUMNS, TABLE_TITLES
from eduplatform.roles import Role
from tests.conftest import Auth
from tests.personal_data_world import CONCERN_WORDS, World, person_with_everything

SECRET_WORDS = ("hash", "secret", "token", "lookup")


@pytest.fixture
def world(app, make_user, make_school, make_class, link) -> World:
    return person_with_everything(app, make_user, make_school, make_class, link)


@contextmanager
def counted(app) -> Iterator[list[int]]:
    count = [0]

    def counter(*_args: object) -> None:
        count[0] += 1

    engine = app.extensions["eduplatform.db"].engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        yield count
    finally:
        event.remove(engine, "before_cursor_execute", counter)


def _rows_naming(app, person_id: int) -> set[str]:
    """Marked tables with a row about or naming the person, read straight from each table's mark."""
    found = set()
    with app.app_context():
        for table in marked_tables():
            mark = table.info["personal_data"]
            names = (*mark["subject"], *mark["mentions"])
            condition = or_(*(table.c[name] == person_id for name in names)) if names else None
            if mark["via"]:
                via = table.c[mark["via"]]
                parent_column = next(iter(via.foreign_keys)).column
                parent_mark = parent_column.table.info["personal_data"]
                condition = via.in_(select(parent_column).where(
                    or_(*(parent_column.table.c[name] == person_id for name in parent_mark["subject"]))))
            if db.session.execute(select(table).where(condition).limit(1)).first() is not None:
                found.add(table.name)
    return found


def _exported_tables(data: Any) -> set[str]:
    return {section.table for section in (*data.sections, *data.named_in)}


def _restricted() -> set[str]:
    return {table.name for table in marked_tables() if table.info["personal_data"]["restricted"]}


def test_every_marked_table_has_a_title_and_every_column_a_heading(app) -> None:
    """Safeguarding records (restricted) are only counted, never laid out: they need neither."""
    with app.app_context():
        tables = [table for table in marked_tables() if not table.info["personal_data"]["restricted"]]
    assert tables[0].name == "user_account"
    assert {table.name for table in tables} - TABLE_TITLES.keys() == set()
    assert {column.name for table in tables for column in table.columns} - COLUMN_HEADINGS.keys() == set()


def test_every_column_that_looks_secret_is_in_the_secret_list(app) -> None:
    with app.app_context():
        looks_secret = {column.name for table in marked_tables() for column in table.columns
                        if any(word in column.name for word in SECRET_WORDS)}
    assert looks_secret
    assert looks_secret - SECRET_COLUMNS == set()


def test_the_world_has_a_row_in_every_marked_table(app, world: World) -> None:
    """A new marked table fails here until tests/personal_data_world.py gives it a row."""
    with app.app_context():
        marked = {table.name for table in marked_tables()}
    covered = set().union(*(_rows_naming(app, person.id) for person in world.people.values()))
    assert marked - covered == set()


def test_the_export_holds_every_marked_table_with_a_row_about_the_person(app, world: World) -> None:
    with app.app_context():
        restricted = _restricted()
    assert restricted == {"concern", "concern_action", "concern_read"}
    for person in world.people.values():
        holding = _rows_naming(app, person.id)
        with app.app_context():
            data = personal_data_of(person.id)
        assert holding - restricted - _exported_tables(data) == set(), person.username
        assert _exported_tables(data) <= holding - restricted
        assert (data.restricted > 0) == bool(holding & restricted), person.username


def test_secrets_never_leave(app, world: World) -> None:
    with app.app_context():
        stored = [value for table in marked_tables() for column in table.columns if column.name in SECRET_COLUMNS
                  for value in db.session.scalars(select(column).where(column.is_not(None)))]
        documents = {key: to_json(personal_data_of(person.id)) for key, person in world.people.items()}
    secrets = [str(value) for value in [*stored, *world.secrets] if value and len(str(value)) >= 6]
    assert len(secrets) > 10
    for key, document in documents.items():
        for secret in secrets:
            assert secret not in document, (key, secret)
    assert "held, not shown" in documents["staff"]


def test_other_people_are_named_only_when_acting_for_the_school_or_the_persons_children(app, world: World) -> None:
    with app.app_context():
        pupil = json.loads(to_json(personal_data_of(world.pupil.id)))
        parent = json.loads(to_json(personal_data_of(world.parent.id)))
    pupil_text, parent_text = json.dumps(pupil), json.dumps(parent)
    assert world.staff.full_name in pupil_text  # the teacher who led the session, in a professional capacity
    assert world.parent.full_name not in pupil_text  # the parent is "another person" in the child's copy
    assert "another person" in pupil_text
    assert world.pupil.full_name in parent_text  # the parent's own child
    consent = next(s for s in parent["named_in"] if s["table"] == "consent_decision")
    assert {row["child_id"] for row in consent["rows"]} == {world.pupil.full_name}


def test_the_json_document(app, world: World) -> None:
    with app.app_context():
        document = json.loads(to_json(personal_data_of(world.pupil.id)))
    assert set(document) == {"generated_at", "school", "person", "sections", "named_in", "safeguarding_records"}
    assert datetime.fromisoformat(document["generated_at"]).tzinfo is not None
    assert document["school"] == "Rowan Primary"
    assert document["person"] == {"id": world.pupil.id, "username": world.pupil.username, "name": "Ava Moss"}
    answers = next(s for s in document["sections"] if s["table"] == "quiz_answer")
    assert answers["title"] == "Quiz answers" and answers["rows"]
    reads = next(s for s in document["sections"] if s["table"] == "lesson_read")
    datetime.fromisoformat(reads["rows"][0]["read_at"])


def test_safeguarding_records_are_counted_and_their_content_never_leaves(app, world: World) -> None:
    from eduplatform.privacy.export_render import export_document

    with app.test_request_context("/"):
        data = {key: personal_data_of(person.id) for key, person in world.people.items()}
        documents = {key: to_json(found) for key, found in data.items()}
        pages = {key: export_document(found) for key, found in data.items()}
    # The pupil: their own report, and the parent's about them with its action and read receipt.
    # The parent: their report, its action and read receipt. The DSL: closed it, acted, read it.
    assert {key: found.restricted for key, found in data.items()} == {"pupil": 4, "parent": 3, "staff": 3}
    for key in world.people:
        for words in CONCERN_WORDS.values():
            assert words not in documents[key] and words not in pages[key], (key, words)
        document = json.loads(documents[key])
        assert document["safeguarding_records"]["held"] == data[key].restricted
        assert not {"concern", "concern_action", "concern_read"} & {
            section["table"] for part in ("sections", "named_in") for section in document[part]}
        line = (f"Safeguarding records: {data[key].restricted} held; ask the school&#39;s designated safeguarding "
                f"lead, who decides what can be shared.")
        assert line in pages[key], key
        assert "cyberbullying" not in documents[key] and "something_else" not in documents[key]
    filtering = json.loads(documents["staff"])["named_in"]
    assert "Filtering and monitoring records" in {section["title"] for section in filtering}


def test_the_statements_do_not_grow_with_the_rows(app, world: World, make_user) -> None:
    with app.app_context(), counted(app) as few:
        small = personal_data_of(world.staff.id)
    for _ in range(5):  # more people the staff member is named with, more log entries about them
        other = make_user(Role.PUPIL, school=world.school, year_group=1)
        with app.app_context():
            from eduplatform.audit.services import record_event

            record_event(AuditAction.PERSON_RECORD_VIEWED, actor=world.staff, school_id=world.school.id,
                         subject_user_id=other.id)
            db.session.commit()
    with app.app_context(), counted(app) as many:
        large = personal_data_of(world.staff.id)
    assert large.row_count == small.row_count + 5
    assert many[0] == few[0] <= len(marked_tables()) + 4


@pytest.mark.parametrize("who", ["pupil", "parent", "staff"])
def test_the_coordinator_downloads_json_and_pdf_and_each_is_logged(app, client, world: World, who: str,
                                                                    make_user) -> None:
    person = world.people[who]
    coordinator = make_user(Role.COORDINATOR, Role.STAFF, school=world.school)  # the world's one has MFA on
    Auth(client).login(coordinator)
    response = client.get(f"/people/{person.id}/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert f"personal-data-{person.id}-" in response.headers["Content-Disposition"]
    assert response.get_json()["person"]["id"] == person.id
    pdf = client.get(f"/people/{person.id}/data.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    with app.app_context():
        entries = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == AuditAction.PERSONAL_DATA_EXPORTED.value,
            AuditEvent.subject_user_id == person.id).order_by(AuditEvent.id)).all()
    assert [(e.actor_id, e.details["format"]) for e in entries] == [(coordinator.id, "json"), (coordinator.id, "pdf")]


def test_the_person_record_and_the_account_page_link_to_the_downloads(client, world: World, make_user) -> None:
    coordinator = make_user(Role.COORDINATOR, Role.STAFF, school=world.school)
    auth = Auth(client)
    auth.login(coordinator)
    page = client.get(f"/people/{world.pupil.id}").get_data(as_text=True)
    assert f"/people/{world.pupil.id}/data.json" in page and f"/people/{world.pupil.id}/data.pdf" in page
    mine = client.get("/account/data").get_data(as_text=True)
    assert "/account/data.json" in mine and "/account/data.pdf" in mine
    own = client.get("/account/data.json").get_json()
    assert own["person"]["id"] == coordinator.id
    auth.logout()
    auth.login(world.parent)
    assert client.get("/account/data.json").get_json()["person"]["id"] == world.parent.id


def test_the_command_line_gives_the_same_document_and_is_logged(app, runner, world: World, tmp_path) -> None:
    out = tmp_path / "ava.json"
    result = runner.invoke(args=["export-person", world.pupil.username, "--format", "json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    with app.test_request_context("/"):
        web = json.loads(to_json(personal_data_of(world.pupil.id)))
    def same(part: str) -> list[Any]:  # the export's own log entry came after the file was written
        return [section for section in document[part] if section["table"] != "audit_event"]

    assert same("sections") == [s for s in web["sections"] if s["table"] != "audit_event"]
    assert same("named_in") == [s for s in web["named_in"] if s["table"] != "audit_event"]
    with app.app_context():
        entry = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == AuditAction.PERSONAL_DATA_EXPORTED.value)).one()
    assert entry.address == "cli" and entry.subject_user_id == world.pupil.id
    pdf = tmp_path / "ava.pdf"
    as_pdf = runner.invoke(args=["export-person", world.pupil.username, "--format", "pdf", "--out", str(pdf)])
    assert as_pdf.exit_code == 0
    assert pdf.read_bytes().startswith(b"%PDF")


def test_the_command_line_refuses_an_unknown_name_and_an_unwritable_place(runner, world: World, tmp_path) -> None:
    unknown = runner.invoke(args=["export-person", "nobody-here", "--out", str(tmp_path / "x.json")])
    assert unknown.exit_code != 0 and "No one has the username" in unknown.output
    nowhere = runner.invoke(args=["export-person", world.pupil.username, "--out", str(tmp_path / "no" / "x.json")])
    assert nowhere.exit_code != 0 and "Cannot write" in nowhere.output
    assert list(tmp_path.iterdir()) == []


def test_the_pdf_lays_wide_sections_out_as_blocks_and_leaves_empty_fields_out(app, world: World) -> None:
    from eduplatform.privacy.export_render import export_document, laid_out

    with app.test_request_context("/"):
        data = personal_data_of(world.staff.id)
        shown = {section.table: laid_out(section, data) for section in data.sections}
        html = export_document(data)
    account = shown["user_account"]
    assert not account.as_table and len(account.columns) > 5
    assert dict(account.columns)["id"] == "Number" and account.rows[0]["id"] == str(world.staff.id)
    assert account.rows[0]["school_id"] == "Rowan Primary" and "year_group" not in account.rows[0]  # empty
    assert shown["user_role"].as_table and shown["user_role"].rows[0]["role"] in {"Staff", "Online-safety coordinator"}
    assert shown["user_duty"].rows[0]["duty"] == "Designated Safeguarding Lead (DSL)"
    assert 'class="personal-data-record"' in html and 'class="personal-data-table"' in html
    assert "css/personal_data" in html
