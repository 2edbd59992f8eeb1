"""Access-matrix entries for the roster feature (see tests/access/__init__.py)."""

from __future__ import annotations

from typing import Any

from tests.access.common import Case

MATRIX: dict[str, list[Case]] = {}


def objects(app: Any, world: dict[str, Any]) -> dict[str, Any]:
    """Create this feature's objects in the matrix world; return the path placeholders."""
    return {}
