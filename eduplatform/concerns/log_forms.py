"""The concern log's forms: its filters (in the address), and on a concern's page: add an action, close it
with its outcome, open it again with the reason. Text is plain and kept as typed (trimmed), at most
:data:`~eduplatform.concerns.models.MAX_TEXT` characters; the limit is said in the message."""

from __future__ import annotations

from typing import Any

from wtforms import SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from eduplatform.concerns.categories import category_ids, category_label
from eduplatform.concerns.models import MAX_TEXT, ConcernStatus
from eduplatform.forms import BaseForm
from eduplatform.i18n import _, _l

_TOO_LONG = _l("Write at most %(count)s characters.", count=MAX_TEXT)

#: How each status shows (the log's column and the filter).
STATUS_LABELS = {
    ConcernStatus.NEW.value: _l("New"),
    ConcernStatus.OPEN.value: _l("Open"),
    ConcernStatus.CLOSED.value: _l("Closed"),
}


def status_label(status: str) -> str:
    """A stored status in words (an unknown one as stored)."""
    label = STATUS_LABELS.get(status)
    return str(label) if label is not None else status


class LogFilterForm(BaseForm):
    """A GET form without a CSRF token (it changes nothing): which status, which kind of worry."""

    class Meta:
        csrf = False

    status = SelectField(_l("Status"), choices=[], validate_choice=False)
    category = SelectField(_l("Kind of worry"), choices=[], validate_choice=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status.choices = [("", _("Every status"))] + [(value, str(label))
                                                             for value, label in STATUS_LABELS.items()]
        self.category.choices = [("", _("Every kind"))] + [(known, category_label(known)) for known in category_ids()]

    def validate_status(self, field: Any) -> None:
        if field.data and field.data not in STATUS_LABELS:
            raise ValidationError(_("Choose new, open or closed (or every status)."))

    def validate_category(self, field: Any) -> None:
        if field.data and field.data not in category_ids():
            raise ValidationError(_("%(value)s is not a kind of worry in the log.", value=str(field.data)[:40]))


class ActionForm(BaseForm):
    """Add to a concern's record: what was done, and (if known yet) what came of it."""

    what = TextAreaField(_l("What was done"), validators=[
        DataRequired(message=_l("Write what was done.")), Length(max=MAX_TEXT, message=_TOO_LONG)])
    outcome = TextAreaField(_l("What came of it (optional)"), validators=[
        Optional(), Length(max=MAX_TEXT, message=_TOO_LONG)])
    submit = SubmitField(_l("Add to the record"))


class CloseForm(BaseForm):
    """Close a concern: the outcome is required."""

    outcome = TextAreaField(_l("Outcome"), validators=[
        DataRequired(message=_l("Write the outcome before closing the concern.")),
        Length(max=MAX_TEXT, message=_TOO_LONG)])
    submit = SubmitField(_l("Close the concern"))


class ReopenForm(BaseForm):
    """Open a closed concern again: the reason goes in its record of actions."""

    why = TextAreaField(_l("Why it is opened again"), validators=[
        DataRequired(message=_l("Write why the concern is opened again.")), Length(max=MAX_TEXT, message=_TOO_LONG)])
    submit = SubmitField(_l("Open the concern again"))
