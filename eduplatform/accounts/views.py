"""Sign in, sign out and change password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from eduplatform.access import Permission, public, requires
from eduplatform.accounts import services, sso
from eduplatform.accounts.forms import ChangePasswordForm, LoginForm
from eduplatform.accounts.sessions import signed_in_with_single_sign_on, start_session
from eduplatform.forms import EmptyForm
from eduplatform.i18n import _
from eduplatform.schools.models import SSO_PROVIDERS

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
@public
def login() -> str | Response:
    """Sign in with username and password. Anyone may call it; signed-in users go to their dashboard."""
    if current_user.is_authenticated:
        return redirect(url_for("learning.dashboard"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        user = services.authenticate(form.username.data, form.password.data)
        if user is None:
            flash(_("That username and password do not match an account that can sign in. "
                    "Check them and try again, or ask your teacher or the school office."), "error")
        else:
            start_session(user)
            if user.must_change_password:
                flash(_("Please choose a new password before you continue."), "info")
                return redirect(url_for("accounts.change_password"))
            return redirect(safe_next(form.next.data) or url_for("learning.dashboard"))
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
    start_session(user, via=provider)
    return redirect(url_for("learning.dashboard"))


@bp.route("/logout", methods=["POST"])
@requires(Permission.USE_SITE)
def logout() -> Response:
    """Sign out everywhere: every session cookie of this user stops working. Any signed-in user."""
    form = EmptyForm()
    if form.validate_on_submit():
        services.end_all_sessions(current_user)
        logout_user()
        session.clear()
        flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@requires(Permission.USE_SITE)
def change_password() -> str | Response:
    """Change one's own password; other sessions of the user end. Any signed-in user with a password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if services.authenticate(current_user.username, form.current_password.data) is None:
            form.current_password.errors.append(_("Your current password is not right."))
        else:
            services.change_password(current_user, form.new_password.data)
            start_session(current_user._get_current_object())  # this browser stays signed in with the new token
            flash(_("Your password has been changed. Other devices have been signed out."), "success")
            return redirect(url_for("learning.dashboard"))
    return render_template("accounts/change_password.html", form=form)


_ALLOWED_WHILE_PASSWORD_MUST_CHANGE = {"accounts.change_password", "accounts.logout", "static", "health.healthz"}


@bp.before_app_request
def insist_on_new_password() -> Response | None:
    """Until a must-change password is replaced, every other page leads to the change form."""
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in _ALLOWED_WHILE_PASSWORD_MUST_CHANGE
            and not signed_in_with_single_sign_on()):
        return redirect(url_for("accounts.change_password"))
    return None
