"""Forms of a workshop's session: the join code, the host's register, and the attendees' feedback."""

from __future__ import annotations

from typing import Any

from wtforms import RadioField, SelectChoice, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from eduplatform.forms import BaseForm, CheckboxesField
from eduplatform.i18n import _l

#: The longest "one thing to change" answer (the column's size).
MAX_CHANGE = 1000


class JoinForm(BaseForm):
    """The code shown on the host's screen."""

    code = StringField(_l("Code on the screen"), validators=[
        InputRequired(message=_l("Enter the code shown on the screen.")),
        Length(max=20, message=_l("That code is not right. Check the code on the screen and type it again."))])
    submit = SubmitField(_l("Record that I am here"))


class RegisterForm(BaseForm):
    """The host ticks who is present (choices: the people on the list not yet marked)."""

    present = CheckboxesField(_l("Present"), coerce=int, validate_choice=True,
                              validators=[InputRequired(message=_l("Tick at least one person who is present."))])
    submit = SubmitField(_l("Mark as present"))


def register_form(lines: Any) -> RegisterForm:
    """The register's form, offering the people not yet marked present."""
    form = RegisterForm()
    form.present.choices = [SelectChoice(line.user_id, line.name) for line in lines if line.attended_at is None]
    return form


USEFULNESS_CHOICES = [
    SelectChoice(5, _l("5: very useful")), SelectChoice(4, _l("4: useful")), SelectChoice(3, _l("3: somewhat useful")),
    SelectChoice(2, _l("2: a little useful")), SelectChoice(1, _l("1: not useful")),
]


class FeedbackForm(BaseForm):
    """How useful the workshop was (1 to 5) and one thing to change."""

    usefulness = RadioField(_l("How useful was the workshop?"), coerce=int, choices=USEFULNESS_CHOICES,
                            validate_choice=True,
                            validators=[InputRequired(message=_l("Choose how useful the workshop was."))])
    change = TextAreaField(_l("One thing we could change (optional)"), validators=[
        Optional(), Length(max=MAX_CHANGE, message=_l("Enter at most %(count)s characters.", count=MAX_CHANGE))])
    submit = SubmitField(_l("Send feedback"))
