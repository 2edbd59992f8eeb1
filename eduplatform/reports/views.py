"""Oversight pages: completion across the viewer's scope."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from eduplatform.access import Permission, requires
from eduplatform.catalogue import current_catalogue
from eduplatform.reports import queries
from eduplatform.schools.years import requested_year

bp = Blueprint("reports", __name__)


@bp.route("/progress")
@requires(Permission.VIEW_SCHOOL_PROGRESS)
def school_progress() -> str:
    """Completion of every module in a year across the viewer's scope. Coordinators, trust leads, admins."""
    year = requested_year(current_user)
    return render_template("reports/school_progress.html", year=year,
                           rows=queries.school_progress(current_user, current_catalogue(), year))
