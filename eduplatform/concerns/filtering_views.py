"""The school's filtering and monitoring logs: checks, changes to what is blocked or allowed, the
interval between checks, and whether the checks are in date.

Who may use them is decided in :mod:`eduplatform.access` (:func:`may_keep_filtering_log`): the
school's coordinator, and staff holding the DSL or deputy DSL duty, for their own school; anyone
else 403. The dashboard shows the status when a check is due soon or overdue.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from eduplatform.access import Permission, may_keep_filtering_log, requires
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.concerns import services
from eduplatform.concerns.filtering_forms import CheckIntervalForm, FilteringChangeForm, FilteringCheckForm
from eduplatform.concerns.filtering_queries import (
    DUE_SOON_DAYS,
    EXPORT_COLUMNS,
    MAX_CHECK_DAYS,
    MIN_CHECK_DAYS,
    CheckStatus,
    check_status,
    export_rows,
    records_of_year,
    school_today,
)
from eduplatform.concerns.models import FilteringKind
from eduplatform.concerns.services import ConcernError
from eduplatform.csv_files import csv_chunks
from eduplatform.db import db
from eduplatform.i18n import _
from eduplatform.schools.models import School
from eduplatform.schools.years import requested_year

bp = Blueprint("filtering", __name__)


@bp.app_context_processor
def inject_filtering_status() -> dict[str, Any]:
    """``may_keep_filtering_log()`` and ``filtering_alert()`` for the dashboard: asked only when shown.

    ``filtering_alert()`` is the status when amber or red for those who keep the log, else None.
    """
    def alert() -> CheckStatus | None:
        if not may_keep_filtering_log(current_user):
            return None
        status = check_status(current_user.school)
        return status if status.needs_attention else None

    return {"may_keep_filtering_log": lambda: may_keep_filtering_log(current_user), "filtering_alert": alert}


def _school() -> School:
    """The signed-in person's school, when they keep its filtering logs; 403 for anyone else."""
    if not may_keep_filtering_log(current_user):
        abort(403)
    return current_user.school


@bp.route("/filtering")
@requires(Permission.USE_SITE)
def filtering_log() -> str:
    """The status of the checks, both logs of the year asked for (``?year=``) newest first, and the forms.

    The school's coordinator, DSL and deputies; anyone else 403.
    """
    school = _school()
    return _page(school)


@bp.route("/filtering/export.csv")
@requires(Permission.USE_SITE)
def export_logs() -> Response:
    """Both logs of the year asked for (``?year=``) as one CSV file, formula-safe; logged.

    The school's coordinator, DSL and deputies; anyone else 403.
    """
    school = _school()
    year = requested_year(school)
    rows = list(export_rows(records_of_year(school.id, year), school.time_zone))
    body = "".join(csv_chunks(EXPORT_COLUMNS, rows))
    record_event(AuditAction.EXPORT_DOWNLOADED, actor=current_user, school_id=school.id,
                 details={"kind": "filtering", "year": year.start_year, "format": "csv", "rows": len(rows),
                          "complete": True})
    filename = f"filtering-{school.slug}-{year.label.replace('/', '-')}.csv"
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/filtering/checks", methods=["POST"])
@requires(Permission.USE_SITE)
def record_check() -> str | Response:
    """Add a check to the log. The school's coordinator, DSL and deputies; anyone else 403."""
    school = _school()
    form = FilteringCheckForm(prefix="check")
    form.today = school_today(school)
    if form.validate_on_submit() and _recorded(school, form, FilteringKind.CHECK, with_whom=form.with_whom.data):
        flash(_("The check is recorded."), "success")
        return redirect(url_for(".filtering_log") + "#checks")
    return _page(school, check_form=form)


@bp.route("/filtering/changes", methods=["POST"])
@requires(Permission.USE_SITE)
def record_change() -> str | Response:
    """Add a change to what is blocked or allowed. The school's coordinator, DSL and deputies; anyone else 403."""
    school = _school()
    form = FilteringChangeForm(prefix="change")
    form.today = school_today(school)
    if form.validate_on_submit() and _recorded(school, form, FilteringKind.CHANGE, requested_by=form.requested_by.data,
                                               approved_by=form.approved_by.data, reviewed_on=form.reviewed_on.data):
        flash(_("The change is recorded."), "success")
        return redirect(url_for(".filtering_log") + "#changes")
    return _page(school, change_form=form)


@bp.route("/filtering/interval", methods=["POST"])
@requires(Permission.USE_SITE)
def set_interval() -> str | Response:
    """Set the days between checks (logged). The school's coordinator, DSL and deputies; anyone else 403."""
    school = _school()
    form = CheckIntervalForm(prefix="interval")
    if not form.validate_on_submit():
        return _page(school, interval_form=form)
    if services.set_filtering_check_days(school, form.days.data, actor=current_user):
        db.session.commit()
        flash(_("Checks are now due every %(days)s days.", days=form.days.data), "success")
    else:
        flash(_("Nothing changed."), "info")
    return redirect(url_for(".filtering_log") + "#interval")


def _recorded(school: School, form: FilteringCheckForm | FilteringChangeForm, kind: FilteringKind,
              **extra: Any) -> bool:
    """Write the entry and commit; a refusal goes to its field (nothing saved) and gives False."""
    try:
        services.record_filtering(school.id, current_user, kind=kind, done_on=form.done_on.data,
                                  what=form.what.data, result=form.result.data, follow_up=form.follow_up.data,
                                  **extra)
    except ConcernError as refused:
        db.session.rollback()
        problem, _sep, field = str(refused).partition(":")
        target = form._fields.get(field, form.what)
        target.errors = [*target.errors, _refusal(problem)]
        return False
    db.session.commit()
    return True


def _refusal(problem: str) -> str:
    if problem == "future":
        return _("The date cannot be in the future.")
    if problem == "too_long":
        return _("This is too long: shorten it and try again.")
    return _("This cannot be empty.")


def _page(school: School, *, check_form: FilteringCheckForm | None = None,
          change_form: FilteringChangeForm | None = None, interval_form: CheckIntervalForm | None = None) -> str:
    """The filtering page, with any form that was just sent (and its errors) in place of a fresh one."""
    year = requested_year(school)
    today = school_today(school)
    return render_template(
        "concerns/filtering_log.html", school=school, year=year, status=check_status(school, today),
        logs=records_of_year(school.id, year), due_soon_days=DUE_SOON_DAYS, kinds=FilteringKind,
        check_days_range=(MIN_CHECK_DAYS, MAX_CHECK_DAYS),
        check_form=check_form or FilteringCheckForm(prefix="check", formdata=None, data={"done_on": today}),
        change_form=change_form or FilteringChangeForm(prefix="change", formdata=None, data={"done_on": today}),
        interval_form=interval_form or CheckIntervalForm(prefix="interval", formdata=None,
                                                         data={"days": school.filtering_check_days}))
