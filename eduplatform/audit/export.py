"""The audit log as CSV: the same rows for the web download and ``flask --app app export-audit-log``.

Cells go through the reports package's formula-safe CSV writer (:func:`eduplatform.reports.exports.csv_chunks`),
so a typed name such as ``=HYPERLINK(...)`` from a refused sign-in is text in a spreadsheet, never a formula.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from eduplatform.audit.labels import action_label, details_summary
from eduplatform.audit.queries import LogEntry
from eduplatform.reports.exports import csv_chunks

COLUMNS = ["when", "school", "action", "action_label", "who_username", "who", "about_username", "about",
           "summary", "details", "address"]


def csv_row(entry: LogEntry, *, command_line: str, unknown: str) -> list[Any]:
    """One entry as a CSV row; ``command_line`` and ``unknown`` name the doer of entries without one."""
    who = entry.actor_name or (command_line if entry.address == "cli" else unknown)
    return [entry.local_at.isoformat(timespec="seconds"), entry.school_name or "", entry.action,
            action_label(entry.action), entry.actor_username or "", who, entry.subject_username or "",
            entry.subject_name or "", details_summary(entry.action, entry.details),
            json.dumps(entry.details, sort_keys=True, ensure_ascii=False), entry.address or ""]


def csv_text(entries: Iterable[LogEntry], *, command_line: str, unknown: str, counted: list[int]) -> Iterator[str]:
    """The CSV in chunks (header first); ``counted[0]`` is the number of entries written so far."""

    def rows() -> Iterator[list[Any]]:
        for entry in entries:
            counted[0] += 1
            yield csv_row(entry, command_line=command_line, unknown=unknown)

    return csv_chunks(COLUMNS, rows())
