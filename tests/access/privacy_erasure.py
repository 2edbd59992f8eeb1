"""Access-matrix entries for erasure on request and the school's retention settings.

Only the coordinator of the person's school and administrators erase someone: everyone else is
refused (403), and another school's coordinator finds nobody (404). The retention page is the
coordinator's (their own school) and administrators' (any school, chosen with ``?school=``).
The POSTs send a name that does not match, so the form comes back (200) and nothing is erased.
"""

from __future__ import annotations

from typing import Any

from tests.access.common import Case, everyone

ERASERS = everyone(403, anonymous=302, coordinator=200, admin=200, other_coordinator=404)
RETENTION = everyone(403, anonymous=302, coordinator=200, admin=200, other_coordinator=200)
SAVE = everyone(403, anonymous=302, coordinator=302, admin=200, other_coordinator=302)  # admin: no school chosen

MATRIX: dict[str, list[Case]] = {
    "erasure.erase_person": [
        Case("GET", "/people/{own_school_pupil}/erase", ERASERS),
        Case("POST", "/people/{own_school_pupil}/erase", ERASERS, (("full_name", "Not their name"),)),
        Case("GET", "/people/{other_school_pupil}/erase", {**ERASERS, "coordinator": 404, "other_coordinator": 200}),
    ],
    "retention.retention_settings": [
        Case("GET", "/privacy/retention", RETENTION),
        Case("GET", "/privacy/retention?school={erasure_other_school}",
             {**RETENTION, "coordinator": 404, "other_coordinator": 200}),
        Case("POST", "/privacy/retention", SAVE, (("pupils", "800"),)),
    ],
}


def objects(app: Any, world: dict[str, Any]) -> dict[str, Any]:
    """The second school's id, for an administrator's (and only its coordinator's) retention page."""
    return {"erasure_other_school": world["other_school"].id}
