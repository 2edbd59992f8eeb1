"""Access-matrix entries for the signin feature (see tests/access/__init__.py).

The world gets a Year 1 class in each school, each with a sign-in code and a pupil who signs in
with pictures; the own-school class is taught by ``staff`` and also has a Year 3 pupil (password).
Picture sign-in pages are public to anyone who has the code, but only for that class's picture
pupils; the teacher's tools are for the class's teachers, its school's coordinator and admins.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.services import create_user
from eduplatform.roles import Role
from eduplatform.schools.services import assign_teacher, create_class, enrol_pupil
from eduplatform.signin.pictures import set_picture_secret
from eduplatform.signin.services import ensure_sign_in_code
from tests.access.common import Case, everyone
from tests.conftest import run_in_app

#: Teachers' tools on the own-school class: its teacher, the coordinator and admins.
_NOT_MANAGERS = {"anonymous": 302, "pupil": 403, "governor": 403, "visitor": 403}
OWN_CLASS = everyone(404, **_NOT_MANAGERS, staff=200, coordinator=200, admin=200)
OTHER_CLASS = everyone(404, **_NOT_MANAGERS, admin=200, other_coordinator=200)
OWN_CLASS_POST = {role: 302 if status == 200 else status for role, status in OWN_CLASS.items()}
OTHER_CLASS_POST = {role: 302 if status == 200 else status for role, status in OTHER_CLASS.items()}
NOT_IN_CLASS_POST = everyone(404, **_NOT_MANAGERS)
TAP = (("picture", "cat"),)

MATRIX: dict[str, list[Case]] = {
    "signin.find_class": [
        Case("GET", "/tap", everyone(200)),
        Case("GET", "/tap?code={signin_code}", everyone(302)),
    ],
    "signin.class_page": [
        Case("GET", "/tap/{signin_code}", everyone(200)),
        Case("GET", "/tap/{signin_other_code}", everyone(200)),
        Case("GET", "/tap/ZZZZZZ", everyone(404)),
    ],
    "signin.pupil_pictures": [
        Case("GET", "/tap/{signin_code}/{signin_pupil}", everyone(200)),
        Case("GET", "/tap/{signin_code}/{signin_other_pupil}", everyone(404)),
        Case("GET", "/tap/{signin_code}/{signin_older_pupil}", everyone(404)),
        Case("GET", "/tap/{signin_code}/{own_school_pupil}", everyone(404)),
    ],
    "signin.tap_picture": [
        Case("POST", "/tap/{signin_code}/{signin_pupil}", everyone(302), TAP),
        Case("POST", "/tap/{signin_other_code}/{signin_other_pupil}", everyone(302), TAP),
        Case("POST", "/tap/{signin_code}/{signin_other_pupil}", everyone(404), TAP),
    ],
    "signin.board": [
        Case("GET", "/classes/{signin_class}/sign-in", OWN_CLASS),
        Case("GET", "/classes/{signin_other_class}/sign-in", OTHER_CLASS),
        Case("GET", "/classes/{signin_year5_class}/sign-in",
             everyone(404, **_NOT_MANAGERS, staff=200, coordinator=200, admin=200)),
    ],
    "signin.generate_code": [
        Case("POST", "/classes/{signin_class}/sign-in/code", OWN_CLASS_POST),
        Case("POST", "/classes/{signin_other_class}/sign-in/code", OTHER_CLASS_POST),
    ],
    "signin.cards": [
        Case("GET", "/classes/{signin_class}/cards", OWN_CLASS),
        Case("GET", "/classes/{signin_class}/cards?pupil={signin_pupil}", OWN_CLASS),
        Case("GET", "/classes/{signin_class}/cards?pupil={signin_other_pupil}",
             everyone(404, **_NOT_MANAGERS)),
        Case("GET", "/classes/{signin_other_class}/cards", OTHER_CLASS),
    ],
    "signin.reset_pictures": [
        Case("POST", "/classes/{signin_class}/pupils/{signin_pupil}/reset-pictures", OWN_CLASS_POST),
        Case("POST", "/classes/{signin_other_class}/pupils/{signin_other_pupil}/reset-pictures", OTHER_CLASS_POST),
        Case("POST", "/classes/{signin_class}/pupils/{own_school_pupil}/reset-pictures", NOT_IN_CLASS_POST),
        Case("POST", "/classes/{signin_class}/pupils/{signin_other_pupil}/reset-pictures", NOT_IN_CLASS_POST),
    ],
    "signin.unpause": [
        Case("POST", "/classes/{signin_class}/pupils/{signin_pupil}/unpause", OWN_CLASS_POST),
        Case("POST", "/classes/{signin_other_class}/pupils/{signin_other_pupil}/unpause", OTHER_CLASS_POST),
        Case("POST", "/classes/{signin_class}/pupils/{own_school_pupil}/unpause", NOT_IN_CLASS_POST),
    ],
    "signin.new_password": [
        Case("POST", "/classes/{signin_class}/pupils/{signin_older_pupil}/new-password", OWN_CLASS_POST),
        Case("POST", "/classes/{signin_other_class}/pupils/{signin_other_pupil}/new-password", OTHER_CLASS_POST),
        Case("POST", "/classes/{signin_class}/pupils/{own_school_pupil}/new-password", NOT_IN_CLASS_POST),
    ],
}


def objects(app: Any, world: dict[str, Any]) -> dict[str, Any]:
    """A Year 1 class with a code and a picture pupil in each school; return the path placeholders."""
    school, other_school, staff = world["school"], world["other_school"], world["people"]["staff"]

    def build() -> dict[str, Any]:
        from eduplatform.db import db
        from eduplatform.schools.models import ClassMember, SchoolClass

        year = AcademicYear.current()
        found: dict[str, Any] = {}
        for prefix, owner in (("signin", school), ("signin_other", other_school)):
            school_class = create_class(school=owner, name=f"{prefix} Hedgehogs", year_group=1, year=year)
            pupil = create_user(username=f"{prefix}.pupil", first_name="Ava", last_name="Jones",
                                roles={Role.PUPIL}, school_id=owner.id, year_group=1)
            enrol_pupil(school_class, pupil)
            set_picture_secret(pupil, ("cat", "dog", "sun"))
            found[f"{prefix}_class"] = school_class.id
            found[f"{prefix}_code"] = ensure_sign_in_code(school_class)
            found[f"{prefix}_pupil"] = pupil.id
        own_class = db.session.get(SchoolClass, found["signin_class"])
        assign_teacher(own_class, db.session.get(type(staff), staff.id))
        older = create_user(username="signin.older", first_name="Ben", last_name="Cole", roles={Role.PUPIL},
                            school_id=school.id, year_group=3)
        enrol_pupil(own_class, older)
        found["signin_older_pupil"] = older.id
        # The world's Year 5 class (taught by staff): a class with no code yet.
        found["signin_year5_class"] = db.session.scalar(
            select(ClassMember.class_id).where(ClassMember.user_id == world["people"]["pupil"].id))
        return found

    return run_in_app(app, build)
