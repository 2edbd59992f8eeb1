"""Signing forms: pupils tick "I agree"; adults type their full name."""

from __future__ import annotations

from wtforms import BooleanField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from eduplatform.forms import BaseForm
from eduplatform.i18n import _l


class TickToSignForm(BaseForm):
    agree = BooleanField(_l("I agree"), validators=[DataRequired(message=_l("Tick the box to agree."))])
    submit = SubmitField(_l("Sign"))


class TypedNameSignForm(BaseForm):
    typed_name = StringField(
        _l("Type your full name to sign"),
        validators=[DataRequired(message=_l("Type your full name to sign.")), Length(max=200)],
        render_kw={"autocomplete": "name"},
    )
    submit = SubmitField(_l("Sign the agreement"))


def names_match(typed: str, full_name: str) -> bool:
    """A typed signature matches the account's name, ignoring case and extra spaces."""
    return " ".join(typed.split()).casefold() == " ".join(full_name.split()).casefold()
