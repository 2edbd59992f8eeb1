"""Managing people one by one: add, edit, disable, enable, and a new first password for an adult.

Coordinators manage the people of their own school; administrators those of any school
(:func:`eduplatform.access.managed_school_or_404`). Every refusal names what to do instead and
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from eduplatform.access import Permission, managed_person_or_404, managed_school_or_404, requires
from eduplatform.accounts.models import ParentLink, User
from eduplatform.db import db
from eduplatform.errors import explain_refusal
from eduplatform.forms import EmptyForm
from eduplatform.i18n import _
from eduplatform.people import services
from eduplatform.people.forms import PersonForm
from eduplatform.roles import Duty, Role
from eduplatform.schools.models import ClassMember, School, SchoolClass
from eduplatform.schools.years import current_year

bp = Blueprint("manage_people", __name__)


def _class_choices(form: PersonForm, school: School) -> None:
    classes = db.session.execute(select(SchoolClass.id, SchoolClass.name).where(
        SchoolClass.school_id == school.id, SchoolClass.academic_year == current_year(school).start_year)
        .order_by(SchoolClass.name)).all()
    form.class_id.choices = [SelectChoice("", _("No class"))] + [SelectChoice(str(class_id), name)
                                                                for class_id, name in classes]


def _details(form: PersonForm, *, username: bool) -> services.PersonDetails:
    return services.PersonDetails(
        first_name=form.first_name.data or "", last_name=form.last_name.data or "", email=form.email.data,
        roles=frozenset(Role(value) for value in form.roles.data or ()),
        duties=frozenset(Duty(value) for value in form.duties.data or ()),
        year_group=form.year_group.data, class_id=form.class_id.data, started_on=form.started_on.data,
        username=form.username.data if username else None,
        children=form.child_usernames() if Role.PARENT.value in (form.roles.data or ()) else None)


@bp.route("/schools/<int:school_id>/people/new", methods=["GET", "POST"])
@requires(Permission.MANAGE_PEOPLE)
def add_person(school_id: int) -> str | Response:
    """Add one person without a CSV and show their first password (or pictures) once.

    Coordinators for their own school; administrators for any school.
    """
    school = managed_school_or_404(current_user, school_id)
    form = PersonForm()
    _class_choices(form, school)
    if form.validate_on_submit():
        try:
            person, secret = services.add_person(school, _details(form, username=True), actor=current_user,
                                                 year=current_year(school))
        except services.PersonChangeError as refused:
            explain_refusal(refused, form)
        else:
            db.session.commit()
            return render_template("people/person_secret.html", person=person, secret=secret, added=True)
    return render_template("people/person_form.html", form=form, school=school, person=None)


@bp.route("/people/<int:user_id>/edit", methods=["GET", "POST"])
@requires(Permission.MANAGE_PEOPLE)
def edit_person(user_id: int) -> str | Response:
    """Change one person's names, email, roles, DSL duty, year group, class or children.

    Coordinators for their own school's people; administrators for any school's.
    """
    person = managed_person_or_404(current_user, user_id)
    school = person.school
    year = current_year(school)
    form = PersonForm()
    _class_choices(form, school)
    if not form.is_submitted():
        form.process(data={
            "first_name": person.first_name, "last_name": person.last_name, "email": person.email,
            "roles": [role.value for role in person.roles], "duties": [duty.value for duty in person.duties],
            "year_group": person.year_group, "started_on": person.started_on,
            "class_id": db.session.scalar(select(ClassMember.class_id).join(SchoolClass).where(
                ClassMember.user_id == person.id, SchoolClass.academic_year == year.start_year)),
            "children": ", ".join(db.session.scalars(select(User.username).join(
                ParentLink, ParentLink.child_id == User.id).where(ParentLink.parent_id == person.id)
                .order_by(User.username)))})
    if form.validate_on_submit():
        try:
            services.update_person(person, _details(form, username=False), actor=current_user, year=year)
        except services.PersonChangeError as refused:
            explain_refusal(refused, form)
        else:
            db.session.commit()
            flash(_("Saved the changes to %(name)s.", name=person.full_name), "success")
            return redirect(url_for("people.show_person", user_id=person.id))
    return render_template("people/person_form.html", form=form, school=school, person=person)


@bp.route("/people/<int:user_id>/disable", methods=["POST"])
@requires(Permission.MANAGE_PEOPLE)
def disable_person(user_id: int) -> Response:
    """Stop one person signing in (records kept). Never oneself or the school's last coordinator."""
    return _account_change(user_id, services.disable_person, lambda name: _("%(name)s can no longer sign in.",
                                                                          name=name))


@bp.route("/people/<int:user_id>/enable", methods=["POST"])
@requires(Permission.MANAGE_PEOPLE)
def enable_person(user_id: int) -> Response:
    """Let a disabled person sign in again. Coordinators for their school; administrators for any."""
    return _account_change(user_id, services.enable_person, lambda name: _("%(name)s can sign in again.", name=name))


def _account_change(user_id: int, change: Callable[..., None], done: Callable[[str], str]) -> Response:
    person = managed_person_or_404(current_user, user_id)
    if EmptyForm().validate_on_submit():
        try:
            change(person, actor=current_user)
        except services.PersonChangeError as refused:
            explain_refusal(refused)
        else:
            db.session.commit()
            flash(done(person.full_name), "success")
    return redirect(url_for("people.show_person", user_id=person.id))


@bp.route("/people/<int:user_id>/password", methods=["POST"])
@requires(Permission.MANAGE_PEOPLE)
def reset_password(user_id: int) -> str | Response:
    """Give an adult a new first password, shown once; they must change it at first sign-in."""
    person = managed_person_or_404(current_user, user_id)
    if EmptyForm().validate_on_submit():
        try:
            password = services.reset_adult_password(person, actor=current_user)
        except services.PersonChangeError as refused:
            explain_refusal(refused)
        else:
            db.session.commit()
            return render_template("people/person_secret.html", person=person,
                                   secret=services.NewSecret(password=password), added=False)
    return redirect(url_for("people.show_person", user_id=person.id))
