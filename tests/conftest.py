"""Shared fixtures: one schema per session, a rolled-back transaction per test, factories, auth.

The database is SQLite in a temporary folder, or PostgreSQL when ``EDUPLATFORM_TEST_DATABASE_URL``
is set (``make test-postgres``; ``.ci/run`` does both). Content comes from the small fixture
catalogue in ``tests/fixtures/catalogue`` so tests do not change when the real programme does.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text

from eduplatform import create_app
from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import User
from eduplatform.accounts.services import create_user, link_parent
from eduplatform.db import db, upgrade_database
from eduplatform.rate_limits import reset_rate_limits
from eduplatform.roles import Role
from eduplatform.schools.help import forget_school_help
from eduplatform.schools.models import School, SchoolClass
from eduplatform.schools.services import assign_teacher, create_class, create_school, create_trust, enrol_pupil

FIXTURES = Path(__file__).parent / "fixtures"
CATALOGUE = FIXTURES / "catalogue"
PASSWORD = "correct-horse-battery"
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def postgres_url() -> str | None:
    return os.environ.get("EDUPLATFORM_TEST_DATABASE_URL") or None


def test_settings(instance_path: Path, database_url: str) -> dict[str, Any]:
    return {
        "ENV": "testing",
        "INSTANCE_PATH": str(instance_path),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "CURRICULUM_PATH": str(CATALOGUE / "curriculum"),
        "CONTENT_PATH": str(CATALOGUE / "content"),
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "SIGN_IN_FLOOR_MS": 0,  # tests of the floor set it themselves
        "MFA_REQUIRED_FOR": (),  # tests of multi-factor sign-in require it themselves (tests/test_mfa.py)
    }


test_settings.__test__ = False  # a helper, not a test


def reset_postgres(url: str) -> None:
    """Empty the test database's public schema (PostgreSQL runs only)."""
    from eduplatform.config import normalise_database_url

    engine = create_engine(normalise_database_url(url, Path(".")))
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = postgres_url()
    if url:
        reset_postgres(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory, database_url: str) -> Iterator[Flask]:
    """The app, with the schema migrated once for the whole session."""
    application = create_app(test_settings(tmp_path_factory.mktemp("instance"), database_url))
    with application.app_context():
        upgrade_database(db.engine)
    yield application
    application.extensions["eduplatform.db"].engine.dispose()


@pytest.fixture(autouse=True)
def _rollback(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test runs inside a transaction that is rolled back at its end.

    No app context stays pushed during the test: Flask would reuse it for the test client's
    requests and share ``g`` (the database session, the CSRF token) between them.
    """
    if "app" not in request.fixturenames or request.node.get_closest_marker("real_commits"):
        yield
        return
    application: Flask = request.getfixturevalue("app")
    reset_rate_limits(application)  # each test starts with no tries counted
    forget_school_help()  # ids come round again after each rollback
    state = application.extensions["eduplatform.db"]
    connection = state.engine.execution_options(eduplatform_write=True).connect()
    transaction = connection.begin()
    state.connection = connection
    try:
        yield
    finally:
        state.connection = None
        transaction.rollback()
        connection.close()


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """An application context for tests that call services directly and make no requests."""
    with app.app_context():
        yield


def run_in_app(app: Flask, action: Callable[[], Any]) -> Any:
    """Run ``action`` in a fresh app context and commit (inside the test's rolled-back transaction)."""
    with app.app_context():
        result = action()
        db.session.commit()
        return result


@contextmanager
def counting_statements(app: Flask) -> Iterator[list[int]]:
    """Count the SQL statements sent while the block runs (``count[0]``), for tests that fix a page's cost."""
    count = [0]

    def counter(*_args: Any) -> None:
        count[0] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        yield count
    finally:
        event.remove(engine, "before_cursor_execute", counter)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    """The CSRF token of the client's session, read from a page that has a form."""
    page = client.get(path).get_data(as_text=True)
    found = _CSRF.search(page)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


class Auth:
    """Sign a test client in and out through the real forms."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def login(self, user: User | str, password: str = PASSWORD) -> Any:
        username = user if isinstance(user, str) else user.username
        token = csrf_token(self.client, "/login")
        return self.client.post("/login", data={"username": username, "password": password, "csrf_token": token})

    def logout(self) -> Any:
        return self.client.post("/logout", data={"csrf_token": csrf_token(self.client, "/")})

    def post(self, path: str, data: dict[str, Any] | None = None, token_from: str = "/", **kwargs: Any) -> Any:  # noqa: S107
        """POST with the session's CSRF token added."""
        payload = dict(data or {})
        payload["csrf_token"] = csrf_token(self.client, token_from)
        return self.client.post(path, data=payload, **kwargs)


@pytest.fixture
def auth(client: FlaskClient) -> Auth:
    return Auth(client)


# --- Factories ----------------------------------------------------------------------------------


@pytest.fixture
def make_school(app: Flask) -> Callable[..., School]:
    counter = iter(range(1, 10_000))

    def make(name: str | None = None, trust: Any = None) -> School:
        number = next(counter)
        return run_in_app(app, lambda: create_school(name=name or f"School {number}", slug=f"school-{number}",
                                                     trust=trust))

    return make


@pytest.fixture
def make_trust(app: Flask) -> Callable[..., Any]:
    counter = iter(range(1, 10_000))

    def make() -> Any:
        number = next(counter)
        return run_in_app(app, lambda: create_trust(name=f"Trust {number}", slug=f"trust-{number}"))

    return make


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    counter = iter(range(1, 100_000))

    def make(*roles: Role, school: School | None = None, year_group: int | None = None,
             password: str = PASSWORD, **extra: Any) -> User:
        number = next(counter)
        return run_in_app(app, lambda: create_user(
            username=extra.pop("username", f"user{number}"), first_name=extra.pop("first_name", f"First{number}"),
            last_name=extra.pop("last_name", f"Last{number}"), roles=set(roles) or {Role.PUPIL},
            school_id=school.id if school else None, year_group=year_group, password=password, **extra,
        ))

    return make


@pytest.fixture
def make_class(app: Flask) -> Callable[..., SchoolClass]:
    counter = iter(range(1, 10_000))

    def make(school: School, year_group: int | None = 5, pupils: tuple[User, ...] = (),
             teachers: tuple[User, ...] = ()) -> SchoolClass:
        def build() -> SchoolClass:
            school_class = create_class(school=school, name=f"Class {next(counter)}", year_group=year_group,
                                        year=AcademicYear.current())
            for pupil in pupils:
                enrol_pupil(school_class, pupil)
            for teacher in teachers:
                assign_teacher(school_class, teacher)
            return school_class

        return run_in_app(app, build)

    return make


@pytest.fixture
def link(app: Flask) -> Callable[[User, User], None]:
    return lambda parent, child: run_in_app(app, lambda: link_parent(parent, child))


@pytest.fixture
def school(make_school: Callable[..., School]) -> School:
    return make_school("Oak School")


@pytest.fixture
def pupil(make_user: Callable[..., User], school: School) -> User:
    """A Year 5 (KS2) pupil."""
    return make_user(Role.PUPIL, school=school, year_group=5, first_name="Maya", last_name="Patel")


@pytest.fixture
def staff(make_user: Callable[..., User], school: School) -> User:
    return make_user(Role.STAFF, school=school, first_name="Tom", last_name="Hughes")


@pytest.fixture
def fresh_app(tmp_path: Path) -> Iterator[Flask]:
    """An app on its own empty SQLite database, for CLI jobs and tests that commit for real."""
    application = create_app(test_settings(tmp_path / "instance", f"sqlite:///{tmp_path / 'fresh.sqlite3'}"))
    yield application
    application.extensions["eduplatform.db"].engine.dispose()


@pytest.fixture(scope="module")
def real_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app with the shipped programme (curriculum/ and content/), on its own SQLite database."""
    folder: Path = tmp_path_factory.mktemp("programme")
    settings = test_settings(folder, f"sqlite:///{folder / 'p.sqlite3'}")
    del settings["CURRICULUM_PATH"], settings["CONTENT_PATH"]  # the defaults: the shipped programme
    application = create_app(settings)
    yield application
    application.extensions["eduplatform.db"].engine.dispose()


_scratch_databases = iter(range(1, 10_000))


def _scratch_postgres(base_url: str) -> tuple[str, Callable[[], None]]:
    """A new, empty PostgreSQL database on the test server, and how to drop it afterwards."""
    from sqlalchemy.engine import make_url

    from eduplatform.config import normalise_database_url

    server = make_url(normalise_database_url(base_url, Path(".")))
    name = f"eduplatform_scratch_{os.getpid()}_{next(_scratch_databases)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(params=["sqlite", "postgresql"])
def concurrent_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    """An app whose requests commit for real, on SQLite and (when configured) on PostgreSQL.

    For trying writes with parallel requests on both databases. The PostgreSQL one is a scratch
    database on the test server, created and dropped here, so nothing leaks into other tests.
    """
    drop: Callable[[], None] = lambda: None  # noqa: E731
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'concurrent.sqlite3'}"
    else:
        base = postgres_url()
        if not base:
            pytest.skip("PostgreSQL part: runs when EDUPLATFORM_TEST_DATABASE_URL is set (make test-postgres)")
        url, drop = _scratch_postgres(base)
    application = create_app(test_settings(tmp_path / "instance", url))
    with application.app_context():
        upgrade_database(db.engine)
    yield application
    application.extensions["eduplatform.db"].engine.dispose()
    drop()


def run_together(*actions: Callable[[], Any]) -> list[BaseException]:
    """Start every action in its own thread at the same moment; return what any of them raised."""
    import threading

    barrier = threading.Barrier(len(actions))
    errors: list[BaseException] = []

    def run(action: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            action()
        except BaseException as error:  # reported to the test
            errors.append(error)

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
