"""QR codes as inline SVG (segno, pure Python): the class sign-in address on the board and the login
cards, and the authenticator-app set-up. A ``data:`` address, which the site's content policy allows;
or inline SVG markup for PDF documents, which load nothing but files under ``static/``."""

from __future__ import annotations

import segno
from markupsafe import Markup


def qr_code_data_uri(text: str, scale: int = 5) -> str:
    """The QR code of ``text`` (medium error correction) as an SVG ``data:`` address for an ``<img>``."""
    return segno.make(text, error="m").svg_data_uri(scale=scale, border=2)


def qr_code_svg(text: str, label: str, scale: int = 4) -> Markup:
    """The QR code of ``text`` as an inline ``<svg>`` element titled ``label`` (escaped by segno)."""
    return Markup(segno.make(text, error="m").svg_inline(scale=scale, border=2, title=label))  # noqa: S704
