"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 in a thread, keeping every message it accepts.

``refuse``: recipient addresses answered ``550`` (the message is refused for them). ``slow``:
recipient addresses whose message the server answers only after ``delay`` seconds (longer than the
client's timeout, so the client gives up; the message is then not kept). ``accounts``: when set,
the server asks for a sign-in (AUTH PLAIN/LOGIN) with one of these usernames and passwords.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    """One message the server accepted."""

    sender: str
    recipients: list[str]
    #: The client's address and port: messages sent over one connection share it.
    peer: tuple[str, int]
    message: EmailMessage

    def part(self, content_type: str) -> str:
        """The decoded text of the ``text/plain`` or ``text/html`` part (lines end in ``\n``, not SMTP's CRLF)."""
        found = self.message.get_body(preferencelist=(content_type.split("/")[1],))
        assert found is not None and found.get_content_type() == content_type, f"no {content_type} part"
        return str(found.get_content()).replace("\r\n", "\n")

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])


@dataclass
class SmtpServer:
    host: str
    port: int
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    slow: set[str] = field(default_factory=set)
    delay: float = 2.5
    accounts: dict[str, str] = field(default_factory=dict)

    def to(self, address: str) -> list[Received]:
        return [message for message in self.received if address in message.recipients]

    # aiosmtpd's handler hooks.
    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.slow & set(envelope.rcpt_tos):
            await asyncio.sleep(self.delay)
            return "451 4.3.0 Too late"
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), session.peer, parsed))
        return "250 2.0.0 Message accepted"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            login, password = auth_data.login.decode(), auth_data.password.decode()
            if self.accounts.get(login) == password:
                return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


def free_port() -> int:
    """A port nothing listens on (yet)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_smtp_server(accounts: dict[str, str] | None = None) -> Iterator[SmtpServer]:
    """Start the server on a free port; stop it afterwards."""
    server = SmtpServer("127.0.0.1", free_port(), accounts=dict(accounts or {}))
    options: dict[str, Any] = {}
    if accounts:
        options = {"authenticator": server.authenticate, "auth_required": True, "auth_require_tls": False}
    controller = Controller(server, hostname=server.host, port=server.port, **options)
    controller.start()
    try:
        yield server
    finally:
        controller.stop()


@contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word (a mail server that hangs)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(5)
        yield int(listener.getsockname()[1])
