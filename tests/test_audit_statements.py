"""The audit's outcomes drilled to Education for a Connected World statements: first attempts only,
per strand and statement, with the statements' words in the labels."""

from __future__ import annotations

import pytest

from eduplatform.academic_year import AcademicYear
from eduplatform.catalogue import current_catalogue
from eduplatform.db import db
from eduplatform.records import services
from eduplatform.records.grading import grade
from eduplatform.records.programme import programme_for
from eduplatform.reports.audit import Audit
from eduplatform.reports.audit_build import build_audit
from eduplatform.reports.audit_counts import YearCounts
from eduplatform.reports.audit_figures import FigureMaker
from eduplatform.reports.audit_render import audit_file
from eduplatform.reports.audit_statements import (
    MEASURE,
    add_statement_figures,
    count_first_answers,
    statement_labels,
)
from eduplatform.reports.scope import build_scope
from eduplatform.schools.models import School
from tests.conftest import run_in_app
from tests.records_world import ALL_RIGHT, RecordsWorld, build_records_world
from tests.test_statements import _map_ks2_question, copy  # noqa: F401 (the fixture)


@pytest.fixture
def world(app, make_trust, make_school, make_user, make_class, link) -> RecordsWorld:
    return build_records_world(app, make_trust, make_school, make_user, make_class, link)


def test_only_each_pupils_first_attempt_is_counted(app, world: RecordsWorld) -> None:
    def second_attempt_then_count() -> dict:
        catalogue = current_catalogue()
        module = catalogue.modules["ks2-passwords"]
        quiz = catalogue.module_content(module.id, "en").quiz
        # The pupil who got half right tries again and gets everything right: not a first attempt.
        services.record_quiz_attempt(world.people["ks2_trying"], module, quiz,
                                     grade(quiz, ALL_RIGHT, module.pass_mark), "t-again", world.year, catalogue)
        school = db.session.get(School, world.school.id)
        return count_first_answers(build_scope([school], world.year, catalogue))

    counts = run_in_app(app, second_attempt_then_count)
    school = world.school.id
    # Two pupils' first attempts: both right on q1, one right on q4 (the retry's right answer is not counted).
    assert counts[(school, "ks2-passwords", "q1")] == (2, 2)
    assert counts[(school, "ks2-passwords", "q4")] == (2, 1)
    assert all(key[0] == school for key in counts)  # the sister school's attempt is another school's


def test_statement_figures_per_strand_with_last_year(copy) -> None:  # noqa: F811 (the fixture)
    _map_ks2_question(copy, "q1", "privacy_security", "[priv-7-11-01]")
    _map_ks2_question(copy, "q2", "privacy_security", "[priv-7-11-01, priv-7-11-02]")
    _map_ks2_question(copy, "q3", "online_bullying", "[bul-7-11-01]")
    catalogue = copy.load()
    programme = programme_for(None, AcademicYear(2025), catalogue)
    now = YearCounts(first_answers={(1, "ks2-passwords", "q1"): (10, 9), (1, "ks2-passwords", "q2"): (10, 5),
                                    (2, "ks2-passwords", "q2"): (4, 0), (1, "ks2-passwords", "q4"): (10, 1)})
    before = YearCounts(first_answers={(1, "ks2-passwords", "q3"): (8, 2)})
    maker = FigureMaker(now, before, {1}, None)
    add_statement_figures(maker, programme, catalogue)
    found = {(f.audience, f.strand, f.item): (f.count, f.total, f.value, f.previous) for f in maker.figures}
    assert found == {
        ("ks2", "privacy_security", "priv-7-11-01"): (14, 20, 70.0, None),  # q1 and q2 of school 1 only
        ("ks2", "privacy_security", "priv-7-11-02"): (5, 10, 50.0, None),
        ("ks2", "online_bullying", "bul-7-11-01"): (None, None, None, 25.0),  # answered last year only
    }
    assert all(f.measure == MEASURE and f.section == "outcomes" and f.unit == "score" for f in maker.figures)
    assert statement_labels(catalogue, maker.figures) == {
        "priv-7-11-01": "I can make a strong password and keep it private.",
        "priv-7-11-02": "I can explain what personal information is.",
        "bul-7-11-01": "I can tell a trusted adult about online bullying."}


def test_the_audit_lists_statements_when_the_catalogue_maps_them(app, world: RecordsWorld,
                                                                 copy) -> None:  # noqa: F811 (the fixture)
    _map_ks2_question(copy, "q1", "privacy_security", "[priv-7-11-01]")
    catalogue = copy.load()

    def build() -> tuple[Audit, str]:
        school = db.session.get(School, world.school.id)
        audit = build_audit(build_scope([school], world.year, catalogue), catalogue, "en")
        with app.test_request_context("/"):
            return audit, str(audit_file(audit, "html"))

    audit, html = run_in_app(app, build)
    figure = audit.figure("outcomes", MEASURE, "ks2", item="priv-7-11-01", strand="privacy_security")
    assert (figure.count, figure.total) == (2, 2)  # both pupils got q1 right at their first attempt
    assert audit.label("statements", "priv-7-11-01") == "I can make a strong password and keep it private."
    assert "Statements: right answers at the first attempt" in html
    assert "<th scope=\"row\">I can make a strong password and keep it private.</th>" in html
    assert Audit.from_json(audit.to_json()).label("statements", "priv-7-11-01") == audit.label(
        "statements", "priv-7-11-01")
