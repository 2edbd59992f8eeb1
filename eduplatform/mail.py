"""Outgoing email over SMTP: a message with a plain-text part and an HTML alternative, and a mailer
that sends a batch of them over one connection.

The settings are in :mod:`eduplatform.config` (``MAIL_SERVER``, ``MAIL_PORT``, ``MAIL_USE_TLS``
(STARTTLS), ``MAIL_USE_SSL``, ``MAIL_USERNAME``, ``MAIL_PASSWORD``, ``MAIL_FROM``, ``MAIL_TIMEOUT``).
Callers render the text and HTML from Jinja templates (``.txt`` and ``.html``; the HTML is escaped as
every page is) in the recipient's language, then::

    with Mailer(current_app.config) as mailer:  # MailConnectionError: no connection
        for message in messages:
            try:
                mailer.send(message)
            except MailConnectionError:
                raise  # the server went away: the rest cannot be sent now either
            except MailError as error:
                ...  # this one was not sent: record nothing, report ``error.reason``

A refused, timed-out or failed message raises :class:`MailError` and the mailer stays usable for the
next one (it connects again when the server dropped the connection); :class:`MailConnectionError`
means no connection at all, so the rest cannot be sent now either. Links in emails are absolute:
:func:`absolute_url` builds them from ``BASE_URL``.
"""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.errors import MessageError
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from flask import current_app

#: The settings an administrator sets to send email, named as in the environment.
MAIL_SETTINGS = ("EDUPLATFORM_MAIL_SERVER", "EDUPLATFORM_MAIL_PORT", "EDUPLATFORM_MAIL_USE_TLS",
                 "EDUPLATFORM_MAIL_USE_SSL", "EDUPLATFORM_MAIL_USERNAME", "EDUPLATFORM_MAIL_PASSWORD",
                 "EDUPLATFORM_MAIL_FROM")


class MailError(Exception):
    """A message was not sent (refused, timed out, or no connection); ``reason`` says why."""

    def __init__(self, reason: str, recipient: str | None = None) -> None:
        super().__init__(f"{recipient}: {reason}" if recipient else reason)
        self.reason = reason
        self.recipient = recipient


class MailConnectionError(MailError):
    """No connection to the mail server (refused, timed out, or the sign-in failed): nothing more can be
    sent now."""


@dataclass(frozen=True)
class Message:
    """One email to one recipient: the plain-text part always, an HTML alternative when given."""

    to: str
    subject: str
    text: str
    html: str | None = None

    def as_email(self, sender: str) -> EmailMessage:
        """The MIME message: ``text/plain`` first, then ``text/html`` (``multipart/alternative``).

        Raises :class:`MailError` when an address or the subject cannot go in a header (a line break).
        """
        email = EmailMessage()
        try:
            email["From"] = sender
            email["To"] = self.to
            email["Subject"] = self.subject
        except (ValueError, MessageError) as error:
            raise MailError(f"the message cannot be built: {error}", self.to) from None
        email["Date"] = formatdate(localtime=False)
        email["Message-ID"] = make_msgid(domain=_domain_of(sender))
        email.set_content(self.text)
        if self.html is not None:
            email.add_alternative(self.html, subtype="html")
        return email


def _domain_of(address: str) -> str:
    """The sender's domain for the Message-ID (never a DNS lookup of this machine's name)."""
    domain = address.rpartition("@")[2].strip(" >") if "@" in address else ""
    return domain or "localhost"


def mail_configured(config: Mapping[str, Any]) -> bool:
    """Whether a mail server is set (``MAIL_SERVER``); without one nothing can be sent."""
    return bool(config.get("MAIL_SERVER"))


def not_configured_message() -> str:
    """What to tell an administrator who runs a mail job on a site without a mail server."""
    return ("No mail server is configured, so no email can be sent. Set EDUPLATFORM_MAIL_SERVER and "
            "EDUPLATFORM_MAIL_FROM (and, as your provider needs, " + ", ".join(MAIL_SETTINGS[1:-1]) + ").")


def absolute_url(endpoint: str, **values: Any) -> str:
    """The full address of a page of the site, for a link in an email: ``BASE_URL`` + the route."""
    base = urlsplit(current_app.config["BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme)
    current_app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


class Mailer:
    """One SMTP connection for a batch of messages (a context manager).

    Entering connects (TLS from the start with ``MAIL_USE_SSL``, else STARTTLS with
    ``MAIL_USE_TLS``) and signs in when ``MAIL_USERNAME`` is set; it raises
    :class:`MailConnectionError` when that fails. :meth:`send` raises :class:`MailError` for a
    message that was not accepted, and :class:`MailConnectionError` when it cannot connect again.
    """

    def __init__(self, config: Mapping[str, Any]) -> None:
        if not mail_configured(config):
            raise MailConnectionError(not_configured_message())
        self.server: str = config["MAIL_SERVER"]
        self.port: int = int(config["MAIL_PORT"])
        self.use_tls: bool = bool(config["MAIL_USE_TLS"])
        self.use_ssl: bool = bool(config["MAIL_USE_SSL"])
        self.username: str = config["MAIL_USERNAME"]
        self.password: str = config["MAIL_PASSWORD"]
        self.sender: str = config["MAIL_FROM"]
        self.timeout: float = float(config["MAIL_TIMEOUT"])
        self._smtp: smtplib.SMTP | None = None

    @property
    def where(self) -> str:
        return f"{self.server}:{self.port}"

    def __enter__(self) -> Mailer:
        self._connect()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._close()

    def _connect(self) -> None:
        try:
            if self.use_ssl:
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(self.server, self.port, timeout=self.timeout,
                                                      context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(self.server, self.port, timeout=self.timeout)
        except (OSError, smtplib.SMTPException) as error:
            if _timed_out(error):
                raise MailConnectionError(f"the mail server {self.where} did not answer in time "
                                          f"(MAIL_TIMEOUT: {self.timeout:g} s)") from None
            raise MailConnectionError(f"cannot connect to the mail server {self.where}: "
                                      f"{_describe(error)}") from None
        try:
            if self.use_tls and not self.use_ssl:
                smtp.ehlo()
                if not smtp.has_extn("starttls"):
                    raise MailConnectionError(f"the mail server {self.where} does not offer STARTTLS "
                                              "(MAIL_USE_TLS is on)")
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if self.username:
                smtp.login(self.username, self.password)
        except smtplib.SMTPAuthenticationError as error:
            _quietly_close(smtp)
            raise MailConnectionError(f"the mail server {self.where} refused the sign-in of MAIL_USERNAME: "
                                      f"{_describe(error)}") from None
        except (OSError, smtplib.SMTPException) as error:
            _quietly_close(smtp)
            raise MailConnectionError(f"cannot start a session with the mail server {self.where}: "
                                      f"{_describe(error)}") from None
        except MailError:
            _quietly_close(smtp)
            raise
        self._smtp = smtp

    def _close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                self._smtp.close()
            self._smtp = None

    def send(self, message: Message) -> None:
        """Hand ``message`` to the server; returns once the server accepted it.

        Raises :class:`MailError` (with the recipient) when the server refused it, timed out or
        dropped the connection. After a dropped connection the next message connects again (and
        raises :class:`MailConnectionError` when it cannot).
        """
        email = message.as_email(self.sender)
        if self._smtp is None:
            self._connect()
        assert self._smtp is not None
        try:
            self._smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as error:
            code, reply = next(iter(error.recipients.values()), (0, b""))
            raise MailError(f"the server refused the recipient ({code} {_text(reply)})", message.to) from None
        except smtplib.SMTPResponseException as error:
            if error.smtp_code == 421:  # the server is closing the connection
                self._drop()
            raise MailError(f"the server refused the message ({_describe(error)})", message.to) from None
        except smtplib.SMTPNotSupportedError as error:
            raise MailError(f"the server cannot take this message: {_describe(error)}", message.to) from None
        except (OSError, smtplib.SMTPException) as error:
            self._drop()
            if _timed_out(error):
                raise MailError(f"the server did not answer in time (MAIL_TIMEOUT: {self.timeout:g} s)",
                                message.to) from None
            raise MailError(f"the connection failed: {_describe(error)}", message.to) from None

    def _drop(self) -> None:
        """Forget a connection in an unknown state; the next message opens a new one."""
        if self._smtp is not None:
            _quietly_close(self._smtp)
            self._smtp = None


def _quietly_close(smtp: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError):
        smtp.close()


def _timed_out(error: BaseException) -> bool:
    """Whether the failure was a timeout (smtplib reports a timed-out read as a dropped connection)."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, TimeoutError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_text(error.smtp_error)}".strip()
    return str(error) or type(error).__name__


def recipient_locale(own: str | None, school_default: str | None, offered: Sequence[str], site_default: str) -> str:
    """The language of someone's emails: their own choice, else their school's, else the site's.

    A language the site does not offer is passed over. Callers: every feature that emails people.
    """
    for candidate in (own, school_default):
        if candidate and candidate in offered:
            return candidate
    return site_default
