"""Consent downloads and returns: a class's consent register as CSV, and the coordinator's returns page."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import get_locale
from flask_login import current_user

from eduplatform.academic_year import AcademicYear
from eduplatform.access import Permission, get_visible_class_or_404, overseen_school_or_404, overseen_schools, requires
from eduplatform.catalogue import current_catalogue
from eduplatform.classroom.consent_register import ConsentState, class_choices, consent_items
from eduplatform.i18n import _
from eduplatform.reports.consent_returns import consent_returns
from eduplatform.reports.views import _logged_csv
from eduplatform.schools.models import School
from eduplatform.schools.queries import pupils_of
from eduplatform.schools.years import current_year

bp = Blueprint("consent_reports", __name__)


def _state_labels() -> dict[ConsentState, str]:
    return {ConsentState.YES: _("yes"), ConsentState.NO: _("no"), ConsentState.NOT_ANSWERED: _("not answered")}


@bp.route("/classes/<int:class_id>/consents.csv")
@requires(Permission.TEACH_CLASSES)
def register_csv(class_id: int) -> Response:
    """Download the class's consent register as CSV: first name, last-name initial, then yes / no /
    not answered per consent item (streamed, formula-safe). Logged.

    The class's teachers and its school's coordinator.
    """
    school_class = get_visible_class_or_404(current_user, class_id, any_year=True)
    pupils = pupils_of(school_class)
    items = consent_items(current_catalogue(), str(get_locale()))
    year = AcademicYear(school_class.academic_year)
    labels = _state_labels()
    columns = [_("First name"), _("Last name initial"), *(item.label for item in items)]
    rows = ([row.first_name, row.initial, *(labels[state] for state in row.states)]
            for row in class_choices(current_user, pupils, items, year))
    details = {"kind": "consent_register", "format": "csv", "class_id": school_class.id,
               "year": year.start_year}
    filename = f"consents-class-{school_class.id}-{year.label.replace('/', '-')}.csv"
    return _logged_csv(columns, rows, actor=current_user._get_current_object(), school_ids=[school_class.school_id],
                       details=details, filename=filename)


def _chosen_school(schools: list[School]) -> School | None:
    """The school in ``?school=``, else the only school the actor oversees, else None (choose one)."""
    raw = request.args.get("school")
    if raw:
        if not raw.isdigit():
            abort(400, description=_("%(value)s is not a school.", value=raw[:40]))
        return overseen_school_or_404(current_user, int(raw))
    return schools[0] if len(schools) == 1 else None


@bp.route("/consents")
@requires(Permission.VIEW_SCHOOL_PROGRESS)
def returns() -> str:
    """Per class and consent item: how many pupils' parents said yes, no, or have not answered, and
    the share answered, this year.

    Coordinators (their school); trust leads and administrators choose one of their schools.
    """
    schools = overseen_schools(current_user)
    if not schools:
        abort(403)
    school = _chosen_school(schools)
    if school is None:
        return render_template("reports/consent_returns.html", schools=schools, school=None)
    items = consent_items(current_catalogue(), str(get_locale()))
    year = current_year(school)
    return render_template("reports/consent_returns.html", schools=schools, school=school, year=year, items=items,
                           classes=consent_returns(current_user, school.id, year, items))
