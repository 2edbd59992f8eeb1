"""The DSLs' concern log: who reads it, read receipts and the audit entry on opening, the record of
actions, closing and opening again, bad input, the CSV (contents, formula safety, logging) and fixed
query counts. The access matrix (``tests/access/concerns_log.py``) proves everyone else is refused."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from eduplatform.accounts.models import User, UserDuty
from eduplatform.audit.models import AuditAction, AuditEvent
from eduplatform.concerns import services
from eduplatform.concerns.models import MAX_TEXT, Concern, ConcernAction, ConcernRead
from eduplatform.db import db, utcnow
from eduplatform.roles import Duty, Role
from tests.conftest import Auth, counting_statements, run_in_app


def give_duty(app: Flask, person: User, duty: Duty) -> None:
    def change() -> None:
        db.session.get(User, person.id).duty_rows = [UserDuty(duty=duty)]

    run_in_app(app, change)


def report(app: Flask, reporter: User, *, category: str = "cyberbullying", text: str = "Someone keeps messaging me.",
           about: User | None = None, happening_now: bool = False, minutes_ago: int = 0,
           pictures: list[str] | None = None, talk_to: str | None = None) -> int:
    """A concern reported through the service, ``minutes_ago`` in the past; its id."""

    def add() -> int:
        concern = services.report_concern(db.session.get(User, reporter.id), category=category, text=text,
                                          about_id=about.id if about else None, happening_now=happening_now,
                                          pictures=pictures, talk_to=talk_to)
        concern.reported_at = utcnow() - timedelta(minutes=minutes_ago)
        return concern.id

    return run_in_app(app, add)


@pytest.fixture
def world(app: Flask, make_trust, make_school, make_user, make_class, link) -> dict[str, Any]:
    """A school with a DSL, a deputy, a coordinator who is not a DSL, a teacher, a pupil (in a class) and
    their parent; another school with its own DSL; a trust lead and an administrator."""
    trust = make_trust()
    school, other = make_school("Oak School", trust=trust), make_school("Elm School", trust=trust)
    people = {
        "dsl": make_user(Role.STAFF, school=school, first_name="Dana", last_name="Lead"),
        "deputy": make_user(Role.STAFF, school=school, first_name="Dev", last_name="Deputy"),
        "coordinator": make_user(Role.COORDINATOR, Role.STAFF, school=school, first_name="Cara", last_name="Coord"),
        "teacher": make_user(Role.STAFF, school=school, first_name="Tom", last_name="Teach"),
        "pupil": make_user(Role.PUPIL, school=school, year_group=5, first_name="Maya", last_name="Patel"),
        "parent": make_user(Role.PARENT, school=school, first_name="Pat", last_name="Patel"),
        "other_dsl": make_user(Role.STAFF, school=other, first_name="Olga", last_name="Other"),
        "trust_lead": make_user(Role.TRUST_LEAD, trust_id=trust.id),
        "admin": make_user(Role.ADMIN),
    }
    give_duty(app, people["dsl"], Duty.DSL)
    give_duty(app, people["deputy"], Duty.DEPUTY_DSL)
    give_duty(app, people["other_dsl"], Duty.DSL)
    own_class = make_class(school, pupils=(people["pupil"],), teachers=(people["teacher"],))
    link(people["parent"], people["pupil"])
    return {"people": people, "school": school, "other": other, "class_name": own_class.name}


def _login(auth: Auth, world: dict[str, Any], who: str) -> None:
    assert auth.login(world["people"][who]).status_code == 302


def _page(client: Any, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.status_code
    return response.get_data(as_text=True)


def _rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip() for row in body.split("<tr")[1:]]


# --- Who reads -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), [("dsl", 200), ("deputy", 200), ("coordinator", 403), ("teacher", 403),
                                             ("pupil", 403), ("parent", 403), ("trust_lead", 403), ("admin", 403),
                                             ("other_dsl", 200)])
def test_only_the_dsl_and_deputies_read_the_log(app, client, auth: Auth, world, who: str, status: int) -> None:
    concern = report(app, world["people"]["pupil"], text="Only for the DSLs of Oak")
    _login(auth, world, who)
    page = _page(client, "/concerns", status)
    assert ("Only for the DSLs of Oak" in page) is False  # the list never shows the text
    assert (f"/concerns/{concern}\"" in page) is (who in ("dsl", "deputy"))  # another school's DSL: not listed
    expected_one = {"dsl": 200, "deputy": 200, "other_dsl": 404}.get(who, 403)
    assert client.get(f"/concerns/{concern}").status_code == expected_one
    assert client.get("/concerns.csv").status_code == (200 if status == 200 else 403)
    menu = _page(client, "/")
    assert ('href="/concerns"' in menu) is (who in ("dsl", "deputy", "other_dsl"))


def test_a_coordinator_who_holds_the_duty_reads_the_log(app, client, auth: Auth, world) -> None:
    concern = report(app, world["people"]["pupil"])
    give_duty(app, world["people"]["coordinator"], Duty.DSL)
    _login(auth, world, "coordinator")
    assert client.get(f"/concerns/{concern}").status_code == 200


# --- Opening a concern -----------------------------------------------------------------------------


def test_opening_a_concern_leaves_a_read_receipt_an_audit_entry_and_the_reporter_sees_it_read(
        app, client, auth: Auth, world) -> None:
    people = world["people"]
    concern = report(app, people["pupil"], text="Line one <script>alert(1)</script>\nLine two")
    assert [row.read for row in run_in_app(app, lambda: services.concerns_reported_by(people["pupil"].id))] == [False]
    _login(auth, world, "dsl")
    page = _page(client, f"/concerns/{concern}")
    assert "Line one &lt;script&gt;alert(1)&lt;/script&gt;\nLine two" in page  # autoescaped, line break kept
    assert "<script>alert(1)" not in page
    assert 'class="concern-text"' in page
    assert "Maya Patel" in page and f"Class: {world['class_name']}" in page  # about whom, with their class
    reads = page.split('id="reads-heading"', 1)[1].split("</section>", 1)[0]
    assert "Dana Lead" in reads  # the receipt just written shows on the page
    assert "Open" in page.split('class="concern-state"', 1)[1].split("</p>", 1)[0]

    def stored() -> tuple[Any, ...]:
        row = db.session.get(Concern, concern)
        receipts = db.session.scalars(select(ConcernRead.reader_id).where(ConcernRead.concern_id == concern)).all()
        entries = db.session.scalars(select(AuditEvent).where(AuditEvent.action == AuditAction.CONCERN_READ.value))
        return row.status, row.first_read_at is not None, receipts, [(e.actor_id, e.details) for e in entries]

    status, first_read, receipts, entries = run_in_app(app, stored)
    assert (status, first_read, receipts) == ("open", True, [people["dsl"].id])
    assert entries == [(people["dsl"].id, {"concern_id": concern})]
    # Opening it again: still one receipt, the first time kept; but every read is in the audit log.
    first_time = run_in_app(app, lambda: db.session.get(ConcernRead, (concern, people["dsl"].id)).read_at)
    _page(client, f"/concerns/{concern}")
    _status, _first, receipts, entries = run_in_app(app, stored)
    assert receipts == [people["dsl"].id] and len(entries) == 2
    assert run_in_app(app, lambda: db.session.get(ConcernRead, (concern, people["dsl"].id)).read_at) == first_time
    # The deputy opens it too: two receipts.
    auth.logout()
    _login(auth, world, "deputy")
    page = _page(client, f"/concerns/{concern}")
    reads = page.split('id="reads-heading"', 1)[1].split("</section>", 1)[0]
    assert "Dana Lead" in reads and "Dev Deputy" in reads
    assert [row.read for row in run_in_app(app, lambda: services.concerns_reported_by(people["pupil"].id))] == [True]


def test_the_pupil_sees_it_was_read_but_never_the_actions(app, client, auth: Auth, world) -> None:
    people = world["people"]
    concern = report(app, people["pupil"])
    _login(auth, world, "pupil")
    assert "Not read yet" in _page(client, "/tell/mine")
    auth.logout()
    _login(auth, world, "dsl")
    path = f"/concerns/{concern}"
    assert auth.post(f"{path}/actions", {"action-what": "Private note for the DSL team",
                                         "action-outcome": "Private outcome"}, token_from=path).status_code == 302
    auth.logout()
    _login(auth, world, "pupil")
    mine = _page(client, "/tell/mine")
    assert "An adult has read this" in mine
    assert "Private note" not in mine and "Private outcome" not in mine


def test_a_read_that_cannot_be_recorded_never_fails_the_page(app, client, auth: Auth, world, monkeypatch) -> None:
    concern = report(app, world["people"]["pupil"], text="Still shown")

    def refuse(*_args: Any) -> None:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(services, "mark_read", refuse)
    _login(auth, world, "dsl")
    assert "Still shown" in _page(client, f"/concerns/{concern}")


def test_the_pictures_a_young_pupil_chose_and_who_they_want_to_talk_to(app, client, auth: Auth, world,
                                                                       make_user) -> None:
    young = make_user(Role.PUPIL, school=world["school"], year_group=1, first_name="Ben", last_name="Small")
    concern = report(app, young, text="", pictures=["cyberbullying", "grooming"], talk_to="teacher")
    _login(auth, world, "dsl")
    page = _page(client, f"/concerns/{concern}")
    pictures = page.split('id="pictures-heading"', 1)[1].split("</section>", 1)[0]
    assert re.search(r'src="/static/img/ks1/unkind-message[.\w]*svg"', pictures)
    assert re.search(r'src="/static/img/ks1/game-chat[.\w]*svg"', pictures)
    assert "Cyberbullying" in pictures and "Online abuse or grooming" in pictures
    assert "No words: only the pictures above." in page
    assert re.search(r"Would like to talk to</dt><dd>My teacher</dd>", page)


# --- The list --------------------------------------------------------------------------------------


def test_the_list_puts_happening_now_first_then_new_open_and_closed(app, client, auth: Auth, world) -> None:
    people = world["people"]
    closed = report(app, people["pupil"], text="closed one", minutes_ago=1)
    opened = report(app, people["teacher"], about=people["pupil"], category="online_hate", minutes_ago=50)
    new = report(app, people["parent"], about=people["pupil"], category="grooming", minutes_ago=40)
    urgent = report(app, people["pupil"], happening_now=True, minutes_ago=90)

    def progress() -> None:
        dsl = db.session.get(User, people["dsl"].id)
        services.add_action(db.session.get(Concern, opened), dsl, what="Spoke to the class teacher")
        services.add_action(db.session.get(Concern, opened), dsl, what="Rang home", outcome="Parent aware")
        services.close_concern(db.session.get(Concern, closed), dsl, outcome="Resolved")

    run_in_app(app, progress)
    _login(auth, world, "dsl")
    page = _page(client, "/concerns")
    rows = _rows(page)
    order = [int(found) for found in re.findall(r'href="/concerns/(\d+)"', page.split("<tbody>", 1)[1])]
    assert order == [urgent, new, opened, closed]
    assert "Happening now" in rows[0] and "concern-urgent" in page  # words, not colour alone
    assert "Parent or carer Pat Patel" in rows[1] and "Online abuse or grooming" in rows[1]
    assert "Staff Tom Teach" in rows[2] and " 2 " in f" {rows[2]} "
    assert "Closed" in rows[3] and "Not yet" in rows[3]
    filtered = _rows(_page(client, "/concerns?status=closed"))
    assert len(filtered) == 1 and "Closed" in filtered[0]
    assert len(_rows(_page(client, "/concerns?category=online_hate"))) == 1
    _page(client, f"/concerns/{new}")
    assert "Yes" in _rows(_page(client, "/concerns?status=open&category=grooming"))[0]


@pytest.mark.parametrize("query", ["status=lost", "category=not-a-kind"])
def test_an_unknown_filter_is_a_clear_message(app, client, auth: Auth, world, query: str) -> None:
    _login(auth, world, "dsl")
    page = _page(client, f"/concerns?{query}", 400)
    assert "There is a problem" in page
    assert client.get(f"/concerns.csv?{query}").status_code == 400


def test_menu_and_dashboard_say_how_many_are_new(app, client, auth: Auth, world) -> None:
    people = world["people"]
    report(app, people["pupil"])
    second = report(app, people["parent"], about=people["pupil"])
    _login(auth, world, "dsl")
    home = _page(client, "/")
    assert "2 new concerns waiting" in home and '<span class="menu-count">2 new</span>' in home
    _page(client, f"/concerns/{second}")
    home = _page(client, "/")
    assert "1 new concern waiting" in home and '<span class="menu-count">1 new</span>' in home


def test_the_list_costs_the_same_queries_for_2_or_40_concerns(app, client, auth: Auth, world) -> None:
    people = world["people"]
    for minutes in range(2):
        report(app, people["pupil"], minutes_ago=minutes)
    _login(auth, world, "dsl")
    client.get("/concerns")  # warm up: the session's first page loads the catalogue's words

    def cost(path: str) -> int:
        with counting_statements(app) as count:
            assert client.get(path).status_code == 200
        return count[0]

    few, few_csv = cost("/concerns"), cost("/concerns.csv")
    dsl = run_in_app(app, lambda: db.session.get(User, people["dsl"].id))
    for minutes in range(38):
        concern = report(app, people["teacher"] if minutes % 2 else people["parent"], about=people["pupil"],
                         happening_now=minutes % 3 == 0, minutes_ago=10 + minutes)
        run_in_app(app, lambda concern=concern: services.add_action(db.session.get(Concern, concern),
                                                                    db.session.get(User, dsl.id), what="Noted"))
    assert cost("/concerns") == few
    assert cost("/concerns.csv") == few_csv


# --- Actions, closing, opening again ----------------------------------------------------------------


def test_recording_an_action_then_closing_and_opening_again(app, client, auth: Auth, world) -> None:
    concern = report(app, world["people"]["pupil"])
    _login(auth, world, "dsl")
    path = f"/concerns/{concern}"
    response = auth.post(f"{path}/actions", {"action-what": "Talked with Maya\nat break", "action-outcome": "Calmer"},
                         token_from=path)
    assert response.status_code == 302 and response.headers["Location"].endswith(path)
    page = _page(client, path)
    actions = page.split('id="actions-heading"', 1)[1].split("</section>", 1)[0]
    assert "Talked with Maya\nat break" in actions and "Calmer" in actions and "Dana Lead" in actions
    assert auth.post(f"{path}/close", {"close-outcome": "Sorted with the family"}, token_from=path).status_code == 302
    page = _page(client, path)
    assert "Sorted with the family" in page and "Closed on" in page and 'id="add-heading"' not in page
    # Closed: no more actions, and closing again changes nothing.
    assert auth.post(f"{path}/actions", {"action-what": "late"}, token_from=path).status_code == 302
    assert auth.post(f"{path}/close", {"close-outcome": "again"}, token_from=path).status_code == 302
    assert "already" in _page(client, path)
    assert auth.post(f"{path}/reopen", {"reopen-why": "It started again"}, token_from=path).status_code == 302

    def stored() -> tuple[Any, ...]:
        row = db.session.get(Concern, concern)
        return row.status, row.outcome, row.closed_at, [a.what for a in row.actions]

    status, outcome, closed_at, actions = run_in_app(app, stored)
    assert (status, closed_at) == ("open", None)
    assert outcome == "Sorted with the family"  # the old outcome stays on record
    assert actions == ["Talked with Maya\nat break", "It started again"]
    assert auth.post(f"{path}/reopen", {"reopen-why": "twice"}, token_from=path).status_code == 302
    assert "not closed" in _page(client, path)
    assert run_in_app(app, stored)[3] == actions


@pytest.mark.parametrize(("route", "data", "message"), [
    ("actions", {"action-what": "   "}, "Write what was done."),
    ("actions", {"action-what": "x" * (MAX_TEXT + 1)}, f"Write at most {MAX_TEXT} characters."),
    ("actions", {"action-what": "fine", "action-outcome": "y" * (MAX_TEXT + 1)}, f"Write at most {MAX_TEXT}"),
    ("close", {"close-outcome": ""}, "Write the outcome before closing the concern."),
    ("close", {"close-outcome": "z" * (MAX_TEXT + 1)}, f"Write at most {MAX_TEXT} characters."),
])
def test_bad_input_is_a_clear_message_and_changes_nothing(app, client, auth: Auth, world, route: str,
                                                          data: dict[str, str], message: str) -> None:
    concern = report(app, world["people"]["pupil"])
    _login(auth, world, "dsl")
    path = f"/concerns/{concern}"
    response = auth.post(f"{path}/{route}", data, token_from=path)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page and "There is a problem" in page

    def stored() -> tuple[Any, ...]:
        row = db.session.get(Concern, concern)
        return row.status, row.outcome, len(row.actions)

    assert run_in_app(app, stored) == ("open", None, 0)  # opened (read) above, nothing else changed


def test_reopening_needs_a_reason(app, client, auth: Auth, world) -> None:
    concern = report(app, world["people"]["pupil"])
    run_in_app(app, lambda: services.close_concern(db.session.get(Concern, concern),
                                                   db.session.get(User, world["people"]["dsl"].id), outcome="Done"))
    _login(auth, world, "dsl")
    path = f"/concerns/{concern}"
    response = auth.post(f"{path}/reopen", {"reopen-why": ""}, token_from=path)
    assert response.status_code == 400 and "Write why the concern is opened again." in response.get_data(as_text=True)
    assert run_in_app(app, lambda: db.session.get(Concern, concern).status) == "closed"


def test_a_post_without_its_csrf_token_is_refused(app, client, auth: Auth, world) -> None:
    concern = report(app, world["people"]["pupil"])
    _login(auth, world, "dsl")
    response = client.post(f"/concerns/{concern}/actions", data={"action-what": "No token"})
    assert response.status_code == 400
    assert run_in_app(app, lambda: db.session.scalar(
        select(ConcernAction.id).where(ConcernAction.concern_id == concern))) is None


def test_another_schools_dsl_cannot_act_on_a_concern(app, client, auth: Auth, world) -> None:
    concern = report(app, world["people"]["pupil"])
    _login(auth, world, "other_dsl")
    assert auth.post(f"/concerns/{concern}/actions", {"action-what": "x"}).status_code == 404
    assert auth.post(f"/concerns/{concern}/close", {"close-outcome": "x"}).status_code == 404


# --- The CSV ---------------------------------------------------------------------------------------


def test_the_csv_has_one_row_per_concern_with_its_actions_formula_safe_and_logged(app, client, auth: Auth,
                                                                                  world) -> None:
    people = world["people"]
    first = report(app, people["pupil"], text="=HYPERLINK(\"http://evil\")\nsecond line", happening_now=True)
    second = report(app, people["teacher"], about=people["pupil"], category="online_hate", minutes_ago=5)

    def progress() -> None:
        dsl = db.session.get(User, people["dsl"].id)
        services.add_action(db.session.get(Concern, second), dsl, what="Spoke to Maya", outcome="+ follow up")
        services.add_action(db.session.get(Concern, second), dsl, what="@parents rang")
        services.close_concern(db.session.get(Concern, second), dsl, outcome="-closed")

    run_in_app(app, progress)
    _login(auth, world, "dsl")
    response = client.get("/concerns.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [int(row["concern_id"]) for row in rows] == [first, second]
    assert rows[0]["text"] == "'=HYPERLINK(\"http://evil\")\nsecond line"
    assert rows[0]["happening_now"] == "yes" and rows[0]["reporter_kind"] == "pupil"
    assert rows[0]["about_name"] == "Maya Patel" and rows[0]["actions_count"] == "0"
    assert rows[1]["category"] == "online_hate" and rows[1]["reporter_name"] == "Tom Teach"
    assert rows[1]["actions_count"] == "2" and rows[1]["outcome"] == "'-closed"
    lines = rows[1]["actions"].split("\n")
    assert len(lines) == 2 and lines[0].endswith(" | Dana Lead | Spoke to Maya | + follow up")
    assert lines[1].endswith(" | Dana Lead | @parents rang | ")
    assert rows[1]["closed_by"] == "Dana Lead" and rows[1]["status"] == "closed"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d[+-]\d\d:\d\d", rows[0]["reported_at"])
    only_closed = client.get("/concerns.csv?status=closed").get_data(as_text=True)
    assert len(list(csv.DictReader(io.StringIO(only_closed.lstrip("\ufeff"))))) == 1

    entries = run_in_app(app, lambda: [(e.actor_id, e.school_id, e.details) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT_DOWNLOADED.value).order_by(AuditEvent.id))])
    assert entries == [
        (people["dsl"].id, world["school"].id, {"kind": "concerns", "rows": 2, "complete": True}),
        (people["dsl"].id, world["school"].id, {"kind": "concerns", "status": "closed", "rows": 1, "complete": True}),
    ]
