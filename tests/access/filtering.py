"""Access-matrix entries for the filtering and monitoring logs.

The school's coordinator (and the DSL and deputies, who are not in the matrix world: see
tests/test_filtering.py) keep their own school's logs; everyone else 403, anonymous to sign in.
"""

from __future__ import annotations

from typing import Any

from tests.access.common import Case, everyone

KEEPERS = everyone(403, anonymous=302, coordinator=200, other_coordinator=200)
# A valid entry is saved and redirects; other_coordinator writes to their own school's log.
WRITERS = everyone(403, anonymous=302, coordinator=302, other_coordinator=302)

MATRIX: dict[str, list[Case]] = {
    "filtering.filtering_log": [Case("GET", "/filtering", KEEPERS)],
    "filtering.export_logs": [Case("GET", "/filtering/export.csv", KEEPERS)],
    "filtering.record_check": [Case("POST", "/filtering/checks", WRITERS, (
        ("check-done_on", "2025-10-01"), ("check-what", "Searched for harmful content"), ("check-result", "Blocked")))],
    "filtering.record_change": [Case("POST", "/filtering/changes", WRITERS, (
        ("change-done_on", "2025-10-01"), ("change-what", "Allowed a video site"), ("change-requested_by", "Teacher"),
        ("change-result", "A lesson"), ("change-approved_by", "Head")))],
    "filtering.set_interval": [Case("POST", "/filtering/interval", WRITERS, (("interval-days", "180"),))],
}


def objects(app: Any, world: dict[str, Any]) -> dict[str, Any]:
    """Nothing to make: each keeper uses their own school's logs."""
    return {}
