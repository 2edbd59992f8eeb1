"""A school with a year of records in every audience, for the records and audit tests.

Built through the records services, like the site writes them: completions, quiz attempts with
answers, teacher-led sessions, a class signing together, signatures and consents.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eduplatform.academic_year import AcademicYear
from eduplatform.catalogue import current_catalogue
from eduplatform.records import services
from eduplatform.records.grading import grade
from eduplatform.records.models import CompletionMethod, SignatureMethod
from eduplatform.roles import Role
from eduplatform.schools.years import current_year
from tests.conftest import run_in_app

ALL_RIGHT = {"q1": ["b"], "q2": ["a", "c"], "q3": ["true"], "q4": ["false"]}
HALF_RIGHT = {"q1": ["b"], "q2": ["a"], "q3": ["true"], "q4": ["true"]}


@dataclass
class RecordsWorld:
    school: Any
    other_school: Any
    far_school: Any
    trust: Any
    people: dict[str, Any]
    ks1_class: Any
    ks2_class: Any
    year: AcademicYear


def build_records_world(app, make_trust, make_school, make_user, make_class, link) -> RecordsWorld:
    trust = make_trust()
    school = make_school("Records School", trust=trust)
    other_school = make_school("Sister School", trust=trust)
    far_school = make_school("Far School", trust=make_trust())
    people = {
        "coordinator": make_user(Role.COORDINATOR, Role.STAFF, school=school, first_name="Cora", last_name="Ord"),
        "teacher": make_user(Role.STAFF, school=school, first_name="Tess", last_name="Cher"),
        "governor": make_user(Role.GOVERNOR, school=school, first_name="Gov", last_name="Ernor"),
        "visitor": make_user(Role.VISITOR, school=school),
        "parent": make_user(Role.PARENT, school=school, first_name="Pat", last_name="Rent"),
        "trust_lead": make_user(Role.TRUST_LEAD, trust_id=trust.id),
        "other_coordinator": make_user(Role.COORDINATOR, school=other_school),
        "far_coordinator": make_user(Role.COORDINATOR, school=far_school),
    }
    ks1 = [make_user(Role.PUPIL, school=school, year_group=1, first_name=f"Kay{n}", last_name="One") for n in range(3)]
    ks2 = [make_user(Role.PUPIL, school=school, year_group=5, first_name=name, last_name="Five")
           for name in ("Ada", "Ben", '=HYPERLINK("http://x")')]
    people.update(ks2_done=ks2[0], ks2_trying=ks2[1], ks2_formula=ks2[2], ks1_first=ks1[0],
                  ks3=make_user(Role.PUPIL, school=school, year_group=8),
                  sister_pupil=make_user(Role.PUPIL, school=other_school, year_group=5, first_name="Sis"),
                  far_pupil=make_user(Role.PUPIL, school=far_school, year_group=5, first_name="Faraway"))
    ks1_class = make_class(school, year_group=1, pupils=tuple(ks1), teachers=(people["teacher"],))
    ks2_class = make_class(school, year_group=5, pupils=tuple(ks2), teachers=(people["teacher"],))
    make_class(other_school, year_group=5, pupils=(people["sister_pupil"],))
    link(people["parent"], ks2[0])
    link(people["parent"], ks1[0])
    year = run_in_app(app, lambda: current_year(school))

    def records() -> None:
        from eduplatform.db import db
        from eduplatform.schools.models import SchoolClass

        catalogue = current_catalogue()
        module = catalogue.modules["ks2-passwords"]
        quiz = catalogue.module_content(module.id, "en").quiz
        for lesson in catalogue.module_content(module.id, "en").lessons:
            services.record_lesson_read(ks2[0], module, lesson, year, catalogue)
        services.record_quiz_attempt(ks2[0], module, quiz, grade(quiz, ALL_RIGHT, module.pass_mark), "t1", year,
                                     catalogue)
        services.record_quiz_attempt(ks2[1], module, quiz, grade(quiz, HALF_RIGHT, module.pass_mark), "t2", year,
                                     catalogue)
        services.record_quiz_attempt(people["sister_pupil"], module, quiz, grade(quiz, ALL_RIGHT, module.pass_mark),
                                     "t3", year, catalogue)
        teacher = people["teacher"]
        ks1_row = db.session.get(SchoolClass, ks1_class.id)
        services.record_teacher_led_session(teacher, ks1_row, catalogue.modules["ks1-asking"], ks1[:2], year)
        services.record_class_signing(teacher, ks1_row, catalogue.agreement_content("ks1-aup", "en"), ks1, year,
                                      catalogue)
        services.record_signature(ks2[0], catalogue.agreement_content("ks2-aup", "en"), SignatureMethod.TICKED,
                                  year, catalogue)
        services.record_signature(people["coordinator"], catalogue.agreement_content("staff-aup", "en"),
                                  SignatureMethod.TYPED_NAME, year, catalogue, typed_name="Cora Ord")
        services.record_completion_for(people["governor"], catalogue.modules["governors-duties"], year,
                                       recorded_by=people["governor"], method=CompletionMethod.SELF)
        home = catalogue.agreement_content("home-school-agreement", "en")
        services.record_signature(people["parent"], home, SignatureMethod.TYPED_NAME, year, catalogue,
                                  typed_name="Pat Rent")
        services.record_consent_choices(people["parent"], home, {(ks2[0].id, "photos-website"): True,
                                                                 (ks1[0].id, "photos-website"): False})

    run_in_app(app, records)
    return RecordsWorld(school, other_school, far_school, trust, people, ks1_class, ks2_class, year)
