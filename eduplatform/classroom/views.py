"""Routes of the classroom feature."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("classroom", __name__)
