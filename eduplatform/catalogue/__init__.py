"""The content catalogue: curriculum structure plus per-locale content, loaded once at start-up.

Use :func:`current_catalogue` inside the app; :func:`load_catalogue` reads the folders.
"""

from flask import current_app

from eduplatform.catalogue.files import ContentError, Problem
from eduplatform.catalogue.loader import load_catalogue
from eduplatform.catalogue.model import Catalogue

__all__ = ["Catalogue", "ContentError", "Problem", "current_catalogue", "load_catalogue"]


def current_catalogue() -> Catalogue:
    """The catalogue of the running app."""
    return current_app.extensions["eduplatform.catalogue"]
