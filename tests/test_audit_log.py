"""The audit log: an entry for each event, made through the real pages; the coordinator's log page
(filters, keyset paging, a fixed number of queries) and its CSV; an entry never breaks its request.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, select, update

from eduplatform.accounts.models import User, UserDuty
from eduplatform.audit import services as audit_services
from eduplatform.audit.labels import ACTION_LABELS
from eduplatform.audit.models import AuditAction, AuditEvent
from eduplatform.db import db, utcnow
from eduplatform.roles import Duty, Role
from eduplatform.schools.models import School
from tests.conftest import PASSWORD, Auth, counting_statements, run_in_app
from tests.test_mfa import set_up
from tests.test_people_manage import person_data
from tests.test_signin_pictures import RIGHT, WRONG, make_picture_class, tap
from tests.test_sso import DOMAIN, idp, sign_on, sso_school  # noqa: F401 (fixtures)

ROSTER = Path(__file__).parent / "fixtures" / "roster"


def logged(app: Flask, action: AuditAction) -> list[AuditEvent]:
    """The entries of one kind, oldest first."""
    return run_in_app(app, lambda: list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action.value).order_by(AuditEvent.id))))


@pytest.fixture
def coordinator(make_user, school) -> User:
    return make_user(Role.COORDINATOR, Role.STAFF, school=school, first_name="Cat", last_name="Cole")


# --- Signing in and out -------------------------------------------------------------------------


def test_a_password_sign_in_and_a_sign_out_are_logged_with_the_address(app, client, auth: Auth, staff) -> None:
    assert auth.login(staff).status_code == 302
    [signed_in] = logged(app, AuditAction.SIGNED_IN)
    assert (signed_in.actor_id, signed_in.subject_user_id, signed_in.school_id) == (staff.id, staff.id,
                                                                                    staff.school_id)
    assert signed_in.details == {"via": "password"} and signed_in.address == "127.0.0.1"
    auth.logout()
    [signed_out] = logged(app, AuditAction.SIGNED_OUT)
    assert signed_out.actor_id == staff.id and signed_out.address == "127.0.0.1"


def test_an_unknown_name_is_logged_as_typed_cut_short_without_actor_or_school(app, auth: Auth) -> None:
    typed = "=cmd|' /C calc'!A0" + "x" * 100
    assert auth.login(typed).status_code == 200
    [failed] = logged(app, AuditAction.SIGN_IN_FAILED)
    assert failed.actor_id is None and failed.school_id is None and failed.subject_user_id is None
    assert failed.details == {"reason": "unknown_name", "name": typed.lower()[:80]}
    assert failed.address == "127.0.0.1"


def test_a_wrong_password_a_paused_and_a_disabled_account_are_logged_against_the_account(app, auth: Auth, staff,
                                                                                         make_user, school) -> None:
    auth.login(staff, "not-the-password")
    paused = make_user(Role.STAFF, school=school)
    run_in_app(app, lambda: db.session.execute(update(User).where(User.id == paused.id).values(
        sign_in_blocked_until=utcnow() + timedelta(hours=1))))
    auth.login(paused)
    disabled = make_user(Role.STAFF, school=school)
    run_in_app(app, lambda: db.session.execute(update(User).where(User.id == disabled.id).values(
        disabled_at=utcnow())))
    auth.login(disabled)
    failures = logged(app, AuditAction.SIGN_IN_FAILED)
    assert [(f.subject_user_id, f.details["reason"]) for f in failures] == [
        (staff.id, "wrong_password"), (paused.id, "paused"), (disabled.id, "disabled")]
    assert {f.school_id for f in failures} == {school.id} and {f.actor_id for f in failures} == {None}
    assert logged(app, AuditAction.SIGNED_IN) == []


def test_signing_in_with_google_is_logged(app, client, idp, make_user, sso_school) -> None:  # noqa: F811
    teacher = make_user(Role.STAFF, school=sso_school, email=f"t.jones@{DOMAIN}")
    idp.sign_in_as(teacher.email, hd=DOMAIN)
    assert sign_on(client).status_code == 302
    [signed_in] = logged(app, AuditAction.SIGNED_IN)
    assert signed_in.actor_id == teacher.id and signed_in.details == {"via": "google"}


def test_picture_sign_ins_and_wrong_taps_are_logged(app, client, make_user, make_class, school, staff) -> None:
    ks1 = make_picture_class(app, make_user, make_class, school, teachers=(staff,))
    tap(client, ks1, ks1.ava, WRONG)
    tap(client, ks1, ks1.ava, RIGHT)
    [failed] = logged(app, AuditAction.SIGN_IN_FAILED)
    assert failed.subject_user_id == ks1.ava.id and failed.actor_id is None and failed.school_id == school.id
    assert failed.details == {"reason": "wrong_pictures", "via": "pictures", "class_id": ks1.id}
    [signed_in] = logged(app, AuditAction.SIGNED_IN)
    assert signed_in.actor_id == ks1.ava.id and signed_in.details == {"via": "pictures"}


# --- Passwords and multi-factor sign-in ---------------------------------------------------------


def test_changing_ones_own_password_is_logged_and_is_no_new_sign_in(app, auth: Auth, staff) -> None:
    auth.login(staff)
    new = "a-new-long-passphrase"
    changed = auth.post("/account/password", {"current_password": PASSWORD, "new_password": new,
                                              "confirm_password": new}, token_from="/account/password")
    assert changed.status_code == 302
    [entry] = logged(app, AuditAction.PASSWORD_CHANGED)
    assert entry.actor_id == staff.id == entry.subject_user_id
    assert len(logged(app, AuditAction.SIGNED_IN)) == 1  # the renewed session is not a second sign-in


def test_mfa_on_a_recovery_code_used_and_mfa_off_are_logged(app, client, auth: Auth, staff) -> None:
    auth.login(staff)
    _secret, codes = set_up(client, auth)
    auth.logout()
    assert auth.login(staff).headers["Location"] == "/login/code"
    assert auth.post("/login/code", {"code": codes[0]}, token_from="/login/code").status_code == 302
    assert auth.post("/account/mfa/off", token_from="/account/mfa").status_code == 302
    for action in (AuditAction.MFA_ENABLED, AuditAction.MFA_RECOVERY_CODE_USED, AuditAction.MFA_DISABLED):
        [entry] = logged(app, action)
        assert entry.actor_id == staff.id == entry.subject_user_id, action


# --- What coordinators and teachers do ----------------------------------------------------------


def test_role_and_duty_changes_are_logged_with_what_was_added_and_removed(app, auth: Auth, coordinator,
                                                                          staff) -> None:
    auth.login(coordinator)
    response = auth.post(f"/people/{staff.id}/edit",
                         person_data(first_name="Tom", last_name="Hughes", email="t.hughes@oak.sch.uk",
                                     roles=["staff", "coordinator"], duties=["dsl"]),
                         token_from=f"/people/{staff.id}/edit")
    assert response.status_code == 302
    [entry] = logged(app, AuditAction.ROLES_CHANGED)
    assert entry.actor_id == coordinator.id and entry.subject_user_id == staff.id
    assert entry.details == {"roles_added": ["coordinator"], "duties_added": ["dsl"]}
    assert len(logged(app, AuditAction.PERSON_CHANGED)) == 1
    auth.post(f"/people/{staff.id}/edit", person_data(first_name="Tom", last_name="Hughes",
                                                      email="t.hughes@oak.sch.uk", roles=["staff"]),
              token_from=f"/people/{staff.id}/edit")
    assert logged(app, AuditAction.ROLES_CHANGED)[-1].details == {"roles_removed": ["coordinator"],
                                                                  "duties_removed": ["dsl"]}
    auth.post(f"/people/{staff.id}/edit", person_data(first_name="Thomas", last_name="Hughes",
                                                      email="t.hughes@oak.sch.uk", roles=["staff"]),
              token_from=f"/people/{staff.id}/edit")
    assert len(logged(app, AuditAction.ROLES_CHANGED)) == 2  # a new name is no change of roles
    assert len(logged(app, AuditAction.PERSON_CHANGED)) == 3


def test_a_roster_import_is_logged_with_its_mode_and_counts(app, auth: Auth, coordinator) -> None:
    for path in (Path(app.instance_path) / "roster-uploads").glob("*"):
        path.unlink()
    auth.login(coordinator)
    preview = auth.post("/roster/import", {"file": (BytesIO((ROSTER / "corrected.csv").read_bytes()), "c.csv"),
                                           "mode": "add"}, token_from="/roster/import").headers["Location"]
    expected = re.search(r'name="expected" type="hidden" value="([^"]+)"',
                         auth.client.get(preview).get_data(as_text=True)).group(1)
    assert auth.post(preview, {"expected": expected}, token_from=preview).status_code == 302
    [entry] = logged(app, AuditAction.ROSTER_IMPORTED)
    assert entry.actor_id == coordinator.id and entry.school_id == coordinator.school_id
    assert {key: entry.details[key] for key in ("mode", "created", "updated", "left")} == {
        "mode": "add", "created": 5, "updated": 0, "left": 0}


def test_login_cards_shown_and_pictures_reset_are_logged(app, client, auth: Auth, make_user, make_class, school,
                                                         staff, coordinator) -> None:
    ks1 = make_picture_class(app, make_user, make_class, school, teachers=(staff,))
    auth.login(staff)
    assert client.get(f"/classes/{ks1.id}/cards").status_code == 200
    assert client.get(f"/classes/{ks1.id}/cards?pupil={ks1.ben.id}").status_code == 200
    reset = auth.post(f"/classes/{ks1.id}/pupils/{ks1.ben.id}/reset-pictures", token_from=f"/classes/{ks1.id}/cards")
    assert reset.status_code == 302
    auth.logout()
    make_user(Role.GOVERNOR, school=school, password=None)
    auth.login(coordinator)
    assert client.get("/roster/adult-cards").status_code == 200
    cards = logged(app, AuditAction.LOGIN_CARDS_VIEWED)
    assert [(c.actor_id, c.subject_user_id, c.details["kind"], c.details["people"]) for c in cards][:2] == [
        (staff.id, None, "class", 3), (staff.id, ks1.ben.id, "person", 1)]
    assert cards[-1].actor_id == coordinator.id and cards[-1].details["kind"] == "adults"
    [entry] = logged(app, AuditAction.PICTURES_RESET)
    assert (entry.actor_id, entry.subject_user_id, entry.details) == (staff.id, ks1.ben.id, {"kind": "pictures"})


def test_a_parents_consent_decisions_are_logged_about_the_child(app, auth: Auth, make_user, school, link) -> None:
    parent = make_user(Role.PARENT, school=school, first_name="Lucy", last_name="Patel")
    child = make_user(Role.PUPIL, school=school, year_group=1, first_name="Leo")
    link(parent, child)
    auth.login(parent)
    auth.post("/agreements/home-school-agreement/sign", {"typed_name": "Lucy Patel",
                                                          f"consent-{child.id}-photos-website": "yes"},
              token_from="/agreements/home-school-agreement")
    auth.post("/agreements/home-school-agreement/consents", {f"consent-{child.id}-photos-website": "no"},
              token_from="/agreements/home-school-agreement")
    entries = logged(app, AuditAction.CONSENT_CHANGED)
    assert [(e.actor_id, e.subject_user_id, e.details["consent_id"], e.details["given"]) for e in entries] == [
        (parent.id, child.id, "photos-website", True), (parent.id, child.id, "photos-website", False)]


# --- The page -----------------------------------------------------------------------------------


def add_entries(app: Flask, school: School, count: int, *, action: AuditAction = AuditAction.PERSON_RECORD_VIEWED,
                actor: User | None = None, subject: User | None = None, start_minutes_ago: int = 10_000,
                **extra: Any) -> None:
    """``count`` entries a minute apart, the newest ``start_minutes_ago - count + 1`` minutes ago."""
    def add() -> None:
        now = utcnow()
        db.session.add_all(AuditEvent(action=action.value, school_id=school.id, actor_id=actor.id if actor else None,
                                      subject_user_id=subject.id if subject else None, address="10.0.0.1",
                                      at=now - timedelta(minutes=start_minutes_ago - n), **extra)
                           for n in range(count))

    run_in_app(app, add)


def rows_of(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [row for row in re.findall(r"<tr>(.*?)</tr>", body, re.S) if "colspan" not in row]


def test_the_coordinator_sees_their_schools_log_newest_first_with_their_own_sign_in(app, client, auth: Auth,
                                                                                   coordinator, make_school,
                                                                                   make_user) -> None:
    other = make_school()
    add_entries(app, other, 3, actor=make_user(Role.COORDINATOR, school=other, first_name="Olga", last_name="Other"))
    auth.login(coordinator)
    page = client.get("/audit-log").get_data(as_text=True)
    rows = rows_of(page)
    assert len(rows) == 1 and "Signed in" in rows[0] and "Cat Cole" in rows[0] and "127.0.0.1" in rows[0]
    assert "with a password" in rows[0] and "Olga" not in page
    assert '<a href="/audit-log">Audit log</a>' in page  # in the menu


def test_every_action_has_a_readable_label_in_the_filter() -> None:
    assert set(ACTION_LABELS) == set(AuditAction)


def test_filters_by_action_person_and_days_in_the_schools_time_zone(app, client, auth: Auth, coordinator,
                                                                    school, make_user) -> None:
    nadia = make_user(Role.STAFF, school=school, first_name="Nadia", last_name="Rahman")
    pupil = make_user(Role.PUPIL, school=school, first_name="Leo", last_name="Green")
    add_entries(app, school, 2, actor=nadia, subject=pupil)
    add_entries(app, school, 1, action=AuditAction.EXPORT_DOWNLOADED, actor=coordinator, details={"rows": 4})

    def at_local(day: str, hour: int) -> None:  # 00:30 in London in summer is 23:30 UTC the day before
        from datetime import datetime
        moment = datetime.fromisoformat(f"{day}T{hour:02d}:30:00")
        run_in_app(app, lambda: db.session.add(AuditEvent(action="person_record_viewed", school_id=school.id,
                                                          actor_id=nadia.id, at=moment, address="10.0.0.2")))

    at_local("2026-06-30", 23)  # 1 July, 00:30 in London
    at_local("2026-07-01", 23)  # 2 July, 00:30 in London
    auth.login(coordinator)

    def shown(query: str) -> list[str]:
        return rows_of(client.get(f"/audit-log?{query}").get_data(as_text=True))

    assert len(shown("action=export_downloaded")) == 1 and "rows: 4" in shown("action=export_downloaded")[0]
    assert len(shown("person=rahman")) == 4  # who did it
    assert len(shown("person=leo+g")) == 2  # whom it was about
    assert len(shown("person=nobody")) == 0
    july_first = shown("from=2026-07-01&to=2026-07-01")
    assert len(july_first) == 1 and "10.0.0.2" in july_first[0]
    bad = client.get("/audit-log?from=2026-07-02&to=2026-07-01&action=nothing")
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "The last day comes before the first day" in text and "nothing is not a kind of entry" in text


def test_fifty_a_page_with_an_older_link_and_no_offset(app, client, auth: Auth, coordinator, school) -> None:
    add_entries(app, school, 120)
    auth.login(coordinator)  # plus this sign-in: 121 entries
    statements: list[tuple[str, Any]] = []
    with app.app_context():
        engine = db.engine

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        statements.append((statement, parameters))

    seen: list[str] = []
    path = "/audit-log"
    event.listen(engine, "before_cursor_execute", capture)
    try:
        for _page in range(3):
            page = client.get(path).get_data(as_text=True)
            seen.extend(rows_of(page))
            older = re.search(r'href="(/audit-log\?older=\d+)" rel="next"', page)
            if older is None:
                break
            path = older.group(1)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(seen) == 121 and older is None
    assert "Signed in" in seen[0]  # newest first
    pages = [(statement, parameters) for statement, parameters in statements if "FROM audit_event" in statement]
    assert len(pages) == 3
    # SQLite writes every LIMIT as "LIMIT ? OFFSET ?": the offset stays 0, the keyset moves instead.
    assert all(parameters[-1] == 0 for statement, parameters in pages if "OFFSET" in statement.upper())


def _count_queries(app: Flask, client: Any, path: str) -> int:
    with counting_statements(app) as count:
        assert client.get(path).status_code == 200
    return count[0]


def test_the_page_makes_the_same_number_of_queries_for_2_or_50_rows(app, client, auth: Auth, coordinator, school,
                                                                   make_user) -> None:
    auth.login(coordinator)
    people = [make_user(Role.STAFF, school=school) for _ in range(3)]
    add_entries(app, school, 1, actor=people[0], subject=people[1])
    few = _count_queries(app, client, "/audit-log")
    for n, person in enumerate(people * 20):
        add_entries(app, school, 1, actor=person, subject=people[(n + 1) % 3], start_minutes_ago=5_000 - n)
    many = _count_queries(app, client, "/audit-log")
    assert few == many, (few, many)


def test_administrators_read_every_school_and_filter_by_one(app, client, auth: Auth, make_user, make_school,
                                                            coordinator, school) -> None:
    other = make_school()
    add_entries(app, other, 2, action=AuditAction.AUDIT_SIGNED)
    add_entries(app, school, 1, action=AuditAction.AUDIT_SIGNED)
    auth.login("no-such-name")  # platform-wide: no school
    auth.login(make_user(Role.ADMIN))
    assert len(rows_of(client.get("/audit-log?action=audit_signed").get_data(as_text=True))) == 3
    assert len(rows_of(client.get(f"/audit-log?action=audit_signed&school={other.id}").get_data(as_text=True))) == 2
    unknown = rows_of(client.get("/audit-log?action=sign_in_failed").get_data(as_text=True))
    assert len(unknown) == 1 and "someone unknown" in unknown[0] and "no-such-name" in unknown[0]
    auth.logout()
    auth.login(coordinator)
    assert client.get(f"/audit-log?school={other.id}").status_code == 404
    assert "no-such-name" not in client.get("/audit-log").get_data(as_text=True)


def test_trust_leads_staff_and_the_dsl_may_not_read_the_log(app, client, auth: Auth, make_user, make_trust,
                                                            school) -> None:
    dsl = make_user(Role.STAFF, school=school)
    run_in_app(app, lambda: db.session.add(UserDuty(user_id=dsl.id, duty=Duty.DSL)))
    for person in (make_user(Role.TRUST_LEAD, trust_id=make_trust().id), make_user(Role.STAFF, school=school), dsl):
        auth.login(person)
        assert client.get("/audit-log").status_code == 403
        assert client.get("/audit-log.csv").status_code == 403
        assert "/audit-log" not in client.get("/").get_data(as_text=True)
        auth.logout()


# --- The CSV ------------------------------------------------------------------------------------


def test_the_csv_has_the_filtered_entries_formula_safe_and_is_logged(app, client, auth: Auth, coordinator,
                                                                     school, make_user) -> None:
    auth.login("=HYPERLINK(\"http://evil\")")  # an unknown name: no school, not in this school's log
    evil = make_user(Role.STAFF, school=school, first_name="=cmd", last_name="Calc")
    add_entries(app, school, 3, action=AuditAction.EXPORT_DOWNLOADED, actor=coordinator, details={"kind": "x"})
    add_entries(app, school, 1, action=AuditAction.EXPORT_DOWNLOADED, actor=evil, start_minutes_ago=20_000)
    auth.login(coordinator)
    response = client.get("/audit-log.csv?action=export_downloaded")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="audit-log-')
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["when", "school", "action", "action_label", "who_username", "who", "about_username", "about",
                       "summary", "details", "address"]
    assert len(rows) == 5 and {row[2] for row in rows[1:]} == {"export_downloaded"}
    assert rows[1][5] == "Cat Cole" and rows[1][3] == "Downloaded an export" and rows[1][8] == "kind: x"
    assert rows[4][5] == "'=cmd Calc"  # formula-safe
    [exported] = logged(app, AuditAction.AUDIT_LOG_EXPORTED)
    assert exported.actor_id == coordinator.id and exported.school_id == school.id
    assert exported.details == {"schools": [school.id], "action": "export_downloaded", "rows": 4, "complete": True}


def test_the_csv_of_an_admin_names_a_typed_name_formula_safe(app, client, auth: Auth, make_user) -> None:
    auth.login("=HYPERLINK(\"http://evil\")")
    auth.login(make_user(Role.ADMIN))
    text = client.get("/audit-log.csv?action=sign_in_failed").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 2 and rows[1][5] == "someone unknown"
    assert rows[1][8].startswith("no account has this username (name typed: =hyperlink")
    assert rows[1][9].startswith('{"name": "=hyperlink')  # JSON: starts with "{", so no formula
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_a_csv_with_bad_filters_is_refused_and_not_logged(app, client, auth: Auth, coordinator) -> None:
    auth.login(coordinator)
    assert client.get("/audit-log.csv?from=yesterday").status_code == 400
    assert logged(app, AuditAction.AUDIT_LOG_EXPORTED) == []


# --- Never breaking the request -----------------------------------------------------------------


class _BrokenEvent(AuditEvent):
    """An entry the database refuses (no action): the way a real write failure shows."""

    def __init__(self, **values: Any) -> None:
        super().__init__(**{**values, "action": None})


def test_an_entry_that_cannot_be_written_never_breaks_its_request(app, client, auth: Auth, coordinator,
                                                                   staff, monkeypatch) -> None:
    monkeypatch.setattr(audit_services, "AuditEvent", _BrokenEvent)
    assert auth.login(coordinator).status_code == 302  # POST: the sign-in itself is saved
    assert auth.client.get("/").status_code == 200
    assert client.get(f"/people/{staff.id}").status_code == 200  # GET: its own transaction fails alone
    changed = auth.post(f"/people/{staff.id}/edit", person_data(first_name="Tomas", last_name="Hughes",
                                                                email="t.hughes@oak.sch.uk", roles=["staff"]),
                        token_from=f"/people/{staff.id}/edit")
    assert changed.status_code == 302
    assert run_in_app(app, lambda: db.session.get(User, staff.id).first_name) == "Tomas"
    assert run_in_app(app, lambda: db.session.scalars(select(AuditEvent)).all()) == []


# --- The command line ---------------------------------------------------------------------------


def test_the_command_line_export_gives_the_web_downloads_rows_and_is_logged(app, client, auth: Auth, runner,
                                                                           coordinator, school, make_user,
                                                                           tmp_path) -> None:
    add_entries(app, school, 3, actor=make_user(Role.STAFF, school=school, first_name="=cmd", last_name="X"))
    add_entries(app, school, 2, start_minutes_ago=60 * 24 * 400)  # more than a year ago
    auth.login(coordinator)
    since = (utcnow() - timedelta(days=30)).date().isoformat()
    web = client.get(f"/audit-log.csv?from={since}").get_data(as_text=True)
    out = tmp_path / "log.csv"
    result = runner.invoke(args=["export-audit-log", "--school", str(school.id), "--since", since, "--out", str(out)])
    assert result.exit_code == 0, result.output
    web_rows = list(csv.reader(io.StringIO(web)))
    cli_rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert len(web_rows) == 1 + 4 and "'=cmd X" in web  # 3 views and the sign-in; formula-safe
    # The same file, but for the web download's own entry (newest) that the command line lists too.
    assert cli_rows[1][2] == "audit_log_exported" and [cli_rows[0], *cli_rows[2:]] == web_rows
    cli_entry = logged(app, AuditAction.AUDIT_LOG_EXPORTED)[-1]
    assert cli_entry.actor_id is None and cli_entry.address == "cli" and cli_entry.details["rows"] == 5


def test_the_command_line_export_refuses_bad_arguments_before_any_work(runner, school, tmp_path) -> None:
    assert "No school with the id or slug 'nowhere'" in runner.invoke(
        args=["export-audit-log", "--school", "nowhere", "--out", str(tmp_path / "a.csv")]).output
    assert "is not a day" in runner.invoke(args=["export-audit-log", "--school", str(school.id), "--since", "soon",
                                                 "--out", str(tmp_path / "a.csv")]).output
    unwritable = runner.invoke(args=["export-audit-log", "--school", str(school.id),
                                     "--out", str(tmp_path / "missing" / "a.csv")])
    assert unwritable.exit_code == 1 and "Cannot write to" in unwritable.output
    assert not (tmp_path / "a.csv").exists()
