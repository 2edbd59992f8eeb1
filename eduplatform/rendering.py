"""The one way learner-facing and user-entered text becomes HTML: Markdown, then bleach.

Cleaning is never optional. Content is rendered once, when the catalogue loads; anything a user
types that is shown as rich text goes through :func:`render_markdown` too.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import bleach
import bleach.sanitizer
import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup

#: Tags, attributes and protocols allowed in rendered HTML. One list for the whole site.
ALLOWED_TAGS = frozenset({
    "a", "abbr", "blockquote", "br", "code", "em", "h2", "h3", "h4", "hr", "img", "li", "ol", "p",
    "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul",
})
def _image_attribute(_tag: str, name: str, value: str) -> bool:
    """Images only from this site: a path, never another address (nothing loads from elsewhere)."""
    if name == "src":
        parts = urlsplit(value)
        return not parts.scheme and not parts.netloc and not value.startswith("//")
    return name in {"alt", "title", "width", "height"}


ALLOWED_ATTRIBUTES = {
    "a": ["href", "title"],
    "abbr": ["title"],
    "img": _image_attribute,
    "td": ["align"],
    "th": ["align", "scope"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto", "tel"})
_MARKDOWN_EXTENSIONS = ["extra", "sane_lists"]

#: Rewrites a link or image target found in Markdown. Gets the element name ("a" or "img")
#: and the raw target; returns the new target, or None to leave it unchanged.
LinkRewriter = Callable[[str, str], "str | None"]


class _RewriteLinks(Treeprocessor):
    def __init__(self, md: markdown.Markdown, extension: _RewriteLinksExtension) -> None:
        super().__init__(md)
        self.extension = extension

    def run(self, root: Element) -> None:
        rewrite = self.extension.rewrite
        if rewrite is None:
            return
        for element in root.iter():
            attribute = {"a": "href", "img": "src"}.get(element.tag)
            if attribute and element.get(attribute) is not None:
                new_target = rewrite(element.tag, element.get(attribute, ""))
                if new_target is not None:
                    element.set(attribute, new_target)


class _RewriteLinksExtension(Extension):
    """Calls the current rewriter (set per render) on every link and image."""

    def __init__(self) -> None:
        super().__init__()
        self.rewrite: LinkRewriter | None = None

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 (Markdown's API name)
        md.treeprocessors.register(_RewriteLinks(md, self), "eduplatform_links", 1)


_renderers = threading.local()


def _renderer() -> tuple[markdown.Markdown, _RewriteLinksExtension]:
    """One Markdown instance per thread: building one (with "extra") costs far more than a render."""
    if not hasattr(_renderers, "markdown"):
        links = _RewriteLinksExtension()
        _renderers.markdown = markdown.Markdown(extensions=[*_MARKDOWN_EXTENSIONS, links], output_format="html")
        _renderers.links = links
    return _renderers.markdown, _renderers.links


_CLEANER = bleach.sanitizer.Cleaner(
    tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, protocols=ALLOWED_PROTOCOLS, strip=True
)


def clean_html(html: str) -> str:
    """Sanitise HTML against the site's one allow-list."""
    return _CLEANER.clean(html)


def render_markdown(text: str, rewrite_links: LinkRewriter | None = None) -> Markup:
    """Render Markdown to sanitised HTML, optionally rewriting link and image targets first."""
    renderer, links = _renderer()
    links.rewrite = rewrite_links
    try:
        html = renderer.reset().convert(text)
    finally:
        links.rewrite = None
    return Markup(clean_html(html))  # noqa: S704 (cleaned by bleach just above)
