"""Pages a pupil or parent opens on a phone fit a 390 px screen, and focus is visible on white."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .conftest import LiveServer


def test_the_find_class_page_fits_a_phone(live_server: LiveServer, browser) -> None:
    """Before: the find-class page overflowed sideways at 390 px."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        for path in ("/tap", "/login"):
            page.goto(path)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        page.goto("/login")
        page.keyboard.press("Tab")  # the skip link, then the first field
        page.keyboard.press("Tab")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineColor")
        assert outline in ("rgb(11, 12, 12)",), outline  # near-black on white: 19:1, over the 3:1 WCAG 1.4.11 asks
    finally:
        context.close()
