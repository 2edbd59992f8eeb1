"""Workshops for parents: schedule and cancel (coordinators), the list (coordinators and hosts), the
workshop's page, registering and giving up a place (parents), and the calendar file."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from eduplatform.access import Permission, requires
from eduplatform.catalogue import current_catalogue
from eduplatform.db import db, utcnow
from eduplatform.forms import EmptyForm
from eduplatform.i18n import _
from eduplatform.mail import MailError, mail_configured
from eduplatform.roles import Role
from eduplatform.schools.models import School
from eduplatform.workshops import queries, services
from eduplatform.workshops.attendance import code_window, workshop_year
from eduplatform.workshops.calendar import CalendarText, workshop_ics
from eduplatform.workshops.forms import WorkshopForm
from eduplatform.workshops.invitations import send_invitations
from eduplatform.workshops.models import RegistrationStatus, Workshop
from eduplatform.workshops.session_queries import after_state

bp = Blueprint("workshops", __name__, url_prefix="/workshops")


@bp.app_context_processor
def inject_workshop_helpers() -> dict[str, object]:
    """``host_page_exists()``: whether the host's live page is part of this site (linked only then)."""
    return {"host_page_exists": lambda: "workshop_sessions.host" in current_app.view_functions}


@bp.route("")
@requires(Permission.USE_SITE)
def list_workshops() -> str:
    """Upcoming and past workshops with their counts. Coordinators (their school), administrators (all),
    and staff who host a workshop (theirs). Anyone else: 403."""
    if not queries.may_list(current_user):
        abort(403)
    upcoming, past = queries.workshop_list(current_user, utcnow())
    return render_template("workshops/list_workshops.html", upcoming=upcoming, past=past,
                           zones=_zones(row.workshop for row in [*upcoming, *past]),
                           titles=_titles(), may_schedule=_may_schedule(), local_time=queries.local_time)


@bp.route("/new", methods=["GET", "POST"])
@requires(Permission.RUN_WORKSHOPS)
def new_workshop() -> str | Response:
    """Schedule a workshop of a parents' module. Coordinators (for their school) and administrators
    (any school)."""
    if not _may_schedule():
        abort(403)
    form = _workshop_form()
    if form.validate_on_submit():
        assert form.starts_at is not None and form.ends_at is not None  # set by validate()
        workshop = services.schedule_workshop(
            school_id=form.chosen_school_id, module_id=form.module_id.data, starts_at=form.starts_at,
            ends_at=form.ends_at, meeting_url=form.meeting_url.data, room=form.room.data,
            capacity=form.capacity.data, host_id=form.host_id.data, created_by_id=current_user.id)
        flash(_("The workshop is scheduled. Parents of the school can now register."), "success")
        return redirect(url_for("workshops.show_workshop", workshop_id=workshop.id))
    return render_template("workshops/new_workshop.html", form=form)


@bp.route("/<int:workshop_id>/cancel", methods=["POST"])
@requires(Permission.RUN_WORKSHOPS)
def cancel_workshop(workshop_id: int) -> Response:
    """Cancel a workshop: those registered see it as cancelled. Coordinators of its school, administrators."""
    workshop = _workshop_to_run(workshop_id)
    if EmptyForm().validate_on_submit():
        services.cancel_workshop(workshop)
        flash(_("The workshop is cancelled."), "success")
    return redirect(url_for("workshops.show_workshop", workshop_id=workshop.id))


@bp.route("/<int:workshop_id>/invite", methods=["POST"])
@requires(Permission.RUN_WORKSHOPS)
def invite_parents(workshop_id: int) -> Response:
    """Email the workshop's invitation to the school's parents whose children it suits, once.

    Coordinators of its school, administrators. Without a mail server, or once sent, it says so and
    sends nothing. A refused message is named in the message shown; the rest still go.
    """
    workshop = _workshop_to_run(workshop_id)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("workshops.show_workshop", workshop_id=workshop.id))
    if workshop.invited_at is not None or workshop.cancelled_at is not None or workshop.starts_at <= utcnow():
        flash(_("This workshop's invitation cannot be sent now: it was sent already, or the workshop is "
                "cancelled or has started."), "error")
    elif not mail_configured(current_app.config):
        flash(_("No email can be sent: the platform has no mail server set up."), "error")
    else:
        try:
            result = send_invitations(workshop, queries.school_of(workshop), current_catalogue(), current_app.config,
                                      current_app.config["LOCALES"], current_app.config["DEFAULT_LOCALE"])
        except MailError as error:
            db.session.rollback()
            flash(_("No invitation was sent: %(reason)s", reason=str(error)), "error")
        else:
            db.session.commit()
            flash(_("The invitation went to %(count)d parents and carers.", count=result.sent), "success")
            if result.not_sent:
                flash(_("Not sent to: %(names)s.", names="; ".join(
                    f"{name} ({reason})" for name, reason in result.not_sent)), "warning")
    return redirect(url_for("workshops.show_workshop", workshop_id=workshop.id))


@bp.route("/<int:workshop_id>")
@requires(Permission.USE_SITE)
def show_workshop(workshop_id: int) -> str:
    """The workshop's page: what it is about, when, how to join (the link only to those with a place),
    and Register / Cancel my place. Parents and staff of its school, administrators; others: 404."""
    workshop = queries.get_visible_workshop_or_404(workshop_id, current_user)
    school = queries.school_of(workshop)
    row = queries.row_of(workshop, current_user.id)
    catalogue = current_catalogue()
    content = catalogue.module_content(workshop.module_id, str(get_locale()))
    now = utcnow()
    is_parent = current_user.has_role(Role.PARENT)
    opens, closes = code_window(workshop)
    return render_template(
        "workshops/show_workshop.html", row=row, workshop=workshop, content=content,
        join_open=is_parent and workshop.cancelled_at is None and opens <= now <= closes,
        after=after_state(workshop, current_user.id, workshop_year(workshop).start_year, now) if is_parent else None,
        starts=queries.local_time(workshop.starts_at, school.time_zone),
        ends=queries.local_time(workshop.ends_at, school.time_zone),
        may_attend=current_user.has_role(Role.PARENT) and workshop.cancelled_at is None
        and workshop.starts_at > utcnow(),
        may_run=queries.may_run(current_user, workshop), is_host=workshop.host_id == current_user.id,
        may_download=_may_download_calendar(workshop, row.my_status), form=EmptyForm(), now=utcnow(),
        mail_ready=mail_configured(current_app.config))


@bp.route("/<int:workshop_id>/register", methods=["POST"])
@requires(Permission.ATTEND_WORKSHOPS)
def register(workshop_id: int) -> Response:
    """Take a place (or join the waiting list when it is full). Parents of the workshop's school."""
    workshop = queries.get_visible_workshop_or_404(workshop_id, current_user)
    if EmptyForm().validate_on_submit():
        try:
            status = services.register(workshop.id, current_user.id)
        except services.WorkshopClosedError:
            flash(_("This workshop is no longer taking registrations."), "error")
        else:
            if status is RegistrationStatus.WAITING:
                flash(_("The workshop is full, so you are on the waiting list. If a place frees up, it is yours "
                        "and it shows here."), "warning")
            else:
                flash(_("You have a place at this workshop."), "success")
    return redirect(url_for("workshops.show_workshop", workshop_id=workshop.id))


@bp.route("/<int:workshop_id>/cancel-place", methods=["POST"])
@requires(Permission.ATTEND_WORKSHOPS)
def cancel_place(workshop_id: int) -> Response:
    """Give up one's place (or leave the waiting list). Parents of the workshop's school."""
    workshop = queries.get_visible_workshop_or_404(workshop_id, current_user)
    if EmptyForm().validate_on_submit():
        services.give_up_place(workshop.id, current_user.id)
        flash(_("Your place is cancelled."), "success")
    return redirect(url_for("workshops.show_workshop", workshop_id=workshop.id))


@bp.route("/<int:workshop_id>.ics")
@requires(Permission.USE_SITE)
def calendar(workshop_id: int) -> Response:
    """The workshop as a calendar file. Those with a place (or waiting), its host, coordinators of its
    school and administrators; other people of the school: 403; anyone else: 404."""
    workshop = queries.get_visible_workshop_or_404(workshop_id, current_user)
    registration = queries.registration_of(workshop.id, current_user.id)
    if not _may_download_calendar(workshop, registration.status if registration else None):
        abort(403)
    school = queries.school_of(workshop)
    content = current_catalogue().module_content(workshop.module_id, str(get_locale()))
    page = url_for("workshops.show_workshop", workshop_id=workshop.id, _external=True)
    description = "\n\n".join(part for part in (content.summary, workshop.meeting_url or "", page) if part)
    text = CalendarText(summary=content.title, description=description, url=page,
                        host=urlsplit(current_app.config.get("BASE_URL") or page).hostname or "localhost")
    body = workshop_ics(workshop, school.time_zone, text)
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="workshop-{workshop.id}.ics"'})


# --- Helpers -----------------------------------------------------------------------------------


def _may_schedule() -> bool:
    return current_user.has_role(Role.ADMIN) or (current_user.school_id is not None
                                                 and current_user.has_role(Role.COORDINATOR))


def _may_download_calendar(workshop: Workshop, status: RegistrationStatus | None) -> bool:
    return (status in (RegistrationStatus.REGISTERED, RegistrationStatus.WAITING)
            or workshop.host_id == current_user.id or queries.may_run(current_user, workshop))


def _workshop_to_run(workshop_id: int) -> Workshop:
    """The workshop when the signed-in person may run it; 404 for other schools' workshops."""
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None or not queries.may_run(current_user, workshop):
        abort(404)
    return workshop


def _titles() -> dict[str, str]:
    catalogue = current_catalogue()
    locale = str(get_locale())
    return {module.id: catalogue.module_content(module.id, locale).title for module in catalogue.modules.values()}


def _zones(workshops: object) -> dict[int, str]:
    ids = {workshop.school_id for workshop in workshops}  # type: ignore[attr-defined]
    rows = db.session.execute(select(School.id, School.time_zone).where(School.id.in_(ids)))
    return {row.id: row.time_zone for row in rows}


def _workshop_form() -> WorkshopForm:
    """The scheduling form, its choices and its checks set for the signed-in person."""
    form = WorkshopForm()
    titles = _titles()
    form.module_id.choices = [SelectChoice(module.id, titles[module.id])
                              for module in queries.parent_modules(current_catalogue())]
    if current_user.has_role(Role.ADMIN):
        schools = list(db.session.scalars(select(School).order_by(School.name)))
        form.school_id.choices = [SelectChoice(school.id, school.name) for school in schools]
        hosts = queries.hosts_for(None)
        names = {school.id: school.name for school in schools}
        form.host_id.choices = [SelectChoice(host.id, f"{host.first_name} {host.last_name} ({names[host.school_id]})")
                                for host in hosts]
    else:
        del form.school_id
        form.own_school_id = current_user.school_id
        schools = [current_user.school]
        hosts = queries.hosts_for([current_user.school_id])
        form.host_id.choices = [SelectChoice(host.id, f"{host.first_name} {host.last_name}") for host in hosts]
    form.hosts = {host.id: host.school_id for host in hosts}
    form.time_zones = {school.id: school.time_zone for school in schools}
    form.now = utcnow()
    return form
