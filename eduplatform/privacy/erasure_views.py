"""Erasing one person on request: what goes and what stays, or why they must be kept; then erase.

Only the coordinator of the person's school and administrators (``ERASE_PERSONAL_DATA``, and the
person must be in a school the actor manages: :func:`eduplatform.access.managed_person_or_404`).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import StringField, SubmitField
from wtforms.validators import InputRequired, Length

from eduplatform.academic_year import local_date
from eduplatform.access import Permission, managed_person_or_404, requires
from eduplatform.accounts.names import clean_text
from eduplatform.db import db, utcnow
from eduplatform.forms import BaseForm
from eduplatform.i18n import _, _l
from eduplatform.privacy.erasure import ErasureRefusedError, erase_on_request, plan_erasure
from eduplatform.privacy.holds import holds_of
from eduplatform.schools.years import time_zone_of

bp = Blueprint("erasure", __name__)

#: What each table holds, as the erase page names it (a table not listed is shown by its name).
TABLE_LABELS = {
    "user_role": _l("Roles"), "user_duty": _l("Safeguarding duties"), "recovery_code": _l("Recovery codes"),
    "parent_link": _l("Links between parent and child"), "setup_code": _l("Set-up codes"),
    "class_member": _l("Places in classes"), "class_teacher": _l("Classes taught"),
    "lesson_read": _l("Lessons read"), "quiz_attempt": _l("Quiz attempts"), "quiz_answer": _l("Quiz answers"),
    "module_completion": _l("Module progress and completions"), "agreement_signature": _l("Agreement signatures"),
    "consent_decision": _l("Consent decisions about them"), "attendee": _l("Presence at sessions"),
    "certificate": _l("Certificates"), "external_training": _l("Training done elsewhere"),
    "reminder_sent": _l("Reminder emails sent"), "picture_sign_in_attempt": _l("Picture sign-in attempts"),
    "roster_change": _l("Roster import changes"), "workshop_registration": _l("Workshop places"),
    "workshop_feedback": _l("Workshop feedback"), "audit_event": _l("Audit-log entries about them"),
}


class EraseForm(BaseForm):
    """The coordinator types the person's full name to confirm the erasure."""

    full_name = StringField(_l("Type their full name to confirm"), validators=[
        InputRequired(message=_l("Type the person's full name to confirm.")),
        Length(max=250, message=_l("Enter at most %(count)s characters.", count=250))])
    submit = SubmitField(_l("Erase this person"))


def _same_name(typed: str, full_name: str) -> bool:
    return clean_text(typed).casefold() == clean_text(full_name).casefold()


@bp.route("/people/<int:user_id>/erase", methods=["GET", "POST"])
@requires(Permission.ERASE_PERSONAL_DATA)
def erase_person(user_id: int) -> str | Response:
    """GET: what erasing the person removes and keeps (with counts), or the reasons they must be kept.
    POST: erase them once the full name is typed, then back to the people list.

    The coordinator of the person's school, or an administrator; anyone else's people are "not found".
    """
    person = managed_person_or_404(current_user, user_id)
    today = local_date(utcnow(), time_zone_of(person.school))
    form = EraseForm()
    reasons = holds_of(person, today, current_user) if person.erased_at is None else []
    if not reasons and person.erased_at is None and form.validate_on_submit():
        name = person.full_name
        if not _same_name(form.full_name.data or "", name):
            form.full_name.errors = [_("Type the person's full name exactly as shown: %(name)s.", name=name)]
        else:
            try:
                plan = erase_on_request(person, actor=current_user, today=today)
            except ErasureRefusedError as refused:  # a hold appeared since the page was shown
                db.session.rollback()
                flash(" ".join(refused.reasons), "error")
                return redirect(url_for(".erase_person", user_id=user_id))
            db.session.commit()
            flash(_("%(name)s was erased: %(removed)s records removed, %(kept)s kept without their name.",
                    name=name, removed=plan.removed_total, kept=plan.kept_total), "success")
            return redirect(url_for("people.list_people"))
    plan = plan_erasure(person) if person.erased_at is None and not reasons else None
    return render_template("privacy/erase_person.html", person=person, form=form, reasons=reasons, plan=plan,
                           labels=TABLE_LABELS)
