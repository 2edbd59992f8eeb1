"""Everything the platform holds about one person (a subject access request), found by walking the
personal data map (``table.info["personal_data"]``, docs/decisions.md §4), never a list of tables.

For every marked table one statement reads the rows where the person is the subject, is named
(``mentions``), or that belong to such a row (``via``); then a fixed few read the school and the
names of the other people those rows point at. So the number of statements depends on the schema,
not on how many rows a person has. Secrets are never copied out (:data:`SECRET_COLUMNS`); other
people appear by name only when they acted for the school, or are the person's own children.
Safeguarding records (tables marked ``restricted``: a concern, its actions, who read it) are only
counted: the export says how many are held and that the school's designated safeguarding lead
decides what can be shared from them; their content never leaves this way.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Column, ColumnElement, Table, false, func, or_, select

from eduplatform.accounts.models import User, UserRole
from eduplatform.db import Base, db, import_models, utcnow
from eduplatform.i18n import _
from eduplatform.privacy.export_labels import COLUMN_HEADINGS, SCHOOL_DOCUMENT_COLUMNS, SECRET_COLUMNS, TABLE_TITLES
from eduplatform.roles import Role
from eduplatform.schools.models import School

PERSON_TABLE = "user_account"
#: Roles whose holders act for a school: named in another person's export (professional capacity).
ACTING_FOR_SCHOOL = frozenset({Role.STAFF, Role.COORDINATOR, Role.TRUST_LEAD, Role.ADMIN})
#: Columns of a row about someone else that would say something about them: not copied into "named in".
ABOUT_OTHERS = frozenset({"typed_name", "before"})


class Withheld(enum.Enum):
    """A value that is held but not copied out."""

    #: A secret: a password or code hash, a token, the multi-factor secret, the card secret.
    SECRET = "secret"  # noqa: S105 (a kind of value, not a password)
    #: A whole document of the school (its programme of a year, a frozen audit), not about the person.
    SCHOOL_DOCUMENT = "school_document"
    #: Something about another person in a row where this person is only named.
    ABOUT_ANOTHER = "about_another"

    @property
    def label(self) -> str:
        if self is Withheld.SECRET:
            return _("held, not shown")
        if self is Withheld.SCHOOL_DOCUMENT:
            return _("the school's document, not about this person: not copied")
        return _("about another person: not shown")


@dataclass(frozen=True)
class Section:
    """The rows of one table: ``rows`` map column names to values (labels in place of people's ids)."""

    table: str
    title: str
    columns: tuple[tuple[str, str], ...]
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class PersonalData:
    """One person's data, built once and rendered as JSON, a page and a PDF."""

    generated_at: datetime
    person_id: int
    username: str
    full_name: str
    school_name: str | None
    time_zone: str
    school_id: int | None = None
    #: Rows about the person (and rows that belong to those), one section per table.
    sections: list[Section] = field(default_factory=list)
    #: Rows that name the person without being about them ("where you are named").
    named_in: list[Section] = field(default_factory=list)
    #: Safeguarding records about or naming the person (``restricted`` tables): counted, never copied.
    restricted: int = 0

    @property
    def row_count(self) -> int:
        return sum(len(section.rows) for section in (*self.sections, *self.named_in))

    @property
    def restricted_note(self) -> str:
        """The one line the export gives about safeguarding records: how many, and whom to ask."""
        return _("Safeguarding records: %(num)d held; ask the school's designated safeguarding lead, who decides "
                 "what can be shared.", num=self.restricted)


def marked_tables() -> list[Table]:
    """Every table with a personal-data mark, the person's own account first, then by name."""
    import_models()
    tables = [table for table in Base.metadata.tables.values() if table.info.get("personal_data")]
    return sorted(tables, key=lambda table: (table.name != PERSON_TABLE, table.name))


def _mark(table: Table) -> dict[str, Any]:
    return table.info["personal_data"]


def _points_at_person(column: Column[Any]) -> bool:
    return any(key.column.table.name == PERSON_TABLE for key in column.foreign_keys) or (
        column.table.name == PERSON_TABLE and column.name == "id")


def _any_of(table: Table, names: tuple[str, ...], user_id: int) -> ColumnElement[bool]:
    return or_(false(), *(table.c[name] == user_id for name in names))


def _belongs(table: Table, user_id: int) -> ColumnElement[bool]:
    """Rows about the person: a subject column names them, or (``via``) the row they hang from does."""
    mark = _mark(table)
    if mark["via"]:
        via = table.c[mark["via"]]
        parent_column = next(iter(via.foreign_keys)).column
        parent = parent_column.table
        return via.in_(select(parent_column).where(_any_of(parent, _mark(parent)["subject"], user_id)))
    return _any_of(table, mark["subject"], user_id)


def _count_restricted(table: Table, user_id: int) -> int:
    """One statement: how many of a restricted table's rows are about or name the person (nothing else read)."""
    condition = or_(_belongs(table, user_id), _any_of(table, _mark(table)["mentions"], user_id))
    return db.session.scalar(select(func.count()).select_from(table).where(condition)) or 0


def _read(table: Table, user_id: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One statement: the table's rows about the person, and those that only name them."""
    mark = _mark(table)
    belongs = _belongs(table, user_id)
    named = _any_of(table, mark["mentions"], user_id)
    query = select(table, belongs.label("_about")).where(or_(belongs, named)).order_by(*table.primary_key.columns)
    about, named_rows = [], []
    for row in db.session.execute(query).mappings():
        values = {column.name: row[column.name] for column in table.columns}
        (about if row["_about"] else named_rows).append(values)
    return about, named_rows


def personal_data_of(user_id: int, *, now: datetime | None = None) -> PersonalData:
    """Everything held about ``user_id``. Callers: the export views and ``export-person`` (access checked)."""
    everything = marked_tables()
    tables = [table for table in everything if not _mark(table).get("restricted")]
    raw = {table.name: _read(table, user_id) for table in tables}
    (account,) = raw[PERSON_TABLE][0] or [None]
    if account is None:
        raise LookupError(user_id)
    school = db.session.get(School, account["school_id"]) if account["school_id"] else None
    children = {row["child_id"] for row in raw.get("parent_link", ([], []))[0] if row["parent_id"] == user_id}
    labels = _labels(_people_named(tables, raw) - {user_id}, children)
    full_name = f"{account['first_name']} {account['last_name']}".strip()
    labels[user_id] = full_name
    data = PersonalData(generated_at=now or utcnow(), person_id=user_id, username=account["username"],
                        full_name=full_name, school_name=school.name if school else None,
                        time_zone=school.time_zone if school else "Europe/London",
                        school_id=school.id if school else None,
                        restricted=sum(_count_restricted(table, user_id) for table in everything
                                       if _mark(table).get("restricted")))
    for table in tables:
        about, named = raw[table.name]
        if about:
            data.sections.append(_section(table, about, labels, named_only=False))
        if named:
            data.named_in.append(_section(table, named, labels, named_only=True))
    return data


def _people_named(tables: list[Table], raw: dict[str, tuple[list[dict[str, Any]], list[dict[str, Any]]]]) -> set[int]:
    ids: set[int] = set()
    for table in tables:
        columns = [column.name for column in table.columns if _points_at_person(column)]
        for rows in raw[table.name]:
            ids.update(row[name] for row in rows for name in columns if row[name] is not None)
    return ids


def _labels(user_ids: set[int], children: set[int]) -> dict[int, str]:
    """Two statements whatever the number of people: names, and who acts for a school."""
    if not user_ids:
        return {}
    names = {row.id: f"{row.first_name} {row.last_name}".strip() for row in db.session.execute(
        select(User.id, User.first_name, User.last_name).where(User.id.in_(user_ids)))}
    acting = set(db.session.scalars(select(UserRole.user_id).where(
        UserRole.user_id.in_(user_ids), UserRole.role.in_(ACTING_FOR_SCHOOL))))
    another = _("another person")
    return {pk: names.get(pk, another) if pk in acting or pk in children else another for pk in user_ids}


def _section(table: Table, rows: list[dict[str, Any]], labels: dict[int, str], *, named_only: bool) -> Section:
    people = {column.name for column in table.columns if _points_at_person(column)} - {"id"}  # its own number
    out = []
    for row in rows:
        values: dict[str, Any] = {}
        for name, value in row.items():
            if name in SECRET_COLUMNS:
                values[name] = Withheld.SECRET if value is not None else None
            elif name in SCHOOL_DOCUMENT_COLUMNS:
                values[name] = Withheld.SCHOOL_DOCUMENT if value is not None else None
            elif named_only and name in ABOUT_OTHERS:
                values[name] = Withheld.ABOUT_ANOTHER if value is not None else None
            elif name in people and value is not None:
                values[name] = labels.get(value, _("another person"))
            else:
                values[name] = _scrubbed(value.value if isinstance(value, enum.Enum) else value)
        out.append(values)
    columns = tuple((column.name, str(COLUMN_HEADINGS[column.name])) for column in table.columns)
    return Section(table=table.name, title=str(TABLE_TITLES[table.name]), columns=columns, rows=out)


def _scrubbed(value: Any) -> Any:
    """A stored JSON value with any secret inside it withheld (a roster change keeps the state before it)."""
    if isinstance(value, dict):
        return {key: Withheld.SECRET if key in SECRET_COLUMNS and item is not None else _scrubbed(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item) for item in value]
    return value


# --- JSON ---------------------------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, Withheld):
        return value.label
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC).isoformat() if value.tzinfo is None else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _json_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_value(item) for item in value]
    return value


def _json_sections(sections: list[Section]) -> list[dict[str, Any]]:
    return [{"table": section.table, "title": section.title, "headings": dict(section.columns),
             "rows": [{name: _json_value(value) for name, value in row.items()} for row in section.rows]}
            for section in sections]


def to_json(data: PersonalData) -> str:
    """The export as JSON: ISO 8601 dates and times (UTC), the sections, and where the person is named."""
    document = {
        "generated_at": _json_value(data.generated_at),
        "school": data.school_name,
        "person": {"id": data.person_id, "username": data.username, "name": data.full_name},
        "sections": _json_sections(data.sections),
        "named_in": _json_sections(data.named_in),
        "safeguarding_records": {"held": data.restricted, "note": data.restricted_note},
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def file_name(data: PersonalData, extension: str) -> str:
    """``personal-data-<id>-<date>.<extension>``: the person's id and the day it was made."""
    return f"personal-data-{data.person_id}-{data.generated_at.date().isoformat()}.{extension}"
