"""A person's data export as a PDF (and a page): one Jinja template, ``privacy/export_body.html``.

Made to be read by the person, a parent or a member of staff, not by a machine (the JSON is for
that): a section with a few columns stays a table; a wide one (the account, the audit log) becomes
one block per record, each field a heading and its value. Fields with nothing in them are left out
(the JSON keeps every one), times are in the school's time zone, and codes read as words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask import current_app, render_template
from flask_babel import format_date, format_time, get_locale

from eduplatform.academic_year import zone
from eduplatform.audit.labels import action_label, details_summary
from eduplatform.i18n import _
from eduplatform.pdf import render_pdf
from eduplatform.privacy.export import PersonalData, Section, Withheld
from eduplatform.privacy.export_labels import COLUMN_HEADINGS, STORED_KEY_HEADINGS
from eduplatform.roles import DUTY_TITLES, ROLE_TITLES, Duty, Role

#: A section with at most this many filled columns, none of them a stored document, stays a table.
TABLE_COLUMNS = 5
#: A section with more rows than this (a year of quiz answers, the audit log) is a compact table
#: whatever its width: blocks would run to hundreds of pages and take the PDF engine most of a minute
#: (25 s for a pupil with 446 answers, against about 4 s as compact tables; bench/privacy.py).
LONG_SECTION = 25
#: Columns holding a code from a fixed list: shown as words (``class_session``: "class session").
CODED = frozenset({"kind", "status", "method", "mode", "attendance_method", "level", "strand"})


@dataclass(frozen=True)
class Shown:
    """One section as laid out: its filled columns, and each row's values as text."""

    title: str
    as_table: bool
    #: ``(column name, heading)`` of the columns with something in at least one row.
    columns: list[tuple[str, str]]
    #: Per row, ``{column name: text}``: only filled fields (a block lists these; a table shows blanks).
    rows: list[dict[str, str]]
    #: A long section as a small-print table with fixed column widths.
    compact: bool = False
    #: A compact table's columns that hold the same text in every row, shown once above it.
    same_in_every_row: tuple[tuple[str, str], ...] = ()


def _moment(value: datetime, time_zone: str) -> str:
    moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    local = moment.astimezone(zone(time_zone)).replace(tzinfo=None)
    return _("%(date)s, %(time)s", date=format_date(local, "long"), time=format_time(local, "short"))


def display_value(value: Any, time_zone: str) -> str:
    """A value as a reader sees it: times in the school's time zone, yes and no, lists and records as lines."""
    if value is None:
        return ""
    if isinstance(value, Withheld):
        return value.label
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime):
        return _moment(value, time_zone)
    if isinstance(value, date):
        return format_date(value, "long")
    if isinstance(value, list | tuple):
        return ", ".join(display_value(item, time_zone) for item in value)
    if isinstance(value, dict):
        return "\n".join(_stored_lines(value, time_zone))
    return str(value)


def _stored_lines(record: dict[str, Any], time_zone: str) -> list[str]:
    """A stored record (a roster change's "before"), one ``heading: value`` line per filled field."""
    lines = []
    for key, item in record.items():
        if isinstance(item, dict):
            lines.extend(_stored_lines(item, time_zone))
            continue
        text = display_value(item, time_zone)
        if text:
            heading = STORED_KEY_HEADINGS.get(key) or COLUMN_HEADINGS.get(key) or key.replace("_", " ")
            lines.append(f"{heading}: {text}")
    return lines


def _cell(section: Section, row: dict[str, Any], name: str, data: PersonalData) -> str:
    """The text of one field, with the column's own meaning where it has one (a school, a role...)."""
    value = row[name]
    if value is None or isinstance(value, Withheld):
        return display_value(value, data.time_zone)
    if name == "school_id" and value == data.school_id and data.school_name:
        return data.school_name
    if name == "role" and value in set(Role):
        return str(ROLE_TITLES[Role(value)])
    if name == "duty" and value in set(Duty):
        return str(DUTY_TITLES[Duty(value)])
    if section.table == "audit_event" and name == "action":
        return action_label(value)
    if section.table == "audit_event" and name == "details" and isinstance(value, dict):
        return details_summary(row["action"], value)
    if name in CODED and isinstance(value, str):
        return value.replace("_", " ")
    return display_value(value, data.time_zone)


def laid_out(section: Section, data: PersonalData) -> Shown:
    """A section ready to print: a table when it is narrow, else one block per row."""
    rows = [{name: _cell(section, row, name, data) for name, _heading in section.columns} for row in section.rows]
    columns = [(name, heading) for name, heading in section.columns if any(row[name] for row in rows)]
    # A stored document (a roster change's "before") reads as lines: it needs a block of its own.
    documents = any("\n" in row[name] for row in rows for name, _heading in columns)
    filled = [{name: row[name] for name, _heading in columns if row[name]} for row in rows]
    if len(rows) > LONG_SECTION and not documents:
        same = tuple((heading, rows[0][name]) for name, heading in columns
                     if all(row[name] == rows[0][name] for row in rows))
        varying = [(name, heading) for name, heading in columns if (heading, rows[0][name]) not in same]
        return Shown(title=section.title, as_table=True, columns=varying, rows=filled, compact=True,
                     same_in_every_row=same)
    return Shown(title=section.title, as_table=len(columns) <= TABLE_COLUMNS and not documents, columns=columns,
                 rows=filled)


def export_document(data: PersonalData) -> str:
    """The HTML document the PDF is made from (its body, ``privacy/export_body.html``, suits a page too)."""
    parts = [(_("Records about you"), [laid_out(section, data) for section in data.sections]),
             (_("Where you are named"), [laid_out(section, data) for section in data.named_in])]
    return render_template("privacy/export_document.html", data=data, parts=parts, lang=str(get_locale()),
                           made_on=_moment(data.generated_at, data.time_zone))


def export_pdf(data: PersonalData) -> bytes:
    """The export as a PDF (raises PdfUnavailableError when this server cannot make PDFs)."""
    return render_pdf(export_document(data), current_app.static_folder or "")
