"""The DSLs' concern log: the list, one concern (opening it leaves a read receipt and an audit entry),
its record of actions, closing and opening it again, and the log as CSV.

Only staff holding the DSL or deputy DSL duty read concerns, and only their own school's
(:func:`eduplatform.access.may_read_concerns`): everyone else is refused (403), whatever their role
(the class teacher, the coordinator who is not a DSL, a trust lead, an administrator); a concern of
another school is "not found" (404).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from eduplatform.access import Permission, may_read_concerns, requires
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.concerns import services
from eduplatform.concerns.categories import category_label, category_picture, talk_to_label
from eduplatform.concerns.export import csv_text
from eduplatform.concerns.log_forms import ActionForm, CloseForm, LogFilterForm, ReopenForm, status_label
from eduplatform.concerns.log_queries import (
    LogFilters,
    concern_or_404,
    concern_record,
    log_page,
    new_concern_count,
)
from eduplatform.concerns.models import MAX_TEXT, Concern, ConcernStatus
from eduplatform.csv_files import ERROR_MARKER
from eduplatform.db import db, utcnow
from eduplatform.i18n import _, _l

bp = Blueprint("concern_log", __name__)
log = logging.getLogger(__name__)

#: The filters of the address, carried into the page links and the CSV download.
_FILTER_ARGUMENTS = ("status", "category")

#: Who reported, as the log says it.
REPORTER_KINDS = {"pupil": _l("Pupil"), "parent": _l("Parent or carer"), "staff": _l("Staff")}


def reporter_kind_label(kind: str) -> str:
    label = REPORTER_KINDS.get(kind)
    return str(label) if label is not None else kind


@bp.app_context_processor
def inject_concern_count() -> dict[str, Any]:
    """``concerns_waiting()`` for the menu and the dashboard: None for anyone who does not read concerns,
    else how many of the school's concerns nobody has opened yet (one query, once per page)."""

    def waiting() -> int | None:
        if "concerns_waiting" not in g:
            g.concerns_waiting = (new_concern_count(current_user.school_id) if may_read_concerns(current_user)
                                  else None)
        return g.concerns_waiting

    return {"concerns_waiting": waiting}


def _reader_or_403() -> None:
    if not may_read_concerns(current_user):
        abort(403)


def _filters() -> tuple[LogFilterForm, LogFilters | None]:
    form = LogFilterForm(formdata=request.args)
    if not form.validate():
        return form, None
    return form, LogFilters(school_id=current_user.school_id, status=form.status.data or None,
                            category=form.category.data or None)


def _arguments() -> dict[str, Any]:
    return {key: request.args[key] for key in _FILTER_ARGUMENTS if request.args.get(key)}


@bp.route("/concerns")
@requires(Permission.USE_SITE)
def list_concerns() -> tuple[str, int]:
    """The school's concerns: happening now (not closed) first, then new, open and closed, newest first
    within each; filtered by status and kind of worry, 50 a page. The DSL and deputies of the school only."""
    _reader_or_403()
    form, filters = _filters()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows: list[Any] = []
    more = False
    if filters is not None:
        rows, more = log_page(filters, current_user.id, page, erased=_("Erased person"))
    return render_template(
        "concerns/log_list.html", form=form, rows=rows, page=page, more=more, arguments=_arguments(),
        category_label=category_label, status_label=status_label,
        reporter_kind_label=reporter_kind_label), 400 if form.errors else 200


@bp.route("/concerns.csv")
@requires(Permission.USE_SITE)
def export_concerns() -> Response:
    """The log with the page's filters as a CSV file, one row per concern with its actions summarised in
    one cell; streamed, every cell formula-safe, and logged (with the number of rows sent) once the last
    row is sent. The DSL and deputies of the school only."""
    _reader_or_403()
    form, filters = _filters()
    if filters is None:
        abort(400, description=" ".join(str(error) for errors in form.errors.values() for error in errors))
    actor = current_user._get_current_object()
    school = actor.school
    time_zone, erased = school.time_zone, _("Erased person")

    def generate() -> Iterator[str]:
        counted = [0]
        complete = False
        try:
            yield from csv_text(filters, time_zone=time_zone, erased=erased, counted=counted)
            complete = True
        except Exception:
            log.exception("the concern-log export stopped part-way")
            yield f"\r\n{ERROR_MARKER}\r\n"
        finally:
            db.session.rollback()  # end the read transaction before the entry is written (it only read)
            record_event(AuditAction.EXPORT_DOWNLOADED, actor=actor, school_id=filters.school_id,
                         details={"kind": "concerns", **filters.described(), "rows": counted[0],
                                  "complete": complete})

    filename = f"concerns-{utcnow().date().isoformat()}.csv"
    return Response(stream_with_context(generate()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/concerns/<int:concern_id>")
@requires(Permission.USE_SITE)
def show_concern(concern_id: int) -> tuple[str, int]:
    """The whole concern, its record of actions, who on the DSL team read it and when, and the forms to add
    an action, close it or open it again. Opening it is recorded (the read receipt, the reporter's "an adult
    has read this", and the audit log) in a short transaction of its own that never fails the page.
    The DSL and deputies of its school; another school's concern: 404."""
    _reader_or_403()
    concern = concern_or_404(current_user, concern_id)
    reader_id, school_id = current_user.id, concern.school_id
    # End the request's read transaction first (it wrote nothing), so the page read afterwards sees the
    # receipt just written: SQLite keeps a reader's snapshot for the whole transaction.
    db.session.rollback()
    try:
        services.mark_read(concern_id, reader_id, school_id)
    except SQLAlchemyError:
        log.exception("could not record that concern %s was read", concern_id)
    return _concern_page(db.session.get(Concern, concern_id) or concern)


@bp.route("/concerns/<int:concern_id>/actions", methods=["POST"])
@requires(Permission.USE_SITE)
def add_action(concern_id: int) -> Response | tuple[str, int]:
    """Add to the concern's record of actions: what was done and, if known, what came of it. The DSL and
    deputies of its school; a closed concern is opened again first (its own form, with the reason)."""
    _reader_or_403()
    concern = concern_or_404(current_user, concern_id)
    if concern.status == ConcernStatus.CLOSED.value:
        flash(_("This concern is closed: open it again before adding to its record. Nothing was changed."), "error")
        return redirect(url_for(".show_concern", concern_id=concern.id))
    form = ActionForm(prefix="action")
    if not form.validate_on_submit():
        return _concern_page(concern, action_form=form, status=400)
    try:
        services.add_action(concern, current_user, what=form.what.data, outcome=form.outcome.data)
    except services.ConcernError as refused:
        db.session.rollback()
        _field_error(form, refused)
        return _concern_page(db.session.get(Concern, concern_id) or concern, action_form=form, status=400)
    flash(_("The action is added to the record."), "success")
    return redirect(url_for(".show_concern", concern_id=concern.id))


@bp.route("/concerns/<int:concern_id>/close", methods=["POST"])
@requires(Permission.USE_SITE)
def close_concern(concern_id: int) -> Response | tuple[str, int]:
    """Close the concern with its outcome. The DSL and deputies of its school; a closed one stays as it is."""
    _reader_or_403()
    concern = concern_or_404(current_user, concern_id)
    if concern.status == ConcernStatus.CLOSED.value:
        flash(_("This concern is closed already: nothing was changed."), "error")
        return redirect(url_for(".show_concern", concern_id=concern.id))
    form = CloseForm(prefix="close")
    if not form.validate_on_submit():
        return _concern_page(concern, close_form=form, status=400)
    try:
        services.close_concern(concern, current_user, outcome=form.outcome.data)
    except services.ConcernError as refused:
        db.session.rollback()
        _field_error(form, refused)
        return _concern_page(db.session.get(Concern, concern_id) or concern, close_form=form, status=400)
    flash(_("The concern is closed."), "success")
    return redirect(url_for(".show_concern", concern_id=concern.id))


@bp.route("/concerns/<int:concern_id>/reopen", methods=["POST"])
@requires(Permission.USE_SITE)
def reopen_concern(concern_id: int) -> Response | tuple[str, int]:
    """Open a closed concern again; the reason goes in its record of actions. The DSL and deputies of its
    school; a concern that is not closed stays as it is."""
    _reader_or_403()
    concern = concern_or_404(current_user, concern_id)
    if concern.status != ConcernStatus.CLOSED.value:
        flash(_("This concern is not closed: nothing was changed."), "error")
        return redirect(url_for(".show_concern", concern_id=concern.id))
    form = ReopenForm(prefix="reopen")
    if not form.validate_on_submit():
        return _concern_page(concern, reopen_form=form, status=400)
    try:
        services.reopen_concern(concern, current_user, why=form.why.data)
    except services.ConcernError as refused:
        db.session.rollback()
        _field_error(form, refused, field_for_what="why")
        return _concern_page(db.session.get(Concern, concern_id) or concern, reopen_form=form, status=400)
    flash(_("The concern is open again."), "success")
    return redirect(url_for(".show_concern", concern_id=concern.id))


# --- Helpers -----------------------------------------------------------------------------------


def _concern_page(concern: Concern, *, action_form: ActionForm | None = None, close_form: CloseForm | None = None,
                  reopen_form: ReopenForm | None = None, status: int = 200) -> tuple[str, int]:
    record = concern_record(concern, erased=_("Erased person"))
    return render_template(
        "concerns/log_concern.html", concern=concern, record=record,
        action_form=action_form or ActionForm(prefix="action"), close_form=close_form or CloseForm(prefix="close"),
        reopen_form=reopen_form or ReopenForm(prefix="reopen"), category_label=category_label,
        category_picture=category_picture, talk_to_label=talk_to_label, status_label=status_label,
        reporter_kind_label=reporter_kind_label, closed=concern.status == ConcernStatus.CLOSED.value), status


def _field_error(form: Any, refused: services.ConcernError, *, field_for_what: str = "what") -> None:
    """A service's refusal code (``empty:<field>``, ``too_long:<field>``) as a message at the field."""
    problem, _sep, name = str(refused).partition(":")
    name = field_for_what if name == "what" else name
    if problem == "too_long":
        message = _("Write at most %(count)s characters.", count=MAX_TEXT)
    else:
        message = _("This cannot be empty.")
    target = form._fields.get(name)
    if target is None:
        flash(message, "error")
    else:
        target.errors = [*target.errors, message]
