"""Parents' invitations: letters and emails with one-time set-up codes, and the public set-up page.

A coordinator (their school's classes) or an administrator opens a class's invitations page, which
lists the pupils' parents: those without a password of their own get a letter (a PDF, one page
each) or an email, each with a new code; issuing ends the codes of earlier invitations. A parent
types the code on ``/setup`` to choose their password.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from eduplatform.access import Permission, managed_schools, public, requires
from eduplatform.accounts.setup_codes import VALID_DAYS, SetupCodeError, SetupRefusal, redeem
from eduplatform.db import db
from eduplatform.forms import EmptyForm
from eduplatform.i18n import _
from eduplatform.mail import MailConnectionError, mail_configured
from eduplatform.pdf import PdfUnavailableError, pdf_unavailable_reason
from eduplatform.roster.invitation_forms import SetupAccountForm
from eduplatform.roster.invitations import class_parents, email_invitations, issue_letters, letters_pdf
from eduplatform.schools.models import School, SchoolClass

bp = Blueprint("invitations", __name__)

REFUSALS = {
    SetupRefusal.UNKNOWN: lambda: _("That set-up code is not right. Check it against your letter or email "
                                    "and try again."),
    SetupRefusal.USED: lambda: _("That set-up code has already been used, so it cannot be used again. If you "
                                 "have chosen your password, sign in; otherwise ask the school for a new letter."),
    SetupRefusal.EXPIRED: lambda: _("That set-up code has expired (codes work for %(days)d days). Ask the "
                                    "school for a new letter.", days=VALID_DAYS),
    SetupRefusal.ACCOUNT_CLOSED: lambda: _("This account is closed. Ask the school office if you think that "
                                           "is wrong."),
}


@bp.route("/setup", methods=["GET", "POST"])
@public
def setup_account() -> str | Response | tuple[str, int]:
    """A parent types the set-up code from their invitation and chooses a password, then signs in.

    Anyone may call it (the code is the proof); limited per address (:mod:`eduplatform.rate_limits`).
    """
    form = SetupAccountForm()
    if form.validate_on_submit():
        try:
            user = redeem(form.code.data, form.new_password.data)
        except SetupCodeError as error:
            form.code.errors.append(REFUSALS[error.refusal]())
        else:
            flash(_("Your account is ready. Sign in with your username %(username)s and the password you "
                    "have just chosen.", username=user.username), "success")
            return redirect(url_for("accounts.login"))
    return render_template("invitations/setup_account.html", form=form), 400 if form.errors else 200


def _managed_class_or_404(class_id: int) -> SchoolClass:
    """A class of a school whose people the actor manages (its coordinator, administrators); else 404."""
    school_class = db.session.scalar(select(SchoolClass).where(
        SchoolClass.id == class_id, SchoolClass.school_id.in_(select(School.id).where(managed_schools(current_user)))))
    if school_class is None:
        abort(404)
    return school_class


@bp.route("/classes/<int:class_id>/invitations")
@requires(Permission.MANAGE_PEOPLE)
def class_invitations(class_id: int) -> str:
    """The class's parents: who will get an invitation, who already signed in; buttons to print or email.

    The coordinator of the class's school and administrators.
    """
    school_class = _managed_class_or_404(class_id)
    parents = class_parents(school_class)
    return render_template("invitations/class_invitations.html", school_class=school_class, form=EmptyForm(),
                           to_invite=[parent for parent in parents if parent.needs_invitation],
                           active=[parent for parent in parents if not parent.needs_invitation],
                           mail_ready=mail_configured(current_app.config), pdf_problem=pdf_unavailable_reason())


@bp.route("/classes/<int:class_id>/invitations.pdf", methods=["POST"])
@requires(Permission.MANAGE_PEOPLE)
def print_letters(class_id: int) -> Response | tuple[str, int]:
    """Issue new codes and download the letters as one PDF, a page per parent; earlier codes end.

    The coordinator of the class's school and administrators.
    """
    school_class = _managed_class_or_404(class_id)
    back = url_for(".class_invitations", class_id=school_class.id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    letters = issue_letters(class_parents(school_class), school_class, current_user)
    if not letters:
        flash(_("Every parent of this class has already set up their account: no letters were made."), "info")
        return redirect(back)
    try:
        body = letters_pdf(letters, school_class)
    except PdfUnavailableError:
        # The 503 rolls the request back: codes nobody can read do not end the earlier ones.
        return render_template("compliance/pdf_unavailable.html", back=back, reason=pdf_unavailable_reason()), 503
    name = f"invitations-class-{school_class.id}.pdf"
    return Response(body, mimetype="application/pdf", headers={"Content-Disposition": f'attachment; filename="{name}"',
                                                               "Cache-Control": "no-store"})


@bp.route("/classes/<int:class_id>/invitations/email", methods=["POST"])
@requires(Permission.MANAGE_PEOPLE)
def send_invitations(class_id: int) -> str | Response | tuple[str, int]:
    """Email a new code to each parent with an address who has not set up their account.

    The coordinator of the class's school and administrators. Refused messages are listed; their
    codes are withdrawn.
    """
    school_class = _managed_class_or_404(class_id)
    back = url_for(".class_invitations", class_id=school_class.id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not mail_configured(current_app.config):
        flash(_("Email cannot be sent from this site: no mail server is set up. Print the letters instead."),
              "error")
        return redirect(back)
    try:
        outcome = email_invitations(class_parents(school_class), school_class, current_user)
    except MailConnectionError:  # raised before any code was issued
        flash(_("The mail server could not be reached, so no invitation was emailed. Try again later or print "
                "the letters."), "error")
        return redirect(back)
    return render_template("invitations/emailed.html", school_class=school_class, outcome=outcome, back=back)
