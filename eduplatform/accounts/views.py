"""Sign in, sign out and change password."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from eduplatform.access import Permission, public, requires
from eduplatform.accounts import mfa, services, sso
from eduplatform.accounts.forms import ChangePasswordForm, CodeForm, LoginForm
from eduplatform.accounts.models import User
from eduplatform.accounts.sessions import (
    mark_session_active,
    mfa_set_up_needed,
    session_has_idled_out,
    signed_in_with_single_sign_on,
    start_session,
)
from eduplatform.accounts.signin_guard import sign_in_with_password
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.db import db, reads_first, utcnow
from eduplatform.forms import EmptyForm
from eduplatform.i18n import _
from eduplatform.qr import qr_code_data_uri
from eduplatform.rate_limits import client_address, hit_counter, read_counter
from eduplatform.schools.models import SSO_PROVIDERS, ClassMember, SchoolClass
from eduplatform.schools.years import current_year

bp = Blueprint("accounts", __name__)


def safe_next(target: str | None) -> str | None:
    """Only same-site paths may be a redirect target after sign-in (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@reads_first
@public
def login() -> str | Response:
    """Sign in with username and password. Anyone may call it; signed-in users go to their dashboard."""
    if current_user.is_authenticated:
        return redirect(url_for("learning.dashboard"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        result = sign_in_with_password(form.username.data, form.password.data, client_address())
        user = result.user
        if result.refusal == "expired":
            flash(_("This first password has expired: it was not used within 14 days. Ask the school office "
                    "or your online-safety coordinator for a new one."), "error")
        elif result.refusal == "wait":
            flash(_("Too many wrong tries for this username from here. Wait a little, then try again."), "error")
        elif user is None:
            flash(_("That username and password do not match an account that can sign in now. Check them and "
                    "try again; after many wrong tries, sign-in pauses for a while. Your teacher or the school "
                    "office can help."), "error")
        else:
            return _finish_sign_in(user, "password", form.next.data)
    return render_template("accounts/login.html", form=form, sso_providers=sso.offered_providers(),
                           provider_names=sso.PROVIDER_NAMES)


def _provider_or_404(provider: str) -> str:
    if provider not in SSO_PROVIDERS or provider not in sso.configured_providers():
        abort(404)
    return provider


@bp.route("/login/sso/<provider>")
@public
def sso_start(provider: str) -> Response:
    """Begin signing in with Google or Microsoft: off to the provider. Anyone may call it."""
    provider = _provider_or_404(provider)
    if current_user.is_authenticated:
        return redirect(url_for("learning.dashboard"))
    try:
        return sso.begin_sign_on(provider, url_for("accounts.sso_callback", provider=provider, _external=True))
    except sso.PROVIDER_ERRORS:
        current_app.logger.warning("single sign-on: %s did not answer", provider, exc_info=True)
        flash(_("%(provider)s sign-in is not answering just now. Sign in with your username and password, "
                "or try again in a few minutes.", provider=sso.PROVIDER_NAMES[provider]), "error")
        return redirect(url_for("accounts.login"))


@bp.route("/login/sso/<provider>/callback")
@public
def sso_callback(provider: str) -> Response:
    """Where the provider sends the browser back: check the answer and sign the account in.

    Anyone may call it; only a valid answer for a person of a school that uses this provider signs in.
    """
    provider = _provider_or_404(provider)
    name = sso.PROVIDER_NAMES[provider]
    try:
        user = sso.finish_sign_on(provider)
    except sso.SignOnRefusedError as refused:
        flash(str(refused), "error")
        return redirect(url_for("accounts.login"))
    except sso.PROVIDER_ERRORS:
        current_app.logger.warning("single sign-on: %s gave an answer that was refused", provider, exc_info=True)
        flash(_("Signing in with %(provider)s did not work: the answer from %(provider)s could not be checked, "
                "or sign-in was cancelled. Try again, or sign in with your username and password.",
                provider=name), "error")
        return redirect(url_for("accounts.login"))
    return _finish_sign_in(user, provider, None)


_PENDING = "mfa_pending"
#: Minutes a half-finished sign-in (password right, code not yet given) stays open.
PENDING_MINUTES = 5
#: Wrong codes for one account within 15 minutes before its sign-in step refuses them all.
MAX_WRONG_CODES = 10


def _finish_sign_in(user: User, via: str, next_path: str | None) -> Response:
    """After the first factor: the code step when the person uses MFA, else straight in."""
    if mfa.has_mfa(user):
        session.clear()
        session[_PENDING] = {"user_id": user.id, "token": user.session_token, "via": via,
                             "next": safe_next(next_path), "at": int(time.time())}
        return redirect(url_for("accounts.verify_code"))
    return _enter(user, via, next_path)


def _enter(user: User, via: str, next_path: str | None) -> Response:
    start_session(user, via=via)
    if user.must_change_password and via == "password":
        flash(_("Please choose a new password before you continue."), "info")
        return redirect(url_for("accounts.change_password"))
    return redirect(safe_next(next_path) or url_for("learning.dashboard"))


@bp.route("/login/code", methods=["GET", "POST"])
@public
def verify_code() -> str | Response:
    """The second step of signing in: the code from the authenticator app, or a recovery code.

    Anyone may call it; it only completes a sign-in whose first step succeeded in this browser.
    """
    pending = session.get(_PENDING)
    user = db.session.get(User, pending["user_id"]) if isinstance(pending, dict) else None
    if (user is None or pending.get("token") != user.session_token or not user.is_active
            or time.time() - pending.get("at", 0) > PENDING_MINUTES * 60):
        session.pop(_PENDING, None)
        flash(_("Please sign in again."), "info")
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    if form.validate_on_submit():
        if read_counter(f"mfa-wrong/{user.id}") >= MAX_WRONG_CODES:
            flash(_("Too many wrong codes. Wait 15 minutes, or ask your administrator."), "error")
        elif mfa.verify(user, form.code.data):
            session.pop(_PENDING, None)
            return _enter(user, pending["via"], pending.get("next"))
        else:
            hit_counter(f"mfa-wrong/{user.id}", 15 * 60)
            form.code.errors.append(_("That code is not right, or was used already. Type the code your app shows "
                                      "now, or one of your recovery codes."))
    return render_template("accounts/verify_code.html", form=form)


@bp.route("/account/mfa", methods=["GET", "POST"])
@requires(Permission.USE_SITE)
def mfa_settings() -> str | Response:
    """Set up multi-factor sign-in (QR code, confirm a code), or see it is on. Any signed-in adult."""
    user = current_user._get_current_object()
    if not mfa.mfa_allowed(user):
        abort(404)
    if mfa.has_mfa(user):
        return render_template("accounts/mfa_on.html", required=mfa.mfa_required(user),
                               codes_left=mfa.unused_recovery_codes(user), form=EmptyForm())
    secret = session.get("mfa_new_secret") or mfa.new_secret()
    session["mfa_new_secret"] = secret
    form = CodeForm()
    if form.validate_on_submit():
        if mfa.code_matches_new_secret(secret, form.code.data):
            codes = mfa.turn_on(user, secret)
            session.pop("mfa_new_secret", None)
            session["mfa_set_up_needed"] = False
            return render_template("accounts/recovery_codes.html", codes=codes, first_time=True)
        form.code.errors.append(_("That code is not right. Check the app shows eduplatform, then type the code "
                                  "it shows now."))
    uri = mfa.provisioning_uri(user, secret)
    return render_template("accounts/mfa_set_up.html", form=form, secret=secret, qr=qr_code_data_uri(uri),
                           required=mfa.mfa_required(user))


@bp.route("/account/mfa/recovery-codes", methods=["POST"])
@requires(Permission.USE_SITE)
def new_recovery_codes() -> str | Response:
    """Replace one's recovery codes and show the new ones once. Adults with MFA on."""
    user = current_user._get_current_object()
    if not mfa.has_mfa(user):
        abort(404)
    if not EmptyForm().validate_on_submit():
        return redirect(url_for("accounts.mfa_settings"))
    return render_template("accounts/recovery_codes.html", codes=mfa.new_recovery_codes(user), first_time=False)


@bp.route("/account/mfa/off", methods=["POST"])
@requires(Permission.USE_SITE)
def turn_mfa_off() -> Response:
    """Turn multi-factor sign-in off: only for people whose roles do not require it."""
    user = current_user._get_current_object()
    if not mfa.has_mfa(user):
        abort(404)
    if EmptyForm().validate_on_submit():
        if mfa.mfa_required(user):
            flash(_("Your role needs multi-factor sign-in: it cannot be turned off."), "error")
        else:
            mfa.turn_off(user)
            flash(_("Multi-factor sign-in is off."), "success")
    return redirect(url_for("accounts.mfa_settings"))


@bp.route("/logout", methods=["POST"])
@requires(Permission.USE_SITE)
def logout() -> Response:
    """Sign out everywhere: every session cookie of this user stops working. Any signed-in user."""
    form = EmptyForm()
    if form.validate_on_submit():
        back_to = _class_picture_page(current_user) if session.get("signed_in_via") == "pictures" else None
        record_event(AuditAction.SIGNED_OUT, actor=current_user, school_id=current_user.school_id,
                     subject_user_id=current_user.id)
        services.end_all_sessions(current_user)
        logout_user()
        session.clear()
        flash(_("You have signed out."), "info")
        if back_to:  # a shared tablet: the next child of the class taps their name
            return redirect(back_to)
    return redirect(url_for("accounts.login"))


def _class_picture_page(pupil: User) -> str | None:
    """The picture sign-in page of the pupil's class this year, while its code works."""
    now = utcnow()
    code = db.session.scalar(
        select(SchoolClass.sign_in_code).join(ClassMember, ClassMember.class_id == SchoolClass.id)
        .where(ClassMember.user_id == pupil.id, SchoolClass.academic_year == current_year(pupil).start_year,
               SchoolClass.code_works_at(now))
        .order_by(SchoolClass.id).limit(1))
    return url_for("signin.class_page", code=code) if code else None


@bp.route("/account/password", methods=["GET", "POST"])
@reads_first
@requires(Permission.USE_SITE)
def change_password() -> str | Response:
    """Change one's own password; other sessions of the user end. Any signed-in user with a password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not services.password_matches(current_user, form.current_password.data):
            form.current_password.errors.append(_("Your current password is not right."))
        elif form.new_password.data in (form.current_password.data, current_user.card_secret):
            form.new_password.errors.append(_("Choose a new password, not the one you were given."))
        else:
            services.change_password(current_user, form.new_password.data)
            start_session(current_user._get_current_object(), renewal=True)  # this browser keeps the new token
            flash(_("Your password has been changed. Other devices have been signed out."), "success")
            return redirect(url_for("learning.dashboard"))
    return render_template("accounts/change_password.html", form=form)


_ALLOWED_WHILE_PASSWORD_MUST_CHANGE = {"accounts.change_password", "accounts.logout", "static", "health.healthz",
                                       "language.choose_language"}  # read the change form in one's own language
_ALLOWED_BEFORE_MFA_SET_UP = _ALLOWED_WHILE_PASSWORD_MUST_CHANGE | {"accounts.mfa_settings"}


@bp.before_app_request
def end_idle_sessions() -> Response | None:
    """A session unused for ``SESSION_MINUTES`` ends (a pupil's browser-session cookie included)."""
    if current_user.is_authenticated and request.endpoint != "static":
        if session_has_idled_out():
            logout_user()
            session.clear()
            flash(_("You were signed out because the page was not used for a while. Please sign in again."), "info")
            return redirect(url_for("accounts.login", next=request.full_path if request.method == "GET" else None))
        mark_session_active()
    return None


@bp.before_app_request
def insist_on_new_password() -> Response | None:
    """Until a must-change password is replaced, every other page leads to the change form."""
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in _ALLOWED_WHILE_PASSWORD_MUST_CHANGE
            and not signed_in_with_single_sign_on()):
        return redirect(url_for("accounts.change_password"))
    return None


@bp.before_app_request
def insist_on_mfa_set_up() -> Response | None:
    """People whose roles require multi-factor sign-in set it up before anything else."""
    if (current_user.is_authenticated and mfa_set_up_needed()
            and request.endpoint not in _ALLOWED_BEFORE_MFA_SET_UP):
        return redirect(url_for("accounts.mfa_settings"))
    return None
