"""Access-matrix entries for reporting a worry: pupils' "Tell someone", parents' and staff's reports, and
one's own reports.

Pupils, parents, staff and coordinators may report (pupils on their own pages, adults on theirs: each is
sent to their own form); governors, visitors, trust leads and administrators may not. A child outside the
reporter's reach is "not found"; a report's confirmation is its reporter's alone.
"""

from __future__ import annotations

from typing import Any

from eduplatform.concerns.services import report_concern
from eduplatform.db import db
from tests.access.common import Case, everyone
from tests.conftest import run_in_app

REPORTERS = ("pupil", "staff", "parent", "coordinator", "other_coordinator")
ADULTS = ("staff", "parent", "coordinator", "other_coordinator")
NOT_REPORTERS = everyone(403, anonymous=302)
MINE = {**NOT_REPORTERS, **dict.fromkeys(REPORTERS, 200)}
PUPILS_PAGE = {**NOT_REPORTERS, **dict.fromkeys(ADULTS, 302), "pupil": 200}
ADULTS_PAGE = {**NOT_REPORTERS, **dict.fromkeys(ADULTS, 200), "pupil": 302}
TELL = (("category", "cyberbullying"), ("text", "Someone keeps messaging me."), ("happening_now", "no"))
REPORT_OTHER_SCHOOLS_CHILD = (("about_id", "{other_school_pupil}"), ("category", "cyberbullying"),
                              ("text", "Seen in the playground."), ("happening_now", "no"),
                              ("procedure_seen", "cyberbullying"))

MATRIX: dict[str, list[Case]] = {
    "concern_reports.tell": [Case("GET", "/tell", PUPILS_PAGE),
                             Case("POST", "/tell", {**PUPILS_PAGE, "pupil": 302}, TELL)],
    "concern_reports.told": [Case("GET", "/tell/done", PUPILS_PAGE)],
    "concern_reports.my_reports": [Case("GET", "/tell/mine", MINE)],
    "concern_reports.report": [
        Case("GET", "/concerns/report", ADULTS_PAGE),
        Case("GET", "/concerns/report?about={own_school_pupil}", {**ADULTS_PAGE, "other_coordinator": 404}),
        Case("GET", "/concerns/report?about={other_school_pupil}",
             {**ADULTS_PAGE, "staff": 404, "parent": 404, "coordinator": 404}),
        # Another school's child: the form says so and saves nothing; that school's coordinator may report.
        Case("POST", "/concerns/report", {**ADULTS_PAGE, "other_coordinator": 302}, REPORT_OTHER_SCHOOLS_CHILD),
    ],
    "concern_reports.report_sent": [Case("GET", "/concerns/report/{parents_report}/sent",
                                         {**NOT_REPORTERS, **dict.fromkeys(REPORTERS, 404), "parent": 200})],
}


def objects(app: Any, world: dict[str, Any]) -> dict[str, Any]:
    """A report by the parent about their child."""
    people = world["people"]

    def report() -> int:
        parent = db.session.merge(people["parent"])
        return report_concern(parent, category="cyberbullying", text="Unkind messages at night.",
                              about_id=people["pupil"].id).id

    return {"parents_report": run_in_app(app, report)}
