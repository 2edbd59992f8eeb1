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

Fixtures: ``live_server``, ``browser`` (session); ``new_context``, ``context``, ``page``,
``sign_in`` and ``axe`` (per test).

**Accessibility: axe on every page.** Every page a browser test visits is checked with axe-core
(the ``axe.min.js`` shipped inside the pinned ``axe-playwright-python`` wheel; nothing is
downloaded at run time), for the WCAG 2.0/2.1/2.2 A and AA rules and axe's best practices; a test
fails, listing each rule, its help text and the first few elements, when a page it visited has a
*serious* or *critical* violation. How every page is caught, without racing the test:

- the autouse ``axe`` fixture watches every browser context the test opens, whichever way: the
  ``new_context``/``context``/``page`` fixtures, or ``browser.new_context()``/``new_page()``
  called directly (the session's browser is patched for the length of the test);
- each watched context adds axe to every top-level http(s) document it opens (an init script)
  and runs it *in the page* once the document is parsed, its own scripts have run and its style
  sheets have loaded; the page reports the findings through a binding. No Playwright call is made
  to run it, so it never gets in the way of the test's own calls;
- a navigation away from a page (a ``goto``, a clicked link, a submitted form, a reload, a
  download link) is held (the context routes its requests) until axe has reported on the page it
  leaves, so no page is lost however quickly the test moves on. (Playwright's ``evaluate`` waits
  while a navigation is pending, but the page's scripts and the bindings go on.) Only a page left
  before it was even parsed and styled (a test that moves on without waiting for it) is not
  waited for: Chromium stops loading it once the next navigation starts;
- after the test body, and before a context the test closes itself, each open tab's page is
  waited for until it has loaded and axe has reported on it (or the test fails saying so).

``about:blank``, frames, ``page.set_content`` documents and non-HTML documents (a CSV, a PDF)
are not checked automatically; ``axe.check(page)`` checks the page now, at a moment of the test's
choosing (say, with a dialog open), and :func:`run_axe` returns a page's violations alone.
``axe.checked`` lists the pages checked. A navigation that the test's own ``page.route`` (or a
later ``context.route``) fulfils is not held. A test that needs a page axe flags must say so,
rule by rule, with a reason:
``@pytest.mark.axe_allow("color-contrast", reason="...")``.
"""

from __future__ import annotations

import functools
import importlib.resources
import json
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

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
    from playwright.sync_api import Browser, BrowserContext, Page, Route

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
    try:
        _axe_source()
    except (ImportError, OSError):
        return "axe-core (the axe-playwright-python package) is not installed"
    if _find_chromium() is None:
        return "Chromium is not installed"
    return None


def _unavailable(reason: str) -> NoReturn:
    """Skip with ``reason``, or fail with it when the environment demands the browser tests run."""
    if os.environ.get(REQUIRE_BROWSER) == "1":
        pytest.fail(f"{reason}, but {REQUIRE_BROWSER}=1 requires the browser tests to run", pytrace=False)
    pytest.skip(reason)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "axe_allow(*rules, reason): the browser test may meet these axe rules' serious or critical "
                   "violations (say why)")


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


def _buffered(app: Any) -> Any:
    """The app with each response read whole and its file closed before a byte is sent.

    Werkzeug's development server skips closing a response (a static file) when the browser
    drops the connection while it drains the socket, which leaves an unclosed file for Python to
    warn about in a later test. Buffering closes every file at once; test pages are small.
    """

    def wsgi(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        response = app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            if hasattr(response, "close"):
                response.close()

    return wsgi


@pytest.fixture(scope="session")
def live_server(chromium_executable: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The app on ``http://127.0.0.1:<free port>``, with its own migrated and seeded SQLite file.

    Depends on ``chromium_executable`` only so that nothing is started when the tests will skip.
    """
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

    with serving(app) as url:
        yield LiveServer(url=url, pupil=PUPIL, staff=STAFF, app=app)


@contextmanager
def serving(app: Any) -> Iterator[str]:
    """Serve ``app`` on a free port of 127.0.0.1 in a thread; its base URL while the block runs."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, _buffered(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="eduplatform-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.port}"
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


def sign_in_with_password(page: Page, username: str) -> None:
    """Sign ``username`` in with the tests' password through the sign-in form and wait for the dashboard."""
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


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



# --- Accessibility: axe on every page -------------------------------------------------------------

#: The axe-core rule sets run on every page: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and axe's
#: best practices.
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice")
#: The impacts that fail a test; ``moderate`` and ``minor`` findings are not reported.
AXE_FAILING_IMPACTS = ("serious", "critical")
#: How many of a violation's elements a failure lists.
AXE_TARGETS_SHOWN = 5
#: How long a navigation may be held for axe to finish on the page it leaves, and how long the
#: end of a test waits for axe to finish on the pages it ends on.
AXE_WAIT_SECONDS = 30.0
#: Runs axe on the document and resolves to its serious and critical violations (null for a
#: document that is not HTML). Runs on one document are chained, as axe runs one at a time.
_AXE_RUN = """async ({tags, impacts}) => {
  if (document.contentType !== 'text/html') return null;
  const run = (window.__eduplatformAxeRun || Promise.resolve()).catch(() => null)
    .then(() => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']}));
  window.__eduplatformAxeRun = run;
  const results = await run;
  return results.violations.filter(rule => impacts.includes(rule.impact)).map(rule => ({
    rule: rule.id, impact: rule.impact, help: rule.help, helpUrl: rule.helpUrl,
    targets: rule.nodes.map(node => node.target.flat().join(' ')),
  }));
}"""
#: The init script of a watched context: in each top-level http(s) document, axe-core, and a run
#: of axe once the document is parsed, its scripts have run and its style sheets have loaded,
#: reported to the test through bindings.
_AXE_WATCH = """(() => {
  if (window !== window.top || !/^https?:$/.test(location.protocol)) return;
  %(axe)s
  const options = %(options)s;
  const token = window.__eduplatformAxeToken = `${Date.now()}-${Math.random()}`;
  const loaded = link => link.sheet ? null : new Promise(done => {
    link.addEventListener('load', done); link.addEventListener('error', done); setTimeout(done, 20000);
  });
  const styled = () => Promise.all([...document.querySelectorAll('link[rel~="stylesheet"]')].map(loaded));
  document.addEventListener('DOMContentLoaded', () => setTimeout(async () => {
    await styled();
    window.__eduplatformAxeStarted(token);
    let found = null, error = null;
    try { found = await (%(run)s)(options); } catch (e) { error = String(e); }
    window.__eduplatformAxeReport(token, location.href, found, error);
  }, 0), {once: true});
})();"""


@functools.cache
def _axe_source() -> str:
    """axe-core's ``axe.min.js``, from the ``axe-playwright-python`` wheel (its Python API is not used)."""
    return importlib.resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


def _axe_options() -> dict[str, list[str]]:
    return {"tags": list(AXE_TAGS), "impacts": list(AXE_FAILING_IMPACTS)}


@dataclass(frozen=True)
class AxeViolation:
    """One axe rule that a page breaks, with the elements that break it."""

    page: str  # the page's path and query ("/login")
    rule: str
    impact: str
    help: str
    help_url: str
    targets: tuple[str, ...]

    def describe(self) -> str:
        shown = ", ".join(self.targets[:AXE_TARGETS_SHOWN])
        more = len(self.targets) - AXE_TARGETS_SHOWN
        return (f"{self.page}: {self.rule} ({self.impact}): {self.help}: {shown}"
                f"{f' (and {more} more)' if more > 0 else ''}\n    {self.help_url}")


def _page_path(url: str) -> str:
    parts = urlsplit(url)
    return (parts.path + (f"?{parts.query}" if parts.query else "")) or url


def _violations(url: str, found: list[dict[str, Any]] | None) -> list[AxeViolation]:
    return [AxeViolation(page=_page_path(url), rule=item["rule"], impact=item["impact"], help=item["help"],
                         help_url=item["helpUrl"], targets=tuple(item["targets"])) for item in found or ()]


def run_axe(page: Page) -> list[AxeViolation]:
    """The serious and critical axe violations of the document ``page`` shows now.

    Injects axe first when the document has none (a ``page.set_content`` document, say);
    ``page.evaluate`` is not bound by the site's Content-Security-Policy. [] for a document that
    is not HTML.
    """
    if page.evaluate("() => typeof window.axe === 'undefined'"):
        page.evaluate(_axe_source())
    return _violations(page.url, page.evaluate(_AXE_RUN, _axe_options()))


def format_axe_violations(violations: list[AxeViolation]) -> str:
    """The failure message for ``violations``: one rule of one page a line, with its elements."""
    lines = [f"axe found {len(violations)} serious or critical accessibility violation(s):"]
    lines += [f"  {violation.describe()}" for violation in violations]
    return "\n".join(lines)


class AxeWatch:
    """Checks every page of the contexts it watches with axe, and remembers what it found.

    Built by the autouse ``axe`` fixture; see this module's docstring for when pages are checked.
    """

    def __init__(self, allowed: frozenset[str] = frozenset()) -> None:
        #: Rule ids this test opted out of with ``@pytest.mark.axe_allow``.
        self.allowed = allowed
        #: What was found, one entry per page and rule (a later check of the page adds elements).
        self.found: dict[tuple[str, str], AxeViolation] = {}
        #: Pages that could not be checked, with the reason.
        self.unchecked: list[str] = []
        #: The pages axe has checked, in order (path and query, as in :attr:`AxeViolation.page`).
        self.checked: list[str] = []
        self.contexts: list[BrowserContext] = []
        self._checked: dict[str, bool] = {}  # each document axe started on: has it reported yet?
        self._shown: dict[Page, str] = {}  # each tab: the last document axe started on

    @property
    def violations(self) -> list[AxeViolation]:
        """Every serious or critical violation found so far, allowed or not."""
        return list(self.found.values())

    def watch(self, context: BrowserContext) -> BrowserContext:
        """Check every page ``context`` shows, on load; hold navigations until the page left is checked."""
        self.contexts.append(context)
        context.expose_binding("__eduplatformAxeStarted", self._on_started)
        context.expose_binding("__eduplatformAxeReport", self._on_report)
        context.add_init_script(script=_AXE_WATCH % {
            "axe": _axe_source(), "run": _AXE_RUN, "options": json.dumps(_axe_options())})
        context.route("**", self._on_request)
        close = context.close

        def check_then_close(*args: Any, **kwargs: Any) -> None:
            self.check_open_pages(context)
            close(*args, **kwargs)

        context.close = check_then_close  # type: ignore[method-assign]
        return context

    def check(self, page: Page) -> list[AxeViolation]:
        """Check ``page`` now; returns (and records) its serious and critical violations."""
        violations = run_axe(page)
        self._record(page.url, violations)
        return violations

    def check_open_pages(self, context: BrowserContext) -> None:
        """Wait until the page each open tab of ``context`` shows has loaded and been checked."""
        from playwright.sync_api import Error

        for page in context.pages:
            for attempt in (1, 2):  # again if a navigation the test started at its very end got in the way
                try:
                    page.wait_for_load_state("load")
                    if not page.url.startswith(("http:", "https:")):
                        break
                    token = page.evaluate("() => window.__eduplatformAxeToken")
                    if token is None or not self._wait_until_checked(page, token):
                        self.unchecked.append(f"{page.url}: not checked within {AXE_WAIT_SECONDS:g} s of loading")
                    break
                except Error as error:
                    if page.is_closed():
                        break
                    if attempt == 2:
                        self.unchecked.append(f"{page.url}: {str(error).splitlines()[0]}")

    def finish(self) -> None:
        """Check the last page of every open tab, then fail on any violation the test did not allow."""
        for context in self.contexts:
            self.check_open_pages(context)  # a closed context has no pages
        self.assert_clean()

    def assert_clean(self) -> None:
        """Fail with the violations found (less the allowed rules) and the pages that could not be checked."""
        failing = [violation for violation in self.violations if violation.rule not in self.allowed]
        message = [format_axe_violations(failing)] if failing else []
        if self.unchecked:
            message.append("axe could not check these pages:\n" + "\n".join(f"  {page}" for page in self.unchecked))
        if message:
            raise AssertionError("\n".join(message))

    def _record(self, url: str, violations: list[AxeViolation]) -> None:
        self.checked.append(_page_path(url))
        for violation in violations:
            known = self.found.get((violation.page, violation.rule))
            if known is not None:
                extra = tuple(target for target in violation.targets if target not in known.targets)
                violation = AxeViolation(**{**violation.__dict__, "targets": known.targets + extra})
            self.found[(violation.page, violation.rule)] = violation

    def _on_started(self, source: dict[str, Any], token: str) -> None:
        """axe has started on the document a tab shows (binding)."""
        self._shown[source["page"]] = token
        self._checked[token] = False

    def _on_report(self, source: dict[str, Any], token: str, url: str, found: list[dict[str, Any]] | None,
                   error: str | None) -> None:
        """axe has run on a document that has loaded (binding)."""
        if error:
            self.unchecked.append(f"{url}: axe failed: {error}")
        else:
            self._record(url, _violations(url, found))
        self._checked[token] = True

    def _wait_until_checked(self, page: Page, token: str | None = None) -> bool:
        """Wait (``AXE_WAIT_SECONDS`` at most) until axe has reported on a document of ``page``.

        The document ``token`` names (from :meth:`check_open_pages`, which reads it from the
        page), or else the last one axe started on in ``page``. Page calls such as ``evaluate``
        wait while a navigation is pending, but the page's own scripts and the bindings go on:
        this polls what the bindings reported.
        """
        token = token or self._shown.get(page)
        deadline = time.monotonic() + AXE_WAIT_SECONDS
        while token is not None and not self._checked.get(token) and time.monotonic() < deadline:
            page.wait_for_timeout(20)  # the event loop runs meanwhile, and with it the bindings
        return token is not None and bool(self._checked.get(token))

    def _on_request(self, route: Route) -> None:
        """Hold a tab's navigation until axe has reported on the page it leaves, if axe started on it.

        A page left before it was even parsed and styled is not held for: Chromium may stop
        loading it once the next navigation starts.
        """
        from playwright.sync_api import Error

        try:
            request = route.request
            if request.is_navigation_request():
                try:
                    frame = request.frame
                except Error:  # a new tab's first request: it has no frame yet, nor a page to leave
                    frame = None
                if frame is not None and frame.parent_frame is None:
                    self._wait_until_checked(frame.page)
        finally:
            route.fallback()


@pytest.fixture(autouse=True)
def axe(request: pytest.FixtureRequest, browser: Browser) -> Iterator[AxeWatch]:
    """Watch every browser context this test opens with axe (see the module docstring).

    The check of the pages a test ends on, and the failure, happen in :func:`pytest_runtest_call`,
    so that an accessibility failure is the test's failure (not an error in a fixture's teardown).
    """
    allowed: set[str] = set()
    for marker in request.node.iter_markers("axe_allow"):
        if not marker.args or not marker.kwargs.get("reason"):
            raise pytest.UsageError(f"{request.node.nodeid}: axe_allow needs rule ids and a reason=")
        allowed.update(marker.args)
    watch = AxeWatch(frozenset(allowed))
    new_context, new_page = browser.new_context, browser.new_page

    def new_watched_context(*args: Any, **kwargs: Any) -> BrowserContext:
        return watch.watch(new_context(*args, **kwargs))

    def new_watched_page(*args: Any, **kwargs: Any) -> Page:
        page = new_page(*args, **kwargs)
        watch.watch(page.context)
        return page

    browser.new_context = new_watched_context  # type: ignore[method-assign]
    browser.new_page = new_watched_page  # type: ignore[method-assign]
    try:
        yield watch
    finally:
        del browser.new_context, browser.new_page  # the class's methods again


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """After a browser test's body passes, check the pages it ends on and fail on axe's findings."""
    result = yield  # re-raises the test's own failure: that one is reported, not axe's
    watch = getattr(item, "funcargs", {}).get("axe")
    if isinstance(watch, AxeWatch):
        watch.finish()
    return result
