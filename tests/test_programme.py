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
