"""The audit log's filters: in the address, so a view can be bookmarked and the CSV uses the same ones."""

from __future__ import annotations

from typing import Any

from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from eduplatform.audit.labels import ACTION_LABELS
from eduplatform.compliance.certificate_forms import DayField
from eduplatform.forms import BaseForm
from eduplatform.i18n import _, _l


class AuditLogFilterForm(BaseForm):
    """A GET form without a CSRF token (it changes nothing). ``school`` is offered to administrators and
    checked by the view; the action's choices are every kind of entry, by its readable name."""

    class Meta:
        csrf = False

    school = SelectField(_l("School"), choices=[], validate_choice=False)
    action = SelectField(_l("What"), choices=[], validate_choice=False)
    person = StringField(_l("Person (who did it, or whom it was about)"),
                         validators=[Optional(), Length(max=100, message=_l("Type at most 100 characters."))])
    day_from = DayField(_l("From"), name="from", validators=[Optional()])
    day_to = DayField(_l("Up to"), name="to", validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action.choices = [("", _("Everything"))] + sorted(
            ((action.value, str(label)) for action, label in ACTION_LABELS.items()),
            key=lambda choice: choice[1].casefold())

    def validate_action(self, field: Any) -> None:
        if field.data and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_("%(value)s is not a kind of entry in the log.", value=str(field.data)[:40]))

    def validate_day_to(self, field: Any) -> None:
        if field.data and self.day_from.data and field.data < self.day_from.data:
            raise ValidationError(_("The last day comes before the first day: swap them or change one."))
