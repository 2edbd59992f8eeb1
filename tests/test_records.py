"""Records: the dashboard's figures, the CSV rows behind them, scoping, safety of the files."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from sqlalchemy import select

from eduplatform.audit.models import AuditAction, AuditEvent
from eduplatform.catalogue import current_catalogue
from eduplatform.db import db
from eduplatform.reports import exports
from eduplatform.reports.dashboard import build_dashboard
from eduplatform.reports.rows import AGREEMENT_STATES, COMPLETION_STATES, Filters
from eduplatform.reports.scope import build_scope
from eduplatform.roles import Role
from eduplatform.schools.models import School
from tests.conftest import Auth, counting_statements, run_in_app
from tests.records_world import RecordsWorld, build_records_world


@pytest.fixture
def world(app, make_trust, make_school, make_user, make_class, link) -> RecordsWorld:
    return build_records_world(app, make_trust, make_school, make_user, make_class, link)


def csv_rows(response: Any) -> list[dict[str, str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff"), "UTF-8 with a byte order mark"
    assert "\r\n" in text, "CRLF line ends"
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))


def dashboard_of(app, world: RecordsWorld, filters: Filters) -> Any:
    def build() -> Any:
        school = db.session.get(School, world.school.id)
        scope = build_scope([school], world.year, current_catalogue())
        return build_dashboard(scope, filters, world.year.start_year, {})

    return run_in_app(app, build)


def test_counts_on_screen_equal_the_csv_rows_for_every_audience_and_status(app, client, auth: Auth,
                                                                         world: RecordsWorld) -> None:
    auth.login(world.people["coordinator"])
    top = dashboard_of(app, world, Filters())
    audiences = [group.key for group in top.groups]
    assert {"ks1", "ks2", "ks3", "staff", "governors", "parents", "visitors"} <= set(audiences)
    for audience in audiences:
        group = next(g for g in top.groups if g.key == audience)
        every_row = csv_rows(client.get(f"/records/export/completions.csv?audience={audience}"))
        assert len(every_row) == group.required, audience
        assert len({row["username"] for row in every_row}) == group.people, audience
        for state in COMPLETION_STATES:
            rows = csv_rows(client.get(f"/records/export/completions.csv?audience={audience}&status={state}"))
            assert len(rows) == group.states[state], (audience, state)
            assert {row["status"] for row in rows} <= {state}
        signed = csv_rows(client.get(f"/records/export/agreements.csv?audience={audience}&status=signed"))
        assert len(signed) == group.agreement_signed, audience
        for state in AGREEMENT_STATES:
            rows = csv_rows(client.get(f"/records/export/agreements.csv?audience={audience}&status={state}"))
            assert {row["status"] for row in rows} <= {state}


def test_the_figures_are_the_records(app, world: RecordsWorld) -> None:
    top = {group.key: group for group in dashboard_of(app, world, Filters()).groups}
    assert top["ks2"].people == 3 and top["ks2"].states["completed"] == 1 and top["ks2"].states["in_progress"] == 1
    assert top["ks2"].agreement_signed == 1 and top["ks2"].agreement_people == 3
    assert top["ks1"].states["completed"] == 2 and top["ks1"].agreement_signed == 3  # teacher-led; signed together
    assert top["governors"].states["completed"] == 1
    assert top["staff"].agreement_signed == 1 and top["staff"].people == 2


def test_drilling_down_from_the_audience_to_the_people(app, client, auth: Auth, world: RecordsWorld) -> None:
    auth.login(world.people["coordinator"])
    page = client.get("/records").get_data(as_text=True)
    assert "Key Stage 2" in page or "ks2" in page
    by_year = client.get("/records?audience=ks2").get_data(as_text=True)
    assert "Year 5" in by_year
    by_class = client.get("/records?audience=ks2&year_group=5").get_data(as_text=True)
    assert f"class={world.ks2_class.id}" in by_class
    by_module = client.get(f"/records?audience=ks2&year_group=5&class={world.ks2_class.id}").get_data(as_text=True)
    assert "module=ks2-passwords" in by_module
    people = client.get(f"/records?audience=ks2&year_group=5&class={world.ks2_class.id}&module=ks2-passwords"
                        ).get_data(as_text=True)
    assert "Ada Five" in people and "Ben Five" in people
    assert f"/people/{world.people['ks2_done'].id}?year={world.year.start_year}" in people
    completed_only = client.get("/records?audience=ks2&module=ks2-passwords&status=completed").get_data(as_text=True)
    assert "Ada Five" in completed_only and "Ben Five" not in completed_only


@pytest.mark.parametrize(("query", "status", "message"), [
    ("year=someday", 400, "someday is not an academic year"),
    ("audience=martians", 400, "There is no audience called martians"),
    ("module=nothing", 400, "There is no module called nothing"),
    ("status=lost", 400, "lost is not a status"),
    ("year_group=99", 400, "99 is not a year group"),
    ("class=abc", 400, "abc is not a number"),
])
def test_bad_filters_get_a_clear_message(client, auth: Auth, world: RecordsWorld, query: str, status: int,
                                         message: str) -> None:
    auth.login(world.people["coordinator"])
    for path in ("/records", "/records/export/completions.csv"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == status, path
        assert message in response.get_data(as_text=True), path


def test_another_schools_class_or_school_is_not_found(client, auth: Auth, world: RecordsWorld, make_class) -> None:
    their_class = make_class(world.far_school, year_group=5)
    auth.login(world.people["coordinator"])
    assert client.get(f"/records?class={their_class.id}").status_code == 404
    assert client.get(f"/records?school={world.far_school.id}").status_code == 404


def test_every_formula_is_neutralised_and_reads_back_as_text(client, auth: Auth, world: RecordsWorld) -> None:
    auth.login(world.people["coordinator"])
    for kind in exports.KINDS:
        text = client.get(f"/records/export/{kind}.csv").get_data(as_text=True)
        assert '=HYPERLINK("http://x")' not in text.replace('\'=HYPERLINK', ''), kind
    rows = csv_rows(client.get("/records/export/completions.csv?audience=ks2"))
    names = {row["first_name"] for row in rows}
    assert "'=HYPERLINK(\"http://x\")" in names


@pytest.mark.parametrize("value", ["=1+1", "+44 20", "-3", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_prefixes_every_formula_start(value: str) -> None:
    assert exports.neutralise(value) == "'" + value
    assert exports.neutralise("Ada") == "Ada" and exports.neutralise(-3) == -3


def test_exports_stream_as_generators(client, auth: Auth, world: RecordsWorld) -> None:
    auth.login(world.people["coordinator"])
    response = client.get("/records/export/completions.csv", buffered=False)
    assert response.is_streamed
    assert not isinstance(response.response, list | tuple)
    response.close()


def test_a_download_that_fails_half_way_ends_with_the_error_marker(client, auth: Auth, world: RecordsWorld,
                                                                   monkeypatch) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        yield ["a"] * 17
        raise RuntimeError("the database went away")

    monkeypatch.setattr("eduplatform.reports.views.export_rows", broken)
    auth.login(world.people["coordinator"])
    text = client.get("/records/export/completions.csv").get_data(as_text=True)
    assert text.rstrip("\r\n").endswith(exports.ERROR_MARKER)


def test_a_school_coordinator_sees_only_their_school_and_a_trust_lead_only_their_trust(
        client, auth: Auth, world: RecordsWorld) -> None:
    auth.login(world.people["coordinator"])
    own = {row["school"] for row in csv_rows(client.get("/records/export/attempts.csv"))}
    assert own == {world.school.slug}
    auth.logout()
    auth.login(world.people["trust_lead"])
    rolled = csv_rows(client.get("/records/export/attempts.csv"))
    assert {row["school"] for row in rolled} == {world.school.slug, world.other_school.slug}
    assert "Faraway" not in {row["first_name"] for row in rolled}
    page = client.get("/records").get_data(as_text=True)
    assert "Records School" in page and "Sister School" in page and "Far School" not in page
    one = csv_rows(client.get(f"/records/export/attempts.csv?school={world.other_school.id}"))
    assert {row["school"] for row in one} == {world.other_school.slug}
    assert client.get(f"/records/export/attempts.csv?school={world.far_school.id}").status_code == 404


def test_every_download_is_in_the_access_log(app, client, auth: Auth, world: RecordsWorld) -> None:
    auth.login(world.people["coordinator"])
    rows = csv_rows(client.get("/records/export/completions.csv?audience=ks2&status=completed"))

    def logged() -> list[AuditEvent]:
        return list(db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == AuditAction.EXPORT_DOWNLOADED.value)))

    [event_row] = run_in_app(app, logged)
    assert event_row.actor_id == world.people["coordinator"].id and event_row.school_id == world.school.id
    assert event_row.details["rows"] == len(rows) and event_row.details["complete"] is True
    assert event_row.details["filters"] == {"audience": "ks2", "status": "completed"}
    assert client.get("/records/log?action=export_downloaded").location == "/audit-log?action=export_downloaded"
    log = client.get("/audit-log?action=export_downloaded").get_data(as_text=True)
    assert log.count("rows: 1") == 1 and "Cora Ord" in log
    auth.logout()
    auth.login(world.people["other_coordinator"])
    assert "No entries match these filters." in client.get("/audit-log?action=export_downloaded").get_data(as_text=True)


def _count_queries(app, action: Any) -> int:
    with counting_statements(app) as count:
        run_in_app(app, action)
    return count[0]


def test_the_dashboard_makes_the_same_number_of_queries_however_many_people(app, world: RecordsWorld,
                                                                          make_user) -> None:
    def dashboards() -> None:
        school = db.session.get(School, world.school.id)
        scope = build_scope([school], world.year, current_catalogue())
        for filters in (Filters(), Filters(audience="ks2"), Filters(audience="staff")):
            build_dashboard(scope, filters, world.year.start_year, {})

    before = _count_queries(app, dashboards)
    for number in range(25):
        make_user(Role.PUPIL, school=world.school, year_group=5 + number % 2)
        make_user(Role.PARENT, school=world.school)
    assert _count_queries(app, dashboards) == before


def test_a_past_year_counts_what_was_not_done_as_overdue(app, world: RecordsWorld) -> None:
    from datetime import datetime

    from sqlalchemy import update

    from eduplatform.accounts.models import User

    run_in_app(app, lambda: db.session.execute(update(User).values(created_at=datetime(2000, 1, 1))))
    past = world.year.shifted(-1)

    def build() -> Any:
        school = db.session.get(School, world.school.id)
        return build_dashboard(build_scope([school], past, current_catalogue()), Filters(), world.year.start_year, {})

    groups = {group.key: group for group in run_in_app(app, build).groups}
    assert groups["ks2"].states["overdue"] == groups["ks2"].required > 0
    assert groups["ks2"].states["completed"] == 0


def test_an_agreements_state_comes_from_the_text_and_year_of_each_signature(app, world: RecordsWorld) -> None:
    """Signed: this year's text within its renewal; needs signing again: an older text, or this
    year's text signed too long ago; the newest signature is the one shown. Read in one pass."""
    from datetime import timedelta

    from eduplatform.db import utcnow
    from eduplatform.records.models import AgreementSignature, SignatureMethod
    from eduplatform.reports.rows import agreement_rows

    current = run_in_app(app, lambda: current_catalogue().agreement_content("ks2-aup", "en").version)
    year = world.year.start_year

    def sign(person: str, version: str, academic_year: int, days_ago: int) -> None:
        user = world.people[person]
        db.session.add(AgreementSignature(
            school_id=user.school_id, user_id=user.id, agreement_id="ks2-aup", agreement_version=version,
            locale="en", academic_year=academic_year, method=SignatureMethod.TICKED,
            signed_at=utcnow() - timedelta(days=days_ago)))

    def add_signatures() -> None:
        sign("ks2_trying", "0ldtext", year, 1)  # an older text, this year
        sign("ks2_formula", current, year - 1, 400)  # this year's text, but last year
        sign("ks2_formula", "0ldtext", year, 2)  # then an older text: the newest

    run_in_app(app, add_signatures)

    def rows(states_only: bool = False) -> dict[str, Any]:
        scope = build_scope([db.session.get(School, world.school.id)], world.year, current_catalogue())
        found = agreement_rows(scope, Filters(audience="ks2"), year, states_only=states_only)
        if states_only:  # the dashboard's figures: the states alone
            return dict(db.session.execute(select(found.c.user_id, found.c.status)
                                           .where(found.c.agreement_id == "ks2-aup")).all())
        return {user_id: (status, version) for user_id, status, version in db.session.execute(
            select(found.c.user_id, found.c.status, found.c.version_signed)
            .where(found.c.agreement_id == "ks2-aup"))}

    states = run_in_app(app, rows)
    assert run_in_app(app, lambda: rows(states_only=True)) == {user: state for user, (state, _) in states.items()}
    assert states[world.people["ks2_done"].id] == ("signed", current)
    assert states[world.people["ks2_trying"].id] == ("needs_signing_again", "0ldtext")
    assert states[world.people["ks2_formula"].id] == ("needs_signing_again", "0ldtext")
