"""A teacher's classes: progress grid, presentation mode, teacher-led sessions and class signing."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response

from eduplatform.academic_year import AcademicYear
from eduplatform.access import (
    Permission,
    class_agreement_or_404,
    class_audience_ids,
    class_board_agreement_or_404,
    class_module_or_404,
    get_visible_class_or_404,
    requires,
)
from eduplatform.accounts.models import User
from eduplatform.catalogue import current_catalogue
from eduplatform.classroom import queries as class_queries
from eduplatform.classroom.board import board_links, board_target
from eduplatform.classroom.forms import attendance_form
from eduplatform.i18n import _
from eduplatform.records import queries
from eduplatform.records.services import record_class_signing, record_teacher_led_session
from eduplatform.schools.models import SchoolClass
from eduplatform.schools.queries import pupils_of
from eduplatform.schools.years import current_year, requested_year
from eduplatform.signin.pictures import uses_pictures

bp = Blueprint("classroom", __name__)


def _class_and_pupils(class_id: int, *, any_year: bool = False) -> tuple[SchoolClass, list[User]]:
    school_class = get_visible_class_or_404(current_user, class_id, any_year=any_year)
    return school_class, pupils_of(school_class)


@bp.route("/classes")
@requires(Permission.TEACH_CLASSES)
def list_classes() -> str:
    """The classes a teacher teaches (a coordinator: every class of the school) in a year (default: this one)."""
    year = requested_year(current_user)
    return render_template("classroom/list_classes.html", year=year,
                           classes=class_queries.classes_in_scope(current_user, year))


@bp.route("/classes/<int:class_id>")
@requires(Permission.TEACH_CLASSES)
def show_class(class_id: int) -> str:
    """The class × module grid, who has signed the class's agreement, whether each pupil may appear
    in photos (their parents' current choices), and the most-missed questions.

    The class's teachers and its school's coordinator.
    """
    school_class, pupils = _class_and_pupils(class_id, any_year=True)
    catalogue = current_catalogue()
    year = AcademicYear(school_class.academic_year)
    audience_ids = class_audience_ids(school_class, pupils, catalogue)
    modules = class_queries.class_modules(audience_ids, catalogue)
    agreements = class_queries.class_agreements(audience_ids, catalogue)
    pupil_ids = [pupil.id for pupil in pupils]
    missed = []
    for item in queries.most_missed_questions(current_user, pupil_ids, year):
        if item.module_id not in catalogue.modules:
            continue  # a module since removed from the programme
        content = catalogue.module_content(item.module_id, str(get_locale()))
        question = next((q for q in content.quiz.questions if q.id == item.question_id), None) if content.quiz \
            else None
        if question is not None:
            missed.append((item, content.title, question))
    photo_columns = class_queries.photo_consent_columns(catalogue, str(get_locale()))
    return render_template(
        "classroom/show_class.html", school_class=school_class, pupils=pupils, modules=modules,
        agreements=agreements, year=year, missed=missed, uses_pictures=uses_pictures(school_class.year_group),
        statuses=queries.module_statuses_for_many(current_user, pupil_ids, modules, year),
        signatures=queries.agreement_statuses_for_many(current_user, pupil_ids, agreements, catalogue, year),
        photo_columns=photo_columns,
        photo_consents=queries.consent_choices_for_many(
            current_user, pupil_ids, [(c.agreement_id, c.consent_id) for c in photo_columns], year),
    )


def _board_linker(school_class: SchoolClass, pupils: list[User]) -> Callable[[Markup], Markup]:
    """Rewrites the links of projected HTML to the class's board pages (see classroom.board)."""
    catalogue = current_catalogue()
    audience_ids = class_audience_ids(school_class, pupils, catalogue)
    modules = {module.id: module for module in class_queries.class_modules(audience_ids, catalogue)}
    agreements = {agreement.id: agreement for agreement in class_queries.class_agreements(audience_ids, catalogue)}
    return lambda html: board_links(html, lambda href: board_target(href, school_class.id, modules, agreements))


@bp.route("/classes/<int:class_id>/present/<module_id>/<lesson_id>")
@requires(Permission.TEACH_CLASSES)
def present_lesson(class_id: int, module_id: str, lesson_id: str) -> str:
    """A lesson in board mode, to project: no site menu, one section at a time, pictures sized to
    the screen, links leading to other board pages, and the teacher's discussion prompt folded
    under each section. The register is not here: it stays on the class page.

    The class's teachers and its school's coordinator.
    """
    school_class, pupils = _class_and_pupils(class_id)
    module = class_module_or_404(school_class, pupils, module_id)
    content = current_catalogue().module_content(module.id, str(get_locale()))
    lesson = next((lesson for lesson in content.lessons if lesson.id == lesson_id), None)
    if lesson is None:
        abort(404)
    position = module.lesson_ids.index(lesson.id)
    return render_template("classroom/present_lesson.html", school_class=school_class, module=module,
                           content=content, lesson=lesson, position=position,
                           board_html=_board_linker(school_class, pupils))


@bp.route("/classes/<int:class_id>/board/agreements/<agreement_id>")
@requires(Permission.TEACH_CLASSES)
def present_agreement(class_id: int, agreement_id: str) -> str:
    """An agreement of the class in board mode: its text, then each promise on its own with its picture.

    The class's teachers and its school's coordinator.
    """
    school_class, pupils = _class_and_pupils(class_id)
    agreement = class_board_agreement_or_404(school_class, pupils, agreement_id)
    content = current_catalogue().agreement_content(agreement.id, str(get_locale()))
    return render_template("classroom/present_agreement.html", school_class=school_class, agreement=agreement,
                           content=content, board_html=_board_linker(school_class, pupils))


@bp.route("/classes/<int:class_id>/sessions/<module_id>", methods=["GET", "POST"])
@requires(Permission.TEACH_CLASSES)
def record_session(class_id: int, module_id: str) -> str | Response:
    """After teaching a module, tick who was present: they complete it, teacher-led, by this teacher.

    The class's teachers and its school's coordinator.
    """
    school_class, pupils = _class_and_pupils(class_id)
    module = class_module_or_404(school_class, pupils, module_id)
    form = attendance_form(pupils)
    if form.validate_on_submit():
        present = [pupil for pupil in pupils if pupil.id in set(form.present.data)]
        record_teacher_led_session(current_user, school_class, module, present, current_year(current_user))
        flash(_("%(count)d pupils have completed this module, led by you.", count=len(present)), "success")
        return redirect(url_for(".show_class", class_id=school_class.id))
    content = current_catalogue().module_content(module.id, str(get_locale()))
    return render_template("classroom/record_session.html", school_class=school_class, module=module,
                           content=content, form=form)


@bp.route("/classes/<int:class_id>/agreements/<agreement_id>", methods=["GET", "POST"])
@requires(Permission.TEACH_CLASSES)
def sign_together(class_id: int, agreement_id: str) -> str | Response:
    """The class reads its picture agreement together and agrees: each pupil present signs, witnessed.

    For agreements pupils sign by ticking (the youngest classes). The class's teachers and coordinator.
    """
    school_class, pupils = _class_and_pupils(class_id)
    agreement = class_agreement_or_404(school_class, pupils, agreement_id)
    catalogue = current_catalogue()
    content = catalogue.agreement_content(agreement.id, str(get_locale()))
    form = attendance_form(pupils, submit_label=_("We agree: record it for the pupils ticked"))
    if form.validate_on_submit():
        present = [pupil for pupil in pupils if pupil.id in set(form.present.data)]
        _session, signed = record_class_signing(current_user, school_class, content, present,
                                                current_year(current_user), catalogue)
        flash(_("%(count)d pupils have agreed, with you as witness.", count=signed), "success")
        return redirect(url_for(".show_class", class_id=school_class.id))
    return render_template("classroom/sign_together.html", school_class=school_class, agreement=agreement,
                           content=content, form=form)
