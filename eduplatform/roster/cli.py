"""``flask --app app import-roster``: the command-line side of roster import."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach the roster commands to the app's CLI."""
