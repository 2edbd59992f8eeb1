"""Access-matrix entries for the audit log (its page and its CSV).

Coordinators read their own school's log, administrators every school's; nobody else (trust leads,
staff, the DSL, governors, parents, pupils, visitors) reads it. Another school's log is "not found"
for a coordinator.
"""

from __future__ import annotations

from typing import Any

from tests.access.common import Case, everyone

READERS = everyone(403, anonymous=302, coordinator=200, admin=200, other_coordinator=200)
OTHER_SCHOOL = {**READERS, "coordinator": 404}

MATRIX: dict[str, list[Case]] = {
    "audit.audit_log": [Case("GET", "/audit-log", READERS),
                        Case("GET", "/audit-log?school={audit_log_other_school}", OTHER_SCHOOL)],
    "audit.audit_log_csv": [Case("GET", "/audit-log.csv?action=signed_in", READERS),
                            Case("GET", "/audit-log.csv?school={audit_log_other_school}", OTHER_SCHOOL)],
}


def objects(app: Any, world: dict[str, Any]) -> dict[str, Any]:
    """The other school, by id, for the school filter."""
    return {"audit_log_other_school": world["other_school"].id}
