"""Error pages: a clear, translated message; the request's database work is rolled back."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, flash, render_template
from flask_wtf.csrf import CSRFError

from eduplatform.db import db
from eduplatform.i18n import _

_MESSAGES = {
    400: lambda: _("The request could not be understood. Please go back and try again."),
    403: lambda: _("You do not have permission to open this page."),
    404: lambda: _("We could not find that page."),
    405: lambda: _("That action is not allowed here."),
    500: lambda: _("Something went wrong on our side. Nothing was saved. Please try again."),
    503: lambda: _("That is not available on this server at the moment."),
}


def explain_refusal(refused: Exception) -> None:
    """A service refused a change: undo the request's writes and show the reason on the next page.

    For services whose refusal errors carry the message for the person (``str(error)``).
    """
    db.session.rollback()
    flash(str(refused), "error")


def _render(status: int, message: str) -> tuple[str, int]:
    return render_template("errors/error.html", status=status, message=message), status


def register_error_handlers(app: Flask) -> None:
    """Install handlers for the HTTP errors users can meet, and for a missing CSRF token."""

    def handle_csrf(_error: CSRFError) -> tuple[str, int]:
        return _render(400, _("This form has expired or was sent from elsewhere. Nothing was saved: "
                              "go back, reload the page and try again."))

    app.register_error_handler(CSRFError, handle_csrf)
    for status, message in _MESSAGES.items():
        app.register_error_handler(status, lambda error, s=status, m=message: _render(s, _message(error, m)))


def _message(error: Exception, default: Callable[[], str]) -> str:
    """The message a view gave with ``abort(status, description=...)``, else the status's own.

    Werkzeug's built-in descriptions are English-only and technical: they are never shown.
    """
    description = getattr(error, "description", None)
    if description and description != getattr(type(error), "description", None):
        return str(description)
    return default()
