"""Sign-in and password forms."""

from __future__ import annotations

from wtforms import HiddenField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from eduplatform.accounts.services import MIN_PASSWORD_LENGTH
from eduplatform.forms import BaseForm
from eduplatform.i18n import _l


class LoginForm(BaseForm):
    username = StringField(_l("Username"), validators=[DataRequired(message=_l("Enter your username."))],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField(_l("Password"), validators=[DataRequired(message=_l("Enter your password."))],
                             render_kw={"autocomplete": "current-password"}, keep_whitespace=True)
    next = HiddenField()
    submit = SubmitField(_l("Sign in"))


def new_password_field() -> PasswordField:
    """The new password of every form that chooses one (declare it where it should come in the form)."""
    return PasswordField(
        _l("New password"),
        validators=[
            DataRequired(message=_l("Choose a new password.")),
            Length(min=MIN_PASSWORD_LENGTH, max=200,
                   message=_l("Use at least %(count)d characters.", count=MIN_PASSWORD_LENGTH)),
        ],
        render_kw={"autocomplete": "new-password"}, keep_whitespace=True,
    )


def confirm_password_field() -> PasswordField:
    """The new password typed again (after :func:`new_password_field`)."""
    return PasswordField(
        _l("New password again"),
        validators=[EqualTo("new_password", message=_l("The two new passwords are not the same."))],
        render_kw={"autocomplete": "new-password"}, keep_whitespace=True,
    )


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(message=_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"}, keep_whitespace=True,
    )
    new_password = new_password_field()
    confirm_password = confirm_password_field()
    submit = SubmitField(_l("Change password"))


class CodeForm(BaseForm):
    """A six-digit code from the authenticator app (or, at sign-in, a recovery code)."""

    code = StringField(_l("Code"), validators=[DataRequired(message=_l("Enter the code.")), Length(max=20)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric", "autocapitalize": "none"})
    submit = SubmitField(_l("Continue"))
