"""Access-matrix entries for a workshop's session: the host's page, presenting, the join code, the
register, feedback and the page after the workshop.

Host pages: the workshop's host (the matrix world's member of staff), its school's coordinator and
administrators; anyone else "not found". Joining: adults of a school (another school's coordinator
types a code that is not right for them: the form again). After and feedback: the parent who came.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from eduplatform.accounts.models import User
from eduplatform.db import db, utcnow
from eduplatform.workshops import attendance
from eduplatform.workshops.models import Workshop
from tests.access.common import Case, everyone
from tests.conftest import run_in_app

HOSTS = everyone(404, anonymous=302, staff=200, coordinator=200, admin=200)
HOSTS_POST = everyone(404, anonymous=302, staff=302, coordinator=302, admin=302)
ADULTS = everyone(403, anonymous=302, staff=200, governor=200, parent=200, visitor=200, coordinator=200,
                  other_coordinator=200)
JOINED = {**ADULTS, "staff": 302, "governor": 302, "parent": 302, "visitor": 302, "coordinator": 302}
ATTENDEE = everyone(404, anonymous=302, parent=200)
SESSION = "/workshops/{running_workshop}"

MATRIX: dict[str, list[Case]] = {
    "workshop_sessions.host": [Case("GET", SESSION + "/host", HOSTS)],
    "workshop_sessions.start": [Case("POST", SESSION + "/host/start", HOSTS_POST)],
    "workshop_sessions.mark_present": [Case("POST", SESSION + "/host/register", HOSTS_POST,
                                            (("present", "{own_school_parent}"),))],
    "workshop_sessions.present": [Case("GET", SESSION + "/present/parents-home-controls", HOSTS)],
    "workshop_sessions.join": [Case("GET", "/join", ADULTS),
                               Case("POST", "/join", JOINED, (("code", "{running_code}"),))],
    "workshop_sessions.after": [Case("GET", SESSION + "/after", ATTENDEE)],
    "workshop_sessions.feedback": [Case("GET", SESSION + "/feedback", ATTENDEE)],
}


def objects(app: Any, world: dict[str, Any]) -> dict[str, Any]:
    """A workshop of the first school happening now, hosted by its member of staff, that its parent joined."""
    people = world["people"]

    def build() -> Workshop:
        starts = utcnow() - timedelta(minutes=10)
        workshop = Workshop(school_id=world["school"].id, module_id="parents-home", starts_at=starts,
                            ends_at=starts + timedelta(hours=1), host_id=people["staff"].id)
        db.session.add(workshop)
        db.session.flush()
        attendance.start_session(workshop)
        attendance.mark_present(workshop, db.session.get(User, people["parent"].id), attendance.CODE_METHOD)
        return workshop

    workshop = run_in_app(app, build)
    return {"running_workshop": workshop.id, "running_code": workshop.join_code,
            "own_school_parent": people["parent"].id}
