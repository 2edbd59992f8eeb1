"""From the year's counts to the audit's figures: each measure, this year beside last year.

Pure functions over :class:`eduplatform.reports.audit_counts.YearCounts` (no queries), so the
same figures come out for the page, the PDF, the CSV and the JSON. The staff and governor
training figures ("in date", "overdue", new starters inducted) read the training rules' tallies
(:mod:`eduplatform.reports.audit_training`); the programme's per-module figures read the records;
the parents' workshop figures read the workshops held (:mod:`eduplatform.reports.audit_workshops`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import fields
from typing import Any

from eduplatform.reports.audit import Figure, percent
from eduplatform.reports.audit_counts import YearCounts
from eduplatform.reports.audit_workshops import WorkshopTally

#: A measure: given the year's counts and the schools counted, (count, total) or None when it does not apply.
Measure = Callable[[YearCounts, set[int] | None], "tuple[int, int] | None"]


def _in(schools: set[int] | None, school_id: int) -> bool:
    return schools is None or school_id in schools


def module_states(counts: YearCounts, schools: set[int] | None, *, audiences: Iterable[str] | None = None,
                  module: str | None = None) -> dict[str, int]:
    wanted = set(audiences) if audiences is not None else None
    total: dict[str, int] = {}
    for (school_id, audience_id, module_id), states in counts.module_states.items():
        if _in(schools, school_id) and (wanted is None or audience_id in wanted) and module in (None, module_id):
            for state, number in states.items():
                total[state] = total.get(state, 0) + number
    return total


def agreement_states(counts: YearCounts, schools: set[int] | None, *, audiences: Iterable[str],
                     agreement: str | None = None) -> dict[str, int]:
    wanted = set(audiences)
    total: dict[str, int] = {}
    for (school_id, audience_id, agreement_id), states in counts.agreement_states.items():
        if _in(schools, school_id) and audience_id in wanted and agreement in (None, agreement_id):
            for state, number in states.items():
                total[state] = total.get(state, 0) + number
    return total


def methods(counts: YearCounts, schools: set[int] | None, audience: str) -> dict[str, int]:
    total: dict[str, int] = {}
    for (school_id, audience_id, _module), found in counts.methods.items():
        if _in(schools, school_id) and audience_id == audience:
            for method, number in found.items():
                total[method] = total.get(method, 0) + number
    return total


def strand_totals(counts: YearCounts, schools: set[int] | None, audiences: Iterable[str],
                  strand: str | None = None) -> tuple[int, int, int, int]:
    wanted = set(audiences)
    answers = right = attempts = passed = 0
    for (school_id, audience_id, strand_id), (a, r, t, p) in counts.strands.items():
        if _in(schools, school_id) and audience_id in wanted and strand in (None, strand_id):
            answers, right, attempts, passed = answers + a, right + r, attempts + t, passed + p
    return answers, right, attempts, passed


def _done(states: dict[str, int]) -> tuple[int, int] | None:
    total = sum(states.values())
    return (states.get("completed", 0), total) if total else None


def _signed(states: dict[str, int]) -> tuple[int, int] | None:
    total = sum(states.values())
    return (states.get("signed", 0), total) if total else None


def training(counts: YearCounts, schools: set[int] | None, module: str) -> dict[str, int]:
    """The training rule's tally for ``module`` (required, in date, overdue) over the schools counted."""
    total: dict[str, int] = {}
    for (school_id, module_id), found in counts.training.items():
        if _in(schools, school_id) and module_id == module:
            for key, number in found.items():
                total[key] = total.get(key, 0) + number
    return total


def workshops(counts: YearCounts, schools: set[int] | None) -> WorkshopTally:
    """The parents' workshop tallies of the schools counted, added up."""
    found = [tally for (school_id,), tally in counts.workshops.items() if _in(schools, school_id)]
    return WorkshopTally(**{f.name: sum(getattr(tally, f.name) for tally in found) for f in fields(WorkshopTally)})


def mean(points: int | None, answers: int | None) -> float | None:
    """``points`` over ``answers`` with one decimal, or None when nobody answered."""
    if not answers or points is None:
        return None
    return round(points / answers, 1)


def people(counts: YearCounts, schools: set[int] | None, audience: str) -> int:
    return sum(n for (school_id, audience_id), n in counts.people.items()
               if _in(schools, school_id) and audience_id == audience)


class FigureMaker:
    """Builds :class:`Figure` rows for one group of schools from this year's and last year's counts."""

    def __init__(self, now: YearCounts, before: YearCounts, schools: set[int] | None, school_slug: str | None):
        self.now, self.before, self.schools, self.school_slug = now, before, schools, school_slug
        self.figures: list[Figure] = []

    def add(self, section: str, measure_name: str, measure: Measure, *, unit: str = "percent",
            **keys: Any) -> None:
        """Add a ratio (or a count, with ``unit="count"``), skipping it when neither year has data.

        ``unit="rating"``: the measure gives (points, answers) and the value is their mean, one decimal.
        """
        now, before = measure(self.now, self.schools), measure(self.before, self.schools)
        if now is None and before is None:
            return
        count, total = now if now is not None else (None, None)
        previous_count, previous_total = before if before is not None else (None, None)
        if unit == "count":
            value, previous = count, previous_count
        elif unit == "rating":
            value, previous = mean(count, total), mean(previous_count, previous_total)
        else:
            value, previous = percent(count, total), percent(previous_count, previous_total)
        self.figures.append(Figure(
            section=section, measure=measure_name, school=self.school_slug, unit=unit,
            value=None if value is None else float(value), count=count, total=total,
            previous=None if previous is None else float(previous), previous_count=previous_count,
            previous_total=previous_total, **keys))


def build_figures(maker: FigureMaker, programme: Any, settings: dict[str, str], strands: tuple[str, ...]) -> None:
    """Every figure of the report for ``maker``'s schools (sections 1-7)."""
    pupil_audiences = [a.id for a in programme.audiences if a.learners == "pupils"]
    parents = settings.get("parent_audience")

    def states_of(audiences: Iterable[str] | None = None, module: str | None = None) -> Measure:
        return lambda counts, schools: _done(module_states(counts, schools, audiences=audiences, module=module))

    def overdue_of(audience: str, module: str) -> Measure:
        def measure(counts: YearCounts, schools: set[int] | None) -> tuple[int, int] | None:
            states = module_states(counts, schools, audiences=[audience], module=module)
            return (states.get("overdue", 0), sum(states.values())) if states else None
        return measure

    def signed_of(audiences: Iterable[str], agreement: str | None = None) -> Measure:
        return lambda counts, schools: _signed(agreement_states(counts, schools, audiences=audiences,
                                                                agreement=agreement))

    def score_of(audiences: Iterable[str], strand: str | None = None) -> Measure:
        def measure(counts: YearCounts, schools: set[int] | None) -> tuple[int, int] | None:
            answers, right, _attempts, _passed = strand_totals(counts, schools, audiences, strand)
            return (right, answers) if answers else None
        return measure

    def passing_of(audiences: Iterable[str], strand: str) -> Measure:
        def measure(counts: YearCounts, schools: set[int] | None) -> tuple[int, int] | None:
            _answers, _right, attempts, passed = strand_totals(counts, schools, audiences, strand)
            return (passed, attempts) if attempts else None
        return measure

    def method_of(audience: str, method: str) -> Measure:
        def measure(counts: YearCounts, schools: set[int] | None) -> tuple[int, int] | None:
            found = methods(counts, schools, audience)
            total = sum(found.values())
            return (found.get(method, 0), total) if total else None
        return measure

    def trained_of(module: str, key: str) -> Measure:
        """People in date (or overdue, ``key``) of those a training rule about ``module`` applies to."""
        def measure(counts: YearCounts, schools: set[int] | None) -> tuple[int, int] | None:
            tally = training(counts, schools, module)
            return (tally.get(key, 0), tally["required"]) if tally.get("required") else None
        return measure

    def induction(counts: YearCounts, schools: set[int] | None) -> tuple[int, int] | None:
        states: dict[str, int] = {}
        for (school_id,), found in counts.induction_new.items():
            if _in(schools, school_id):
                for state, number in found.items():
                    states[state] = states.get(state, 0) + number
        return _done(states)

    def consents(counts: YearCounts, schools: set[int] | None) -> tuple[int, int] | None:
        children = returned = 0
        for (school_id,), (c, r) in counts.consents.items():
            if _in(schools, school_id):
                children, returned = children + c, returned + r
        return (returned, children) if children else None

    def people_of(audience: str) -> Measure:
        return lambda counts, schools: (people(counts, schools, audience), 0)

    home_school = settings.get("home_school_agreement")
    # 1. Summary: the headline figures.
    maker.add("summary", "pupil_modules_completed", states_of(pupil_audiences))
    maker.add("summary", "pupil_agreements_signed", signed_of(pupil_audiences))
    maker.add("summary", "pupil_mean_score", score_of(pupil_audiences), unit="score")
    for name, module_setting, audience_setting in (("staff_refresher_completed", "staff_refresher", "staff_audience"),
                                                   ("dsl_training_in_date", "dsl_training", "dsl_audience"),
                                                   ("governors_trained", "governor_training", "governor_audience")):
        if settings.get(module_setting) and settings.get(audience_setting):
            maker.add("summary", name, trained_of(settings[module_setting], "in_date"))
    if settings.get("staff_induction"):
        maker.add("summary", "new_staff_inducted", induction)
    if parents:
        maker.add("summary", "parent_workshops_completed", states_of([parents]))
        if home_school:
            maker.add("summary", "home_school_agreements_returned", signed_of([parents], home_school))
    maker.add("summary", "consents_returned", consents)
    # People per audience.
    for audience in programme.audiences:
        maker.add("people", "people", people_of(audience.id), unit="count", audience=audience.id)
    # 2. Programme delivered: each module, by term, and how it was delivered.
    for module in programme.modules:
        maker.add("programme", "module_completed", states_of([module.audience], module.id), audience=module.audience,
                  item=module.id, term=module.term)
        maker.add("programme", "module_overdue", overdue_of(module.audience, module.id), audience=module.audience,
                  item=module.id, term=module.term)
    for audience in programme.audiences:
        maker.add("programme", "audience_completed", states_of([audience.id]), audience=audience.id)
        for method in ("teacher_led", "self", "attended"):
            maker.add("programme", f"method_{method}", method_of(audience.id, method), audience=audience.id)
    # 3. Agreements.
    for agreement in programme.agreements:
        for audience in sorted(agreement.audiences):
            maker.add("agreements", "signed", signed_of([audience], agreement.id), audience=audience, item=agreement.id)
    # 4. Pupil outcomes per strand and key stage.
    for audience in pupil_audiences:
        maker.add("outcomes", "mean_score", score_of([audience]), unit="score", audience=audience)
        for strand in strands:
            maker.add("outcomes", "mean_score", score_of([audience], strand), unit="score", audience=audience,
                      strand=strand)
            maker.add("outcomes", "attempts_passed", passing_of([audience], strand), audience=audience, strand=strand)
    # 5. Staff and governors.
    if settings.get("staff_induction"):
        maker.add("staff", "induction_new_starters", induction, item=settings["staff_induction"])
    for measure, module_setting, audience_setting in (("refresher", "staff_refresher", "staff_audience"),
                                                      ("dsl_in_date", "dsl_training", "dsl_audience"),
                                                      ("governors_trained", "governor_training", "governor_audience")):
        module_id, audience = settings.get(module_setting), settings.get(audience_setting)
        if module_id and audience:
            maker.add("staff", measure, trained_of(module_id, "in_date"), audience=audience, item=module_id)
            maker.add("staff", f"{measure}_overdue", trained_of(module_id, "overdue"), audience=audience,
                      item=module_id)
    for audience_setting in ("staff_audience", "governor_audience", "visitor_audience"):
        if settings.get(audience_setting):
            maker.add("staff", "agreement_signed", signed_of([settings[audience_setting]]),
                      audience=settings[audience_setting])
    # 6. Parents.
    if parents:
        for module in programme.modules_for(parents):
            maker.add("parents", "workshop_completed", states_of([parents], module.id), audience=parents,
                      item=module.id)
        maker.add("parents", "workshop_attended", method_of(parents, "attended"), audience=parents)
        if home_school:
            maker.add("parents", "home_school_agreement", signed_of([parents], home_school), audience=parents,
                      item=home_school)
    _add_workshop_figures(maker)
    maker.add("parents", "consents_returned", consents)


def _add_workshop_figures(maker: FigureMaker) -> None:
    """Workshops held, attendances, families reached and feedback: when either year held a workshop."""
    if not (workshops(maker.now, maker.schools).held or workshops(maker.before, maker.schools).held):
        return

    def count_of(name: str) -> Measure:
        return lambda counts, schools: (getattr(workshops(counts, schools), name), 0)

    def reached(counts: YearCounts, schools: set[int] | None) -> tuple[int, int] | None:
        tally = workshops(counts, schools)
        return (tally.parents_reached, tally.parents) if tally.parents else None

    def usefulness(counts: YearCounts, schools: set[int] | None) -> tuple[int, int] | None:
        tally = workshops(counts, schools)
        return (tally.usefulness_points, tally.feedback_answers) if tally.feedback_answers else None

    maker.add("parents", "workshops_held", count_of("held"), unit="count")
    maker.add("parents", "workshop_attendances", count_of("attendances"), unit="count")
    maker.add("parents", "families_reached", reached)
    maker.add("parents", "workshop_feedback_average", usefulness, unit="rating")
    maker.add("parents", "workshop_feedback_answers", count_of("feedback_answers"), unit="count")
