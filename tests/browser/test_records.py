"""A coordinator drills down to a class, downloads its rows, then rates, edits, signs and downloads the audit."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips (or fails) every test here with one reason
    expect = None

from eduplatform.accounts.services import create_user
from eduplatform.catalogue import current_catalogue
from eduplatform.db import db
from eduplatform.records import services
from eduplatform.records.grading import grade
from eduplatform.roles import Role
from eduplatform.schools.services import assign_teacher, create_class, create_school, enrol_pupil
from eduplatform.schools.years import current_year

from .conftest import PASSWORD, Person

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import LiveServer

#: In a school of its own, so the other journeys' people and records do not change its figures.
COORDINATOR = Person(username="elm.coordinator", first_name="Elinor", last_name="Marsh")


def _school_with_a_class(live_server: LiveServer) -> None:
    with live_server.app.app_context():
        school = create_school(name="Elm Academy", slug="elm-academy")
        coordinator = create_user(username=COORDINATOR.username, first_name=COORDINATOR.first_name,
                                  last_name=COORDINATOR.last_name, roles={Role.COORDINATOR, Role.STAFF},
                                  school_id=school.id, password=PASSWORD)
        year = current_year(school)
        school_class = create_class(school=school, name="5 Willow", year_group=5, year=year)
        assign_teacher(school_class, coordinator)
        pupils = [create_user(username=f"elm.pupil{n}", first_name=f"Pupil{n}", last_name="Elm",
                              roles={Role.PUPIL}, school_id=school.id, year_group=5) for n in range(4)]
        for pupil in pupils:
            enrol_pupil(school_class, pupil)
        catalogue = current_catalogue()
        module = catalogue.modules["ks2-passwords"]
        quiz = catalogue.module_content(module.id, "en").quiz
        answers = {"q1": ["b"], "q2": ["a", "c"], "q3": ["true"], "q4": ["false"]}
        services.record_quiz_attempt(pupils[0], module, quiz, grade(quiz, answers, module.pass_mark), "elm-1", year,
                                     catalogue)
        db.session.commit()


def test_the_coordinator_drills_down_exports_and_signs_off_the_audit(page: Page, live_server: LiveServer,
                                                                     sign_in, tmp_path) -> None:
    _school_with_a_class(live_server)
    sign_in(page, COORDINATOR)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Records").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Records")
    page.get_by_role("link", name="Key Stage 2 (ages 7-11)").click()
    page.get_by_role("link", name="Year 5").click()
    page.get_by_role("link", name="5 Willow").click()
    expect(page.get_by_role("heading", name="By module")).to_be_visible()
    expect(page.locator("table.figures tbody tr").first).to_contain_text("4")  # four pupils

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download these rows (CSV)").click()
    saved = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(saved)
    rows = list(csv.DictReader(io.StringIO(saved.read_text(encoding="utf-8-sig"), newline="")))
    assert {row["class"] for row in rows} == {"5 Willow"} and len(rows) == 4
    assert sorted(row["status"] for row in rows) == ["in_progress", "not_started", "not_started", "not_started"]

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Online-safety programme audit")
    aspect = page.locator("#aspect-pupil_agreements")
    aspect.get_by_text("Rate and edit").click()
    aspect.get_by_label("2 Fixture level two.").check()
    drafted = aspect.locator(".draft").inner_text()
    assert "pupils" in drafted
    aspect.get_by_label("Use the evidence drafted from the records").uncheck()
    aspect.get_by_label("Evidence", exact=True).fill(drafted + " Checked against the class lists.")
    aspect.get_by_role("button", name="Save this aspect").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.locator("#aspect-pupil_agreements td.level")).to_have_text("2")
    expect(page.locator("#aspect-pupil_agreements")).to_contain_text("Checked against the class lists.")

    sign_off = page.locator("#sign-off")
    sign_off.get_by_label("Your full name (your signature)").fill("Elinor Marsh")
    sign_off.get_by_label("Chair of governors").fill("Dev Governor")
    sign_off.get_by_label("Date the governors approved it").fill("2027-07-10")
    sign_off.get_by_label("I understand that once signed").check()
    sign_off.get_by_role("button", name="Sign off and freeze the report").click()
    expect(page.get_by_role("status")).to_contain_text("is signed and frozen")
    expect(page.locator("#sign-off")).to_contain_text("Dev Governor")

    with page.expect_download() as pdf_info:
        page.get_by_role("link", name="Download PDF").click()
    pdf = tmp_path / "audit.pdf"
    pdf_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
