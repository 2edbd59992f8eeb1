"""Building the yearly audit for a school (or a trust's schools) from the records.

:func:`build_audit` runs the audit's queries for the year and the year before (a fixed number,
however many people), turns them into figures, drafts the self-review's evidence and adds the
coordinator's ratings, action plan and sign-off. A signed audit is read back from its frozen JSON
instead: later changes to the records never alter it. The staff and governor training figures
come from the training rules, as the training record stood on the audit's day (today for the
current year, 31 August for a past one).
"""

from __future__ import annotations

from typing import Any

from eduplatform.catalogue.model import Catalogue, Term
from eduplatform.concerns.categories import category_label
from eduplatform.db import utcnow
from eduplatform.reports.audit import ActionItem, AspectReview, Audit, MissedQuestion, Signing, SignOff
from eduplatform.reports.audit_concerns import (
    SafeguardingCounts,
    categories_counted,
    count_safeguarding,
    filtering_facts,
    safeguarding_figures,
)
from eduplatform.reports.audit_counts import YearCounts, count_year
from eduplatform.reports.audit_figures import FigureMaker, build_figures
from eduplatform.reports.audit_first_attempts import add_first_attempt_figures
from eduplatform.reports.audit_statements import add_statement_figures, count_first_answers, statement_labels
from eduplatform.reports.audit_training import count_training
from eduplatform.reports.audit_workshops import count_workshops
from eduplatform.reports.evidence import draft
from eduplatform.reports.models import AuditReview
from eduplatform.reports.scope import Scope, build_scope
from eduplatform.schools.years import current_year

MISSED_PER_AUDIENCE = 5
WEAKEST_PER_AUDIENCE = 3


def build_audit(scope: Scope, catalogue: Catalogue, locale: str, review: AuditReview | None = None) -> Audit:
    """The audit of ``scope`` (one school, or a trust's schools with each school's figures too)."""
    if review is not None and review.frozen:
        return Audit.from_json(review.frozen)
    settings = dict(catalogue.audit_settings)
    current_start = current_year(scope.schools[0]).start_year
    previous_scope = build_scope(list(scope.schools), scope.year.shifted(-1), catalogue, actor=scope.actor,
                                 trust=scope.trust)
    now = _counts(scope, catalogue, settings, current_start)
    # A year in which nothing at all was recorded (no programme stored) has no figures to compare with.
    before = (_counts(previous_scope, catalogue, settings, current_start)
              if any(programme.stored for programme in previous_scope.programmes.values()) else YearCounts())
    programme = scope.any_programme()
    strands = programme.strands
    figures = []
    groups: list[tuple[set[int] | None, str | None]] = [(None, None)]
    if len(scope.schools) > 1:
        groups += [({school.id}, school.slug) for school in scope.schools]
    safeguarding = now.safeguarding or SafeguardingCounts()
    categories = categories_counted(safeguarding, before.safeguarding)
    for schools, slug in groups:
        maker = FigureMaker(now, before, schools, slug)
        build_figures(maker, programme, settings, strands)
        add_statement_figures(maker, programme, catalogue)
        add_first_attempt_figures(maker, programme, catalogue)
        figures += maker.figures
        figures += safeguarding_figures(safeguarding, before.safeguarding, schools, slug, categories)
    slugs = {school.id: school.slug for school in scope.schools}
    pupil_audiences = [a.id for a in programme.audiences if a.learners == "pupils"]
    subject = ({"slug": scope.trust.slug, "name": scope.trust.name} if scope.trust and len(scope.schools) > 1
               else {"slug": scope.schools[0].slug, "name": scope.schools[0].name})
    audit = Audit(
        year=scope.year.start_year, year_label=scope.year.label, previous_label=scope.year.shifted(-1).label,
        subject=subject, is_trust=len(scope.schools) > 1,
        schools=[{"slug": s.slug, "name": s.name} for s in scope.schools],
        generated_at=utcnow().isoformat(timespec="seconds"), programme_stored=programme.stored, figures=figures,
        class_signings=[Signing(slugs[s.school_id], s.class_name, s.agreement_id, s.held_on, s.witness, s.pupils)
                        for s in now.class_signings],
        missed_questions=_missed(now, pupil_audiences, catalogue, locale),
        weakest_strands=_weakest(figures, pupil_audiences),
        labels=_labels(programme, catalogue, locale), audience_order=[a.id for a in programme.audiences],
        pupil_audiences=pupil_audiences, settings=settings, filtering=filtering_facts(safeguarding, scope),
    )
    audit.labels["categories"] = {category: category_label(category, locale) for category in categories}
    audit.labels["statements"] = statement_labels(catalogue, figures)
    if not audit.is_trust:
        _add_review(audit, catalogue, locale, review)
    return audit


def _counts(scope: Scope, catalogue: Catalogue, settings: dict[str, str], current_start: int) -> YearCounts:
    """The year's records counted, with the staff and governor training as it stood on the audit's day
    the parents' workshops held by then, and the concerns and filtering logs (counts only)."""
    counts = count_year(scope, current_start, settings.get("class_signing_audience"))
    counts.training, counts.induction_new = count_training(scope, catalogue, settings)
    counts.workshops = count_workshops(scope)
    counts.safeguarding = count_safeguarding(scope)
    counts.first_answers = count_first_answers(scope)
    return counts


def _missed(counts: YearCounts, audiences: list[str], catalogue: Catalogue, locale: str) -> list[MissedQuestion]:
    found = []
    for audience in audiences:
        rows = [(key, value) for key, value in counts.missed.items() if key[0] == audience and value[0] > 0]
        rows.sort(key=lambda item: (-item[1][0] / item[1][1], -item[1][0], item[0][1], item[0][2]))
        for (_audience, module_id, question_id), (wrong, answered) in rows[:MISSED_PER_AUDIENCE]:
            found.append(MissedQuestion(audience, module_id, question_id, _prompt(catalogue, module_id, question_id,
                                                                                 locale), wrong, answered))
    return found


def _prompt(catalogue: Catalogue, module_id: str, question_id: str, locale: str) -> str:
    if module_id not in catalogue.modules:
        return question_id
    quiz = catalogue.module_content(module_id, locale).quiz
    question = next((q for q in quiz.questions if q.id == question_id), None) if quiz else None
    return question.prompt if question else question_id


def _weakest(figures: list[Any], audiences: list[str]) -> dict[str, list[str]]:
    weakest = {}
    for audience in audiences:
        scores = [f for f in figures if f.section == "outcomes" and f.measure == "mean_score" and f.school is None
                  and f.audience == audience and f.strand is not None and f.value is not None]
        scores.sort(key=lambda f: (f.value, f.strand))
        if scores:
            weakest[audience] = [f.strand for f in scores[:WEAKEST_PER_AUDIENCE]]
    return weakest


def _labels(programme: Any, catalogue: Catalogue, locale: str) -> dict[str, dict[str, str]]:
    def module_title(module: Any) -> str:
        return catalogue.module_content(module.id, locale).title if module.id in catalogue.modules else module.title

    def agreement_title(agreement: Any) -> str:
        return (catalogue.agreement_content(agreement.id, locale).title if agreement.id in catalogue.agreements
                else agreement.title)

    return {
        "audiences": {a.id: catalogue.label("audiences", a.id, locale) if a.id in catalogue.audiences else a.label
                      for a in programme.audiences},
        "modules": {m.id: module_title(m) for m in programme.modules},
        "agreements": {a.id: agreement_title(a) for a in programme.agreements},
        "strands": {s: catalogue.label("strands", s, locale) for s in programme.strands},
        "terms": {t.value: catalogue.label("terms", t.value, locale) for t in Term},
    }


def _add_review(audit: Audit, catalogue: Catalogue, locale: str, review: AuditReview | None) -> None:
    framework = catalogue.self_review
    fallback = catalogue.fallback_locale
    ratings = {rating.aspect_id: rating for rating in (review.ratings if review else [])}
    audit.review_groups = {group: framework.group_title(group, locale, fallback) for group in framework.groups}
    for aspect in framework.aspects:
        words = framework.words_for(aspect.id, locale, fallback)
        rating = ratings.get(aspect.id)
        audit.review.append(AspectReview(
            aspect=aspect.id, group=aspect.group, title=words.title, question=words.question,
            levels={str(level): text for level, text in words.levels.items()},
            level=rating.level if rating else None, commentary=rating.commentary if rating else "",
            evidence_draft=draft(aspect.evidence, audit), evidence_edited=rating.evidence if rating else None))
    if review is not None:
        audit.actions = [ActionItem(item.id, item.action, item.owner, item.due_on.isoformat() if item.due_on else None,
                                    item.done) for item in review.actions]
        if review.signed_at is not None:
            audit.sign_off = SignOff(review.coordinator_name or "", _iso(review.coordinator_signed_on),
                                     review.chair_name or "", _iso(review.chair_signed_on),
                                     review.signed_at.isoformat(timespec="seconds"))


def _iso(value: Any) -> str:
    return value.isoformat() if value is not None else ""
