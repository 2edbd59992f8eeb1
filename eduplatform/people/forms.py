"""The form for adding or editing one person."""

from __future__ import annotations

from typing import Any

from wtforms import DateField, SelectChoice, SelectField, StringField, SubmitField
from wtforms.validators import Length, Optional, Regexp

from eduplatform.forms import BaseForm, CheckboxesField
from eduplatform.i18n import _l
from eduplatform.people.services import SCHOOL_ROLES
from eduplatform.roles import Duty
from eduplatform.schools.models import LAST_YEAR_GROUP, NURSERY, year_group_label

EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def _int_or_none(value: Any) -> int | None:
    return int(value) if value not in (None, "", "None") else None


class PersonForm(BaseForm):
    """Names, contact, roles, duties and (pupils) year group and class. The username only when adding."""

    first_name = StringField(_l("First name"), validators=[Length(min=1, max=100,
                                                                  message=_l("Enter a first name."))])
    last_name = StringField(_l("Last name"), validators=[Length(max=100)])
    username = StringField(_l("Username (leave empty to have one made)"), validators=[Length(max=80)])
    email = StringField(_l("Email (adults; needed for Google or Microsoft sign-in)"),
                        validators=[Optional(), Length(max=254),
                                    Regexp(EMAIL, message=_l("Enter an email address such as name@school.sch.uk."))])
    roles = CheckboxesField(_l("Roles"), choices=[SelectChoice(role.value, role.title) for role in SCHOOL_ROLES])
    duties = CheckboxesField(_l("Safeguarding duty (staff)"),
                             choices=[SelectChoice(duty.value, duty.title) for duty in Duty])
    year_group = SelectField(_l("Year group (pupils)"), coerce=_int_or_none, validate_choice=True,
                             choices=[SelectChoice("", "-")] + [SelectChoice(str(group), year_group_label(group))
                                                    for group in range(NURSERY, LAST_YEAR_GROUP + 1)])
    class_id = SelectField(_l("Class this year (pupils)"), coerce=_int_or_none, validate_choice=True)
    children = StringField(_l("Children's usernames (parents; separate with commas)"), validators=[Length(max=1000)])
    started_on = DateField(_l("Start date (staff)"), validators=[Optional()])
    submit = SubmitField(_l("Save"))

    def child_usernames(self) -> tuple[str, ...]:
        return tuple(name.strip() for name in (self.children.data or "").split(",") if name.strip())
