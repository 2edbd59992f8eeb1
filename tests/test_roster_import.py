"""Roster planning and applying against the database: matching, classes, parents, leavers, roll-over."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import ParentLink, User
from eduplatform.db import db
from eduplatform.roles import Role
from eduplatform.roster.models import RosterImport
from eduplatform.roster.planning import Action
from eduplatform.roster.services import apply_plan, plan_roster
from eduplatform.roster.undo import undo_import
from eduplatform.schools.models import ClassMember, ClassTeacher, School, SchoolClass
from eduplatform.signin.pictures import SECRET_PICTURES, picture_secret_matches
from tests.conftest import run_in_app

FIXTURES = Path(__file__).parent / "fixtures" / "roster"
THIS_YEAR = AcademicYear(2026)
NEXT_YEAR = THIS_YEAR.shifted(1)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def do_import(app, school: School, data: bytes, year: AcademicYear = THIS_YEAR, importer: User | None = None,
              apply: bool = True, mode: str = "sync") -> Any:
    """Plan (and apply, when the plan is clean) in one committed app context; returns the plan.

    Full sync by default: most tests here are of a whole school's file.
    """

    def action() -> Any:
        who = db.session.get(User, importer.id) if importer else None
        plan = plan_roster(data, db.session.get(School, school.id), year, importer=who, mode=mode)
        if apply and plan.ok:
            apply_plan(plan, filename="roster.csv", imported_by=who)
        return plan

    return run_in_app(app, action)


def query(app, fn) -> Any:
    return run_in_app(app, fn)


def person(external_id: str, school: School) -> User:
    return db.session.scalar(select(User).where(User.external_id == external_id, User.school_id == school.id))


def class_names(user: User, year: AcademicYear) -> list[str]:
    return list(db.session.scalars(select(SchoolClass.name).join(ClassMember, ClassMember.class_id == SchoolClass.id)
                                   .where(ClassMember.user_id == user.id, SchoolClass.academic_year == year.start_year)
                                   .order_by(SchoolClass.name)))


def taught(user: User, year: AcademicYear) -> list[str]:
    return list(db.session.scalars(select(SchoolClass.name).join(ClassTeacher, ClassTeacher.class_id == SchoolClass.id)
                                   .where(ClassTeacher.user_id == user.id, SchoolClass.academic_year == year.start_year)
                                   .order_by(SchoolClass.name)))


def snapshot(app) -> dict[str, Any]:
    """Everything an import can change, to compare before and after."""
    def read() -> dict[str, Any]:
        users = db.session.execute(select(User.id, User.username, User.first_name, User.last_name, User.year_group,
                                          User.external_id, User.left_at, User.session_token, User.email,
                                          User.password_hash, User.card_secret).order_by(User.id)).all()
        return {"users": users,
                "classes": db.session.execute(select(SchoolClass.id, SchoolClass.name, SchoolClass.year_group)).all(),
                "members": db.session.execute(select(ClassMember.class_id, ClassMember.user_id)).all(),
                "teachers": db.session.execute(select(ClassTeacher.class_id, ClassTeacher.user_id)).all(),
                "links": db.session.execute(select(ParentLink.parent_id, ParentLink.child_id)).all(),
                "imports": db.session.scalar(select(func.count()).select_from(RosterImport))}
    return query(app, read)


# --- A first import ------------------------------------------------------------------------------


def test_a_first_import_creates_people_classes_and_links(app, school) -> None:
    plan = do_import(app, school, fixture("this_year.csv"))
    assert plan.errors == []
    assert plan.counts == {"created": 11, "updated": 0, "unchanged": 0, "left": 0, "classes_created": 5}

    def check() -> None:
        zoe, jean, siobhan, oleg = (person(key, school) for key in ("P001", "P002", "P003", "P004"))
        assert (zoe.username, jean.username, siobhan.username) == ("zoeo1", "jeanlucv1", "siobhann1")
        assert oleg.username == "pupil1"  # no Latin letters in the name
        assert person("S002", school).username == "a.haddad"  # as given in the file
        assert (zoe.year_group, siobhan.year_group, oleg.year_group) == (0, 2, 3)
        assert zoe.roles == {Role.PUPIL} and person("S002", school).roles == {Role.COORDINATOR, Role.STAFF}
        assert class_names(zoe, THIS_YEAR) == ["Robins"] and class_names(oleg, THIS_YEAR) == ["3B"]
        classes = {c.name: c for c in db.session.scalars(select(SchoolClass).where(SchoolClass.school_id == school.id))}
        assert {name: (c.year_group, c.academic_year) for name, c in classes.items()} == {
            "Robins": (0, 2026), "Kestrels": (2, 2026), "3B": (3, 2026), "6W": (6, 2026), "11K": (11, 2026)}
        assert taught(person("S001", school), THIS_YEAR) == ["Kestrels", "Robins"]
        assert taught(person("S002", school), THIS_YEAR) == ["3B"]
        mary = person("F001", school)
        assert mary.last_name == "O'Brien, Jr" and mary.email == "mary@example.org"
        assert set(db.session.scalars(select(ParentLink.child_id).where(ParentLink.parent_id == mary.id))) == {
            zoe.id, jean.id}
        assert person("S001", school).started_on.isoformat() == "2019-09-01"
        record = db.session.scalar(select(RosterImport).where(RosterImport.school_id == school.id))
        assert (record.rows, record.created, record.updated, record.unchanged, record.left, record.academic_year) == (
            11, 11, 0, 0, 0, 2026)

    query(app, check)


def test_new_accounts_get_pictures_up_to_year_2_and_first_passwords_after(app, school) -> None:
    do_import(app, school, fixture("this_year.csv"))

    def check() -> None:
        for key in ("P001", "P002", "P003"):  # Reception, Reception, Year 2
            pupil = person(key, school)
            sequence = pupil.card_secret.split("-")
            assert len(sequence) == 3 and set(sequence) <= set(SECRET_PICTURES)
            assert picture_secret_matches(pupil, sequence) and not picture_secret_matches(pupil, sequence[::-1])
            assert pupil.password_hash is None and pupil.avatar
        for key in ("P004", "P005", "P006", "S001", "S002", "G001", "F001", "V001"):
            user = person(key, school)
            assert user.must_change_password and user.picture_secret_hash is None
            assert check_password_hash(user.password_hash, user.card_secret)
            assert user.password_hash.startswith("pbkdf2:sha256:2000$")  # FIRST_SECRET_HASH_METHOD

    query(app, check)


def test_reimporting_the_same_file_changes_nothing(app, school) -> None:
    do_import(app, school, fixture("this_year.csv"))
    before = snapshot(app)
    plan = do_import(app, school, fixture("this_year.csv"), apply=False)
    assert plan.counts == {"created": 0, "updated": 0, "unchanged": 11, "left": 0, "classes_created": 0}
    assert all(p.changes == [] for p in plan.people)
    do_import(app, school, fixture("this_year.csv"))
    after = snapshot(app)
    assert after["imports"] == before["imports"] + 1  # the import is recorded, and nothing else changed
    assert {k: v for k, v in after.items() if k != "imports"} == {k: v for k, v in before.items() if k != "imports"}


def test_a_file_without_ids_or_usernames_is_still_idempotent(app, school) -> None:
    data = b"first_name,last_name,role,year_group,class\nMaya,Patel,pupil,5,5P\nTom,Hughes,staff,,5P\n"
    assert do_import(app, school, data).counts["created"] == 2
    assert do_import(app, school, data).counts == {"created": 0, "updated": 0, "unchanged": 2, "left": 0,
                                                  "classes_created": 0}


# --- Next year -----------------------------------------------------------------------------------


def test_next_years_file_moves_pupils_up_creates_joiners_and_marks_leavers(app, school) -> None:
    do_import(app, school, fixture("this_year.csv"))
    tokens = query(app, lambda: {key: person(key, school).session_token for key in ("P006", "G001")})
    plan = do_import(app, school, fixture("next_year.csv"), year=NEXT_YEAR)
    assert plan.errors == []
    assert plan.counts == {"created": 2, "updated": 7, "unchanged": 2, "left": 2, "classes_created": 5}
    changes = {p.row.external_id: p.changes for p in plan.people}
    assert changes["P001"] == ["year_group", "class"]
    assert changes["P003"] == ["year_group", "class", "first_password"]  # Year 2 -> Year 3: no more pictures
    assert changes["S002"] == ["teaching"]
    assert changes["V001"] == []

    def check() -> None:
        zoe, siobhan = person("P001", school), person("P003", school)
        assert zoe.year_group == 1 and class_names(zoe, NEXT_YEAR) == ["Owls"]
        assert class_names(zoe, THIS_YEAR) == ["Robins"]  # last year's class is kept as history
        assert siobhan.year_group == 3 and siobhan.must_change_password and siobhan.password_hash
        assert person("P007", school).year_group == 0 and class_names(person("P007", school), NEXT_YEAR) == ["Robins"]
        robins = db.session.scalars(select(SchoolClass).where(SchoolClass.name == "Robins")).all()
        assert sorted(c.academic_year for c in robins) == [2026, 2027]  # a new class for the new year
        assert taught(person("S001", school), NEXT_YEAR) == ["Owls", "Robins"]
        assert person("S003", school).started_on.isoformat() == "2027-09-01"
        for key in ("P006", "G001"):
            leaver = person(key, school)
            assert leaver.left_at is not None and not leaver.is_active  # kept, but cannot sign in
            assert leaver.session_token != tokens[key]  # every session ended
        assert class_names(person("P006", school), THIS_YEAR) == ["11K"]  # a leaver's history is kept
        assert person("V001", school).left_at is None
        last = db.session.scalars(select(RosterImport).order_by(RosterImport.id.desc())).first()
        assert (last.created, last.updated, last.unchanged, last.left, last.academic_year) == (2, 7, 2, 2, 2027)

    query(app, check)
    again = do_import(app, school, fixture("next_year.csv"), year=NEXT_YEAR)
    assert again.counts == {"created": 0, "updated": 0, "unchanged": 11, "left": 0, "classes_created": 0}


def test_a_leaver_who_comes_back_is_reactivated(app, school) -> None:
    do_import(app, school, fixture("this_year.csv"))
    do_import(app, school, fixture("next_year.csv"), year=NEXT_YEAR)
    back = fixture("next_year.csv") + "P006,李,华,pupil,Year 12,12K,,,,\n".encode()
    plan = do_import(app, school, back, year=NEXT_YEAR)
    assert {p.row.external_id: p.changes for p in plan.people}["P006"] == ["year_group", "returning", "class"]
    assert query(app, lambda: person("P006", school).left_at) is None


def test_a_pupil_moves_class_within_the_year(app, school) -> None:
    do_import(app, school, fixture("this_year.csv"))
    moved = fixture("this_year.csv").replace(b"P004,\xd0\x9e\xd0\xbb\xd0\xb5\xd0\xb3,\xd0\x9f\xd0\xb5\xd1\x82\xd1\x80"
                                             b"\xd0\xbe\xd0\xb2,pupil,3,3B", "P004,Олег,Петров,pupil,3,3C".encode())
    assert moved != fixture("this_year.csv")
    plan = do_import(app, school, moved)
    assert [(p.row.external_id, p.changes) for p in plan.of(Action.UPDATE)] == [("P004", ["class"])]
    assert query(app, lambda: class_names(person("P004", school), THIS_YEAR)) == ["3C"]


# --- Matching -----------------------------------------------------------------------------------


def test_existing_accounts_are_matched_by_username_then_by_name(app, school, make_user) -> None:
    by_username = make_user(Role.STAFF, school=school, username="thughes", first_name="Thomas", last_name="Hughes")
    by_name = make_user(Role.PUPIL, school=school, year_group=5, first_name="Maya", last_name="Patel")
    data = (b"external_id,first_name,last_name,role,year_group,class,username\n"
            b"S1,Tom,Hughes,staff,,5P,THughes\nP1,Maya,Patel,pupil,5,5P,\n")
    plan = do_import(app, school, data)
    assert plan.counts["created"] == 0 and plan.counts["updated"] == 2
    found = {p.row.external_id: p.user.id for p in plan.people}
    assert found == {"S1": by_username.id, "P1": by_name.id}
    assert query(app, lambda: (db.session.get(User, by_username.id).first_name,
                               db.session.get(User, by_name.id).external_id)) == ("Tom", "P1")


def test_two_people_with_the_same_name_are_not_guessed(app, school, make_user) -> None:
    make_user(Role.PUPIL, school=school, year_group=5, first_name="Sam", last_name="Lee")
    make_user(Role.PUPIL, school=school, year_group=6, first_name="Sam", last_name="Lee")
    plan = do_import(app, school, b"first_name,last_name,role,year_group,class\nSam,Lee,pupil,5,5P\n", apply=False)
    assert plan.counts["created"] == 1 and plan.counts["left"] == 2


def test_generated_usernames_skip_taken_ones_on_the_whole_platform(app, school, make_school, make_user) -> None:
    other = make_school()
    make_user(Role.PUPIL, school=other, username="mayap1")
    plan = do_import(app, school, b"first_name,last_name,role,year_group,class,username\n"
                                  b"Maya,Patel,pupil,5,5P,\nMaya,Price,pupil,5,5P,mayap2\nMaya,Pope,pupil,5,5P,\n")
    assert [p.username for p in plan.people] == ["mayap3", "mayap2", "mayap4"]


# --- Errors only the database can tell ------------------------------------------------------------


def test_parent_of_must_name_a_pupil_in_the_file_or_the_school(app, school, make_user) -> None:
    make_user(Role.PUPIL, school=school, year_group=4, external_id="P50")
    make_user(Role.STAFF, school=school, external_id="S50")
    header = b"external_id,first_name,last_name,role,year_group,class,parent_of\n"
    known = header + b"F1,Ann,Lee,parent,,,P50\nP50,Ben,Lee,pupil,4,4L,\n"
    assert do_import(app, school, known, apply=False).errors == []
    plan = do_import(app, school, header + b"F1,Ann,Lee,parent,,,P50;P99;S50\nP50,Ben,Lee,pupil,4,4L,\n")
    assert [(p.code, p.line, p.column, p.params["value"]) for p in plan.errors] == [
        ("parent_of_unknown", 2, "parent_of", "P99"), ("parent_of_not_pupil_in_school", 2, "parent_of", "S50")]


def test_a_parent_can_be_linked_to_a_child_only_in_the_school(app, school, make_user) -> None:
    child = make_user(Role.PUPIL, school=school, year_group=4, external_id="P50", first_name="Ben", last_name="Lee")
    data = (b"external_id,first_name,last_name,role,year_group,class,parent_of\n"
            b"P50,Ben,Lee,pupil,4,4L,\nF1,Ann,Lee,parent,,,P50\n")
    do_import(app, school, data)
    assert query(app, lambda: db.session.execute(select(ParentLink.child_id)).scalars().all()) == [child.id]


def test_a_username_used_in_another_school_is_refused(app, school, make_school, make_user) -> None:
    make_user(Role.STAFF, school=make_school(), username="tom.hughes")
    plan = do_import(app, school, b"first_name,last_name,role,username\nTom,Hughes,staff,Tom.Hughes\n")
    assert [(p.code, p.line, p.column) for p in plan.errors] == [("username_other_school", 2, "username")]


def test_a_username_of_someone_else_in_the_school_is_refused(app, school, make_user) -> None:
    make_user(Role.STAFF, school=school, username="tom", external_id="S1")
    make_user(Role.STAFF, school=school, username="amy", external_id="S2")
    plan = do_import(app, school, b"external_id,first_name,last_name,role,username\nS1,Tom,Hughes,staff,amy\n")
    assert [(p.code, p.line) for p in plan.errors] == [("username_other_person", 2)]


def test_two_lines_for_the_same_person_are_refused(app, school, make_user) -> None:
    make_user(Role.STAFF, school=school, username="tom", external_id="S1")
    plan = do_import(app, school, b"external_id,first_name,last_name,role,username\nS1,Tom,Hughes,staff,\n"
                                  b",Tom,Hughes,staff,tom\n")
    assert [(p.code, p.line, p.params) for p in plan.errors] == [("same_person", 3, {"other": 2})]


# --- All or nothing, and other schools -----------------------------------------------------------


def test_one_bad_row_at_the_end_of_a_big_file_changes_nothing(app, school, make_user) -> None:
    make_user(Role.STAFF, school=school, first_name="Old", last_name="Timer")
    before = snapshot(app)
    lines = [f"P{n},Pupil{n},Test,pupil,{1 + n % 13},C{1 + n % 13}" for n in range(1999)]
    data = ("external_id,first_name,last_name,role,year_group,class\n" + "\n".join(lines)
            + "\nP9999,Last,Line,pupil,Year 14,C1\n").encode()
    plan = do_import(app, school, data)
    assert [(p.code, p.line) for p in plan.errors] == [("bad_year_group", 2001)]
    assert plan.people == [] and plan.leavers == []
    assert snapshot(app) == before


def test_the_importer_is_never_marked_as_left_nor_loses_the_coordinator_role(app, school, make_user) -> None:
    coordinator = make_user(Role.COORDINATOR, Role.STAFF, school=school, external_id="C1", first_name="Cat",
                            last_name="Cole")
    plan = do_import(app, school, b"first_name,last_name,role\nTom,Hughes,staff\n", importer=coordinator, apply=False)
    assert plan.leavers == [] and [n.code for n in plan.notices] == ["importer_kept"]
    plan = do_import(app, school, b"external_id,first_name,last_name,role\nC1,Cat,Cole,staff\n", importer=coordinator)
    assert [n.code for n in plan.notices] == ["importer_keeps_coordinator"]
    assert query(app, lambda: db.session.get(User, coordinator.id).roles) == {Role.COORDINATOR, Role.STAFF}


def test_another_schools_people_are_never_touched(app, school, make_school, make_user, make_class) -> None:
    other = make_school()
    other_pupil = make_user(Role.PUPIL, school=other, year_group=5, external_id="P001", first_name="Zoë",
                            last_name="O'Brien")
    make_class(other, pupils=(other_pupil,))
    admin = make_user(Role.ADMIN)
    before = query(app, lambda: db.session.execute(
        select(User.id, User.username, User.year_group, User.left_at, User.session_token)
        .where((User.school_id != school.id) | User.school_id.is_(None)).order_by(User.id)).all())
    do_import(app, school, fixture("this_year.csv"))
    do_import(app, school, fixture("next_year.csv"), year=NEXT_YEAR)
    after = query(app, lambda: db.session.execute(
        select(User.id, User.username, User.year_group, User.left_at, User.session_token)
        .where((User.school_id != school.id) | User.school_id.is_(None)).order_by(User.id)).all())
    assert after == before
    assert query(app, lambda: person("P001", school).id) != other_pupil.id
    assert query(app, lambda: db.session.get(User, admin.id).left_at) is None


def test_a_plan_with_errors_cannot_be_applied(app, school) -> None:
    plan = do_import(app, school, b"first_name,last_name,role\nTom,,staff\n", apply=False)
    with app.app_context(), pytest.raises(ValueError, match="errors"):
        apply_plan(plan, filename="x.csv")


# --- A realistic size ----------------------------------------------------------------------------


def big_school_file(pupils: int = 1_600, parents: int = 300, staff: int = 100) -> bytes:
    """Pupils in two classes per year group from Reception to Year 13, parents of two children, staff."""
    lines = ["external_id,first_name,last_name,role,year_group,class,email,parent_of,start_date"]
    for n in range(pupils):
        year = n % 14
        lines.append(f"P{n:04d},Pupil{n},Family{n // 2},pupil,{'R' if year == 0 else year},"
                     f"{'R' if year == 0 else year}{'AB'[n // 14 % 2]},,,")
    for n in range(parents):
        lines.append(f"F{n:04d},Parent{n},Family{n},parent,,,parent{n}@example.org,P{2 * n:04d};P{2 * n + 1:04d},")
    for n in range(staff):
        year = n % 14
        lines.append(f"S{n:04d},Staff{n},Teacher,{'coordinator' if n == 0 else 'staff'},,"
                     f"{'R' if year == 0 else year}A;{'R' if year == 0 else year}B,staff{n}@example.org,,2020-09-01")
    return ("\n".join(lines) + "\n").encode()


def test_a_2000_row_file_imports_correctly(app, school) -> None:
    data = big_school_file()
    plan = do_import(app, school, data)
    assert plan.errors == []
    assert plan.counts == {"created": 2000, "updated": 0, "unchanged": 0, "left": 0, "classes_created": 28}

    def check() -> None:
        in_school = User.school_id == school.id
        assert db.session.scalar(select(func.count()).select_from(User).where(in_school)) == 2000
        usernames = list(db.session.scalars(select(User.username).where(in_school)))
        assert len(set(usernames)) == 2000
        assert db.session.scalar(select(func.count()).select_from(ClassMember)) == 1600
        assert db.session.scalar(select(func.count()).select_from(ParentLink)) == 600
        assert db.session.scalar(select(func.count()).select_from(ClassTeacher)) == 200
        years = dict(db.session.execute(select(SchoolClass.name, SchoolClass.year_group)
                                        .where(SchoolClass.school_id == school.id)).all())
        assert years["RA"] == 0 and years["13B"] == 13 and len(years) == 28
        pictures = db.session.scalar(select(func.count()).select_from(User).where(
            in_school, User.picture_secret_hash.is_not(None)))
        assert pictures == sum(1 for n in range(1600) if n % 14 in (0, 1, 2))
        assert db.session.scalar(select(func.count()).select_from(User).where(
            in_school, User.card_secret.is_(None))) == 0

    query(app, check)
    assert do_import(app, school, data, apply=False).counts["unchanged"] == 2000


def test_every_problem_is_reported_in_one_pass_including_those_found_in_the_school(app, school) -> None:
    """Before: an unknown parent_of child appeared only after the file's other errors were fixed."""
    data = (b"external_id,first_name,last_name,role,year_group,class,parent_of\n"
            b"P1,Ann,Lee,pupil,Year 14,5A,\n"          # a typo on its own line
            b"G1,Gus,Lee,parent,,,NOBODY\n"             # a child the school does not have
            b"G2,Gia,Lee,parent,,,P1\n")                # a child whose line has the typo: not "unknown"
    plan = do_import(app, school, data, apply=False)
    codes = sorted((problem.line, problem.code) for problem in plan.errors)
    assert codes == [(2, "bad_year_group"), (3, "parent_of_unknown")]
    assert plan.people == [] and plan.leavers == []  # nothing may be applied


def test_a_class_of_thirty_five_year_olds_gets_thirty_different_avatars(app, school) -> None:
    """Before: twelve avatars for a class of thirty, so children shared the picture beside their name."""
    lines = b"".join(f"K{n},Child{n},Test,pupil,R,Robins\n".encode() for n in range(30))
    plan = do_import(app, school, b"external_id,first_name,last_name,role,year_group,class\n" + lines, mode="add")
    assert plan.ok
    avatars = query(app, lambda: [user.avatar for user in db.session.scalars(
        select(User).where(User.school_id == school.id, User.year_group == 0))])
    assert len(avatars) == 30 and len(set(avatars)) == 30


# --- Safeguarding duties and start dates ---------------------------------------------------------


def _duties(app, school: School) -> dict[str, set[str]]:
    return query(app, lambda: {user.external_id: {duty.value for duty in user.duties} for user in db.session.scalars(
        select(User).where(User.school_id == school.id, User.external_id.is_not(None)))})


def test_the_duties_column_gives_changes_and_removes_staff_duties(app, school) -> None:
    header = "external_id,first_name,last_name,role,duties\n"
    plan = do_import(app, school, (header + "S1,Amira,Haddad,coordinator,dsl\nS2,Tom,Hughes,staff,deputy_dsl\n"
                                   "S3,Ann,Lee,staff,\n").encode(), mode="add")
    assert plan.errors == []
    assert _duties(app, school) == {"S1": {"dsl"}, "S2": {"deputy_dsl"}, "S3": set()}
    changed = do_import(app, school, (header + "S1,Amira,Haddad,coordinator,dsl\nS2,Tom,Hughes,staff,\n"
                                      "S3,Ann,Lee,staff,deputy_dsl\n").encode(), mode="add")
    assert {person.row.external_id: person.changes for person in changed.people} == {
        "S1": [], "S2": ["duties"], "S3": ["duties"]}
    assert _duties(app, school) == {"S1": {"dsl"}, "S2": set(), "S3": {"deputy_dsl"}}
    # Without the column, duties stay as they are; someone who is no longer staff loses theirs.
    do_import(app, school, b"external_id,first_name,last_name,role\nS1,Amira,Haddad,coordinator\n"
                           b"S3,Ann,Lee,governor\n", mode="add")
    assert _duties(app, school) == {"S1": {"dsl"}, "S2": set(), "S3": set()}


def test_undoing_an_import_gives_the_duties_back(app, school) -> None:
    header = "external_id,first_name,last_name,role,duties\n"
    do_import(app, school, (header + "S1,Amira,Haddad,coordinator,dsl\n").encode(), mode="add")
    do_import(app, school, (header + "S1,Amira,Haddad,coordinator,deputy_dsl\n").encode(), mode="add")
    assert _duties(app, school) == {"S1": {"deputy_dsl"}}

    def undo() -> None:
        latest = db.session.scalar(select(RosterImport).where(RosterImport.school_id == school.id)
                                   .order_by(RosterImport.id.desc()))
        undo_import(latest, actor=None)

    query(app, undo)
    assert _duties(app, school) == {"S1": {"dsl"}}


def test_a_future_start_date_or_a_governors_duty_changes_nothing(app, school) -> None:
    before = snapshot(app)
    plan = do_import(app, school, b"external_id,first_name,last_name,role,start_date,duties\n"
                                  b"S1,Tom,Hughes,staff,2099-09-01,\nG1,Gwen,Jones,governor,,dsl\n"
                                  b"S2,Ann,Lee,staff,2020-09-01,dsl\n")
    assert [(problem.code, problem.line, problem.column) for problem in plan.errors] == [
        ("future_start_date", 2, "start_date"), ("duty_not_staff", 3, "duties")]
    assert snapshot(app) == before
