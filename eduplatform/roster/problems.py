"""What an import reports: errors (nothing is applied) and notices (applied, but worth knowing).

A :class:`Problem` is data: a code, the 1-based file line and the column as written in the file's
header, and the values its message needs. The message is translated only when shown, so parsing
stays pure (no request, no locale) and tests can assert on codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eduplatform.i18n import _l

#: The reason shown for each code. Placeholders are filled from :attr:`Problem.params`.
MESSAGES: dict[str, Any] = {
    # The file as a whole.
    "empty_file": _l("The file is empty."),
    "no_people": _l("The file has a header line but no people in it."),
    "not_utf8": _l("The file is not UTF-8 text. In Excel, save it as \"CSV UTF-8 (Comma delimited)\"."),
    "spreadsheet": _l("This is a spreadsheet, not a CSV file. In Excel, save it as \"CSV UTF-8 (Comma delimited)\"."),
    "not_csv": _l("This does not look like a CSV file (values separated by commas)."),
    "cell_too_long": _l("A value on this line is far too long (over 128,000 characters): no name, class or id is "
                        "that long. Check the file was exported from the MIS as CSV."),
    "wrong_separator": _l("The values are separated by semicolons or tabs: save the file with commas (CSV)."),
    "too_many_rows": _l("The file has more than %(limit)s people: split it into smaller files."),
    "missing_column": _l("The required column %(column)s is missing."),
    "duplicate_column": _l("The column %(column)s appears more than once."),
    # One row.
    "extra_values": _l("This line has %(count)s values but the header has %(expected)s: a value that contains "
                       "a comma must be in double quotes."),
    "required": _l("This cell is empty but is required."),
    "too_long": _l("Longer than %(limit)s characters."),
    "control_characters": _l("Contains invisible control characters."),
    "unknown_role": _l("Unknown role \"%(value)s\": use pupil, staff, governor, parent, visitor or coordinator."),
    "pupil_other_roles": _l("A pupil cannot hold another role on the same line."),
    "missing_year_group": _l("Pupils need a year group (N, R or 1 to 13)."),
    "bad_year_group": _l("Unknown year group \"%(value)s\": use N, R, 1 to 13, \"Reception\" or \"Year 3\"."),
    "missing_class": _l("Pupils need a class."),
    "pupil_one_class": _l("A pupil belongs to one class only; this line names %(count)s."),
    "bad_date": _l("\"%(value)s\" is not a date: write it as 2026-09-01 (or 01/09/2026)."),
    "future_start_date": _l("The start date %(value)s is in the future: import people once they have started "
                            "(next year's file may give the first day of that year)."),
    "unknown_duty": _l("Unknown duty \"%(value)s\": use dsl or deputy_dsl (several with ;)."),
    "duty_not_staff": _l("Only staff can hold the DSL or deputy DSL duty: add staff to the role, or leave duties "
                         "empty."),
    "bad_email": _l("\"%(value)s\" is not a valid email address."),
    "bad_username": _l("\"%(value)s\" cannot be a username: use 2 to 80 letters a-z, digits, dots, hyphens, "
                       "underscores or @."),
    "duplicate_external_id": _l("The external_id \"%(value)s\" is also on line %(other)s."),
    "duplicate_username": _l("The username \"%(value)s\" is also on line %(other)s."),
    "parent_of_not_pupil": _l("\"%(value)s\" (line %(other)s) is not a pupil."),
    # Against the database.
    "parent_of_unknown": _l("No pupil with external_id \"%(value)s\" in the file or in the school."),
    "parent_of_not_pupil_in_school": _l("The person with external_id \"%(value)s\" in the school is not a pupil."),
    "username_other_school": _l("The username \"%(value)s\" is already used on the platform: choose another."),
    "username_other_person": _l("The username \"%(value)s\" already belongs to someone else in this school."),
    "same_person": _l("This line matches the same person as line %(other)s."),
    # Notices.
    "unknown_columns": _l("Columns not used by the import (ignored): %(columns)s."),
    "ignored_year_group": _l("Year groups are only used for pupils: ignored on lines %(lines)s."),
    "ignored_class": _l("Classes are only used for pupils and staff: ignored on lines %(lines)s."),
    "ignored_parent_of": _l("parent_of is only used for parents: ignored on lines %(lines)s."),
    "ignored_start_date": _l("Start dates are only used for staff: ignored on lines %(lines)s."),
    "ignored_pupil_email": _l("Pupils' email addresses are not stored: ignored on lines %(lines)s."),
    "importer_kept": _l("You are not in the file: your own account is kept and not marked as left."),
    "importer_keeps_coordinator": _l("Your own account keeps the coordinator role."),
    "last_coordinator_kept": _l("No coordinator of the school is in the file: %(names)s keep their accounts and "
                                "are not marked as left, so someone can still run the school."),
}


@dataclass(frozen=True)
class Problem:
    """An error or a notice, at a line (1-based, None for the whole file) and column (as in the header)."""

    code: str
    line: int | None = None
    column: str | None = None
    params: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    @property
    def reason(self) -> str:
        """The translated message (needs an app context with a locale)."""
        return str(MESSAGES[self.code]) % self.params if self.params else str(MESSAGES[self.code])

    def sort_key(self) -> tuple[int, str]:
        return (self.line or 0, self.column or "")


def line_list(lines: list[int], shown: int = 10) -> str:
    """``3, 5, 9`` or ``3, 5, 9 … (+12)`` for a notice naming many lines."""
    text = ", ".join(str(number) for number in lines[:shown])
    return f"{text} … (+{len(lines) - shown})" if len(lines) > shown else text
