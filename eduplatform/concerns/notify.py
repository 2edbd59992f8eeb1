"""Telling the school's DSL and deputies that a new concern is waiting, by email.

The email says only that a new concern is waiting in the log, with a link to it: never what was
reported, by whom or about whom (an inbox is not a safeguarding record). Each DSL gets it in their
own language. Call :func:`tell_safeguarding_leads` only after the report is committed: a mail server
that is missing, refuses or fails is logged and never loses the report.
Callers: the reporting views (``report_views``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from flask import render_template
from flask_babel import force_locale

from eduplatform.concerns.report_queries import Recipient, safeguarding_recipients
from eduplatform.i18n import _
from eduplatform.mail import MailConnectionError, Mailer, MailError, Message, mail_configured, recipient_locale

log = logging.getLogger(__name__)

#: The DSLs' concern log (the literal path: its page belongs to the log's own views).
LOG_PATH = "/concerns"


def log_url(config: Mapping[str, Any]) -> str:
    """The full address of the concern log, for the email's link (``BASE_URL`` + ``/concerns``)."""
    return str(config["BASE_URL"]).rstrip("/") + LOG_PATH


def build_notice(recipient: Recipient, locale: str, school_name: str, link: str) -> Message:
    """The email to one DSL, in ``locale``: a new concern is waiting, and the link to the log. Nothing else."""
    with force_locale(locale):
        subject = _("A new concern is waiting in the concern log")
        context = {"subject": subject, "school_name": school_name, "log_url": link, "locale": locale}
        return Message(to=recipient.email, subject=subject,
                       text=render_template("concerns/report_mail_notice.txt", **context),
                       html=render_template("concerns/report_mail_notice.html", **context))


def tell_safeguarding_leads(school_id: int, school_name: str, school_locale: str | None,
                            config: Mapping[str, Any], offered: Sequence[str], site_default: str) -> int:
    """Email every DSL and deputy of the school who has an address; return how many were sent.

    Sends nothing when no mail server is configured. Never raises for mail: a failure is logged (without
    the report's content) and the caller carries on, because the report is already saved.
    """
    if not mail_configured(config):
        return 0
    recipients = safeguarding_recipients(school_id)
    if not recipients:
        log.warning("concern reported at school %s: no DSL or deputy has an email address to tell", school_id)
        return 0
    link = log_url(config)
    sent = 0
    try:
        with Mailer(config) as mailer:
            for recipient in recipients:
                locale = recipient_locale(recipient.locale, school_locale, offered, site_default)
                try:
                    mailer.send(build_notice(recipient, locale, school_name, link))
                except MailConnectionError:
                    raise
                except MailError as error:
                    log.warning("concern reported at school %s: the notice to a DSL was not sent: %s",
                                school_id, error.reason)
                else:
                    sent += 1
    except MailError as error:  # no connection at all (or it went away): none of the rest can be sent
        log.warning("concern reported at school %s: the DSLs could not be emailed: %s", school_id, error.reason)
    except Exception:  # anything else: the report is saved; the reporter must not be told it failed
        log.exception("concern reported at school %s: emailing the DSLs failed", school_id)
    return sent
