"""Reading and signing acceptable use agreements."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_login import current_user
from werkzeug.wrappers import Response

from eduplatform.access import Permission, learner_agreement_or_404, requires
from eduplatform.accounts.models import User
from eduplatform.accounts.queries import children_of
from eduplatform.agreements.forms import (
    PromisesSignForm,
    SaveConsentsForm,
    TickToSignForm,
    TypedNameSignForm,
    consent_choices,
    consent_field_name,
    names_match,
    promise_field_name,
    promises_form_class,
    with_consent_fields,
)
from eduplatform.catalogue import current_catalogue
from eduplatform.catalogue.model import Agreement, AgreementContent, Signing
from eduplatform.forms import BaseForm
from eduplatform.i18n import _
from eduplatform.records import queries, services
from eduplatform.records.models import SignatureMethod
from eduplatform.schools.years import current_year
from eduplatform.signin.pictures import picture_first

bp = Blueprint("agreements", __name__)


def _content(agreement: Agreement) -> AgreementContent:
    return current_catalogue().agreement_content(agreement.id, str(get_locale()))


def _consent_setup(agreement: Agreement) -> tuple[list[User], list[str]]:
    """The children a parent decides for, and the agreement's consent items (empty when none apply)."""
    consent_ids = [consent.id for consent in _content(agreement).consents]
    if not consent_ids:
        return [], []
    children = children_of(current_user)
    return children, consent_ids if children else []


def _with_consents(form_class: type[BaseForm], agreement: Agreement) -> BaseForm:
    children, consent_ids = _consent_setup(agreement)
    child_ids = [child.id for child in children]
    texts = {consent.id: consent.text for consent in _content(agreement).consents}
    labels = {(child.id, consent_id): _("%(child)s: %(consent)s", child=child.display_name, consent=texts[consent_id])
              for child in children for consent_id in consent_ids}
    return with_consent_fields(form_class, child_ids, consent_ids, queries.current_consents(child_ids), labels)


def _ticks_each_promise(agreement: Agreement) -> bool:
    """The youngest pupils tick every promise of a picture agreement, one by one, instead of one "I agree"."""
    return agreement.signing is Signing.TICK and picture_first(current_user) and bool(_content(agreement).promises)


def _sign_form(agreement: Agreement) -> BaseForm:
    if _ticks_each_promise(agreement):
        return _with_consents(promises_form_class(len(_content(agreement).promises)), agreement)
    if agreement.signing is Signing.TICK:
        return _with_consents(TickToSignForm, agreement)
    return _with_consents(TypedNameSignForm, agreement)


def _render(agreement: Agreement, form: BaseForm, consents_form: BaseForm | None = None) -> str:
    catalogue = current_catalogue()
    year = current_year(current_user)
    status = queries.agreement_statuses(current_user, current_user.id, [agreement], catalogue, year)[agreement.id]
    children, consent_ids = _consent_setup(agreement)
    if consents_form is None and consent_ids and status.state.value == "signed":
        consents_form = _with_consents(SaveConsentsForm, agreement)
    content = _content(agreement)
    promise_fields = None
    if isinstance(form, PromisesSignForm):
        promise_fields = [form[promise_field_name(number)] for number in range(1, len(content.promises) + 1)]
    return render_template(
        "agreements/agreement.html", agreement=agreement, form=form, year=year, content=content,
        status=status, children=children, consents_form=consents_form, consent_field_name=consent_field_name,
        picture_promises=_ticks_each_promise(agreement), promise_fields=promise_fields,
    )


@bp.route("/agreements/<agreement_id>")
@requires(Permission.SIGN_AGREEMENTS)
def show_agreement(agreement_id: str) -> str:
    """The agreement's text, whether the person has signed this version, and the form to sign.

    Anyone in one of the agreement's audiences.
    """
    agreement = learner_agreement_or_404(current_user, agreement_id)
    return _render(agreement, _sign_form(agreement))


@bp.route("/agreements/<agreement_id>/sign", methods=["POST"])
@requires(Permission.SIGN_AGREEMENTS)
def sign_agreement(agreement_id: str) -> str | Response:
    """Record a signature against the exact text version shown. The agreement's audiences only.

    The youngest pupils must have ticked every promise: otherwise the page says so and nothing is stored.
    """
    agreement = learner_agreement_or_404(current_user, agreement_id)
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
    content = _content(agreement)
    services.record_signature(current_user, content, method, current_year(current_user), catalogue,
                              typed_name=typed_name)
    children, consent_ids = _consent_setup(agreement)
    if consent_ids:
        services.record_consent_choices(
            current_user, content, consent_choices(form, [child.id for child in children], consent_ids))
    flash(_("Thank you! You have made your promises.") if isinstance(form, PromisesSignForm)
          else _("Thank you. Your signature has been recorded."), "success")
    return redirect(url_for(".show_agreement", agreement_id=agreement.id))


@bp.route("/agreements/<agreement_id>/consents", methods=["POST"])
@requires(Permission.SIGN_AGREEMENTS)
def update_consents(agreement_id: str) -> str | Response:
    """Change photo/video consent choices (give or withdraw) for one's own linked children.

    Parents who have signed the agreement; anyone else is "not found".
    """
    agreement = learner_agreement_or_404(current_user, agreement_id)
    children, consent_ids = _consent_setup(agreement)
    if not consent_ids:
        abort(404)
    form = _with_consents(SaveConsentsForm, agreement)
    if not form.validate_on_submit():
        return _render(agreement, _sign_form(agreement), consents_form=form)
    changed = services.record_consent_choices(
        current_user, _content(agreement), consent_choices(form, [child.id for child in children], consent_ids))
    flash(_("Your choices have been saved (%(count)d changed).", count=changed), "success")
    return redirect(url_for(".show_agreement", agreement_id=agreement.id))
