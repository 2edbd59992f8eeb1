"""Form base classes: CSRF-protected (Flask-WTF), with whitespace stripped from every text field."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    """Every form of the site derives from this: session-backed CSRF, stripped input."""

    class Meta:
        def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Any:
            filters = unbound_field.kwargs.get("filters", ())
            if not unbound_field.kwargs.get("keep_whitespace", False):
                options["filters"] = (_strip, *filters)
            unbound_field.kwargs.pop("keep_whitespace", None)
            return unbound_field.bind(form=form, **options)


class EmptyForm(BaseForm):
    """A form with only its CSRF token: for plain buttons that change state (POST)."""


class CheckboxesField(SelectMultipleField):
    """"Select all that apply": a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
