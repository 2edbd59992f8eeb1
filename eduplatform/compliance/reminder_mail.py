"""The reminder and digest emails, in the recipient's language, with a plain-text part and an HTML one.

Both parts come from Jinja templates in ``templates/compliance/mail/`` (``.txt`` and ``.html``),
rendered inside :func:`flask_babel.force_locale` with the recipient's language, so the subject, the
words, the module titles and the dates are theirs. Links are absolute (``BASE_URL``).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask_babel import force_locale

from eduplatform.catalogue.model import Catalogue
from eduplatform.compliance.reminders import DigestPerson, DueItem, MailKind, Outgoing, SchoolPlan
from eduplatform.i18n import _, ngettext
from eduplatform.mail import Message, absolute_url


@dataclass(frozen=True)
class ItemLine:
    """A requirement as the email shows it: its title in the recipient's language."""

    title: str
    item: DueItem


def requirement_title(catalogue: Catalogue, item_id: str, is_module: bool, locale: str) -> str:
    """The module's (or agreement's) title in ``locale``, falling back to the catalogue's first language."""
    if is_module:
        return catalogue.module_content(item_id, locale).title
    return catalogue.agreement_content(item_id, locale).title


def _line(catalogue: Catalogue, item: DueItem, locale: str) -> ItemLine:
    return ItemLine(requirement_title(catalogue, item.item_id, item.is_module, locale), item)


def build_message(catalogue: Catalogue, plan: SchoolPlan, outgoing: Outgoing) -> Message:
    """The email for ``outgoing`` (a reminder or a digest), in its recipient's language."""
    recipient = outgoing.recipient
    if recipient.email is None:
        raise ValueError(f"{recipient.username} has no email address")
    with force_locale(recipient.locale):
        if outgoing.kind is MailKind.REMINDER:
            subject, context = _reminder(catalogue, plan, outgoing)
            template = "compliance/mail/reminder"
        else:
            subject, context = _digest(catalogue, plan, outgoing)
            template = "compliance/mail/digest"
        context.update(subject=subject, recipient=recipient, school_name=plan.school_name)
        return Message(to=recipient.email, subject=subject, text=render_template(f"{template}.txt", **context),
                       html=render_template(f"{template}.html", **context))


def _reminder(catalogue: Catalogue, plan: SchoolPlan, outgoing: Outgoing) -> tuple[str, dict[str, object]]:
    locale = outgoing.recipient.locale
    lines = [_line(catalogue, item, locale) for item in outgoing.items]
    subject = ngettext("Online-safety training: %(num)d item needs your attention",
                       "Online-safety training: %(num)d items need your attention", len(lines))
    return subject, {"lines": lines, "my_training_url": absolute_url("compliance.my_training")}


def _digest(catalogue: Catalogue, plan: SchoolPlan, outgoing: Outgoing) -> tuple[str, dict[str, object]]:
    digest = plan.digest
    if digest is None:
        raise ValueError(f"{plan.school_slug} has no digest to send")
    locale = outgoing.recipient.locale

    def lines(people: tuple[DigestPerson, ...]) -> list[tuple[str, ItemLine]]:
        return [(line.full_name, _line(catalogue, line.item, locale)) for line in people]

    rules = [(requirement_title(catalogue, rule.item_id, rule.is_module, locale), rule.counts)
             for rule in digest.rules]
    subject = _("Weekly training digest for %(school)s: %(overdue)d overdue, %(due_soon)d due soon",
                school=plan.school_name, overdue=len(digest.overdue), due_soon=len(digest.due_soon))
    return subject, {"rules": rules, "overdue": lines(digest.overdue), "due_soon": lines(digest.due_soon),
                     "today": plan.today, "training_record_url": absolute_url("compliance.training_record")}
