"""The consent register of a class: parents' choices per consent item, to check before a photo or publishing."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import get_locale
from flask_login import current_user

from eduplatform.academic_year import AcademicYear, local_date
from eduplatform.access import Permission, get_visible_class_or_404, requires
from eduplatform.catalogue import current_catalogue
from eduplatform.classroom.consent_register import class_register, consent_items
from eduplatform.db import utcnow
from eduplatform.schools.queries import pupils_of
from eduplatform.schools.years import time_zone_of

bp = Blueprint("consent_register", __name__)


@bp.route("/classes/<int:class_id>/consents")
@requires(Permission.TEACH_CLASSES)
def show_register(class_id: int) -> str:
    """For each consent item, the pupils who may appear, who may not, and whose parents have not
    answered; prints on one A4 page.

    The class's teachers and its school's coordinator (the class page's readers).
    """
    school_class = get_visible_class_or_404(current_user, class_id, any_year=True)
    pupils = pupils_of(school_class)
    items = consent_items(current_catalogue(), str(get_locale()))
    return render_template("classroom/consent_register.html", school_class=school_class, pupils=pupils,
                           today=local_date(utcnow(), time_zone_of(school_class.school)),
                           register=class_register(current_user, pupils, items,
                                                   AcademicYear(school_class.academic_year)))
