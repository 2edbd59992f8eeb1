"""Access-matrix entries for trusts and schools, school settings and managing people one by one.

Only administrators manage trusts and create schools (``Permission.MANAGE_SCHOOLS``); a trust lead
cannot. A coordinator changes their own school's settings and people; another school's are "not
found" to them. Administrators manage every school. Single sign-on routes are public, and "not
found" while no provider is configured (as in the matrix's app).
"""

from __future__ import annotations

from typing import Any

from eduplatform.db import db
from eduplatform.roles import Role
from eduplatform.schools.models import School, SchoolHelpContact
from tests.access.common import Case, everyone
from tests.conftest import run_in_app

ADMIN_ONLY = everyone(403, anonymous=302, admin=200)
ADMIN_ONLY_POST = everyone(403, anonymous=302, admin=302)
OWN = everyone(403, anonymous=302, coordinator=200, admin=200, other_coordinator=404)
OWN_POST = {**OWN, "coordinator": 302, "admin": 302}
OTHER = everyone(403, anonymous=302, coordinator=404, admin=200, other_coordinator=200)
NOWHERE = everyone(403, anonymous=302, coordinator=404, admin=404, other_coordinator=404)
CONTACT = (("contact-name", "School nurse"), ("contact-detail", "Room 4, mornings"), ("contact-for_pupils", "y"))

MATRIX: dict[str, list[Case]] = {
    "accounts.sso_start": [Case("GET", "/login/sso/google", everyone(404)),
                           Case("GET", "/login/sso/unknown", everyone(404))],
    "accounts.sso_callback": [Case("GET", "/login/sso/google/callback?code=x&state=y", everyone(404))],
    "admin.overview": [Case("GET", "/admin", ADMIN_ONLY)],
    "admin.create_trust": [Case("POST", "/admin/trusts", ADMIN_ONLY_POST, (("new-name", "Matrix Trust"),))],
    "admin.rename_trust": [Case("POST", "/admin/trusts/{own_trust}", ADMIN_ONLY_POST, (("name", "Renamed"),))],
    "admin.create_school": [Case("GET", "/admin/schools/new", ADMIN_ONLY)],
    "admin.school_settings": [Case("GET", "/schools/{own_school}/settings", OWN),
                              Case("GET", "/schools/{other_school}/settings", OTHER)],
    "admin.add_help_contact": [Case("POST", "/schools/{own_school}/help-contacts", OWN_POST, CONTACT),
                               Case("POST", "/schools/{other_school}/help-contacts",
                                    {**OTHER, "admin": 302, "other_coordinator": 302}, CONTACT)],
    "admin.remove_help_contact": [
        Case("POST", "/schools/{own_school}/help-contacts/{own_help_contact}/delete", OWN_POST),
        # Another school's contact through one's own school's address: not found, even to an administrator.
        Case("POST", "/schools/{own_school}/help-contacts/{other_help_contact}/delete", NOWHERE),
    ],
    "manage_people.add_person": [Case("GET", "/schools/{own_school}/people/new", OWN),
                                 Case("GET", "/schools/{other_school}/people/new", OTHER)],
    "manage_people.edit_person": [Case("GET", "/people/{own_school_staff}/edit", OWN),
                                  Case("GET", "/people/{other_school_staff}/edit", OTHER),
                                  # Trust leads and administrators belong to no school: nobody edits them here.
                                  Case("GET", "/people/{trust_lead_user}/edit", NOWHERE)],
    "manage_people.disable_person": [Case("POST", "/people/{own_school_staff}/disable", OWN_POST),
                                     Case("POST", "/people/{other_school_staff}/disable",
                                          {**OTHER, "admin": 302, "other_coordinator": 302})],
    "manage_people.enable_person": [Case("POST", "/people/{own_school_staff}/enable", OWN_POST)],
    # A new first password is shown on the page itself (never in a redirect or flash message).
    "manage_people.reset_password": [Case("POST", "/people/{own_school_staff}/password", OWN),
                                     Case("POST", "/people/{other_school_staff}/password", OTHER)],
}


def objects(app: Any, world: dict[str, Any]) -> dict[str, Any]:
    """The two schools, a member of staff of the other school, and a help contact in each school."""
    from eduplatform.accounts.services import create_user

    def build() -> dict[str, Any]:
        contacts = {}
        for key, school_id in (("own", world["school"].id), ("other", world["other_school"].id)):
            contact = SchoolHelpContact(school_id=school_id, name="Nurse", detail="Room 1")
            db.session.add(contact)
            db.session.flush()
            contacts[key] = contact.id
        other_staff = create_user(username="matrix.other.staff", first_name="Other", last_name="Staff",
                                  roles={Role.STAFF}, school_id=world["other_school"].id)
        return {"own_trust": db.session.get(School, world["school"].id).trust_id,
                "own_school": world["school"].id, "other_school": world["other_school"].id,
                "own_help_contact": contacts["own"], "other_help_contact": contacts["other"],
                "own_school_staff": world["people"]["staff"].id, "other_school_staff": other_staff.id,
                "trust_lead_user": world["people"]["trust_lead"].id}

    return run_in_app(app, build)
