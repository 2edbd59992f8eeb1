"""The rows behind every records figure: one query layer for the dashboard, the exports and the audit.

Each function returns a SQL subquery with one row per thing counted (a person x required module, a
person x required agreement, a child x consent item), with its status; the attempts export streams
quiz attempts beside them (:mod:`eduplatform.reports.attempt_export`). Figures are
``GROUP BY``s over these same rows and exports stream them, so a figure on screen and the CSV rows
behind it can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import ColumnElement, Select, Subquery, and_, case, func, literal, select, tuple_

from eduplatform.records.models import AgreementSignature, ConsentDecision, ModuleCompletion, QuizAnswer, QuizAttempt
from eduplatform.reports import population as pop
from eduplatform.reports.scope import Scope

#: A person's state in a required module, most done first. Exactly one applies to each row.
COMPLETION_STATES = ("completed", "overdue", "in_progress", "not_started")
#: A person's state in a required agreement.
AGREEMENT_STATES = ("signed", "needs_signing_again", "not_signed")
#: A child's answer on one consent item.
CONSENT_STATES = ("given", "refused", "no_answer")
#: The statuses each export kind can be narrowed to (web ``?status=`` and ``--status``).
STATES_OF_KIND = {"completions": COMPLETION_STATES, "agreements": AGREEMENT_STATES, "consents": CONSENT_STATES,
                  "attempts": ("passed", "not_passed")}


@dataclass(frozen=True)
class Filters:
    """What a records view narrows to. Every field is optional; all are in the page's address."""

    school_id: int | None = None
    audience: str | None = None
    year_group: int | None = None
    class_id: int | None = None
    module: str | None = None
    agreement: str | None = None
    status: str | None = None

    def without(self, *names: str) -> Filters:
        return replace(self, **dict.fromkeys(names))


def people_filters(rows: Any, filters: Filters) -> list[object]:
    """The conditions of ``filters`` that narrow people (school, audience, year group, class)."""
    conditions = []
    if filters.school_id is not None:
        conditions.append(rows.c.school_id == filters.school_id)
    if filters.audience is not None:
        conditions.append(rows.c.audience_id == filters.audience)
    if filters.year_group is not None:
        conditions.append(rows.c.year_group == filters.year_group)
    if filters.class_id is not None:
        conditions.append(rows.c.class_id == filters.class_id)
    return conditions


def completion_rows(scope: Scope, filters: Filters, current_start_year: int, *,
                    states_only: bool = False) -> Subquery:
    """One row per (person, audience, required module) of the year, with its state.

    Columns: user_id, school_id, audience_id, year_group, class_id, module_id, term, due, position,
    completed_at, method, best_percent, first_percent (the year's first attempt), attempts, status.
    A module renewed every two years counts as done when completed this year or last.
    ``states_only`` (figures that only count states): the same rows and states, without method,
    scores and attempts, which the database then need not work out.
    """
    year = scope.year.start_year
    people = pop.population(scope, current_start_year)
    modules = pop.required_modules(scope)
    mc = ModuleCompletion
    counted = and_(mc.status == "completed")
    this_year = mc.academic_year == year
    grouped = (
        select(people.c.user_id, people.c.school_id, people.c.audience_id, people.c.year_group, people.c.class_id,
               modules.c.module_id, modules.c.term, modules.c.due, modules.c.position,
               func.max(case((counted, mc.completed_at))).label("completed_at"),
               func.max(case((this_year, 1), else_=0)).label("started"),
               *(() if states_only else (
                   func.max(case((counted, mc.method))).label("method"),
                   func.max(case((this_year, mc.best_percent))).label("best_percent"),
                   func.max(case((this_year, mc.first_percent))).label("first_percent"),
                   func.coalesce(func.sum(case((this_year, mc.attempt_count), else_=0)), 0).label("attempts"))))
        .join(modules, and_(modules.c.school_id == people.c.school_id, modules.c.audience_id == people.c.audience_id))
        .outerjoin(mc, and_(mc.user_id == people.c.user_id, mc.module_id == modules.c.module_id,
                            mc.academic_year > year - modules.c.years_valid, mc.academic_year <= year))
        .group_by(people.c.user_id, people.c.school_id, people.c.audience_id, people.c.year_group, people.c.class_id,
                  modules.c.module_id, modules.c.term, modules.c.due, modules.c.position)
    ).subquery("grouped")
    status = case((grouped.c.completed_at.is_not(None), literal("completed")),
                  (grouped.c.due < pop.today_literal(scope), literal("overdue")),
                  (grouped.c.started == 1, literal("in_progress")), else_=literal("not_started")).label("status")
    rows = select(*(c for c in grouped.c if c.name != "started"), status).subquery("completion_row")
    conditions = people_filters(rows, filters)
    if filters.module is not None:
        conditions.append(rows.c.module_id == filters.module)
    if filters.status is not None:
        conditions.append(rows.c.status == filters.status)
    return select(rows).where(*conditions).subquery("completion")


def agreement_rows(scope: Scope, filters: Filters, current_start_year: int, *,
                   states_only: bool = False) -> Subquery:
    """One row per (person, audience, required agreement) of the year, with its state.

    Columns: user_id, school_id, audience_id, year_group, class_id, agreement_id, position,
    signed_at, version_signed, method, status. "signed": a text of this year's programme, signed
    within its renewal period; "needs_signing_again": signed before, but an older text or too long ago.
    ``states_only`` (figures that only count states): the same rows and states without the newest
    signature's details, so the signatures are grouped once instead of ranked.
    """
    year = scope.year.start_year
    people = pop.population(scope, current_start_year)
    agreements = pop.required_agreements(scope)
    versions = pop.agreement_versions(scope)
    sig = AgreementSignature
    of_scope = and_(sig.school_id.in_(scope.school_ids), sig.academic_year <= year)
    # One pass over the signatures up to this year: the latest year each person signed one of this
    # year's texts, and (unless states_only) their newest signature (a window, not a subquery per row).
    this_years_text = tuple_(sig.school_id, sig.agreement_id, sig.locale, sig.agreement_version).in_(
        select(versions.c.school_id, versions.c.agreement_id, versions.c.locale, versions.c.version))
    each_agreement = (sig.user_id, sig.agreement_id)
    signed_year = func.max(case((this_years_text, sig.academic_year)))
    if states_only:
        ranked = (select(sig.user_id, sig.agreement_id, signed_year.label("signed_year")).where(of_scope)
                  .group_by(*each_agreement).subquery("newest_signature"))
        details: tuple[Any, ...] = ()
    else:
        ranked_all = (select(sig.user_id, sig.agreement_id, sig.signed_at, sig.agreement_version, sig.method,
                             func.row_number().over(partition_by=each_agreement,
                                                    order_by=(sig.signed_at.desc(), sig.id.desc())).label("newest"),
                             signed_year.over(partition_by=each_agreement).label("signed_year"))
                      .where(of_scope).subquery("ranked_signature"))
        # One row per (person, agreement) already; grouped by those keys all the same, so the database
        # sees that and indexes it for the join (SQLite scans a window's rows once per person otherwise).
        newest = ranked_all.c.newest == 1
        ranked = (select(ranked_all.c.user_id, ranked_all.c.agreement_id,
                         func.max(ranked_all.c.signed_at).label("signed_at"),
                         func.max(ranked_all.c.agreement_version).label("agreement_version"),
                         func.max(ranked_all.c.method).label("method"),
                         func.max(ranked_all.c.signed_year).label("signed_year"))
                  .where(newest).group_by(ranked_all.c.user_id, ranked_all.c.agreement_id)
                  .subquery("newest_signature"))
        details = (ranked.c.signed_at, ranked.c.agreement_version.label("version_signed"), ranked.c.method)
    status = case((ranked.c.signed_year > year - agreements.c.years_valid, literal("signed")),
                  (ranked.c.user_id.is_not(None), literal("needs_signing_again")),
                  else_=literal("not_signed")).label("status")
    rows = (
        select(people.c.user_id, people.c.school_id, people.c.audience_id, people.c.year_group, people.c.class_id,
               agreements.c.agreement_id, agreements.c.position, *details, status)
        .join(agreements, and_(agreements.c.school_id == people.c.school_id,
                               agreements.c.audience_id == people.c.audience_id))
        .outerjoin(ranked, and_(ranked.c.user_id == people.c.user_id,
                                ranked.c.agreement_id == agreements.c.agreement_id))
    ).subquery("agreement_row")
    conditions = people_filters(rows, filters)
    if filters.agreement is not None:
        conditions.append(rows.c.agreement_id == filters.agreement)
    if filters.status is not None:
        conditions.append(rows.c.status == filters.status)
    return select(rows).where(*conditions).subquery("agreement")


def strand_scores(scope: Scope, strands: tuple[str, ...]) -> Select[tuple[object, ...]]:
    """Per attempt of the year (in the scope's schools), right and asked answers per strand, by attempt id.

    Columns: attempt_id, then ``<strand>_correct`` and ``<strand>_asked`` for each strand. Read in
    the order of the answers' own index, so it streams from the first row, beside the attempts.
    """
    per_strand = []
    for strand in strands:
        per_strand.append(func.sum(case((and_(QuizAnswer.strand == strand, QuizAnswer.is_correct), 1), else_=0))
                          .label(f"{strand}_correct"))
        per_strand.append(func.sum(case((QuizAnswer.strand == strand, 1), else_=0)).label(f"{strand}_asked"))
    return (select(QuizAnswer.attempt_id, *per_strand)
            .join(QuizAttempt, QuizAttempt.id == QuizAnswer.attempt_id)
            .where(in_year_and_scope_in_id_order(scope))
            .group_by(QuizAnswer.attempt_id).order_by(QuizAnswer.attempt_id))


def in_year_and_scope_in_id_order(scope: Scope) -> ColumnElement[bool]:
    """The year's quiz attempts in the scope's schools, as a filter that keeps reading in id order.

    ``school_id + 0`` stops the database choosing the school index (which would have to sort half
    a million rows before the first one is ready): the attempts are read by id and filtered as they
    pass, so an export streams from its first row.
    """
    return and_(QuizAttempt.academic_year == scope.year.start_year,
                (QuizAttempt.school_id + 0).in_(scope.school_ids))


def consent_rows(scope: Scope, filters: Filters, current_start_year: int) -> Subquery:
    """One row per (pupil, consent item) of the parents' agreement, with the current decision.

    Columns: user_id, school_id, audience_id, year_group, class_id, agreement_id, consent_id,
    position, given, decided_at, parent_id, status ("given", "refused", "no_answer").
    """
    people = pop.population(scope, current_start_year)
    items = pop.consent_items(scope)
    pupil_audiences = {audience.id for programme in scope.programmes.values() for audience in programme.audiences
                       if audience.learners == "pupils"}
    cd = ConsentDecision
    # Each child's newest decision on each item (a window, not a subquery per row).
    decision = (select(cd.child_id, cd.agreement_id, cd.consent_id, cd.given, cd.decided_at, cd.parent_id,
                       func.row_number().over(partition_by=(cd.child_id, cd.agreement_id, cd.consent_id),
                                              order_by=(cd.decided_at.desc(), cd.id.desc())).label("newest"))
                .where(cd.school_id.in_(scope.school_ids)).subquery("latest_decision"))
    status = case((decision.c.given.is_(True), literal("given")), (decision.c.given.is_(False), literal("refused")),
                  else_=literal("no_answer")).label("status")
    rows = (
        select(people.c.user_id, people.c.school_id, people.c.audience_id, people.c.year_group, people.c.class_id,
               items.c.agreement_id, items.c.consent_id, items.c.position, decision.c.given, decision.c.decided_at,
               decision.c.parent_id, status)
        .join(items, items.c.school_id == people.c.school_id)
        .outerjoin(decision, and_(decision.c.child_id == people.c.user_id, decision.c.consent_id == items.c.consent_id,
                                  decision.c.agreement_id == items.c.agreement_id, decision.c.newest == 1))
        .where(people.c.audience_id.in_(sorted(pupil_audiences)))
    ).subquery("consent_row")
    conditions = people_filters(rows, filters)
    if filters.status is not None:
        conditions.append(rows.c.status == filters.status)
    return select(rows).where(*conditions).subquery("consent")


def count_by(rows: Subquery, *dimensions: str) -> Select[tuple[object, ...]]:
    """``GROUP BY dimensions, status`` over rows from this module: (…dimensions, status, rows, people)."""
    keys = [rows.c[name] for name in dimensions]
    return (select(*keys, rows.c.status, func.count().label("rows"),
                   func.count(func.distinct(rows.c.user_id)).label("people"))
            .group_by(*keys, rows.c.status))
