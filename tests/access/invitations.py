"""Access-matrix entries for parents' invitations (letters, emails) and the public set-up page.

The invitations of a class: the coordinator of its school and administrators (``MANAGE_PEOPLE``);
another school's coordinator gets "not found"; trust leads and everyone else are refused. The
set-up page is public: a wrong code is answered with the form again (400), never a 500.
"""

from __future__ import annotations

from typing import Any

from tests.access.common import Case, everyone

MANAGERS = everyone(403, anonymous=302, coordinator=200, admin=200, other_coordinator=404)
#: Nobody in the matrix's class needs an invitation (its parent has a password): back to the page.
MANAGERS_POST = {**MANAGERS, "coordinator": 302, "admin": 302}
#: Without a mail server the email button is refused with a message and a redirect.
SETUP = everyone(200)
#: Signed-in or not, a made-up code is refused with the form again.
SETUP_POST = everyone(400)

MATRIX: dict[str, list[Case]] = {
    "invitations.setup_account": [
        Case("GET", "/setup", SETUP),
        Case("POST", "/setup", SETUP_POST, (("code", "AAAA-BBBB-CCCC"), ("new_password", "a-long-password"),
                                            ("confirm_password", "a-long-password"))),
    ],
    "invitations.class_invitations": [Case("GET", "/classes/{own_class_id}/invitations", MANAGERS)],
    "invitations.print_letters": [Case("POST", "/classes/{own_class_id}/invitations.pdf", MANAGERS_POST)],
    "invitations.send_invitations": [Case("POST", "/classes/{own_class_id}/invitations/email", MANAGERS_POST)],
}


def objects(app: Any, world: dict[str, Any]) -> dict[str, Any]:
    """The first school's class (its pupil's parent already has a password of their own)."""
    return {"own_class_id": world["own_class"].id}
