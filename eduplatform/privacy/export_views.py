"""A person's data export (subject access request): from the person's record, and one's own copy.

The coordinator of the person's school and administrators download anyone's from the person's
page (:func:`eduplatform.access.managed_person_or_404`: anyone else, "not found" or "forbidden");
every signed-in person downloads their own from "Your data". Every download is in the audit log.
"""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from eduplatform.access import Permission, managed_person_or_404, requires
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.pdf import PdfUnavailableError, pdf_unavailable_reason
from eduplatform.privacy.export import file_name, personal_data_of, to_json
from eduplatform.privacy.export_render import export_pdf

bp = Blueprint("privacy_export", __name__)
FORMATS = {"json": "application/json", "pdf": "application/pdf"}


def _download(user_id: int, school_id: int | None, fmt: str, back: str) -> Response | tuple[str, int]:
    """Build the export, log it (its own short transaction: this is a GET), and send it as a file."""
    data = personal_data_of(user_id)
    if fmt == "pdf":
        try:
            body: bytes | str = export_pdf(data)
        except PdfUnavailableError:
            return render_template("privacy/export_pdf_unavailable.html", back=back,
                                   reason=pdf_unavailable_reason()), 503
    else:
        body = to_json(data)
    record_event(AuditAction.PERSONAL_DATA_EXPORTED, actor=current_user, school_id=school_id,
                 subject_user_id=user_id, details={"format": fmt, "rows": data.row_count})
    return Response(body, mimetype=FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{file_name(data, fmt)}"'})


@bp.route("/people/<int:user_id>/data.json", defaults={"fmt": "json"})
@bp.route("/people/<int:user_id>/data.pdf", defaults={"fmt": "pdf"})
@requires(Permission.MANAGE_PEOPLE)
def person_data(user_id: int, fmt: str) -> Response | tuple[str, int]:
    """Everything held about one person, as JSON or PDF. Their school's coordinator; administrators."""
    person = managed_person_or_404(current_user, user_id)
    return _download(person.id, person.school_id, fmt, url_for("people.show_person", user_id=person.id))


@bp.route("/account/data")
@requires(Permission.USE_SITE)
def my_data() -> str:
    """Explain what one's data export is and offer it as JSON and PDF. Anyone signed in, for themselves."""
    return render_template("privacy/export_account.html", pdf_problem=pdf_unavailable_reason())


@bp.route("/account/data.json", defaults={"fmt": "json"})
@bp.route("/account/data.pdf", defaults={"fmt": "pdf"})
@requires(Permission.USE_SITE)
def my_data_download(fmt: str) -> Response | tuple[str, int]:
    """One's own data, as JSON or PDF. Anyone signed in, for themselves only."""
    return _download(current_user.id, current_user.school_id, fmt, url_for("privacy_export.my_data"))
