"""The forms to report a worry: the pupils' "Tell someone" (pictures for the youngest, words for older
pupils) and the parents' and staff's report about a child. The views fill in the choices."""

from __future__ import annotations

from wtforms import HiddenField, RadioField, SelectChoice, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from eduplatform.concerns.models import MAX_TEXT
from eduplatform.forms import BaseForm
from eduplatform.i18n import _l

YES_NO = [SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))]
TOO_LONG = _l("Write at most %(count)s characters: a member of staff will talk to you about the rest.", count=MAX_TEXT)


class PictureTellForm(BaseForm):
    """The youngest pupils (Nursery to Year 2): a picture of what happened, is it happening now, and who to
    talk to, all by tapping pictures. Set ``category.choices`` and ``talk_to.choices``."""

    category = RadioField(_l("What happened?"), validators=[
        InputRequired(message=_l("Tap a picture of what happened."))])
    happening_now = RadioField(_l("Is it happening now?"), choices=YES_NO, validators=[
        InputRequired(message=_l("Tap yes or no."))])
    talk_to = RadioField(_l("Who would you like to talk to?"), validators=[Optional()])
    submit = SubmitField(_l("Tell"))


class TellForm(BaseForm):
    """Pupils from Year 3: a choice of kinds in their age's words, what happened, is it happening now, and who
    to talk to. Set ``category.choices`` and ``talk_to.choices``."""

    category = RadioField(_l("What is it about?"), validators=[
        InputRequired(message=_l("Choose what it is about. If none fits, choose \"Something else\"."))])
    text = TextAreaField(_l("What happened?"), validators=[
        DataRequired(message=_l("Write a few words about what happened, so an adult knows how to help.")),
        Length(max=MAX_TEXT, message=TOO_LONG)])
    happening_now = RadioField(_l("Is it happening now?"), choices=YES_NO, validators=[
        InputRequired(message=_l("Choose yes or no."))])
    talk_to = RadioField(_l("Who would you like to talk to? (you can leave this)"), validators=[Optional()])
    submit = SubmitField(_l("Send it to an adult I trust"))


class ReportForm(BaseForm):
    """A parent's or a member of staff's report about a child. Set ``about_id.choices`` (the children in the
    reporter's reach) and ``category.choices``. Staff must have seen the chosen category's procedure
    (``procedure_seen`` names it) before the report is sent."""

    about_id = SelectField(_l("Which child is it about?"), coerce=int, validate_choice=False, validators=[
        InputRequired(message=_l("Choose the child the concern is about."))])
    category = RadioField(_l("What kind of concern is it?"), validators=[
        InputRequired(message=_l("Choose the kind of concern. If none fits, choose \"Something else\"."))])
    text = TextAreaField(_l("What did you see or hear?"), validators=[
        DataRequired(message=_l("Write what you saw or heard: the DSL needs it to act.")),
        Length(max=MAX_TEXT, message=_l("Write at most %(count)s characters.", count=MAX_TEXT))])
    happening_now = RadioField(_l("Is it happening now?"), choices=YES_NO, validators=[
        InputRequired(message=_l("Say whether it is happening now."))])
    procedure_seen = HiddenField()
    show = SubmitField(_l("Show what to do"))
    submit = SubmitField(_l("Send to the DSL"))

    def validate_about_id(self, field: SelectField) -> None:
        """Only a child of the list (the reporter's reach): anyone else is refused, never saved."""
        if field.data not in {choice.value for choice in field.choices or ()}:
            raise ValidationError(_l("Choose a child from the list: you can report about your own children "
                                     "(parents) or the pupils of your school (staff)."))
