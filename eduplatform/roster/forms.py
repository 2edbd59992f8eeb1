"""The upload form (step 1) and the confirm form (step 3) of a roster import."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SubmitField

from eduplatform.forms import BaseForm
from eduplatform.i18n import _l


class UploadForm(BaseForm):
    file = FileField(_l("CSV file from your school's MIS"),
                     validators=[FileRequired(message=_l("Choose the CSV file to check."))])
    submit = SubmitField(_l("Check the file"))


class ConfirmForm(BaseForm):
    #: The counts the coordinator saw: the import is refused if the plan changed since.
    expected = HiddenField()
    submit = SubmitField(_l("Import now"))
