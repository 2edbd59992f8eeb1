"""Speed of roster import. Prints the figures; asserts nothing (the target, < 5 s for 2,000 rows, lives here).

    .venv/bin/python bench/roster.py [--rows 2000] [--seed 7]

On a fresh SQLite database in a temporary folder, generates a realistic all-through school export
(pupils in two classes per year group from Reception to Year 13, parents linked to one to three
children, staff teaching classes, a coordinator, governors and visitors) and times:
  * parse: bytes -> validated rows;
  * plan: compare with the (empty) school, allocate usernames;
  * apply: create classes, people (first passwords and secret pictures hashed), links; commit;
  * the same file again (plan only: everything unchanged), and next year's file (plan + apply).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select

from eduplatform import create_app
from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import User
from eduplatform.db import db, upgrade_database
from eduplatform.roster.parsing import parse_roster
from eduplatform.roster.planning import build_plan
from eduplatform.roster.services import apply_plan, prepare_secrets
from eduplatform.schools.services import create_school

FIRST = ("Olivia", "Amelia", "Isla", "Ava", "Mia", "Zoë", "Siobhán", "Chloé", "Aisha", "Fatima", "Maya", "Łucja",
         "Noah", "Oliver", "George", "Arthur", "Muhammad", "Leo", "Jean-Luc", "Oisín", "Rhys", "Kwame", "Yusuf",
         "Tomás", "Олег", "Priya", "Anna-Marie", "Dylan", "Freya", "Harper")
LAST = ("Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "O'Brien", "Ní Bhriain", "van der Berg",
        "Wójcik", "Khan", "Patel", "Nowak", "Okafor", "Hughes", "Evans", "Murphy", "Mac Giolla", "Smith-Jones",
        "Ahmed", "Begum", "Kowalski", "Петров", "Lewis", "Walker")


def year_label(year_group: int) -> str:
    return "R" if year_group == 0 else str(year_group)


def school_file(rows: int, seed: int, move_up: bool = False) -> bytes:
    """About 77% pupils, 20% parents, 3% adults at school; ``move_up`` writes next year's export of the
    same people: pupils a year up in new classes, Year 13 gone, new Reception joiners."""
    rng = random.Random(seed)
    staff_count = max(14, rows * 3 // 100)
    parent_count = rows // 5
    pupil_count = rows - staff_count - parent_count
    pupils = [(f"P{n:05d}", rng.choice(FIRST), rng.choice(LAST), n % 14) for n in range(pupil_count)]
    families: list[tuple[str, str, list[str]]] = []
    for external_id, _, last, _ in pupils:
        if len(families) < parent_count and (not families or rng.random() < 0.6):
            families.append((rng.choice(FIRST), last, [external_id]))
        else:
            families[rng.randrange(len(families))][2].append(external_id)
    staff = [(rng.choice(FIRST), rng.choice(LAST)) for _ in range(staff_count)]
    joiners = [(rng.choice(FIRST), rng.choice(LAST)) for _ in range(pupil_count // 14)]

    lines = ["external_id,first_name,last_name,role,year_group,class,email,parent_of,start_date"]
    shift = 1 if move_up else 0
    for n, (external_id, first, last, year) in enumerate(pupils):
        if year + shift <= 13:  # Year 13 leave
            label = year_label(year + shift)
            lines.append(f"{external_id},{first},\"{last}\",pupil,{label},{label}{'NS'[n // 14 % 2]},,,")
    if move_up:
        lines.extend(f"J{n:05d},{first},\"{last}\",pupil,R,R{'NS'[n % 2]},,,"
                     for n, (first, last) in enumerate(joiners))
    for n, (first, last, children) in enumerate(families):
        lines.append(f"F{n:05d},{first},\"{last}\",parent,,,parent{n}@example.org,{';'.join(children[:3])},")
    for n, (first, last) in enumerate(staff):
        role = "coordinator" if n == 0 else ("governor" if n % 10 == 9 else ("visitor" if n % 10 == 8 else "staff"))
        label = year_label(n % 14)
        classes = f"{label}N;{label}S" if role in ("staff", "coordinator") else ""
        lines.append(f"S{n:05d},{first},\"{last}\",{role},,{classes},staff{n}@example.org,,20{10 + n % 15}-09-01")
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def timed(action):
    started = time.perf_counter()
    result = action()
    return result, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="edu-roster-bench-"))
    app = create_app({"ENV": "testing", "INSTANCE_PATH": str(folder),
                      "DATABASE_URL": f"sqlite:///{folder / 'roster.sqlite3'}"})
    year = AcademicYear.current()
    data = school_file(args.rows, args.seed)
    people = data.count(b"\n") - 1
    print(f"file: {len(data) // 1024} KB, {people} people")

    with app.app_context():
        upgrade_database(db.engine)
        school = create_school(name="Bench School", slug="bench")
        db.session.commit()
        parsed, parse_s = timed(lambda: parse_roster(data))
        assert parsed.ok, parsed.errors[:5]
        plan, plan_s = timed(lambda: build_plan(parsed, school, year))
        assert plan.ok, plan.errors[:5]

        secrets, prepare_s = timed(lambda: prepare_secrets(plan))  # outside the write lock, as the views do

        def apply() -> None:
            apply_plan(build_plan(parsed, school, year), filename="bench.csv", secrets=secrets)
            db.session.commit()

        _, apply_s = timed(apply)
        counts = plan.counts
        total = parse_s + plan_s + prepare_s + apply_s
        print(f"first import: parse {parse_s:6.2f} s   plan {plan_s:6.2f} s   hash secrets (no lock) {prepare_s:6.2f} s"
              f"   plan again + apply (write lock held) {apply_s:6.2f} s   total {total:6.2f} s   (target < 5 s)")
        print(f"  created {counts['created']}, classes {counts['classes_created']}, "
              f"pictures {db.session.scalar(select(func.count()).where(User.picture_secret_hash.is_not(None)))}, "
              f"first passwords {db.session.scalar(select(func.count()).where(User.must_change_password))}")

    with app.app_context():
        school = db.session.get(type(school), school.id)
        again, again_s = timed(lambda: build_plan(parse_roster(data), school, year))
        print(f"same file again (parse + plan): {again_s:6.2f} s   unchanged {again.counts['unchanged']}, "
              f"created {again.counts['created']}, updated {again.counts['updated']}")

    with app.app_context():
        school = db.session.get(type(school), school.id)
        next_data = school_file(args.rows, args.seed, move_up=True)
        next_plan, next_plan_s = timed(lambda: build_plan(parse_roster(next_data), school, year.shifted(1)))

        def apply_next() -> None:
            apply_plan(next_plan, filename="next.csv")
            db.session.commit()

        _, next_apply_s = timed(apply_next)
        counts = next_plan.counts
        print(f"next year's file: parse + plan {next_plan_s:6.2f} s   apply {next_apply_s:6.2f} s   "
              f"(created {counts['created']}, updated {counts['updated']}, unchanged {counts['unchanged']}, "
              f"left {counts['left']}, new classes {counts['classes_created']})")
    app.extensions["eduplatform.db"].engine.dispose()


if __name__ == "__main__":
    main()
