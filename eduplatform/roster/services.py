"""Roster import: read a file, plan it against the school, apply the plan in one transaction.

Callers: the roster views (coordinators of one school) and ``flask import-roster``. Services only
flush; the request (or the CLI command) commits once, so a failure part-way changes nothing.

First passwords come from :func:`eduplatform.accounts.services.issue_first_password` (its hashing
choice is explained there); picture secrets from :func:`eduplatform.signin.pictures.set_picture_secret`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete

from eduplatform.academic_year import AcademicYear, local_date
from eduplatform.accounts.models import ParentLink, User, UserDuty, UserRole
from eduplatform.accounts.services import (
    PreparedSecret,
    end_all_sessions,
    issue_first_password,
    new_session_token,
    prepare_first_password,
)
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.crypto import encrypt_at_rest
from eduplatform.db import db, utcnow
from eduplatform.roles import Role
from eduplatform.roster.models import RosterChange, RosterImport
from eduplatform.roster.parsing import parse_roster
from eduplatform.roster.planning import Action, PersonPlan, RosterPlan, build_plan
from eduplatform.schools.models import ClassMember, ClassTeacher, School, SchoolClass
from eduplatform.schools.years import current_year, time_zone_of
from eduplatform.signin.pictures import prepare_picture_secret, set_picture_secret
from eduplatform.signin.services import ensure_sign_in_code, give_new_pupils_distinct_avatars


def plan_roster(data: bytes, school: School, year: AcademicYear | None = None,
                importer: User | None = None, mode: str = "add") -> RosterPlan:
    """Parse ``data`` and compare it with ``school`` in ``year`` (default: this academic year). Read-only.

    ``mode``: ``add`` (default: add and update, nobody is marked as left) or ``sync``.
    Callers: the upload and preview pages and ``import-roster`` (also with ``--dry-run``).
    """
    year = year or current_year(school)
    latest_start = max(local_date(utcnow(), time_zone_of(school)), year.first_day)  # next year's file: its 1 Sept
    return build_plan(parse_roster(data, latest_start), school, year, importer, mode)


def prepare_secrets(plan: RosterPlan) -> dict[int, PreparedSecret]:
    """The first passwords and secret pictures the plan's people need, hashed now, by file line.

    Hashing is the slow part of a large import (20,000 people: about half a minute). The import
    views and command make them first, with the database's write lock released, and then apply
    the plan (planned again under the lock) with them: other schools' writes never wait that long.
    CPU only: reads and writes nothing.
    """
    prepared: dict[int, PreparedSecret] = {}
    for person in plan.people:
        if person.needs_pictures:
            prepared[person.row.line] = prepare_picture_secret()
        elif person.needs_password:
            prepared[person.row.line] = prepare_first_password(for_pupil=Role.PUPIL in person.roles)
    return prepared


@dataclass
class _Applier:
    plan: RosterPlan
    secrets: Mapping[int, PreparedSecret] = field(default_factory=dict)

    def run(self, filename: str, imported_by: User | None) -> RosterImport:
        plan = self.plan
        before = {person.user.id: snapshot(person.user, plan) for person in plan.of(Action.UPDATE)
                  if person.user is not None}
        class_ids = self._create_classes()
        users = self._create_people()
        for person in plan.of(Action.UPDATE):
            self._update(person)
        by_external_id = dict(plan.by_external_id)
        by_external_id.update((p.row.external_id, users[p.row.line]) for p in plan.people if p.row.external_id)
        for person in plan.people:
            if person.action is not Action.UNCHANGED:
                self._relationships(person, users[person.row.line], class_ids, by_external_id)
        new_pictures = [person for person in plan.of(Action.CREATE) if person.needs_pictures and person.class_keys]
        give_new_pupils_distinct_avatars({class_ids[key] for person in new_pictures for key in person.class_keys},
                                         {users[person.row.line].id for person in new_pictures})
        now = utcnow()
        for user in plan.leavers:
            user.left_at = now
            end_all_sessions(user)
        counts = plan.counts
        record = RosterImport(
            school_id=plan.school.id, imported_by_id=imported_by.id if imported_by else None,
            filename=filename[:255], academic_year=plan.year.start_year, rows=plan.rows, mode=plan.mode,
            created=counts["created"],
            updated=counts["updated"], unchanged=counts["unchanged"], left=counts["left"])
        db.session.add(record)
        db.session.flush()
        db.session.add_all(
            [RosterChange(import_id=record.id, user_id=users[p.row.line].id, kind="created", before={})
             for p in plan.of(Action.CREATE)]
            + [RosterChange(import_id=record.id, user_id=user_id, kind="updated", before=state)
               for user_id, state in before.items()]
            + [RosterChange(import_id=record.id, user_id=user.id, kind="left", before={}) for user in plan.leavers])
        db.session.flush()
        record_event(AuditAction.ROSTER_IMPORTED, actor=imported_by, school_id=plan.school.id,
                     details={"import_id": record.id, "mode": plan.mode, "rows": plan.rows, **counts})
        return record

    def _create_classes(self) -> dict[str, int]:
        plan = self.plan
        created = {key: SchoolClass(school_id=plan.school.id, academic_year=plan.year.start_year, name=item.name,
                                    year_group=item.year_group) for key, item in plan.classes.items()
                   if item.existing is None}
        db.session.add_all(created.values())
        db.session.flush()
        for school_class in created.values():  # ready for the board and the login cards at once
            ensure_sign_in_code(school_class, permanent=True)
        return {key: (item.existing.id if item.existing else created[key].id) for key, item in plan.classes.items()}

    def _create_people(self) -> dict[int, User]:
        """New accounts, flushed together; returns every line's account (new and existing) by line number."""
        users = {person.row.line: person.user for person in self.plan.people if person.user is not None}
        for person in self.plan.of(Action.CREATE):
            row = person.row
            user = User(username=person.username, first_name=row.first_name, last_name=row.last_name,
                        school_id=self.plan.school.id, year_group=person.year_group,
                        email=None if row.is_pupil else row.email, external_id=row.external_id,
                        started_on=row.start_date if Role.STAFF in person.roles else None,
                        session_token=new_session_token(), must_change_password=False, failed_sign_ins=0)
            user.role_rows = [UserRole(role=role) for role in sorted(person.roles)]
            user.duty_rows = [UserDuty(duty=duty) for duty in sorted(person.duties or ())]
            self._issue_secrets(person, user)
            db.session.add(user)
            users[row.line] = user
        db.session.flush()
        return users

    def _issue_secrets(self, person: PersonPlan, user: User) -> None:
        prepared = self.secrets.get(person.row.line)
        if person.needs_pictures:
            set_picture_secret(user, prepared=prepared if prepared and prepared.kind == "pictures" else None)
        elif person.needs_password:
            kind = "pupil_password" if Role.PUPIL in person.roles else "adult_password"
            issue_first_password(user, prepared if prepared and prepared.kind == kind else None)

    def _update(self, person: PersonPlan) -> None:
        user, row, changes = person.user, person.row, set(person.changes)
        assert user is not None
        user.first_name, user.last_name = row.first_name, row.last_name
        user.year_group = person.year_group
        user.username = person.username
        if row.external_id:
            user.external_id = row.external_id
        if "email" in changes:
            user.email = row.email
        if "start_date" in changes:
            user.started_on = row.start_date
        if "returning" in changes:
            user.left_at = None
        if "roles" in changes:
            kept = {row_.role: row_ for row_ in user.role_rows if row_.role in person.roles}
            user.role_rows = [kept.get(role) or UserRole(role=role) for role in sorted(person.roles)]
        if "duties" in changes and person.duties is not None:
            held = {row_.duty: row_ for row_ in user.duty_rows if row_.duty in person.duties}
            user.duty_rows = [held.get(duty) or UserDuty(duty=duty) for duty in sorted(person.duties)]
        self._issue_secrets(person, user)

    def _relationships(self, person: PersonPlan, user: User, class_ids: dict[str, int],
                       by_external_id: dict[str, User]) -> None:
        """This year's class, classes taught and children: made exactly what the file says."""
        plan = self.plan
        _sync(ClassMember, user.id, {class_ids[key] for key in person.class_keys}, plan.membership.get(user.id, set()))
        if person.teaching_keys is not None:
            _sync(ClassTeacher, user.id, {class_ids[key] for key in person.teaching_keys},
                  plan.teaching.get(user.id, set()))
        if person.children is not None:
            wanted = {by_external_id[external_id].id for external_id in person.children}
            current = plan.links.get(user.id, set())
            if current - wanted:
                db.session.execute(delete(ParentLink).where(ParentLink.parent_id == user.id,
                                                            ParentLink.child_id.in_(current - wanted)))
            db.session.add_all(ParentLink(parent_id=user.id, child_id=child_id) for child_id in wanted - current)


#: The account fields an undo puts back (the session token is not: sessions ended stay ended).
SNAPSHOT_FIELDS = ("first_name", "last_name", "year_group", "username", "external_id", "email", "started_on",
                   "left_at", "password_hash", "picture_secret_hash", "card_secret", "must_change_password",
                   "first_password_issued_at", "avatar")


def snapshot(user: User, plan: RosterPlan) -> dict[str, Any]:
    """The person as they are before an import changes them (JSON), for :mod:`eduplatform.roster.undo`."""
    fields = {}
    for name in SNAPSHOT_FIELDS:
        value = getattr(user, name)
        if name == "card_secret":  # kept encrypted in the undo record too (None when unreadable)
            value = encrypt_at_rest(value) if value else None
        fields[name] = value.isoformat() if isinstance(value, date | datetime) else value
    return {"fields": fields, "roles": sorted(role.value for role in user.roles),
            "duties": sorted(plan.duties.get(user.id, set())), "year": plan.year.start_year,
            "classes": sorted(plan.membership.get(user.id, set())),
            "teaching": sorted(plan.teaching.get(user.id, set())),
            "children": sorted(plan.links.get(user.id, set()))}


def _sync(table: type[ClassMember] | type[ClassTeacher], user_id: int, wanted: set[int], current: set[int]) -> None:
    """Make the user's rows in ``table`` among this year's classes exactly ``wanted``."""
    if current - wanted:
        db.session.execute(delete(table).where(table.user_id == user_id, table.class_id.in_(current - wanted)))
    db.session.add_all(table(class_id=class_id, user_id=user_id) for class_id in wanted - current)


def apply_plan(plan: RosterPlan, *, filename: str, imported_by: User | None = None,
               secrets: Mapping[int, PreparedSecret] | None = None) -> RosterImport:
    """Carry out a plan without errors and record it. Flushes, never commits: the caller commits once.

    ``secrets`` (:func:`prepare_secrets`) are used where they fit; anything missing is made here.
    Callers: the confirm step of the roster pages (the school's coordinator) and ``import-roster``.
    """
    if plan.errors:
        raise ValueError("a roster plan with errors cannot be applied")
    return _Applier(plan, dict(secrets or {})).run(filename, imported_by)
