"""The audit's concerns section (counts only: by category and by term, this year beside last year) and
its filtering and monitoring section (checks, changes, the last check, days in date), the self-review's
"reporting" evidence drafted from them, and the query count.

The audited year is last year (every term of it is past, whatever the date the tests run); "last year"
beside it is the year before. Concerns are made through the reporting service and their moment set in
the school's time zone, so the term boundaries (midnight on 1 January and 1 April, London time) are tested.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import User
from eduplatform.catalogue import current_catalogue
from eduplatform.concerns import services
from eduplatform.concerns.models import FilteringKind
from eduplatform.db import db
from eduplatform.records.programme import ensure_programme_snapshot
from eduplatform.reports.audit import Audit
from eduplatform.reports.audit_build import build_audit
from eduplatform.reports.evidence import draft
from eduplatform.reports.scope import build_scope
from eduplatform.roles import Role
from eduplatform.schools.models import School
from tests.conftest import Auth, counting_statements, run_in_app
from tests.records_world import RecordsWorld, build_records_world

SCHEMA = Path(__file__).parent.parent / "docs" / "audit.schema.json"
LONDON = ZoneInfo("Europe/London")
#: What the reports say: none of it may reach the audit.
SECRET = "Kestrel-Quince said the bus shelter photo"


@pytest.fixture
def world(app, make_trust, make_school, make_user, make_class, link) -> RecordsWorld:
    return build_records_world(app, make_trust, make_school, make_user, make_class, link)


@pytest.fixture
def reporters(world: RecordsWorld, make_user) -> dict[str, Any]:
    """People with names and usernames found nowhere else in the audit."""
    return {
        "pupil": make_user(Role.PUPIL, school=world.school, year_group=5, first_name="Zebedee", last_name="Quartzfield",
                           username="zquartzfield"),
        "staff": make_user(Role.STAFF, school=world.school, first_name="Ulrika", last_name="Vantablack",
                           username="uvantablack"),
        "parent": make_user(Role.PARENT, school=world.school, first_name="Orsolya", last_name="Nimbleton",
                            username="onimbleton"),
        "sister": make_user(Role.PUPIL, school=world.other_school, year_group=5, first_name="Sibyl",
                            username="ssister"),
    }


def _years(world: RecordsWorld) -> tuple[AcademicYear, AcademicYear]:
    """The audited year (last year, all past) and the year before it."""
    return world.year.shifted(-1), world.year.shifted(-2)


def _stored(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    """A London wall-clock moment as stored (naive UTC)."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON).astimezone(UTC).replace(tzinfo=None)


def _concern(app, reporter: Any, category: str, at: datetime, *, about: Any = None) -> None:
    def write() -> None:
        concern = services.report_concern(db.session.get(User, reporter.id), category=category,
                                          text=f"{SECRET} ({category})", about_id=about.id if about else None)
        concern.reported_at = at

    run_in_app(app, write)


def _check(app, school_id: int, done_on: date, kind: FilteringKind = FilteringKind.CHECK) -> None:
    run_in_app(app, lambda: services.record_filtering(
        school_id, None, kind=kind, done_on=done_on, what="Searched for harmful content on a pupil laptop",
        result="Blocked", with_whom="Gwendolyn Governorfield, governor responsible"))


def _audit(app, world: RecordsWorld, year: AcademicYear, *schools: Any) -> Audit:
    def build() -> Audit:
        found = [db.session.get(School, s.id) for s in (schools or (world.school,))]
        return build_audit(build_scope(found, year, current_catalogue()), current_catalogue(), "en")

    return run_in_app(app, build)


def _store_programme(app, school_id: int, year: AcademicYear) -> None:
    """Records of that year exist (its programme is stored), so the audit compares with it."""
    run_in_app(app, lambda: ensure_programme_snapshot(school_id, year, current_catalogue()))


@pytest.fixture
def logged(app, world: RecordsWorld, reporters: dict[str, Any]) -> dict[str, Any]:
    """Concerns in every term of the audited year and in the year before; filtering checks and changes.

    Audited year: autumn 2 cyberbullying (one a minute before midnight on 31 December) + 1 grooming;
    spring 1 cyberbullying (a minute after midnight on 1 January) + 1 online hate (a minute before
    midnight on 31 March, summer time); summer 1 cyberbullying (a minute after midnight on 1 April)
    + 1 something else (on the last day of August). Year before: 1 grooming (a minute before midnight
    on 31 August, summer time). Another school's concern is never counted.
    """
    audited, before = _years(world)
    start = audited.start_year
    pupil, staff, parent = reporters["pupil"], reporters["staff"], reporters["parent"]
    for reporter, category, at, about in (
            (pupil, "cyberbullying", _stored(start, 9, 1, 0, 1), None),
            (staff, "cyberbullying", _stored(start, 12, 31, 23, 59), pupil),
            (parent, "grooming", _stored(start, 11, 5), pupil),
            (pupil, "cyberbullying", _stored(start + 1, 1, 1, 0, 1), None),
            (staff, "online_hate", _stored(start + 1, 3, 31, 23, 59), pupil),
            (parent, "cyberbullying", _stored(start + 1, 4, 1, 0, 1), pupil),
            (pupil, "something_else", _stored(start + 1, 8, 31, 23, 0), None),
            (staff, "grooming", _stored(start, 8, 31, 23, 59), pupil)):
        _concern(app, reporter, category, at, about=about)
    _concern(app, reporters["sister"], "nudes", _stored(start, 10, 1))
    _store_programme(app, world.school.id, before)
    _store_programme(app, world.other_school.id, before)

    # Checks due every 100 days: one 10 days before the year (in date for its first 91 days), one on day 200
    # (in date for 101 days); a change in the year and one the year before; an older check ignored.
    run_in_app(app, lambda: setattr(db.session.get(School, world.school.id), "filtering_check_days", 100))
    first = audited.first_day
    _check(app, world.school.id, first - timedelta(days=500))
    _check(app, world.school.id, first - timedelta(days=10))
    _check(app, world.school.id, first + timedelta(days=200))
    _check(app, world.school.id, first + timedelta(days=30), FilteringKind.CHANGE)
    _check(app, world.school.id, first - timedelta(days=40), FilteringKind.CHANGE)
    _check(app, world.other_school.id, first + timedelta(days=5))
    return {"year": audited, "days": (audited.last_day - audited.first_day).days + 1,
            "last_check": first + timedelta(days=200)}


def _counts(audit: Audit, measure: str, **keys: Any) -> tuple[int | None, int | None]:
    figure = audit.figure("concerns", measure, **keys)
    assert figure is not None, (measure, keys)
    return figure.count, figure.previous_count


# --- The counts ----------------------------------------------------------------------------------


def test_the_concerns_are_counted_by_category_and_term_beside_last_year(app, world: RecordsWorld,
                                                                      logged: dict[str, Any]) -> None:
    audit = _audit(app, world, logged["year"])
    assert _counts(audit, "concerns_reported") == (7, 1)
    by_category = {f.item: (f.count, f.previous_count) for f in audit.figures_of("concerns", "concerns_by_category")}
    assert by_category == {"cyberbullying": (4, 0), "nudes": (0, 0), "grooming": (1, 1), "indecent_images": (0, 0),
                           "online_hate": (1, 0), "radicalisation": (0, 0), "inappropriate_content": (0, 0),
                           "something_else": (1, 0)}
    assert [_counts(audit, f"concerns_{term}") for term in ("autumn", "spring", "summer")] == [(3, 0), (2, 0),
                                                                                               (2, 1)]
    assert _counts(audit, "concerns_autumn", item="cyberbullying") == (2, 0)
    assert _counts(audit, "concerns_spring", item="cyberbullying") == (1, 0)
    assert _counts(audit, "concerns_spring", item="online_hate") == (1, 0)
    assert _counts(audit, "concerns_summer", item="cyberbullying") == (1, 0)
    assert _counts(audit, "concerns_summer", item="grooming") == (0, 1)
    assert audit.figure("concerns", "concerns_reported").unit == "count"
    assert audit.label("categories", "online_hate") == "Online hate"

    past = _audit(app, world, logged["year"].shifted(-1))
    assert past.figure("concerns", "concerns_reported").count == 1


def test_without_last_years_records_there_is_nothing_to_compare_with(app, world: RecordsWorld,
                                                                     reporters: dict[str, Any]) -> None:
    audited, _before = _years(world)
    _concern(app, reporters["pupil"], "grooming", _stored(audited.start_year, 10, 1))
    audit = _audit(app, world, audited)
    assert _counts(audit, "concerns_reported") == (1, None)
    assert audit.figure("filtering", "filtering_checks").previous_count is None


def test_a_trust_counts_each_school_and_the_total(app, world: RecordsWorld, logged: dict[str, Any]) -> None:
    audit = _audit(app, world, logged["year"], world.school, world.other_school)
    totals = {school: audit.figure("concerns", "concerns_reported", school=school).count
              for school in (None, world.school.slug, world.other_school.slug)}
    assert totals == {None: 8, world.school.slug: 7, world.other_school.slug: 1}
    assert audit.figure("concerns", "concerns_by_category", item="nudes").count == 1
    assert audit.figure("filtering", "filtering_checks").count == 2
    assert audit.figure("filtering", "filtering_checks", school=world.other_school.slug).count == 1
    assert audit.filtering[world.other_school.slug]["last_check"] == (logged["year"].first_day
                                                                       + timedelta(days=5)).isoformat()


def test_the_filtering_section_counts_checks_changes_the_last_check_and_the_days_in_date(
        app, world: RecordsWorld, logged: dict[str, Any]) -> None:
    audit = _audit(app, world, logged["year"])
    checks, changes = audit.figure("filtering", "filtering_checks"), audit.figure("filtering", "filtering_changes")
    assert (checks.count, checks.previous_count) == (1, 1)  # the one 10 days before the year was last year's
    assert (changes.count, changes.previous_count) == (1, 1)
    in_date = audit.figure("filtering", "filtering_days_in_date")
    assert (in_date.unit, in_date.count, in_date.total) == ("percent", 91 + 101, logged["days"])
    assert in_date.value == round(100 * 192 / logged["days"], 1)
    assert audit.filtering == {world.school.slug: {"last_check": logged["last_check"].isoformat(), "check_days": 100}}


def test_checks_all_year_round_keep_the_school_in_date_every_day(app, world: RecordsWorld) -> None:
    audited, _before = _years(world)
    for offset in (-365, 0, 365):  # the interval is 365 days: one a year, the due day included
        _check(app, world.school.id, audited.first_day + timedelta(days=offset))
    in_date = _audit(app, world, audited).figure("filtering", "filtering_days_in_date")
    assert in_date.count == in_date.total == (audited.last_day - audited.first_day).days + 1


def test_a_school_that_never_checked_has_no_last_check_and_no_day_in_date(app, world: RecordsWorld) -> None:
    audited, _before = _years(world)
    audit = _audit(app, world, audited)
    assert audit.figure("filtering", "filtering_checks").count == 0
    assert audit.figure("filtering", "filtering_days_in_date").count == 0
    assert audit.filtering[world.school.slug]["last_check"] is None
    assert audit.figure("concerns", "concerns_reported").count == 0


# --- The renderings: counts, never a name, a username or a word of a report --------------------------


def _leaks(text: str, reporters: dict[str, Any]) -> list[str]:
    found = [SECRET, "Kestrel", "bus shelter"]
    for person in reporters.values():
        found += [person.first_name, person.last_name, person.username]
    return [word for word in found if word and word in text]


def test_the_page_shows_the_counts_and_no_name_or_text(app, client, auth: Auth, world: RecordsWorld,
                                                       logged: dict[str, Any], reporters: dict[str, Any]) -> None:
    auth.login(world.people["coordinator"])
    page = client.get(f"/audit?year={logged['year'].start_year}").get_data(as_text=True)
    assert "7. Concerns reported" in page and "8. Filtering and monitoring" in page
    assert "Cyberbullying" in page and "Online hate" in page and "All concerns" in page
    assert "Filtering and monitoring checks recorded" in page and "Changes to what is blocked or allowed" in page
    assert logged["last_check"].isoformat() in page and "100 days" in page
    assert _leaks(page, reporters) == []
    assert "Governorfield" not in page  # who took part in a check stays in the log


def test_the_csv_and_json_carry_the_counts_and_no_name_or_text(app, client, auth: Auth, world: RecordsWorld,
                                                               logged: dict[str, Any],
                                                               reporters: dict[str, Any]) -> None:
    from jsonschema import Draft202012Validator

    auth.login(world.people["coordinator"])
    year = logged["year"].start_year
    text = client.get(f"/audit/download.csv?year={year}").get_data(as_text=True)
    assert _leaks(text, reporters) == []
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    by_item = {row["item"]: row["count"] for row in rows if row["measure"] == "concerns_by_category"}
    assert by_item["cyberbullying"] == "4" and by_item["radicalisation"] == "0"
    total = next(row for row in rows if row["measure"] == "concerns_reported")
    assert (total["count"], total["previous_count"]) == ("7", "1")
    last = next(row for row in rows if row["measure"] == "last_check")
    assert last["text"] == logged["last_check"].isoformat()
    assert next(row for row in rows if row["measure"] == "check_days")["value"] in {"100", "100.0"}
    assert [row["count"] for row in rows if row["measure"] == "concerns_summer" and not row["item"]] == ["2"]

    raw = client.get(f"/audit/download.json?year={year}").get_data(as_text=True)
    assert _leaks(raw, reporters) == [] and "Governorfield" not in raw
    data = json.loads(raw)
    Draft202012Validator(json.loads(SCHEMA.read_text())).validate(data)
    back = Audit.from_json(data)
    assert back.figure("concerns", "concerns_by_category", item="cyberbullying").count == 4
    assert back.figure("concerns", "concerns_spring").count == 2
    assert back.filtering[world.school.slug]["last_check"] == logged["last_check"].isoformat()
    assert back.label("categories", "grooming") == "Online abuse or grooming"


def test_the_pdf_carries_both_sections_and_no_name_or_text(client, auth: Auth, world: RecordsWorld,
                                                           logged: dict[str, Any], reporters: dict[str, Any],
                                                           caplog: pytest.LogCaptureFixture) -> None:
    from pypdf import PdfReader

    from eduplatform.pdf import pdf_unavailable_reason

    if pdf_unavailable_reason():
        if os.environ.get("EDUPLATFORM_REQUIRE_PDF") == "1":
            pytest.fail(f"{pdf_unavailable_reason()} (EDUPLATFORM_REQUIRE_PDF=1 requires PDFs)", pytrace=False)
        pytest.skip(pdf_unavailable_reason())
    auth.login(world.people["coordinator"])
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        response = client.get(f"/audit/download.pdf?year={logged['year'].start_year}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Concerns reported" in text and "Cyberbullying" in text and "Filtering and monitoring" in text
    assert logged["last_check"].isoformat() in text
    assert _leaks(text, reporters) == [] and "Governorfield" not in text
    assert _leaks(response.data.decode("latin-1"), reporters) == []


# --- The self-review's evidence ------------------------------------------------------------------


def test_the_reporting_evidence_is_drafted_from_the_counts(app, world: RecordsWorld, logged: dict[str, Any],
                                                          reporters: dict[str, Any]) -> None:
    audit = _audit(app, world, logged["year"])
    share = f"{round(100 * 192 / logged['days'], 1):g}"
    with app.test_request_context():
        sentence = draft("reporting", audit)
    assert sentence == (
        "7 concerns were reported through the platform this year (autumn 3, spring 2, summer 2). "
        "The most reported kind: Cyberbullying (4). Last year: 1. "
        f"1 filtering and monitoring check was recorded this year. A check was in date on 192 of {logged['days']} "
        f"days so far ({share}%).")
    assert _leaks(sentence, reporters) == []


def test_the_reporting_evidence_without_concerns_or_checks(app, world: RecordsWorld) -> None:
    audited, _before = _years(world)
    audit = _audit(app, world, audited)
    with app.test_request_context():
        assert draft("reporting", audit) == ("0 concerns were reported through the platform this year (autumn 0, "
                                             "spring 0, summer 0). No filtering and monitoring check was recorded "
                                             "this year.")


# --- The cost ------------------------------------------------------------------------------------


def test_the_audit_makes_the_same_number_of_statements_however_many_concerns(app, world: RecordsWorld,
                                                                            logged: dict[str, Any],
                                                                            reporters: dict[str, Any]) -> None:
    year = logged["year"]

    def build() -> None:
        school = db.session.get(School, world.school.id)
        build_audit(build_scope([school], year, current_catalogue()), current_catalogue(), "en")

    def statements() -> int:
        with app.test_request_context(), counting_statements(app) as count:
            run_in_app(app, build)
        return count[0]

    before = statements()
    for number in range(12):
        _concern(app, reporters["staff"], ("nudes", "radicalisation", "indecent_images")[number % 3],
                 _stored(year.start_year + 1, 2 + number % 6, 1 + number), about=reporters["pupil"])
        _concern(app, reporters["pupil"], "cyberbullying", _stored(year.start_year - 1, 10, 1 + number))
        _check(app, world.school.id, year.first_day + timedelta(days=number * 20),
               FilteringKind.CHECK if number % 2 else FilteringKind.CHANGE)
    assert statements() == before
    assert _audit(app, world, year).figure("concerns", "concerns_reported").count == 19
