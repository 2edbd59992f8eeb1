"""Erasure on request: the school's figures stay as they were, nothing identifying is left, holds keep
people, and the erase page, the person page and ``flask erase-person`` behave."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import JSON, String, func, select

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import User
from eduplatform.audit.models import AuditAction, AuditEvent
from eduplatform.catalogue import current_catalogue
from eduplatform.db import Base, db, utcnow
from eduplatform.privacy import holds
from eduplatform.privacy.erasure import (
    ErasureRefusedError,
    _about,
    erase,
    erase_on_request,
    marked_tables,
    plan_erasure,
)
from eduplatform.privacy.retention import save_retention_periods
from eduplatform.reports.audit_build import build_audit
from eduplatform.reports.dashboard import build_dashboard
from eduplatform.reports.rows import Filters
from eduplatform.reports.scope import build_scope
from eduplatform.roles import Role
from eduplatform.schools.models import School
from tests.conftest import Auth, run_in_app
from tests.personal_data_world import person_with_everything
from tests.records_world import RecordsWorld, build_records_world

TODAY = date(2027, 3, 1)


@pytest.fixture
def records_world(app, make_trust, make_school, make_user, make_class, link) -> RecordsWorld:
    return build_records_world(app, make_trust, make_school, make_user, make_class, link)


def _figures(app, world: RecordsWorld) -> tuple[Any, ...]:
    """The yearly audit's figures and the records dashboard's totals, through reports' own functions."""

    def build() -> tuple[Any, ...]:
        school = db.session.get(School, world.school.id)
        catalogue = current_catalogue()
        scope = build_scope([school], world.year, catalogue)
        audit = build_audit(scope, catalogue, "en")
        audit_data = asdict(audit)
        audit_data.pop("generated_at")
        dashboards = [build_dashboard(scope, filters, world.year.start_year, {})
                      for filters in (Filters(), Filters(audience="ks2"), Filters(audience="ks1"))]
        return audit_data, [(asdict(d.total), [asdict(g) for g in d.groups]) for d in dashboards]

    return run_in_app(app, build)


def _user(user_id: int) -> User:
    person = db.session.get(User, user_id)
    assert person is not None
    return person


def test_erasing_a_pupil_leaves_the_school_figures_unchanged(app, records_world: RecordsWorld) -> None:
    before = _figures(app, records_world)
    done = records_world.people["ks2_done"]  # lessons, a passed quiz, a signature, a consent given for them

    plan = run_in_app(app, lambda: erase_on_request(_user(done.id), actor=None, today=TODAY))

    assert plan.removed == {"parent_link": 1}  # the link to their parent goes; learning records stay, nameless
    assert {"quiz_attempt", "quiz_answer", "module_completion", "agreement_signature", "consent_decision",
            "class_member", "user_role", "lesson_read"} <= plan.kept.keys()
    assert _figures(app, records_world) == before


def test_erasing_a_parent_who_left_leaves_the_figures_unchanged(app, records_world: RecordsWorld) -> None:
    parent = records_world.people["parent"]

    def leave_with_children() -> None:  # the family left: nobody holds the parent any more
        for person in (_user(parent.id), _user(records_world.people["ks2_done"].id),
                       _user(records_world.people["ks1_first"].id)):
            person.left_at = utcnow() - timedelta(days=3)

    run_in_app(app, leave_with_children)
    before = _figures(app, records_world)
    plan = run_in_app(app, lambda: erase_on_request(_user(parent.id), actor=None, today=TODAY))
    assert plan.removed["parent_link"] == 2
    assert plan.kept["agreement_signature"] == 1
    assert _figures(app, records_world) == before

    def signature_name() -> Any:
        from eduplatform.records.models import AgreementSignature

        return db.session.scalar(select(AgreementSignature.typed_name).where(AgreementSignature.user_id == parent.id))

    assert run_in_app(app, signature_name) == ""  # the typed name on the signature is cleared


# --- After erasure nothing identifying remains --------------------------------------------------


def _text_values() -> list[str]:
    """Every text and JSON value in every table, as text."""
    found = []
    for table in Base.metadata.sorted_tables:
        columns = [column for column in table.columns if isinstance(column.type, String | JSON)]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            found.extend(str(value) for value in row if value not in (None, ""))
    return found


def test_after_erasure_nothing_identifying_remains(app, make_user, make_school, make_class, link) -> None:
    world = person_with_everything(app, make_user, make_school, make_class, link)
    identifying = {
        "pupil": [world.pupil.username, world.pupil.full_name],
        "parent": [world.parent.username, world.parent.full_name, world.parent.email],
    }

    def erase_family() -> None:
        # All three are held in real life (the safeguarding concerns; the staff member is also the last
        # coordinator and signed the audit): the walk, not the holds, is what this test is about.
        erase(_user(world.pupil.id))
        erase(_user(world.parent.id))
        erase(_user(world.staff.id))

    run_in_app(app, erase_family)
    ids = [world.pupil.id, world.parent.id, world.staff.id]

    def walk() -> list[str]:
        problems = []
        for table, mark in marked_tables():
            if mark["erase"] == "person":
                continue
            for user_id in ids:
                about = _about(table, mark, user_id)
                if about is None:
                    continue
                rows = db.session.scalar(select(func.count()).select_from(table).where(about))
                if mark["erase"] == "delete" and rows:
                    problems.append(f"{table.name}: {rows} rows about {user_id} left")
                for name in mark["clear"]:
                    left = db.session.scalar(select(func.count()).select_from(table).where(
                        about, table.c[name].is_not(None), table.c[name] != ""))
                    if left:
                        problems.append(f"{table.name}.{name} not cleared for {user_id}")
        for user_id in ids:
            stub = _user(user_id)
            assert stub.username == f"erased-{user_id}" and stub.erased_at is not None
            values = [stub.first_name, stub.last_name, stub.email, stub.external_id, stub.password_hash,
                      stub.mfa_secret, stub.picture_secret_hash, stub.card_secret, stub.avatar, stub.started_on,
                      stub.locale, stub.first_password_issued_at]
            problems += [f"stub {user_id} keeps {value!r}" for value in values if value not in (None, "")]
            assert stub.display_name == stub.full_name == "Erased person"
            assert stub.disabled_at is not None and stub.left_at is not None
        everything = "\n".join(_text_values())
        for who, values in identifying.items():
            problems += [f"{who}'s {value!r} is still stored" for value in values
                         if re.search(rf"(?<![\w.-]){re.escape(value)}(?![\w.-])", everything)]
        problems += [f"a secret is still stored ({secret[:6]}...)" for secret in world.secrets
                     if secret in everything and secret not in (_user(i).session_token for i in ids)]
        return problems

    assert run_in_app(app, walk) == []


def test_the_erased_accounts_sessions_end(app, client, auth: Auth, school, make_user) -> None:
    coordinator = make_user(Role.COORDINATOR, Role.STAFF, school=school)
    visitor = make_user(Role.VISITOR, school=school)
    assert auth.login(visitor).status_code == 302
    assert client.get("/").status_code == 200
    run_in_app(app, lambda: erase_on_request(_user(visitor.id), actor=coordinator, today=TODAY))
    assert client.get("/").status_code == 302  # signed out everywhere
    assert auth.login(visitor).status_code == 200  # and the old name no longer signs in


# --- Holds ---------------------------------------------------------------------------------------


def test_holds_keep_people_with_readable_reasons(app, school, make_user, link) -> None:
    coordinator = make_user(Role.COORDINATOR, Role.STAFF, school=school)
    second = make_user(Role.COORDINATOR, school=school)
    staff = make_user(Role.STAFF, school=school)
    governor_left_long_ago = make_user(Role.GOVERNOR, school=school)
    parent, child = make_user(Role.PARENT, school=school), make_user(Role.PUPIL, school=school, year_group=4)
    link(parent, child)

    def setup() -> None:
        _user(governor_left_long_ago.id).left_at = utcnow() - timedelta(days=7 * 365)
        _user(second.id).disabled_at = utcnow()  # a disabled coordinator does not count

    run_in_app(app, setup)

    def reasons() -> dict[str, list[str]]:
        today = utcnow().date()
        return {name: holds.holds_of(_user(person.id), today, _user(coordinator.id)) for name, person in
                {"coordinator": coordinator, "staff": staff, "governor": governor_left_long_ago,
                 "parent": parent, "child": child}.items()}

    found = run_in_app(app, reasons)
    assert any("Nobody can erase themself" in reason for reason in found["coordinator"])
    assert any("last coordinator" in reason for reason in found["coordinator"])
    assert any("employment records" in reason for reason in found["staff"])
    assert found["governor"] == []  # six years after leaving: the training records may go
    assert any("still on the school's roll" in reason for reason in found["parent"])
    assert found["child"] == []


def test_a_staff_member_is_held_until_the_staff_period_after_leaving(app, school, make_user) -> None:
    staff = make_user(Role.STAFF, school=school)
    left = utcnow() - timedelta(days=365)
    run_in_app(app, lambda: setattr(_user(staff.id), "left_at", left))
    until = (left.date() + timedelta(days=2190)).isoformat()
    assert any(until in reason for reason in run_in_app(app, lambda: holds.holds_of(_user(staff.id), TODAY)))
    with pytest.raises(ErasureRefusedError):
        run_in_app(app, lambda: erase_on_request(_user(staff.id), actor=None, today=TODAY))


def test_whoever_signed_a_kept_audit_is_held(app, make_user, make_school, make_class, link) -> None:
    world = person_with_everything(app, make_user, make_school, make_class, link)
    year = AcademicYear.current().label
    found = run_in_app(app, lambda: holds.holds_of(_user(world.staff.id), TODAY))
    assert any("signed the yearly audit" in reason and year in reason for reason in found)


def test_features_add_their_own_holds(app, school, make_user) -> None:
    visitor = make_user(Role.VISITOR, school=school)
    holds.register_hold("test_open_concern", lambda people, _today, _actor: {
        person.id: "An open concern is about them." for person in people if person.id == visitor.id})
    try:
        with pytest.raises(ErasureRefusedError) as refused:
            run_in_app(app, lambda: erase_on_request(_user(visitor.id), actor=None, today=TODAY))
        assert refused.value.reasons == ["An open concern is about them."]
    finally:
        holds._CHECKS.pop("test_open_concern")
    assert run_in_app(app, lambda: _user(visitor.id).erased_at) is None


def test_a_safeguarding_concern_holds_its_reporter_and_its_subject(app, school, make_user) -> None:
    """Open: kept. Closed: kept until the school's ``concerns`` period after closing (7 years by default)."""
    from eduplatform.concerns import services as concerns

    dsl = make_user(Role.STAFF, school=school)
    parent, pupil = make_user(Role.PARENT, school=school), make_user(Role.PUPIL, school=school, year_group=6)
    bystander = make_user(Role.PUPIL, school=school, year_group=6)
    ids: dict[str, int] = {}

    def report() -> None:
        ids["concern"] = concerns.report_concern(_user(parent.id), category="online_hate", about_id=pupil.id,
                                                 text="Hateful comments under a video the pupil posted.").id

    run_in_app(app, report)

    def reasons(today: date) -> dict[str, list[str]]:
        return {name: holds.holds_of(_user(person.id), today) for name, person in
                {"parent": parent, "pupil": pupil, "bystander": bystander}.items()}

    found = run_in_app(app, lambda: reasons(TODAY))
    assert found["parent"] == found["pupil"] == ["An open safeguarding concern: they reported it, or it is about them."]
    assert found["bystander"] == []

    def close() -> None:
        from eduplatform.concerns.models import Concern

        concern = db.session.get(Concern, ids["concern"])
        concerns.close_concern(concern, _user(dsl.id), outcome="Reported to the platform; comments removed.")
        concern.closed_at = utcnow() - timedelta(days=365)

    run_in_app(app, close)
    until = (utcnow().date() - timedelta(days=365) + timedelta(days=2555)).isoformat()
    found = run_in_app(app, lambda: reasons(utcnow().date()))
    assert all(len(found[name]) == 1 and until in found[name][0] for name in ("parent", "pupil"))
    with pytest.raises(ErasureRefusedError):
        run_in_app(app, lambda: erase_on_request(_user(pupil.id), actor=dsl, today=utcnow().date()))
    later = date.fromisoformat(until) + timedelta(days=1)
    assert run_in_app(app, lambda: reasons(later)) == {"parent": [], "pupil": [], "bystander": []}
    run_in_app(app, lambda: save_retention_periods(db.session.get(School, school.id), {"concerns": 3000}, actor=None))
    assert run_in_app(app, lambda: reasons(later))["pupil"] != []  # the school keeps them longer


# --- The erase page --------------------------------------------------------------------------------


@pytest.fixture
def leaver_world(app, school, make_user, make_class) -> dict[str, Any]:
    coordinator = make_user(Role.COORDINATOR, Role.STAFF, school=school, first_name="Cora", last_name="Lead")
    pupil = make_user(Role.PUPIL, school=school, year_group=5, first_name="Zara", last_name="Quill")
    make_class(school, pupils=(pupil,))
    run_in_app(app, lambda: setattr(_user(pupil.id), "left_at", utcnow() - timedelta(days=30)))
    return {"coordinator": coordinator, "pupil": pupil}


def test_the_erase_page_lists_what_goes_and_what_stays(client, auth: Auth, leaver_world) -> None:
    auth.login(leaver_world["coordinator"])
    page = client.get(f"/people/{leaver_world['pupil'].id}/erase").get_data(as_text=True)
    assert "Erase Zara Quill" in page
    assert "Places in classes: <strong>1</strong>" in page
    assert "Roles: <strong>1</strong>" in page
    assert 'name="full_name"' in page


def test_a_wrong_name_erases_nothing(app, client, auth: Auth, leaver_world) -> None:
    auth.login(leaver_world["coordinator"])
    pupil = leaver_world["pupil"]
    response = auth.post(f"/people/{pupil.id}/erase", {"full_name": "Zara Quil"}, token_from="/")
    assert response.status_code == 200
    assert "Type the person&#39;s full name exactly as shown: Zara Quill." in response.get_data(as_text=True)
    assert run_in_app(app, lambda: _user(pupil.id).erased_at) is None


def test_erasing_with_the_typed_name_goes_back_to_the_people_list(app, client, auth: Auth, leaver_world) -> None:
    auth.login(leaver_world["coordinator"])
    pupil = leaver_world["pupil"]
    response = auth.post(f"/people/{pupil.id}/erase", {"full_name": "  zara QUILL "}, token_from="/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/people")
    listing = client.get("/people").get_data(as_text=True)
    assert "Zara Quill was erased: 0 records removed, 2 kept without their name." in listing
    assert "Erased person" in listing and "Zara" not in listing.replace("Zara Quill was erased", "")

    def logged() -> AuditEvent | None:
        return db.session.scalar(select(AuditEvent).where(AuditEvent.action == AuditAction.PERSON_ERASED.value))

    entry = run_in_app(app, logged)
    assert entry is not None and entry.subject_user_id == pupil.id
    assert entry.actor_id == leaver_world["coordinator"].id
    assert entry.details == {"removed": {}, "kept": {"class_member": 1, "user_role": 1}}
    person_page = client.get(f"/people/{pupil.id}").get_data(as_text=True)
    assert "This person was erased" in person_page and "Erase this person" not in person_page


def test_a_held_person_is_refused_with_the_reasons(app, client, auth: Auth, school, make_user) -> None:
    coordinator = make_user(Role.COORDINATOR, Role.STAFF, school=school)
    staff = make_user(Role.STAFF, school=school, first_name="Sam", last_name="Teach")
    auth.login(coordinator)
    page = client.get(f"/people/{staff.id}/erase").get_data(as_text=True)
    assert "cannot be erased now" in page and "employment records" in page and 'name="full_name"' not in page
    response = auth.post(f"/people/{staff.id}/erase", {"full_name": "Sam Teach"}, token_from="/")
    assert response.status_code == 200
    assert run_in_app(app, lambda: _user(staff.id).erased_at) is None


def test_the_person_page_links_to_erasure_for_its_managers_only(client, auth: Auth, leaver_world, school,
                                                                make_user) -> None:
    pupil = leaver_world["pupil"]
    auth.login(leaver_world["coordinator"])
    assert f"/people/{pupil.id}/erase" in client.get(f"/people/{pupil.id}").get_data(as_text=True)
    auth.logout()
    teacher = make_user(Role.STAFF, school=school)
    auth.login(teacher)
    assert "/erase" not in client.get("/").get_data(as_text=True)


# --- The command line ------------------------------------------------------------------------------


def test_erase_person_on_the_command_line(app, runner, leaver_world, school, make_user) -> None:
    pupil = leaver_world["pupil"]
    username = pupil.username
    asked = runner.invoke(args=["erase-person", username])
    assert asked.exit_code != 0 and "add --yes" in asked.output and "Zara Quill" in asked.output
    assert run_in_app(app, lambda: _user(pupil.id).erased_at) is None

    done = runner.invoke(args=["erase-person", username, "--yes"])
    assert done.exit_code == 0, done.output
    assert f"the account is now erased-{pupil.id}" in done.output
    assert run_in_app(app, lambda: _user(pupil.id).erased_at) is not None

    staff = make_user(Role.STAFF, school=school)
    held = runner.invoke(args=["erase-person", staff.username, "--yes"])
    assert held.exit_code != 0 and "must be kept" in held.output and "employment records" in held.output
    unknown = runner.invoke(args=["erase-person", "nobody-here", "--yes"])
    assert unknown.exit_code != 0 and "nobody with the username" in unknown.output


def test_plan_counts_match_what_erasure_does(app, make_user, make_school, make_class, link) -> None:
    world = person_with_everything(app, make_user, make_school, make_class, link)

    def plan_then_erase() -> tuple[Any, Any]:
        parent = _user(world.parent.id)
        return plan_erasure(parent), erase(parent)

    planned, done = run_in_app(app, plan_then_erase)
    assert planned == done
    assert done.removed["setup_code"] == 1 and done.removed["parent_link"] == 1
    # The audit entry is the parent's own action (they signed in): kept, its address cleared.
    assert done.kept == {"user_role": 1, "agreement_signature": 1, "workshop_registration": 1,
                         "workshop_feedback": 1, "attendee": 1, "module_completion": 1, "audit_event": 1,
                         "concern": 1, "concern_action": 1, "concern_read": 1}  # the concern they reported
    assert "consent_decision" not in done.kept  # the decisions are about the child; the parent is only named
