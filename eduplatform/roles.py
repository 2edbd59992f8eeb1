"""The roles a person can hold. Pure constants: :mod:`eduplatform.access` gives them meaning."""

from __future__ import annotations

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class Role(StrEnum):
    """A role held by a user. A user may hold several (staff who is also the coordinator)."""

    PUPIL = "pupil"
    STAFF = "staff"
    GOVERNOR = "governor"
    PARENT = "parent"
    VISITOR = "visitor"
    #: The school's online-safety coordinator (often the Designated Safeguarding Lead).
    COORDINATOR = "coordinator"
    #: Oversees every school of one trust.
    TRUST_LEAD = "trust_lead"
    #: Runs the platform: every school.
    ADMIN = "admin"

    @property
    def title(self) -> str:
        return str(ROLE_TITLES[self])


ROLE_TITLES = {
    Role.PUPIL: _l("Pupil"),
    Role.STAFF: _l("Staff"),
    Role.GOVERNOR: _l("Governor"),
    Role.PARENT: _l("Parent or carer"),
    Role.VISITOR: _l("Visitor"),
    Role.COORDINATOR: _l("Online-safety coordinator"),
    Role.TRUST_LEAD: _l("Trust lead"),
    Role.ADMIN: _l("Administrator"),
}


class Duty(StrEnum):
    """A safeguarding duty a member of staff may hold on top of their roles."""

    #: The Designated Safeguarding Lead: named in "Where to get help", renews DSL training every 2 years.
    DSL = "dsl"
    #: A deputy DSL: the same training; named after the DSL.
    DEPUTY_DSL = "deputy_dsl"

    @property
    def title(self) -> str:
        return str(DUTY_TITLES[self])


DUTY_TITLES = {
    Duty.DSL: _l("Designated Safeguarding Lead (DSL)"),
    Duty.DEPUTY_DSL: _l("Deputy DSL"),
}
