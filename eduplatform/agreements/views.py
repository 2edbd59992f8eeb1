"""Reading and signing acceptable use agreements."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.wrappers import Response

from eduplatform.academic_year import AcademicYear
from eduplatform.access import Permission, requires
from eduplatform.agreements.forms import TickToSignForm, TypedNameSignForm, names_match
from eduplatform.catalogue import current_catalogue
from eduplatform.catalogue.model import Agreement, Signing
from eduplatform.forms import BaseForm
from eduplatform.i18n import _
from eduplatform.learning.views import learner_audience_ids
from eduplatform.records import queries, services
from eduplatform.records.models import SignatureMethod

bp = Blueprint("agreements", __name__)


def get_agreement_or_404(agreement_id: str) -> Agreement:
    """An agreement meant for one of the person's audiences; any other is "not found"."""
    agreement = current_catalogue().agreements.get(agreement_id)
    if agreement is None or not agreement.audiences & learner_audience_ids():
        abort(404)
    return agreement


def _sign_form(agreement: Agreement) -> BaseForm:
    return TickToSignForm() if agreement.signing is Signing.TICK else TypedNameSignForm()


def _render(agreement: Agreement, form: BaseForm) -> str:
    catalogue = current_catalogue()
    year = AcademicYear.current()
    return render_template(
        "agreements/agreement.html", agreement=agreement, form=form, year=year,
        content=catalogue.agreement_content(agreement.id, str(get_locale())),
        status=queries.agreement_statuses(current_user.id, [agreement], catalogue, year)[agreement.id],
    )


@bp.route("/agreements/<agreement_id>")
@requires(Permission.SIGN_AGREEMENTS)
def show_agreement(agreement_id: str) -> str:
    """The agreement's text, whether the person has signed this version, and the form to sign.

    Anyone in one of the agreement's audiences.
    """
    agreement = get_agreement_or_404(agreement_id)
    return _render(agreement, _sign_form(agreement))


@bp.route("/agreements/<agreement_id>/sign", methods=["POST"])
@requires(Permission.SIGN_AGREEMENTS)
def sign_agreement(agreement_id: str) -> str | Response:
    """Record a signature against the exact text version shown. The agreement's audiences only."""
    agreement = get_agreement_or_404(agreement_id)
    form = _sign_form(agreement)
    if not form.validate_on_submit():
        return _render(agreement, form)
    typed_name = None
    if isinstance(form, TypedNameSignForm):
        if not names_match(form.typed_name.data, current_user.full_name):
            form.typed_name.errors.append(
                _("Type your full name exactly as the school has it: %(name)s", name=current_user.full_name))
            return _render(agreement, form)
        typed_name = form.typed_name.data
        method = SignatureMethod.TYPED_NAME
    else:
        method = SignatureMethod.TICKED
    catalogue = current_catalogue()
    content = catalogue.agreement_content(agreement.id, str(get_locale()))
    services.record_signature(current_user, content, method, AcademicYear.current(), catalogue,
                              typed_name=typed_name)
    flash(_("Thank you. Your signature has been recorded."), "success")
    return redirect(url_for(".show_agreement", agreement_id=agreement.id))
