"""Issue 15, reporting a worry: pupils' "Tell someone" (pictures and words), parents' and staff's reports
about a child, the reach rules, bad input, the DSLs' email (committed first, nothing of the report in it),
"my reports" with read receipts, and the categories in the catalogue."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from eduplatform.accounts.models import User, UserDuty
from eduplatform.catalogue import ContentError, load_catalogue
from eduplatform.concerns import categories as kinds
from eduplatform.concerns.models import MAX_TEXT, Concern
from eduplatform.concerns.services import mark_read
from eduplatform.db import db
from eduplatform.mail import MailError
from eduplatform.roles import Duty, Role
from tests.conftest import CATALOGUE, Auth, counting_statements, run_in_app
from tests.smtp_server import SmtpServer, running_smtp_server

SITE = "https://safety.example.org"
SECRET_WORDS = "Jordan in 9B sent a photo in the Year 9 group chat"


def _concerns(app: Flask) -> list[Concern]:
    return run_in_app(app, lambda: list(db.session.scalars(select(Concern).order_by(Concern.id))))


def _give_duty(app: Flask, user: User, duty: Duty) -> None:
    def give() -> None:
        db.session.add(UserDuty(user_id=user.id, duty=duty))
    run_in_app(app, give)


@pytest.fixture
def dsl(make_user, school, app) -> User:
    lead = make_user(Role.STAFF, school=school, first_name="Dee", last_name="Lead", email="dsl@oak.example.org")
    _give_duty(app, lead, Duty.DSL)
    return lead


@pytest.fixture
def smtp(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Any:
    with running_smtp_server() as server:
        for key, value in {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": server.port, "MAIL_USE_TLS": False,
                           "MAIL_USE_SSL": False, "MAIL_FROM": "School <office@oak.example.org>",
                           "MAIL_TIMEOUT": 2, "BASE_URL": SITE}.items():
            monkeypatch.setitem(app.config, key, value)
        yield server


def _tell(auth: Auth, **data: str) -> Any:
    return auth.post("/tell", {"category": "cyberbullying", "text": "They keep posting about me.",
                               "happening_now": "no", **data}, token_from="/tell")


# --- The catalogue ------------------------------------------------------------------------------


def test_the_categories_are_the_agreed_ids_in_order_with_labels(app: Flask) -> None:
    with app.test_request_context():
        assert kinds.category_ids() == ("cyberbullying", "nudes", "grooming", "indecent_images", "online_hate",
                                        "radicalisation", "inappropriate_content", "something_else")
        assert kinds.category_label("nudes") == "Sharing nudes and semi-nudes"
        assert kinds.category_label("no-such-kind") == "no-such-kind"
        assert all(kinds.procedure(category_id) for category_id in kinds.category_ids())
        assert [c.id for c in kinds.categories_for("ks1")] == ["cyberbullying", "grooming", "inappropriate_content",
                                                              "something_else"]
        assert "radicalisation" not in [c.id for c in kinds.categories_for("ks2")]
        assert "indecent_images" in [c.id for c in kinds.categories_for("staff")]


def test_the_shipped_categories_match_the_test_fixture(app: Flask, real_app: Flask) -> None:
    with app.test_request_context():
        fixture = kinds.category_ids()
    with real_app.test_request_context():
        assert kinds.category_ids() == fixture
        assert any("do not view" in step.lower() or "do not look" in step.lower() for step in kinds.procedure("nudes"))


def _copy_catalogue(tmp_path: Path) -> tuple[Path, Path]:
    import shutil

    shutil.copytree(CATALOGUE, tmp_path / "catalogue")
    return tmp_path / "catalogue" / "curriculum", tmp_path / "catalogue" / "content"


def _load(curriculum: Path, content: Path) -> None:
    static = Path(__file__).parent.parent / "static"
    load_catalogue(curriculum, content, static, lambda endpoint, **values: "/" + values.get("filename", ""))


def test_check_content_names_the_file_and_id_of_each_problem(tmp_path: Path) -> None:
    curriculum, content = _copy_catalogue(tmp_path)
    structure = (curriculum / "concerns.yaml").read_text()
    structure = structure.replace("  - id: online_hate\n    for: [ks2, ks3, ks4, parents, staff]",
                                  "  - id: online_hate\n    for: [ks2, teachers]")
    structure = structure.replace("picture: img/ks1/game-chat.svg", "picture: img/ks1/no-such-picture.svg")
    (curriculum / "concerns.yaml").write_text(structure)
    words = (content / "en" / "concerns.yaml").read_text()
    words = words.replace("  radicalisation:\n    label: Radicalisation and extremism\n",
                          "  radicalisation:\n")
    words += "  made_up:\n    label: Made up\n"
    (content / "en" / "concerns.yaml").write_text(words)
    with pytest.raises(ContentError) as raised:
        _load(curriculum, content)
    found = [str(problem) for problem in raised.value.problems]
    assert any("curriculum/concerns.yaml" in p and "online_hate" in p and "unknown reporter 'teachers'" in p
               for p in found), found
    assert any("curriculum/concerns.yaml" in p and "'grooming'" in p and "no-such-picture" in p for p in found)
    assert any("content/en/concerns.yaml" in p and "'radicalisation'" in p and "missing 'label'" in p for p in found)
    assert any("content/en/concerns.yaml" in p and "made_up" in p and "not in curriculum/concerns.yaml" in p
               for p in found)


def test_check_content_wants_the_pupils_wording_for_each_band_offered(tmp_path: Path) -> None:
    curriculum, content = _copy_catalogue(tmp_path)
    words = (content / "en" / "concerns.yaml").read_text()
    (content / "en" / "concerns.yaml").write_text(words.replace(
        "      ks1: Someone was unkind to me on a screen.\n", ""))
    with pytest.raises(ContentError) as raised:
        _load(curriculum, content)
    assert any("'cyberbullying'" in str(p) and "'ks1'" in str(p) for p in raised.value.problems)


# --- Pupils -------------------------------------------------------------------------------------


def test_every_page_a_pupil_sees_has_tell_someone(client, auth: Auth, pupil: User, staff: User) -> None:
    auth.login(pupil)
    for path in ("/", "/tell/mine"):
        assert 'href="/tell"' in client.get(path).get_data(as_text=True)
    auth.logout()
    auth.login(staff)
    page = client.get("/").get_data(as_text=True)
    assert 'class="tell-someone' not in page and "/concerns/report" in page


@pytest.fixture
def shipped_help(app: Flask, real_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped catalogue (its help contacts: Childline, CEOP, NSPCC ...) in place of the fixture's."""
    monkeypatch.setitem(app.extensions, "eduplatform.catalogue", real_app.extensions["eduplatform.catalogue"])


def test_a_ks2_pupil_tells_and_sees_the_help_for_their_age(app: Flask, client, auth: Auth, pupil: User,
                                                           shipped_help: None) -> None:
    auth.login(pupil)
    form = client.get("/tell").get_data(as_text=True)
    assert "Someone is being unkind, mean or threatening" in form  # KS2 words
    assert "radicalisation" not in form  # not offered to KS2
    assert f'maxlength="{MAX_TEXT}"' in form
    response = _tell(auth, happening_now="yes", talk_to="teacher")
    assert response.status_code == 302 and response.headers["Location"].endswith("/tell/done?now=1")
    [concern] = _concerns(app)
    assert (concern.reporter_id, concern.about_id, concern.reporter_kind) == (pupil.id, pupil.id, "pupil")
    assert (concern.category, concern.happening_now, concern.talk_to) == ("cyberbullying", True, "teacher")
    assert concern.text == "They keep posting about me." and concern.status == "new"
    done = client.get("/tell/done?now=1").get_data(as_text=True)
    assert "Thank you for telling us" in done and "tell an adult near you straight away" in done
    assert "Childline" in done and "0800 1111" in done and "ceop.police.uk" in done  # from the help contacts
    assert "NSPCC Helpline" not in done and "Report Remove" not in done  # adults' and older pupils' contacts


def test_an_older_pupil_sees_the_help_for_teenagers(client, auth: Auth, make_user, school,
                                                    shipped_help: None) -> None:
    auth.login(make_user(Role.PUPIL, school=school, year_group=10))
    form = client.get("/tell").get_data(as_text=True)
    assert "Radicalisation" in form or "extreme views" in form  # offered from KS3
    done = client.get("/tell/done").get_data(as_text=True)
    assert "Report Remove" in done and "Report Harmful Content" in done and "Childline" in done


def test_a_ks1_pupil_tells_with_pictures(app: Flask, client, auth: Auth, make_user, school) -> None:
    child = make_user(Role.PUPIL, school=school, year_group=1, first_name="Ali")
    auth.login(child)
    page = client.get("/tell").get_data(as_text=True)
    assert "img/ks1/unkind-message" in page and "Someone was unkind to me on a screen." in page
    assert "data-read-aloud-block" in page and "<textarea" not in page
    assert "img/ui/tell-someone" in page  # the header button is a picture too
    response = auth.post("/tell", {"category": "grooming", "happening_now": "no", "talk_to": "family"},
                         token_from="/tell")
    assert response.status_code == 302
    [concern] = _concerns(app)
    assert concern.pictures == ["grooming"] and concern.text == "" and concern.talk_to == "family"
    assert "Thank you for telling." in client.get("/tell/done").get_data(as_text=True)


def test_a_ks1_pupil_who_taps_nothing_is_asked_again_and_nothing_is_saved(app: Flask, auth: Auth, make_user,
                                                                           school) -> None:
    child = make_user(Role.PUPIL, school=school, year_group=0)
    auth.login(child)
    response = auth.post("/tell", {"happening_now": "no"}, token_from="/tell")
    assert response.status_code == 200 and "Tap a picture of what happened." in response.get_data(as_text=True)
    assert _concerns(app) == []


@pytest.mark.parametrize(("data", "message"), [
    ({"text": "   "}, "Write a few words about what happened"),
    ({"text": "x" * (MAX_TEXT + 1)}, f"Write at most {MAX_TEXT} characters"),
    ({"category": ""}, "Choose what it is about"),
    ({"category": "indecent_images"}, "Not a valid choice"),  # not offered to pupils: a forged form
])
def test_a_pupils_bad_report_is_explained_and_nothing_is_saved(app: Flask, auth: Auth, pupil: User,
                                                                data: dict[str, str], message: str) -> None:
    auth.login(pupil)
    response = _tell(auth, **data)
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert _concerns(app) == []


def test_a_report_of_exactly_the_limit_is_kept(app: Flask, auth: Auth, pupil: User) -> None:
    auth.login(pupil)
    assert _tell(auth, text="y" * MAX_TEXT).status_code == 302
    assert len(_concerns(app)[0].text) == MAX_TEXT


def test_two_reports_in_a_minute_are_both_kept(app: Flask, auth: Auth, pupil: User) -> None:
    auth.login(pupil)
    assert _tell(auth).status_code == 302
    assert _tell(auth).status_code == 302
    assert [c.text for c in _concerns(app)] == ["They keep posting about me."] * 2


def test_the_pupil_sees_read_after_a_dsl_opens_it_and_never_the_actions(app: Flask, client, auth: Auth,
                                                                        pupil: User, dsl: User) -> None:
    from eduplatform.concerns.services import add_action, close_concern

    auth.login(pupil)
    _tell(auth)
    [concern] = _concerns(app)
    page = client.get("/tell/mine").get_data(as_text=True)
    assert "Not read yet" in page and "An adult has read this" not in page
    run_in_app(app, lambda: mark_read(concern.id, dsl.id, dsl.school_id))

    def act() -> None:
        found = db.session.get(Concern, concern.id)
        lead = db.session.get(User, dsl.id)
        add_action(found, lead, what="Spoke to the form tutor privately", outcome="Parents phoned")
        close_concern(found, lead, outcome="Resolved with both families")
    run_in_app(app, act)
    page = client.get("/tell/mine").get_data(as_text=True)
    assert "An adult has read this" in page and "Not read yet" not in page
    for secret in ("form tutor", "Parents phoned", "Resolved with both families", "closed", "Dee"):
        assert secret not in page


def test_my_reports_costs_the_same_for_one_report_or_many(app: Flask, client, auth: Auth, pupil: User) -> None:
    auth.login(pupil)
    _tell(auth)
    client.get("/tell/mine")
    with counting_statements(app) as one:
        assert client.get("/tell/mine").status_code == 200
    for _ in range(4):
        _tell(auth)
    with counting_statements(app) as five:
        page = client.get("/tell/mine").get_data(as_text=True)
    assert page.count('class="my-report"') == 5
    assert five[0] == one[0]


def test_a_pupils_reports_are_their_own(app: Flask, client, auth: Auth, pupil: User, make_user, school) -> None:
    other = make_user(Role.PUPIL, school=school, year_group=5)
    auth.login(other)
    _tell(auth)
    auth.logout()
    auth.login(pupil)
    assert "Not read yet" not in client.get("/tell/mine").get_data(as_text=True)


# --- Parents and staff --------------------------------------------------------------------------


def _report(auth: Auth, **data: Any) -> Any:
    return auth.post("/concerns/report", {"category": "cyberbullying", "text": SECRET_WORDS,
                                          "happening_now": "no", **data}, token_from="/concerns/report")


def test_a_parent_reports_about_their_own_child_only(app: Flask, client, auth: Auth, make_user, school, link,
                                                     pupil: User) -> None:
    parent = make_user(Role.PARENT, school=school)
    other_child = make_user(Role.PUPIL, school=school, year_group=3, first_name="Other")
    link(parent, pupil)
    auth.login(parent)
    page = client.get("/concerns/report").get_data(as_text=True)
    assert "Maya Patel" in page and "Other" not in page
    assert "What to do:" not in page  # the staff procedure is for staff
    assert client.get(f"/concerns/report?about={other_child.id}").status_code == 404
    response = _report(auth, about_id=str(other_child.id))
    assert response.status_code == 200 and "Choose a child from the list" in response.get_data(as_text=True)
    assert _concerns(app) == []
    response = _report(auth, about_id=str(pupil.id))
    assert response.status_code == 302
    [concern] = _concerns(app)
    assert (concern.reporter_kind, concern.about_id, concern.text) == ("parent", pupil.id, SECRET_WORDS)
    sent = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Your report has been sent" in sent and "Test DSL" in sent and "What to do now" not in sent


def test_a_parent_may_not_choose_a_staff_only_kind(app: Flask, auth: Auth, make_user, school, link,
                                                   pupil: User) -> None:
    parent = make_user(Role.PARENT, school=school)
    link(parent, pupil)
    auth.login(parent)
    response = _report(auth, about_id=str(pupil.id), category="no-such-kind")
    assert response.status_code == 200 and _concerns(app) == []


def test_staff_see_the_procedure_before_they_send_and_on_the_confirmation(app: Flask, client, auth: Auth,
                                                                          staff: User, pupil: User,
                                                                          make_user, make_school) -> None:
    elsewhere = make_user(Role.PUPIL, school=make_school(), year_group=5, first_name="Faraway")
    auth.login(staff)
    page = client.get("/concerns/report").get_data(as_text=True)
    assert "Maya Patel (Year 5)" in page and "Faraway" not in page  # any pupil of the school, no other school's
    assert re.search(r'data-procedure="nudes"[^>]*hidden', page)  # in the page for scripts, not shown yet
    # Sending without having seen the steps shows them first and saves nothing.
    response = _report(auth, about_id=str(pupil.id), category="nudes")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and _concerns(app) == []
    assert "Read what to do for this kind of concern" in page
    assert not re.search(r'data-procedure="nudes"[^>]*hidden', page)
    assert "never ask the pupil to show it to you" in page
    assert 'name="procedure_seen" type="hidden" value="nudes"' in page
    # "Show what to do" without JavaScript: nothing checked or saved, the steps shown.
    response = _report(auth, about_id="", category="grooming", text="", show="Show what to do")
    page = response.get_data(as_text=True)
    assert "There is a problem" not in page and "Do not investigate" in page
    assert _concerns(app) == []
    response = _report(auth, about_id=str(pupil.id), category="nudes", procedure_seen="nudes", happening_now="yes")
    assert response.status_code == 302
    [concern] = _concerns(app)
    assert (concern.reporter_kind, concern.category, concern.happening_now) == ("staff", "nudes", True)
    sent = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "What to do now: Sharing nudes and semi-nudes" in sent and "Do not look at the image" in sent
    assert client.get(f"/concerns/report?about={elsewhere.id}").status_code == 404
    assert _report(auth, about_id=str(elsewhere.id), procedure_seen="cyberbullying").status_code == 200
    assert len(_concerns(app)) == 1


@pytest.mark.parametrize(("data", "message"), [
    ({"text": ""}, "Write what you saw or heard"),
    ({"text": " \n "}, "Write what you saw or heard"),
    ({"text": "z" * (MAX_TEXT + 1)}, f"Write at most {MAX_TEXT} characters"),
    ({"about_id": ""}, "Choose the child the concern is about"),
    ({"happening_now": ""}, "Say whether it is happening now"),
])
def test_bad_adult_reports_are_explained_and_nothing_is_saved(app: Flask, auth: Auth, staff: User, pupil: User,
                                                              data: dict[str, str], message: str) -> None:
    auth.login(staff)
    response = _report(auth, **{"about_id": str(pupil.id), "procedure_seen": "cyberbullying", **data})
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert _concerns(app) == []


def test_a_report_without_a_csrf_token_is_refused(app: Flask, client, auth: Auth, pupil: User) -> None:
    auth.login(pupil)
    response = client.post("/tell", data={"category": "cyberbullying", "text": "x", "happening_now": "no"})
    assert response.status_code == 400 and _concerns(app) == []


def test_the_confirmation_is_only_for_the_reporter(app: Flask, client, auth: Auth, staff: User, pupil: User,
                                                   make_user, school) -> None:
    auth.login(staff)
    location = _report(auth, about_id=str(pupil.id), procedure_seen="cyberbullying").headers["Location"]
    auth.logout()
    colleague = make_user(Role.STAFF, school=school)
    auth.login(colleague)
    assert client.get(location).status_code == 404


def test_pupils_and_adults_are_sent_to_their_own_form(client, auth: Auth, pupil: User, staff: User) -> None:
    auth.login(pupil)
    assert client.get("/concerns/report").headers["Location"].endswith("/tell")
    auth.logout()
    auth.login(staff)
    assert client.get("/tell").headers["Location"].endswith("/concerns/report")


# --- The email to the DSLs ----------------------------------------------------------------------


def test_every_dsl_and_deputy_with_an_address_is_told_nothing_but_that_a_concern_waits(
        app: Flask, auth: Auth, pupil: User, dsl: User, make_user, school, smtp: SmtpServer) -> None:
    deputy = make_user(Role.STAFF, school=school, email="deputy@oak.example.org", first_name="Dep")
    _give_duty(app, deputy, Duty.DEPUTY_DSL)
    no_address = make_user(Role.STAFF, school=school)
    _give_duty(app, no_address, Duty.DEPUTY_DSL)
    make_user(Role.STAFF, school=school, email="teacher@oak.example.org")  # no duty
    make_user(Role.COORDINATOR, school=school, email="coordinator@oak.example.org")  # not a DSL
    auth.login(pupil)
    assert _tell(auth, text=SECRET_WORDS, happening_now="yes").status_code == 302
    assert sorted(r for m in smtp.received for r in m.recipients) == ["deputy@oak.example.org", "dsl@oak.example.org"]
    [mail] = smtp.to("dsl@oak.example.org")
    text, html = mail.part("text/plain"), mail.part("text/html")
    assert f"{SITE}/concerns" in text and f'href="{SITE}/concerns"' in html
    for leak in ("Jordan", "9B", "photo", "Maya", "Patel", pupil.username, "Cyberbullying", "cyberbullying",
                 "happening now", "Happening"):
        assert leak not in text and leak not in html and leak not in mail.subject


def test_the_email_is_in_the_dsls_own_language(app: Flask, auth: Auth, pupil: User, dsl: User,
                                               smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch) -> None:
    from eduplatform.concerns import notify

    chosen: list[str] = []
    original = notify.build_notice

    def spy(recipient: Any, locale: str, *args: Any) -> Any:
        chosen.append(locale)
        return original(recipient, locale, *args)

    monkeypatch.setattr(notify, "build_notice", spy)
    monkeypatch.setitem(app.config, "LOCALES", ("en", "cy"))

    def prefer_welsh() -> None:
        db.session.get(User, dsl.id).locale = "cy"
    run_in_app(app, prefer_welsh)
    auth.login(pupil)
    _tell(auth)
    assert chosen == ["cy"] and len(smtp.received) == 1
    assert 'lang="cy"' in smtp.received[0].part("text/html")


def test_the_report_is_committed_before_the_email_and_kept_when_mail_fails(
        app: Flask, auth: Auth, pupil: User, dsl: User, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    from eduplatform.concerns import notify

    seen_before_sending: list[int] = []

    class FailingMailer:
        def __init__(self, config: Any) -> None:
            pass

        def __enter__(self) -> FailingMailer:
            # A separate connection sees the report: it was committed before any email was tried.
            with db.separate_transaction() as session:
                seen_before_sending.append(len(session.scalars(select(Concern.id)).all()))
            return self

        def __exit__(self, *args: Any) -> None:
            pass

        def send(self, message: Any) -> None:
            raise MailError("the server refused the message (550 no)", message.to)

    monkeypatch.setattr(notify, "Mailer", FailingMailer)
    auth.login(pupil)
    with caplog.at_level(logging.WARNING, logger="eduplatform.concerns.notify"):
        response = _tell(auth, text=SECRET_WORDS)
    assert response.status_code == 302 and response.headers["Location"].endswith("/tell/done")
    assert seen_before_sending == [1]
    assert len(_concerns(app)) == 1
    assert "not sent" in caplog.text and "Jordan" not in caplog.text


def test_a_mail_server_that_is_down_never_loses_the_report(app: Flask, auth: Auth, pupil: User, dsl: User,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    with running_smtp_server() as server:
        port = server.port
    for key, value in {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_USE_TLS": False, "MAIL_USE_SSL": False,
                       "MAIL_FROM": "office@oak.example.org", "MAIL_TIMEOUT": 1, "BASE_URL": SITE}.items():
        monkeypatch.setitem(app.config, key, value)  # the server has gone: nothing listens on the port
    auth.login(pupil)
    with caplog.at_level(logging.WARNING, logger="eduplatform.concerns.notify"):
        assert _tell(auth).status_code == 302
    assert len(_concerns(app)) == 1 and "could not be emailed" in caplog.text


def test_a_refused_dsl_address_does_not_stop_the_others(app: Flask, auth: Auth, pupil: User, dsl: User,
                                                        make_user, school, smtp: SmtpServer) -> None:
    deputy = make_user(Role.STAFF, school=school, email="deputy@refused.example.org")
    _give_duty(app, deputy, Duty.DEPUTY_DSL)
    smtp.refuse.add("deputy@refused.example.org")
    auth.login(pupil)
    assert _tell(auth).status_code == 302
    assert [m.recipients for m in smtp.received] == [["dsl@oak.example.org"]] and len(_concerns(app)) == 1


def test_without_a_mail_server_nothing_is_sent_and_the_report_is_kept(app: Flask, auth: Auth, pupil: User,
                                                                      dsl: User) -> None:
    assert not app.config.get("MAIL_SERVER")
    auth.login(pupil)
    assert _tell(auth).status_code == 302 and len(_concerns(app)) == 1
