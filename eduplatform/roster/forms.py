"""The upload form (step 1) and the confirm form (step 3) of a roster import."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, RadioField, SelectChoice, StringField, SubmitField

from eduplatform.forms import BaseForm
from eduplatform.i18n import _l


class UploadForm(BaseForm):
    file = FileField(_l("CSV file from your school's MIS"),
                     validators=[FileRequired(message=_l("Choose the CSV file to check."))])
    mode = RadioField(_l("What the file is"), default="add", choices=[
        SelectChoice("add", _l("Some people: add them and update anyone already here (nobody is marked as left)")),
        SelectChoice("sync", _l("The whole school: everyone not in the file is marked as left")),
    ])
    submit = SubmitField(_l("Check the file"))


class ConfirmForm(BaseForm):
    #: The counts the coordinator saw: the import is refused if the plan changed since.
    expected = HiddenField()
    #: A full sync marking many people as left: the coordinator types how many.
    confirm_left = StringField(_l("Type how many people will be marked as left"))
    submit = SubmitField(_l("Import now"))
