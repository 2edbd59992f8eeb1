"""Writes of training compliance: a school's own training periods.

(Training done elsewhere is a learning record, written by :mod:`eduplatform.records.external`.)
Services flush and log; the request commits once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from eduplatform.accounts.models import User
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.catalogue.training import TrainingRule
from eduplatform.db import db
from eduplatform.schools.models import School


def save_training_periods(school: School, periods: Mapping[str, Mapping[str, Any]], rules: Sequence[TrainingRule],
                          *, actor: User | None) -> bool:
    """Make ``periods`` (checked by the settings form) the school's own periods for ``rules``.

    A rule left out goes back to the file's defaults; stored periods of rules no longer in the file
    are kept as they were. Returns whether anything changed (a change is logged as
    ``SCHOOL_CHANGED``). Callers: the training settings page (the school's coordinator, or an
    administrator). Statuses change at once: the training record reads the periods on every request.
    """
    before: dict[str, Any] = dict(school.training_periods or {})
    shown = {rule.id for rule in rules}
    after = {rule_id: value for rule_id, value in before.items() if rule_id not in shown}
    after.update({rule_id: dict(values) for rule_id, values in periods.items() if values})
    if after == before:
        return False
    school.training_periods = after  # a new dict: SQLAlchemy sees the JSON column change
    db.session.flush()
    record_event(AuditAction.SCHOOL_CHANGED, actor=actor, school_id=school.id,
                 details={"training_periods": {"before": before, "after": after}})
    return True
