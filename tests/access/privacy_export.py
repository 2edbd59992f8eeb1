"""Access-matrix entries for a person's data export (subject access).

A person's data from their record: their school's coordinator and administrators; another school's
person is "not found" to a coordinator; everyone else is refused. One's own copy: anyone signed in.
"""

from __future__ import annotations

from typing import Any

from tests.access.common import Case, everyone

OWN_SCHOOL = everyone(403, anonymous=302, coordinator=200, admin=200, other_coordinator=404)
OTHER_SCHOOL = {**OWN_SCHOOL, "coordinator": 404, "other_coordinator": 200}
SIGNED_IN = everyone(200, anonymous=302)

MATRIX: dict[str, list[Case]] = {
    "privacy_export.person_data": [
        Case("GET", "/people/{own_school_pupil}/data.json", OWN_SCHOOL),
        Case("GET", "/people/{own_school_pupil}/data.pdf", OWN_SCHOOL),
        Case("GET", "/people/{other_school_pupil}/data.json", OTHER_SCHOOL),
    ],
    "privacy_export.my_data": [Case("GET", "/account/data", SIGNED_IN)],
    "privacy_export.my_data_download": [Case("GET", "/account/data.json", SIGNED_IN),
                                        Case("GET", "/account/data.pdf", SIGNED_IN)],
}


def objects(app: Any, world: dict[str, Any]) -> dict[str, Any]:
    """The entries use the matrix's own pupils (``own_school_pupil``, ``other_school_pupil``)."""
    return {}
