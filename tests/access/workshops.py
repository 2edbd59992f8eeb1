"""Access-matrix entries for workshops: scheduling, the list, the page, places and the calendar file.

Coordinators (their school) and administrators run workshops; staff who host one see the list; the
parents and staff of the school see a workshop's page; parents take places; the calendar file is for
those with a place, the host and those who run it. Other schools' workshops do not exist for anyone.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from eduplatform.db import utcnow
from eduplatform.workshops import services
from tests.access.common import Case, everyone
from tests.conftest import run_in_app

RUNNERS = everyone(403, anonymous=302, coordinator=200, admin=200, other_coordinator=200)
LISTERS = {**RUNNERS, "staff": 200}  # the staff member hosts the school's workshop
SEE = everyone(404, anonymous=302, parent=200, staff=200, coordinator=200, admin=200)
CALENDAR = {**SEE}  # the parent has a place, the staff member hosts it
PARENTS = everyone(403, anonymous=302, parent=302)
CANCEL = everyone(403, anonymous=302, coordinator=302, admin=302, other_coordinator=404)

MATRIX: dict[str, list[Case]] = {
    "workshops.list_workshops": [Case("GET", "/workshops", LISTERS)],
    "workshops.new_workshop": [Case("GET", "/workshops/new", RUNNERS),
                               Case("POST", "/workshops/new", RUNNERS, (("minutes", "5"),))],
    "workshops.cancel_workshop": [Case("POST", "/workshops/{own_workshop}/cancel", CANCEL)],
    # Without a mail server in the matrix world it says so and sends nothing: the same answer as cancelling.
    "workshops.invite_parents": [Case("POST", "/workshops/{own_workshop}/invite", CANCEL)],
    "workshops.show_workshop": [Case("GET", "/workshops/{own_workshop}", SEE),
                                Case("GET", "/workshops/{other_workshop}", {**SEE, "parent": 404, "staff": 404,
                                                                            "coordinator": 404,
                                                                            "other_coordinator": 200})],
    "workshops.register": [Case("POST", "/workshops/{own_workshop}/register", PARENTS),
                           Case("POST", "/workshops/{other_workshop}/register", {**PARENTS, "parent": 404})],
    "workshops.cancel_place": [Case("POST", "/workshops/{own_workshop}/cancel-place", PARENTS),
                               Case("POST", "/workshops/{other_workshop}/cancel-place", {**PARENTS, "parent": 404})],
    "workshops.calendar": [Case("GET", "/workshops/{own_workshop}.ics", CALENDAR),
                           Case("GET", "/workshops/{other_workshop}.ics",
                                {**SEE, "parent": 404, "staff": 404, "coordinator": 404, "other_coordinator": 200})],
}


def objects(app: Any, world: dict[str, Any]) -> dict[str, Any]:
    """A workshop next week in each school: the first hosted by its staff member, with the parent on it."""
    people = world["people"]
    starts = utcnow().replace(microsecond=0) + timedelta(days=7)

    def schedule(school_id: int, host_id: int) -> int:
        return services.schedule_workshop(school_id=school_id, module_id="parents-home", starts_at=starts,
                                          ends_at=starts + timedelta(hours=1), meeting_url="https://meet.example.org/a",
                                          room=None, capacity=20, host_id=host_id, created_by_id=host_id).id

    own = run_in_app(app, lambda: schedule(world["school"].id, people["staff"].id))
    other = run_in_app(app, lambda: schedule(world["other_school"].id, people["other_coordinator"].id))
    run_in_app(app, lambda: services.register(own, people["parent"].id))
    return {"own_workshop": own, "other_workshop": other}
