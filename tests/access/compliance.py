"""Access-matrix entries for training compliance: the training record and its CSV, My training, a
person's training, training done elsewhere and the school's training periods.

The training record: coordinators (their school), trust leads (their trust's), administrators (all);
a teacher without a safeguarding duty is refused (the DSL and deputies see it too: the matrix world
has none, so ``tests/test_compliance_pages.py`` tests them). Everyone sees their own training; a
member of staff nobody else's. Training done elsewhere and the periods: the school's coordinator or
an administrator.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from eduplatform.db import db
from eduplatform.records.models import ExternalTraining
from tests.access.common import Case, everyone
from tests.conftest import run_in_app

READERS = everyone(403, anonymous=302, coordinator=200, trust_lead=200, admin=200, other_coordinator=200)
OTHER_SCHOOL = {**READERS, "coordinator": 404, "trust_lead": 404}
#: Whose training page: their own, or the readers of their school's record; anyone else "not found".
OWN_SCHOOL_STAFF = everyone(404, anonymous=302, staff=200, coordinator=200, trust_lead=200, admin=200)
OWN_SCHOOL_GOVERNOR = {**OWN_SCHOOL_STAFF, "staff": 404, "governor": 200}
OTHER_SCHOOLS_COORDINATOR = everyone(404, anonymous=302, admin=200, other_coordinator=200)
MANAGERS = everyone(403, anonymous=302, coordinator=302, admin=302, other_coordinator=404)
SETTINGS = everyone(403, anonymous=302, coordinator=200, admin=200, other_coordinator=200)
EXTERNAL = (("module_id", "staff-induction"), ("completed_on", "2026-01-15"), ("provider", "Local authority"))

MATRIX: dict[str, list[Case]] = {
    "compliance.training_record": [Case("GET", "/training", READERS),
                                   Case("GET", "/training?school={other_school_id}", OTHER_SCHOOL)],
    "reports.export_training_csv": [Case("GET", "/training/export.csv", READERS),
                                    Case("GET", "/training/export.csv?school={other_school_id}", OTHER_SCHOOL)],
    "compliance.my_training": [Case("GET", "/my-training", everyone(200, anonymous=302, pupil=404))],
    "compliance.person_training": [
        Case("GET", "/training/people/{own_school_staff}", OWN_SCHOOL_STAFF),
        Case("GET", "/training/people/{own_school_governor}", OWN_SCHOOL_GOVERNOR),
        Case("GET", "/training/people/{own_school_pupil}", everyone(404, anonymous=302)),
        Case("GET", "/training/people/{other_school_coordinator}", OTHER_SCHOOLS_COORDINATOR),
    ],
    "compliance.record_external": [Case("POST", "/training/people/{own_school_staff}/external", MANAGERS, EXTERNAL)],
    "compliance.remove_external": [
        Case("POST", "/training/people/{own_school_staff}/external/{own_external_training}/delete", MANAGERS),
    ],
    "compliance.training_settings": [
        Case("GET", "/training/settings", SETTINGS),
        Case("GET", "/training/settings?school={other_school_id}", {**SETTINGS, "coordinator": 404}),
        # Every period left empty: the programme's, as before. Administrators choose a school first.
        Case("POST", "/training/settings", {**SETTINGS, "coordinator": 302, "other_coordinator": 302}),
    ],
}


def objects(app: Any, world: dict[str, Any]) -> dict[str, Any]:
    """The first school's teacher and governor, the other school's coordinator, and training the teacher
    did elsewhere."""
    staff = world["people"]["staff"]

    def external() -> int:
        entry = ExternalTraining(school_id=staff.school_id, user_id=staff.id, module_id="staff-induction",
                                 completed_on=date(2026, 1, 15), provider="Local authority")
        db.session.add(entry)
        db.session.flush()
        return entry.id

    return {"own_school_staff": staff.id, "own_school_governor": world["people"]["governor"].id,
            "other_school_coordinator": world["people"]["other_coordinator"].id,
            "other_school_id": world["other_school"].id, "own_external_training": run_in_app(app, external)}
