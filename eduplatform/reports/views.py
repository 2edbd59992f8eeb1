"""Records: the coordinator's dashboard and the CSV downloads behind every figure."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user

from eduplatform.access import (
    Permission,
    may_view_training_record,
    requires,
    training_record_schools,
)
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.catalogue import current_catalogue
from eduplatform.compliance import record as training
from eduplatform.db import db
from eduplatform.reports.dashboard import PAGE_SIZE, build_dashboard
from eduplatform.reports.exports import ERROR_MARKER, KINDS, columns_of, csv_chunks, export_rows
from eduplatform.reports.requests import current_start_year, filters_from_request, labels_for, scope_from_request
from eduplatform.reports.rows import COMPLETION_STATES, Filters
from eduplatform.reports.scope import Scope
from eduplatform.reports.training_export import training_columns, training_rows

bp = Blueprint("reports", __name__)
log = logging.getLogger(__name__)


def _logged_csv(columns: list[str], rows: Iterable[list[Any]], *, actor: Any, school_ids: list[int],
                details: dict[str, Any], filename: str) -> Response:
    """A streamed CSV download, logged for each school once the last row is sent (or the stream broke).

    A failure part-way ends the file with :data:`ERROR_MARKER`, so a cut file cannot pass for a whole
    one; the log entry says how many rows went and whether the file is complete.
    """

    def generate() -> Iterator[str]:
        counted = [0]
        complete = False

        def counting() -> Iterator[list[Any]]:
            for row in rows:
                counted[0] += 1
                yield row

        try:
            yield from csv_chunks(columns, counting())
            complete = True
        except Exception:
            log.exception("the %s export stopped part-way", details.get("kind"))
            yield f"\r\n{ERROR_MARKER}\r\n"
        finally:
            db.session.rollback()  # end the read transaction before the log entry is written (it only read)
            for school_id in school_ids:
                record_event(AuditAction.EXPORT_DOWNLOADED, actor=actor, school_id=school_id,
                             details={**details, "rows": counted[0], "complete": complete})

    return Response(stream_with_context(generate()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/progress")
@requires(Permission.VIEW_SCHOOL_PROGRESS)
def school_progress() -> Response:
    """The old progress page's address: the Records dashboard replaces it. Coordinators, trust leads, admins."""
    return redirect(url_for(".records", **request.args))


@bp.route("/records")
@requires(Permission.VIEW_SCHOOL_PROGRESS)
def records() -> str:
    """Figures per audience, year group, class and module for any year, drilling down to the people.

    Coordinators (their school), trust leads (their trust's schools), administrators (every school).
    """
    scope = scope_from_request(current_user)
    filters = filters_from_request(scope)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    labels = labels_for(scope)
    dashboard = build_dashboard(scope, filters, current_start_year(scope), labels, page)
    return render_template("reports/records.html", scope=scope, filters=filters, dashboard=dashboard, labels=labels,
                           states=COMPLETION_STATES, link=_link_maker(filters, scope), page_size=PAGE_SIZE,
                           kinds=KINDS)


def _link_maker(filters: Filters, scope: Scope) -> Any:
    """``link(endpoint="reports.records", **changes)``: this page's filters with some changed."""
    current = {"year": scope.year.start_year, "school": filters.school_id, "audience": filters.audience,
               "year_group": filters.year_group, "class": filters.class_id, "module": filters.module,
               "status": filters.status}

    def link(endpoint: str = ".records", **changes: Any) -> str:
        values = {**current, **{key.rstrip("_"): value for key, value in changes.items()}}
        return url_for(endpoint, **{key: value for key, value in values.items() if value is not None})

    return link


@bp.route("/records/export/<kind>.csv")
@requires(Permission.EXPORT_RECORDS)
def export_csv(kind: str) -> Response:
    """Download exactly the rows behind the figures on screen, as CSV (streamed). Logged.

    Coordinators, trust leads and administrators, for the schools they oversee.
    """
    if kind not in KINDS:
        abort(404)
    scope = scope_from_request(current_user)
    filters = filters_from_request(scope, kind)
    catalogue = current_catalogue()
    columns = columns_of(kind, catalogue.strands)
    rows = export_rows(kind, scope, filters, current_start_year(scope), catalogue)
    actor = current_user._get_current_object()
    filename = f"{kind}-{scope.file_label(filters.school_id)}.csv"
    details = {"kind": kind, "year": scope.year.start_year, "format": "csv",
               "filters": {key: value for key, value in vars(filters).items() if value is not None}}
    school_ids = [filters.school_id] if filters.school_id else scope.school_ids

    return _logged_csv(columns, rows, actor=actor, school_ids=school_ids, details=details, filename=filename)


@bp.route("/training/export.csv")
@requires(Permission.USE_SITE)
def export_training_csv() -> Response:
    """Download the training record with the page's filters, every page of it, as CSV (streamed). Logged.

    The training record's readers: coordinators, trust leads, administrators, and staff holding the DSL
    or deputy DSL duty, for the schools whose record they see; anyone else 403.
    """
    if not may_view_training_record(current_user):
        abort(403)
    catalogue = current_catalogue()
    schools = training_record_schools(current_user)
    filters = training.filters_from_request(schools, catalogue)
    record = training.build_record(catalogue, schools, filters)
    actor = current_user._get_current_object()
    school_ids = [school.id for school in record.schools]
    place = record.schools[0].slug if len(record.schools) == 1 else "schools"
    today = max(record.today.values(), default=None)
    filename = f"training-{place}-{today.isoformat() if today else 'record'}.csv"
    details = {"kind": "training", "format": "csv", "filters": filters.as_args()}

    return _logged_csv(training_columns(record), training_rows(record), actor=actor, school_ids=school_ids,
                       details=details, filename=filename)


@bp.route("/records/log")
@requires(Permission.VIEW_AUDIT_LOG)
def access_log() -> Response:
    """The old access log's address: the audit log replaces it (same filter). Coordinators, administrators."""
    action = request.args.get("action")
    return redirect(url_for("audit.audit_log", action=action) if action else url_for("audit.audit_log"), code=301)
