"""Signing forms: pupils tick "I agree"; adults type their full name."""

from __future__ import annotations

from wtforms import BooleanField, RadioField, SelectChoice, StringField, SubmitField
from wtforms.validators import DataRequired, InputRequired, Length

from eduplatform.forms import BaseForm
from eduplatform.i18n import _l


class TickToSignForm(BaseForm):
    agree = BooleanField(_l("I agree"), validators=[DataRequired(message=_l("Tick the box to agree."))])
    submit = SubmitField(_l("Sign"))


class PromisesSignForm(BaseForm):
    """The youngest pupils' signature: a tick on each promise (one checkbox each), then "I agree".

    The promise fields are added per agreement by :func:`promises_form_class`.
    """

    submit = SubmitField(_l("I agree"))


def promise_field_name(number: int) -> str:
    """The checkbox of the agreement's ``number``-th promise (counting from 1)."""
    return f"promise_{number}"


def promises_form_class(count: int) -> type[PromisesSignForm]:
    """A :class:`PromisesSignForm` with one required checkbox per promise, in the agreement's order."""

    class PromisesForm(PromisesSignForm):
        pass

    for number in range(1, count + 1):
        setattr(PromisesForm, promise_field_name(number),
                BooleanField(validators=[DataRequired(message=_l("Tick this promise too."))]))
    return PromisesForm


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
                        current: dict[tuple[int, str], bool],
                        labels: dict[tuple[int, str], str] | None = None) -> BaseForm:
    """``form_class`` plus a required yes/no choice per child and consent item, pre-set to current choices.

    ``labels`` names each choice (child and item) for the error summary.
    """

    class ConsentForm(form_class):  # type: ignore[valid-type, misc]
        pass

    defaults = {}
    for child_id in child_ids:
        for consent_id in consent_ids:
            name = consent_field_name(child_id, consent_id)
            choice = RadioField(
                (labels or {}).get((child_id, consent_id)),
                choices=[SelectChoice("yes", _l("Yes, I agree")), SelectChoice("no", _l("No"))],
                validators=[InputRequired(message=_l("Choose yes or no."))])
            # The page asks these before the signature: the form's field order (and so the error
            # summary's) follows the page.
            choice.creation_counter -= 10**9
            setattr(ConsentForm, name, choice)
            if (child_id, consent_id) in current:
                defaults[name] = "yes" if current[(child_id, consent_id)] else "no"
    return ConsentForm(data=defaults)


def consent_choices(form: BaseForm, child_ids: list[int], consent_ids: list[str]) -> dict[tuple[int, str], bool]:
    return {(child_id, consent_id): form[consent_field_name(child_id, consent_id)].data == "yes"
            for child_id in child_ids for consent_id in consent_ids}
