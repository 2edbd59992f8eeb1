"""Static files: fingerprinted names, year-long caching only for the current bytes, PDFs still find them."""

from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path

import pytest
from flask import Flask, render_template_string, url_for
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from eduplatform.catalogue import current_catalogue
from eduplatform.static_files import ONE_YEAR, SHORT, find_file, fingerprint_folder, init_static_files, plain_name
from tests.conftest import run_in_app

FINGERPRINTED = re.compile(r"/static/[\w/.-]+\.[0-9a-f]{10}\.\w+")
IMMUTABLE = f"public, max-age={ONE_YEAR}, immutable"


def mini_app(folder: Path, env: str = "production") -> Flask:
    """A bare Flask app serving ``folder`` the way the site serves ``static/``."""
    app = Flask(__name__, static_folder=str(folder), static_url_path="/static")
    app.config["ENV"] = env
    init_static_files(app)
    return app


def static_url(app: Flask, filename: str) -> str:
    with app.test_request_context():
        return url_for("static", filename=filename)


def fetch(client: FlaskClient, url: str) -> TestResponse:
    """GET ``url``, read the body and close the file behind it."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.headers["Cache-Control"].split(",")}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "site.css").write_text("body { color: black; }")
    (tmp_path / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "LICENSE").write_text("no suffix")
    return tmp_path


# --- Names ---------------------------------------------------------------------------------------


def test_every_file_gets_a_name_with_ten_hex_digits_of_its_content_hash(folder: Path) -> None:
    names = {name: fingerprint.name for name, fingerprint in fingerprint_folder(folder).items()}
    digest = hashlib.sha256(b"body { color: black; }").hexdigest()[:10]
    assert names["css/site.css"] == f"css/site.{digest}.css"
    assert re.fullmatch(r"favicon\.[0-9a-f]{10}\.svg", names["favicon.svg"])
    assert re.fullmatch(r"LICENSE\.[0-9a-f]{10}", names["LICENSE"])
    assert {plain_name(name) for name in names.values()} == set(names)


def test_the_url_changes_when_the_file_changes_and_only_then(folder: Path) -> None:
    before = static_url(mini_app(folder), "css/site.css")
    assert static_url(mini_app(folder), "css/site.css") == before  # same bytes, same name (any server)
    (folder / "css" / "site.css").write_text("body { color: navy; }")
    after = static_url(mini_app(folder), "css/site.css")
    assert after != before
    assert FINGERPRINTED.fullmatch(before) and FINGERPRINTED.fullmatch(after)


def test_a_name_that_is_not_a_file_is_left_as_it_is(folder: Path) -> None:
    assert static_url(mini_app(folder), "css/nope.css") == "/static/css/nope.css"


def test_find_file_drops_any_fingerprint_and_refuses_names_outside_the_folder(folder: Path) -> None:
    site = folder / "css" / "site.css"
    assert find_file(folder, "css/site.css") == site
    assert find_file(folder, "css/site.0123456789.css") == site  # any fingerprint: the PDF renderer reads files
    assert find_file(folder, "css/other.0123456789.css") is None
    for outside in ("../secret.txt", "css/../../secret.txt", "/etc/passwd", "css"):
        assert find_file(folder, outside) is None, outside


# --- Serving -------------------------------------------------------------------------------------


def test_the_current_fingerprinted_name_is_cached_for_a_year(folder: Path) -> None:
    app = mini_app(folder)
    response = fetch(app.test_client(), static_url(app, "css/site.css"))
    assert response.status_code == 200 and response.mimetype == "text/css"
    assert response.get_data(as_text=True) == "body { color: black; }"
    assert cache_control(response) == set(IMMUTABLE.split(", "))


def test_plain_names_and_stale_fingerprints_get_the_current_file_for_five_minutes(folder: Path) -> None:
    app = mini_app(folder)
    client = app.test_client()
    for url in ("/static/css/site.css", "/static/css/site.0123456789.css"):
        response = fetch(client, url)
        assert response.status_code == 200 and response.mimetype == "text/css", url
        assert response.get_data(as_text=True) == "body { color: black; }"
        assert cache_control(response) == {"public", f"max-age={SHORT}"}, url


def test_a_file_edited_after_start_up_is_never_promised_for_a_year(folder: Path) -> None:
    app = mini_app(folder)
    url = static_url(app, "css/site.css")
    (folder / "css" / "site.css").write_text("body { color: red; }")  # edited in place, no restart
    response = fetch(app.test_client(), url)
    assert response.get_data(as_text=True) == "body { color: red; }"
    assert "immutable" not in cache_control(response) and f"max-age={SHORT}" in cache_control(response)


def test_in_development_every_file_is_checked_again_on_each_reload(folder: Path) -> None:
    app = mini_app(folder, env="development")
    response = fetch(app.test_client(), static_url(app, "css/site.css"))
    assert response.status_code == 200
    assert {"no-cache", "max-age=0"} <= cache_control(response) and "immutable" not in cache_control(response)


def test_an_unknown_file_is_not_found(folder: Path) -> None:
    client = mini_app(folder).test_client()
    assert fetch(client, "/static/css/nope.css").status_code == 404
    assert fetch(client, "/static/css/nope.0123456789.css").status_code == 404
    assert fetch(client, "/static/css").status_code == 404


@pytest.mark.parametrize("path", ["/static/../app.py", "/static/css/../../app.py", "/static/..%2fapp.py",
                                  "/static/%2e%2e/app.py", "/static/css/..%2f..%2fapp.py"])
def test_paths_out_of_the_static_folder_are_refused(app, client, path: str) -> None:
    assert (Path(app.static_folder).parent / "app.py").is_file()
    assert fetch(client, path).status_code == 404


# --- The site ------------------------------------------------------------------------------------


def test_every_css_js_and_image_url_on_a_page_is_fingerprinted_and_cached_for_a_year(app, client) -> None:
    response = client.get("/login")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="(/static/[^"]*)"', page)
    assert {url.rsplit(".", 1)[-1] for url in urls} >= {"css", "js", "svg"}
    assert [url for url in urls if not FINGERPRINTED.fullmatch(url)] == []
    fingerprints = app.extensions["eduplatform.static_files"]
    for url in urls:
        served = fetch(client, url)
        assert served.status_code == 200, url
        name = plain_name(url.removeprefix("/static/"))
        # The test app starts once per session: a file edited since then (by a developer, while the
        # suite runs) rightly gets the short lifetime instead; the serving tests above pin that case.
        if fingerprints[name].still_matches(Path(app.static_folder) / name):
            assert cache_control(served) == set(IMMUTABLE.split(", ")), url
        assert "no-store" not in served.headers["Cache-Control"]


def test_a_lesson_picture_in_the_catalogue_is_fingerprinted_and_served(app, client) -> None:
    html = run_in_app(app, lambda: str(current_catalogue().module_content("ks1-asking", "en").lessons[0].html))
    found = re.search(r'<img[^>]* src="(/static/img/ui/thumbs-up\.[0-9a-f]{10}\.svg)"', html)
    assert found, html
    response = fetch(client, found[1])
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.data == (Path(app.static_folder) / "img" / "ui" / "thumbs-up.svg").read_bytes()
    assert "immutable" in cache_control(response)


def test_start_up_hashes_the_real_static_folder_quickly(app) -> None:
    folder = Path(app.static_folder)
    files = sum(len(names) for _, _, names in os.walk(folder))
    fingerprints = fingerprint_folder(folder)
    assert len(fingerprints) == files == len(app.extensions["eduplatform.static_files"])


# --- PDFs ----------------------------------------------------------------------------------------


def test_a_pdf_loads_fingerprinted_plain_and_relative_static_urls_from_disk(app, caplog, monkeypatch) -> None:
    from eduplatform.pdf import pdf_unavailable_reason, render_pdf

    if pdf_unavailable_reason():
        pytest.skip(pdf_unavailable_reason())
    import weasyprint

    fetched: list[str] = []
    original_fetch = weasyprint.URLFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original_fetch(self, url, headers)

    monkeypatch.setattr(weasyprint.URLFetcher, "fetch", spy)
    template = """<!doctype html><html><head>
      <link rel="stylesheet" href="{{ url_for('static', filename='css/print.css') }}"></head><body>
      <p>Pictures</p>
      <img src="{{ url_for('static', filename='img/ui/thumbs-up.svg') }}" alt="">
      <img src="/static/img/ui/thumbs-down.svg" alt=""><img src="img/ks2/padlock.svg" alt="">
      <img src="/static/../app.py" alt=""><img src="http://example.com/x.svg" alt="">
    </body></html>"""
    with app.test_request_context():
        html = render_template_string(template)
        assert len(FINGERPRINTED.findall(html)) == 2
        with caplog.at_level(logging.ERROR, logger="weasyprint"):
            pdf = render_pdf(html, app.static_folder)
    assert pdf.startswith(b"%PDF")
    static = Path(app.static_folder).resolve()
    expected = {(static / name).as_uri() for name in
                ("css/print.css", "img/ui/thumbs-up.svg", "img/ui/thumbs-down.svg", "img/ks2/padlock.svg")}
    assert expected <= set(fetched)
    assert all(url.startswith(static.as_uri() + "/") for url in fetched)  # nothing from elsewhere
    failures = [record.getMessage() for record in caplog.records if record.name.startswith("weasyprint")]
    assert len(failures) == 2 and all("app.py" in f or "example.com" in f for f in failures), failures
