"""Writing the audit log. It must never fail the request it records, nor lock the database.

During a GET (reading a record, downloading an export) the request runs in a deferred read
transaction, so the entry is written in a short transaction of its own
(:meth:`eduplatform.db.Database.separate_transaction`). During a POST it is written in the
request's own transaction (in a savepoint, so a failed entry never undoes the request's change), so
it is saved exactly when the change it records is saved.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import has_request_context, request
from sqlalchemy.exc import SQLAlchemyError

from eduplatform.audit.models import AuditAction, AuditEvent
from eduplatform.db import db, is_read_only_request

log = logging.getLogger(__name__)


def _address() -> str:
    return (request.remote_addr or "")[:64] if has_request_context() else "cli"


def record_event(action: AuditAction, *, actor: Any = None, school_id: int | None = None,
                 subject_user_id: int | None = None, details: dict[str, Any] | None = None) -> None:
    """Add an entry to the audit log. Callers: any view, service or command that must be accountable.

    A failure to write is logged and swallowed: the audit log never breaks what it records.
    """
    event = AuditEvent(action=action.value, actor_id=getattr(actor, "id", None), school_id=school_id,
                       subject_user_id=subject_user_id, details=details or {}, address=_address())
    if not is_read_only_request():
        db.session.flush()  # the request's own changes first: their errors stay the request's
        # A savepoint: should the entry fail to save, the request's own changes go on without it.
        try:
            with db.session.begin_nested():
                db.session.add(event)
        except SQLAlchemyError:
            log.exception("could not write the audit-log entry %s", action.value)
        return
    try:
        with db.separate_transaction() as session:
            session.add(event)
    except SQLAlchemyError:
        log.exception("could not write the audit-log entry %s", action.value)
