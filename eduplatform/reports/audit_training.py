"""The audit's staff and governor training figures, counted from the training rules.

The rules in ``curriculum/training.yaml`` decide who must be trained and when; the training record
(:func:`eduplatform.compliance.queries.training_record`) as it stood on the audit's day (today for
the current year, 31 August for a past one) says where each adult stood. This module counts it per
school and rule: the people a rule applies to, how many were in date and how many overdue; and the
year's new starters with their induction done. Training done elsewhere counts, as on the record,
and a school's own periods apply.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from eduplatform.catalogue.model import Catalogue
from eduplatform.catalogue.training import TrainingRule
from eduplatform.compliance.queries import training_record
from eduplatform.compliance.status import RequirementStatus, TrainingStatus
from eduplatform.reports.scope import Scope

#: The keys of a rule's tally: people it applies to, of whom in date, of whom overdue.
REQUIRED, IN_DATE, OVERDUE = "required", "in_date", "overdue"
#: The keys of the induction tally (new starters): done, not done.
DONE, NOT_DONE = "completed", "not_completed"


def is_in_date(cell: RequirementStatus) -> bool:
    """Trained and still in date: done (this year, for a yearly rule) and not yet expired.

    "Due soon" counts when it is a renewal falling due (the completion has not expired yet), not
    when the training has never been done this year.
    """
    if cell.status is TrainingStatus.IN_DATE:
        return True
    return cell.status is TrainingStatus.DUE_SOON and cell.last_done is not None and cell.expires_on is not None


def rules_by_module(catalogue: Catalogue, module_ids: set[str]) -> dict[str, TrainingRule]:
    """The rule the audit reads for each of its modules: the first rule naming that module as its own."""
    found: dict[str, TrainingRule] = {}
    for rule in catalogue.training_rules:
        if rule.module_id in module_ids and rule.module_id not in found:
            found[rule.module_id] = rule
    return found


def count_training(scope: Scope, catalogue: Catalogue, settings: Mapping[str, str]
                   ) -> tuple[dict[tuple[int, str], dict[str, int]], dict[tuple[int], dict[str, int]]]:
    """Tallies for the audit's training modules, on ``scope.today`` (five queries, however many people).

    Returns ``{(school_id, module_id): {required, in_date, overdue}}`` for each module the audit
    settings name (refresher, DSL, governors, induction) that a rule is about, and
    ``{(school_id,): {completed, not_completed}}``: the new starters of the year (start date inside
    it) whom the induction rule applies to.
    """
    wanted = {settings[key] for key in ("staff_induction", "staff_refresher", "dsl_training", "governor_training")
              if settings.get(key)}
    rules = rules_by_module(catalogue, wanted)
    if not rules:
        return {}, {}
    training: dict[tuple[int, str], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys((REQUIRED, IN_DATE, OVERDUE), 0))
    induction: dict[tuple[int], dict[str, int]] = defaultdict(lambda: dict.fromkeys((DONE, NOT_DONE), 0))
    induction_rule = rules.get(settings.get("staff_induction") or "")
    for person in training_record(catalogue, scope.school_ids, scope.today, as_it_stood=True):
        for module_id, rule in rules.items():
            cell = person.requirement(rule.id)
            if cell is None or cell.status is TrainingStatus.NOT_REQUIRED:
                continue
            tally = training[(person.school_id, module_id)]
            tally[REQUIRED] += 1
            tally[IN_DATE] += is_in_date(cell)
            tally[OVERDUE] += cell.status is TrainingStatus.OVERDUE
            if rule is induction_rule and scope.year.first_day <= person.started_on <= scope.year.last_day:
                induction[(person.school_id,)][DONE if is_in_date(cell) else NOT_DONE] += 1
    return dict(training), dict(induction)
