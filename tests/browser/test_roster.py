"""A coordinator imports a CSV with errors, sees the report, fixes the file, previews and imports it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

try:
    from playwright.sync_api import expect
except ImportError:  # conftest.py skips (or fails) every test here with one reason
    expect = None

from sqlalchemy import select

from eduplatform.accounts.models import User
from eduplatform.accounts.services import create_user
from eduplatform.db import db
from eduplatform.roles import Role
from eduplatform.schools.services import create_school

from .conftest import PASSWORD, Person

if TYPE_CHECKING:
    from playwright.sync_api import Page

    from .conftest import LiveServer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "roster"
#: In a school of its own: an import marks everyone of the school who is not in the file as left,
#: and the live server's Oak School people belong to the other journeys.
COORDINATOR = Person(username="roster.coordinator", first_name="Rosa", last_name="Ellis")


def _coordinator_of_a_new_school(live_server: LiveServer) -> int:
    with live_server.app.app_context():
        school = create_school(name="Birch Primary", slug="birch-primary")
        create_user(username=COORDINATOR.username, first_name=COORDINATOR.first_name,
                    last_name=COORDINATOR.last_name, roles={Role.COORDINATOR, Role.STAFF}, school_id=school.id,
                    password=PASSWORD)
        db.session.commit()
        return school.id


def test_a_coordinator_fixes_a_file_with_errors_and_imports_it(page: Page, live_server: LiveServer,
                                                                sign_in) -> None:
    school_id = _coordinator_of_a_new_school(live_server)
    sign_in(page, COORDINATOR)
    page.goto("/roster/import")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import people")

    page.get_by_label("CSV file from your school's MIS").set_input_files(FIXTURES / "with_errors.csv")
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("alert")).to_have_text(
        "The file was not imported: 4 problems to fix. Nothing has changed.")
    report = page.get_by_role("table", name="Problems in the file")
    expect(report.locator("tbody tr")).to_have_count(4)
    expect(report.locator("tbody tr").nth(0)).to_contain_text("3first_nameThis cell is empty but is required.")
    expect(report.locator("tbody tr").nth(1)).to_contain_text('4year_groupUnknown year group "Year 14"')
    expect(report.locator("tbody tr").nth(2)).to_contain_text('5roleUnknown role "teacher"')
    expect(report.locator("tbody tr").nth(3)).to_contain_text('6email"sam-at-example.org" is not a valid email')

    page.get_by_label("CSV file from your school's MIS").set_input_files(FIXTURES / "corrected.csv")
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    expect(page.get_by_text("corrected.csv for Birch Primary")).to_be_visible()
    counts = page.get_by_label("What the import will do")
    expect(counts).to_contain_text("New people5")
    expect(counts).to_contain_text("Marked as left0")
    expect(counts).to_contain_text("New classes2")
    expect(page.get_by_role("row", name="Ava Jones")).to_contain_text("avaj1")
    with live_server.app.app_context():  # the preview changed nothing
        assert db.session.scalars(select(User.username).where(User.school_id == school_id)).all() == [
            COORDINATOR.username]

    page.get_by_role("button", name="Import now").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import complete")
    expect(page.get_by_role("status")).to_have_text("Import complete.")
    expect(page.get_by_label("What the import did")).to_contain_text("New people5")
    expect(page.get_by_role("row", name="4A")).to_contain_text("2")
    with live_server.app.app_context():
        people = {user.username: user for user in db.session.scalars(select(User).where(User.school_id == school_id))}
        assert set(people) == {COORDINATOR.username, "avaj1", "miab1", "leog1", "kimw1", "samj1"}
        assert people["leog1"].year_group == 6 and people["samj1"].roles == {Role.PARENT}
