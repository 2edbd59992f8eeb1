"""Roster import pages: upload a CSV (step 1), check the preview (step 2), import (step 3), see the result.

Only a coordinator imports, into their own school (``Permission.IMPORT_ROSTER`` and
:func:`eduplatform.access.own_school_or_403`); trust leads and administrators are refused.
Nothing changes before step 3, and step 3 applies exactly the file that was previewed.
"""

from __future__ import annotations

from pathlib import PureWindowsPath

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from eduplatform.academic_year import AcademicYear
from eduplatform.access import Permission, get_school_record_or_404, own_school_or_403, own_upload_or_404, requires
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.db import db
from eduplatform.errors import explain_refusal
from eduplatform.forms import EmptyForm
from eduplatform.i18n import _, _l
from eduplatform.roster import uploads
from eduplatform.roster.forms import ConfirmForm, UploadForm
from eduplatform.roster.models import RosterImport
from eduplatform.roster.planning import Action
from eduplatform.roster.queries import adults_with_cards, classes_with_cards, importer_names, recent_imports
from eduplatform.roster.services import apply_plan, plan_roster, prepare_secrets
from eduplatform.roster.undo import UNDO_DAYS, UndoRefusedError, undo_import, why_not_undoable
from eduplatform.schools.models import School
from eduplatform.schools.years import current_year

bp = Blueprint("roster", __name__)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
#: What each kind of change is called in the preview.
CHANGE_LABELS = {
    "name": _l("name"), "roles": _l("role"), "year_group": _l("year group"), "email": _l("email"),
    "external_id": _l("external_id"), "username": _l("username"), "start_date": _l("start date"),
    "returning": _l("back after leaving"), "class": _l("class"), "teaching": _l("classes taught"),
    "children": _l("children linked"), "pictures": _l("new secret pictures"),
    "first_password": _l("first password (moving up from pictures)"),
    "duties": _l("safeguarding duty"),
}
#: The columns a file may have, for the help on the upload page.
COLUMN_HELP = (
    ("external_id", _l("The school MIS id. Optional, but it is how people are recognised next time.")),
    ("first_name", _l("Required.")),
    ("last_name", _l("Required.")),
    ("role", _l("Required: pupil, staff, governor, parent, visitor or coordinator (several with ;).")),
    ("year_group", _l("Pupils: N, R, 1 to 13, \"Reception\" or \"Year 3\".")),
    ("class", _l("Pupils: their class. Staff: the classes they teach, separated by ;.")),
    ("username", _l("Optional: made from the first name and initial when empty.")),
    ("email", _l("Optional, adults only.")),
    ("parent_of", _l("Parents: their children's external_id, separated by ;.")),
    ("start_date", _l("Staff: when they started, e.g. 2026-09-01 (not a date in the future).")),
    ("duties", _l("Optional, staff only: dsl or deputy_dsl (both with ;). An empty cell removes the duty.")),
)


def _importer_school() -> School:
    """The school the signed-in coordinator imports into; 403 for anyone without one."""
    return own_school_or_403(current_user)


def _upload_or_404(token: str) -> uploads.StoredUpload:
    return own_upload_or_404(current_user, uploads.load(token))


def _filename(raw: str | None) -> str:
    """The uploaded file's own name (browsers may send a Windows path), for display only."""
    return PureWindowsPath(raw or "").name[:255] or "roster.csv"


@bp.route("/roster/import", methods=["GET", "POST"])
@requires(Permission.IMPORT_ROSTER)
def upload() -> str | Response:
    """Step 1: choose a CSV file. A file with errors is reported line by line and nothing is kept.

    The school's coordinator only.
    """
    school = _importer_school()
    form = UploadForm()
    plan = None
    if form.validate_on_submit():
        data = form.file.data.read(MAX_UPLOAD_BYTES + 1)
        if len(data) > MAX_UPLOAD_BYTES:
            form.file.errors.append(_("The file is larger than %(size)s MB: split it into smaller files.",
                                      size=MAX_UPLOAD_BYTES // (1024 * 1024)))
        else:
            plan = plan_roster(data, school, importer=current_user, mode=form.mode.data)
            if plan.ok:
                token = uploads.save(data, school_id=school.id, user_id=current_user.id,
                                     filename=_filename(form.file.data.filename), mode=form.mode.data)
                return redirect(url_for("roster.preview", token=token))
    recent = recent_imports(school.id)
    return render_template("roster/upload.html", form=form, plan=plan, school=school, columns=COLUMN_HELP,
                           recent=recent, importers=importer_names(recent), year=current_year(school))


@bp.route("/roster/import/<token>")
@requires(Permission.IMPORT_ROSTER)
def preview(token: str) -> str:
    """Step 2: what the uploaded file would create, update, leave alone and mark as left. Changes nothing.

    The coordinator who uploaded the file.
    """
    school = _importer_school()
    upload = _upload_or_404(token)
    plan = plan_roster(upload.data, school, importer=current_user, mode=upload.mode)
    return render_template("roster/preview.html", plan=plan, upload=upload, school=school, Action=Action,
                           form=ConfirmForm(expected=plan.summary), cancel_form=EmptyForm(),
                           change_labels=CHANGE_LABELS)


@bp.route("/roster/import/<token>", methods=["POST"])
@requires(Permission.IMPORT_ROSTER)
def confirm(token: str) -> Response:
    """Step 3: import the previewed file, all or nothing, and record the import.

    The coordinator who uploaded the file. Refused (nothing changes) when the plan differs from the
    preview they confirmed, for example because someone changed the school's people meanwhile.
    """
    school = _importer_school()
    upload = _upload_or_404(token)
    form = ConfirmForm()
    plan = plan_roster(upload.data, school, importer=current_user, mode=upload.mode)
    if not form.validate_on_submit() or not plan.ok or form.expected.data != plan.summary:
        flash(_("The school's people changed since this preview: check it again, then import."), "error")
        return redirect(url_for("roster.preview", token=token))
    if plan.needs_typed_confirmation and (form.confirm_left.data or "").strip() != str(len(plan.leavers)):
        flash(_("Nothing was imported: type the number of people who will be marked as left (%(count)s) to "
                "confirm, or go back and choose \"Some people\" if the file is not the whole school.",
                count=len(plan.leavers)), "error")
        return redirect(url_for("roster.preview", token=token))
    # Hash the new people's first secrets (the slow part) with SQLite's write lock released, then
    # plan again under the lock and apply: everyone else's writes wait seconds, not half a minute.
    db.session.commit()  # nothing written yet: this only ends the transaction
    secrets = prepare_secrets(plan)
    plan = plan_roster(upload.data, school, importer=current_user, mode=upload.mode)
    if not plan.ok or form.expected.data != plan.summary:
        flash(_("The school's people changed since this preview: check it again, then import."), "error")
        return redirect(url_for("roster.preview", token=token))
    try:
        record = apply_plan(plan, filename=upload.filename, imported_by=current_user, secrets=secrets)
    except IntegrityError:
        db.session.rollback()
        flash(_("Someone changed the school's people while importing: nothing was imported. Check the preview "
                "again."), "error")
        return redirect(url_for("roster.preview", token=token))
    uploads.discard(token)
    flash(_("Import complete."), "success")
    return redirect(url_for("roster.result", import_id=record.id))


@bp.route("/roster/import/<token>/cancel", methods=["POST"])
@requires(Permission.IMPORT_ROSTER)
def cancel(token: str) -> Response:
    """Throw away an uploaded file without importing it. The coordinator who uploaded it."""
    _upload_or_404(token)
    uploads.discard(token)
    flash(_("Nothing was imported."), "info")
    return redirect(url_for("roster.upload"))


@bp.route("/roster/imports/<int:import_id>")
@requires(Permission.IMPORT_ROSTER)
def result(import_id: int) -> str:
    """What an import did, and the classes whose login cards can now be printed. The school's coordinator."""
    school = _importer_school()
    record = get_school_record_or_404(current_user, RosterImport, import_id)
    classes = classes_with_cards(school.id, AcademicYear(record.academic_year))
    return render_template("roster/result.html", record=record, school=school, classes=classes,
                           year=AcademicYear(record.academic_year), undo_blocked=why_not_undoable(record),
                           undo_form=EmptyForm(), undo_days=UNDO_DAYS)


@bp.route("/roster/imports/<int:import_id>/undo", methods=["POST"])
@requires(Permission.IMPORT_ROSTER)
def undo(import_id: int) -> Response:
    """Undo the school's last import within 7 days: leavers come back, new people without records go,
    updates revert. The school's coordinator."""
    _importer_school()
    record = get_school_record_or_404(current_user, RosterImport, import_id)
    if EmptyForm().validate_on_submit():
        try:
            done = undo_import(record, actor=current_user)
        except UndoRefusedError as refused:
            explain_refusal(refused)
        else:
            flash(_("The import is undone: %(back)s back from left, %(removed)s new people removed, %(reverted)s "
                    "updates reverted, %(kept)s new people kept because they already have records.",
                    back=done.back_from_left, removed=done.removed, reverted=done.reverted,
                    kept=done.kept_with_records), "success")
    return redirect(url_for("roster.result", import_id=record.id))


@bp.route("/roster/adult-cards")
@requires(Permission.IMPORT_ROSTER)
def adult_cards() -> str:
    """Printable login cards for the school's adults who have not yet chosen their own password.

    The school's coordinator only: the first passwords are shown here and on the class cards, nowhere else.
    """
    school = _importer_school()
    adults = adults_with_cards(school.id)
    page = render_template("roster/adult_cards.html", school=school, adults=adults)
    record_event(AuditAction.LOGIN_CARDS_VIEWED, actor=current_user, school_id=school.id,
                 details={"kind": "adults", "people": len(adults)})
    return page
