"""Forms of the yearly audit: rating an aspect, the action plan, signing off, starting the year."""

from __future__ import annotations

from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectChoice,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from eduplatform.forms import BaseForm
from eduplatform.i18n import _l

#: Levels as 360-style tools use them: 1 is the strongest, 5 means just starting.
LEVEL_CHOICES = [SelectChoice(str(level), str(level)) for level in range(1, 6)]


class YearForm(BaseForm):
    """Every audit form names the academic year it changes (the year the page showed)."""

    year = HiddenField(validators=[DataRequired()])


class AspectForm(YearForm):
    level = RadioField(_l("Level"), choices=LEVEL_CHOICES, validators=[Optional()])
    commentary = TextAreaField(_l("Commentary"), validators=[Length(max=4000)])
    evidence = TextAreaField(_l("Evidence"), validators=[Length(max=4000)])
    keep_draft = BooleanField(_l("Use the evidence drafted from the records"))
    submit = SubmitField(_l("Save this aspect"))


class ActionForm(YearForm):
    action = StringField(_l("Action"), validators=[InputRequired(message=_l("Write the action.")),
                                                  Length(max=1000)])
    owner = StringField(_l("Who"), validators=[Length(max=200)])
    due_on = DateField(_l("By when"), validators=[Optional()])
    done = BooleanField(_l("Done"))
    submit = SubmitField(_l("Save"))


class SignOffForm(YearForm):
    coordinator_name = StringField(_l("Your full name (your signature)"),
                                   validators=[InputRequired(message=_l("Type your full name.")), Length(max=200)])
    chair_name = StringField(_l("Chair of governors"),
                             validators=[InputRequired(message=_l("Type the chair of governors' name.")),
                                         Length(max=200)])
    chair_signed_on = DateField(_l("Date the governors approved it"),
                                validators=[InputRequired(message=_l("Give the date the governors approved it."))])
    confirm = BooleanField(_l("I understand that once signed, this year's report is frozen and cannot be changed."),
                           validators=[DataRequired(message=_l("Tick to confirm."))])
    submit = SubmitField(_l("Sign off and freeze the report"))
