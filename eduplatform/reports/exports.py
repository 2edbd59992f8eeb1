"""CSV exports of the records: fixed columns, streamed row by row, safe to open in a spreadsheet.

Each kind reads the same rows as the figures on screen (:mod:`eduplatform.reports.rows`) with a
fixed number of queries, streamed from the database (``yield_per``) and written with
:mod:`csv` as they arrive, so memory stays flat however many rows there are.

* Columns start with stable ids (school, external_id, username) before names; README lists them.
* UTF-8 with a byte order mark and CRLF line ends (Excel in UK schools opens it right) unless
  ``bom=False``.
* **Formula-safe**: any text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return gets a leading ``'`` (OWASP "CSV injection"), so ``=HYPERLINK(...)`` typed as a name stays
  text.
* A download that fails half-way ends with :data:`ERROR_MARKER` on its own line, so a partial file
  never looks complete.

The CSV writing itself (:func:`csv_chunks`, :func:`neutralise`, :data:`ERROR_MARKER`) is
:mod:`eduplatform.csv_files`, re-exported here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from eduplatform.accounts.models import User
from eduplatform.catalogue.model import Catalogue
from eduplatform.csv_files import ERROR_MARKER, csv_chunks, neutralise
from eduplatform.db import db
from eduplatform.reports import rows as records
from eduplatform.reports.attempt_export import attempt_cells
from eduplatform.reports.scope import Scope, plan_for_whole_populations
from eduplatform.schools.models import School, SchoolClass, year_group_label

__all__ = ["ERROR_MARKER", "KINDS", "columns_of", "csv_chunks", "export_query", "export_rows", "neutralise"]

KINDS = ("completions", "agreements", "attempts", "consents")
_PERSON = ("school", "external_id", "username", "first_name", "last_name", "audience", "year_group", "class")
_FIXED = {
    "completions": _PERSON + ("module_id", "module_title", "term", "due_date", "status", "completed_on", "method",
                              "best_percent", "first_attempt_percent", "attempts_this_year"),
    "agreements": _PERSON + ("agreement_id", "agreement_title", "status", "version_signed", "signed_on", "method"),
    "attempts": _PERSON + ("module_id", "module_title", "attempt_id", "submitted_at", "locale", "quiz_version",
                           "score", "max_score", "percent", "passed", "first_attempt"),
    "consents": _PERSON + ("agreement_id", "consent_id", "consent_text", "decision", "decided_on", "decided_by"),
}
_BATCH = 1000


def columns_of(kind: str, strands: tuple[str, ...]) -> list[str]:
    """The fixed columns of an export kind (attempts: two per strand, in curriculum order)."""
    columns = list(_FIXED[kind])
    if kind == "attempts":
        columns += [f"{strand}_{part}" for strand in strands for part in ("correct", "asked")]
    return columns


def _rows_subquery(kind: str, scope: Scope, filters: records.Filters, current_start_year: int) -> Any:
    return {"completions": records.completion_rows, "agreements": records.agreement_rows,
            "consents": records.consent_rows}[kind](
        scope, filters, current_start_year)


def export_query(kind: str, scope: Scope, filters: records.Filters, current_start_year: int) -> Select[Any]:
    """The rows of an export, with the people's ids and names (one query)."""
    rows = _rows_subquery(kind, scope, filters, current_start_year)
    query = (select(rows, School.slug, User.external_id, User.username, User.first_name, User.last_name,
                    SchoolClass.name.label("class_name"))
             .join(User, User.id == rows.c.user_id).join(School, School.id == rows.c.school_id)
             .outerjoin(SchoolClass, SchoolClass.id == rows.c.class_id))
    if kind == "consents":
        parent = aliased(User)
        query = query.add_columns(parent.username.label("parent_username")).outerjoin(
            parent, parent.id == rows.c.parent_id)
    return query.order_by(School.slug, rows.c.audience_id, rows.c.year_group, SchoolClass.name, User.last_name,
                          User.first_name, User.id, rows.c.position)


def _stream(query: Select[Any]) -> Any:
    """A result that fetches ``_BATCH`` rows at a time (a server-side cursor on PostgreSQL); close it after."""
    return db.session.execute(query.execution_options(stream_results=True, yield_per=_BATCH))


def _date(value: Any) -> str:
    return value.date().isoformat() if value is not None else ""


def export_rows(kind: str, scope: Scope, filters: records.Filters, current_start_year: int,
                catalogue: Catalogue) -> Iterator[list[Any]]:
    """The cells of every row of an export, as they stream from the database (one query; three for attempts)."""
    strands = catalogue.strands
    titles = {(school_id, module.id): module.title for school_id, programme in scope.programmes.items()
              for module in programme.modules}
    titles.update({(school_id, agreement.id): agreement.title for school_id, programme in scope.programmes.items()
                   for agreement in programme.agreements})
    consent_texts = {(agreement.id, item.id): item.text for agreement in catalogue.agreements.values()
                     for item in catalogue.agreement_content(agreement.id, catalogue.fallback_locale).consents}
    if kind == "attempts":
        yield from attempt_cells(scope, filters, current_start_year, strands, titles)
        return
    plan_for_whole_populations()
    result = _stream(export_query(kind, scope, filters, current_start_year))
    try:
        yield from _cells(kind, result, titles, consent_texts)
    finally:
        result.close()  # also when the download stops early: never leave a cursor open


def _cells(kind: str, result: Any, titles: dict[tuple[int, str], str],
           consent_texts: dict[tuple[str, str], str]) -> Iterator[list[Any]]:
    for row in result:
        person = [row.slug, row.external_id or "", row.username, row.first_name, row.last_name, row.audience_id,
                  year_group_label(row.year_group), row.class_name or ""]
        if kind == "completions":
            yield person + [row.module_id, titles.get((row.school_id, row.module_id), ""), row.term or "", row.due,
                            row.status, _date(row.completed_at), row.method or "",
                            "" if row.best_percent is None else row.best_percent,
                            "" if row.first_percent is None else row.first_percent, row.attempts]
        elif kind == "agreements":
            yield person + [row.agreement_id, titles.get((row.school_id, row.agreement_id), ""), row.status,
                            row.version_signed or "", _date(row.signed_at), row.method or ""]
        else:
            yield person + [row.agreement_id, row.consent_id, consent_texts.get((row.agreement_id, row.consent_id), ""),
                            row.status, _date(row.decided_at), row.parent_username or ""]
