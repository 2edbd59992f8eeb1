"""Languages (issue 17): which language a request uses, the language menu, right to left, the English
fallback note, complete catalogues for the shipped languages, and PDFs in Welsh and Urdu."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from pypdf import PdfReader

from eduplatform.accounts.models import User
from eduplatform.config import DEFAULTS, PROJECT_ROOT
from eduplatform.db import db
from eduplatform.i18n import bidi_isolate, language_name, text_direction
from eduplatform.roles import Role
from eduplatform.schools.models import School
from tests.conftest import Auth, run_in_app

HTML_TAG = re.compile(r"<html ([^>]*)>")
MENU_NAMES = {"en": "English", "cy": "Cymraeg", "pl": "Polski", "ur": "اردو"}


def html_attributes(page: str) -> str:
    found = HTML_TAG.search(page)
    assert found, "no <html> tag"
    return found.group(1)


def page_language(page: str) -> str:
    return re.search(r'lang="([^"]+)"', html_attributes(page)).group(1)


def set_school_default(app, school: School, locale: str) -> None:
    def change() -> None:
        db.session.get(School, school.id).default_locale = locale

    run_in_app(app, change)


def stored_locale(app, user: User) -> str | None:
    return run_in_app(app, lambda: db.session.get(User, user.id).locale)


def choose(auth: Auth, locale: str, token_from: str = "/", next_path: str = "/") -> object:  # noqa: S107
    return auth.post("/language", {"locale": locale, "next": next_path}, token_from=token_from)


# --- Which language a request uses --------------------------------------------------------------------


def test_the_site_offers_english_welsh_polish_and_urdu_by_default() -> None:
    assert DEFAULTS["LOCALES"] == ("en", "cy", "pl", "ur")
    assert [language_name(code) for code in DEFAULTS["LOCALES"]] == list(MENU_NAMES.values())


def test_the_school_default_applies_when_nobody_chose(app, client, auth: Auth, make_user, school) -> None:
    set_school_default(app, school, "pl")
    auth.login(make_user(Role.STAFF, school=school))
    assert page_language(client.get("/").get_data(as_text=True)) == "pl"


def test_the_browser_beats_the_school_default(app, client, auth: Auth, make_user, school) -> None:
    set_school_default(app, school, "pl")
    auth.login(make_user(Role.STAFF, school=school))
    page = client.get("/", headers={"Accept-Language": "cy, en;q=0.5"}).get_data(as_text=True)
    assert page_language(page) == "cy"


def test_the_menu_choice_beats_the_browser_and_lasts_across_sign_in(app, client, auth: Auth, make_user,
                                                                     school) -> None:
    person = make_user(Role.STAFF, school=school)
    assert choose(auth, "ur", token_from="/login", next_path="/login").status_code == 302
    welsh_browser = {"Accept-Language": "cy"}
    assert page_language(client.get("/login", headers=welsh_browser).get_data(as_text=True)) == "ur"
    auth.login(person)
    assert page_language(client.get("/", headers=welsh_browser).get_data(as_text=True)) == "ur"
    assert stored_locale(app, person) is None  # chosen before signing in: this browser only


def test_the_account_beats_the_session(app, client, auth: Auth, make_user, school) -> None:
    person = make_user(Role.STAFF, school=school)
    run_in_app(app, lambda: setattr(db.session.get(User, person.id), "locale", "pl"))
    choose(auth, "ur", token_from="/login", next_path="/login")
    auth.login(person)
    assert page_language(client.get("/", headers={"Accept-Language": "cy"}).get_data(as_text=True)) == "pl"


def test_choosing_while_signed_in_is_stored_on_the_account(app, client, auth: Auth, make_user, school) -> None:
    person = make_user(Role.PARENT, school=school)
    auth.login(person)
    response = choose(auth, "pl", next_path="/account/password")
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/password")
    assert stored_locale(app, person) == "pl"
    other_browser = app.test_client()
    Auth(other_browser).login(person)
    assert page_language(other_browser.get("/").get_data(as_text=True)) == "pl"


def test_a_language_not_offered_or_a_missing_token_is_refused(app, client, auth: Auth, make_user, school) -> None:
    person = make_user(Role.STAFF, school=school)
    auth.login(person)
    assert choose(auth, "xx").status_code == 400
    assert client.post("/language", data={"locale": "cy"}).status_code == 400  # no CSRF token
    assert stored_locale(app, person) is None


def test_the_menu_never_redirects_off_site(client, auth: Auth) -> None:
    response = choose(auth, "cy", token_from="/login", next_path="//evil.example/")
    assert response.status_code == 302 and "evil.example" not in response.headers["Location"]


# --- The menu on every page -----------------------------------------------------------------------------


def assert_language_menu(page: str) -> None:
    menu = re.search(r'<form class="language-menu" method="post" action="/language".*?</form>', page, re.DOTALL)
    assert menu, "no language menu"
    assert 'name="csrf_token"' in menu.group(0)
    for code, name in MENU_NAMES.items():
        assert re.search(rf'name="locale" value="{code}" lang="{code}" dir="{text_direction(code)}"[^>]*>'
                         rf"{name}</button>", menu.group(0)), code


def test_the_login_page_has_the_language_menu(client) -> None:
    assert_language_menu(client.get("/login").get_data(as_text=True))


def test_the_picture_sign_in_page_has_the_language_menu(client) -> None:
    assert_language_menu(client.get("/tap").get_data(as_text=True))


def test_a_signed_in_page_has_the_language_menu(client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    page = client.get("/").get_data(as_text=True)
    assert_language_menu(page)
    assert 'aria-current="true">English</button>' in page


def test_the_language_page_works_without_javascript(client, auth: Auth) -> None:
    page = client.get("/language?next=/tap").get_data(as_text=True)
    assert 'name="next" type="hidden" value="/tap"' in page
    response = choose(auth, "cy", token_from="/language", next_path="/tap")
    assert response.headers["Location"].endswith("/tap")
    assert page_language(client.get("/tap").get_data(as_text=True)) == "cy"


def test_a_coordinator_chooses_the_schools_default_from_the_offered_languages(app, client, auth: Auth, make_user,
                                                                             school) -> None:
    coordinator = make_user(Role.COORDINATOR, Role.STAFF, school=school)
    auth.login(coordinator)
    path = f"/schools/{school.id}/settings"
    page = client.get(path).get_data(as_text=True)
    select = re.search(r'<select[^>]*name="default_locale".*?</select>', page, re.DOTALL).group(0)
    assert re.findall(r'<option[^>]*value="(\w+)"[^>]*>([^<]+)</option>', select) == list(MENU_NAMES.items())
    form = {"default_locale": "ur", "time_zone": "Europe/London", "dsl_contact": "", "sso_provider": "",
            "sso_domain": "", "sso_tenant": ""}
    assert auth.post(path, form, token_from=path).status_code == 302
    assert run_in_app(app, lambda: db.session.get(School, school.id).default_locale) == "ur"
    assert "Not a valid choice" in auth.post(path, {**form, "default_locale": "fr"}, token_from=path).get_data(
        as_text=True)
    assert run_in_app(app, lambda: db.session.get(School, school.id).default_locale) == "ur"


# --- Right to left ------------------------------------------------------------------------------------------


def test_an_urdu_page_is_right_to_left_and_others_are_not(client, auth: Auth) -> None:
    for code in ("en", "cy", "pl"):
        choose(auth, code, token_from="/login", next_path="/login")
        assert html_attributes(client.get("/login").get_data(as_text=True)) == f'lang="{code}" dir="ltr"'
    choose(auth, "ur", token_from="/login", next_path="/login")
    assert html_attributes(client.get("/login").get_data(as_text=True)) == 'lang="ur" dir="rtl"'


def test_names_are_isolated_in_right_to_left_text(client, auth: Auth, make_user, school) -> None:
    person = make_user(Role.STAFF, school=school, first_name="Ann <b>", last_name="Lee")
    auth.login(person)
    choose(auth, "ur")
    page = client.get("/").get_data(as_text=True)
    assert "<bdi>Ann &lt;b&gt; Lee</bdi>" in page or "<bdi>Ann &lt;b&gt; L.</bdi>" in page
    assert str(bidi_isolate("<i>")) == "<bdi>&lt;i&gt;</bdi>"


# --- Content not yet translated -----------------------------------------------------------------------------

NOTE = 'class="content-language-note"'


def test_a_lesson_not_yet_in_welsh_says_so_and_is_marked_english(client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    english = client.get("/modules/ks2-passwords/lessons/ks2-passwords-why").get_data(as_text=True)
    assert NOTE not in english
    choose(auth, "cy")
    page = client.get("/modules/ks2-passwords/lessons/ks2-passwords-why").get_data(as_text=True)
    note = re.search(rf"<p {NOTE} role=\"note\">(.*?)</p>", page, re.DOTALL)
    assert note and "Cymraeg" in note.group(1)
    assert '<div class="lesson-body" lang="en" dir="ltr">' in page
    module = client.get("/modules/ks2-passwords").get_data(as_text=True)
    assert NOTE in module and "Cymraeg" in module


def test_an_agreement_not_yet_in_urdu_says_so(client, auth: Auth, pupil) -> None:
    auth.login(pupil)
    assert NOTE not in client.get("/agreements/ks2-aup").get_data(as_text=True)
    choose(auth, "ur")
    page = client.get("/agreements/ks2-aup").get_data(as_text=True)
    assert NOTE in page and "اردو" in page.split(NOTE, 1)[1].split("</p>", 1)[0]


# --- The shipped catalogues ------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", [code for code in DEFAULTS["LOCALES"] if code != "en"])
def test_every_shipped_catalogue_is_complete(locale: str) -> None:
    """No empty msgstr in a shipped language: the page would show English in the middle of Welsh."""
    path = PROJECT_ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale=locale)
    empty = []
    for message in catalogue:
        if not message.id:
            continue  # the header
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        if not all(strings):
            empty.append(message.id if isinstance(message.id, str) else message.id[0])
    assert empty == [], f"{len(empty)} untranslated in {path.relative_to(PROJECT_ROOT)}, e.g. {empty[:5]}"


# --- PDFs in Welsh and Urdu ------------------------------------------------------------------------------------


def pdf_text(body: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


@pytest.fixture
def pdf_rendering():
    from eduplatform.pdf import pdf_unavailable_reason

    if pdf_unavailable_reason():
        pytest.skip(pdf_unavailable_reason())


WELSH = "Llongyfarchiadau! Dŵr, tŷ, â chi: cwblhawyd."
URDU = "آن لائن حفاظت کی تربیت مکمل کر لی۔"


def test_a_pdf_in_welsh_keeps_its_diacritics(app, pdf_rendering) -> None:
    from flask import render_template_string

    from eduplatform.pdf import render_pdf

    with app.test_request_context():
        html = render_template_string('<!doctype html><html lang="cy"><body><h1>Tystysgrif</h1><p>{{ t }}</p>'
                                      "</body></html>", t=WELSH)
        body = render_pdf(html, app.static_folder)
    assert WELSH in pdf_text(body)


def test_a_pdf_in_urdu_uses_the_shipped_font_and_extracts_as_written(app, pdf_rendering, monkeypatch,
                                                                     tmp_path: Path) -> None:
    from flask import render_template_string

    from eduplatform import pdf

    loaded: list[str] = []
    original = pdf.static_file_for

    def spy(url: str, static: Path) -> Path | None:
        loaded.append(url)
        return original(url, static)

    monkeypatch.setattr(pdf, "static_file_for", spy)
    with app.test_request_context():
        html = render_template_string('<!doctype html><html lang="ur" dir="{{ text_direction("ur") }}"><body>'
                                      "<p>{{ t }} <bdi>Ava Jones</bdi> 2026</p></body></html>", t=URDU)
        body = pdf.render_pdf(html, app.static_folder)
    assert any(url.endswith("/fonts/NotoNaskhArabic-Regular.ttf") for url in loaded), loaded
    text = pdf_text(body)
    assert URDU in text and "Ava Jones" in text and "2026" in text
    pdffonts = shutil.which("pdffonts")  # poppler-utils: which fonts the file embeds
    if pdffonts:
        (tmp_path / "urdu.pdf").write_bytes(body)
        fonts = subprocess.run([pdffonts, str(tmp_path / "urdu.pdf")], capture_output=True, text=True,
                               check=True).stdout
        assert "Noto-Naskh-Arabic" in fonts


def test_an_english_pdf_does_not_load_the_urdu_font(app, pdf_rendering, monkeypatch) -> None:
    from eduplatform import pdf

    loaded: list[str] = []
    original = pdf.static_file_for
    monkeypatch.setattr(pdf, "static_file_for", lambda url, static: loaded.append(url) or original(url, static))
    with app.test_request_context():
        pdf.render_pdf('<!doctype html><html lang="en"><body><p>Well done</p></body></html>', app.static_folder)
    assert not any("/fonts/" in url for url in loaded)


@pytest.mark.parametrize(("locale", "first_name", "last_name"), [("cy", "Siân", "Ŵyn"), ("ur", "عائشہ", "خان")])
def test_a_certificate_pdf_in_welsh_or_urdu_shows_the_holder(app, client, auth: Auth, make_user, school,
                                                             pdf_rendering, locale, first_name, last_name) -> None:
    from tests.test_certificates import _certificate

    holder = make_user(Role.STAFF, school=school, first_name=first_name, last_name=last_name)
    certificate = _certificate(app, holder, locale=locale)
    auth.login(holder)
    response = client.get(f"/certificates/{certificate.id}.pdf")
    assert response.status_code == 200
    text = pdf_text(response.get_data())
    assert f"{first_name} {last_name}" in text or f"{last_name} {first_name}" in text
    assert f"{certificate.code[:5]}-{certificate.code[5:]}" in text


# --- check-content: translation coverage --------------------------------------------------------------------


def test_translation_coverage_counts_the_files_written_in_each_locale(tmp_path: Path) -> None:
    from eduplatform.catalogue import load_catalogue
    from eduplatform.catalogue.report import translation_coverage

    fixtures = Path(__file__).parent / "fixtures" / "catalogue"
    shutil.copytree(fixtures, tmp_path / "catalogue")
    english = tmp_path / "catalogue" / "content" / "en" / "modules" / "ks2-passwords"
    welsh = tmp_path / "catalogue" / "content" / "cy" / "modules" / "ks2-passwords"
    welsh.mkdir(parents=True)
    for name in ("module.yaml", "ks2-passwords-why.md"):  # the module's words and one of its two lessons
        shutil.copy(english / name, welsh / name)
    catalogue = load_catalogue(tmp_path / "catalogue" / "curriculum", tmp_path / "catalogue" / "content",
                               PROJECT_ROOT / "static", lambda endpoint, **values: "/", fallback_locale="en")
    rows = {(row.locale, row.audience_id): row for row in translation_coverage(catalogue, ("en", "cy", "ur"))}
    assert {locale for locale, _ in rows} == {"cy", "ur"}  # English is the fallback: nothing to count
    ks2_total = rows[("ur", "ks2")].total
    assert ks2_total >= 4 and rows[("ur", "ks2")].translated == 0
    assert (rows[("cy", "ks2")].translated, rows[("cy", "ks2")].total) == (2, ks2_total)
    assert rows[("cy", "ks3")].translated == 0


@pytest.mark.parametrize("locale", ["cy", "ur"])
def test_the_audit_pdf_in_welsh_or_urdu_is_in_that_language(app, client, auth: Auth, make_trust, make_school,
                                                            make_user, make_class, link, pdf_rendering,
                                                            locale: str) -> None:
    from flask_babel import force_locale, gettext

    from tests.records_world import build_records_world

    world = build_records_world(app, make_trust, make_school, make_user, make_class, link)
    auth.login(world.people["coordinator"])
    choose(auth, locale)
    response = client.get("/audit/download.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(pdf_text(response.get_data()).split())
    with app.test_request_context(), force_locale(locale):
        draft = gettext("Draft: not signed yet.")  # the catalogue's words (English until compiled)
    assert "Records School" in text
    assert " ".join(draft.split()) in text


def test_the_kept_catalogue_follows_force_locale_and_refresh(app) -> None:
    """Strings are looked up in a catalogue kept for the request: a forced language (mail to a Polish
    parent) and a refreshed choice still translate at once, in Python and in templates."""
    from flask import render_template_string
    from flask_babel import force_locale, refresh

    from eduplatform.i18n import _

    with app.test_request_context("/", headers={"Accept-Language": "cy"}):
        welsh = _("Sign in")
        assert welsh != "Sign in"
        with force_locale("pl"):
            polish = _("Sign in")
            assert polish not in ("Sign in", welsh)
            assert render_template_string("{{ _('Sign in') }}") == polish
        assert _("Sign in") == welsh == render_template_string("{{ _('Sign in') }}")
        refresh()  # the choice is made again (a new locale object): the same language, found again
        assert _("Sign in") == welsh
        assert _("Year %(year)s", year=4) != "Year 4" and "4" in _("Year %(year)s", year=4)
    with app.test_request_context("/"):
        assert _("Sign in") == "Sign in"
