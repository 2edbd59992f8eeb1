"""How long the platform keeps personal data: each kind's default period, its reason and its limits.

A school may set its own periods (``School.retention_periods``, ``{kind: days}``) within each kind's
limits: never below the legal or operational minimum, never above ten years. The nightly purge
(:mod:`eduplatform.privacy.purge`) reads the school's effective periods; the retention page
(:mod:`eduplatform.privacy.settings_views`) changes them through :func:`save_retention_periods`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel.speaklater import LazyString

from eduplatform.accounts.models import User
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.db import db
from eduplatform.i18n import _l
from eduplatform.schools.models import School

#: Ten years: the longest period a school may choose for any kind.
MAX_DAYS = 3650


@dataclass(frozen=True)
class RetentionKind:
    """One kind of personal data and how long it is kept (in days)."""

    key: str
    title: LazyString
    #: What the period counts from, and why it is as long as it is.
    reason: LazyString
    default_days: int
    min_days: int
    max_days: int = MAX_DAYS


#: Every kind, in the order the retention page and the purge report list them.
KINDS: tuple[RetentionKind, ...] = (
    RetentionKind("pupils", _l("Pupils"), _l(
        "After they leave. The yearly audit compares this year with last year, so leavers' records are "
        "kept for two years."), default_days=730, min_days=365),
    RetentionKind("staff", _l("Staff, governors and coordinators"), _l(
        "After they leave. Their training records are employment records: end of employment plus 6 years "
        "(IRMS toolkit for schools)."), default_days=2190, min_days=2190),
    RetentionKind("parents", _l("Parents and carers"), _l(
        "After they leave. Their consent decisions stay with their children's records."),
        default_days=365, min_days=30),
    RetentionKind("visitors", _l("Visitors"), _l(
        "After their last visit (or after their account was made, if they never came): long enough to show "
        "they signed the visitors' agreement."), default_days=365, min_days=30),
    RetentionKind("concerns", _l("Safeguarding concerns"), _l(
        "After the concern was closed. Safeguarding records are kept well beyond the pupil leaving: whoever a "
        "closed concern is about, or who reported it, is kept until then."), default_days=2555, min_days=2190),
    RetentionKind("sign_in_attempts", _l("Picture sign-in attempts"), _l(
        "After the attempt. The guess limits need only the last few days; 90 days lets a worry about someone "
        "guessing be looked into."), default_days=90, min_days=30),
    RetentionKind("audit_log", _l("Audit-log entries"), _l(
        "After the entry. Two years cover this year's and last year's audit."), default_days=730, min_days=365),
    RetentionKind("setup_codes", _l("Used or expired set-up codes"), _l(
        "After the code expired. Long enough to answer a parent who says their letter did not work."),
        default_days=30, min_days=1),
)
KIND_BY_KEY: dict[str, RetentionKind] = {kind.key: kind for kind in KINDS}
#: The kinds that are people (a person is erased when their period has passed), in order.
PEOPLE_KINDS = ("pupils", "staff", "parents", "visitors")


def effective_periods(stored: Mapping[str, Any] | None) -> dict[str, int]:
    """Each kind's period in days for a school: its own value when usable, else the default."""
    periods = {}
    for kind in KINDS:
        value = (stored or {}).get(kind.key)
        usable = isinstance(value, int) and not isinstance(value, bool) and kind.min_days <= value <= kind.max_days
        periods[kind.key] = value if usable else kind.default_days
    return periods


def problem_with(kind: RetentionKind, text: str) -> str | None:
    """Why ``text`` cannot be the kind's period (None when it can, or when it is empty: the default)."""
    if not text:
        return None
    if not text.isdigit() or not kind.min_days <= int(text) <= kind.max_days:
        return str(_l("%(kind)s: enter a whole number of days from %(min)s to %(max)s, or leave it empty for "
                      "the default.", kind=kind.title, min=kind.min_days, max=kind.max_days))
    return None


def save_retention_periods(school: School, periods: Mapping[str, int], *, actor: User | None) -> bool:
    """Make ``periods`` (``{kind: days}``, each checked by :func:`problem_with`) the school's own periods.

    A kind left out goes back to its default. Returns whether anything changed; a change is logged
    as ``RETENTION_CHANGED`` with the periods before and after. Callers: the retention page (the
    school's coordinator, or an administrator). Raises ``ValueError`` for a period out of its limits.
    """
    after = {}
    for key, days in periods.items():
        kind = KIND_BY_KEY[key]
        if not kind.min_days <= days <= kind.max_days:
            raise ValueError(f"{key}: {days} days is outside {kind.min_days}-{kind.max_days}")
        after[key] = days
    before = dict(school.retention_periods or {})
    if after == before:
        return False
    school.retention_periods = after  # a new dict: SQLAlchemy sees the JSON column change
    db.session.flush()
    record_event(AuditAction.RETENTION_CHANGED, actor=actor, school_id=school.id,
                 details={"retention_periods": {"before": before, "after": after}})
    return True
