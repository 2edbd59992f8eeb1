"""Forms of the filtering and monitoring logs: a check, a change to what is blocked or allowed, and
the school's interval between checks.

Set ``today`` (the school's calendar day) on the check and change forms before validating: a later
date is refused. The three forms share one page, so each has its own prefix (``check-``,
``change-``, ``interval-``) and field ids never clash.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import DateField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from eduplatform.concerns.filtering_queries import MAX_CHECK_DAYS, MIN_CHECK_DAYS
from eduplatform.concerns.models import MAX_TEXT
from eduplatform.forms import BaseForm
from eduplatform.i18n import _, _l

#: The longest name (who took part, who asked, who approved): the column's size.
MAX_NAME = 200
#: Entries before this day are refused as typing mistakes.
EARLIEST = date(2000, 1, 1)


def _text(required_message: Any = None) -> list[Any]:
    first = InputRequired(message=required_message) if required_message else Optional()
    return [first, Length(max=MAX_TEXT, message=_l("Enter at most %(count)s characters.", count=MAX_TEXT))]


def _name(required_message: Any = None) -> list[Any]:
    first = InputRequired(message=required_message) if required_message else Optional()
    return [first, Length(max=MAX_NAME, message=_l("Enter at most %(count)s characters.", count=MAX_NAME))]


class _DateField(DateField):
    """A date typed as the browser sends it (2026-03-14); anything else gets a clear message."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Enter a real date, such as 2026-03-14.")) from None


class _Dated(BaseForm):
    """A log entry with the day it was done: not in the future, not before 2000."""

    today: date = date.max

    def validate_done_on(self, field: Any) -> None:
        if field.data is None:
            return
        if field.data > self.today:
            raise ValidationError(_("The date cannot be in the future."))
        if field.data < EARLIEST:
            raise ValidationError(_("The date cannot be before 2000."))


class FilteringCheckForm(_Dated):
    """A check of the filtering and monitoring: when, what was checked, the result, who took part, follow-up."""

    done_on = _DateField(_l("Date of the check"),
                        validators=[InputRequired(message=_l("Enter the date of the check, such as 2026-03-14."))])
    what = TextAreaField(_l("What was checked"), validators=_text(
        _l("Enter what was checked, such as the filtering of a search for harmful content on a pupil laptop.")))
    result = TextAreaField(_l("Result"), validators=_text(_l("Enter the result of the check.")))
    with_whom = StringField(_l("Who took part (optional)"), validators=_name())
    follow_up = TextAreaField(_l("Follow-up (optional)"), validators=_text())
    submit = SubmitField(_l("Record the check"))


class FilteringChangeForm(_Dated):
    """A change to what is blocked or allowed: when, what, who asked, why, who approved, when reviewed."""

    done_on = _DateField(_l("Date of the change"),
                        validators=[InputRequired(message=_l("Enter the date of the change, such as 2026-03-14."))])
    what = TextAreaField(_l("What was blocked or allowed"), validators=_text(
        _l("Enter what was blocked or allowed, such as a video site allowed for Year 6.")))
    requested_by = StringField(_l("Who asked for it"), validators=_name(_l("Enter who asked for the change.")))
    result = TextAreaField(_l("Why"), validators=_text(_l("Enter why the change was made.")))
    approved_by = StringField(_l("Who approved it"), validators=_name(_l("Enter who approved the change.")))
    reviewed_on = _DateField(_l("Reviewed on (optional)"), validators=[Optional()])
    follow_up = TextAreaField(_l("Follow-up (optional)"), validators=_text())
    submit = SubmitField(_l("Record the change"))

    def validate_reviewed_on(self, field: Any) -> None:
        if field.data is None:
            return
        if field.data > self.today:
            raise ValidationError(_("The review date cannot be in the future."))
        if self.done_on.data is not None and field.data < self.done_on.data:
            raise ValidationError(_("The review date cannot be before the date of the change."))


class CheckIntervalForm(BaseForm):
    """How often the school checks its filtering and monitoring, in days."""

    days = IntegerField(_l("Days between checks"), validators=[
        InputRequired(message=_l("Enter the number of days between checks, such as 365.")),
        NumberRange(MIN_CHECK_DAYS, MAX_CHECK_DAYS, message=_l(
            "Enter a whole number of days from %(min)s to %(max)s.", min=MIN_CHECK_DAYS, max=MAX_CHECK_DAYS))])
    submit = SubmitField(_l("Save the interval"))
