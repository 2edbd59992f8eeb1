"""Browser tests: headless Chromium, driven by Playwright, against a real server on a real socket.

Every test in this folder is marked ``browser``. When Playwright or Chromium is missing, they are
skipped with one short reason, unless ``EDUPLATFORM_REQUIRE_BROWSER=1`` is set (CI sets it): then
every browser test fails with that reason, so they can never skip silently there. (The check is a
session fixture rather than a module-level skip in this conftest: pytest cannot handle that skip
when this folder is named on the command line.)

The server is the real app, served by Werkzeug in a background thread for the whole session, with
its own SQLite file: the browser's requests commit for real, so these tests never use the shared
test database (nor PostgreSQL, even when ``EDUPLATFORM_TEST_DATABASE_URL`` is set) and never the
per-test rollback of ``tests/conftest.py`` (they do not request the ``app`` fixture). The server
starts with one school, a Year 5 pupil and a member of staff (see :class:`LiveServer`). Tests that
change someone's records (lessons read, quiz attempts, signatures) share these people, so each
such change belongs to one test only.

Fixtures: ``live_server``, ``browser`` (session); ``new_context``, ``context``, ``page`` and
``sign_in`` (per test).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

# tests/conftest.py is importable as ``conftest`` (pytest puts tests/ on sys.path): reuse its
# settings and password so the live server is configured exactly like the rest of the suite.
from conftest import PASSWORD, test_settings

from eduplatform import create_app
from eduplatform.accounts.services import create_user
from eduplatform.db import db, upgrade_database
from eduplatform.roles import Role
from eduplatform.schools.services import create_school

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

HERE = Path(__file__).resolve().parent
REQUIRE_BROWSER = "EDUPLATFORM_REQUIRE_BROWSER"
#: Names the system Chromium goes by (Debian: ``chromium``; Ubuntu's snap: ``chromium-browser``).
CHROMIUM_NAMES = ("chromium", "chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
#: How long a Playwright action or navigation may take (ms); the default 30 s hides hangs too long.
ACTION_TIMEOUT_MS = 10_000


# --- Skipping and marking -------------------------------------------------------------------------


def _find_chromium() -> str | None:
    return next((path for path in map(shutil.which, CHROMIUM_NAMES) if path), None)


def _why_no_browser() -> str | None:
    """Why the browser tests cannot run on this machine, in a few words; None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed"
    if _find_chromium() is None:
        return "Chromium is not installed"
    return None


def _unavailable(reason: str) -> NoReturn:
    """Skip with ``reason``, or fail with it when the environment demands the browser tests run."""
    if os.environ.get(REQUIRE_BROWSER) == "1":
        pytest.fail(f"{reason}, but {REQUIRE_BROWSER}=1 requires the browser tests to run", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test collected from this folder (and only those) ``browser``.

    The hook sees the whole session's items, hence the check on each item's path.
    """
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    """The system Chromium. Skips every browser test, all with the same short reason, when it or
    Playwright is missing, or fails them when ``EDUPLATFORM_REQUIRE_BROWSER=1``.

    Checked once per session. ``browser`` and ``live_server`` request it, so nothing is started
    before this check.
    """
    missing = _why_no_browser()
    executable = _find_chromium()
    if missing or executable is None:
        _unavailable(missing or "Chromium is not installed")
    return executable


# --- The live server ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """Someone who can sign in to the live server (their password is ``PASSWORD``)."""

    username: str
    first_name: str
    last_name: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class LiveServer:
    """The running site: its base URL and the people it was seeded with."""

    url: str
    #: A Year 5 (Key Stage 2) pupil of Oak School.
    pupil: Person
    #: A member of staff of Oak School.
    staff: Person
    #: The application behind the server: tests seed what they need in ``app.app_context()`` and commit.
    app: Any = None


PUPIL = Person(username="maya.patel", first_name="Maya", last_name="Patel")
STAFF = Person(username="tom.hughes", first_name="Tom", last_name="Hughes")


@pytest.fixture(scope="session")
def live_server(chromium_executable: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app on ``http://127.0.0.1:<free port>``, with its own migrated and seeded SQLite file.

    Depends on ``chromium_executable`` only so that nothing is started when the tests will skip.
    """
    from werkzeug.serving import make_server

    folder = tmp_path_factory.mktemp("browser")
    instance = folder / "instance"
    instance.mkdir()
    database_url = f"sqlite:///{folder / 'browser.sqlite3'}"
    app = create_app(test_settings(instance, database_url))
    with app.app_context():
        upgrade_database(db.engine)
        school = create_school(name="Oak School", slug="oak-school")
        for person, role, year_group in ((PUPIL, Role.PUPIL, 5), (STAFF, Role.STAFF, None)):
            create_user(username=person.username, first_name=person.first_name, last_name=person.last_name,
                        roles={role}, school_id=school.id, year_group=year_group, password=PASSWORD)
        db.session.commit()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="eduplatform-live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(url=f"http://127.0.0.1:{server.port}", pupil=PUPIL, staff=STAFF, app=app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()  # close pooled SQLite connections (no unclosed-resource warnings)


# --- Playwright -----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser(chromium_executable: str) -> Iterator[Browser]:
    """One headless Chromium for the session, closed (with Playwright's driver) at the end."""
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=chromium_executable, args=CHROMIUM_ARGS)
        except Error as error:
            _unavailable(f"Chromium did not start: {str(error).splitlines()[0]}")
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def new_context(browser: Browser, live_server: LiveServer) -> Iterator[Callable[[], BrowserContext]]:
    """Open fresh browser contexts (empty cookie jars) on the live server; all closed after the test.

    Relative URLs (``page.goto("/")``) go to the live server.
    """
    opened: list[BrowserContext] = []

    def open_context() -> BrowserContext:
        context = browser.new_context(base_url=live_server.url, locale="en-GB",
                                      viewport={"width": 1280, "height": 900})
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


@pytest.fixture
def context(new_context: Callable[[], BrowserContext]) -> BrowserContext:
    """This test's browser context."""
    return new_context()


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A tab in this test's context. The test fails if the page throws an uncaught JavaScript error."""
    tab = context.new_page()
    script_errors: list[str] = []
    tab.on("pageerror", lambda error: script_errors.append(str(error)))
    yield tab
    assert not script_errors, f"JavaScript errors on the page: {script_errors}"


@pytest.fixture
def sign_in() -> Callable[[Page, Person], None]:
    """Sign ``person`` in through the sign-in form of ``page`` and wait for their dashboard."""
    from playwright.sync_api import expect

    def sign_in_as(page: Page, person: Person) -> None:
        page.goto("/login")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        page.get_by_label("Username").fill(person.username)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {person.first_name}")

    return sign_in_as
