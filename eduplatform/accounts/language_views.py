"""The language menu: choose the interface language, before or after signing in.

The choice is kept in the session (so it lasts across sign-in) and, for a signed-in person, on their
account (:attr:`User.locale`), which :func:`eduplatform.i18n.select_locale` reads first.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from eduplatform.access import public
from eduplatform.accounts.services import set_preferred_language
from eduplatform.accounts.views import safe_next
from eduplatform.forms import EmptyForm

bp = Blueprint("language", __name__)


@bp.route("/language", methods=["GET", "POST"])
@public
def choose_language() -> str | Response:
    """GET: the languages the site offers. POST ``locale`` (and ``next``): use it from now on.

    Anyone may call it, signed in or not (the login and picture sign-in pages offer it too); a
    signed-in person's choice is also stored on their account. A language the site does not offer
    is refused (400); the form is CSRF-protected like every other.
    """
    form = EmptyForm()
    back = safe_next(request.values.get("next"))
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        chosen = request.form.get("locale", "")
        if chosen not in current_app.config["LOCALES"]:
            abort(400)
        session["locale"] = chosen
        if current_user.is_authenticated:
            set_preferred_language(current_user._get_current_object(), chosen)
        return redirect(back or url_for("learning.dashboard"))
    return render_template("accounts/language.html", back=back or "")
