"""Access-matrix entries for the DSLs' concern log: the list, its CSV, one concern, and adding an action,
closing and opening one again.

Only staff holding the DSL or deputy DSL duty read concerns, and the matrix world has none: so every role
here is refused (403), the class teacher, the coordinator (not a DSL), the trust lead and the administrator
included, for their own school's concern and another school's alike; signed-out visitors go to sign in.
``tests/test_concern_log.py`` proves the DSL and deputies get in (and another school's DSL gets 404).
"""

from __future__ import annotations

from typing import Any

from eduplatform.accounts.models import User
from eduplatform.concerns import services
from eduplatform.db import db
from tests.access.common import Case, everyone
from tests.conftest import run_in_app

NOBODY = everyone(403, anonymous=302)

MATRIX: dict[str, list[Case]] = {
    "concern_log.list_concerns": [Case("GET", "/concerns", NOBODY)],
    "concern_log.export_concerns": [Case("GET", "/concerns.csv", NOBODY)],
    "concern_log.show_concern": [Case("GET", "/concerns/{own_concern}", NOBODY),
                                 Case("GET", "/concerns/{other_concern}", NOBODY)],
    "concern_log.add_action": [Case("POST", "/concerns/{own_concern}/actions", NOBODY, (("action-what", "Rang home"),)),
                               Case("POST", "/concerns/{other_concern}/actions", NOBODY,
                                    (("action-what", "Rang home"),))],
    "concern_log.close_concern": [Case("POST", "/concerns/{own_concern}/close", NOBODY,
                                       (("close-outcome", "Resolved"),))],
    "concern_log.reopen_concern": [Case("POST", "/concerns/{closed_concern}/reopen", NOBODY,
                                        (("reopen-why", "Again"),))],
}


def objects(app: Any, world: dict[str, Any]) -> dict[str, Any]:
    """A concern reported by the pupil, a closed one, and one reported in the other school."""
    people = world["people"]

    def report(reporter_id: int, *, closed: bool = False) -> int:
        reporter = db.session.get(User, reporter_id)
        concern = services.report_concern(reporter, category="cyberbullying", text="Someone is being unkind online")
        if closed:
            services.close_concern(concern, db.session.get(User, people["staff"].id), outcome="Resolved")
        return concern.id

    return {"own_concern": run_in_app(app, lambda: report(people["pupil"].id)),
            "closed_concern": run_in_app(app, lambda: report(people["pupil"].id, closed=True)),
            "other_concern": run_in_app(app, lambda: report(world["other_pupil"].id))}
