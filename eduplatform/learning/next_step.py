"""What an adult or a visitor does next on a module's page or quiz result.

Staff, governors, parents and visitors are told the one thing left to do: sign the module's
agreement once everything else is done (a visitor after reading the visitor lesson), and, once the
module is complete, where to see it recorded. Pupils' "next module" is decided in
:mod:`eduplatform.learning.steps`; this module is only about adults and visitors.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from eduplatform.academic_year import AcademicYear
from eduplatform.access import may_open_own_record
from eduplatform.catalogue.model import Catalogue, Learners, Module, Requirement
from eduplatform.records import queries
from eduplatform.records.queries import AgreementState, ModuleState, ModuleStatus


class NextStepKind(StrEnum):
    #: Everything else is done: sign the module's agreement to complete it.
    SIGN_AGREEMENT = "sign_agreement"
    #: Complete: the person's own record page lists it.
    SEE_RECORD = "see_record"
    #: Complete, for people without a record page of their own (governors, visitors): their dashboard's modules.
    SEE_DASHBOARD = "see_dashboard"


@dataclass(frozen=True)
class NextStep:
    kind: NextStepKind
    #: Where the step's button leads: ``url_for(endpoint, **values)``.
    endpoint: str
    values: Mapping[str, Any] = field(default_factory=dict)
    #: The agreement to sign (``SIGN_AGREEMENT`` only).
    agreement_id: str | None = None


def is_adults_module(module: Module, catalogue: Catalogue) -> bool:
    """Whether the module is for adults (staff, governors, parents, visitors), not pupils."""
    audience = catalogue.audiences.get(module.audience)
    return audience is not None and audience.learners is Learners.ADULTS


def adult_next_step(user: Any, module: Module, catalogue: Catalogue, *, status: ModuleStatus, lessons_read: set[str],
                    quiz_passed: bool, agreement_signed: bool) -> NextStep | None:
    """The next step for an adult on ``module`` this year, from what they have done; None for pupils'
    modules, and while lessons or the quiz are still to do (the page itself leads to them)."""
    if not is_adults_module(module, catalogue):
        return None
    if status.state is ModuleState.COMPLETED:
        if may_open_own_record(user):
            return NextStep(NextStepKind.SEE_RECORD, "people.show_person", {"user_id": user.id})
        return NextStep(NextStepKind.SEE_DASHBOARD, "learning.dashboard", {"_anchor": "modules-heading"})
    if module.agreement_id is None or Requirement.AGREEMENT not in module.completion or agreement_signed:
        return None
    rest_done = ((Requirement.LESSONS not in module.completion or set(module.lesson_ids) <= lessons_read)
                 and (Requirement.QUIZ not in module.completion or quiz_passed)
                 and Requirement.ATTENDANCE not in module.completion)
    if not rest_done:
        return None
    return NextStep(NextStepKind.SIGN_AGREEMENT, "agreements.show_agreement", {"agreement_id": module.agreement_id},
                    agreement_id=module.agreement_id)


def adult_next_step_for(user: Any, module: Module, status: ModuleStatus, catalogue: Catalogue,
                        year: AcademicYear) -> NextStep | None:
    """:func:`adult_next_step` for the person's own records in ``year``, read here (for the quiz result
    page, which has only the module's status). At most three queries, none for pupils' modules."""
    if not is_adults_module(module, catalogue):
        return None
    if status.state is ModuleState.COMPLETED or module.agreement_id is None:
        return adult_next_step(user, module, catalogue, status=status, lessons_read=set(), quiz_passed=False,
                               agreement_signed=False)
    agreement = catalogue.agreements[module.agreement_id]
    signed = queries.agreement_statuses(user, user.id, [agreement], catalogue, year)[agreement.id]
    return adult_next_step(
        user, module, catalogue, status=status, lessons_read=queries.lessons_read(user.id, module, year),
        quiz_passed=any(attempt.passed for attempt in queries.attempts_this_year(user.id, module, year)),
        agreement_signed=signed.state is AgreementState.SIGNED)
