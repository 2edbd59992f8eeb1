"""Speed, query counts and page weight of the pages a class sees: the youngest pupils' picture pages,
a lesson projected on the board, and the teacher's class grid with its photo-consent column.

    .venv/bin/python bench/classroom.py [--database sqlite|postgresql] [--rounds N]

Uses the benchmark trust of ``bench/records.py`` (20 schools, 20,000 people, classes of about 30;
built once into ``bench/.data`` or the ``eduplatform_bench`` PostgreSQL database). Each timing is
the median of ``--rounds`` requests through the app's test client, with the SQL statements of one
request. Page weight counts what a browser downloads for a page with an empty cache: the HTML and
every stylesheet, script and picture it names (each once), and checks that each of those is sent
with a year-long cache lifetime under a fingerprinted name.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from records import DATA, build_if_missing, database_url
from setup import signed_in, timed
from sqlalchemy import func, select

from eduplatform import create_app
from eduplatform.accounts.models import User
from eduplatform.db import db
from eduplatform.schools.models import ClassMember, ClassTeacher, SchoolClass
from eduplatform.schools.years import current_year

#: Static files a page makes the browser fetch: stylesheets, scripts, pictures and icons.
_ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def page_weight(client, path: str) -> tuple[int, int, list[str]]:
    """Requests and bytes to show ``path`` with an empty cache, and any asset without a long cache lifetime."""
    response = client.get(path)
    html = response.get_data()
    assets = sorted(set(_ASSET.findall(html.decode())))
    total, short_lived = len(html), []
    for asset in assets:
        asset_response = client.get(asset)
        total += len(asset_response.get_data())
        if "immutable" not in asset_response.headers.get("Cache-Control", ""):
            short_lived.append(asset)
    return 1 + len(assets), total, short_lived


def _class_of(year_groups: tuple[int, ...]) -> tuple[int, int, int]:
    """The largest class of this year in those year groups: (class id, a teacher's id, a pupil's id)."""
    year = current_year().start_year
    size = func.count(ClassMember.user_id)
    class_id = db.session.scalar(
        select(SchoolClass.id).join(ClassMember, ClassMember.class_id == SchoolClass.id)
        .where(SchoolClass.year_group.in_(year_groups), SchoolClass.academic_year == year)
        .group_by(SchoolClass.id).order_by(size.desc(), SchoolClass.id).limit(1))
    teacher_id = db.session.scalar(select(ClassTeacher.user_id).where(ClassTeacher.class_id == class_id).limit(1))
    pupil_id = db.session.scalar(select(ClassMember.user_id).where(ClassMember.class_id == class_id)
                                 .order_by(ClassMember.user_id).limit(1))
    return class_id, teacher_id, pupil_id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    # "testing", not "development": static files get their production cache lifetimes (development
    # sends no-cache so edited files show at once), without production's sign-in settings checks.
    app = create_app({"ENV": "testing", "INSTANCE_PATH": str(DATA), "SECRET_KEY": "bench-" + "x" * 32,
                      "DATABASE_URL": database_url(args.database, False)})
    build_if_missing(app)
    engine = app.extensions["eduplatform.db"].engine
    catalogue = app.extensions["eduplatform.catalogue"]
    with app.app_context():
        ks1_class, ks1_teacher, ks1_pupil = _class_of((0, 1, 2))
        ks2_class, ks2_teacher, _ = _class_of((3, 4, 5, 6))
        class_size = db.session.scalar(select(func.count()).select_from(ClassMember)
                                       .where(ClassMember.class_id == ks2_class))
        everyone = db.session.scalar(select(func.count()).select_from(User))
    ks1_module = catalogue.modules_for(frozenset({"ks1"}))[0]
    ks2_module = next(m for m in catalogue.modules_for(frozenset({"ks2"})) if len(m.lesson_ids) > 1)
    ks1_lesson = f"/modules/{ks1_module.id}/lessons/{ks1_module.lesson_ids[0]}"
    board = f"/classes/{ks2_class}/present/{ks2_module.id}/{ks2_module.lesson_ids[0]}"
    print(f"database: {args.database}; trust of {everyone:,} people; class grid of {class_size} pupils; "
          f"median of {args.rounds} requests")

    as_ks1_pupil, as_ks1_teacher = signed_in(app, ks1_pupil), signed_in(app, ks1_teacher)
    as_ks2_teacher = signed_in(app, ks2_teacher)
    rows = [
        ("KS1 picture dashboard (pupil)", as_ks1_pupil, "/"),
        ("KS1 lesson (pupil)", as_ks1_pupil, ks1_lesson),
        ("KS1 picture quiz (pupil)", as_ks1_pupil, f"/modules/{ks1_module.id}/quiz"),
        ("KS1 agreement cards (pupil)", as_ks1_pupil, "/agreements/ks1-aup"),
        ("Lesson on the board (teacher)", as_ks2_teacher, board),
        ("Agreement on the board (teacher)", as_ks1_teacher, f"/classes/{ks1_class}/board/agreements/ks1-aup"),
        ("Class grid with photo consent", as_ks2_teacher, f"/classes/{ks2_class}"),
    ]
    for name, client, path in rows:
        assert client.get(path).status_code == 200, (name, path)
        ms, statements = timed(args.rounds, engine, lambda _n, c=client, p=path: c.get(p))
        print(f"  {name:34} {ms:7.1f} ms  {statements:3} statements")

    print("page weight with an empty cache (requests, KB; assets without a year-long cache):")
    for name, client, path in rows[:4] + rows[4:5]:
        requests, size, short_lived = page_weight(client, path)
        print(f"  {name:34} {requests:3} requests  {size / 1024:6.1f} KB  short-lived: {len(short_lived)}"
              + (f" {short_lived}" if short_lived else ""))


if __name__ == "__main__":
    main()
