"""Board mode: links inside projected lessons lead to other board pages, never to pupils' addresses.

A lesson's HTML links to pupil pages (``learning.show_lesson`` and so on), which are "not found"
for a teacher. On the board each such link is pointed at the board page of the same lesson,
module or agreement of the class; a link to something outside the class's programme becomes
plain text, so nothing breaks in front of the class.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape as html_unescape

from flask import current_app, url_for
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from eduplatform.catalogue.model import Agreement, Module

#: An <a> element of cleaned lesson HTML (bleach writes attributes quoted, in a fixed form).
_LINK = re.compile(r'<a\b(?P<attributes>[^>]*)>(?P<text>.*?)</a>', re.DOTALL)
_HREF = re.compile(r'\bhref="(?P<href>[^"]*)"')


def board_target(href: str, class_id: int, modules: dict[str, Module], agreements: dict[str, Agreement]) -> str | None:
    """The board address for a site link, or None when it leads outside the class's programme.

    Links that are not pupil pages of this site (other websites, mail, "#" anchors) are returned
    unchanged.
    """
    if not href.startswith("/") or href.startswith("//"):
        return href
    try:
        endpoint, values = current_app.url_map.bind("board").match(href.split("#")[0], method="GET")
    except HTTPException:
        return None
    if endpoint == "learning.show_lesson" and values["module_id"] in modules:
        return url_for("classroom.present_lesson", class_id=class_id, **values)
    if endpoint == "learning.show_module" and (module := modules.get(values["module_id"])) and module.lesson_ids:
        return url_for("classroom.present_lesson", class_id=class_id, module_id=module.id,
                       lesson_id=module.lesson_ids[0])
    if endpoint == "agreements.show_agreement" and values["agreement_id"] in agreements:
        return url_for("classroom.present_agreement", class_id=class_id, **values)
    return None


def board_links(html: Markup, target: Callable[[str], str | None]) -> Markup:
    """``html`` with each link's address replaced by ``target(href)``, or unlinked when that is None."""

    def replace(match: re.Match[str]) -> str:
        attributes, text = match["attributes"], match["text"]
        href = _HREF.search(attributes)
        new_href = target(html_unescape(href["href"])) if href else None
        if new_href is None:
            return f'<span class="unlinked">{text}</span>'
        new_attribute = f'href="{escape(new_href)}"'
        return "<a" + _HREF.sub(lambda _match: new_attribute, attributes, count=1) + ">" + text + "</a>"

    return Markup(_LINK.sub(replace, str(html)))  # noqa: S704 (only hrefs of cleaned HTML change, escaped)
