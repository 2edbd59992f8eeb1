"""Signing forms: pupils tick "I agree"; adults type their full name."""

from __future__ import annotations

from wtforms import BooleanField, RadioField, SelectChoice, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length

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


class SaveConsentsForm(BaseForm):
    submit = SubmitField(_l("Save my choices"))


def consent_field_name(child_id: int, consent_id: str) -> str:
    return f"consent-{child_id}-{consent_id}"


def with_consent_fields(form_class: type[BaseForm], child_ids: list[int], consent_ids: list[str],
                        current: dict[tuple[int, str], bool]) -> BaseForm:
    """``form_class`` plus a required yes/no choice per child and consent item, pre-set to current choices."""

    class ConsentForm(form_class):  # type: ignore[valid-type, misc]
        pass

    defaults = {}
    for child_id in child_ids:
        for consent_id in consent_ids:
            name = consent_field_name(child_id, consent_id)
            setattr(ConsentForm, name, RadioField(
                choices=[SelectChoice("yes", _l("Yes, I agree")), SelectChoice("no", _l("No"))],
                validators=[InputRequired(message=_l("Choose yes or no."))]))
            if (child_id, consent_id) in current:
                defaults[name] = "yes" if current[(child_id, consent_id)] else "no"
    return ConsentForm(data=defaults)


def consent_choices(form: BaseForm, child_ids: list[int], consent_ids: list[str]) -> dict[tuple[int, str], bool]:
    return {(child_id, consent_id): form[consent_field_name(child_id, consent_id)].data == "yes"
            for child_id in child_ids for consent_id in consent_ids}
