"""Forms of certificates: checking a verification code, and filtering the list of issued certificates."""

from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import BooleanField, DateField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from eduplatform.forms import BaseForm
from eduplatform.i18n import _, _l


class VerifyForm(BaseForm):
    """The code printed on a certificate, typed in by anyone (sent with POST, so with a CSRF token)."""

    code = StringField(_l("Verification code"),
                       validators=[DataRequired(message=_l("Type the code printed on the certificate.")),
                                   Length(max=40, message=_l("A verification code has 10 letters and numbers."))],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                                  "maxlength": "40"})
    submit = SubmitField(_l("Check the certificate"))


class VerifyLinkForm(VerifyForm):
    """The same code in the address (``/verify?code=...``): a GET that changes nothing, so no CSRF token."""

    class Meta:
        csrf = False


class DayField(DateField):
    """A day typed as year-month-day (a date picker in most browsers), with a message people understand."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist or not valuelist[0]:
            self.data = None
            return
        try:
            self.data = date.fromisoformat(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(_("Enter a date as year-month-day, for example 2026-09-30.")) from None


class CertificateFilterForm(BaseForm):
    """The list's filters, in the address so a view can be bookmarked: a GET form without a CSRF token.

    ``school`` is checked by the view (a school the person does not oversee is "not found");
    the module's choices are set by the view.
    """

    class Meta:
        csrf = False

    school = SelectField(_l("School"), choices=[], validate_choice=False)
    module = SelectField(_l("Module"), choices=[], validate_choice=False)
    completed_from = DayField(_l("Completed from"), name="from", validators=[Optional()])
    completed_to = DayField(_l("Completed up to"), name="to", validators=[Optional()])
    current = BooleanField(_l("Only current certificates (not expired or replaced)"),
                           false_values=(False, "false", "", "0"))

    def validate_module(self, field: Any) -> None:
        if field.data and field.data not in {value for value, _label in field.choices}:
            raise ValidationError(_("There is no module called %(value)s.", value=str(field.data)[:60]))

    def validate_completed_to(self, field: Any) -> None:
        if field.data and self.completed_from.data and field.data < self.completed_from.data:
            raise ValidationError(_("The last day comes before the first day: swap them or change one."))
