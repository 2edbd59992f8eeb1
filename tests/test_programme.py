"""The programme shipped in curriculum/ and content/ loads cleanly and is complete."""

from __future__ import annotations

from eduplatform.catalogue.model import Learners
from eduplatform.catalogue.report import MAX_READING_GRADE, programme_problems, reading_levels, strand_coverage


def test_check_content_passes_on_the_shipped_programme(real_app) -> None:
    result = real_app.test_cli_runner().invoke(args=["check-content"])
    assert result.exit_code == 0, result.output
    assert "Content OK." in result.output


def test_every_pupil_band_covers_every_strand_with_quiz_questions(real_app) -> None:
    catalogue = real_app.extensions["eduplatform.catalogue"]
    rows = strand_coverage(catalogue)
    assert len(rows) == 4 and len(catalogue.strands) == 8
    for row in rows:
        assert all(row.modules_per_strand.values()) and all(row.questions_per_strand.values()), row
    assert programme_problems(catalogue) == []


def test_pupil_quizzes_are_long_enough_and_every_audience_has_an_agreement(real_app) -> None:
    catalogue = real_app.extensions["eduplatform.catalogue"]
    for module in catalogue.modules.values():
        audience = catalogue.audiences[module.audience]
        if audience.learners is Learners.PUPILS:
            quiz = catalogue.module_content(module.id, "en").quiz
            assert quiz is not None, module.id
            assert len(quiz.questions) >= (3 if audience.id == "ks1" else 5), module.id
    audiences_with_agreements = {a for agreement in catalogue.agreements.values() for a in agreement.audiences}
    assert {"ks1", "ks2", "ks3", "ks4", "staff", "governors", "parents", "visitors"} <= audiences_with_agreements


def test_reading_levels_fit_each_pupil_age_band(real_app) -> None:
    catalogue = real_app.extensions["eduplatform.catalogue"]
    levels = reading_levels(catalogue)
    for audience in catalogue.audiences.values():
        if audience.age_band:
            assert levels[audience.id].grade <= MAX_READING_GRADE[audience.age_band], audience.id


def test_modules_in_term_order_are_the_order_pupils_see_and_the_class_grid_shows(real_app) -> None:
    from eduplatform.catalogue.model import Term
    from eduplatform.classroom.queries import class_modules

    catalogue = real_app.extensions["eduplatform.catalogue"]
    for audience_id in ("ks1", "ks2", "ks3", "ks4"):
        modules = catalogue.modules_for((audience_id,))
        # The dashboard's grouping: each term's modules in programme order, then the unscheduled ones.
        dashboard = [m for term in Term for m in modules if catalogue.schedule.term_of.get(m.id) is term]
        dashboard += [m for m in modules if m.id not in catalogue.schedule.term_of]
        assert list(catalogue.in_term_order(modules)) == dashboard
        assert list(class_modules(frozenset({audience_id}), catalogue)) == dashboard
    ks2 = catalogue.modules_for(("ks2",))
    assert list(catalogue.in_term_order(ks2)) != list(ks2)  # the real programme does reorder
