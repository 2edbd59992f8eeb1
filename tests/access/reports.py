"""Access-matrix entries for records, exports, the access log and the yearly audit.

Records and downloads: coordinators (their school), trust leads (their trust), administrators (all).
The access log: coordinators and administrators. The audit: the same readers plus governors
(signed audits only); only a school's own coordinator edits and signs its audit.
"""

from __future__ import annotations

from typing import Any

from eduplatform.reports import services
from eduplatform.schools.years import current_year
from tests.access.common import Case, everyone
from tests.conftest import run_in_app

OVERSEERS = everyone(403, anonymous=302, coordinator=200, trust_lead=200, admin=200, other_coordinator=200)
OVERSEERS_REDIRECT = everyone(403, anonymous=302, coordinator=302, trust_lead=302, admin=302, other_coordinator=302)
OTHER_SCHOOL = {**OVERSEERS, "coordinator": 404, "trust_lead": 404}
#: The access log's old address sends its readers on to the audit log.
LOG_MOVED = everyone(403, anonymous=302, coordinator=301, admin=301, other_coordinator=301)
#: Governors read signed audits only: this year's is not signed, so their page says so.
AUDIT_READERS = {**OVERSEERS, "governor": 200}
AUDIT_OTHER_SCHOOL = {**AUDIT_READERS, "coordinator": 404, "trust_lead": 404, "governor": 404}
DOWNLOAD = {**OVERSEERS, "governor": 404}
EDITORS = everyone(403, anonymous=302, coordinator=302, other_coordinator=302)
OWN_ACTION = {**EDITORS, "other_coordinator": 404}
YEAR = (("year", "{this_year}"),)

MATRIX: dict[str, list[Case]] = {
    "reports.records": [Case("GET", "/records", OVERSEERS),
                        Case("GET", "/records?school={other_school_id}", OTHER_SCHOOL)],
    "reports.school_progress": [Case("GET", "/progress", OVERSEERS_REDIRECT)],
    "reports.export_csv": [Case("GET", "/records/export/completions.csv", OVERSEERS),
                           Case("GET", "/records/export/consents.csv?school={other_school_id}", OTHER_SCHOOL)],
    "reports.access_log": [Case("GET", "/records/log", LOG_MOVED)],
    "audits.show_audit": [Case("GET", "/audit", AUDIT_READERS),
                          Case("GET", "/audit?school={other_school_id}", AUDIT_OTHER_SCHOOL)],
    "audits.download": [Case("GET", "/audit/download.json", DOWNLOAD),
                        Case("GET", "/audit/download.csv?school={other_school_id}",
                             {**DOWNLOAD, "coordinator": 404, "trust_lead": 404})],
    "audits.rate_aspect": [Case("POST", "/audit/aspects/filtering", EDITORS, (*YEAR, ("level", "2")))],
    "audits.add_action": [Case("POST", "/audit/actions", EDITORS, (*YEAR, ("action", "Check the filters")))],
    "audits.update_action": [Case("POST", "/audit/actions/{own_action}", OWN_ACTION,
                                  (*YEAR, ("action", "Check the filters weekly")))],
    "audits.delete_action": [Case("POST", "/audit/actions/{own_action}/delete", OWN_ACTION, YEAR)],
    "audits.sign_off": [Case("POST", "/audit/sign-off", EDITORS,
                             (*YEAR, ("coordinator_name", "Not Them"), ("chair_name", "Chair"),
                              ("chair_signed_on", "2027-07-01"), ("confirm", "y")))],
    "audits.start_year": [Case("POST", "/audit/start-year", EDITORS, YEAR)],
}


def objects(app: Any, world: dict[str, Any]) -> dict[str, Any]:
    """This year, the other school's id, and an action in the first school's plan."""
    school = world["school"]
    year = run_in_app(app, lambda: current_year(school))
    action = run_in_app(app, lambda: services.add_action(school.id, year, action="An action", owner="", due_on=None))
    return {"this_year": str(year.start_year), "other_school_id": world["other_school"].id, "own_action": action.id}
