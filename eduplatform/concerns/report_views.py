"""Reporting a worry: the pupils' "Tell someone" pages, the parents' and staff's report about a child,
and a reporter's own reports (whether an adult has read each, never what was done).

Every report is committed before the DSLs are emailed (:mod:`eduplatform.concerns.notify`), so a mail
failure never loses one. Reading concerns is the DSLs' log, elsewhere.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user
from wtforms import SelectChoice

from eduplatform.access import Permission, requires
from eduplatform.accounts.models import User
from eduplatform.catalogue import current_catalogue
from eduplatform.concerns import categories as kinds
from eduplatform.concerns.forms import PictureTellForm, ReportForm, TellForm
from eduplatform.concerns.models import MAX_TEXT, Concern
from eduplatform.concerns.notify import tell_safeguarding_leads
from eduplatform.concerns.report_queries import children_in_reach, own_report, own_reports
from eduplatform.concerns.services import ConcernError, report_concern, reporter_kind
from eduplatform.db import db
from eduplatform.i18n import _
from eduplatform.roles import Role
from eduplatform.schools.help import where_to_get_help
from eduplatform.schools.models import year_group_label
from eduplatform.signin.pictures import picture_first

bp = Blueprint("concern_reports", __name__)

PUPIL_BANDS = ("ks1", "ks2", "ks3", "ks4")


def _band() -> str:
    """The signed-in pupil's age band for the wording: ``ks1`` (picture-first) to ``ks4``."""
    if picture_first(current_user):
        return "ks1"
    audiences = current_catalogue().audience_ids_of(current_user)
    return next((band for band in reversed(PUPIL_BANDS) if band in audiences), "ks2")


def _is_pupil() -> bool:
    return Role.PUPIL in current_user.roles


def _school_or_404() -> None:
    """Reports belong to a school's DSLs: someone with no school has nobody to tell here."""
    if current_user.school_id is None:
        abort(404)


def _notify_after_commit() -> None:
    """Tell the school's DSLs a new concern is waiting (the report is already committed)."""
    school = current_user.school
    config = current_app.config
    tell_safeguarding_leads(school.id, school.name, school.default_locale, config, config["LOCALES"],
                            config["DEFAULT_LOCALE"])


def _explain(error: ConcernError, text_field: object | None) -> None:
    """Put a service refusal next to the text field (or flash it), in the reader's words."""
    code = str(error)
    if code.startswith("too_long"):
        message = _("That is too long: write at most %(count)s characters.", count=MAX_TEXT)
    else:
        message = _("Write a few words about what happened.")
    errors = getattr(text_field, "errors", None)
    if isinstance(errors, list):
        errors.append(message)
    else:
        flash(message, "error")


# --- Pupils ------------------------------------------------------------------------------------


@bp.route("/tell", methods=["GET", "POST"])
@requires(Permission.REPORT_CONCERN)
def tell() -> str | Response:
    """"Tell someone": a pupil tells the school's safeguarding team what is worrying them (pictures for the
    youngest, words from Year 3). Pupils; parents and staff are sent to their own report form."""
    if not _is_pupil():
        return redirect(url_for(".report"))
    _school_or_404()
    band = _band()
    form: PictureTellForm | TellForm = PictureTellForm() if band == "ks1" else TellForm()
    form.category.choices = [SelectChoice(category.id, kinds.pupil_wording(category.id, band))
                             for category in kinds.categories_for(band)]
    form.talk_to.choices = [SelectChoice(choice.id, kinds.talk_to_label(choice.id, band))
                          for choice in kinds.talk_to_choices(band)]
    if form.validate_on_submit():
        try:
            report_concern(current_user, category=form.category.data,
                           text=form.text.data if isinstance(form, TellForm) else "",
                           pictures=[form.category.data] if band == "ks1" else None,
                           happening_now=form.happening_now.data == "yes", talk_to=form.talk_to.data or None)
        except ConcernError as error:
            db.session.rollback()
            _explain(error, getattr(form, "text", None))
        else:
            db.session.commit()
            _notify_after_commit()
            return redirect(url_for(".told", now="1" if form.happening_now.data == "yes" else None))
    template = "concerns/tell_pictures.html" if band == "ks1" else "concerns/tell.html"
    return render_template(template, form=form, band=band, kinds=kinds, max_text=MAX_TEXT)


@bp.route("/tell/done")
@requires(Permission.REPORT_CONCERN)
def told() -> str | Response:
    """After telling: a reassuring page in the pupil's words with the outside help for their age (from the
    help contacts). Pupils; anyone else goes to their own reports."""
    if not _is_pupil():
        return redirect(url_for(".my_reports"))
    help_contacts = where_to_get_help(current_user, current_catalogue(), str(get_locale()))
    return render_template("concerns/tell_done.html", band=_band(), help_contacts=help_contacts,
                           happening_now=request.args.get("now") == "1")


@bp.route("/tell/mine")
@requires(Permission.REPORT_CONCERN)
def my_reports() -> str:
    """The reporter's own reports, newest first, each with "an adult has read this" once a DSL opened it;
    never the DSLs' actions or the outcome. Anyone who may report, for their own reports only."""
    pupil = _is_pupil()
    band = _band() if pupil else None
    return render_template("concerns/mine.html", reports=own_reports(current_user.id), pupil=pupil, band=band,
                           kinds=kinds)


# --- Parents and staff -------------------------------------------------------------------------


def _reporter_choice() -> str:
    """Which categories the adult may choose from: ``staff`` or ``parents``."""
    return "staff" if reporter_kind(current_user) == "staff" else "parents"


@bp.route("/concerns/report", methods=["GET", "POST"])
@requires(Permission.REPORT_CONCERN)
def report() -> str | Response:
    """A parent (about their own children) or a member of staff (about any pupil on roll of their school)
    reports a concern to the DSLs. Staff see the school's procedure for the chosen kind before sending.
    Pupils are sent to "Tell someone". ``?about=<id>`` chooses the child (not in reach: not found)."""
    if _is_pupil():
        return redirect(url_for(".tell"))
    _school_or_404()
    children = children_in_reach(current_user)
    who = _reporter_choice()
    form = ReportForm()
    form.about_id.choices = [SelectChoice(child.id, _child_label(child.name, child.year_group)) for child in children]
    form.category.choices = [SelectChoice(category.id, kinds.category_label(category.id))
                            for category in kinds.categories_for(who)]
    about = request.args.get("about", type=int)
    if request.method == "GET":
        if about is not None:
            if about not in {child.id for child in children}:
                abort(404)
            form.about_id.data = about
        elif len(children) == 1:
            form.about_id.data = children[0].id
    staff = who == "staff"
    if request.method == "POST" and form.show.data:  # "Show what to do": nothing is checked or saved
        form.procedure_seen.data = form.category.data if form.category.data in kinds.category_ids() else ""
        return _report_page(form, children, staff)
    if form.validate_on_submit():
        if staff and form.procedure_seen.data != form.category.data:
            form.procedure_seen.data = form.category.data
            form.category.errors = [_("Read what to do for this kind of concern below, then send the report.")]
            return _report_page(form, children, staff)
        try:
            concern = report_concern(current_user, category=form.category.data, text=form.text.data,
                                     about_id=form.about_id.data, happening_now=form.happening_now.data == "yes")
        except ConcernError as error:
            db.session.rollback()
            _explain(error, form.text)
        else:
            db.session.commit()
            _notify_after_commit()
            return redirect(url_for(".report_sent", concern_id=concern.id))
    return _report_page(form, children, staff)


def _child_label(name: str, year_group: int | None) -> str:
    if year_group is None:
        return name
    return _("%(name)s (Year %(year)s)", name=name, year=year_group_label(year_group))


def _report_page(form: ReportForm, children: list, staff: bool) -> str:
    shown = form.procedure_seen.data if staff and form.procedure_seen.data in kinds.category_ids() else None
    procedures = ({choice.value: kinds.procedure(choice.value) for choice in form.category.choices}
                  if staff else {})
    return render_template("concerns/report.html", form=form, has_children=bool(children), staff=staff,
                           procedures=procedures, shown=shown, kinds=kinds, max_text=MAX_TEXT)


@bp.route("/concerns/report/<int:concern_id>/sent")
@requires(Permission.REPORT_CONCERN)
def report_sent(concern_id: int) -> str:
    """The confirmation of a parent's or staff member's report, with the school's procedure for its kind
    (staff) or where else to get help (parents). Only the person who reported it; anyone else: not found."""
    concern: Concern | None = own_report(current_user.id, concern_id)
    if concern is None:
        abort(404)
    staff = concern.reporter_kind == "staff"
    about = db.session.get(User, concern.about_id) if concern.about_id else None
    help_contacts = [] if staff else where_to_get_help(current_user, current_catalogue(), str(get_locale()))
    return render_template("concerns/report_sent.html", concern=concern, staff=staff, about=about,
                           procedure=kinds.procedure(concern.category) if staff else (),
                           help_contacts=help_contacts, kinds=kinds)
