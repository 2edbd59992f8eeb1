"""QR codes as inline SVG (segno, pure Python): the class sign-in address on the board and the login
cards, and the authenticator-app set-up. A ``data:`` address, which the site's content policy allows."""

from __future__ import annotations

import segno


def qr_code_data_uri(text: str, scale: int = 5) -> str:
    """The QR code of ``text`` (medium error correction) as an SVG ``data:`` address for an ``<img>``."""
    return segno.make(text, error="m").svg_data_uri(scale=scale, border=2)
