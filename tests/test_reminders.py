"""``send-reminders``: training reminders and coordinators' digests, through a real SMTP server (aiosmtpd).

The school of each test, on 20 October 2026 (a Tuesday), with the shipped training rules:

- Ann Able, staff since 5 January 2026, nothing done: induction overdue (due 2 February), the yearly
  refresher due within 30 days (31 October);
- Gil Gwyn, governor since 1 October 2026, Welsh: governor training due within 30 days (29 October);
- Nia Null, staff like Ann but without an email address;
- Cat Cole, the coordinator, whose induction (done elsewhere this September) also counts as this
  year's refresher: nothing due, so she only gets the digest.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import event, select

from eduplatform import create_app
from eduplatform.accounts.models import User
from eduplatform.accounts.services import create_user
from eduplatform.catalogue import current_catalogue
from eduplatform.compliance.models import ReminderSent
from eduplatform.compliance.reminders import plan_school, recipient_locale
from eduplatform.db import db, upgrade_database
from eduplatform.records.models import ExternalTraining
from eduplatform.roles import Role
from eduplatform.schools.models import School
from eduplatform.schools.services import create_school
from tests.conftest import test_settings
from tests.smtp_server import Received, SmtpServer, free_port, running_smtp_server

TODAY = "2026-10-20"
SITE = "https://safety.example.org"
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def mail_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The shipped programme and its training rules, Welsh offered besides English, on its own database."""
    folder: Path = tmp_path_factory.mktemp("reminders")
    settings = test_settings(folder, f"sqlite:///{folder / 'reminders.sqlite3'}")
    del settings["CURRICULUM_PATH"], settings["CONTENT_PATH"]
    settings.update(LOCALES=("en", "cy"), BASE_URL=SITE, MAIL_SERVER="127.0.0.1", MAIL_USE_TLS=False,
                    MAIL_FROM="Online safety <online-safety@oak.example.org>", MAIL_TIMEOUT=1)
    application = create_app(settings)
    with application.app_context():
        upgrade_database(db.engine)
    yield application
    application.extensions["eduplatform.db"].engine.dispose()


@pytest.fixture
def smtp(mail_app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        monkeypatch.setitem(mail_app.config, "MAIL_PORT", server.port)
        yield server


@dataclass(frozen=True)
class World:
    slug: str
    school_id: int
    ann: int
    gil: int
    nia: int
    cat: int


def build_school(app: Flask, name: str = "Oak & Ash <Primary>") -> World:
    number = next(_numbers)
    slug = f"oak-{number}"

    def person(first: str, last: str, roles: set[Role], email: str | None, started_on: date,
               locale: str | None = None) -> User:
        user = create_user(username=f"{first.lower()}.{number}", first_name=first, last_name=last, roles=roles,
                           school_id=school.id, email=email)
        user.started_on, user.locale = started_on, locale
        return user

    with app.app_context():
        school = create_school(name=name, slug=slug)
        ann = person("Ann", "Able", {Role.STAFF}, "ann@oak.example.org", date(2026, 1, 5))
        gil = person("Gil", "Gwyn", {Role.GOVERNOR}, "gil@oak.example.org", date(2026, 10, 1), locale="cy")
        nia = person("Nia", "Null", {Role.STAFF}, None, date(2026, 1, 5))
        cat = person("Cat", "Cole", {Role.STAFF, Role.COORDINATOR}, "cat@oak.example.org", date(2020, 9, 1))
        db.session.flush()
        db.session.add(ExternalTraining(school_id=school.id, user_id=cat.id, module_id="staff-induction",
                                        completed_on=date(2026, 9, 15), provider="Local authority"))
        db.session.commit()
        return World(slug, school.id, ann.id, gil.id, nia.id, cat.id)


@pytest.fixture
def world(mail_app: Flask) -> World:
    return build_school(mail_app)


def run(app: Flask, world: World, *extra: str, today: str = TODAY) -> Result:
    return app.test_cli_runner().invoke(args=["send-reminders", "--today", today, "--school", world.slug, *extra])


def sent_rows(app: Flask, world: World) -> list[tuple[int, str, str | None, date]]:
    with app.app_context():
        rows = db.session.execute(select(ReminderSent.user_id, ReminderSent.kind, ReminderSent.rule_id,
                                         ReminderSent.sent_on).where(ReminderSent.school_id == world.school_id))
        return sorted(tuple(row) for row in rows)


def title(app: Flask, module_id: str, locale: str = "en") -> str:
    with app.app_context():
        return current_catalogue().module_content(module_id, locale).title


def only(server: SmtpServer, address: str) -> Received:
    [received] = server.to(address)
    return received


def test_each_adult_gets_one_email_listing_what_is_due_and_a_second_run_sends_nothing(
        mail_app: Flask, smtp: SmtpServer, world: World) -> None:
    result = run(mail_app, world)
    assert result.exit_code == 0, result.output
    assert sorted(received.recipients[0] for received in smtp.received) == [
        "ann@oak.example.org", "cat@oak.example.org", "gil@oak.example.org"]
    ann = only(smtp, "ann@oak.example.org")
    assert ann.subject == "Online-safety training: 2 items need your attention"
    text, html = ann.part("text/plain"), ann.part("text/html")
    induction, refresher = title(mail_app, "staff-induction"), title(mail_app, "staff-refresher")
    assert f"- {induction}: overdue, it was due on February 2, 2026" in text
    assert f"- {refresher}: due by October 31, 2026" in text
    assert text.index(induction) < text.index(refresher)  # overdue first
    assert "Hello Ann," in text and f"{SITE}/my-training" in text
    assert "Oak & Ash <Primary>" in text  # plain text is not escaped ...
    assert "Oak &amp; Ash &lt;Primary&gt;" in html and "<Primary>" not in html  # ... HTML is
    assert f'href="{SITE}/my-training"' in html and induction in html
    assert "no email address" in result.output and "Nia Null" in result.output
    assert "Sent: 2 reminder(s), 1 digest(s). Not sent: 0. Skipped (no email address): 1." in result.output
    today = date(2026, 10, 20)
    assert sent_rows(mail_app, world) == sorted([
        (world.ann, "reminder", "staff-induction", today), (world.ann, "reminder", "staff-refresher", today),
        (world.gil, "reminder", "governor-training", today), (world.cat, "digest", None, today)])

    again = run(mail_app, world)
    assert again.exit_code == 0, again.output
    assert "Sent: 0 reminder(s), 0 digest(s). Not sent: 0." in again.output
    assert len(smtp.received) == 3
    assert len(sent_rows(mail_app, world)) == 4


def test_reminders_and_digests_come_again_after_seven_days_not_before(
        mail_app: Flask, smtp: SmtpServer, world: World) -> None:
    assert run(mail_app, world).exit_code == 0
    assert run(mail_app, world, today="2026-10-26").exit_code == 0
    assert len(smtp.received) == 3
    week_later = run(mail_app, world, today="2026-10-27")
    assert week_later.exit_code == 0, week_later.output
    assert len(smtp.received) == 6
    assert {received.recipients[0] for received in smtp.received[3:]} == {
        "ann@oak.example.org", "gil@oak.example.org", "cat@oak.example.org"}
    assert len(sent_rows(mail_app, world)) == 8


def test_only_requirements_not_reminded_this_week_are_listed(mail_app: Flask, smtp: SmtpServer,
                                                             world: World) -> None:
    with mail_app.app_context():  # Ann heard about her induction three days ago, not about the refresher
        db.session.add(ReminderSent(school_id=world.school_id, user_id=world.ann, kind="reminder",
                                    rule_id="staff-induction", sent_on=date(2026, 10, 17)))
        db.session.commit()
    assert run(mail_app, world).exit_code == 0
    ann = only(smtp, "ann@oak.example.org")
    assert ann.subject == "Online-safety training: 1 item needs your attention"
    assert title(mail_app, "staff-refresher") in ann.part("text/plain")
    assert title(mail_app, "staff-induction") not in ann.part("text/plain")


def test_each_email_is_in_its_recipients_language(mail_app: Flask, smtp: SmtpServer, world: World) -> None:
    assert run(mail_app, world).exit_code == 0
    gil = only(smtp, "gil@oak.example.org")  # Gil chose Welsh: Welsh dates, a Welsh page
    assert "29 Hydref 2026" in gil.part("text/plain")
    assert '<html lang="cy">' in gil.part("text/html")
    assert title(mail_app, "governors-online-safety", "cy") in gil.part("text/plain")
    ann = only(smtp, "ann@oak.example.org")  # Ann chose nothing: her school's English
    assert "October 31, 2026" in ann.part("text/plain")
    assert '<html lang="en">' in ann.part("text/html")


def test_the_language_is_the_persons_then_the_schools_then_the_sites() -> None:
    offered = ("en", "cy")
    assert recipient_locale("cy", "en", offered, "en") == "cy"
    assert recipient_locale(None, "cy", offered, "en") == "cy"
    assert recipient_locale("pl", "cy", offered, "en") == "cy"  # not offered: passed over
    assert recipient_locale(None, "pl", offered, "en") == "en"


def test_coordinators_get_a_weekly_digest_of_who_is_due_and_overdue(mail_app: Flask, smtp: SmtpServer,
                                                                    world: World) -> None:
    with mail_app.app_context():
        create_user(username=f"dan.{world.slug}", first_name="Dan", last_name="Dee", roles={Role.COORDINATOR},
                    school_id=world.school_id, email=None).started_on = date(2020, 9, 1)
        db.session.commit()
    result = run(mail_app, world)
    assert result.exit_code == 0, result.output
    digest = only(smtp, "cat@oak.example.org")
    assert digest.subject == "Weekly training digest for Oak & Ash <Primary>: 3 overdue, 4 due soon"
    text = digest.part("text/plain")
    induction, refresher = title(mail_app, "staff-induction"), title(mail_app, "staff-refresher")
    governors = title(mail_app, "governors-online-safety")
    # Dan (a coordinator since 2020, nothing done): induction overdue, this year's refresher due soon.
    assert f"- {induction}: 3 overdue, 0 due soon, 0 not due yet, 1 in date" in text
    assert f"- {refresher}: 0 overdue, 3 due soon, 0 not due yet, 1 in date" in text
    assert f"- {governors}: 0 overdue, 1 due soon, 0 not due yet, 0 in date" in text
    assert title(mail_app, "staff-dsl") not in text  # a rule nobody here is under
    overdue, due_soon = text.split("\n\nOverdue\n")[1].split("\n\nDue within 30 days\n")
    assert f"- Ann Able: {induction}, due February 2, 2026" in overdue
    assert f"- Nia Null: {induction}, due February 2, 2026" in overdue  # no email, still in the digest
    assert f"- Gil Gwyn: {governors}, due October 29, 2026" in due_soon
    assert f"{SITE}/training" in text
    html = digest.part("text/html")
    assert '<th scope="col"' in html and "Ann Able" in html and "Oak &amp; Ash" in html
    assert "Dan Dee (dan." in result.output and "no email address" in result.output


def test_no_digest_and_no_email_when_nobody_is_due(mail_app: Flask, smtp: SmtpServer) -> None:
    quiet = build_school(mail_app)
    with mail_app.app_context():
        for person in db.session.scalars(select(User).where(User.school_id == quiet.school_id)):
            if person.id != quiet.cat:
                db.session.delete(person)
        db.session.commit()
    result = run(mail_app, quiet)
    assert result.exit_code == 0, result.output
    assert smtp.received == []
    assert sent_rows(mail_app, quiet) == []


def test_a_dry_run_lists_whom_it_would_email_and_sends_and_records_nothing(
        mail_app: Flask, smtp: SmtpServer, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(mail_app.config, "MAIL_SERVER", "")  # works without a mail server
    result = run(mail_app, world, "--dry-run")
    assert result.exit_code == 0, result.output
    assert ("would send reminder to Ann Able (ann." in result.output
            and "staff-induction overdue (was due 2026-02-02), staff-refresher due 2026-10-31" in result.output)
    assert "would send weekly digest to Cat Cole" in result.output
    assert "Nia Null" in result.output and "no email address" in result.output
    assert "would send 2 reminder(s) and 1 digest(s)" in result.output
    assert "no mail server is configured" in result.output
    assert smtp.received == []
    assert sent_rows(mail_app, world) == []


def test_a_refused_message_is_reported_not_recorded_and_the_run_fails(mail_app: Flask, smtp: SmtpServer,
                                                                      world: World) -> None:
    smtp.refuse.add("gil@oak.example.org")
    result = run(mail_app, world)
    assert result.exit_code == 1
    assert "NOT SENT reminder to Gil Gwyn" in result.stderr and "550" in result.stderr
    assert "1 email(s) were not sent" in result.stderr
    assert "Sent: 1 reminder(s), 1 digest(s). Not sent: 1." in result.output
    assert {row[0] for row in sent_rows(mail_app, world)} == {world.ann, world.cat}

    smtp.refuse.clear()  # the next run tries Gil again, and only Gil
    retry = run(mail_app, world)
    assert retry.exit_code == 0, retry.output
    assert [received.recipients for received in smtp.received[2:]] == [["gil@oak.example.org"]]
    assert (world.gil, "reminder", "governor-training", date(2026, 10, 20)) in sent_rows(mail_app, world)


def test_a_message_the_server_does_not_answer_in_time_is_not_recorded(mail_app: Flask, smtp: SmtpServer,
                                                                      world: World) -> None:
    smtp.slow.add("ann@oak.example.org")
    result = run(mail_app, world)
    assert result.exit_code == 1
    assert "NOT SENT reminder to Ann Able" in result.stderr and "did not answer in time" in result.stderr
    assert sorted(received.recipients[0] for received in smtp.received) == [
        "cat@oak.example.org", "gil@oak.example.org"]  # the others still went
    assert {row[0] for row in sent_rows(mail_app, world)} == {world.gil, world.cat}


def test_a_mail_server_that_is_down_fails_clearly_and_records_nothing(
        mail_app: Flask, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    monkeypatch.setitem(mail_app.config, "MAIL_PORT", port)
    result = run(mail_app, world)
    assert result.exit_code == 1
    assert f"Cannot send email: cannot connect to the mail server 127.0.0.1:{port}" in result.stderr
    assert result.stderr.count("NOT SENT") == 3
    assert "3 email(s) were not sent" in result.stderr
    assert sent_rows(mail_app, world) == []


def test_without_a_mail_server_the_command_says_so_and_fails(mail_app: Flask, world: World,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(mail_app.config, "MAIL_SERVER", "")
    result = run(mail_app, world)
    assert result.exit_code == 1
    assert "No mail server is configured" in result.output and "EDUPLATFORM_MAIL_SERVER" in result.output
    assert sent_rows(mail_app, world) == []


@pytest.mark.parametrize(("args", "message"), [
    (["--school", "no-such-school"], "No school with the slug 'no-such-school'"),
    (["--today", "20/10/2026"], "'20/10/2026' does not match the format '%Y-%m-%d'"),
])
def test_bad_options_are_refused_clearly(mail_app: Flask, args: list[str], message: str) -> None:
    result = mail_app.test_cli_runner().invoke(args=["send-reminders", "--dry-run", *args])
    assert result.exit_code != 0
    assert message in result.output


def test_people_who_left_are_not_reminded(mail_app: Flask, smtp: SmtpServer, world: World) -> None:
    with mail_app.app_context():
        db.session.get(User, world.ann).left_at = db.session.get(User, world.ann).created_at
        db.session.commit()
    assert run(mail_app, world).exit_code == 0
    assert smtp.to("ann@oak.example.org") == []
    assert "Ann Able" not in only(smtp, "cat@oak.example.org").part("text/plain")


def test_planning_a_school_takes_the_same_few_queries_whatever_its_size(mail_app: Flask, world: World) -> None:
    def statements() -> tuple[int, int]:
        count = [0]

        def counter(*_args: object) -> None:
            count[0] += 1

        with mail_app.app_context():
            school = db.session.get(School, world.school_id)
            assert school is not None
            event.listen(db.engine, "before_cursor_execute", counter)
            try:
                plan = plan_school(current_catalogue(), school, date(2026, 10, 20), ("en",), "en")
            finally:
                event.remove(db.engine, "before_cursor_execute", counter)
            return count[0], len(plan.outgoing)

    small, small_emails = statements()
    with mail_app.app_context():
        for number in range(20):
            create_user(username=f"extra{number}.{world.slug}", first_name="Extra", last_name=f"Staff {number}",
                        roles={Role.STAFF}, school_id=world.school_id,
                        email=f"extra{number}@oak.example.org").started_on = date(2026, 1, 5)
        db.session.commit()
    large, large_emails = statements()
    assert large_emails == small_emails + 20
    assert large == small <= 10
