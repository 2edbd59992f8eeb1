"""Certificates: one certificate's page and PDF, the public verification page, the list of issued
certificates with bulk downloads (one PDF, or a ZIP of PDFs), and pupils' key-stage certificates.

* A certificate: its holder, and whoever sees their training (:func:`access.may_see_certificate`);
  anyone else is "not found", so certificate ids confirm nothing.
* Verification: anyone, signed in or not; limited per address (``eduplatform/rate_limits.py``).
* The list and bulk downloads: those who see a training record (coordinators, trust leads,
  administrators, the DSL and deputies) for its schools. Downloads are logged.
* Pupils' certificates: the class's teachers and its school's coordinator.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user

from eduplatform.academic_year import AcademicYear
from eduplatform.access import (
    Permission,
    get_visible_class_or_404,
    may_see_certificate,
    may_view_training_record,
    public,
    requires,
    training_record_schools,
)
from eduplatform.accounts.models import User
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.catalogue import current_catalogue
from eduplatform.compliance.certificate_forms import CertificateFilterForm, VerifyForm, VerifyLinkForm
from eduplatform.compliance.certificate_queries import (
    BULK_LIMIT,
    ORDER,
    PAGE_SIZE,
    CertificateFilters,
    certificate_module_ids,
    count_certificates,
)
from eduplatform.compliance.certificates import (
    CertificateView,
    certificate_by_code,
    certificate_by_id,
    certificates_pdf,
    certificates_zip,
    file_name,
    file_slug,
    load_certificates,
    method_label,
    module_title,
    state_label,
    verification_url,
)
from eduplatform.compliance.pupil_certificates import finished_pupils, pupil_certificates_pdf
from eduplatform.db import db
from eduplatform.i18n import _
from eduplatform.pdf import PdfUnavailableError, pdf_unavailable_reason
from eduplatform.records.certificates import earns_certificate, normalise_code
from eduplatform.schools.models import School
from eduplatform.schools.queries import pupils_of

bp = Blueprint("certificates", __name__)
BULK_FORMATS = {"pdf": "application/pdf", "zip": "application/zip"}


def _certificate_or_404(certificate_id: int) -> CertificateView:
    """A certificate the signed-in person may see; any other (or none) is "not found"."""
    certificate = certificate_by_id(certificate_id)
    holder = db.session.get(User, certificate.user_id) if certificate is not None else None
    if certificate is None or holder is None or not may_see_certificate(current_user, holder,
                                                                        certificate.school_id):
        abort(404)
    return certificate


def _pdf_unavailable(back: str) -> tuple[str, int]:
    """The page shown instead of a PDF when this server cannot make PDFs."""
    return render_template("compliance/pdf_unavailable.html", back=back,
                           reason=pdf_unavailable_reason()), 503


def _attachment(body: bytes, mimetype: str, name: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/certificates/<int:certificate_id>")
@requires(Permission.USE_SITE)
def show(certificate_id: int) -> str:
    """A certificate on screen, with its download button. Its holder and whoever sees their training."""
    certificate = _certificate_or_404(certificate_id)
    state = certificate.state()
    return render_template("compliance/show_certificate.html", certificate=certificate,
                           title=module_title(current_catalogue(), certificate.module_id, str(get_locale())),
                           method=method_label(certificate.method), state=state, state_label=state_label(state),
                           verify_url=verification_url(certificate), pdf_problem=pdf_unavailable_reason())


@bp.route("/certificates/<int:certificate_id>.pdf")
@requires(Permission.USE_SITE)
def download(certificate_id: int) -> Response | tuple[str, int]:
    """A certificate as a PDF, in the language it was completed in; the same bytes every time.

    Its holder and whoever sees their training.
    """
    certificate = _certificate_or_404(certificate_id)
    try:
        body = certificates_pdf([certificate], current_catalogue())
    except PdfUnavailableError:
        return _pdf_unavailable(url_for(".show", certificate_id=certificate.id))
    return _attachment(body, "application/pdf", file_name(certificate))


# --- Public verification ------------------------------------------------------------------------


@bp.route("/verify", methods=["GET", "POST"])
@public
def verify_form() -> str | Response | tuple[str, int]:
    """Type a certificate's code (or arrive with ``?code=``) and go to its verification page. Anyone."""
    form = VerifyForm()
    submitted = form.validate_on_submit()
    if request.method == "GET" and "code" in request.args:
        link = VerifyLinkForm(formdata=request.args)
        submitted = link.validate()
        form.code.data, form.code.errors = link.code.data, list(link.code.errors)
    if submitted:
        typed = form.code.data or ""
        code = normalise_code(typed) or "".join(ch for ch in typed if ch.isascii() and ch.isalnum())[:40] or "-"
        return redirect(url_for(".verify", code=code))
    return render_template("compliance/verify_form.html", form=form), 400 if form.errors else 200


@bp.route("/verify/<code>")
@public
def verify(code: str) -> tuple[str, int, dict[str, str]]:
    """Whether a certificate is genuine, and current, expired or replaced; with only its holder's name,
    the module, the school and the dates. Anyone; limited per address. Every code that is not a
    certificate's, well-formed or not, gets the same answer."""
    certificate = certificate_by_code(normalise_code(code) or "")  # one lookup either way: no timing tell
    headers = {"X-Robots-Tag": "noindex"}
    if certificate is None:
        return render_template("compliance/verify_not_found.html"), 404, headers
    state = certificate.state()
    return render_template(
        "compliance/verify_result.html", certificate=certificate, state=state, state_label=state_label(state),
        title=module_title(current_catalogue(), certificate.module_id, str(get_locale()))), 200, headers


@bp.errorhandler(429)
def too_many_checks(_error: Exception) -> tuple[str, int]:
    """The verification page's limit is reached: a page that says so, with nothing that needs signing in."""
    return render_template("compliance/verify_busy.html"), 429


# --- Lists and bulk downloads --------------------------------------------------------------------


def _schools_or_403() -> list[School]:
    schools = training_record_schools(current_user) if may_view_training_record(current_user) else []
    if not schools:
        abort(403)
    return schools


def _filter_form(schools: list[School]) -> tuple[CertificateFilterForm, CertificateFilters | None]:
    """The filters in the address, checked; a school the person does not oversee is "not found"."""
    form = CertificateFilterForm(formdata=request.args)
    catalogue = current_catalogue()
    locale = str(get_locale())
    form.school.choices = [("", _("Every school"))] + [(str(school.id), school.name) for school in schools]
    module_ids = set(certificate_module_ids(schools)) | {
        module.id for module in catalogue.modules.values() if earns_certificate(module, catalogue)}
    form.module.choices = [("", _("Every module"))] + sorted(
        ((module_id, module_title(catalogue, module_id, locale)) for module_id in module_ids),
        key=lambda choice: choice[1].casefold())
    chosen = schools
    raw_school = (request.args.get("school") or "").strip()
    if raw_school:
        chosen = [school for school in schools if str(school.id) == raw_school]
        if not chosen:
            abort(404)
    if not form.validate():
        return form, None
    return form, CertificateFilters(schools=tuple(chosen), module_id=form.module.data or None,
                                    completed_from=form.completed_from.data, completed_to=form.completed_to.data,
                                    current_only=bool(form.current.data))


def _filter_arguments() -> dict[str, Any]:
    """The filters of this address, to carry into the download buttons and page links."""
    return {key: request.args[key] for key in ("school", "module", "from", "to", "current") if request.args.get(key)}


@bp.route("/certificates")
@requires(Permission.USE_SITE)
def list_certificates() -> tuple[str, int]:
    """Issued certificates, filtered by school, module, completion dates and "current only", 100 a page,
    with buttons to download them all as one PDF or a ZIP.

    Coordinators, trust leads, administrators, and the DSL and deputies: their training record's schools.
    """
    schools = _schools_or_403()
    form, filters = _filter_form(schools)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    total, certificates = 0, []
    if filters is not None:
        total = count_certificates(filters)
        certificates = load_certificates(*filters.conditions(), order_by=ORDER, limit=PAGE_SIZE,
                                         offset=(page - 1) * PAGE_SIZE)
    catalogue, locale = current_catalogue(), str(get_locale())
    titles = {certificate.module_id: module_title(catalogue, certificate.module_id, locale)
              for certificate in certificates}
    return render_template(
        "compliance/list_certificates.html", form=form, certificates=certificates, titles=titles, total=total,
        page=page, pages=max(1, -(-total // PAGE_SIZE)), arguments=_filter_arguments(), bulk_limit=BULK_LIMIT,
        many_schools=len(schools) > 1, pdf_problem=pdf_unavailable_reason()), 400 if form.errors else 200


@bp.route("/certificates/bulk.<fmt>")
@requires(Permission.USE_SITE)
def bulk_download(fmt: str) -> Response | tuple[str, int]:
    """The listed certificates (same filters) as one PDF, a certificate a page, or a ZIP of one PDF each.

    At most 250 at once (about 15 s of rendering: well inside a proxy's timeout). The same people as
    the list. Logged for each school in the download.
    """
    if fmt not in BULK_FORMATS:
        abort(404)
    schools = _schools_or_403()
    form, filters = _filter_form(schools)
    back = url_for(".list_certificates", **_filter_arguments())
    if filters is None:
        abort(400, description=" ".join(str(error) for errors in form.errors.values() for error in errors))
    total = count_certificates(filters)
    if total == 0:
        flash(_("No certificates match these filters: there is nothing to download."), "error")
        return redirect(back)
    if total > BULK_LIMIT:
        flash(_("%(count)s certificates match these filters, and one download holds at most %(limit)s. Choose "
                "one school or one module, or a shorter period, then download again.", count=total,
                limit=BULK_LIMIT), "error")
        return redirect(back)
    certificates = load_certificates(*filters.conditions(), order_by=ORDER)
    catalogue = current_catalogue()
    try:
        body = certificates_pdf(certificates, catalogue) if fmt == "pdf" else certificates_zip(certificates, catalogue)
    except PdfUnavailableError:
        return _pdf_unavailable(back)
    for school_id, count in sorted(Counter(certificate.school_id for certificate in certificates).items()):
        record_event(AuditAction.EXPORT_DOWNLOADED, actor=current_user, school_id=school_id,
                     details={"kind": "certificates", "filters": filters.described(), "count": count,
                              "format": fmt})
    return _attachment(body, BULK_FORMATS[fmt], f"certificates.{fmt}")


# --- Pupils' key-stage certificates ---------------------------------------------------------------


@bp.route("/classes/<int:class_id>/certificates.pdf")
@requires(Permission.TEACH_CLASSES)
def pupil_certificates(class_id: int) -> Response | tuple[str, int]:
    """One page per pupil of the class who finished their key stage's modules in the class's year: first
    name only, never stored. A page saying so when nobody has finished yet.

    The class's teachers and its school's coordinator.
    """
    school_class = get_visible_class_or_404(current_user, class_id, any_year=True)
    year = AcademicYear(school_class.academic_year)
    school = db.session.get(School, school_class.school_id)
    finished = finished_pupils(current_user, pupils_of(school_class), current_catalogue(), year, str(get_locale()))
    back = url_for("classroom.show_class", class_id=school_class.id)
    if not finished:
        return render_template("compliance/pupil_certificates_none.html", school_class=school_class, year=year,
                               back=back), 200
    try:
        body = pupil_certificates_pdf(finished, school, year)
    except PdfUnavailableError:
        return _pdf_unavailable(back)
    name = f"certificates-{file_slug(school_class.name) or 'class'}-{year.start_year}.pdf"
    return _attachment(body, "application/pdf", name)
