"""The concern log as CSV, for the school's DSL and deputies: **one row per concern**, its actions summarised
in one cell (one line per action, oldest first), in the log's order with the page's filters.

One row per concern (rather than one per action) keeps the count of rows the count of concerns, and a
concern without actions still has its row. Columns, stable ids first:

``concern_id``, ``reported_at`` (the school's time, ISO), ``status`` (``new``, ``open``, ``closed``),
``category`` (its id), ``category_label``, ``happening_now`` (``yes``/``no``), ``reporter_kind``
(``pupil``, ``parent``, ``staff``), ``reporter_username``, ``reporter_name``, ``about_username``,
``about_name``, ``talk_to`` (an id), ``pictures`` (the ids a young pupil chose, ``;`` between), ``text``,
``first_read_at``, ``actions_count``, ``actions`` (``<when> | <who> | <what> | <outcome>`` per line),
``closed_at``, ``closed_by``, ``outcome``. An erased person shows as such, without a username.

Cells go through :func:`eduplatform.csv_files.csv_chunks` (the records exports' writer): a concern's text
beginning ``=`` stays text in a spreadsheet, never a formula.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from eduplatform.concerns.categories import category_label
from eduplatform.concerns.log_queries import ExportConcern, LogFilters, export_concerns, local
from eduplatform.csv_files import csv_chunks

COLUMNS = ["concern_id", "reported_at", "status", "category", "category_label", "happening_now", "reporter_kind",
           "reporter_username", "reporter_name", "about_username", "about_name", "talk_to", "pictures", "text",
           "first_read_at", "actions_count", "actions", "closed_at", "closed_by", "outcome"]


def _when(moment: datetime | None, time_zone: str) -> str:
    found = local(moment, time_zone)
    return found.isoformat(timespec="minutes") if found is not None else ""


def csv_row(concern: ExportConcern, time_zone: str) -> list[Any]:
    """One concern as a CSV row (times in the school's ``time_zone``)."""
    actions = "\n".join(" | ".join(part for part in (_when(action.at, time_zone), action.by_name, action.what,
                                                    action.outcome))
                        for action in concern.actions)
    return [concern.id, _when(concern.reported_at, time_zone), concern.status, concern.category,
            category_label(concern.category), "yes" if concern.happening_now else "no", concern.reporter_kind,
            concern.reporter_username, concern.reporter_name, concern.about_username, concern.about_name,
            concern.talk_to or "", ";".join(concern.pictures), concern.text, _when(concern.first_read_at, time_zone),
            len(concern.actions), actions, _when(concern.closed_at, time_zone), concern.closed_by_name,
            concern.outcome]


def csv_text(filters: LogFilters, *, time_zone: str, erased: str, counted: list[int]) -> Iterator[str]:
    """The CSV in chunks (header first); ``counted[0]`` is the number of concerns written so far."""

    def rows() -> Iterator[list[Any]]:
        for concern in export_concerns(filters, erased=erased):
            counted[0] += 1
            yield csv_row(concern, time_zone)

    return csv_chunks(COLUMNS, rows())
