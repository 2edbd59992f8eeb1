"""Trusts and schools (administrators), and a school's settings (its coordinator, or an administrator).

Every change is checked by :mod:`eduplatform.schools.services`; a refused change shows the reason
and changes nothing, and every change is written to the audit log.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from eduplatform.access import Permission, can, managed_school_or_404, requires
from eduplatform.accounts.sso import PROVIDER_NAMES, configured_providers
from eduplatform.admin.forms import HelpContactForm, NewSchoolForm, SchoolSettingsForm, TrustForm
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.db import db
from eduplatform.errors import explain_refusal
from eduplatform.forms import EmptyForm
from eduplatform.i18n import _, offered_languages
from eduplatform.schools import services
from eduplatform.schools.help import safeguarding_leads
from eduplatform.schools.models import School, SchoolHelpContact, Trust

bp = Blueprint("admin", __name__)


def _trust_choices() -> list[tuple[str, str]]:
    trusts = db.session.execute(select(Trust.id, Trust.name).order_by(Trust.name)).all()
    return [SelectChoice("", _("No trust"))] + [SelectChoice(str(trust_id), name) for trust_id, name in trusts]


def _trust(value: str | None) -> Trust | None:
    return db.session.get(Trust, int(value)) if value else None


def _saved(action: AuditAction, school_id: int | None, message: str, **details: Any) -> None:
    record_event(action, actor=current_user, school_id=school_id, details=details)
    db.session.commit()
    flash(message, "success")


@bp.route("/admin")
@requires(Permission.MANAGE_SCHOOLS)
def overview() -> str:
    """Every trust with its schools, and schools in no trust. Administrators only."""
    trusts = list(db.session.scalars(select(Trust).order_by(Trust.name)))
    schools = list(db.session.scalars(select(School).order_by(School.name)))
    return render_template("admin/overview.html", trusts=trusts, schools=schools, trust_form=TrustForm(prefix="new"),
                           rename_form=TrustForm())


@bp.route("/admin/trusts", methods=["POST"])
@requires(Permission.MANAGE_SCHOOLS)
def create_trust() -> Response:
    """Add a trust. Administrators only."""
    form = TrustForm(prefix="new")
    if form.validate_on_submit():
        try:
            trust = services.create_trust(name=form.name.data)
        except services.SchoolSetupError as refused:
            explain_refusal(refused)
        else:
            _saved(AuditAction.TRUST_CHANGED, None, _("Trust %(name)s added.", name=trust.name), trust=trust.slug,
                   created=True)
    else:
        flash(_("Enter the trust's name."), "error")
    return redirect(url_for("admin.overview"))


@bp.route("/admin/trusts/<int:trust_id>", methods=["POST"])
@requires(Permission.MANAGE_SCHOOLS)
def rename_trust(trust_id: int) -> Response:
    """Rename a trust. Administrators only."""
    trust = db.session.get(Trust, trust_id) or abort(404)
    form = TrustForm()
    if form.validate_on_submit():
        try:
            services.rename_trust(trust, form.name.data)
        except services.SchoolSetupError as refused:
            explain_refusal(refused)
        else:
            _saved(AuditAction.TRUST_CHANGED, None, _("Trust renamed to %(name)s.", name=trust.name),
                   trust=trust.slug)
    else:
        flash(_("Enter the trust's name."), "error")
    return redirect(url_for("admin.overview"))


@bp.route("/admin/schools/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_SCHOOLS)
def create_school() -> str | Response:
    """Add a school; then add its coordinator from its people page. Administrators only."""
    form = NewSchoolForm()
    form.trust_id.choices = _trust_choices()
    form.default_locale.choices = offered_languages()
    if form.validate_on_submit():
        try:
            school = services.create_school(name=form.name.data, slug=form.slug.data, trust=_trust(form.trust_id.data),
                                            default_locale=form.default_locale.data, time_zone=form.time_zone.data)
        except services.SchoolSetupError as refused:
            explain_refusal(refused, form)
        else:
            _saved(AuditAction.SCHOOL_CREATED, school.id,
                   _("%(name)s has been created. Now add its online-safety coordinator.", name=school.name),
                   slug=school.slug)
            return redirect(url_for("manage_people.add_person", school_id=school.id))
    return render_template("admin/new_school.html", form=form)


@bp.route("/schools/<int:school_id>/settings", methods=["GET", "POST"])
@requires(Permission.MANAGE_SCHOOL_SETTINGS)
def school_settings(school_id: int) -> str | Response:
    """A school's language, time zone, DSL contact, help contacts and single sign-on.

    The school's coordinator, or an administrator (who may also rename it and change its trust).
    """
    school = managed_school_or_404(current_user, school_id)
    is_admin = can(current_user, Permission.MANAGE_SCHOOLS)  # may also rename it and change its trust
    form = SchoolSettingsForm(obj=None if _submitted() else school)
    form.default_locale.choices = offered_languages()
    if is_admin:
        form.trust_id.choices = _trust_choices()
        if not _submitted():
            form.trust_id.data = str(school.trust_id or "")
    else:  # a coordinator changes everything but the school's name and trust
        del form.name
        del form.trust_id
    if form.validate_on_submit():
        try:
            services.update_school(school, name=form.name.data if is_admin else None,
                                   trust=_trust(form.trust_id.data) if is_admin else False,
                                   default_locale=form.default_locale.data, time_zone=form.time_zone.data,
                                   dsl_contact=form.dsl_contact.data)
            services.set_single_sign_on(school, provider=form.sso_provider.data or None,
                                        domain=form.sso_domain.data, tenant=form.sso_tenant.data)
        except services.SchoolSetupError as refused:
            explain_refusal(refused, form)
        else:
            _saved(AuditAction.SCHOOL_CHANGED, school.id, _("The settings of %(name)s are saved.", name=school.name),
                   sso=school.sso_provider, sso_domain=school.sso_domain)
            return redirect(url_for("admin.school_settings", school_id=school.id))
    return render_template("admin/school_settings.html", school=school, form=form, is_admin=is_admin,
                           contact_form=HelpContactForm(prefix="contact"), remove_form=EmptyForm(),
                           leads=safeguarding_leads(school.id), configured=configured_providers(),
                           provider_names=PROVIDER_NAMES)


def _submitted() -> bool:
    return request.method == "POST"


@bp.route("/schools/<int:school_id>/help-contacts", methods=["POST"])
@requires(Permission.MANAGE_SCHOOL_SETTINGS)
def add_help_contact(school_id: int) -> Response:
    """Add one of the school's own "Where to get help" contacts. Its coordinator, or an administrator."""
    school = managed_school_or_404(current_user, school_id)
    form = HelpContactForm(prefix="contact")
    if form.validate_on_submit():
        try:
            contact = services.add_help_contact(school, name=form.name.data, detail=form.detail.data,
                                                for_pupils=form.for_pupils.data, for_adults=form.for_adults.data)
        except services.SchoolSetupError as refused:
            explain_refusal(refused)
        else:
            _saved(AuditAction.SCHOOL_CHANGED, school.id, _("Contact %(name)s added.", name=contact.name),
                   help_contact_added=contact.name)
    else:
        flash(" ".join(error for errors in form.errors.values() for error in errors), "error")
    return redirect(url_for("admin.school_settings", school_id=school.id) + "#help-contacts")


@bp.route("/schools/<int:school_id>/help-contacts/<int:contact_id>/delete", methods=["POST"])
@requires(Permission.MANAGE_SCHOOL_SETTINGS)
def remove_help_contact(school_id: int, contact_id: int) -> Response:
    """Remove one of the school's own help contacts. Its coordinator, or an administrator."""
    school = managed_school_or_404(current_user, school_id)
    contact = db.session.scalar(select(SchoolHelpContact).where(SchoolHelpContact.id == contact_id,
                                                                SchoolHelpContact.school_id == school.id))
    if contact is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        name = contact.name
        services.remove_help_contact(contact)
        _saved(AuditAction.SCHOOL_CHANGED, school.id, _("Contact %(name)s removed.", name=name),
               help_contact_removed=name)
    return redirect(url_for("admin.school_settings", school_id=school.id) + "#help-contacts")
