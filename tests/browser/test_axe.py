"""The accessibility check of the browser tests can fail: axe finds what is broken on purpose.

See ``tests/browser/conftest.py`` for how every page a browser test visits is checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .conftest import AxeWatch, format_axe_violations, run_axe

if TYPE_CHECKING:
    from playwright.sync_api import Page, Route

    from .conftest import LiveServer

#: An image without a text alternative and a text field without a label: both critical for axe.
BROKEN = """<!doctype html>
<html lang="en"><head><title>Broken on purpose</title></head>
<body><main>
  <h1>Broken on purpose</h1>
  <img src="/static/missing.png">
  <form action="/login" method="get"><input type="text" name="q" id="search"><button>Go</button></form>
  <p><a href="/login">Sign in</a></p>
</main></body></html>"""


def test_run_axe_reports_an_image_without_alt_text_and_a_field_without_a_label(page: Page) -> None:
    page.set_content(BROKEN)

    violations = {violation.rule: violation for violation in run_axe(page)}

    assert {"image-alt", "label"} <= set(violations), violations
    assert violations["image-alt"].impact == "critical"
    assert violations["image-alt"].targets == ("img",)
    assert violations["label"].targets == ("#search",)
    message = format_axe_violations(list(violations.values()))
    assert "image-alt (critical): Images must have alternative text: img" in message
    assert "#search" in message


@pytest.mark.axe_allow("image-alt", "label", reason="the page is broken on purpose, to show that the check fails")
def test_pages_left_by_a_link_or_a_form_are_checked_and_fail_the_test(page: Page, live_server: LiveServer,
                                                                      axe: AxeWatch) -> None:
    def serve_broken(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body=BROKEN)

    page.route(f"{live_server.url}/broken-*", serve_broken)
    page.goto("/broken-link")
    page.get_by_role("link", name="Sign in").click()  # left by a link
    page.get_by_label("Username").fill("axe.nobody")
    page.get_by_role("button", name="Sign in").click()  # /login, reached by the click, left by its form
    page.get_by_role("heading", name="Sign in").wait_for()
    page.goto("/broken-form")  # (a navigation the test's own page.route fulfils is not held: see conftest)
    page.get_by_role("button", name="Go").click()  # left by a form
    page.get_by_role("heading", name="Sign in").wait_for()

    assert {(violation.page, violation.rule) for violation in axe.violations} >= {
        ("/broken-link", "image-alt"), ("/broken-link", "label"),
        ("/broken-form", "image-alt"), ("/broken-form", "label"),
    }
    assert not any(violation.page.startswith("/login") for violation in axe.violations)
    assert list(dict.fromkeys(axe.checked))[:3] == ["/broken-link", "/login", "/broken-form"]  # each, in order
    # Without this test's axe_allow, the same findings fail the test, naming the page, rule and element:
    unallowed = AxeWatch()
    unallowed.found = dict(axe.found)
    with pytest.raises(AssertionError, match=r"/broken-link: image-alt \(critical\).*: img"):
        unallowed.assert_clean()


@pytest.mark.axe_allow("image-alt", "label", reason="the page is broken on purpose, to show that the check fails")
def test_the_page_a_test_ends_on_is_checked(page: Page, live_server: LiveServer, axe: AxeWatch) -> None:
    page.route(f"{live_server.url}/broken", lambda route: route.fulfill(content_type="text/html", body=BROKEN))
    page.goto("/broken")

    axe.finish()  # what runs after each test's body: waits until the last page has been checked
    assert {violation.rule for violation in axe.violations} >= {"image-alt", "label"}
