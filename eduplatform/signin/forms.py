"""Forms of picture sign-in: finding a class by code, tapping pictures, teachers' buttons."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, StringField, SubmitField
from wtforms.validators import AnyOf, DataRequired, Optional

from eduplatform.forms import BaseForm
from eduplatform.i18n import _l
from eduplatform.signin.pictures import SECRET_PICTURES


class FindClassForm(BaseForm):
    """The class code typed on /tap. A GET form that changes nothing, so it carries no CSRF token."""

    class Meta:
        csrf = False

    code = StringField(_l("Class code"), validators=[DataRequired(message=_l("Type the class code."))],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
                                  "maxlength": "12"})
    submit = SubmitField(_l("Find my class"))


class TapForm(BaseForm):
    """One tap on the picture grid: a picture, or "go back one"."""

    picture = StringField(validators=[Optional(), AnyOf(SECRET_PICTURES, message=_l("Tap one of the pictures."))])
    undo = HiddenField()

    def validate(self, extra_validators: object = None) -> bool:  # type: ignore[override]
        if not super().validate(extra_validators):  # type: ignore[arg-type]
            return False
        if not self.picture.data and not self.undo.data:
            self.picture.errors = [_l("Tap one of the pictures.")]
            return False
        return True


class CodeForm(BaseForm):
    """Make a class sign-in code, or replace it (``replace`` = "1") so the old one stops working."""

    replace = HiddenField()
    #: Keep the code beyond today (a class display, printed login cards); otherwise it ends tonight.
    permanent = BooleanField(_l("Keep this code after today (for a class display or printed login cards)"))
