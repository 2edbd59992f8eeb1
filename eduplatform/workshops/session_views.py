"""A workshop's session: the host's page (lessons to present, the join code, the register and the
figures), joining with the code, feedback, and what each person is offered afterwards.

Host pages: the workshop's host, its school's coordinator and administrators; anyone else gets 404
(another school's workshops do not exist for them). Joining: signed-in adults of the workshop's
school. Feedback: those who attended. The page after the workshop: those who had a place.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import format_decimal, format_time, get_locale
from flask_login import current_user
from werkzeug.wrappers import Response

from eduplatform.access import Permission, requires
from eduplatform.catalogue import current_catalogue
from eduplatform.catalogue.model import Module, ModuleContent
from eduplatform.db import db, utcnow
from eduplatform.errors import explain_refusal
from eduplatform.forms import EmptyForm
from eduplatform.i18n import _
from eduplatform.mail import absolute_url
from eduplatform.rate_limits import client_address, hit_counter
from eduplatform.workshops import attendance, session_queries
from eduplatform.workshops.models import Workshop
from eduplatform.workshops.session_forms import FeedbackForm, JoinForm, register_form

bp = Blueprint("workshop_sessions", __name__)
#: Tries at the join code per address and person in one window: enough for typing mistakes.
JOIN_TRIES, JOIN_WINDOW_SECONDS = 10, 60


def _module_or_404(workshop: Workshop) -> Module:
    module = current_catalogue().modules.get(workshop.module_id)
    if module is None:
        abort(404)
    return module


def _content(module: Module) -> ModuleContent:
    return current_catalogue().module_content(module.id, str(get_locale()))


@bp.route("/workshops/<int:workshop_id>/host")
@requires(Permission.USE_SITE)
def host(workshop_id: int) -> str:
    """The host's page: the module's lessons to present, the join code, the register and the figures.

    The workshop's host, its school's coordinator and administrators; anyone else: 404.
    """
    workshop = session_queries.hosted_workshop_or_404(workshop_id, current_user)
    module = _module_or_404(workshop)
    lines = session_queries.register_lines(workshop)
    opens, closes = attendance.code_window(workshop)
    now, figures = utcnow(), session_queries.session_figures(workshop)
    times = {"ends": format_time(workshop.ends_at, "short"), "opens": format_time(opens, "short"),
             "closes": format_time(closes, "short"),
             "average": format_decimal(figures.average_usefulness or 0, "0.0")}
    return render_template(
        "workshops/session_host.html", workshop=workshop, module=module, content=_content(module), lines=lines,
        figures=figures, form=register_form(lines), start_form=EmptyForm(), times=times,
        join_url=absolute_url("workshop_sessions.join"),
        code_works=workshop.join_code is not None and opens <= now <= closes, ended=now > closes)


@bp.route("/workshops/<int:workshop_id>/host/start", methods=["POST"])
@requires(Permission.USE_SITE)
def start(workshop_id: int) -> Response:
    """Start the session: give the workshop its join code, to show on screen.

    The workshop's host, its school's coordinator and administrators; anyone else: 404.
    """
    workshop = session_queries.hosted_workshop_or_404(workshop_id, current_user)
    if EmptyForm().validate_on_submit():
        try:
            attendance.start_session(workshop)
        except attendance.AttendanceRefusedError as refused:
            explain_refusal(refused)
        else:
            db.session.commit()
    else:
        flash(_("The form had expired. Nothing was changed: please try again."), "error")
    return redirect(url_for("workshop_sessions.host", workshop_id=workshop.id) + "#join-code")


@bp.route("/workshops/<int:workshop_id>/host/register", methods=["POST"])
@requires(Permission.USE_SITE)
def mark_present(workshop_id: int) -> str | Response:
    """Tick people on the register as present: each completes the module (attended) and gets a certificate.

    The workshop's host, its school's coordinator and administrators; anyone else: 404.
    """
    workshop = session_queries.hosted_workshop_or_404(workshop_id, current_user)
    form = register_form(session_queries.register_lines(workshop))
    if form.validate_on_submit():
        try:
            count = attendance.mark_present_by_host(workshop, set(form.present.data))
        except attendance.AttendanceRefusedError as refused:
            explain_refusal(refused)
        else:
            db.session.commit()
            flash(_("Marked %(count)s present.", count=count), "success")
        return redirect(url_for("workshop_sessions.host", workshop_id=workshop.id) + "#register")
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")
    return redirect(url_for("workshop_sessions.host", workshop_id=workshop.id) + "#register")


@bp.route("/workshops/<int:workshop_id>/present/<lesson_id>")
@requires(Permission.USE_SITE)
def present(workshop_id: int, lesson_id: str) -> str:
    """A lesson of the workshop's module in board mode, to share on screen: no site menu, one section
    at a time.

    The workshop's host, its school's coordinator and administrators; anyone else: 404.
    """
    workshop = session_queries.hosted_workshop_or_404(workshop_id, current_user)
    module = _module_or_404(workshop)
    content = _content(module)
    lesson = next((lesson for lesson in content.lessons if lesson.id == lesson_id), None)
    if lesson is None:
        abort(404)
    return render_template("workshops/session_present.html", workshop=workshop, module=module, content=content,
                           lesson=lesson, position=module.lesson_ids.index(lesson.id))


def _too_many_tries() -> bool:
    key = f"workshop-join/{client_address()}/{current_user.id}"
    return hit_counter(key, JOIN_WINDOW_SECONDS) > JOIN_TRIES


@bp.route("/join", methods=["GET", "POST"])
@requires(Permission.USE_SITE)
def join() -> str | Response | tuple[str, int]:
    """Type the code shown on screen during a workshop: records the person present (method ``code``).

    Signed-in adults of a school (parents, staff, governors, visitors); anyone else: 403. Tries are
    limited per address and person.
    """
    if current_user.school_id is None or not current_user.has_role(*attendance.ADULT_ROLES):
        abort(403)
    form = JoinForm()
    if form.is_submitted() and _too_many_tries():
        return render_template("workshops/session_join.html", form=form, too_many=True), 429
    if form.validate_on_submit():
        try:
            workshop = attendance.workshop_for_code(form.code.data, current_user)
            attendance.mark_present(workshop, current_user, attendance.CODE_METHOD)
        except attendance.JoinRefusedError as refused:
            explain_refusal(refused, form)
        else:
            db.session.commit()
            flash(_("You are marked present. Thank you for coming."), "success")
            return redirect(url_for("workshop_sessions.after", workshop_id=workshop.id))
    return render_template("workshops/session_join.html", form=form, too_many=False)


def _after_state_or_404(workshop_id: int) -> session_queries.AfterState:
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None or workshop.school_id != current_user.school_id:
        abort(404)
    state = session_queries.after_state(workshop, current_user.id, attendance.workshop_year(workshop).start_year,
                                        utcnow())
    if state is None:
        abort(404)
    return state


@bp.route("/workshops/<int:workshop_id>/after")
@requires(Permission.USE_SITE)
def after(workshop_id: int) -> str:
    """After the workshop: attendees get the feedback form and their certificate; those who had a
    place but did not come are offered the self-study version of the module.

    People who had a place on the workshop's list (or came); anyone else: 404.
    """
    state = _after_state_or_404(workshop_id)
    module = _module_or_404(state.workshop)
    return render_template("workshops/session_after.html", state=state, module=module, content=_content(module))


@bp.route("/workshops/<int:workshop_id>/feedback", methods=["GET", "POST"])
@requires(Permission.USE_SITE)
def feedback(workshop_id: int) -> str | Response:
    """Two questions after the workshop: how useful it was (1 to 5) and one thing to change. Once each.

    Those who attended; anyone else: 404.
    """
    state = _after_state_or_404(workshop_id)
    if not state.attended:
        abort(404)
    module = _module_or_404(state.workshop)
    if state.feedback_given:
        return render_template("workshops/session_feedback.html", state=state, module=module, form=None)
    form = FeedbackForm()
    if form.validate_on_submit():
        try:
            attendance.give_feedback(state.workshop, current_user, form.usefulness.data, form.change.data)
        except attendance.FeedbackAlreadyGivenError as refused:
            explain_refusal(refused)
        else:
            db.session.commit()
            flash(_("Thank you for your feedback."), "success")
        return redirect(url_for("workshop_sessions.after", workshop_id=state.workshop.id))
    return render_template("workshops/session_feedback.html", state=state, module=module, form=form)
