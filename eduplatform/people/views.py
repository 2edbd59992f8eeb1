"""People in the viewer's scope and one person's records."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import func, select

from eduplatform.academic_year import local_date
from eduplatform.access import Permission, can, get_visible_user_or_404, may_manage_person, requires
from eduplatform.accounts.queries import children_of
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.catalogue import current_catalogue
from eduplatform.db import db, utcnow
from eduplatform.forms import EmptyForm
from eduplatform.people.at_home import to_talk_about
from eduplatform.people.queries import PAGE_SIZE, people_in_scope
from eduplatform.records import queries
from eduplatform.roles import Role
from eduplatform.schools.years import requested_year, time_zone_of

bp = Blueprint("people", __name__)


@bp.route("/people")
@requires(Permission.VIEW_PEOPLE)
def list_people() -> str:
    """People the viewer may see: coordinators their school, teachers their classes, parents their children."""
    search = request.args.get("q", "").strip()[:100]
    role = Role(request.args["role"]) if request.args.get("role") in Role._value2member_map_ else None
    page = max(1, request.args.get("page", 1, type=int) or 1)
    query = people_in_scope(current_user, search, role)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    people = db.session.scalars(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return render_template("people/list_people.html", people=people, search=search, role=role, page=page,
                           pages=max(1, -(-total // PAGE_SIZE)), total=total, roles=list(Role),
                           add_to_school=current_user.school if can(current_user, Permission.MANAGE_PEOPLE) else None)


@bp.route("/people/<int:user_id>")
@requires(Permission.VIEW_PEOPLE)
def show_person(user_id: int) -> str:
    """One person's modules, agreements and attempts this year. Only people in the viewer's scope."""
    person = get_visible_user_or_404(current_user, user_id)
    catalogue = current_catalogue()
    year = requested_year(current_user)
    audience_ids = catalogue.audience_ids_of(person)
    modules = catalogue.modules_for(audience_ids)
    agreements = catalogue.agreements_for(audience_ids)
    page = render_template(
        "people/show_person.html", person=person, year=year, modules=modules, agreements=agreements,
        module_statuses=queries.module_statuses(current_user, person.id, modules, year),
        agreement_statuses=queries.agreement_statuses(current_user, person.id, agreements, catalogue, year),
        signatures=queries.signatures_of(person.id),
        may_manage=may_manage_person(current_user, person), manage_form=EmptyForm(),
        consents=queries.current_consents([person.id]),
        consent_texts={consent.id: consent.text for agreement in catalogue.agreements.values()
                       for consent in catalogue.agreement_content(agreement.id, str(get_locale())).consents},
    )
    if person.id != current_user.id:  # the page was built: account for who saw whose record
        record_event(AuditAction.PERSON_RECORD_VIEWED, actor=current_user, school_id=person.school_id,
                     subject_user_id=person.id, details={"year": year.start_year})
    return page


@bp.route("/my-children")
@requires(Permission.SEE_OWN_CHILDREN)
def my_children() -> str:
    """A parent's own page, parents only: each linked child's modules done this year (done or not, never
    scores), agreement, "talk about it at home" prompts for this term's modules, and photo consents."""
    catalogue = current_catalogue()
    locale = str(get_locale())
    year = requested_year(current_user)
    children = children_of(current_user)
    modules = {child.id: catalogue.in_term_order(catalogue.modules_for(catalogue.audience_ids_of(child)))
               for child in children}
    agreements = {child.id: catalogue.agreements_for(catalogue.audience_ids_of(child)) for child in children}
    all_modules = {module.id: module for items in modules.values() for module in items}.values()
    all_agreements = {item.id: item for items in agreements.values() for item in items}.values()
    consent_forms = [(agreement, catalogue.agreement_content(agreement.id, locale)) for agreement in
                     catalogue.agreements_for(catalogue.audience_ids_of(current_user))
                     if catalogue.agreement_content(agreement.id, locale).consents]
    module_statuses = queries.module_statuses_for_many(current_user, [c.id for c in children], all_modules, year)
    time_zone = time_zone_of(current_user.school)
    today = local_date(utcnow(), time_zone)
    at_home = {child.id: to_talk_about(catalogue, modules[child.id], module_statuses[child.id], locale, today,
                                       time_zone) for child in children}
    return render_template(
        "people/my_children.html", children=children, year=year, modules=modules, agreements=agreements,
        module_statuses=module_statuses, at_home=at_home, viewing_this_year=today in year,
        agreement_statuses=queries.agreement_statuses_for_many(current_user, [c.id for c in children],
                                                               all_agreements, catalogue, year),
        consents=queries.current_consents([child.id for child in children]), consent_forms=consent_forms)
