"""Reading issued certificates for the list page and the bulk downloads: filters and counts in SQL.

The filters are the same for the page and both downloads, so a download holds exactly the
certificates the page lists. Callers: :mod:`eduplatform.compliance.certificate_views`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select

from eduplatform.academic_year import local_date
from eduplatform.accounts.models import User
from eduplatform.db import db
from eduplatform.records.models import Certificate
from eduplatform.schools.models import School

#: Certificates listed per page.
PAGE_SIZE = 100
#: The most certificates one bulk download holds: more must be narrowed down by the filters.
BULK_LIMIT = 250
#: The order of the list and of the pages of a bulk download.
ORDER = (School.name, User.last_name, User.first_name, Certificate.module_id, Certificate.completed_on)


@dataclass(frozen=True)
class CertificateFilters:
    """Which certificates: of which schools, which module, completed between which days, current only."""

    schools: tuple[School, ...]
    module_id: str | None = None
    completed_from: date | None = None
    completed_to: date | None = None
    #: Only certificates neither replaced nor past their expiry date.
    current_only: bool = False

    def conditions(self, now: datetime | None = None) -> list[ColumnElement[bool]]:
        """SQL conditions on :class:`Certificate` for these filters."""
        found: list[ColumnElement[bool]] = [Certificate.school_id.in_([school.id for school in self.schools])]
        if self.module_id:
            found.append(Certificate.module_id == self.module_id)
        if self.completed_from:
            found.append(Certificate.completed_on >= self.completed_from)
        if self.completed_to:
            found.append(Certificate.completed_on <= self.completed_to)
        if self.current_only:
            found.append(Certificate.superseded_by_id.is_(None))
            found.append(_not_expired(self.schools, now or datetime.now(UTC)))
        return found

    def described(self) -> dict[str, Any]:
        """The filters as the access log records them."""
        details: dict[str, Any] = {"schools": [school.id for school in self.schools]}
        if self.module_id:
            details["module"] = self.module_id
        if self.completed_from:
            details["from"] = self.completed_from.isoformat()
        if self.completed_to:
            details["to"] = self.completed_to.isoformat()
        if self.current_only:
            details["current"] = True
        return details


def _not_expired(schools: Sequence[School], now: datetime) -> ColumnElement[bool]:
    """No expiry date, or one not yet past in the calendar of the school that issued it."""
    by_zone: dict[str, list[int]] = defaultdict(list)
    for school in schools:
        by_zone[school.time_zone or "Europe/London"].append(school.id)
    return or_(Certificate.expires_on.is_(None), *(
        and_(Certificate.school_id.in_(ids), Certificate.expires_on >= local_date(now, zone))
        for zone, ids in by_zone.items()))


def count_certificates(filters: CertificateFilters) -> int:
    """How many certificates the filters select (one query)."""
    return db.session.scalar(select(func.count(Certificate.id)).where(*filters.conditions())) or 0


def certificate_module_ids(schools: Sequence[School]) -> list[str]:
    """The modules the schools have issued certificates for (the choices of the module filter)."""
    return list(db.session.scalars(select(Certificate.module_id).distinct().where(
        Certificate.school_id.in_([school.id for school in schools])).order_by(Certificate.module_id)))
