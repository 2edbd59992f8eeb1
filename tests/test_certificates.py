"""Certificates: issued on completion, renewed, printed as the same PDF every time, checked in public,
downloaded in bulk; and pupils' key-stage certificates (first names only, never stored)."""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from babel.dates import format_date
from pypdf import PdfReader
from sqlalchemy import select

from eduplatform.academic_year import AcademicYear, local_date
from eduplatform.accounts.models import User
from eduplatform.audit.models import AuditAction, AuditEvent
from eduplatform.catalogue import current_catalogue
from eduplatform.db import db, upgrade_database
from eduplatform.pdf import PdfUnavailableError
from eduplatform.records import services as records
from eduplatform.records.certificates import ALPHABET, issue_certificate, new_code, normalise_code
from eduplatform.records.models import Certificate, CompletionMethod, ModuleCompletion
from eduplatform.roles import Role
from eduplatform.schools.years import current_year
from tests.conftest import Auth, run_in_app

#: Today in the schools' time zone: what decides whether a certificate has expired.
TODAY = local_date(datetime.now(UTC), "Europe/London")


def _long(day: date) -> str:
    """A date as certificates and the verification page print it (the English locale's long form)."""
    return format_date(day, "long", locale="en")


def _certificate(app, holder: User, module_id: str = "staff-induction", **fields: Any) -> Certificate:
    """A certificate row as issuing writes it (fields overridable)."""
    values = {"code": new_code(), "school_id": holder.school_id, "user_id": holder.id, "module_id": module_id,
              "module_version": "a1b2c3d4e5f6", "locale": "en", "academic_year": 2026,
              "completed_on": date(2026, 9, 14), "method": "self", "score_percent": 87, "expires_on": None,
              "issued_at": datetime(2026, 9, 14, 10, 30)}
    values.update(fields)

    def add() -> Certificate:
        certificate = Certificate(**values)
        db.session.add(certificate)
        db.session.flush()
        return certificate

    return run_in_app(app, add)


def _supersede(app, old: Certificate, new: Certificate) -> None:
    def mark() -> None:
        db.session.get(Certificate, old.id).superseded_by_id = new.id

    run_in_app(app, mark)


def _pdf_text(body: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def _pages(body: bytes) -> int:
    return len(PdfReader(io.BytesIO(body)).pages)


@pytest.fixture
def coordinator(make_user, school) -> User:
    return make_user(Role.COORDINATOR, Role.STAFF, school=school, first_name="Cara", last_name="Ord")


# --- Issuing -----------------------------------------------------------------------------------------


def test_completing_staff_induction_issues_a_certificate(app, client, auth: Auth, staff) -> None:
    auth.login(staff)
    auth.post("/modules/staff-induction/lessons/staff-induction-roles/read")
    page = client.get("/modules/staff-induction/quiz").get_data(as_text=True)
    token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page).group(1)
    auth.post("/modules/staff-induction/quiz", {"submission_token": token, "q_q1": "true", "q_q2": "b"},
              token_from="/modules/staff-induction/quiz")
    with app.app_context():
        assert db.session.scalars(select(Certificate)).all() == []  # the agreement is still to sign
    auth.post("/agreements/staff-aup/sign", {"typed_name": "Tom Hughes"})
    with app.app_context():
        certificate = db.session.scalars(select(Certificate)).one()
        assert (certificate.user_id, certificate.module_id, certificate.method) == (staff.id, "staff-induction", "self")
        assert certificate.score_percent == 100 and certificate.completed_on == TODAY
        assert certificate.superseded_by_id is None and certificate.expires_on is None  # no rules in the fixtures
        assert normalise_code(certificate.code) == certificate.code


def test_a_renewal_issues_a_new_certificate_and_supersedes_the_old_one(app, staff) -> None:
    this_year = AcademicYear.current()

    def complete(year: AcademicYear) -> None:
        catalogue = current_catalogue()
        person = db.session.get(User, staff.id)
        records.record_completion_for(person, catalogue.modules["staff-induction"], year, person,
                                      CompletionMethod.ATTENDED)

    run_in_app(app, lambda: complete(this_year.shifted(-1)))
    run_in_app(app, lambda: complete(this_year))
    with app.app_context():
        old, new = db.session.scalars(select(Certificate).order_by(Certificate.id)).all()
        assert old.superseded_by_id == new.id and new.superseded_by_id is None
        assert old.code != new.code and new.method == "attended"


def test_pupils_modules_issue_no_certificate(app, pupil) -> None:
    def complete() -> None:
        catalogue = current_catalogue()
        person = db.session.get(User, pupil.id)
        records.record_completion_for(person, catalogue.modules["ks2-passwords"], AcademicYear.current(), person,
                                      CompletionMethod.TEACHER_LED)

    run_in_app(app, complete)
    with app.app_context():
        assert db.session.scalars(select(Certificate)).all() == []


def test_codes_are_ten_characters_of_crockford_base_32_with_fifty_random_bits() -> None:
    assert len(ALPHABET) == 32 and not set("ILOU") & set(ALPHABET)
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000  # 50 random bits: no repeats in a few thousand
    assert all(len(code) == 10 and set(code) <= set(ALPHABET) for code in codes)
    assert 10 * math.log2(len(ALPHABET)) == 50
    for position in range(10):  # every position varies over (nearly) the whole alphabet
        assert len({code[position] for code in codes}) >= 30


@pytest.mark.parametrize(("typed", "stored"), [
    ("7KQ2M-XD9PA", "7KQ2MXD9PA"), ("7kq2m xd9pa", "7KQ2MXD9PA"), (" 7kq2mxd9pa ", "7KQ2MXD9PA"),
    ("O1LIU-00000", "0111V00000"),  # the letters people confuse read as the digits they look like
    ("7KQ2M-XD9P", None), ("7KQ2M-XD9PAB", None), ("7KQ2M-XD9P!", None), ("", None),
])
def test_normalise_code(typed: str, stored: str | None) -> None:
    assert normalise_code(typed) == stored


# --- Expiry from the shipped rules (curriculum/training.yaml) -------------------------------------------


@pytest.fixture(scope="module")
def _shipped_database(real_app) -> None:
    with real_app.app_context():
        upgrade_database(db.engine)


@pytest.fixture
def shipped(real_app, _shipped_database) -> Iterator[Any]:
    """The shipped programme and rules; nothing is committed."""
    with real_app.app_context():
        yield real_app
        db.session.rollback()


def _issue_on(module_id: str, completed: date) -> Certificate:
    from eduplatform.accounts.services import create_user
    from eduplatform.schools.services import create_school

    school = create_school(name="Rule School", slug=f"rule-school-{module_id}")
    person = create_user(username=f"rule.{module_id}", first_name="Rue", last_name="Ling", roles={Role.STAFF},
                         school_id=school.id)
    catalogue = current_catalogue()
    completion = ModuleCompletion(completed_at=datetime(completed.year, completed.month, completed.day, 11),
                                  method=CompletionMethod.SELF, best_percent=90)
    return issue_certificate(person, catalogue.modules[module_id], completion, catalogue,
                             AcademicYear.containing(completed))


@pytest.mark.parametrize(("completed", "expires"), [
    (date(2026, 10, 15), date(2027, 8, 31)),   # the refresher lasts to the end of its academic year
    (date(2026, 9, 1), date(2027, 8, 31)),
    (date(2027, 8, 31), date(2027, 8, 31)),    # done on the last day: in date for that day only
])
def test_the_refresher_certificate_expires_at_the_end_of_the_academic_year(shipped, completed, expires) -> None:
    assert _issue_on("staff-refresher", completed).expires_on == expires


@pytest.mark.parametrize(("completed", "expires"), [
    (date(2026, 3, 15), date(2028, 3, 14)),    # 24 months, less a day
    (date(2027, 8, 31), date(2029, 8, 30)),
    (date(2026, 1, 31), date(2028, 1, 30)),
])
def test_the_dsl_certificate_expires_24_months_less_a_day_after(shipped, completed, expires) -> None:
    assert _issue_on("staff-dsl", completed).expires_on == expires


def test_the_induction_certificate_never_expires(shipped) -> None:
    assert _issue_on("staff-induction", date(2026, 9, 14)).expires_on is None


# --- Public verification ------------------------------------------------------------------------------


def test_a_genuine_current_certificate_verifies_without_signing_in(app, client, staff, school) -> None:
    certificate = _certificate(app, staff, expires_on=TODAY + timedelta(days=30))
    response = client.get(f"/verify/{certificate.code}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["X-Robots-Tag"] == "noindex"
    assert "This certificate is genuine" in page and "Current" in page and "It is in date." in page
    assert "Tom Hughes" in page and "Oak School" in page and _long(date(2026, 9, 14)) in page


def test_the_verification_page_shows_the_module_school_and_dates(app, client, staff) -> None:
    certificate = _certificate(app, staff, expires_on=date(2099, 8, 31))
    page = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    with app.app_context():
        title = current_catalogue().module_content("staff-induction", "en").title
    for shown in ("Tom Hughes", title, "Oak School", _long(date(2026, 9, 14)), _long(date(2099, 8, 31))):
        assert shown in page


def test_an_expired_certificate_says_so(app, client, staff) -> None:
    certificate = _certificate(app, staff, expires_on=TODAY - timedelta(days=1))
    page = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "This certificate is genuine" in page and "Expired" in page and "Current" not in page


def test_a_certificate_valid_until_today_is_still_current(app, client, staff) -> None:
    certificate = _certificate(app, staff, expires_on=TODAY)
    page = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "Current" in page and "Expired" not in page


def test_a_superseded_certificate_says_it_was_replaced(app, client, staff) -> None:
    old = _certificate(app, staff)
    new = _certificate(app, staff, completed_on=date(2027, 9, 20), academic_year=2027)
    _supersede(app, old, new)
    old_page = client.get(f"/verify/{old.code}").get_data(as_text=True)
    assert "This certificate is genuine" in old_page and "Replaced by a newer certificate" in old_page
    assert "Current" in client.get(f"/verify/{new.code}").get_data(as_text=True)


def test_a_holder_who_left_the_school_still_verifies(app, client, staff) -> None:
    certificate = _certificate(app, staff)

    def leave() -> None:
        person = db.session.get(User, staff.id)
        person.left_at = person.disabled_at = datetime(2027, 7, 20)

    run_in_app(app, leave)
    response = client.get(f"/verify/{certificate.code}")
    assert response.status_code == 200 and "Tom Hughes" in response.get_data(as_text=True)


def test_the_code_may_be_typed_as_people_type_it(app, client, staff) -> None:
    certificate = _certificate(app, staff, code="7KQ2M0D1PA")
    assert client.get("/verify/7kq2m-od1pa").status_code == 200  # lower case, a dash, O for 0, l for 1
    assert client.get("/verify/7kq2m-odlpa").status_code == 200
    assert certificate.code == "7KQ2M0D1PA"


def test_unknown_and_malformed_codes_get_one_identical_answer(app, client, staff) -> None:
    _certificate(app, staff)
    answers = [client.get(path) for path in ("/verify/7KQ2M-XD9PA", "/verify/hello", "/verify/%3Cscript%3E",
                                             "/verify/" + "A" * 300, "/verify/0000000000")]
    assert {response.status_code for response in answers} == {404}
    assert len({response.get_data() for response in answers}) == 1
    assert "No certificate has this code" in answers[0].get_data(as_text=True)


def test_unknown_codes_answer_the_same_signed_in_too(app, client, auth: Auth, staff) -> None:
    auth.login(staff)
    first, second = client.get("/verify/7KQ2M-XD9PA"), client.get("/verify/!!")
    assert first.status_code == second.status_code == 404 and first.get_data() == second.get_data()


def test_the_verification_page_shows_nothing_more(app, client, make_user, school) -> None:
    holder = make_user(Role.STAFF, school=school, first_name="Ada", last_name="Lovelace", username="ada.secret",
                       email="ada@example.org")
    certificate = _certificate(app, holder, score_percent=73, method="attended", module_version="f00dfeed0001")
    page = client.get(f"/verify/{certificate.code}").get_data(as_text=True)
    assert "Ada Lovelace" in page
    # Only the page's own content: the static files' fingerprinted names may hold any digits.
    main = page[page.index("<main"):page.index("</main>")]
    assert "73" not in main and "%" not in main
    for hidden in ("ada.secret", "ada@example.org", "f00dfeed0001", "Attended", "/certificates/",
                   "/people/", "/modules/"):
        assert hidden not in page, hidden
    assert 'href="/login"' in page  # "Sign in" in the header: the only way in


def test_the_form_sends_a_typed_code_to_its_page(app, client, auth: Auth, staff) -> None:
    certificate = _certificate(app, staff)
    typed = f"{certificate.code[:5].lower()} - {certificate.code[5:].lower()}"
    response = auth.post("/verify", {"code": typed}, token_from="/verify")
    assert response.status_code == 302 and response.headers["Location"] == f"/verify/{certificate.code}"
    linked = client.get(f"/verify?code={certificate.code[:5]}-{certificate.code[5:]}")
    assert linked.status_code == 302 and linked.headers["Location"] == f"/verify/{certificate.code}"
    malformed = auth.post("/verify", {"code": "not/a code"}, token_from="/verify")
    assert malformed.status_code == 302
    assert client.get(malformed.headers["Location"]).status_code == 404


def test_the_form_asks_for_a_code_when_none_is_typed(app, client, auth: Auth) -> None:
    response = auth.post("/verify", {"code": "  "}, token_from="/verify")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in page
    assert "Type the code printed on the certificate." in page


def test_the_form_refuses_a_post_without_its_csrf_token(client) -> None:
    assert client.post("/verify", data={"code": "7KQ2M-XD9PA"}).status_code == 400


def test_verification_is_rate_limited_per_address_with_a_friendly_page(app, client, staff) -> None:
    certificate = _certificate(app, staff)
    answers = [client.get(f"/verify/{certificate.code}").status_code for _ in range(20)]
    assert answers == [200] * 20
    refused = client.get(f"/verify/{certificate.code}")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 429 and "Too many checks from this connection" in page
    assert "Tom Hughes" not in page and 'href="/login"' in page
    other_address = client.get(f"/verify/{certificate.code}", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other_address.status_code == 200


# --- One certificate: page and PDF -------------------------------------------------------------------


def test_the_holder_downloads_the_same_pdf_bytes_every_time(app, client, auth: Auth, staff) -> None:
    certificate = _certificate(app, staff, expires_on=date(2027, 8, 31))
    auth.login(staff)
    first = client.get(f"/certificates/{certificate.id}.pdf")
    second = client.get(f"/certificates/{certificate.id}.pdf")
    assert first.status_code == 200 and first.mimetype == "application/pdf"
    assert first.get_data().startswith(b"%PDF") and first.get_data() == second.get_data()
    assert f'filename="hughes-tom-staff-induction-{certificate.code[:5]}-{certificate.code[5:]}.pdf"' in \
        first.headers["Content-Disposition"]
    text = _pdf_text(first.get_data())
    with app.app_context():
        title = current_catalogue().module_content("staff-induction", "en").title
    for shown in ("Tom Hughes", title, "Oak School", "Version a1b2c3d4e5f6", _long(date(2026, 9, 14)), "87%",
                  "Completed online", _long(date(2027, 8, 31)), f"{certificate.code[:5]}-{certificate.code[5:]}",
                  f"http://localhost/verify/{certificate.code}"):
        assert shown in text, shown
    assert _pages(first.get_data()) == 1


def test_the_pdf_has_fixed_dates_from_the_record(app, client, auth: Auth, staff) -> None:
    certificate = _certificate(app, staff, issued_at=datetime(2026, 9, 14, 10, 30, 5))
    auth.login(staff)
    info = PdfReader(io.BytesIO(client.get(f"/certificates/{certificate.id}.pdf").get_data())).metadata
    assert info["/CreationDate"].startswith("D:20260914103005") and info["/ModDate"] == info["/CreationDate"]


def test_a_superseded_certificate_still_downloads_and_says_it_was_replaced(app, client, auth: Auth, staff) -> None:
    old = _certificate(app, staff)
    new = _certificate(app, staff, completed_on=date(2027, 9, 20), academic_year=2027)
    _supersede(app, old, new)
    auth.login(staff)
    response = client.get(f"/certificates/{old.id}.pdf")
    assert response.status_code == 200
    assert f"Replaced: the holder completed this training again on {_long(date(2027, 9, 20))}" in " ".join(
        _pdf_text(response.get_data()).split())
    assert "Replaced" not in _pdf_text(client.get(f"/certificates/{new.id}.pdf").get_data())
    page = client.get(f"/certificates/{old.id}").get_data(as_text=True)
    assert "Replaced by a newer certificate" in page and _long(date(2027, 9, 20)) in page


def test_the_certificate_page_has_the_download_button(app, client, auth: Auth, coordinator, staff) -> None:
    certificate = _certificate(app, staff)
    auth.login(coordinator)
    page = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    assert f'href="/certificates/{certificate.id}.pdf"' in page and "Tom Hughes" in page
    assert f"http://localhost/verify/{certificate.code}" in page


def test_a_module_since_removed_prints_its_id(app, client, auth: Auth, staff) -> None:
    certificate = _certificate(app, staff, module_id="retired-module")
    auth.login(staff)
    assert "retired-module" in _pdf_text(client.get(f"/certificates/{certificate.id}.pdf").get_data())


def test_without_pdf_rendering_a_clear_page_answers(app, client, auth: Auth, staff, monkeypatch) -> None:
    from eduplatform.compliance import certificate_views, certificates

    def unavailable(*_args: Any) -> bytes:
        raise PdfUnavailableError("no Pango here")

    monkeypatch.setattr(certificates, "render_pdf", unavailable)
    monkeypatch.setattr(certificate_views, "pdf_unavailable_reason", lambda: "no Pango here")
    certificate = _certificate(app, staff)
    auth.login(staff)
    response = client.get(f"/certificates/{certificate.id}.pdf")
    assert response.status_code == 503
    assert "PDF files cannot be made on this server" in response.get_data(as_text=True)
    page = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)
    assert f"/certificates/{certificate.id}.pdf" not in page and "cannot be downloaded yet" in page


def test_a_colleague_who_is_not_the_record_gets_not_found(app, client, auth: Auth, make_user, school,
                                                          staff) -> None:
    certificate = _certificate(app, staff)
    auth.login(make_user(Role.STAFF, school=school))
    assert client.get(f"/certificates/{certificate.id}.pdf").status_code == 404
    assert client.get("/certificates/999999.pdf").status_code == 404


def test_the_dsl_sees_their_schools_certificates(app, client, auth: Auth, make_user, school, staff) -> None:
    from eduplatform.accounts.models import UserDuty
    from eduplatform.roles import Duty

    dsl = make_user(Role.STAFF, school=school)

    def give_duty() -> None:
        db.session.get(User, dsl.id).duty_rows = [UserDuty(duty=Duty.DSL)]

    run_in_app(app, give_duty)
    certificate = _certificate(app, staff)
    auth.login(dsl)
    assert client.get(f"/certificates/{certificate.id}.pdf").status_code == 200
    assert client.get("/certificates").status_code == 200


def test_the_issuing_schools_coordinator_still_sees_a_certificate_after_the_holder_moves(
        app, client, auth: Auth, make_school, coordinator, staff) -> None:
    certificate = _certificate(app, staff)
    elsewhere = make_school("Elm School")

    def move() -> None:
        db.session.get(User, staff.id).school_id = elsewhere.id

    run_in_app(app, move)
    auth.login(coordinator)
    assert client.get(f"/certificates/{certificate.id}").status_code == 200


# --- The list and bulk downloads ------------------------------------------------------------------------


@pytest.fixture
def issued(app, make_user, school, staff) -> dict[str, Certificate]:
    """Four certificates of the school: current, expired, replaced (by the renewal), and a governor's."""
    governor = make_user(Role.GOVERNOR, school=school, first_name="Gil", last_name="Bert")
    expired = _certificate(app, staff, module_id="parents-home", expires_on=TODAY - timedelta(days=3),
                           completed_on=date(2025, 9, 10), academic_year=2025)
    old = _certificate(app, staff, completed_on=date(2025, 10, 1), academic_year=2025)
    renewal = _certificate(app, staff, completed_on=date(2026, 10, 1), academic_year=2026)
    _supersede(app, old, renewal)
    governors = _certificate(app, governor, module_id="governors-duties", completed_on=date(2026, 11, 5))
    return {"expired": expired, "old": old, "renewal": renewal, "governor": governors}


def test_the_list_shows_the_schools_certificates_with_filters(app, client, auth: Auth, coordinator, issued) -> None:
    auth.login(coordinator)
    page = client.get("/certificates").get_data(as_text=True)
    assert "4 certificates" in page and "Hughes, Tom" in page and "Bert, Gil" in page
    assert 'href="/certificates/bulk.pdf"' in page and 'href="/certificates/bulk.zip"' in page
    current = client.get("/certificates?current=1").get_data(as_text=True)
    assert "2 certificates" in current
    assert issued["renewal"].code[:5] in current and issued["old"].code[:5] not in current
    assert issued["expired"].code[:5] not in current
    assert 'href="/certificates/bulk.pdf?current=1"' in current
    dated = client.get("/certificates?from=2026-01-01&to=2026-10-31").get_data(as_text=True)
    assert "1 certificate" in dated and issued["renewal"].code[:5] in dated
    by_module = client.get("/certificates?module=governors-duties").get_data(as_text=True)
    assert "1 certificate" in by_module and "Bert, Gil" in by_module


@pytest.mark.parametrize(("query", "message"), [
    ("from=yesterday", "Enter a date as year-month-day, for example 2026-09-30."),
    ("from=2026-10-01&to=2026-09-01", "The last day comes before the first day"),
    ("module=no-such-module", "There is no module called no-such-module."),
])
def test_bad_filters_say_what_is_wrong(app, client, auth: Auth, coordinator, issued, query, message) -> None:
    auth.login(coordinator)
    response = client.get(f"/certificates?{query}")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is a problem" in page and message in page
    assert client.get(f"/certificates/bulk.pdf?{query}").status_code == 400


def test_another_schools_list_is_not_found(app, client, auth: Auth, coordinator, make_school) -> None:
    other = make_school("Elm School")
    auth.login(coordinator)
    assert client.get(f"/certificates?school={other.id}").status_code == 404
    assert client.get(f"/certificates/bulk.zip?school={other.id}").status_code == 404


def test_the_bulk_pdf_has_one_page_per_certificate_and_is_logged(app, client, auth: Auth, coordinator,
                                                                  school, issued) -> None:
    auth.login(coordinator)
    response = client.get("/certificates/bulk.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert _pages(response.get_data()) == 4
    assert _pages(client.get("/certificates/bulk.pdf?current=1").get_data()) == 2
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == AuditAction.EXPORT_DOWNLOADED.value).order_by(AuditEvent.id)).all()
    assert [(event.school_id, event.actor_id) for event in events] == [(school.id, coordinator.id)] * 2
    assert events[0].details == {"kind": "certificates", "filters": {"schools": [school.id]}, "count": 4,
                                 "format": "pdf"}
    assert events[1].details["filters"] == {"schools": [school.id], "current": True}


def test_the_bulk_zip_holds_one_pdf_per_certificate_with_safe_names(app, client, auth: Auth, coordinator,
                                                                     make_user, school, issued) -> None:
    odd = make_user(Role.STAFF, school=school, first_name="Zoë", last_name="O'Brien-Smith / Jr")
    odd_certificate = _certificate(app, odd)
    auth.login(coordinator)
    response = client.get("/certificates/bulk.zip?module=staff-induction")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.get_data()))
    names = archive.namelist()
    code = odd_certificate.code
    assert f"o-brien-smith-jr-zoe-staff-induction-{code[:5]}-{code[5:]}.pdf" in names
    assert len(names) == 3 and all(re.fullmatch(r"[a-z0-9-]+-[0-9A-Z]{5}-[0-9A-Z]{5}\.pdf", name) for name in names)
    single = client.get(f"/certificates/{odd_certificate.id}.pdf").get_data()
    assert archive.read(f"o-brien-smith-jr-zoe-staff-induction-{code[:5]}-{code[5:]}.pdf") == single
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == AuditAction.EXPORT_DOWNLOADED.value)).one()
    assert event.details["format"] == "zip" and event.details["count"] == 3
    assert event.details["filters"]["module"] == "staff-induction"


def test_bulk_downloads_stop_at_the_limit_with_a_message(app, client, auth: Auth, coordinator, issued,
                                                         monkeypatch) -> None:
    from eduplatform.compliance import certificate_views

    monkeypatch.setattr(certificate_views, "BULK_LIMIT", 3)
    auth.login(coordinator)
    response = client.get("/certificates/bulk.pdf?module=")
    assert response.status_code == 302 and response.headers["Location"].startswith("/certificates")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "4 certificates match these filters, and one download holds at most 3" in page
    assert client.get("/certificates/bulk.pdf?current=1").status_code == 200
    with app.app_context():
        downloads = db.session.scalars(select(AuditEvent).where(AuditEvent.action != AuditAction.SIGNED_IN.value)).all()
        assert len(downloads) == 1  # only the download that happened (and the sign-in)


def test_nothing_to_download_says_so(app, client, auth: Auth, coordinator) -> None:
    auth.login(coordinator)
    response = client.get("/certificates/bulk.zip")
    assert response.status_code == 302
    assert "nothing to download" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_list_pages_by_a_hundred(app, client, auth: Auth, coordinator, staff) -> None:
    def many() -> None:
        for number in range(101):
            db.session.add(Certificate(code=new_code(), school_id=staff.school_id, user_id=staff.id,
                                       module_id="staff-induction", module_version="v", locale="en",
                                       academic_year=2026, completed_on=date(2026, 9, 1) + timedelta(days=number),
                                       method="self"))

    run_in_app(app, many)
    auth.login(coordinator)
    first = client.get("/certificates").get_data(as_text=True)
    assert "101 certificates" in first and first.count("Hughes, Tom") == 100 and "Page 1 of 2" in first
    second = client.get("/certificates?page=2").get_data(as_text=True)
    assert second.count("Hughes, Tom") == 1


def test_a_trust_lead_sees_the_trusts_schools(app, client, auth: Auth, make_trust, make_school, make_user) -> None:
    trust = make_trust()
    first, second = make_school("First School", trust=trust), make_school("Second School", trust=trust)
    outside = make_school("Outside School")
    for school in (first, second, outside):
        _certificate(app, make_user(Role.STAFF, school=school))
    auth.login(make_user(Role.TRUST_LEAD, trust_id=trust.id))
    page = client.get("/certificates").get_data(as_text=True)
    assert "2 certificates" in page and "First School" in page and "Second School" in page
    assert "Outside School" not in page
    assert _pages(client.get(f"/certificates/bulk.pdf?school={second.id}").get_data()) == 1


# --- Pupils' key-stage certificates --------------------------------------------------------------------


def _complete_for(app, pupil: User, teacher: User, module_id: str, year: AcademicYear | None = None) -> None:
    def complete() -> None:
        catalogue = current_catalogue()
        learner = db.session.get(User, pupil.id)
        records.record_completion_for(learner, catalogue.modules[module_id], year or current_year(learner),
                                      db.session.get(User, teacher.id),
                                      CompletionMethod.TEACHER_LED)

    run_in_app(app, complete)


def test_pupil_certificates_name_finished_pupils_by_first_name_only(app, client, auth: Auth, make_user, make_class,
                                                                   school, staff) -> None:
    finished = make_user(Role.PUPIL, school=school, year_group=5, first_name="Maya", last_name="Patel")
    unfinished = make_user(Role.PUPIL, school=school, year_group=5, first_name="Noah", last_name="Quinn")
    last_year = make_user(Role.PUPIL, school=school, year_group=5, first_name="Olive", last_name="Reed")
    school_class = make_class(school, pupils=(finished, unfinished, last_year), teachers=(staff,))
    _complete_for(app, finished, staff, "ks2-passwords")
    _complete_for(app, last_year, staff, "ks2-passwords", current_year(school).shifted(-1))
    auth.login(staff)
    response = client.get(f"/classes/{school_class.id}/certificates.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(_pdf_text(response.get_data()).split())
    assert _pages(response.get_data()) == 1
    assert "Maya" in text and "Key Stage 2" in text and "Oak School" in text
    assert current_year(school).label in text
    for hidden in ("Patel", "Noah", "Olive", "verify", "/"):
        assert hidden not in text.replace(current_year(school).label, ""), hidden
    with app.app_context():
        assert db.session.scalars(select(Certificate)).all() == []  # never stored


def test_no_pupil_finished_gives_a_page_with_a_way_back(app, client, auth: Auth, make_user, make_class, school,
                                                        staff) -> None:
    pupil = make_user(Role.PUPIL, school=school, year_group=5)
    school_class = make_class(school, pupils=(pupil,), teachers=(staff,))
    auth.login(staff)
    response = client.get(f"/classes/{school_class.id}/certificates.pdf")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert "No pupil has finished yet" in page and f'href="/classes/{school_class.id}"' in page


def test_the_class_page_links_to_the_pupil_certificates(app, client, auth: Auth, make_class, school, staff,
                                                        pupil) -> None:
    school_class = make_class(school, pupils=(pupil,), teachers=(staff,))
    auth.login(staff)
    page = client.get(f"/classes/{school_class.id}").get_data(as_text=True)
    assert f'href="/classes/{school_class.id}/certificates.pdf"' in page
    assert "Print certificates for pupils who finished" in page


def test_the_printed_address_uses_https_when_the_site_is_served_over_https(app, client, auth: Auth, staff,
                                                                            monkeypatch) -> None:
    certificate = _certificate(app, staff)
    monkeypatch.setitem(app.config, "HTTPS", True)
    auth.login(staff)
    page = client.get(f"/certificates/{certificate.id}").get_data(as_text=True)  # TLS ended by a proxy
    assert f"https://localhost/verify/{certificate.code}" in page
