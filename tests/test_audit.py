"""The yearly audit: figures, self-review, action plan, sign-off and freezing, files, CLI, who may see it."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from eduplatform.academic_year import AcademicYear
from eduplatform.catalogue import current_catalogue
from eduplatform.db import db
from eduplatform.records import services as records
from eduplatform.records.models import SignatureMethod
from eduplatform.reports.audit import Audit, Figure
from eduplatform.reports.audit_build import build_audit
from eduplatform.reports.evidence import DRAFTERS, draft
from eduplatform.reports.models import AuditReview
from eduplatform.reports.scope import build_scope
from eduplatform.roles import Role
from eduplatform.schools.models import School
from tests.conftest import Auth, run_in_app, run_together
from tests.records_world import RecordsWorld, build_records_world
from tests.test_records import _count_queries

SCHEMA = Path(__file__).parent.parent / "docs" / "audit.schema.json"


@pytest.fixture
def world(app, make_trust, make_school, make_user, make_class, link) -> RecordsWorld:
    return build_records_world(app, make_trust, make_school, make_user, make_class, link)


def audit_of(app, world: RecordsWorld, year: AcademicYear | None = None) -> Audit:
    def build() -> Audit:
        school = db.session.get(School, world.school.id)
        review = db.session.scalar(select(AuditReview).where(AuditReview.school_id == school.id))
        return build_audit(build_scope([school], year or world.year, current_catalogue()), current_catalogue(), "en",
                           review)

    return run_in_app(app, build)


def test_the_audit_reports_the_records(app, world: RecordsWorld) -> None:
    audit = audit_of(app, world)
    pupils = audit.figure("summary", "pupil_modules_completed")
    assert (pupils.count, pupils.total) == (3, 7)  # 1 of 3 in KS2, 2 of 3 in KS1 (teacher-led), 0 of 1 in KS3
    assert audit.figure("programme", "method_teacher_led", "ks1").count == 2
    assert audit.figure("agreements", "signed", "ks1", "ks1-aup").count == 3
    assert [(s.class_name, s.witness, s.pupils) for s in audit.class_signings] == [
        (world.ks1_class.name, "Tess Cher", 3)]
    assert audit.figure("outcomes", "mean_score", "ks2").total == 8  # two attempts of four questions
    assert audit.figure("parents", "consents_returned").count == 2
    assert audit.weakest_strands["ks2"][0] in {"privacy_security", "online_bullying"}
    assert audit.missed_questions and audit.missed_questions[0].audience == "ks2"
    assert [item.aspect for item in audit.review] == ["staff_training", "pupil_agreements", "filtering"]
    assert "pupils" in audit.review[1].evidence_draft and audit.review[2].evidence_draft == ""


def test_the_json_follows_its_published_schema_and_reads_back(app, world: RecordsWorld) -> None:
    from jsonschema import Draft202012Validator

    data = json.loads(json.dumps(audit_of(app, world).to_json()))
    Draft202012Validator(json.loads(SCHEMA.read_text())).validate(data)
    assert Audit.from_json(data).to_json() == data


@pytest.mark.parametrize("drafter", sorted(DRAFTERS))
def test_every_drafter_writes_a_sentence_with_or_without_records(drafter: str, app) -> None:
    empty = Audit(year=2026, year_label="2026/27", previous_label="2025/26", subject={"slug": "s", "name": "S"},
                  is_trust=False, schools=[], generated_at="", programme_stored=True, figures=[])
    with app.test_request_context():
        assert draft(drafter, empty)


def test_the_refresher_evidence_counts_the_staff_and_the_overdue(app) -> None:
    figures = [Figure("staff", "refresher", audience="staff", count=46, total=48, value=95.8, previous=90.0,
                      previous_count=36, previous_total=40),
               Figure("staff", "refresher_overdue", audience="staff", count=2, total=48, value=4.2)]
    audit = Audit(year=2026, year_label="2026/27", previous_label="2025/26", subject={"slug": "s", "name": "S"},
                  is_trust=False, schools=[], generated_at="", programme_stored=True, figures=figures)
    with app.test_request_context():
        assert draft("staff_refresher", audit) == ("46 of 48 staff (95.8%) completed the annual refresher; 2 overdue. "
                                                   "Last year: 90%.")


def test_the_coordinator_rates_drafts_plans_and_signs_off(app, client, auth: Auth, world: RecordsWorld) -> None:
    auth.login(world.people["coordinator"])
    page = client.get("/audit").get_data(as_text=True)
    for title in ("1. Summary", "2. Programme delivered", "3. Acceptable use agreements", "4. Pupil outcomes",
                  "5. Staff and governors", "6. Parents and carers", "7. Concerns reported",
                  "8. Filtering and monitoring", "9. Year on year", "10. Self-review", "11. Sign-off"):
        assert title in page
    assert "<svg" in page and "<title id=\"chart-completion-t\">" in page
    year = world.year.start_year
    assert auth.post("/audit/aspects/filtering", {"year": year, "level": "2", "commentary": "Checked weekly",
                                                  "evidence": "Filter logs reviewed"}, token_from="/audit"
                     ).status_code == 302
    assert auth.post("/audit/aspects/pupil_agreements", {"year": year, "level": "3", "keep_draft": "y",
                                                         "evidence": "ignored"}, token_from="/audit").status_code == 302
    assert auth.post("/audit/actions", {"year": year, "action": "Teach passwords again", "owner": "KS2 lead",
                                        "due_on": "2027-03-01"}, token_from="/audit").status_code == 302
    audit = audit_of(app, world)
    rated = {item.aspect: item for item in audit.review}
    assert rated["filtering"].level == 2 and rated["filtering"].evidence == "Filter logs reviewed"
    assert rated["pupil_agreements"].evidence == rated["pupil_agreements"].evidence_draft
    assert [(a.action, a.owner, a.due_on) for a in audit.actions] == [("Teach passwords again", "KS2 lead",
                                                                        "2027-03-01")]
    wrong_name = auth.post("/audit/sign-off", {"year": year, "coordinator_name": "Someone Else", "chair_name": "Jo",
                                               "chair_signed_on": "2027-07-01", "confirm": "y"}, token_from="/audit")
    assert "type your full name exactly" in client.get(wrong_name.headers["Location"]).get_data(as_text=True)
    assert not audit_of(app, world).signed
    auth.post("/audit/sign-off", {"year": year, "coordinator_name": "Cora Ord", "chair_name": "Jo Chair",
                                  "chair_signed_on": "2027-07-01", "confirm": "y"}, token_from="/audit")
    signed = audit_of(app, world)
    assert signed.signed and signed.sign_off.chair_name == "Jo Chair"
    assert "Signed and frozen" in client.get("/audit").get_data(as_text=True)


def test_a_signed_audit_is_frozen(app, client, auth: Auth, world: RecordsWorld) -> None:
    auth.login(world.people["coordinator"])
    year = world.year.start_year
    auth.post("/audit/sign-off", {"year": year, "coordinator_name": "Cora Ord", "chair_name": "Jo Chair",
                                  "chair_signed_on": "2027-07-01", "confirm": "y"}, token_from="/audit")
    before = audit_of(app, world).to_json()

    def more_records() -> None:
        catalogue = current_catalogue()
        pupil = db.session.get(type(world.people["ks2_trying"]), world.people["ks2_trying"].id)
        records.record_signature(pupil, catalogue.agreement_content("ks2-aup", "en"), SignatureMethod.TICKED,
                                 world.year, catalogue)

    run_in_app(app, more_records)
    assert audit_of(app, world).to_json() == before
    refused = auth.post("/audit/aspects/filtering", {"year": year, "level": "1"}, token_from="/audit")
    assert "signed and frozen" in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert audit_of(app, world).to_json() == before
    assert "<form method=\"post\" action=\"/audit/aspects" not in client.get("/audit").get_data(as_text=True)


def test_governors_read_only_signed_audits(app, client, auth: Auth, world: RecordsWorld) -> None:
    auth.login(world.people["governor"])
    page = client.get("/audit").get_data(as_text=True)
    assert "has not been signed off yet" in page
    assert client.get("/audit/download.json").status_code == 404
    assert auth.post("/audit/aspects/filtering", {"year": world.year.start_year, "level": "1"}).status_code == 403
    auth.logout()
    auth.login(world.people["coordinator"])
    auth.post("/audit/sign-off", {"year": world.year.start_year, "coordinator_name": "Cora Ord", "chair_name": "Jo",
                                  "chair_signed_on": "2027-07-01", "confirm": "y"}, token_from="/audit")
    auth.logout()
    auth.login(world.people["governor"])
    assert "11. Sign-off" in client.get("/audit").get_data(as_text=True)
    assert client.get("/audit/download.json").status_code == 200


def test_a_trust_lead_sees_each_school_and_the_trust_total(client, auth: Auth, world: RecordsWorld) -> None:
    auth.login(world.people["trust_lead"])
    page = client.get("/audit").get_data(as_text=True)
    assert "Trust total" in page and "Records School" in page and "Sister School" in page
    assert "Far School" not in page and "10. Self-review" not in page
    assert client.get(f"/audit?school={world.school.id}").status_code == 200
    assert client.get(f"/audit?school={world.far_school.id}").status_code == 404
    data = client.get("/audit/download.json").get_json()
    assert data["is_trust"] and {s["slug"] for s in data["schools"]} == {world.school.slug, world.other_school.slug}


def test_the_pdf_opens_with_the_school_name_and_every_strand(app, client, auth: Auth, world: RecordsWorld,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    from pypdf import PdfReader

    from eduplatform.pdf import pdf_unavailable_reason

    if pdf_unavailable_reason():
        if os.environ.get("EDUPLATFORM_REQUIRE_PDF") == "1":
            pytest.fail(f"{pdf_unavailable_reason()} (EDUPLATFORM_REQUIRE_PDF=1 requires PDFs)", pytrace=False)
        pytest.skip(pdf_unavailable_reason())
    auth.login(world.people["coordinator"])
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        response = client.get("/audit/download.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []  # every file loaded
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Records School" in text
    strands = run_in_app(app, lambda: [current_catalogue().label("strands", s, "en")
                                       for s in current_catalogue().strands])
    missing = [strand for strand in strands if strand not in text]
    assert missing == []
    assert len(reader.pages) >= 5


def test_the_audit_csv_has_one_row_per_figure_and_is_formula_safe(app, client, auth: Auth, world: RecordsWorld,
                                                                 make_user, make_class) -> None:
    witness = make_user(Role.STAFF, school=world.school, first_name="=cmd", last_name="|calc")

    def sign_together() -> None:
        from eduplatform.schools.models import SchoolClass

        catalogue = current_catalogue()
        school_class = db.session.get(SchoolClass, world.ks1_class.id)
        records.record_class_signing(witness, school_class, catalogue.agreement_content("ks1-aup", "en"), [],
                                     world.year, catalogue)

    run_in_app(app, sign_together)
    auth.login(world.people["coordinator"])
    text = client.get("/audit/download.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    figures = [row for row in rows if row["section"] in {"summary", "people", "programme", "agreements", "outcomes",
                                                         "staff", "parents", "concerns", "filtering"}
               and row["measure"] not in {"class_signing", "last_check", "check_days"}]
    assert len(figures) == len(audit_of(app, world).figures)
    assert {"section", "measure", "audience", "strand", "value", "previous_value"} <= set(rows[0])
    assert any(row["text"].endswith("=cmd |calc") for row in rows)
    assert not any(cell.startswith("=") for row in rows for cell in row.values())


def test_the_audit_makes_the_same_number_of_queries_however_many_people(app, world: RecordsWorld,
                                                                       make_user) -> None:
    def build() -> None:
        school = db.session.get(School, world.school.id)
        build_audit(build_scope([school], world.year, current_catalogue()), current_catalogue(), "en")

    with app.test_request_context():
        before = _count_queries(app, build)
    for number in range(30):
        make_user(Role.PUPIL, school=world.school, year_group=number % 12)
        make_user(Role.STAFF, school=world.school)
    with app.test_request_context():
        assert _count_queries(app, build) == before


# --- The command line ----------------------------------------------------------------------------


def test_export_and_audit_from_the_command_line(app, world: RecordsWorld, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    out = tmp_path / "completions.csv"
    result = runner.invoke(args=["export", "completions", "--school", world.school.slug, "--audience", "ks2",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8").lstrip("\ufeff"), newline="")))
    assert len(rows) == 3 and {row["school"] for row in rows} == {world.school.slug}
    trust = tmp_path / "trust.csv"
    assert runner.invoke(args=["export", "attempts", "--trust", world.trust.slug, "--no-bom", "--out", str(trust)]
                         ).exit_code == 0
    assert not trust.read_text(encoding="utf-8").startswith("\ufeff")
    for fmt in ("json", "csv", "html"):
        target = tmp_path / f"audit.{fmt}"
        result = runner.invoke(args=["audit", "--school", world.school.slug, "--format", fmt, "--out", str(target)])
        assert result.exit_code == 0, result.output
        assert world.school.name in target.read_text(encoding="utf-8") or fmt == "csv"
    assert json.loads((tmp_path / "audit.json").read_text())["schema"] == "eduplatform.audit/1"


@pytest.mark.parametrize(("args", "message"), [
    (["export", "completions", "--school", "nowhere"], "No school with the slug 'nowhere'"),
    (["export", "completions", "--trust", "nobody"], "No trust with the slug 'nobody'"),
    (["export", "completions", "--year", "20x6"], "'20x6' is not an academic year"),
    (["export", "completions", "--audience", "martians"], "No audience 'martians'"),
    (["export", "completions", "--status", "lost"], "No status 'lost'"),
    (["audit", "--year", "someday"], "'someday' is not an academic year"),
])
def test_bad_arguments_fail_clearly_and_leave_no_file(world: RecordsWorld, app, tmp_path: Path, args: list[str],
                                                      message: str) -> None:
    out = tmp_path / "out.csv"
    if "--school" not in args and "--trust" not in args:
        args = [*args, "--school", world.school.slug]
    result = app.test_cli_runner().invoke(args=[*args, "--out", str(out)])
    assert result.exit_code != 0 and message in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_out_fails_before_any_work(world: RecordsWorld, app, monkeypatch) -> None:
    def never(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("no work may start")

    monkeypatch.setattr("eduplatform.reports.cli.export_rows", never)
    result = app.test_cli_runner().invoke(args=["export", "completions", "--school", world.school.slug, "--out",
                                                "/nonexistent-folder/out.csv"])
    assert result.exit_code != 0 and "Cannot write to /nonexistent-folder/out.csv" in result.output


def test_a_killed_export_leaves_no_truncated_file(world: RecordsWorld, app, tmp_path: Path, monkeypatch) -> None:
    def dies(*_args: Any, **_kwargs: Any) -> Any:
        yield ["a"] * 17
        raise KeyboardInterrupt  # what a kill looks like from inside

    monkeypatch.setattr("eduplatform.reports.cli.export_rows", dies)
    out = tmp_path / "out.csv"
    result = app.test_cli_runner().invoke(args=["export", "completions", "--school", world.school.slug, "--out",
                                                str(out)])
    assert result.exit_code != 0
    assert list(tmp_path.iterdir()) == []


def test_without_pango_the_pdf_says_so_and_everything_else_works(client, auth: Auth, world: RecordsWorld, app,
                                                                tmp_path: Path, monkeypatch) -> None:
    from eduplatform import pdf

    def missing() -> Any:
        raise pdf.PdfUnavailableError("PDF files cannot be made on this server: Pango is missing.")

    monkeypatch.setattr(pdf, "_weasyprint", missing)
    auth.login(world.people["coordinator"])
    page = client.get("/audit").get_data(as_text=True)
    assert "PDF is not available on this server" in page and "Download PDF" not in page
    refused = client.get("/audit/download.pdf")
    assert refused.status_code == 503 and "Pango is missing" in refused.get_data(as_text=True)
    assert client.get("/audit/download.json").status_code == 200
    out = tmp_path / "audit.pdf"
    result = app.test_cli_runner().invoke(args=["audit", "--school", world.school.slug, "--format", "pdf",
                                                "--out", str(out)])
    assert result.exit_code != 0 and "Pango is missing" in result.output and not out.exists()


def test_parallel_first_edits_make_one_review_and_keep_every_rating(concurrent_app) -> None:
    """Six requests rate aspects of a school's audit at once, before any review exists (SQLite and PostgreSQL)."""
    from eduplatform.accounts.services import create_user
    from eduplatform.reports import services as audit_services
    from eduplatform.reports.models import AspectRating
    from eduplatform.schools.services import create_school
    from eduplatform.schools.years import current_year

    with concurrent_app.app_context():
        school = create_school(name="Busy", slug="busy")
        editor = create_user(username="busy.coord", first_name="B", last_name="C", roles={Role.COORDINATOR},
                             school_id=school.id)
        db.session.commit()
        school_id, editor_id, year = school.id, editor.id, current_year(school)
    def rate(number: int) -> None:
        with concurrent_app.test_request_context("/", method="POST"):
            audit_services.rate_aspect(school_id, year, f"aspect-{number}", level=1 + number % 5, commentary="",
                                       evidence=None, editor=db.session.get(type(editor), editor_id))
            db.session.commit()

    assert run_together(*[lambda number=number: rate(number) for number in range(6)]) == []
    with concurrent_app.app_context():
        assert len(db.session.scalars(select(AuditReview)).all()) == 1
        assert sorted(db.session.scalars(select(AspectRating.aspect_id))) == [f"aspect-{n}" for n in range(6)]
