"""The public set-up form: a parent's one-time code and their new password."""

from __future__ import annotations

from wtforms import StringField, SubmitField
from wtforms.validators import DataRequired, Length

from eduplatform.accounts.forms import confirm_password_field, new_password_field
from eduplatform.forms import BaseForm
from eduplatform.i18n import _l


class SetupAccountForm(BaseForm):
    code = StringField(_l("Set-up code"),
                       validators=[DataRequired(message=_l("Enter the set-up code from your letter or email.")),
                                   Length(max=40, message=_l("That is not a set-up code."))],
                       render_kw={"autocomplete": "one-time-code", "autocapitalize": "characters",
                                  "spellcheck": "false"})
    new_password = new_password_field()
    confirm_password = confirm_password_field()
    submit = SubmitField(_l("Set up my account"))
