"""Sign in, sign out and change password."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response

from eduplatform.access import Permission, public, requires
from eduplatform.accounts import services
from eduplatform.accounts.forms import ChangePasswordForm, LoginForm
from eduplatform.accounts.sessions import start_session
from eduplatform.forms import EmptyForm
from eduplatform.i18n import _

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
    return render_template("accounts/login.html", form=form)


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
            and request.endpoint not in _ALLOWED_WHILE_PASSWORD_MUST_CHANGE):
        return redirect(url_for("accounts.change_password"))
    return None
