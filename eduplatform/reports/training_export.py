"""The training record as CSV: the rows of :func:`eduplatform.compliance.record.build_record`, every
page of them, written by :func:`eduplatform.reports.exports.csv_chunks` (formula-safe, streamed).

Columns: ``school`` (slug), ``last_name``, ``first_name``, ``username``, ``roles`` and ``duties``
(separated by ``;``), ``start_date``, then for each rule shown ``<rule>_status`` (``overdue``,
``due_soon``, ``upcoming``, ``in_date``, ``not_required``), ``<rule>_due_date``, ``<rule>_last_done``,
``<rule>_method`` (``self``, ``teacher_led``, ``attended``, ``imported``, ``external``, ``signed``) and
``<rule>_expires``. Dates are ISO (``2026-10-31``); empty when there is none.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from eduplatform.compliance.record import TrainingRecord

PERSON_COLUMNS = ("school", "last_name", "first_name", "username", "roles", "duties", "start_date")
RULE_COLUMNS = ("status", "due_date", "last_done", "method", "expires")


def training_columns(record: TrainingRecord) -> list[str]:
    """The header: the person's columns, then five per rule shown."""
    return [*PERSON_COLUMNS, *(f"{rule.id}_{part}" for rule in record.rules for part in RULE_COLUMNS)]


def training_rows(record: TrainingRecord) -> Iterator[list[Any]]:
    """One row per person listed (every filter applied), in the page's order."""
    slugs = {school.id: school.slug for school in record.schools}
    for person in record.people:
        row: list[Any] = [slugs[person.school_id], person.last_name, person.first_name, person.username,
                          ";".join(sorted(person.roles)), ";".join(sorted(person.duties)), _day(person.started_on)]
        for rule in record.rules:
            cell = person.requirement(rule.id)
            if cell is None:
                row += ["", "", "", "", ""]
                continue
            last = cell.last_done
            row += [cell.status.value, _day(cell.due_on), _day(last.on if last else None),
                    last.method if last else "", _day(cell.expires_on)]
        yield row


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else ""
