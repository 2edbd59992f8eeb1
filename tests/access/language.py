"""Access-matrix entries for the language menu (see tests/access/__init__.py).

Anyone may choose the interface language, signed in or not (the login and picture sign-in pages
offer the menu); a language the site does not offer is refused.
"""

from __future__ import annotations

from typing import Any

from tests.access.common import Case, everyone

MATRIX: dict[str, list[Case]] = {
    "language.choose_language": [
        Case("GET", "/language", everyone(200)),
        Case("POST", "/language", everyone(302), (("locale", "cy"), ("next", "/"))),
        Case("POST", "/language", everyone(400), (("locale", "xx"),)),
    ],
}


def objects(app: Any, world: dict[str, Any]) -> dict[str, Any]:
    """Nothing to make: the choice lives in the session and on the person's own account."""
    return {}
