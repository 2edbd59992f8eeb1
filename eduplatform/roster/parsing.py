"""Reading a roster CSV: bytes in, validated rows or errors (line, column, reason) out. Pure: no database.

Accepts what schools really export: UTF-8 with or without a byte-order mark, Windows or Unix line
endings, quoted values, header names in any case and order (spaces and hyphens read as ``_``),
stray spaces around values, blank lines, and names in any script with apostrophes, hyphens and
spaces. Unknown columns are reported as a notice and ignored.

Decisions documented here:

* ``year_group``, ``class`` (for governors, parents, visitors), ``parent_of`` (for non-parents),
  ``start_date`` (for non-staff) and pupils' ``email`` are **ignored with a notice**, not errors: a
  whole-school MIS export often carries these columns for everyone.
* ``role`` may name several roles separated by ``;`` (a teacher who is also a parent); ``coordinator``
  also gives ``staff``. A pupil holds no other role.
* ``start_date`` is ISO (``2026-09-01``); the UK ``01/09/2026`` is accepted too. A staff start date
  in the future is an error (induction falls due from it): after today (the school's date), or, for
  next year's file imported ahead, after the first day of that academic year.
* ``duties`` (optional) gives staff the safeguarding duty: ``dsl``, ``deputy_dsl`` (several with ``;``).
  A duty on a line that is not staff is an error (only staff can hold it), as is an unknown duty.
  Without the column, duties are left as they are; with it, an empty cell removes them.

Checks that need the database (``parent_of`` naming someone only in the school, usernames taken by
another school) are made by :mod:`eduplatform.roster.planning`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from eduplatform.accounts.names import clean_text
from eduplatform.roles import Duty, Role
from eduplatform.roster.problems import Problem, line_list
from eduplatform.schools.models import LAST_YEAR_GROUP, NURSERY, RECEPTION

#: Every column the import reads.
COLUMNS = ("external_id", "first_name", "last_name", "role", "year_group", "class", "username", "email",
           "parent_of", "start_date", "duties")
REQUIRED_COLUMNS = ("first_name", "last_name", "role")
#: Other header names schools' exports use for the same columns.
ALIASES = {"forename": "first_name", "surname": "last_name", "classes": "class", "form": "class",
           "year": "year_group", "roles": "role", "duty": "duties"}
IMPORTABLE_ROLES = {"pupil": Role.PUPIL, "staff": Role.STAFF, "governor": Role.GOVERNOR, "parent": Role.PARENT,
                    "visitor": Role.VISITOR, "coordinator": Role.COORDINATOR}
MAX_ROWS = 20_000
LIMITS = {"external_id": 64, "first_name": 100, "last_name": 100, "class": 100, "email": 254}

_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,79}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_NUMBERED_YEAR = re.compile(r"^(?:year|yr|y)?\s*(\d{1,2})$")
_NAMED_YEARS = {"n": NURSERY, "nursery": NURSERY, "fs1": NURSERY, "year n": NURSERY,
                "r": RECEPTION, "rec": RECEPTION, "reception": RECEPTION, "fs2": RECEPTION, "year r": RECEPTION}
_UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_SPREADSHEET_SIGNATURES = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")


@dataclass(frozen=True)
class RosterRow:
    """One person as the file describes them, validated and normalised."""

    line: int
    first_name: str
    last_name: str
    roles: frozenset[Role]
    external_id: str | None = None
    year_group: int | None = None
    #: Pupils: their one class; staff: the classes they teach.
    classes: tuple[str, ...] = ()
    username: str | None = None
    email: str | None = None
    #: Parents: the external_ids of their children.
    parent_of: tuple[str, ...] = ()
    start_date: date | None = None
    #: Staff: their safeguarding duties (DSL, deputy DSL).
    duties: frozenset[Duty] = frozenset()

    @property
    def is_pupil(self) -> bool:
        return Role.PUPIL in self.roles

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass
class ParsedFile:
    """The rows of a file, or the errors that stop it being imported, and notices either way."""

    rows: list[RosterRow] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)
    #: The known columns the file has (canonical names): absent optional columns are left untouched.
    columns: frozenset[str] = frozenset()
    #: Canonical column name -> the header text as written, for messages.
    headers: dict[str, str] = field(default_factory=dict)
    #: Every external_id the file names on a line of its own, including lines with errors (so a
    #: parent_of pointing at a child whose line has a typo is not also called "unknown").
    external_ids_in_file: set[str] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_year_group(value: str) -> int | None:
    """``N``/``Nursery`` -1, ``R``/``Reception`` 0, ``1``-``13``/``Year 3``/``Y3``; None when not a year group."""
    text = " ".join(value.lower().split())
    if text in _NAMED_YEARS:
        return _NAMED_YEARS[text]
    found = _NUMBERED_YEAR.match(text)
    if found and 1 <= int(found.group(1)) <= LAST_YEAR_GROUP:
        return int(found.group(1))
    return None


def parse_date(value: str) -> date | None:
    """An ISO date or a UK day/month/year date; None when neither (or implausible)."""
    try:
        found = _UK_DATE.match(value)
        day = date(int(found.group(3)), int(found.group(2)), int(found.group(1))) if found \
            else date.fromisoformat(value)
    except ValueError:
        return None
    return day if 1900 <= day.year <= 2100 else None


def _split(value: str) -> tuple[str, ...]:
    """``a; b;;c`` -> ``("a", "b", "c")``, keeping the first of repeated values."""
    return tuple(dict.fromkeys(part for part in (clean_text(p) for p in value.split(";")) if part))


def _canonical(header: str) -> str:
    name = re.sub(r"[\s\-]+", "_", header.strip().strip("\ufeff").strip().lower())
    return ALIASES.get(name, name)


def _decode(data: bytes) -> tuple[str | None, Problem | None]:
    if not data.replace(b"\xef\xbb\xbf", b"").strip():
        return None, Problem("empty_file")
    if data.startswith(_SPREADSHEET_SIGNATURES):
        return None, Problem("spreadsheet")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, Problem("not_utf8", line=data[: exc.start].count(b"\n") + 1)
    if "\x00" in text:
        return None, Problem("not_csv", line=text[: text.index("\x00")].count("\n") + 1)
    if not text.strip():
        return None, Problem("empty_file")
    return text, None


def _read_header(header: list[str], parsed: ParsedFile) -> dict[str, int]:
    positions: dict[str, int] = {}
    unknown: list[str] = []
    for index, raw in enumerate(header):
        written = clean_text(raw.replace("\ufeff", ""))
        name = _canonical(written)
        if not name:
            continue
        if name not in COLUMNS:
            unknown.append(written)
        elif name in positions:
            parsed.errors.append(Problem("duplicate_column", 1, written, {"column": written}))
        else:
            positions[name] = index
            parsed.headers[name] = written
    for name in REQUIRED_COLUMNS:
        if name not in positions:
            parsed.errors.append(Problem("missing_column", 1, name, {"column": name}))
    if unknown:
        parsed.notices.append(Problem("unknown_columns", 1, None, {"columns": ", ".join(unknown)}))
    parsed.columns = frozenset(positions)
    return positions


def parse_roster(data: bytes, latest_start: date | None = None) -> ParsedFile:
    """Read and validate a whole roster file. The result has rows only when it has no errors.

    ``latest_start``: the latest start date accepted (see the module; the server's date when not given).
    """
    parsed = ParsedFile()
    text, problem = _decode(data)
    if problem is not None:
        parsed.errors.append(problem)
        return parsed
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        records = _records(reader)
        header_line, header = next(records, (0, []))
        if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
            parsed.errors.append(Problem("wrong_separator", header_line))
            return parsed
        positions = _read_header(header, parsed)
        if parsed.errors:
            return parsed
        rows = _RowReader(parsed, positions, len(header), latest_start or date.today())
        for line, cells in records:
            if rows.count >= MAX_ROWS:
                parsed.errors.append(Problem("too_many_rows", line, None, {"limit": MAX_ROWS}))
                return parsed
            rows.read(line, cells)
    except csv.Error as error:
        # A value over the csv module's limit (128 KB) is not a broken file: say which line.
        code = "cell_too_long" if "field larger than field limit" in str(error) else "not_csv"
        parsed.errors.append(Problem(code, reader.line_num or 1))
        return parsed
    rows.finish()
    if not parsed.errors and not parsed.rows:
        parsed.errors.append(Problem("no_people", 2))
    parsed.errors.sort(key=Problem.sort_key)
    # Lines without errors stay in ``rows`` even when others have some: the planner checks them
    # against the school too, so one report lists every problem. A file with errors is never applied.
    return parsed


def _records(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """(first line of the record, cells) for every record that has any non-blank cell."""
    previous = 0
    for cells in reader:
        start, previous = previous + 1, reader.line_num
        if any(cell.strip() for cell in cells):
            yield start, cells


class _RowReader:
    """Validates data rows one by one, remembering what cross-row checks need."""

    def __init__(self, parsed: ParsedFile, positions: dict[str, int], width: int, latest_start: date) -> None:
        self.parsed = parsed
        self.latest_start = latest_start
        self.positions = positions
        self.width = width
        self.count = 0
        self.external_ids: dict[str, int] = {}
        self.usernames: dict[str, int] = {}
        self.ignored: dict[str, list[int]] = {}

    def header(self, name: str) -> str:
        return self.parsed.headers.get(name, name)

    def error(self, code: str, line: int, column: str | None, **params: object) -> None:
        self.parsed.errors.append(Problem(code, line, self.header(column) if column else None, params))

    def ignore(self, code: str, line: int) -> None:
        self.ignored.setdefault(code, []).append(line)

    def read(self, line: int, cells: list[str]) -> None:
        self.count += 1
        extra = [cell for cell in cells[self.width:] if cell.strip()]
        if extra:
            self.error("extra_values", line, None, count=len(cells), expected=self.width)
            return
        values = {name: clean_text(cells[index]) if index < len(cells) else ""
                  for name, index in self.positions.items()}
        errors_before = len(self.parsed.errors)
        for name, limit in LIMITS.items():
            if len(values.get(name, "")) > limit:
                self.error("too_long", line, name, limit=limit)
                values[name] = values[name][:limit]
        for name in ("first_name", "last_name", "external_id", "class"):
            if any(unicodedata.category(char) == "Cc" for char in values.get(name, "")):
                self.error("control_characters", line, name)
        for name in ("first_name", "last_name"):
            if not values[name]:
                self.error("required", line, name)
        roles = self._roles(line, values["role"])
        is_pupil = Role.PUPIL in roles
        year_group = self._year_group(line, values.get("year_group", ""), is_pupil)
        classes = self._classes(line, values.get("class", ""), roles)
        external_id = values.get("external_id") or None
        username = self._username(line, values.get("username", ""))
        email = self._email(line, values.get("email", ""), is_pupil)
        parent_of = _split(values.get("parent_of", ""))
        if parent_of and Role.PARENT not in roles:
            self.ignore("ignored_parent_of", line)
            parent_of = ()
        start_date = self._start_date(line, values.get("start_date", ""), roles)
        duties = self._duties(line, values.get("duties", ""), roles)
        if external_id is not None:
            self.parsed.external_ids_in_file.add(external_id)
            if external_id in self.external_ids:
                self.error("duplicate_external_id", line, "external_id", value=external_id,
                           other=self.external_ids[external_id])
            else:
                self.external_ids[external_id] = line
        if len(self.parsed.errors) == errors_before:
            self.parsed.rows.append(RosterRow(
                line=line, first_name=values["first_name"], last_name=values["last_name"], roles=roles,
                external_id=external_id, year_group=year_group, classes=classes, username=username, email=email,
                parent_of=parent_of, start_date=start_date, duties=duties))

    def _roles(self, line: int, value: str) -> frozenset[Role]:
        if not value:
            self.error("required", line, "role")
            return frozenset()
        roles: set[Role] = set()
        for name in _split(value.lower()):
            role = IMPORTABLE_ROLES.get(name)
            if role is None:
                self.error("unknown_role", line, "role", value=name)
                continue
            roles.add(role)
            if role is Role.COORDINATOR:
                roles.add(Role.STAFF)
        if Role.PUPIL in roles and len(roles) > 1:
            self.error("pupil_other_roles", line, "role")
        return frozenset(roles)

    def _year_group(self, line: int, value: str, is_pupil: bool) -> int | None:
        if not is_pupil:
            if value:
                self.ignore("ignored_year_group", line)
            return None
        if not value:
            self.error("missing_year_group", line, "year_group")
            return None
        year_group = parse_year_group(value)
        if year_group is None:
            self.error("bad_year_group", line, "year_group", value=value)
        return year_group

    def _classes(self, line: int, value: str, roles: frozenset[Role]) -> tuple[str, ...]:
        classes = _split(value)
        if Role.PUPIL in roles:
            if not classes:
                self.error("missing_class", line, "class")
            elif len(classes) > 1:
                self.error("pupil_one_class", line, "class", count=len(classes))
            return classes
        if Role.STAFF in roles:
            return classes
        if classes and roles:
            self.ignore("ignored_class", line)
        return ()

    def _username(self, line: int, value: str) -> str | None:
        if not value:
            return None
        username = value.lower()
        if not _USERNAME.match(username):
            self.error("bad_username", line, "username", value=value)
            return None
        if username in self.usernames:
            self.error("duplicate_username", line, "username", value=username, other=self.usernames[username])
        else:
            self.usernames[username] = line
        return username

    def _email(self, line: int, value: str, is_pupil: bool) -> str | None:
        if not value:
            return None
        if is_pupil:
            self.ignore("ignored_pupil_email", line)
            return None
        if not _EMAIL.match(value):
            self.error("bad_email", line, "email", value=value)
            return None
        return value

    def _start_date(self, line: int, value: str, roles: frozenset[Role]) -> date | None:
        if not value:
            return None
        if Role.STAFF not in roles:
            if roles:
                self.ignore("ignored_start_date", line)
            return None
        day = parse_date(value)
        if day is None:
            self.error("bad_date", line, "start_date", value=value)
        elif day > self.latest_start:
            self.error("future_start_date", line, "start_date", value=value)
        return day

    def _duties(self, line: int, value: str, roles: frozenset[Role]) -> frozenset[Duty]:
        duties: set[Duty] = set()
        for name in _split(value.lower()):
            if name not in Duty._value2member_map_:
                self.error("unknown_duty", line, "duties", value=name)
                continue
            duties.add(Duty(name))
        if duties and roles and Role.STAFF not in roles:
            self.error("duty_not_staff", line, "duties")
        return frozenset(duties)

    def finish(self) -> None:
        """Cross-row checks (children named in the file are pupils) and the ignored-values notices."""
        by_external_id = {row.external_id: row for row in self.parsed.rows if row.external_id}
        for row in self.parsed.rows:
            for child in row.parent_of:
                found = by_external_id.get(child)
                if found is not None and not found.is_pupil:
                    self.error("parent_of_not_pupil", row.line, "parent_of", value=child, other=found.line)
        for code, lines in self.ignored.items():
            self.parsed.notices.append(Problem(code, lines[0], None, {"lines": line_list(lines)}))
