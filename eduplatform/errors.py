"""Error pages: a clear, translated message; the request's database work is rolled back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, flash, g, redirect, render_template, request
from flask_wtf.csrf import CSRFError

from eduplatform.db import db
from eduplatform.i18n import _

View = TypeVar("View", bound=Callable[..., Any])

_MESSAGES = {
    400: lambda: _("The request could not be understood. Please go back and try again."),
    403: lambda: _("You do not have permission to open this page."),
    404: lambda: _("We could not find that page."),
    405: lambda: _("That action is not allowed here."),
    413: lambda: _("That file is too large. Nothing was saved: choose a smaller file (at most 8 MB)."),
    429: lambda: _("Too many tries from this connection. Nothing was changed: wait a few minutes, then try "
                   "again."),
    500: lambda: _("Something went wrong on our side. Nothing was saved. Please try again."),
    503: lambda: _("That is not available on this server at the moment."),
}


def explain_refusal(refused: Exception, form: Any = None) -> None:
    """A service refused a change: undo the request's writes and show the reason on the next page.

    For services whose refusal errors carry the message for the person (``str(error)``). With the
    ``form`` being shown again, a refusal that names one of its fields (``refused.field``) is shown
    at that field, and so in the form's error summary, instead of at the top of the page.
    """
    db.session.rollback()
    name = getattr(refused, "field", None)
    if form is not None and name and name in form:
        form[name].errors = [*form[name].errors, str(refused)]
        return
    flash(str(refused), "error")


def _render(status: int, message: Callable[[], str] | str) -> tuple[str, int]:
    """The error page. The request's database work is undone first: after a failed statement the
    transaction is unusable (PostgreSQL), and the page still reads the signed-in person."""
    try:
        db.session.rollback()
    except Exception:
        g.pop("db_session", None)
    text = message() if callable(message) else message
    return render_template("errors/error.html", status=status, message=text), status


def back_to_page_when_expired(page: Callable[..., str]) -> Callable[[View], View]:
    """Mark a one-button POST view (nothing typed to lose): when its form has expired, the person is
    sent back to ``page(**view_args)`` with a message that nothing was saved, instead of an error page.

    Put it directly under the ``route`` decorator.
    """

    def mark(view: View) -> View:
        view.eduplatform_page_when_expired = page  # type: ignore[attr-defined]
        return view

    return mark


def _page_to_return_to() -> str | None:
    if request.endpoint is None:
        return None
    page = getattr(current_app.view_functions.get(request.endpoint), "eduplatform_page_when_expired", None)
    return page(**(request.view_args or {})) if page is not None else None


def register_error_handlers(app: Flask) -> None:
    """Install handlers for the HTTP errors users can meet, and for a missing CSRF token."""

    def handle_csrf(_error: CSRFError) -> Any:
        page = _page_to_return_to()
        if page is not None:  # a one-button form: back to its page, saying nothing was saved
            try:
                db.session.rollback()
            except Exception:
                g.pop("db_session", None)
            flash(_("That was not saved: the page had been open too long. Press the button again."), "error")
            return redirect(page)
        return _render(400, lambda: _("This form has expired or was sent from elsewhere. Nothing was saved: "
                                      "go back, reload the page and try again."))

    app.register_error_handler(CSRFError, handle_csrf)
    for status, message in _MESSAGES.items():
        app.register_error_handler(status, lambda error, s=status, m=message: _render(s, lambda: _message(error, m)))


def _message(error: Exception, default: Callable[[], str]) -> str:
    """The message a view gave with ``abort(status, description=...)``, else the status's own.

    Werkzeug's built-in descriptions are English-only and technical: they are never shown.
    """
    description = getattr(error, "description", None)
    if getattr(error, "code", None) == 429:  # Flask-Limiter's description is the limit, in English
        return default()
    if description and description != getattr(type(error), "description", None):
        return str(description)
    return default()
