"""The school's retention periods: each kind's default and reason, the school's own values, and a preview
of what a purge run today would remove (the dry run's counts, and who would be kept and why).

The coordinator of the school, or an administrator for the school chosen with ``?school=<id>``
(without one, a list of schools to choose from).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import StringField, SubmitField

from eduplatform.academic_year import local_date
from eduplatform.access import Permission, chosen_managed_school, managed_schools, requires
from eduplatform.db import db, utcnow
from eduplatform.forms import BaseForm
from eduplatform.i18n import _, _l
from eduplatform.privacy.purge import COUNTED, purge
from eduplatform.privacy.retention import KINDS, problem_with, save_retention_periods
from eduplatform.schools.models import School
from eduplatform.schools.years import time_zone_of

bp = Blueprint("retention", __name__)

#: The preview's rows, as the page names them.
COUNT_LABELS = {
    "pupils": _l("Pupils erased"), "staff": _l("Staff, governors and coordinators erased"),
    "parents": _l("Parents and carers erased"), "visitors": _l("Visitors erased"),
    "sign_in_attempts": _l("Picture sign-in attempts deleted"), "audit_log": _l("Audit-log entries deleted"),
    "setup_codes": _l("Set-up codes deleted"), "lapsed_first_passwords": _l("Lapsed first passwords cleared"),
}


class RetentionForm(BaseForm):
    """One box per kind: the school's own period in days (empty: the default)."""

    submit = SubmitField(_l("Save the periods"))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for kind in KINDS:
            field = self[kind.key]
            problem = problem_with(kind, (field.data or "").strip())
            if problem:
                field.errors = [*field.errors, problem]
                valid = False
        return valid

    def periods(self) -> dict[str, int]:
        """``{kind: days}`` of the boxes filled in (valid once :meth:`validate` passed)."""
        return {kind.key: int(text) for kind in KINDS if (text := (self[kind.key].data or "").strip())}


def retention_form(stored: dict[str, Any] | None) -> RetentionForm:
    """A :class:`RetentionForm` filled from the school's stored periods."""
    fields: dict[str, Any] = {kind.key: StringField(kind.title) for kind in KINDS}
    form_class = type("KindsRetentionForm", (RetentionForm,), fields)
    data = {key: str(value) for key, value in (stored or {}).items() if key in fields}
    return form_class(data=data)


@bp.route("/privacy/retention", methods=["GET", "POST"])
@requires(Permission.ERASE_PERSONAL_DATA)
def retention_settings() -> str | Response:
    """The school's retention periods and a preview of today's purge; POST saves the periods.

    The school's coordinator; an administrator for the school chosen with ``?school=<id>``.
    """
    school = chosen_managed_school(current_user)
    if school is None:
        schools = db.session.scalars(select(School).where(managed_schools(current_user)).order_by(School.name))
        return render_template("privacy/retention.html", school=None, schools=list(schools))
    form = retention_form(school.retention_periods)
    if form.validate_on_submit():
        if save_retention_periods(school, form.periods(), actor=current_user):
            db.session.commit()
            flash(_("The retention periods of %(name)s are saved.", name=school.name), "success")
        else:
            flash(_("Nothing changed."), "info")
        return redirect(url_for(".retention_settings", school=school.id))
    today = local_date(utcnow(), time_zone_of(school))
    preview = purge(today, dry_run=True, school_ids=[school.id]).schools[0]
    return render_template("privacy/retention.html", school=school, form=form, kinds=KINDS, preview=preview,
                           counted=COUNTED, count_labels=COUNT_LABELS, today=today)
