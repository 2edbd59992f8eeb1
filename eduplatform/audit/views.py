"""The audit log's pages: the coordinator's (or administrator's) log, filtered and paged, and its CSV."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, stream_with_context
from flask_login import current_user

from eduplatform.access import Permission, overseen_schools, requires
from eduplatform.audit.export import csv_text
from eduplatform.audit.forms import AuditLogFilterForm
from eduplatform.audit.labels import action_label, details_summary
from eduplatform.audit.models import AuditAction
from eduplatform.audit.queries import AuditLogFilters, log_entries, log_page
from eduplatform.audit.services import record_event
from eduplatform.db import db, utcnow
from eduplatform.i18n import _, select_time_zone
from eduplatform.reports.exports import ERROR_MARKER
from eduplatform.roles import Role
from eduplatform.schools.models import School

bp = Blueprint("audit", __name__)
log = logging.getLogger(__name__)

#: The filters of the address, carried into the page links and the CSV download.
_FILTER_ARGUMENTS = ("school", "action", "person", "from", "to")


def _schools() -> tuple[list[School], bool]:
    """The schools whose log the actor reads, and whether they read every school's (administrators)."""
    every = Role.ADMIN in current_user.roles
    schools = overseen_schools(current_user)
    if not every:
        schools = [school for school in schools if school.id == current_user.school_id]
        if not schools:
            abort(403)  # a coordinator without a school has no log to read
    return schools, every


def _filters() -> tuple[AuditLogFilterForm, AuditLogFilters | None, list[School], bool]:
    """The filters in the address, checked; a school the actor does not oversee is "not found"."""
    schools, every = _schools()
    form = AuditLogFilterForm(formdata=request.args)
    form.school.choices = [("", _("Every school"))] + [(str(school.id), school.name) for school in schools]
    chosen: list[School] | None = None if every else schools
    raw_school = (request.args.get("school") or "").strip()
    if raw_school:
        chosen = [school for school in schools if str(school.id) == raw_school]
        if not chosen:
            abort(404)
    if not form.validate():
        return form, None, schools, every
    time_zone = (chosen[0].time_zone if chosen and len(chosen) == 1 and chosen[0].time_zone
                 else select_time_zone())
    filters = AuditLogFilters(
        school_ids=None if chosen is None else tuple(school.id for school in chosen),
        action=form.action.data or None, person=form.person.data or None,
        day_from=form.day_from.data, day_to=form.day_to.data, time_zone=time_zone)
    return form, filters, schools, every


def _arguments() -> dict[str, Any]:
    return {key: request.args[key] for key in _FILTER_ARGUMENTS if request.args.get(key)}


@bp.route("/audit-log")
@requires(Permission.VIEW_AUDIT_LOG)
def audit_log() -> tuple[str, int]:
    """The audit log, newest first, 50 a page ("Older" pages on from the last entry shown), filtered by
    school (administrators), action, person and days in the school's time zone.

    Coordinators: their own school's entries; administrators: every school's (and the platform's).
    Trust leads, staff and everyone else: refused (the permission).
    """
    form, filters, schools, every = _filters()
    older_than = request.args.get("older", type=int)
    entries: list[Any] = []
    next_older = None
    if filters is not None:
        entries, next_older = log_page(filters, older_than, erased=_("Erased person"))
    return render_template(
        "audit/audit_log.html", form=form, entries=entries, next_older=next_older, arguments=_arguments(),
        paged=older_than is not None, many_schools=every or len(schools) > 1, action_label=action_label,
        details_summary=details_summary), 400 if form.errors else 200


@bp.route("/audit-log.csv")
@requires(Permission.VIEW_AUDIT_LOG)
def audit_log_csv() -> Response:
    """The audit log with the page's filters as a CSV file, streamed, every cell formula-safe; the download
    is itself logged (with the number of rows sent) once the last row is sent. The same people as the page.
    """
    form, filters, _schools_read, _every = _filters()
    if filters is None:
        abort(400, description=" ".join(str(error) for errors in form.errors.values() for error in errors))
    actor = current_user._get_current_object()
    command_line, unknown, erased = _("the command line"), _("someone unknown"), _("Erased person")
    school_ids = filters.school_ids if filters.school_ids is not None else (None,)

    def generate() -> Iterator[str]:
        counted = [0]
        complete = False
        try:
            yield from csv_text(log_entries(filters, erased=erased), command_line=command_line, unknown=unknown,
                                counted=counted)
            complete = True
        except Exception:
            log.exception("the audit-log export stopped part-way")
            yield f"\r\n{ERROR_MARKER}\r\n"
        finally:
            db.session.rollback()  # end the read transaction before the entry is written (it only read)
            for school_id in school_ids:
                record_event(AuditAction.AUDIT_LOG_EXPORTED, actor=actor, school_id=school_id,
                             details={**filters.described(), "rows": counted[0], "complete": complete})

    filename = f"audit-log-{utcnow().date().isoformat()}.csv"
    return Response(stream_with_context(generate()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
