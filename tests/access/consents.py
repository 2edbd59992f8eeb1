"""Access-matrix entries for the photo and video consent register, its CSV, and the consent returns.

The register and its CSV: the class's teachers and its school's coordinator (the class page's readers).
The returns: coordinators (their school), trust leads and administrators (their schools, chosen by ``?school=``).
"""

from __future__ import annotations

from typing import Any

from tests.access.classroom import OTHER_CLASS, OWN_CLASS
from tests.access.common import Case, everyone

OVERSEERS = everyone(403, anonymous=302, coordinator=200, trust_lead=200, admin=200, other_coordinator=200)
OTHER_SCHOOL = {**OVERSEERS, "coordinator": 404, "trust_lead": 404}

MATRIX: dict[str, list[Case]] = {
    "consent_register.show_register": [Case("GET", "/classes/{own_class}/consents", OWN_CLASS),
                                       Case("GET", "/classes/{other_class}/consents", OTHER_CLASS)],
    "consent_reports.register_csv": [Case("GET", "/classes/{own_class}/consents.csv", OWN_CLASS),
                                     Case("GET", "/classes/{other_class}/consents.csv", OTHER_CLASS)],
    "consent_reports.returns": [Case("GET", "/consents", OVERSEERS),
                                Case("GET", "/consents?school={other_school_id}", OTHER_SCHOOL)],
}


def objects(app: Any, world: dict[str, Any]) -> dict[str, Any]:
    """Uses the classes of tests.access.classroom and the other school's id of tests.access.reports."""
    return {}
