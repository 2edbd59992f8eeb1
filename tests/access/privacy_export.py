"""Access-matrix entries for a person's data export (subject access)."""

from __future__ import annotations

from typing import Any

from tests.access.common import Case, everyone  # noqa: F401 (used as entries are added)

MATRIX: dict[str, list[Case]] = {}


def objects(app: Any, world: dict[str, Any]) -> dict[str, Any]:
    """The objects these entries' addresses name (none yet)."""
    return {}
