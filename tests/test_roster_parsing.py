"""Roster parsing: bytes in, rows or errors (line, column, reason) out. Pure: no database, no app."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from eduplatform.accounts.usernames import ascii_letters, username_base
from eduplatform.roles import Duty, Role
from eduplatform.roster.parsing import parse_date, parse_roster, parse_year_group
from eduplatform.roster.problems import MESSAGES, Problem

FIXTURES = Path(__file__).parent / "fixtures" / "roster"
HEADER = "external_id,first_name,last_name,role,year_group,class,username,email,parent_of,start_date"


def csv_of(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join((header, *lines)) + "\n").encode("utf-8")


def codes(data: bytes) -> list[tuple[str, int | None, str | None]]:
    return [(problem.code, problem.line, problem.column) for problem in parse_roster(data).errors]


# --- What schools really export ------------------------------------------------------------------


def test_the_fixture_is_a_real_export_with_bom_crlf_and_blank_trailing_lines() -> None:
    data = (FIXTURES / "this_year.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data and data.endswith(b"\r\n\r\n\r\n")


def test_a_real_export_parses_with_unicode_names_and_stray_spaces() -> None:
    parsed = parse_roster((FIXTURES / "this_year.csv").read_bytes())
    assert parsed.errors == []
    assert len(parsed.rows) == 11
    by_id = {row.external_id: row for row in parsed.rows}
    assert (by_id["P001"].first_name, by_id["P001"].last_name) == ("Zoë", "O'Brien")
    assert by_id["P002"].last_name == "van der Berg"  # surrounding and doubled spaces removed
    assert (by_id["P004"].first_name, by_id["P006"].first_name) == ("Олег", "李")
    assert by_id["F001"].last_name == "O'Brien, Jr"  # a quoted comma
    assert [by_id[key].year_group for key in ("P001", "P002", "P003", "P004", "P005", "P006")] == [0, 0, 2, 3, 6, 11]
    assert by_id["S001"].classes == ("Robins", "Kestrels")
    assert by_id["S002"].roles == {Role.COORDINATOR, Role.STAFF}  # a coordinator is also staff
    assert by_id["S002"].username == "a.haddad" and by_id["S002"].start_date == date(2015, 9, 1)
    assert by_id["F001"].parent_of == ("P001", "P002")
    assert by_id["V001"].line == 12  # 1-based file lines: the header is line 1
    assert [n.code for n in parsed.notices] == ["unknown_columns"]
    assert parsed.notices[0].params == {"columns": "Shoe Size"}


def test_headers_in_any_case_and_order_with_aliases() -> None:
    parsed = parse_roster(b"Class,ROLE,Surname,Forename,YEAR\n5P,Pupil,Patel,Maya,5\n")
    assert parsed.errors == []
    row = parsed.rows[0]
    assert (row.first_name, row.last_name, row.roles, row.year_group, row.classes) == (
        "Maya", "Patel", {Role.PUPIL}, 5, ("5P",))
    assert parsed.columns == {"class", "role", "last_name", "first_name", "year_group"}


def test_windows_line_endings_without_bom_and_blank_lines_between_rows() -> None:
    data = b"first_name,last_name,role\r\n\r\nTom,Hughes,staff\r\n,,\r\n  \r\nAmy,Lee,governor\r\n"
    parsed = parse_roster(data)
    assert parsed.errors == []
    assert [(row.first_name, row.line) for row in parsed.rows] == [("Tom", 3), ("Amy", 6)]


@pytest.mark.parametrize(("text", "expected"), [
    ("N", -1), ("nursery", -1), ("R", 0), ("r", 0), ("Reception", 0), ("RECEPTION", 0), ("Year R", 0),
    ("1", 1), ("Year 3", 3), ("year 3", 3), ("Y3", 3), ("Yr 10", 10), ("13", 13), (" Year  6 ", 6),
    ("0", None), ("14", None), ("Year 14", None), ("Three", None), ("", None), ("3.5", None),
])
def test_year_groups(text: str, expected: int | None) -> None:
    assert parse_year_group(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-09-01", date(2026, 9, 1)), ("01/09/2026", date(2026, 9, 1)), ("1/9/2026", date(2026, 9, 1)),
    ("2026-13-01", None), ("31/02/2026", None), ("next week", None), ("0001-01-01", None),
])
def test_dates(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


def test_several_roles_on_one_line() -> None:
    parsed = parse_roster(csv_of("S1,Tom,Hughes,staff; parent,,5H,,,P1,", "P1,Ben,Hughes,pupil,5,5H,,,,"))
    assert parsed.errors == []
    assert parsed.rows[0].roles == {Role.STAFF, Role.PARENT}


def test_values_for_other_roles_are_ignored_with_a_notice() -> None:
    """Decision: a whole-school export carries these columns for everyone, so they are ignored, not errors."""
    parsed = parse_roster(csv_of(
        "G1,Gwen,Jones,governor,5,5H,,,P1,2020-01-01",
        "P1,Ben,Hughes,pupil,5,5H,,ben@example.org,,",
    ))
    assert parsed.errors == []
    governor, pupil = parsed.rows
    assert (governor.year_group, governor.classes, governor.parent_of, governor.start_date) == (None, (), (), None)
    assert pupil.email is None  # pupils' email addresses are not stored
    assert {n.code: n.params["lines"] for n in parsed.notices} == {
        "ignored_year_group": "2", "ignored_class": "2", "ignored_parent_of": "2", "ignored_start_date": "2",
        "ignored_pupil_email": "3"}


# --- Every bad-row case --------------------------------------------------------------------------


@pytest.mark.parametrize(("lines", "expected"), [
    (["P1,,Patel,pupil,5,5P,,,,"], [("required", 2, "first_name")]),
    (["P1,Maya,   ,pupil,5,5P,,,,"], [("required", 2, "last_name")]),
    (["P1,Maya,Patel,,5,5P,,,,"], [("required", 2, "role")]),
    (["P1,Maya,Patel,wizard,5,5P,,,,"], [("unknown_role", 2, "role")]),
    (["P1,Maya,Patel,pupil;staff,5,5P,,,,"], [("pupil_other_roles", 2, "role")]),
    (["P1,Maya,Patel,pupil,,5P,,,,"], [("missing_year_group", 2, "year_group")]),
    (["P1,Maya,Patel,pupil,Year 14,5P,,,,"], [("bad_year_group", 2, "year_group")]),
    (["P1,Maya,Patel,pupil,5,,,,,"], [("missing_class", 2, "class")]),
    (["P1,Maya,Patel,pupil,5,5P;5Q,,,,"], [("pupil_one_class", 2, "class")]),
    (["S1,Tom,Hughes,staff,,,,,,31/02/2026"], [("bad_date", 2, "start_date")]),
    (["S1,Tom,Hughes,staff,,,,tom-at-example.org,,"], [("bad_email", 2, "email")]),
    (["S1,Tom,Hughes,staff,,,tom hughes,,,"], [("bad_username", 2, "username")]),
    (["P1,Maya,Patel,pupil,5,5P,,,,", "P1,Ben,Hughes,pupil,5,5P,,,,"], [("duplicate_external_id", 3, "external_id")]),
    (["P1,Maya,Patel,pupil,5,5P,maya,,,", "P2,Ben,Hughes,pupil,5,5P,MAYA,,,"], [("duplicate_username", 3, "username")]),
    (["S1,Tom,Hughes,staff,,,,,,", "F1,Ann,Lee,parent,,,,,S1,"], [("parent_of_not_pupil", 3, "parent_of")]),
    (["P1,Maya,Patel,pupil,5,5P,,,,,,surprise"], [("extra_values", 2, None)]),
    (["P1," + "M" * 101 + ",Patel,pupil,5,5P,,,,"], [("too_long", 2, "first_name")]),
    (["P1,Ma\x07ya,Patel,pupil,5,5P,,,,"], [("control_characters", 2, "first_name")]),
])
def test_each_bad_row_is_reported_with_its_line_and_column(lines: list[str], expected: list[tuple]) -> None:
    parsed = parse_roster(csv_of(*lines))
    assert [(p.code, p.line, p.column) for p in parsed.errors] == expected
    assert not parsed.ok  # a file with any error is never applied


def test_the_column_is_named_as_the_file_writes_it() -> None:
    assert codes(b"First Name,Last Name,Role\n,Patel,staff\n") == [("required", 2, "First Name")]


def test_every_error_in_the_file_is_reported_not_just_the_first() -> None:
    data = (FIXTURES / "with_errors.csv").read_bytes()
    assert codes(data) == [("required", 3, "first_name"), ("bad_year_group", 4, "year_group"),
                           ("unknown_role", 5, "role"), ("bad_email", 6, "email")]


def test_a_pupil_without_the_year_group_column_is_an_error_on_that_line() -> None:
    assert codes(b"first_name,last_name,role,class\nTom,Hughes,staff,\nMaya,Patel,pupil,5P\n") == [
        ("missing_year_group", 3, "year_group")]


@pytest.mark.parametrize(("header", "missing"), [
    ("first_name,last_name", ["role"]), ("last_name,role", ["first_name"]), ("name,role", ["first_name", "last_name"]),
])
def test_missing_required_columns(header: str, missing: list[str]) -> None:
    data = f"{header}\nx,y\n".encode()
    assert codes(data) == [("missing_column", 1, name) for name in missing]


def test_a_column_given_twice() -> None:
    assert codes(b"first_name,last_name,role,Role\nA,B,staff,staff\n") == [("duplicate_column", 1, "Role")]


@pytest.mark.parametrize(("data", "code", "line"), [
    (b"", "empty_file", None),
    (b"\xef\xbb\xbf", "empty_file", None),
    (b"  \r\n\r\n", "empty_file", None),
    (b"first_name,last_name,role\r\n\r\n", "no_people", 2),
    (b"first_name,last_name,role\nZo\xeb,Smith,pupil\n", "not_utf8", 2),
    (b"\xff\xfef\x00i\x00r\x00", "not_utf8", 1),  # UTF-16, as Excel's "Unicode text" writes
    (b"PK\x03\x04\x14\x00\x06\x00", "spreadsheet", None),  # an .xlsx renamed .csv
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "spreadsheet", None),  # an old .xls
    (b"first_name,last_name,role\nA,\"B,staff\n", "not_csv", 2),  # a quote never closed
    (b"first_name,last_name,role\nA,B\x00,staff\n", "not_csv", 2),
    (b"first_name;last_name;role\nA;B;staff\n", "wrong_separator", 1),
    (b"first_name\tlast_name\trole\nA\tB\tstaff\n", "wrong_separator", 1),
])
def test_files_that_are_not_a_usable_csv(data: bytes, code: str, line: int | None) -> None:
    parsed = parse_roster(data)
    assert [(p.code, p.line) for p in parsed.errors] == [(code, line)]
    assert parsed.rows == []


def test_too_many_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("eduplatform.roster.parsing.MAX_ROWS", 2)
    assert codes(b"first_name,last_name,role\nA,B,staff\nC,D,staff\nE,F,staff\n") == [("too_many_rows", 4, None)]


def test_every_code_has_a_message() -> None:
    import ast
    import inspect

    from eduplatform.roster import parsing, planning

    used = {node.args[0].value for module in (parsing, planning)
            for node in ast.walk(ast.parse(inspect.getsource(module)))
            if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str) and getattr(node.func, "attr", getattr(node.func, "id", ""))
            in {"Problem", "error", "ignore"}}
    assert used and used <= MESSAGES.keys()


def test_reasons_are_translated_with_their_values(app) -> None:
    with app.test_request_context():
        problem = Problem("bad_year_group", 4, "year_group", {"value": "Year 14"})
        assert problem.reason == ('Unknown year group "Year 14": use N, R, 1 to 13, "Reception" or "Year 3".')
        assert Problem("missing_class", 2, "class").reason == "Pupils need a class."


# --- Usernames -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("first", "last", "expected"), [
    ("Zoë", "O'Brien", "zoeo"), ("Jean-Luc", "van der Berg", "jeanlucv"), ("Łucja", "Wójcik", "lucjaw"),
    ("Søren", "Ærø", "sorena"), ("Straße", "Öz", "strasseo"), ("Олег", "Петров", "pupil"), ("李", "Smith", "s"),
])
def test_username_bases_are_lower_case_ascii(first: str, last: str, expected: str) -> None:
    assert username_base(first, last, is_pupil=True) == expected


def test_ascii_letters() -> None:
    assert ascii_letters("Siobhán Ní Bhriain") == "siobhannibhriain"
    assert username_base("", "", is_pupil=False) == "user"


def test_invisible_direction_and_zero_width_characters_are_removed_from_names() -> None:
    """Before: "Ali<U+202E>cod.exe" showed as "Aliexe.doc" on the tap page."""
    from eduplatform.accounts.names import clean_text

    assert clean_text("Ali\u202ecod.exe") == "Alicod.exe"
    assert clean_text("Jo\u200bhn \u2066Smith\u2069") == "John Smith"
    assert clean_text("\ufeffZo\u0065\u0308") == "Zoë"
    urdu = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    assert clean_text(urdu) == urdu  # the zero-width non-joiner stays: the script needs it


# --- Safeguarding duties and start dates (the training rules read them) ------------------------------

DUTIES_HEADER = HEADER + ",duties"


def test_staff_get_the_dsl_duties_from_the_duties_column() -> None:
    parsed = parse_roster(csv_of("S1,Amira,Haddad,coordinator,,,,,,,DSL", "S2,Tom,Hughes,staff,,,,,,,deputy_dsl; dsl",
                                 "S3,Ann,Lee,staff,,,,,,,", header=DUTIES_HEADER))
    assert parsed.errors == []
    assert [row.duties for row in parsed.rows] == [{Duty.DSL}, {Duty.DEPUTY_DSL, Duty.DSL}, set()]
    assert "duties" in parsed.columns
    assert parse_roster(b"first_name,last_name,role,duty\nTom,Hughes,staff,dsl\n").rows[0].duties == {Duty.DSL}


@pytest.mark.parametrize(("line", "expected"), [
    ("G1,Gwen,Jones,governor,,,,,,,dsl", [("duty_not_staff", 2, "duties")]),
    ("P1,Ben,Hughes,pupil,5,5H,,,,,deputy_dsl", [("duty_not_staff", 2, "duties")]),
    ("S1,Tom,Hughes,staff,,,,,,,headteacher", [("unknown_duty", 2, "duties")]),
])
def test_a_duty_for_someone_not_staff_or_unknown_is_an_error_on_its_line(line: str, expected: list[tuple]) -> None:
    parsed = parse_roster(csv_of(line, header=DUTIES_HEADER))
    assert [(p.code, p.line, p.column) for p in parsed.errors] == expected
    assert not parsed.ok


def test_a_start_date_in_the_future_is_an_error_on_its_line() -> None:
    data = csv_of("S1,Tom,Hughes,staff,,,,,,2026-12-06", "S2,Ann,Lee,staff,,,,,,05/12/2026")
    parsed = parse_roster(data, latest_start=date(2026, 12, 5))
    assert [(p.code, p.line, p.column, p.params) for p in parsed.errors] == [
        ("future_start_date", 2, "start_date", {"value": "2026-12-06"})]
    assert [row.start_date for row in parsed.rows] == [date(2026, 12, 5)]  # today is not the future
    ignored = parse_roster(csv_of("G1,Gwen,Jones,governor,,,,,,2030-01-01"), latest_start=date(2026, 12, 5))
    assert ignored.errors == [] and [n.code for n in ignored.notices] == ["ignored_start_date"]


def test_the_new_reasons_say_what_to_do(app) -> None:
    with app.test_request_context():
        assert Problem("duty_not_staff", 2, "duties").reason.startswith("Only staff can hold the DSL")
        assert "2030-01-01 is in the future" in Problem("future_start_date", 2, "start_date",
                                                         {"value": "2030-01-01"}).reason
