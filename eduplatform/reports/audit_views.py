"""The yearly e-safety programme audit: read it, rate the self-review, plan actions, sign off, download.

* The school's coordinator edits and signs off their school's audit.
* Trust leads see their trust rolled up (one row per school and the total) and each school's audit.
* Administrators read any school's audit; governors read their school's signed audits.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select

from eduplatform.academic_year import AcademicYear
from eduplatform.access import (
    Permission,
    get_school_record_or_404,
    may_edit_audit_of,
    may_read_unsigned_audit,
    overseen_school_or_404,
    overseen_schools,
    requires,
)
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.catalogue import current_catalogue
from eduplatform.catalogue.self_review import LEVELS
from eduplatform.db import db
from eduplatform.i18n import _
from eduplatform.pdf import PdfUnavailableError, pdf_unavailable_reason
from eduplatform.records.programme import STARTED_BY_COORDINATOR, ensure_programme_snapshot
from eduplatform.reports import services
from eduplatform.reports.audit import Audit
from eduplatform.reports.audit_build import build_audit
from eduplatform.reports.audit_labels import MEASURE_LABELS, SECTION_TITLES
from eduplatform.reports.audit_render import audit_file, charts_for
from eduplatform.reports.forms import ActionForm, AspectForm, SignOffForm, YearForm
from eduplatform.reports.models import ActionPlanItem, AuditReview
from eduplatform.reports.scope import build_scope, trust_schools
from eduplatform.roles import Role
from eduplatform.schools.models import School, Trust
from eduplatform.schools.years import requested_year

bp = Blueprint("audits", __name__)
FORMATS = {"pdf": "application/pdf", "json": "application/json", "csv": "text/csv", "html": "text/html"}


def _school_or_trust() -> tuple[School | None, Trust | None]:
    """The school asked for (``?school=<id>``), the actor's only school, or a trust lead's whole trust."""
    schools = overseen_schools(current_user)
    if not schools:
        abort(403)
    chosen = request.args.get("school", type=int)
    if chosen is not None:
        return overseen_school_or_404(current_user, chosen), None
    if len(schools) == 1:
        return schools[0], None
    if Role.TRUST_LEAD in current_user.roles and current_user.trust_id is not None:
        return None, db.session.get(Trust, current_user.trust_id)
    return schools[0], None  # administrators: the first school, with the others to choose from


def _review(school: School, year: AcademicYear) -> AuditReview | None:
    return services.find_review(school.id, year)


def _audit_of(school: School | None, trust: Trust | None, year: AcademicYear) -> Audit:
    """Build (or read back, when signed) the audit. Governors only ever read a signed one."""
    catalogue = current_catalogue()
    locale = str(get_locale())
    if trust is not None:
        return build_audit(build_scope(trust_schools(trust), year, catalogue, actor=current_user, trust=trust),
                           catalogue, locale)
    assert school is not None
    review = _review(school, year)
    if not may_read_unsigned_audit(current_user) and (review is None or review.frozen is None):
        abort(404)
    return build_audit(build_scope([school], year, catalogue, actor=current_user), catalogue, locale, review)


def _signed_years(school: School) -> list[AcademicYear]:
    years = db.session.scalars(select(AuditReview.academic_year).where(
        AuditReview.school_id == school.id, AuditReview.signed_at.is_not(None)).order_by(AuditReview.academic_year))
    return [AcademicYear(year) for year in years]


@bp.route("/audit")
@requires(Permission.READ_AUDIT)
def show_audit() -> str | tuple[str, int]:
    """The audit of a year (default: this one). Coordinators edit theirs; trust leads see the trust roll-up.

    Governors see their school's signed audits only; anyone else with the permission reads drafts too.
    """
    school, trust = _school_or_trust()
    year = requested_year(current_user)
    if school is not None and not may_read_unsigned_audit(current_user):
        review = _review(school, year)
        if review is None or review.frozen is None:
            return render_template("reports/audit_not_signed.html", school=school, year=year,
                                   signed_years=_signed_years(school)), 200
    audit = _audit_of(school, trust, year)
    editable = school is not None and not audit.signed and may_edit_audit_of(current_user, school)
    return render_template(
        "reports/audit.html", audit=audit, school=school, trust=trust, year=year, editable=editable,
        charts=charts_for(audit), measure_labels=MEASURE_LABELS, section_titles=SECTION_TITLES, levels=LEVELS,
        action_form=ActionForm(year=year.start_year),
        school_links={s.slug: url_for(".show_audit", year=year.start_year, school=s.id)
                      for s in overseen_schools(current_user)} if trust else {},
        sign_off_form=SignOffForm(year=year.start_year, coordinator_name=current_user.full_name),
        year_form=YearForm(year=year.start_year), pdf_problem=pdf_unavailable_reason(),
        schools=overseen_schools(current_user), signed_years=_signed_years(school) if school else [],
        programme_stored=audit.programme_stored)


def _own_school_and_year() -> tuple[School, AcademicYear]:
    """For the audit's forms: the coordinator's own school and the year the form names."""
    school = current_user.school
    if school is None or not may_edit_audit_of(current_user, school):
        abort(403)
    year = AcademicYear.parse(request.form.get("year"))
    if year is None:
        abort(400, description=_("The form did not say which academic year it was for. Reload the page."))
    return school, year


def _refused(form: Any) -> None:
    """Say why a form saved nothing, in one message (every field's problems)."""
    flash(_("Nothing was saved: %(problem)s", problem=" ".join(
        str(error) for errors in form.errors.values() for error in errors)), "error")


def _back(year: AcademicYear, anchor: str | None = None) -> Response:
    return redirect(url_for(".show_audit", year=year.start_year, _anchor=anchor))


@bp.route("/audit/aspects/<aspect_id>", methods=["POST"])
@requires(Permission.EDIT_AUDIT)
def rate_aspect(aspect_id: str) -> Response:
    """Save one aspect's level, commentary and evidence. The school's coordinator, until sign-off."""
    school, year = _own_school_and_year()
    if current_catalogue().self_review.aspect(aspect_id) is None:
        abort(404)
    form = AspectForm()
    if not form.validate_on_submit():
        _refused(form)
        return _back(year, f"aspect-{aspect_id}")
    evidence = None if form.keep_draft.data else form.evidence.data
    try:
        services.rate_aspect(school.id, year, aspect_id, level=int(form.level.data) if form.level.data else None,
                             commentary=form.commentary.data or "", evidence=evidence, editor=current_user)
    except services.AuditSignedError:
        flash(_("This year's audit is signed and frozen: it can no longer be changed."), "error")
        return _back(year)
    flash(_("Saved."), "success")
    return _back(year, f"aspect-{aspect_id}")


@bp.route("/audit/actions", methods=["POST"])
@requires(Permission.EDIT_AUDIT)
def add_action() -> Response:
    """Add an action to the plan. The school's coordinator, until sign-off."""
    school, year = _own_school_and_year()
    form = ActionForm()
    if not form.validate_on_submit():
        _refused(form)
        return _back(year, "action-plan")
    try:
        services.add_action(school.id, year, action=form.action.data, owner=form.owner.data or "",
                            due_on=form.due_on.data)
    except services.AuditSignedError:
        flash(_("This year's audit is signed and frozen: it can no longer be changed."), "error")
    return _back(year, "action-plan")


def _action_or_404(item_id: int) -> tuple[ActionPlanItem, AcademicYear]:
    item = db.session.get(ActionPlanItem, item_id)
    review = db.session.get(AuditReview, item.review_id) if item is not None else None
    if review is None:
        abort(404)
    get_school_record_or_404(current_user, AuditReview, review.id)  # the coordinator's own school only
    return item, AcademicYear(review.academic_year)


@bp.route("/audit/actions/<int:item_id>", methods=["POST"])
@requires(Permission.EDIT_AUDIT)
def update_action(item_id: int) -> Response:
    """Change an action of the plan, or mark it done. The school's coordinator, until sign-off."""
    item, year = _action_or_404(item_id)
    form = ActionForm()
    if not form.validate_on_submit():
        _refused(form)
        return _back(year, "action-plan")
    try:
        services.update_action(item, action=form.action.data, owner=form.owner.data or "", due_on=form.due_on.data,
                               done=bool(form.done.data))
    except services.AuditSignedError:
        flash(_("This year's audit is signed and frozen: it can no longer be changed."), "error")
    return _back(year, "action-plan")


@bp.route("/audit/actions/<int:item_id>/delete", methods=["POST"])
@requires(Permission.EDIT_AUDIT)
def delete_action(item_id: int) -> Response:
    """Remove an action from the plan. The school's coordinator, until sign-off."""
    item, year = _action_or_404(item_id)
    if YearForm().validate_on_submit():
        try:
            services.remove_action(item)
        except services.AuditSignedError:
            flash(_("This year's audit is signed and frozen: it can no longer be changed."), "error")
    return _back(year, "action-plan")


@bp.route("/audit/sign-off", methods=["POST"])
@requires(Permission.EDIT_AUDIT)
def sign_off() -> Response:
    """Sign the year's audit with the chair of governors' approval, and freeze it. The school's coordinator."""
    school, year = _own_school_and_year()
    form = SignOffForm()
    if not form.validate_on_submit():
        flash(_("Not signed: %(problem)s", problem=" ".join(
            str(error) for errors in form.errors.values() for error in errors)), "error")
        return _back(year, "sign-off")
    if " ".join(form.coordinator_name.data.split()).casefold() != " ".join(current_user.full_name.split()).casefold():
        flash(_("Not signed: type your full name exactly as the school has it: %(name)s",
                name=current_user.full_name), "error")
        return _back(year, "sign-off")
    audit = _audit_of(school, None, year)
    try:
        services.sign_off(school.id, year, audit, coordinator=current_user, coordinator_name=form.coordinator_name.data,
                          chair_name=form.chair_name.data, chair_signed_on=form.chair_signed_on.data)
    except services.AuditSignedError:
        flash(_("This year's audit is already signed."), "error")
        return _back(year)
    flash(_("The audit for %(year)s is signed and frozen.", year=year.label), "success")
    return _back(year)


@bp.route("/audit/start-year", methods=["POST"])
@requires(Permission.EDIT_AUDIT)
def start_year() -> Response:
    """Store this year's programme now, so the year's reports use it. The school's coordinator."""
    school, year = _own_school_and_year()
    if YearForm().validate_on_submit():
        ensure_programme_snapshot(school.id, year, current_catalogue(), reason=STARTED_BY_COORDINATOR,
                                  taken_by_id=current_user.id)
        flash(_("The programme of %(year)s is stored: this year's reports will use it.", year=year.label), "success")
    return _back(year)


@bp.route("/audit/download.<fmt>")
@requires(Permission.READ_AUDIT)
def download(fmt: str) -> Response:
    """The audit as a file: PDF (A4, for governors), JSON (every figure), CSV (one row per figure) or HTML.

    The same people who may read it (governors: signed audits only). Logged.
    """
    if fmt not in FORMATS:
        abort(404)
    school, trust = _school_or_trust()
    year = requested_year(current_user)
    audit = _audit_of(school, trust, year)
    name = f"esafety-audit-{audit.subject['slug']}-{audit.year_label.replace('/', '-')}.{fmt}"
    try:
        body = audit_file(audit, fmt)
    except PdfUnavailableError as error:
        abort(503, description=str(error))
    for school_id in ([school.id] if school else [s.id for s in trust_schools(trust)] if trust else []):
        record_event(AuditAction.AUDIT_DOWNLOADED, actor=current_user, school_id=school_id,
                     details={"year": year.start_year, "format": fmt, "signed": audit.signed})
    return Response(body, mimetype=FORMATS[fmt], headers={"Content-Disposition": f'attachment; filename="{name}"'})
