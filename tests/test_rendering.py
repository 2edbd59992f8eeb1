"""``render_markdown``: Markdown to HTML that is always sanitised, with an optional link rewriter."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from eduplatform.rendering import render_markdown


def render(text: str) -> str:
    return str(render_markdown(text))


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        pytest.param("<script>alert('x')</script>\n\nHello", "<script", id="script-block"),
        pytest.param("Hello <script src=\"https://evil.example/x.js\"></script> there", "<script", id="script-inline"),
        pytest.param("<SCRIPT>alert(1)</SCRIPT>", "<script", id="script-upper-case"),
        pytest.param('<img src="img/a.svg" onerror="alert(1)">', "onerror", id="img-onerror"),
        pytest.param('<a href="https://example.org" onclick="steal()">x</a>', "onclick", id="a-onclick"),
        pytest.param('<p onmouseover="steal()">x</p>', "onmouseover", id="p-onmouseover"),
        pytest.param("[click](javascript:alert(1))", "javascript:", id="markdown-javascript-link"),
        pytest.param("[click](JaVaScRiPt:alert(1))", "javascript:", id="markdown-javascript-link-mixed-case"),
        pytest.param('<a href="javascript:alert(1)">click</a>', "javascript:", id="html-javascript-link"),
        pytest.param("[click](data:text/html,<b>x</b>)", "data:", id="data-link"),
        pytest.param('<iframe src="https://evil.example/"></iframe>', "<iframe", id="iframe"),
        pytest.param("<style>body { display: none }</style>\n\nText", "<style", id="style-element"),
        pytest.param('<p style="position:fixed">x</p>', "style=", id="style-attribute"),
        pytest.param('<object data="x.swf"></object><embed src="x.swf">', "<object", id="object"),
        pytest.param('<form action="https://evil.example/"><input name="p"></form>', "<form", id="form"),
    ],
)
def test_dangerous_markup_is_removed(source: str, forbidden: str) -> None:
    assert forbidden not in render(source).lower()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("## Two", "<h2>Two</h2>"),
        ("### Three", "<h3>Three</h3>"),
        ("#### Four", "<h4>Four</h4>"),
        ("- apples\n- pears", "<ul>\n<li>apples</li>\n<li>pears</li>\n</ul>"),
        ("1. first\n2. second", "<ol>\n<li>first</li>\n<li>second</li>\n</ol>"),
        ("[Childline](https://www.childline.org.uk/)", '<a href="https://www.childline.org.uk/">Childline</a>'),
        ("[Call](tel:08001111)", '<a href="tel:08001111">Call</a>'),
        ("[Write](mailto:dsl@school.example)", '<a href="mailto:dsl@school.example">Write</a>'),
        ("![A padlock](img/ks2/padlock.svg)", '<img alt="A padlock" src="img/ks2/padlock.svg">'),
        ("**bold** and *italic*", "<strong>bold</strong> and <em>italic</em>"),
        ("> Think before you post.", "<blockquote>\n<p>Think before you post.</p>\n</blockquote>"),
        ("| A | B |\n|---|---|\n| 1 | 2 |", "<td>1</td>"),
    ],
    ids=["h2", "h3", "h4", "bulleted-list", "numbered-list", "https-link", "tel-link", "mailto-link", "image",
         "emphasis", "blockquote", "table"],
)
def test_allowed_markup_is_kept(source: str, expected: str) -> None:
    assert expected in render(source)


def test_text_of_removed_tags_is_escaped_not_executable() -> None:
    html = render("<b onclick=x>hi</b> 1 < 2 & <unknown>tag</unknown>")
    assert "&lt; 2 &amp;" in html
    assert "<unknown" not in html and "<b" not in html
    assert "hi" in html and "tag" in html


def test_top_level_heading_is_not_kept_as_h1() -> None:
    html = render("# Page title")
    assert "<h1" not in html
    assert "Page title" in html


def test_result_is_markup_so_templates_do_not_escape_it_again() -> None:
    assert isinstance(render_markdown("*x*"), Markup)


def test_link_rewriter_is_applied_to_links_and_images() -> None:
    seen: list[tuple[str, str]] = []

    def rewrite(tag: str, target: str) -> str | None:
        seen.append((tag, target))
        if target.startswith("lesson:"):
            return "/lessons/" + target.removeprefix("lesson:")
        if tag == "img":
            return "/static/" + target
        return None

    html = render_markdown("[Next](lesson:ks2-strong) [Out](https://example.org)\n\n![Pic](img/a.svg)", rewrite)
    assert seen == [("a", "lesson:ks2-strong"), ("a", "https://example.org"), ("img", "img/a.svg")]
    assert '<a href="/lessons/ks2-strong">Next</a>' in html
    assert '<a href="https://example.org">Out</a>' in html  # None leaves the target unchanged
    assert '<img alt="Pic" src="/static/img/a.svg">' in html


def test_rewritten_link_is_still_sanitised() -> None:
    html = str(render_markdown("[x](lesson:a)", lambda tag, target: "javascript:alert(1)"))
    assert "javascript:" not in html
    assert "<a>x</a>" in html


def test_without_rewriter_internal_links_are_not_resolved() -> None:
    html = render("[Next](lesson:ks2-strong)")
    assert "/lessons/" not in html
    assert "lesson:" not in html  # an unknown scheme is not a safe href
