"""Training compliance pages: the training record, "My training" (and the same page about someone
else), training done elsewhere, and the school's own training periods.

Who may do what is decided in :mod:`eduplatform.access`: the training record for coordinators, trust
leads, administrators and staff holding the DSL or deputy DSL duty; a person's training for themself
and for those who see their school's record; training done elsewhere and the periods for the school's
coordinator or an administrator.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from eduplatform.access import (
    Permission,
    chosen_managed_school,
    managed_schools,
    may_manage_training_of,
    may_see_training_of,
    may_view_training_record,
    requires,
    training_record_schools,
)
from eduplatform.accounts.models import User
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.catalogue import current_catalogue
from eduplatform.compliance import services
from eduplatform.compliance.forms import ExternalTrainingForm, field_name, period_inputs, periods_form
from eduplatform.compliance.person import item_title, rule_titles, training_page
from eduplatform.compliance.queries import LISTED_ROLES
from eduplatform.compliance.record import COUNTED, build_record, filters_from_request, school_today
from eduplatform.db import db
from eduplatform.errors import explain_refusal
from eduplatform.forms import EmptyForm
from eduplatform.i18n import _
from eduplatform.records import external
from eduplatform.records.models import ExternalTraining
from eduplatform.roles import Role
from eduplatform.schools.models import School

bp = Blueprint("compliance", __name__)
#: People per page of the training record (the CSV has everyone).
PAGE_SIZE = 100


@bp.app_context_processor
def inject_training_links() -> dict[str, Any]:
    """``may_view_training_record()`` for the menu: asked only when a page shows the menu."""
    return {"may_view_training_record": lambda: may_view_training_record(current_user)}


@bp.route("/training")
@requires(Permission.USE_SITE)
def training_record() -> str:
    """Every adult's training against every rule, with filters and counts; a trust's schools side by side.

    Coordinators (their school), trust leads (their trust's schools), administrators (every school),
    and staff holding the DSL or deputy DSL duty (their school). Anyone else: 403.
    """
    if not may_view_training_record(current_user):
        abort(403)
    catalogue = current_catalogue()
    schools = training_record_schools(current_user)
    filters = filters_from_request(schools, catalogue)
    record = build_record(catalogue, schools, filters)
    pages = max(1, -(-len(record.people) // PAGE_SIZE))
    page = min(max(1, request.args.get("page", 1, type=int) or 1), pages)
    return render_template(
        "compliance/training_record.html", record=record, filters=filters, schools=schools,
        titles=rule_titles(catalogue, str(get_locale())), counted=COUNTED, roles=LISTED_ROLES,
        page=page, pages=pages, people=record.people[(page - 1) * PAGE_SIZE:page * PAGE_SIZE])


@bp.route("/my-training")
@requires(Permission.USE_SITE)
def my_training() -> str:
    """The signed-in adult's own training: what is due and when, what is in date, history, certificates.

    Every signed-in adult (staff, governors, visitors, parents, coordinators, trust leads, administrators);
    pupils have no training to keep: 404.
    """
    if Role.PUPIL in current_user.roles:
        abort(404)
    return _training_page(current_user._get_current_object())


@bp.route("/training/people/<int:user_id>")
@requires(Permission.USE_SITE)
def person_training(user_id: int) -> str:
    """One adult's training page, for themself and those who see their school's training record
    (:func:`eduplatform.access.may_see_training_of`); anyone else, and pupils, "not found". Logged."""
    person = _person_or_404(user_id)
    page = _training_page(person)
    if person.id != current_user.id:  # the page was built: account for who saw whose record
        record_event(AuditAction.PERSON_RECORD_VIEWED, actor=current_user, school_id=person.school_id,
                     subject_user_id=person.id, details={"page": "training"})
    return page


@bp.route("/training/people/<int:user_id>/external", methods=["POST"])
@requires(Permission.MANAGE_TRAINING)
def record_external(user_id: int) -> str | Response:
    """Record training the person did elsewhere (a local authority course), so it counts towards the rules.

    The person's school's coordinator, or an administrator; anyone else's person is "not found".
    """
    person = _managed_person_or_404(user_id)
    form = _external_form(person)
    if form.validate_on_submit():
        try:
            external.record_external_training(
                person, module_id=form.module_id.data, completed_on=form.completed_on.data,
                provider=form.provider.data, note=form.note.data, today=form.today,
                catalogue=current_catalogue(), actor=current_user)
        except external.ExternalTrainingError as refused:
            explain_refusal(refused, form)
        else:
            db.session.commit()
            flash(_("Recorded %(title)s done elsewhere for %(name)s.", name=person.full_name,
                    title=item_title(current_catalogue(), form.module_id.data, str(get_locale()))), "success")
            return redirect(url_for(".person_training", user_id=person.id) + "#history")
    return _training_page(person, external_form=form)


@bp.route("/training/people/<int:user_id>/external/<int:entry_id>/delete", methods=["POST"])
@requires(Permission.MANAGE_TRAINING)
def remove_external(user_id: int, entry_id: int) -> Response:
    """Remove training done elsewhere that was entered by mistake. The person's school's coordinator,
    or an administrator; another school's entry is "not found"."""
    person = _managed_person_or_404(user_id)
    entry = db.session.scalar(select(ExternalTraining).where(
        ExternalTraining.id == entry_id, ExternalTraining.user_id == person.id,
        ExternalTraining.school_id == person.school_id))
    if entry is None:
        abort(404)
    if EmptyForm().validate_on_submit():
        external.remove_external_training(entry, actor=current_user)
        db.session.commit()
        flash(_("Removed the training done elsewhere from %(name)s's record.", name=person.full_name), "success")
    return redirect(url_for(".person_training", user_id=person.id) + "#history")


@bp.route("/training/settings", methods=["GET", "POST"])
@requires(Permission.MANAGE_TRAINING)
def training_settings() -> str | Response:
    """The school's own training periods over the defaults of ``curriculum/training.yaml``.

    A coordinator for their own school; an administrator for the school chosen with ``?school=<id>``
    (without one, a list of schools to choose from).
    """
    school = chosen_managed_school(current_user)
    if school is None:
        schools = db.session.scalars(select(School).where(managed_schools(current_user)).order_by(School.name))
        return render_template("compliance/training_settings.html", school=None, schools=list(schools))
    catalogue = current_catalogue()
    titles = rule_titles(catalogue, str(get_locale()))
    form = periods_form(catalogue.training_rules, titles, school.training_periods)
    if form.validate_on_submit():
        if services.save_training_periods(school, form.periods(), catalogue.training_rules, actor=current_user):
            db.session.commit()
            flash(_("The training periods of %(name)s are saved.", name=school.name), "success")
        else:
            flash(_("Nothing changed."), "info")
        return redirect(url_for(".training_settings", school=school.id))
    return render_template("compliance/training_settings.html", school=school, form=form,
                           rules=catalogue.training_rules, titles=titles, period_inputs=period_inputs,
                           field_name=field_name)


def _person_or_404(user_id: int) -> User:
    """An adult whose training the signed-in person may see; anyone else (or a pupil) is "not found"."""
    person = db.session.get(User, user_id)
    if person is None or Role.PUPIL in person.roles or not may_see_training_of(current_user, person):
        abort(404)
    return person


def _managed_person_or_404(user_id: int) -> User:
    person = _person_or_404(user_id)
    if not may_manage_training_of(current_user, person):
        abort(404)
    return person


def _external_form(person: User) -> ExternalTrainingForm:
    catalogue = current_catalogue()
    locale = str(get_locale())
    form = ExternalTrainingForm()
    form.module_id.choices = [SelectChoice(module_id, item_title(catalogue, module_id, locale))
                              for module_id in external.rule_modules(catalogue)]
    form.today = school_today(person.school)
    return form


def _training_page(person: User, external_form: ExternalTrainingForm | None = None) -> str:
    """The training page of ``person`` (an adult), with the form for training done elsewhere when the
    signed-in person may record it."""
    catalogue = current_catalogue()
    may_manage = may_manage_training_of(current_user, person)
    if may_manage and external_form is None:
        external_form = _external_form(person)
    return render_template(
        "compliance/my_training.html", page=training_page(person, catalogue, str(get_locale())),
        own=person.id == current_user.id, may_manage=may_manage, external_form=external_form,
        remove_form=EmptyForm(), may_view_record=may_view_training_record(current_user))
