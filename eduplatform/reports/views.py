"""Records: the coordinator's dashboard, the CSV downloads behind every figure, and the access log."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Blueprint, Response, abort, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user
from sqlalchemy import func, select

from eduplatform.access import (
    Permission,
    may_view_training_record,
    overseen_schools,
    requires,
    training_record_schools,
)
from eduplatform.accounts.models import User
from eduplatform.audit.models import AuditAction, AuditEvent
from eduplatform.audit.services import record_event
from eduplatform.catalogue import current_catalogue
from eduplatform.compliance import record as training
from eduplatform.db import db
from eduplatform.i18n import _
from eduplatform.reports.dashboard import PAGE_SIZE, build_dashboard
from eduplatform.reports.exports import ERROR_MARKER, KINDS, columns_of, csv_chunks, export_rows
from eduplatform.reports.requests import current_start_year, filters_from_request, labels_for, scope_from_request
from eduplatform.reports.rows import COMPLETION_STATES, Filters
from eduplatform.reports.scope import Scope
from eduplatform.reports.training_export import training_columns, training_rows

bp = Blueprint("reports", __name__)
log = logging.getLogger(__name__)
LOG_PAGE_SIZE = 50


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
@requires(Permission.VIEW_ACCESS_LOG)
def access_log() -> str:
    """Who exported, downloaded or viewed records, newest first. Coordinators (their school), administrators."""
    schools = overseen_schools(current_user)
    action = request.args.get("action") or None
    if action is not None and action not in {a.value for a in AuditAction}:
        abort(400, description=_("%(value)s is not a kind of entry in the log.", value=action[:40]))
    page = max(1, request.args.get("page", 1, type=int) or 1)
    query = select(AuditEvent).where(AuditEvent.school_id.in_([s.id for s in schools]))
    if action:
        query = query.where(AuditEvent.action == action)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    events = db.session.scalars(query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                                .limit(LOG_PAGE_SIZE).offset((page - 1) * LOG_PAGE_SIZE)).all()
    people_ids = {e.actor_id for e in events} | {e.subject_user_id for e in events}
    people = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(people_ids - {None})))}
    return render_template("reports/access_log.html", events=events, people=people, actions=list(AuditAction),
                           action=action, page=page, pages=max(1, -(-total // LOG_PAGE_SIZE)), total=total,
                           schools={s.id: s for s in schools})
