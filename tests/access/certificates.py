"""Access-matrix entries for certificates.

* One certificate (page and PDF): its holder, and whoever sees their training (the coordinator of
  their school, the trust lead, administrators); everyone else "not found", a teacher included.
* The list and bulk downloads: those who see a training record, for its schools only.
* Verification: anyone. Pupils' certificates: the class's teacher and its school's coordinator.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from eduplatform.db import db
from eduplatform.records.certificates import new_code
from eduplatform.records.models import Certificate
from tests.access.common import Case, everyone
from tests.conftest import run_in_app

#: The staff member's own certificate: the holder and those who see their school's training.
STAFF_HOLDER = everyone(404, anonymous=302, staff=200, coordinator=200, trust_lead=200, admin=200)
#: A governor's certificate: the staff member (a teacher, but not the record) is "not found".
GOVERNOR_HOLDER = {**STAFF_HOLDER, "staff": 404, "governor": 200}
#: The other school's coordinator's own certificate.
OTHER_SCHOOL_HOLDER = everyone(404, anonymous=302, admin=200, other_coordinator=200)
TRAINING_VIEWERS = everyone(403, anonymous=302, coordinator=200, trust_lead=200, admin=200, other_coordinator=200)
OTHER_SCHOOL_LIST = {**TRAINING_VIEWERS, "coordinator": 404, "trust_lead": 404}
OWN_CLASS = everyone(403, anonymous=302, staff=200, coordinator=200, other_coordinator=404)
OTHER_CLASS = everyone(403, anonymous=302, staff=404, coordinator=404, other_coordinator=200)

MATRIX: dict[str, list[Case]] = {
    "certificates.show": [Case("GET", "/certificates/{staff_certificate}", STAFF_HOLDER),
                          Case("GET", "/certificates/{governor_certificate}", GOVERNOR_HOLDER),
                          Case("GET", "/certificates/{other_school_certificate}", OTHER_SCHOOL_HOLDER)],
    "certificates.download": [Case("GET", "/certificates/{staff_certificate}.pdf", STAFF_HOLDER),
                              Case("GET", "/certificates/{governor_certificate}.pdf", GOVERNOR_HOLDER),
                              Case("GET", "/certificates/{other_school_certificate}.pdf", OTHER_SCHOOL_HOLDER)],
    "certificates.list_certificates": [
        Case("GET", "/certificates", TRAINING_VIEWERS),
        Case("GET", "/certificates?school={other_school_id}", OTHER_SCHOOL_LIST),
    ],
    "certificates.bulk_download": [
        Case("GET", "/certificates/bulk.pdf", TRAINING_VIEWERS),
        Case("GET", "/certificates/bulk.zip?school={other_school_id}", OTHER_SCHOOL_LIST),
    ],
    "certificates.verify_form": [Case("GET", "/verify", everyone(200))],
    "certificates.verify": [Case("GET", "/verify/{staff_certificate_code}", everyone(200)),
                            Case("GET", "/verify/NOT-A-CODE", everyone(404))],
    "certificates.pupil_certificates": [Case("GET", "/classes/{own_class}/certificates.pdf", OWN_CLASS),
                                        Case("GET", "/classes/{other_class}/certificates.pdf", OTHER_CLASS)],
}


def objects(app: Any, world: dict[str, Any]) -> dict[str, Any]:
    """A certificate each for the staff member, the governor and the other school's coordinator."""
    people = world["people"]

    def certificate_of(holder: Any, module_id: str) -> Certificate:
        certificate = Certificate(code=new_code(), school_id=holder.school_id, user_id=holder.id, module_id=module_id,
                                  module_version="v1", locale="en", academic_year=2026, completed_on=date(2026, 9, 14),
                                  method="self", score_percent=90, expires_on=None)
        db.session.add(certificate)
        db.session.flush()
        return certificate

    staff = run_in_app(app, lambda: certificate_of(people["staff"], "staff-induction"))
    governor = run_in_app(app, lambda: certificate_of(people["governor"], "governors-duties"))
    other = run_in_app(app, lambda: certificate_of(people["other_coordinator"], "staff-induction"))
    return {"staff_certificate": staff.id, "staff_certificate_code": staff.code, "governor_certificate": governor.id,
            "other_school_certificate": other.id, "other_school_id": world["other_school"].id}
