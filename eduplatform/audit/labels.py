"""What the audit log's entries are called on the page and in the CSV, and a short readable summary
of each entry's details (translated; the details themselves hold only ids, counts, kinds and modes).
"""

from __future__ import annotations

from typing import Any

from eduplatform.audit.models import AuditAction
from eduplatform.i18n import _, _l, ngettext
from eduplatform.roles import DUTY_TITLES, ROLE_TITLES, Duty, Role

ACTION_LABELS = {
    AuditAction.PERSON_RECORD_VIEWED: _l("Opened a person's record"),
    AuditAction.EXPORT_DOWNLOADED: _l("Downloaded an export"),
    AuditAction.AUDIT_DOWNLOADED: _l("Downloaded the yearly audit"),
    AuditAction.AUDIT_SIGNED: _l("Signed off the yearly audit"),
    AuditAction.PERSON_ADDED: _l("Added a person"),
    AuditAction.PERSON_CHANGED: _l("Changed a person's details"),
    AuditAction.ACCOUNT_DISABLED: _l("Disabled an account"),
    AuditAction.ACCOUNT_ENABLED: _l("Enabled an account again"),
    AuditAction.PASSWORD_RESET: _l("Issued a new first password"),
    AuditAction.SCHOOL_CREATED: _l("Created a school"),
    AuditAction.SCHOOL_CHANGED: _l("Changed the school's settings"),
    AuditAction.TRUST_CHANGED: _l("Changed a trust"),
    AuditAction.ROSTER_IMPORT_UNDONE: _l("Undid a roster import"),
    AuditAction.TRAINING_RECORDED_ELSEWHERE: _l("Recorded training done elsewhere"),
    AuditAction.TRAINING_ELSEWHERE_REMOVED: _l("Removed training done elsewhere"),
    AuditAction.INVITATIONS_ISSUED: _l("Issued parents' invitations"),
    AuditAction.SIGNED_IN: _l("Signed in"),
    AuditAction.SIGN_IN_FAILED: _l("Sign-in refused"),
    AuditAction.SIGNED_OUT: _l("Signed out"),
    AuditAction.PASSWORD_CHANGED: _l("Changed their own password"),
    AuditAction.MFA_ENABLED: _l("Turned on multi-factor sign-in"),
    AuditAction.MFA_DISABLED: _l("Turned off multi-factor sign-in"),
    AuditAction.MFA_RECOVERY_CODE_USED: _l("Signed in with a recovery code"),
    AuditAction.ROLES_CHANGED: _l("Changed roles or duties"),
    AuditAction.ROSTER_IMPORTED: _l("Imported a roster"),
    AuditAction.LOGIN_CARDS_VIEWED: _l("Opened login cards"),
    AuditAction.PICTURES_RESET: _l("Gave a pupil a new sign-in"),
    AuditAction.CONSENT_CHANGED: _l("Recorded a consent decision"),
    AuditAction.CONCERN_READ: _l("Read a safeguarding concern"),
    AuditAction.AUDIT_LOG_EXPORTED: _l("Downloaded the audit log"),
    AuditAction.PERSONAL_DATA_EXPORTED: _l("Exported a person's data"),
    AuditAction.PERSON_ERASED: _l("Erased a person"),
    AuditAction.PURGE_RUN: _l("Removed data past its retention period"),
    AuditAction.RETENTION_CHANGED: _l("Changed the retention periods"),
    AuditAction.BACKUP_TAKEN: _l("Took a backup"),
    AuditAction.BACKUP_RESTORED: _l("Restored a backup"),
}

_REASONS = {
    "unknown_name": _l("no account has this username"),
    "no_password": _l("the account signs in with pictures, not a password"),
    "wrong_password": _l("wrong password"),
    "wrong_pictures": _l("wrong pictures"),
    "paused": _l("sign-in paused after too many wrong tries"),
    "wait": _l("too many wrong tries from this address: asked to wait"),
    "disabled": _l("the account is disabled"),
    "first_password_expired": _l("the first password had expired"),
}

_VIA = {
    "password": _l("with a password"),
    "pictures": _l("with pictures"),
    "google": _l("with Google"),
    "microsoft": _l("with Microsoft"),
}

_CARD_KINDS = {
    "class": _l("a class's cards"),
    "person": _l("one pupil's card"),
    "adults": _l("the adults' cards"),
}


def action_label(action: str) -> str:
    """The readable name of a stored action (an unknown one, from a newer version, shows as stored)."""
    try:
        return str(ACTION_LABELS[AuditAction(action)])
    except (ValueError, KeyError):
        return action


def _titles(values: Any, titles: dict[Any, Any], kind: type[Role] | type[Duty]) -> str:
    names = []
    for value in values or ():
        try:
            names.append(str(titles[kind(value)]))
        except ValueError:
            names.append(str(value))
    return ", ".join(names)


def _roles_summary(details: dict[str, Any]) -> str:
    parts = []
    for key, titles, kind in (("roles", ROLE_TITLES, Role), ("duties", DUTY_TITLES, Duty)):
        if details.get(f"{key}_added"):
            parts.append(_("added: %(names)s", names=_titles(details[f"{key}_added"], titles, kind)))
        if details.get(f"{key}_removed"):
            parts.append(_("removed: %(names)s", names=_titles(details[f"{key}_removed"], titles, kind)))
    return "; ".join(parts)


def _sign_in_summary(details: dict[str, Any]) -> str:
    reason = details.get("reason")
    text = str(_REASONS.get(reason, reason or ""))
    if details.get("name"):
        text = _("%(reason)s (name typed: %(name)s)", reason=text, name=details["name"])
    return text


def _roster_summary(details: dict[str, Any]) -> str:
    mode = _("full sync") if details.get("mode") == "sync" else _("add and update")
    return _("%(mode)s: %(created)d added, %(updated)d updated, %(unchanged)d unchanged, %(left)d marked as left",
             mode=mode, created=details.get("created", 0), updated=details.get("updated", 0),
             unchanged=details.get("unchanged", 0), left=details.get("left", 0))


def _cards_summary(details: dict[str, Any]) -> str:
    people = int(details.get("people", 0))
    kind = str(_CARD_KINDS.get(details.get("kind"), details.get("kind") or ""))
    return ngettext("%(kind)s, %(num)d person", "%(kind)s, %(num)d people", people, kind=kind)


def _consent_summary(details: dict[str, Any]) -> str:
    answer = _("given") if details.get("given") else _("refused or withdrawn")
    return _("%(item)s: %(answer)s", item=details.get("consent_id", ""), answer=answer)


def _generic_summary(details: dict[str, Any]) -> str:
    """Any other entry: its details as ``key: value`` pairs (ids, counts, kinds and modes only)."""
    return "; ".join(f"{key}: {value}" for key, value in sorted(details.items()) if value not in (None, "", [], {}))


_SUMMARIES = {
    AuditAction.SIGN_IN_FAILED.value: _sign_in_summary,
    AuditAction.ROLES_CHANGED.value: _roles_summary,
    AuditAction.ROSTER_IMPORTED.value: _roster_summary,
    AuditAction.LOGIN_CARDS_VIEWED.value: _cards_summary,
    AuditAction.CONSENT_CHANGED.value: _consent_summary,
}


def details_summary(action: str, details: dict[str, Any] | None) -> str:
    """A short readable line for an entry's details; empty when there are none."""
    details = details if isinstance(details, dict) else {}
    if action == AuditAction.SIGNED_IN.value and details.get("via") in _VIA:
        return str(_VIA[details["via"]])
    summary = _SUMMARIES.get(action)
    return summary(details) if summary is not None else _generic_summary(details)
