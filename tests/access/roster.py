"""Access-matrix entries for the roster feature (see tests/access/__init__.py).

Only a coordinator imports (``Permission.IMPORT_ROSTER``), into their own school: trust leads and
administrators are refused. A stored upload belongs to the
coordinator who uploaded it and an import record to its school: anyone else gets "not found".
"""

from __future__ import annotations

from typing import Any

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import User
from eduplatform.db import db
from eduplatform.roster import uploads
from eduplatform.roster.models import RosterImport
from eduplatform.roster.services import plan_roster
from eduplatform.schools.models import School
from tests.access.common import Case, everyone
from tests.conftest import run_in_app

#: Coordinators of a school; everyone else is refused.
IMPORTERS = everyone(403, anonymous=302, coordinator=200, other_coordinator=200)
OWN = everyone(403, anonymous=302, coordinator=200, other_coordinator=404)
OWN_POST = {**OWN, "coordinator": 302}
OTHER = everyone(403, anonymous=302, coordinator=404, other_coordinator=200)
OTHER_POST = {**OTHER, "other_coordinator": 302}
FILE = b"first_name,last_name,role,year_group,class\nNew,Pupil,pupil,5,Matrix 5\n"

MATRIX: dict[str, list[Case]] = {
    "roster.upload": [
        Case("GET", "/roster/import", IMPORTERS),
        Case("POST", "/roster/import", IMPORTERS),  # no file: the form is shown again with its error
    ],
    "roster.preview": [
        Case("GET", "/roster/import/{own_roster_upload}", OWN),
        Case("GET", "/roster/import/{other_roster_upload}", OTHER),
    ],
    "roster.confirm": [
        Case("POST", "/roster/import/{own_roster_upload}", OWN_POST, (("expected", "{own_roster_summary}"),)),
        Case("POST", "/roster/import/{other_roster_upload}", OTHER_POST, (("expected", "{other_roster_summary}"),)),
    ],
    "roster.cancel": [
        Case("POST", "/roster/import/{own_roster_upload}/cancel", OWN_POST),
        Case("POST", "/roster/import/{other_roster_upload}/cancel", OTHER_POST),
    ],
    "roster.adult_cards": [Case("GET", "/roster/adult-cards", IMPORTERS)],
    "roster.result": [
        Case("GET", "/roster/imports/{own_roster_import}", OWN),
        Case("GET", "/roster/imports/{other_roster_import}", OTHER),
    ],
    "roster.undo": [
        Case("POST", "/roster/imports/{own_roster_import}/undo", OWN_POST),
        Case("POST", "/roster/imports/{other_roster_import}/undo", OTHER_POST),
    ],
}


def objects(app: Any, world: dict[str, Any]) -> dict[str, Any]:
    """A stored upload and an applied import for each school, owned by its coordinator."""

    def for_school(school: School, coordinator: User) -> tuple[str, str, int]:
        school = db.session.get(School, school.id)
        coordinator = db.session.get(User, coordinator.id)
        plan = plan_roster(FILE, school, importer=coordinator)
        token = uploads.save(FILE, school_id=school.id, user_id=coordinator.id, filename="matrix.csv")
        record = RosterImport(school_id=school.id, imported_by_id=coordinator.id, filename="earlier.csv",
                              academic_year=AcademicYear.current().start_year, rows=1, created=1, updated=0,
                              unchanged=0, left=0)
        db.session.add(record)
        db.session.flush()
        return token, plan.summary, record.id

    people = world["people"]
    own = run_in_app(app, lambda: for_school(world["school"], people["coordinator"]))
    other = run_in_app(app, lambda: for_school(world["other_school"], people["other_coordinator"]))
    return {"own_roster_upload": own[0], "own_roster_summary": own[1], "own_roster_import": own[2],
            "other_roster_upload": other[0], "other_roster_summary": other[1], "other_roster_import": other[2]}
