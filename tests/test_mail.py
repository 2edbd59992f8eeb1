"""Outgoing email (eduplatform.mail) against a real SMTP server running inside the test (aiosmtpd)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from eduplatform.config import DEFAULTS, ConfigError, from_environment, validate
from eduplatform.mail import (
    MailConnectionError,
    Mailer,
    MailError,
    Message,
    absolute_url,
    mail_configured,
    not_configured_message,
)
from tests.smtp_server import SmtpServer, free_port, running_smtp_server, silent_server

SENDER = "Online safety <online-safety@oak.example.org>"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    with running_smtp_server() as server:
        yield server


def settings(port: int, **extra: Any) -> dict[str, Any]:
    return {**DEFAULTS, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_USE_TLS": False,
            "MAIL_FROM": SENDER, "MAIL_TIMEOUT": 1, **extra}


def message(to: str = "ann@oak.example.org", **extra: Any) -> Message:
    return Message(**{"to": to, "subject": "Training due", "text": "Plain words", "html": "<p>Rich words</p>",
                      **extra})


def test_a_message_has_its_plain_text_part_first_then_the_html_alternative(smtp: SmtpServer) -> None:
    with Mailer(settings(smtp.port)) as mailer:
        mailer.send(message(subject="Formation: à faire", text="Bore da, Siân", html="<p>Bore da, <b>Siân</b></p>"))
    [received] = smtp.received
    assert received.recipients == ["ann@oak.example.org"]
    assert received.sender == "online-safety@oak.example.org"
    assert received.subject == "Formation: à faire"
    assert received.message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in received.message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    assert received.part("text/plain").strip() == "Bore da, Siân"
    assert received.part("text/html").strip() == "<p>Bore da, <b>Siân</b></p>"
    assert received.message["Message-ID"].endswith("@oak.example.org>")


def test_a_message_without_html_is_plain_text_only(smtp: SmtpServer) -> None:
    with Mailer(settings(smtp.port)) as mailer:
        mailer.send(message(html=None))
    assert smtp.received[0].message.get_content_type() == "text/plain"


def test_a_batch_goes_over_one_connection(smtp: SmtpServer) -> None:
    with Mailer(settings(smtp.port)) as mailer:
        for number in range(3):
            mailer.send(message(to=f"person{number}@oak.example.org"))
    assert len(smtp.received) == 3
    assert len({received.peer for received in smtp.received}) == 1


def test_a_refused_recipient_raises_a_clear_error_and_the_batch_goes_on(smtp: SmtpServer) -> None:
    smtp.refuse.add("gone@oak.example.org")
    with Mailer(settings(smtp.port)) as mailer:
        with pytest.raises(MailError) as refused:
            mailer.send(message(to="gone@oak.example.org"))
        mailer.send(message(to="ann@oak.example.org"))
    assert not isinstance(refused.value, MailConnectionError)
    assert refused.value.recipient == "gone@oak.example.org"
    assert "550" in refused.value.reason and "No such mailbox" in refused.value.reason
    assert [received.recipients for received in smtp.received] == [["ann@oak.example.org"]]


def test_a_message_the_server_does_not_answer_in_time_fails_and_the_next_one_connects_again(
        smtp: SmtpServer) -> None:
    smtp.slow.add("slow@oak.example.org")
    with Mailer(settings(smtp.port)) as mailer:
        with pytest.raises(MailError, match=r"did not answer in time \(MAIL_TIMEOUT: 1 s\)") as timed_out:
            mailer.send(message(to="slow@oak.example.org"))
        mailer.send(message(to="ann@oak.example.org"))
    assert timed_out.value.recipient == "slow@oak.example.org"
    assert [received.recipients for received in smtp.received] == [["ann@oak.example.org"]]


def test_a_closed_port_is_a_connection_error() -> None:
    port = free_port()
    with pytest.raises(MailConnectionError, match=f"cannot connect to the mail server 127.0.0.1:{port}"):
        Mailer(settings(port)).__enter__()


def test_a_server_that_never_answers_times_out() -> None:
    with silent_server() as port:
        started = time.monotonic()
        with pytest.raises(MailConnectionError, match="did not answer in time"):
            Mailer(settings(port)).__enter__()
    assert time.monotonic() - started < 5


def test_starttls_is_required_when_set(smtp: SmtpServer) -> None:
    with pytest.raises(MailConnectionError, match="does not offer STARTTLS"):
        Mailer(settings(smtp.port, MAIL_USE_TLS=True)).__enter__()
    assert smtp.received == []


def test_tls_from_the_start_fails_clearly_against_a_plain_server(smtp: SmtpServer) -> None:
    with pytest.raises(MailConnectionError, match=f"cannot connect to the mail server 127.0.0.1:{smtp.port}"):
        Mailer(settings(smtp.port, MAIL_USE_SSL=True)).__enter__()


# The test server takes a sign-in without TLS (no certificate here); aiosmtpd warns about that.
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_the_mailer_signs_in_when_a_username_is_set() -> None:
    with running_smtp_server(accounts={"mailer": "s3cret-pass"}) as server:
        with Mailer(settings(server.port, MAIL_USERNAME="mailer", MAIL_PASSWORD="s3cret-pass")) as mailer:
            mailer.send(message())
        assert len(server.received) == 1
        with pytest.raises(MailConnectionError, match="refused the sign-in of MAIL_USERNAME: 535"):
            Mailer(settings(server.port, MAIL_USERNAME="mailer", MAIL_PASSWORD="wrong")).__enter__()
        with Mailer(settings(server.port)) as mailer, pytest.raises(MailError, match="530"):
            mailer.send(message())  # the server wants a sign-in
        assert len(server.received) == 1


def test_a_line_break_in_a_header_is_refused_before_sending(smtp: SmtpServer) -> None:
    with Mailer(settings(smtp.port)) as mailer, pytest.raises(MailError, match="cannot be built"):
        mailer.send(message(subject="Due\nBcc: everyone@example.org"))
    assert smtp.received == []


def test_without_a_mail_server_nothing_can_be_sent() -> None:
    assert not mail_configured(DEFAULTS)
    assert mail_configured({"MAIL_SERVER": "smtp.example.org"})
    with pytest.raises(MailConnectionError, match="EDUPLATFORM_MAIL_SERVER"):
        Mailer(DEFAULTS)
    assert "EDUPLATFORM_MAIL_FROM" in not_configured_message()


def _valid(**override: Any) -> dict[str, Any]:
    return {**DEFAULTS, "ENV": "testing", "SECRET_KEY": "k" * 40, "DATABASE_URL": "sqlite://", **override}


@pytest.mark.parametrize(("override", "message_text"), [
    ({"MAIL_SERVER": "smtp.example.org"}, "MAIL_FROM"),
    ({"MAIL_SERVER": "smtp.example.org", "MAIL_FROM": SENDER, "MAIL_PORT": 0}, "MAIL_PORT"),
    ({"MAIL_SERVER": "smtp.example.org", "MAIL_FROM": SENDER, "MAIL_TIMEOUT": 0}, "MAIL_TIMEOUT"),
    ({"MAIL_SERVER": "smtp.example.org", "MAIL_FROM": SENDER, "MAIL_PASSWORD": "x"}, "MAIL_USERNAME"),
    ({"ENV": "production", "PASSWORD_HASH_METHOD": "", "MAIL_SERVER": "smtp.example.org", "MAIL_FROM": SENDER},
     "BASE_URL must be the site's public address"),
    ({"ENV": "production", "PASSWORD_HASH_METHOD": "", "MAIL_SERVER": "smtp.example.org", "MAIL_FROM": SENDER,
      "BASE_URL": "https://safety.example.org", "MAIL_USE_TLS": False, "MAIL_USERNAME": "u"}, "in clear"),
    ({"BASE_URL": "safety.example.org"}, "BASE_URL must be the site's address"),
    ({"BASE_URL": "https://safety.example.org/?x=1"}, "BASE_URL"),
])
def test_broken_or_unsafe_mail_settings_are_refused(override: dict[str, Any], message_text: str) -> None:
    with pytest.raises(ConfigError, match=message_text):
        validate(_valid(**override))


def test_good_mail_settings_pass_and_come_from_the_environment() -> None:
    validate(_valid())  # no mail server: nothing to check
    validate(_valid(ENV="production", PASSWORD_HASH_METHOD="", MAIL_SERVER="smtp.example.org", MAIL_FROM=SENDER,
                    MAIL_USERNAME="u", MAIL_PASSWORD="p", BASE_URL="https://safety.example.org"))
    found = from_environment({"EDUPLATFORM_MAIL_SERVER": "smtp.example.org", "EDUPLATFORM_MAIL_PORT": "465",
                              "EDUPLATFORM_MAIL_USE_TLS": "0", "EDUPLATFORM_MAIL_USE_SSL": "1",
                              "EDUPLATFORM_MAIL_TIMEOUT": "20", "EDUPLATFORM_BASE_URL": "https://s.example.org"})
    assert found == {"MAIL_SERVER": "smtp.example.org", "MAIL_PORT": 465, "MAIL_USE_TLS": False, "MAIL_USE_SSL": True,
                     "MAIL_TIMEOUT": 20, "BASE_URL": "https://s.example.org"}
    with pytest.raises(ConfigError, match="EDUPLATFORM_MAIL_PORT must be a whole number"):
        from_environment({"EDUPLATFORM_MAIL_PORT": "smtp"})


def test_links_in_emails_are_absolute_from_base_url(app: Flask) -> None:
    before = app.config["BASE_URL"]
    try:
        with app.app_context():
            app.config["BASE_URL"] = "https://safety.example.org"
            assert absolute_url("accounts.login") == "https://safety.example.org/login"
            app.config["BASE_URL"] = "https://example.org/online-safety/"
            assert absolute_url("accounts.login", next="/x") == "https://example.org/online-safety/login?next=/x"
    finally:
        app.config["BASE_URL"] = before
