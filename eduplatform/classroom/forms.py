"""Attendance: the teacher ticks who was present."""

from __future__ import annotations

from wtforms import SelectChoice, SubmitField
from wtforms.validators import DataRequired

from eduplatform.accounts.models import User
from eduplatform.forms import BaseForm, CheckboxesField
from eduplatform.i18n import _l


class AttendanceForm(BaseForm):
    present = CheckboxesField(_l("Who was here?"), coerce=int,
                              validators=[DataRequired(message=_l("Tick at least one pupil who was present."))])
    submit = SubmitField(_l("Record for the pupils ticked"))


def attendance_form(pupils: list[User], submit_label: str | None = None) -> AttendanceForm:
    """The form for a class: every pupil listed and ticked to start with (most are usually there)."""
    form = AttendanceForm()
    form.present.choices = [SelectChoice(pupil.id, pupil.display_name) for pupil in pupils]
    if not form.is_submitted():
        form.present.data = [pupil.id for pupil in pupils]
    if submit_label:
        form.submit.label.text = submit_label
    return form
