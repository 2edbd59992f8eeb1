"""Forms of the training pages: training done elsewhere, and the school's own training periods."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from wtforms import DateField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from eduplatform.catalogue.training import MAX_MONTHS, MAX_SCHOOL_DAYS, Renewal, TrainingRule, parse_due_by
from eduplatform.forms import BaseForm
from eduplatform.i18n import _, _l
from eduplatform.records.external import EARLIEST_COMPLETION, MAX_NOTE, MAX_PROVIDER


class ExternalTrainingForm(BaseForm):
    """Training done elsewhere: which module it stands for, when, who ran it, and a note.

    Set ``today`` (the school's calendar day) before validating: a later date is refused.
    """

    module_id = SelectField(_l("Counts as"), validate_choice=True,
                            validators=[InputRequired(message=_l("Choose the training it counts as."))])
    completed_on = DateField(_l("Date completed"),
                             validators=[InputRequired(message=_l("Enter the date completed, such as 2026-03-14."))])
    provider = StringField(_l("Provider"), validators=[
        InputRequired(message=_l("Enter who ran the training, such as the local authority.")),
        Length(max=MAX_PROVIDER, message=_l("Enter at most %(count)s characters.", count=MAX_PROVIDER))])
    note = TextAreaField(_l("Note (optional)"), validators=[
        Optional(), Length(max=MAX_NOTE, message=_l("Enter at most %(count)s characters.", count=MAX_NOTE))])
    submit = SubmitField(_l("Record training done elsewhere"))

    today: date = date.max

    def validate_completed_on(self, field: Any) -> None:
        if field.data is None:
            return
        if field.data > self.today:
            raise ValidationError(_("The date completed cannot be in the future."))
        if field.data < EARLIEST_COMPLETION:
            raise ValidationError(_("The date completed cannot be before 2000."))


#: The period inputs a rule has, by the kind of renewal (first due: rules with a first-due period).
DAYS, MONTHS, DUE_BY = "first_due_school_days", "renew_after_months", "due_by"


def period_inputs(rule: TrainingRule) -> tuple[str, ...]:
    """Which of a rule's periods a school may set: the first-due days (when the rule has them), the
    renewal months (renewed after months) and the due-by day (renewed each academic year)."""
    inputs = (DAYS,) if rule.periods.first_due_school_days is not None else ()
    if rule.renew is Renewal.MONTHS:
        inputs += (MONTHS,)
    if rule.renew is Renewal.ACADEMIC_YEAR:
        inputs += (DUE_BY,)
    return inputs


def field_name(rule: TrainingRule, period: str) -> str:
    return f"{rule.id}-{period}"


class PeriodsForm(BaseForm):
    """The school's own periods: one text input per period of each rule (empty: the file's default).

    Built per catalogue by :func:`periods_form`; :meth:`periods` gives the values to store once valid.
    """

    submit = SubmitField(_l("Save the periods"))
    rules: tuple[TrainingRule, ...] = ()
    titles: Mapping[str, str] = {}

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for rule in self.rules:
            for period in period_inputs(rule):
                field = self[field_name(rule, period)]
                text = (field.data or "").strip()
                if text and _read(period, text) is None:
                    field.errors = [*field.errors, _problem(period, self.titles.get(rule.id, rule.id))]
                    valid = False
        return valid

    def periods(self) -> dict[str, dict[str, int | str]]:
        """``{rule_id: {period: value}}`` of the periods given (rules left empty are not listed)."""
        found: dict[str, dict[str, int | str]] = {}
        for rule in self.rules:
            own = {period: value for period in period_inputs(rule)
                   if (value := _read(period, (self[field_name(rule, period)].data or "").strip())) is not None}
            if own:
                found[rule.id] = own
        return found


def _read(period: str, text: str) -> int | str | None:
    """A typed period as stored, or None when it is not a usable value."""
    if period == DUE_BY:
        return text if parse_due_by(text) is not None else None
    if not text.isdigit():
        return None
    value = int(text)
    highest = MAX_SCHOOL_DAYS if period == DAYS else MAX_MONTHS
    return value if 1 <= value <= highest else None


def _problem(period: str, rule_title: str) -> str:
    if period == DAYS:
        return _("%(rule)s: enter the school days until it is first due as a whole number from 1 to %(max)s "
                 "(a period below one day cannot be met), or leave it empty for the default.",
                 rule=rule_title, max=MAX_SCHOOL_DAYS)
    if period == MONTHS:
        return _("%(rule)s: enter the months it stays in date as a whole number from 1 to %(max)s "
                 "(a period below one month cannot be met), or leave it empty for the default.",
                 rule=rule_title, max=MAX_MONTHS)
    return _("%(rule)s: enter the due-by day as month and day, such as 10-31 (a real day of every year, so "
             "not 02-29), or leave it empty for the default.", rule=rule_title)


def periods_form(rules: tuple[TrainingRule, ...], titles: Mapping[str, str],
                 stored: Mapping[str, Any] | None) -> PeriodsForm:
    """A :class:`PeriodsForm` for ``rules``, filled from the school's stored periods (``stored``)."""
    fields: dict[str, Any] = {"rules": rules, "titles": dict(titles)}
    labels = {DAYS: _l("School days after the start date until first due"),
              MONTHS: _l("Months a completion stays in date"),
              DUE_BY: _l("Due each academic year by (MM-DD)")}
    data: dict[str, str] = {}
    for rule in rules:
        own = (stored or {}).get(rule.id) or {}
        for period in period_inputs(rule):
            name = field_name(rule, period)
            fields[name] = StringField(labels[period])
            if own.get(period) is not None:
                data[name] = str(own[period])
    form_class = type("RulePeriodsForm", (PeriodsForm,), fields)
    return form_class(data=data)
