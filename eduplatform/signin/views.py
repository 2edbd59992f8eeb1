"""Routes of the signin feature."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("signin", __name__)
