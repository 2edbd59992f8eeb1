"""Training done elsewhere: a course taken outside the platform (a local authority DSL course) that the
coordinator records so it counts towards the training rules (method ``external``), or removes when it
was entered by mistake.

The only writer of :class:`~eduplatform.records.models.ExternalTraining` rows. Callers: the person's
training page (the school's coordinator, or an administrator; the views check who). Services flush and
log; the request commits once. A refused entry raises :class:`ExternalTrainingError` and writes nothing.
"""

from __future__ import annotations

from datetime import date

from eduplatform.accounts.models import User
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.catalogue.model import Catalogue
from eduplatform.db import db
from eduplatform.i18n import _
from eduplatform.records.models import ExternalTraining

#: No training record is older than this (a typed 1926 for 2026 is caught).
EARLIEST_COMPLETION = date(2000, 1, 1)
MAX_PROVIDER = 200
MAX_NOTE = 1000


class ExternalTrainingError(ValueError):
    """Training done elsewhere that cannot be recorded; ``str(error)`` is the message, ``field`` the
    form field it is about."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def rule_modules(catalogue: Catalogue) -> tuple[str, ...]:
    """The modules the training rules name, in rule order: the ones training done elsewhere can stand for."""
    return tuple(dict.fromkeys(rule.module_id for rule in catalogue.training_rules if rule.module_id))


def record_external_training(person: User, *, module_id: str, completed_on: date, provider: str,
                             note: str | None, today: date, catalogue: Catalogue,
                             actor: User | None) -> ExternalTraining:
    """Record that ``person`` completed ``module_id``'s training elsewhere on ``completed_on``.

    ``today`` is the school's calendar day: a completion after it is refused, as is one before
    :data:`EARLIEST_COMPLETION`, a module no rule names, and a missing or over-long provider or note.
    """
    if person.school_id is None:
        raise ExternalTrainingError(_("Training can only be recorded for someone in a school."))
    if module_id not in rule_modules(catalogue):
        raise ExternalTrainingError(_("Choose one of the modules the training rules name."), field="module_id")
    if completed_on > today:
        raise ExternalTrainingError(_("The date completed cannot be in the future."), field="completed_on")
    if completed_on < EARLIEST_COMPLETION:
        raise ExternalTrainingError(_("The date completed cannot be before 2000."), field="completed_on")
    provider = " ".join((provider or "").split())
    if not provider or len(provider) > MAX_PROVIDER:
        raise ExternalTrainingError(_("Enter who ran the training, in at most %(count)s characters.",
                                      count=MAX_PROVIDER), field="provider")
    note = (note or "").strip() or None
    if note is not None and len(note) > MAX_NOTE:
        raise ExternalTrainingError(_("The note can be at most %(count)s characters long.", count=MAX_NOTE),
                                    field="note")
    entry = ExternalTraining(school_id=person.school_id, user_id=person.id, module_id=module_id,
                             completed_on=completed_on, provider=provider, note=note,
                             recorded_by_id=getattr(actor, "id", None))
    db.session.add(entry)
    db.session.flush()
    record_event(AuditAction.TRAINING_RECORDED_ELSEWHERE, actor=actor, school_id=person.school_id,
                 subject_user_id=person.id, details=_details(entry))
    return entry


def remove_external_training(entry: ExternalTraining, *, actor: User | None) -> None:
    """Remove training done elsewhere that was entered by mistake; the audit log keeps what it said."""
    details = _details(entry)
    db.session.delete(entry)
    db.session.flush()
    record_event(AuditAction.TRAINING_ELSEWHERE_REMOVED, actor=actor, school_id=entry.school_id,
                 subject_user_id=entry.user_id, details=details)


def _details(entry: ExternalTraining) -> dict[str, object]:
    return {"id": entry.id, "module": entry.module_id, "completed_on": entry.completed_on.isoformat(),
            "provider": entry.provider}
