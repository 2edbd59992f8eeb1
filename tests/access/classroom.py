"""Access-matrix entries for the classroom: a teacher's own classes only."""

from __future__ import annotations

from typing import Any

from eduplatform.academic_year import AcademicYear
from eduplatform.roles import Role
from eduplatform.schools.services import create_class, enrol_pupil
from tests.access.common import Case, everyone
from tests.conftest import run_in_app

#: The class's teacher and the school's coordinator; everyone else is refused or "not found".
OWN_CLASS = everyone(403, anonymous=302, staff=200, coordinator=200, other_coordinator=404)
OWN_CLASS_POST = {**OWN_CLASS, "staff": 302, "coordinator": 302}
OTHER_CLASS = everyone(403, anonymous=302, staff=404, coordinator=404, other_coordinator=200)
LESSON = "ks2-passwords/ks2-passwords-why"

MATRIX: dict[str, list[Case]] = {
    "classroom.list_classes": [Case("GET", "/classes", everyone(403, anonymous=302, staff=200, coordinator=200,
                                                                 other_coordinator=200))],
    "classroom.show_class": [Case("GET", "/classes/{own_class}", OWN_CLASS),
                             Case("GET", "/classes/{other_class}", OTHER_CLASS)],
    "classroom.present_lesson": [Case("GET", "/classes/{own_class}/present/" + LESSON, OWN_CLASS),
                                 Case("GET", "/classes/{other_class}/present/" + LESSON, OTHER_CLASS)],
    "classroom.present_agreement": [
        Case("GET", "/classes/{own_class}/board/agreements/ks2-aup", OWN_CLASS),
        Case("GET", "/classes/{other_class}/board/agreements/ks2-aup", OTHER_CLASS),
    ],
    "classroom.record_session": [
        Case("GET", "/classes/{own_class}/sessions/ks2-passwords", OWN_CLASS),
        Case("POST", "/classes/{own_class}/sessions/ks2-passwords", OWN_CLASS_POST,
             (("present", "{own_school_pupil}"),)),
        Case("POST", "/classes/{other_class}/sessions/ks2-passwords",
             {**OTHER_CLASS, "other_coordinator": 302}, (("present", "{other_school_pupil}"),)),
    ],
    "classroom.sign_together": [
        Case("GET", "/classes/{own_ks1_class}/agreements/ks1-aup", OWN_CLASS),
        Case("POST", "/classes/{own_ks1_class}/agreements/ks1-aup", OWN_CLASS_POST,
             (("present", "{own_ks1_pupil}"),)),
        # Older pupils sign for themselves: before, teachers could record a KS2 class agreeing together.
        Case("GET", "/classes/{own_class}/agreements/ks2-aup", {**OWN_CLASS, "staff": 404, "coordinator": 404}),
    ],
}


def objects(app: Any, world: dict[str, Any]) -> dict[str, Any]:
    """The pupil's class (taught by ``staff``) and a class of the other school with its pupil."""

    def other_class() -> Any:
        school_class = create_class(school=world["other_school"], name="Other 5", year_group=5,
                                    year=AcademicYear.current())
        enrol_pupil(school_class, world["other_pupil"])
        return school_class

    def ks1_class() -> tuple[int, int]:
        from eduplatform.accounts.services import create_user
        from eduplatform.schools.services import assign_teacher

        school_class = create_class(school=world["school"], name="Own 1", year_group=1, year=AcademicYear.current())
        pupil = create_user(username="matrix.ks1", first_name="Kit", last_name="One", roles={Role.PUPIL},
                            school_id=world["school"].id, year_group=1)
        enrol_pupil(school_class, pupil)
        assign_teacher(school_class, world["people"]["staff"])
        return school_class.id, pupil.id

    own_ks1_class, own_ks1_pupil = run_in_app(app, ks1_class)
    return {"own_class": world["own_class"].id, "other_class": run_in_app(app, other_class).id,
            "own_ks1_class": own_ks1_class, "own_ks1_pupil": own_ks1_pupil}
