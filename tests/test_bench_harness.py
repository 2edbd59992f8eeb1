"""The pure parts of the HTTP bench (bench/http_bench.py, bench/floor_app.py), so it cannot break unseen.

The bench itself (bench/serve.py, `make bench`) starts gunicorn and takes minutes; these tests check
its statistics, its table and goals, and that every floor route answers over a small database.
"""

from __future__ import annotations

import math
import sqlite3
import sys
from pathlib import Path

import pytest

pytest.importorskip("gunicorn")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from floor_app import FLOOR_TABLE, create_floor_app
from http_bench import (
    Figure,
    goal_absolute,
    goal_at_least,
    goal_at_most,
    markdown_table,
    percentile,
    ratio_text,
)
from werkzeug.security import generate_password_hash


def test_percentile_uses_the_nearest_rank() -> None:
    samples = list(range(1, 101))  # 1..100
    assert percentile(samples, 0.95) == 95
    assert percentile(samples, 0.5) == 50
    assert percentile(samples, 0.99) == 99
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([3, 1, 2], 1.0) == 3
    assert math.isnan(percentile([], 0.95))


def test_ratio_and_goals() -> None:
    assert ratio_text(640, 3416) == "0.19x"
    assert ratio_text(1.0, 0) == "-"
    assert ratio_text(math.nan, 1.0) == "-"
    assert goal_at_least("lesson", 2100, 3416, 0.6, "req/s").met is True
    assert goal_at_least("lesson", 640, 3416, 0.6, "req/s").met is False
    assert goal_at_most("sign-ins", 1.8, 1.5, 1.25, "s").met is True  # exactly 1.2x
    assert goal_at_most("sign-ins", 1.9, 1.5, 1.25, "s").met is False
    assert goal_at_most("quiz", 30, 10, 3, "ms", strict=True).met is False  # the goal is "under 3x"
    assert goal_at_most("quiz", math.nan, 10, 3, "ms").met is None
    assert goal_absolute("start-up", 0.31, 0.5, "s").met is True
    assert goal_absolute("start-up", 0.31, 0.5, "s", extra_ok=False).met is False


def test_markdown_table_has_one_row_per_figure_and_escapes_bars() -> None:
    figures = [Figure("a | b", "1 ms", "2 ms", "0.50x", "<= 3x floor", True),
               Figure("c", "9 ms", "1 ms", "9.00x", "<= 3x floor", False),
               Figure("d", "-", "-", "-", "-", None)]
    lines = markdown_table(figures).splitlines()
    assert lines[0] == "| What | Project | Floor in the same run | Ratio | Goal | Met? |"
    assert len(lines) == 5
    assert lines[2].startswith("| a \\| b |") and lines[2].endswith("| yes |")
    assert lines[3].endswith("| **no** |") and lines[4].endswith("| - |")


@pytest.fixture
def floor_client(tmp_path: Path):
    """The floor app over a tiny database with the few tables and columns its routes read."""
    path = tmp_path / "floor.sqlite3"
    with sqlite3.connect(path) as connection:
        connection.executescript("""
            CREATE TABLE user_account (id INTEGER PRIMARY KEY, username TEXT, first_name TEXT, last_name TEXT,
                                       password_hash TEXT, school_id INTEGER);
            CREATE TABLE user_role (user_id INTEGER, role TEXT);
            CREATE TABLE class_member (class_id INTEGER, user_id INTEGER);
            CREATE TABLE module_completion (school_id INTEGER, user_id INTEGER, module_id TEXT, status TEXT,
                                            academic_year INTEGER);
            CREATE TABLE agreement_signature (school_id INTEGER, user_id INTEGER, academic_year INTEGER);
            INSERT INTO user_role VALUES (1, 'pupil');
            INSERT INTO class_member VALUES (5, 1);
            INSERT INTO module_completion VALUES (1, 1, 'ks2-sharing', 'completed', 2026);
            INSERT INTO agreement_signature VALUES (1, 1, 2026);
        """)
        connection.execute("INSERT INTO user_account VALUES (1, 'ada', 'Ada', 'Lovelace', ?, 1)",
                           (generate_password_hash("right", method="pbkdf2:sha256:1000"),))
    app = create_floor_app(f"sqlite:///{path}", page_bytes=5_000)
    yield app.test_client(), path
    app.extensions["floor.engine"].dispose()


def test_floor_routes_answer(floor_client) -> None:
    client, path = floor_client
    lesson = client.get("/lesson?user=1")
    assert lesson.status_code == 200 and b"Ada" in lesson.data and b"pupil" in lesson.data
    assert 4_000 < len(lesson.data) < 7_000  # about the size asked for
    assert client.get("/lesson?user=99").status_code == 404
    assert client.post("/password", data={"username": "ada", "password": "right"}).status_code == 200
    assert client.post("/password", data={"username": "ada", "password": "wrong"}).status_code == 403
    assert client.post("/insert", data={"user": 1}).status_code == 200
    with sqlite3.connect(path) as connection:
        assert connection.execute(f"SELECT count(*) FROM {FLOOR_TABLE}").fetchone() == (1,)  # noqa: S608
    grid = client.get("/class-grid?class=5&year=2026")
    assert grid.status_code == 200 and b"completed" in grid.data and b"yes" in grid.data
    progress = client.get("/progress?year=2026&school=1")
    assert progress.status_code == 200 and b"completed" in progress.data
