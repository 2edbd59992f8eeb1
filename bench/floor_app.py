"""The floor app: a bare Flask + Jinja app doing the same work as each figure of ``bench/serve.py``.

Each route does only the work its figure needs, over the same database as the app under test, so
the bench can print the app's cost beside the least that work can cost on this machine:

* ``GET /lesson?user=<id>``: a page of ``page_bytes`` (the size of the pupil's lesson page) after
  one two-table join (the person and their roles);
* ``POST /password``: one password check (reads the hash, one Werkzeug ``check_password_hash``;
  the hash is the app's own, so the scrypt parameters are the app's);
* ``POST /insert``: one insert transaction (the floor of a quiz submission);
* ``GET /class-grid?class=<id>&year=<start year>``: a class grid from three statements (pupils,
  completions, signatures);
* ``GET /progress?year=<start year>&school=<id>...``: the completion and agreement counts of the
  schools in two plain SQL statements, grouped once.

Served by gunicorn as ``floor_app:from_environment()`` (``FLOOR_DATABASE_URL``,
``FLOOR_PAGE_BYTES``); the bench and its test call :func:`create_floor_app`. Nothing but the bench
calls it; it has no sign-in and must never face a network.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask, abort, render_template, request
from jinja2 import DictLoader
from sqlalchemy import bindparam, create_engine, text
from sqlalchemy.engine import Engine
from werkzeug.security import check_password_hash

#: The table the insert floor writes to (only ever in a throw-away bench database).
FLOOR_TABLE = "bench_floor_write"

_TEMPLATES = {
    "base.html": """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="/static/site.css"></head><body><header><nav><a href="/">Home</a>
<span>{{ name }}</span>{% for role in roles %}<span class="role">{{ role }}</span>{% endfor %}</nav></header>
<main>{% block main %}{% endblock %}</main></body></html>""",
    "lesson.html": """{% extends "base.html" %}{% block main %}<h1>{{ title }}</h1>
{% for paragraph in paragraphs %}<p>{{ paragraph }}</p>
{% endfor %}{% endblock %}""",
    "grid.html": """{% extends "base.html" %}{% block main %}<table><thead><tr><th>Pupil</th>
{% for module in modules %}<th>{{ module }}</th>{% endfor %}<th>Signed</th></tr></thead><tbody>
{% for pupil in pupils %}<tr><th>{{ pupil.first_name }} {{ pupil.last_name[:1] }}</th>
{% for module in modules %}<td>{{ statuses.get((pupil.id, module), "not started") }}</td>{% endfor %}
<td>{{ "yes" if pupil.id in signed else "no" }}</td></tr>{% endfor %}</tbody></table>{% endblock %}""",
    "progress.html": """{% extends "base.html" %}{% block main %}<table>
{% for row in completions %}<tr><td>{{ row.school_id }}</td><td>{{ row.status }}</td><td>{{ row.records }}</td>
<td>{{ row.people }}</td></tr>{% endfor %}{% for row in agreements %}<tr><td>{{ row.school_id }}</td>
<td>signed</td><td>{{ row.people }}</td></tr>{% endfor %}</table>{% endblock %}""",
}
#: One paragraph of filler text (about 190 bytes) that the lesson page repeats to reach its size.
_PARAGRAPH = ("Think before you share: a photo or a message can be copied and kept by anyone who sees it. "
              "Ask a trusted adult if something online worries you, & tell them what happened.")


def _engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite"):
        # The app's SQLite settings that matter here: WAL (already set on the file), a busy timeout.
        return create_engine(database_url, connect_args={"timeout": 15, "check_same_thread": False})
    return create_engine(database_url, pool_size=10, max_overflow=10)


def _ensure_floor_table(engine: Engine) -> None:
    key = "INTEGER PRIMARY KEY" if engine.dialect.name == "sqlite" else "SERIAL PRIMARY KEY"
    with engine.begin() as connection:
        connection.execute(text(f"CREATE TABLE IF NOT EXISTS {FLOOR_TABLE} (id {key}, "
                                "user_id INTEGER NOT NULL, payload VARCHAR(200) NOT NULL)"))


def create_floor_app(database_url: str, page_bytes: int = 20_000) -> Flask:
    """The floor app over ``database_url``; its lesson page is about ``page_bytes`` long."""
    app = Flask(__name__)
    app.jinja_loader = DictLoader(_TEMPLATES)  # type: ignore[assignment]
    engine = _engine(database_url)
    _ensure_floor_table(engine)
    paragraphs = [_PARAGRAPH] * max(1, page_bytes // (len(_PARAGRAPH) + 12))
    app.extensions["floor.engine"] = engine

    def person(connection: Any, user_id: int) -> tuple[str, list[str]]:
        rows = connection.execute(text(
            "SELECT u.first_name, r.role FROM user_account u JOIN user_role r ON r.user_id = u.id "
            "WHERE u.id = :id"), {"id": user_id}).all()
        if not rows:
            abort(404)
        return rows[0][0], [row[1] for row in rows]

    @app.get("/healthz")
    def healthz() -> str:
        """Answers when the worker is ready. The bench only."""
        return "ok"

    @app.get("/lesson")
    def lesson() -> str:
        """A lesson-sized page after one two-table join. The bench only."""
        with engine.connect() as connection:
            name, roles = person(connection, request.args.get("user", 1, type=int))
        return render_template("lesson.html", title="Sharing photos", name=name, roles=roles, paragraphs=paragraphs)

    @app.post("/password")
    def password() -> tuple[str, int]:
        """One password check against the stored (scrypt) hash: 200 when right, 403 when wrong. The bench only."""
        with engine.connect() as connection:
            stored = connection.execute(text("SELECT password_hash FROM user_account WHERE username = :name"),
                                        {"name": request.form.get("username", "")}).scalar()
        right = stored is not None and check_password_hash(stored, request.form.get("password", ""))
        return ("ok", 200) if right else ("no", 403)

    @app.post("/insert")
    def insert() -> str:
        """One insert in its own transaction, committed. The bench only."""
        with engine.begin() as connection:
            connection.execute(text(f"INSERT INTO {FLOOR_TABLE} (user_id, payload) VALUES (:user, :payload)"),  # noqa: S608
                               {"user": request.form.get("user", 0, type=int), "payload": "answers"})
        return "saved"

    @app.get("/class-grid")
    def class_grid() -> str:
        """A class × module grid from three statements. The bench only."""
        year = request.args.get("year", type=int)
        with engine.connect() as connection:
            pupils = connection.execute(text(
                "SELECT u.id, u.first_name, u.last_name FROM class_member m JOIN user_account u ON u.id = m.user_id "
                "WHERE m.class_id = :class ORDER BY u.last_name, u.first_name"),
                {"class": request.args.get("class", type=int)}).all()
            ids = [pupil.id for pupil in pupils] or [0]
            statuses = {(row.user_id, row.module_id): row.status for row in connection.execute(
                text("SELECT user_id, module_id, status FROM module_completion "
                     "WHERE user_id IN :ids AND academic_year = :year").bindparams(bindparam("ids", expanding=True)),
                {"ids": ids, "year": year})}
            signed = {row.user_id for row in connection.execute(
                text("SELECT DISTINCT user_id FROM agreement_signature "
                     "WHERE user_id IN :ids AND academic_year = :year").bindparams(bindparam("ids", expanding=True)),
                {"ids": ids, "year": year})}
        modules = sorted({module for _user, module in statuses})
        return render_template("grid.html", title="Class", name="Teacher", roles=["staff"], pupils=pupils,
                               modules=modules, statuses=statuses, signed=signed)

    @app.get("/progress")
    def progress() -> str:
        """Completion and agreement counts of the schools, grouped once, in two statements. The bench only."""
        year = request.args.get("year", type=int)
        schools = request.args.getlist("school", type=int) or [0]
        expanding = bindparam("schools", expanding=True)
        with engine.connect() as connection:
            completions = connection.execute(text(
                "SELECT school_id, status, count(*) AS records, count(DISTINCT user_id) AS people "
                "FROM module_completion WHERE school_id IN :schools AND academic_year = :year "
                "GROUP BY school_id, status").bindparams(expanding), {"schools": schools, "year": year}).all()
            agreements = connection.execute(text(
                "SELECT school_id, count(DISTINCT user_id) AS people FROM agreement_signature "
                "WHERE school_id IN :schools AND academic_year = :year GROUP BY school_id").bindparams(expanding),
                {"schools": schools, "year": year}).all()
        return render_template("progress.html", title="Progress", name="Lead", roles=["trust_lead"],
                               completions=completions, agreements=agreements)

    return app


def from_environment() -> Flask:
    """gunicorn's entry point: ``floor_app:from_environment()`` with ``FLOOR_DATABASE_URL`` set."""
    return create_floor_app(os.environ["FLOOR_DATABASE_URL"], int(os.environ.get("FLOOR_PAGE_BYTES", "20000")))
