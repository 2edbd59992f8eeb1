"""What each section and measure of the audit is called on the page and in the PDF (translated)."""

from __future__ import annotations

from eduplatform.i18n import _l

SECTION_TITLES = {
    "summary": _l("1. Summary"),
    "programme": _l("2. Programme delivered"),
    "agreements": _l("3. Acceptable use agreements"),
    "outcomes": _l("4. Pupil outcomes by strand"),
    "staff": _l("5. Staff and governors"),
    "parents": _l("6. Parents and carers"),
    "year_on_year": _l("7. Year on year"),
    "self_review": _l("8. Self-review"),
    "sign_off": _l("9. Sign-off"),
}

MEASURE_LABELS = {
    "pupil_modules_completed": _l("Pupils: required modules completed"),
    "pupil_agreements_signed": _l("Pupils: this year's agreement signed"),
    "pupil_mean_score": _l("Pupils: mean quiz score"),
    "staff_refresher_completed": _l("Staff: annual refresher completed"),
    "dsl_training_in_date": _l("DSL and deputies: training in date"),
    "governors_trained": _l("Governors: online-safety training completed"),
    "new_staff_inducted": _l("New staff: induction completed"),
    "parent_workshops_completed": _l("Parents: workshops completed"),
    "home_school_agreements_returned": _l("Parents: home-school agreement returned"),
    "consents_returned": _l("Children with photo and video consent returned"),
    "people": _l("People"),
    "module_completed": _l("Completed"),
    "module_overdue": _l("Overdue"),
    "audience_completed": _l("All modules of the audience completed"),
    "method_teacher_led": _l("Completions led by a teacher"),
    "method_self": _l("Completions by self-study"),
    "method_attended": _l("Completions by attending"),
    "signed": _l("This year's agreement signed"),
    "mean_score": _l("Mean score"),
    "attempts_passed": _l("Quiz attempts passed"),
    "induction_new_starters": _l("New starters who completed induction"),
    "refresher": _l("Staff who completed the annual refresher"),
    "refresher_overdue": _l("Staff overdue for the refresher"),
    "dsl_in_date": _l("DSL and deputies with training in date"),
    "dsl_in_date_overdue": _l("DSL and deputies overdue"),
    "governors_trained_overdue": _l("Governors overdue"),
    "agreement_signed": _l("Agreement signed"),
    "workshop_completed": _l("Workshop completed"),
    "workshop_attended": _l("Workshop completions by attending"),
    "home_school_agreement": _l("Home-school agreement returned"),
    "workshops_held": _l("Parents' workshops held"),
    "workshop_attendances": _l("Attendances at parents' workshops"),
    "families_reached": _l("Families reached: parents who attended a workshop"),
    "workshop_feedback_average": _l("Workshop feedback: average usefulness (1 to 5)"),
    "workshop_feedback_answers": _l("Workshop feedback answers"),
}
