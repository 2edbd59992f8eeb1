"""Picture sign-in pages (public, for Reception to Year 2) and the teacher's sign-in tools.

Pupils: ``/tap`` (type the class code) -> ``/tap/<code>`` (tap your name) -> ``/tap/<code>/<id>``
(tap your three pictures). Each tap is an ordinary form POST that adds to a short sequence kept in
the signed session cookie; no JavaScript and no typing are needed.

Teachers and coordinators: ``/classes/<id>/sign-in`` (show the code on the board),
``/classes/<id>/cards`` (printable login cards, the only page that shows passwords), and buttons to
give a pupil new pictures or a new first password.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from eduplatform import access
from eduplatform.access import Permission, public, requires
from eduplatform.accounts.models import User
from eduplatform.accounts.sessions import start_session
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.crypto import is_unreadable
from eduplatform.db import reads_first, utcnow
from eduplatform.forms import EmptyForm
from eduplatform.i18n import _, _l
from eduplatform.qr import qr_code_data_uri
from eduplatform.rate_limits import client_address
from eduplatform.schools.models import SchoolClass
from eduplatform.schools.queries import pupils_of
from eduplatform.signin import queries, services
from eduplatform.signin.forms import CodeForm, FindClassForm, TapForm
from eduplatform.signin.pictures import SECRET_LENGTH, SECRET_PICTURES, uses_pictures

bp = Blueprint("signin", __name__)

#: What each picture shows, for screen readers (the pictures have no text).
PICTURE_NAMES = {
    "apple": _l("Apple"), "ball": _l("Ball"), "boat": _l("Boat"), "car": _l("Car"), "cat": _l("Cat"),
    "dog": _l("Dog"), "fish": _l("Fish"), "house": _l("House"), "moon": _l("Moon"), "star": _l("Star"),
    "sun": _l("Sun"), "tree": _l("Tree"),
}
#: Session keys: the taps so far, and a one-off notice for the pictures page.
_TAPS = "signin_taps"
_NOTICE = "signin_notice"


# --- Pupils: public pages -----------------------------------------------------------------------


def _class_or_404(code: str) -> SchoolClass:
    school_class = queries.class_by_code(code)
    if school_class is None:
        abort(404)
    return school_class


def _picture_pupil_or_404(school_class: SchoolClass, user_id: int) -> User:
    pupil = queries.picture_pupil(school_class, user_id)
    if pupil is None:
        abort(404)
    return pupil


def _taps_for(school_class: SchoolClass, user_id: int) -> list[str]:
    """The pictures tapped so far, if they were tapped for this pupil of this class."""
    saved = session.get(_TAPS)
    if not isinstance(saved, dict) or saved.get("class") != school_class.id or saved.get("user") != user_id:
        return []
    return [tap for tap in saved.get("taps", []) if tap in SECRET_PICTURES][:SECRET_LENGTH - 1]


def _save_taps(school_class: SchoolClass, user_id: int, taps: list[str]) -> None:
    session[_TAPS] = {"class": school_class.id, "user": user_id, "taps": taps}


def _seconds_until(moment: Any) -> int:
    return max(1, math.ceil((moment - utcnow()).total_seconds()))


@bp.route("/tap")
@public
def find_class() -> str | Response:
    """"Find your class": the teacher types the class code shown on the board. Anyone."""
    form = FindClassForm(formdata=request.args if "code" in request.args else None)
    if "code" in request.args and form.validate():
        school_class = queries.class_by_code(form.code.data)
        if school_class is not None:
            return redirect(url_for(".class_page", code=school_class.sign_in_code))
        form.code.errors = [_("We could not find a class with that code. Check it and try again.")]
    return render_template("signin/find_class.html", form=form)


@bp.route("/tap/<code>")
@public
def class_page(code: str) -> str:
    """A class's sign-in page: one big tile per pupil who signs in with pictures. Anyone with the code."""
    school_class = _class_or_404(code)
    session.pop(_TAPS, None)  # choosing a name starts a fresh sequence
    session.pop(_NOTICE, None)
    return render_template("signin/class_page.html", school_class=school_class,
                           pupils=queries.picture_pupils(school_class), avatar_of=queries.avatar_of,
                           waiting=services.class_wait_until(school_class) is not None)


@bp.route("/tap/<code>/<int:user_id>")
@public
def pupil_pictures(code: str, user_id: int) -> Response:
    """The picture grid for one pupil of the class. Anyone with the code; other pupils are "not found"."""
    school_class = _class_or_404(code)
    pupil = _picture_pupil_or_404(school_class, user_id)
    taps = _taps_for(school_class, pupil.id)
    notice = session.pop(_NOTICE, None)
    paused_until = services.paused_for(pupil, client_address())
    wait_until = None if paused_until else services.class_wait_until(school_class)
    response = make_response(render_template(
        "signin/pupil_pictures.html", school_class=school_class, pupil=pupil, avatar=queries.avatar_of(pupil),
        taps=taps, slots=SECRET_LENGTH, pictures=SECRET_PICTURES, picture_names=PICTURE_NAMES,
        notice=notice, paused=paused_until is not None, waiting=wait_until is not None, form=TapForm()))
    if wait_until is not None:
        # Reload when the class may try again: no JavaScript needed.
        response.headers["Refresh"] = str(_seconds_until(wait_until))
    return response


@bp.route("/tap/<code>/<int:user_id>", methods=["POST"])
@reads_first
@public
def tap_picture(code: str, user_id: int) -> Response:
    """One tap on the grid; the third tap checks the pictures and signs the pupil in. Anyone with the code.

    The first taps only read (the taps are kept in the session cookie), so they never wait for
    SQLite's write lock; the third one writes the try, in a short write transaction.
    """
    school_class = _class_or_404(code)
    pupil = _picture_pupil_or_404(school_class, user_id)
    back = redirect(url_for(".pupil_pictures", code=school_class.sign_in_code, user_id=pupil.id))
    form = TapForm()
    if not form.validate_on_submit():
        return back
    taps = _taps_for(school_class, pupil.id)
    if form.undo.data:
        _save_taps(school_class, pupil.id, taps[:-1])
        return back
    taps.append(form.picture.data)
    if len(taps) < SECRET_LENGTH:
        _save_taps(school_class, pupil.id, taps)
        return back
    outcome = services.check_pictures(school_class, pupil, taps, address=client_address())
    if outcome.result == "ok":
        start_session(pupil, via="pictures")
        return redirect(url_for("learning.dashboard"))
    if outcome.result == "wait":
        _save_taps(school_class, pupil.id, taps[:-1])  # keep the first taps: only the last one waits
        session[_NOTICE] = "wait"
        return back
    _save_taps(school_class, pupil.id, [])
    session[_NOTICE] = outcome.result  # "wrong" or "paused"
    return back


# --- Teachers: the class's sign-in tools --------------------------------------------------------


@bp.route("/classes/<int:class_id>/sign-in")
@requires(Permission.VIEW_PEOPLE)
def board(class_id: int) -> str:
    """"Show on the board": the class code and its address in huge text. Its teachers and coordinators."""
    school_class = access.managed_class_or_404(current_user, class_id)
    code = school_class.sign_in_code if services.code_is_current(school_class) else None
    class_url = url_for(".class_page", code=code, _external=True) if code else None
    return render_template(
        "signin/board.html", school_class=school_class, code=code, form=CodeForm(),
        permanent=school_class.sign_in_code_expires_at is None, class_url=class_url,
        qr=qr_code_data_uri(class_url, scale=8) if class_url else None,
        find_url=url_for(".find_class", _external=True), pupils=queries.picture_pupils(school_class),
        avatar_of=queries.avatar_of,
    )


@bp.route("/classes/<int:class_id>/sign-in/code", methods=["POST"])
@requires(Permission.VIEW_PEOPLE)
def generate_code(class_id: int) -> Response:
    """Make the class's sign-in code, or replace it so the old one stops working. Its teachers and coordinators."""
    school_class = access.managed_class_or_404(current_user, class_id)
    form = CodeForm()
    if form.validate_on_submit():
        replacing = form.replace.data == "1" and services.code_is_current(school_class)
        services.ensure_sign_in_code(school_class, replace=form.replace.data == "1", permanent=form.permanent.data)
        if replacing:
            flash(_("The class has a new sign-in code. The old code no longer works."), "success")
        elif form.permanent.data:
            flash(_("The class's sign-in code now works until you replace it."), "success")
        else:
            flash(_("The class has a sign-in code for today."), "success")
    return redirect(url_for(".board", class_id=school_class.id))


def _card(pupil: Any) -> dict[str, Any]:
    pictures = uses_pictures(pupil.year_group)
    return {
        "pupil": pupil, "pictures": pictures, "avatar": queries.avatar_of(pupil),
        "sequence": queries.card_pictures_of(pupil) if pictures else (),
        "password": None if pictures else pupil.card_secret,
        #: The secret is kept but this site's data key cannot read it (restored without its key).
        "unreadable": is_unreadable(pupil.card_secret),
        "paused": pictures and services.pupil_paused_until(pupil) is not None,
    }


@bp.route("/classes/<int:class_id>/cards")
@requires(Permission.VIEW_PEOPLE)
def cards(class_id: int) -> str:
    """Printable login cards (eight to an A4 sheet), with the buttons to re-issue them.

    The only page that shows first passwords and picture sequences. ``?pupil=<id>`` prints one
    pupil's card. The class's teachers and coordinators.
    """
    school_class = access.managed_class_or_404(current_user, class_id)
    only = request.args.get("pupil", type=int)
    if only is not None:
        pupils = [access.class_pupil_or_404(current_user, school_class, only)]
    else:
        pupils = pupils_of(school_class)
    class_url = (url_for(".class_page", code=school_class.sign_in_code, _external=True)
                 if services.code_is_current(school_class) else None)
    page = render_template(
        "signin/cards.html", school_class=school_class, cards=[_card(p) for p in pupils], only=only,
        class_url=class_url, qr=qr_code_data_uri(class_url, scale=3) if class_url else None,
        code_current=services.code_is_current(school_class),
        code_ends_today=school_class.sign_in_code_expires_at is not None,
        login_url=url_for("accounts.login", _external=True), picture_names=PICTURE_NAMES, form=EmptyForm(),
    )
    record_event(AuditAction.LOGIN_CARDS_VIEWED, actor=current_user, school_id=school_class.school_id,
                 subject_user_id=pupils[0].id if only is not None else None,
                 details={"kind": "person" if only else "class", "class_id": school_class.id, "people": len(pupils)})
    return page


def _class_pupil_tool(class_id: int, user_id: int, act: Callable[[User], None]) -> Response:
    """Run one of the teacher's buttons on a pupil of a class they manage, then show the pupil's card."""
    school_class = access.managed_class_or_404(current_user, class_id)
    pupil = access.class_pupil_or_404(current_user, school_class, user_id)
    if EmptyForm().validate_on_submit():
        act(pupil)
    return redirect(url_for(".cards", class_id=school_class.id, pupil=pupil.id))


@bp.route("/classes/<int:class_id>/pupils/<int:user_id>/reset-pictures", methods=["POST"])
@requires(Permission.VIEW_PEOPLE)
def reset_pictures(class_id: int, user_id: int) -> Response:
    """Give a pupil new secret pictures and end any pause; their old card stops working.

    The class's teachers and coordinators; pupils of the class only.
    """
    def act(pupil: User) -> None:
        if not uses_pictures(pupil.year_group):
            flash(_("%(name)s signs in with a password, not pictures.", name=pupil.full_name), "error")
        else:
            services.reset_pictures(pupil, actor=current_user)
            flash(_("%(name)s has new pictures and can try again now. Print their new card.",
                    name=pupil.full_name), "success")

    return _class_pupil_tool(class_id, user_id, act)


@bp.route("/classes/<int:class_id>/pupils/<int:user_id>/unpause", methods=["POST"])
@requires(Permission.VIEW_PEOPLE)
def unpause(class_id: int, user_id: int) -> Response:
    """Let a paused pupil try their same pictures again at once (no new card needed).

    The class's teachers and coordinators; pupils of the class only.
    """
    def act(pupil: User) -> None:
        services.clear_pause(pupil)
        flash(_("%(name)s can try their pictures again now.", name=pupil.full_name), "success")

    return _class_pupil_tool(class_id, user_id, act)


@bp.route("/classes/<int:class_id>/pupils/<int:user_id>/new-password", methods=["POST"])
@requires(Permission.VIEW_PEOPLE)
def new_password(class_id: int, user_id: int) -> Response:
    """Give a pupil a new first password (changed at their next sign-in); other sessions end.

    The class's teachers and coordinators; pupils of the class only.
    """
    def act(pupil: User) -> None:
        if uses_pictures(pupil.year_group):
            flash(_("%(name)s signs in with pictures, not a password.", name=pupil.full_name), "error")
        else:
            services.reissue_pupil_password(pupil, actor=current_user)
            flash(_("%(name)s has a new first password. Print their new card.", name=pupil.full_name), "success")

    return _class_pupil_tool(class_id, user_id, act)
