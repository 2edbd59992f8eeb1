"""Managing people one by one, without a CSV: add, edit, disable and enable a person, give or remove
roles and the DSL duty, and issue an adult a new first password.

Callers: the people pages (a coordinator for their own school, an administrator for any school)
and the ``create-user`` command. A change that is not allowed raises :class:`PersonChangeError`
with a message for the person, and changes nothing.

The school keeps at least one coordinator who can sign in: nobody may disable, or remove the
coordinator role from, its last one, nor disable themself. Two coordinators acting at the same
moment are taken one after the other (the school's row is locked on PostgreSQL; SQLite takes one
writer at a time), so they cannot both remove the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, func, select

from eduplatform.academic_year import AcademicYear, local_date
from eduplatform.accounts.models import ParentLink, User, UserDuty, UserRole
from eduplatform.accounts.names import clean_text
from eduplatform.accounts.services import create_user, disable_account, issue_first_password
from eduplatform.accounts.usernames import UsernameAllocator
from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.db import db, utcnow
from eduplatform.i18n import _
from eduplatform.roles import Duty, Role
from eduplatform.schools.models import ClassMember, School, SchoolClass
from eduplatform.schools.services import lock_school
from eduplatform.schools.years import time_zone_of
from eduplatform.signin.pictures import set_picture_secret, uses_pictures
from eduplatform.signin.services import give_new_pupils_distinct_avatars

#: Roles a school's people can hold (trust leads and administrators belong to no school).
SCHOOL_ROLES = (Role.PUPIL, Role.STAFF, Role.GOVERNOR, Role.PARENT, Role.VISITOR, Role.COORDINATOR)


_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")


class PersonChangeError(ValueError):
    """A change to a person that cannot be made; ``str(error)`` is the message for the person.

    ``field`` names the people form's field the problem is about, when there is one: the form shows
    the message there (and in its error summary) rather than at the top of the page.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class PersonDetails:
    """What the people form (or ``create-user``) says about one person."""

    first_name: str
    last_name: str
    roles: frozenset[Role]
    email: str | None = None
    #: Pupils only.
    year_group: int | None = None
    #: Pupils: the class of the current year they belong to (None: no class).
    class_id: int | None = None
    duties: frozenset[Duty] = frozenset()
    #: Staff: employment start (drives when induction is due).
    started_on: date | None = None
    #: New people only; None lets the platform choose (first name, initial, number).
    username: str | None = None
    #: Parents: their children's usernames (pupils of the same school); None leaves the links as they are.
    children: tuple[str, ...] | None = None


@dataclass(frozen=True)
class NewSecret:
    """What to hand the person once: a first password, or (youngest pupils) secret pictures."""

    password: str | None = None
    pictures: tuple[str, ...] = ()


def _checked(details: PersonDetails, school: School, year: AcademicYear) -> PersonDetails:
    roles = set(details.roles)
    if not roles:
        raise PersonChangeError(_("Choose at least one role."), field="roles")
    if not roles <= set(SCHOOL_ROLES):
        raise PersonChangeError(_("Trust leads and administrators are added by an administrator."), field="roles")
    if Role.COORDINATOR in roles:
        roles.add(Role.STAFF)  # a coordinator is a member of staff, as in roster import
    pupil = Role.PUPIL in roles
    if pupil and len(roles) > 1:
        raise PersonChangeError(_("A pupil cannot also hold an adult role."), field="roles")
    if pupil and details.year_group is None:
        raise PersonChangeError(_("Choose the pupil's year group."), field="year_group")
    if details.duties and Role.STAFF not in roles:
        raise PersonChangeError(_("Only staff can hold the DSL duty."), field="duties")
    if details.started_on is not None and Role.STAFF in roles:
        today = local_date(utcnow(), time_zone_of(school))
        if details.started_on > today:
            raise PersonChangeError(_("The start date cannot be in the future: enter it on or after the day "
                                      "they start."), field="started_on")
    if details.class_id is not None:
        found = db.session.scalar(select(SchoolClass.id).where(
            SchoolClass.id == details.class_id, SchoolClass.school_id == school.id,
            SchoolClass.academic_year == year.start_year))
        if found is None or not pupil:
            raise PersonChangeError(_("Choose one of this year's classes of the school, for pupils only."),
                                    field="class_id")
    first, last = clean_text(details.first_name), clean_text(details.last_name)
    if not first or len(first) > 100 or len(last) > 100:
        raise PersonChangeError(_("Enter a first name (and a last name) of at most 100 characters each."),
                                field="first_name")
    email = (details.email or "").strip().lower() or None
    if email is not None and not pupil and ("@" not in email or len(email) > 254 or " " in email):
        raise PersonChangeError(_("Enter an email address such as name@school.sch.uk."), field="email")
    return PersonDetails(first_name=first, last_name=last, roles=frozenset(roles),
                         email=None if pupil else email, year_group=details.year_group if pupil else None,
                         class_id=details.class_id, duties=details.duties,
                         started_on=details.started_on if Role.STAFF in roles else None,
                         username=(details.username or "").strip().lower() or None,
                         children=details.children if Role.PARENT in roles else None)


def _set_children(user: User, school: School, usernames: tuple[str, ...] | None) -> None:
    if usernames is None:
        return
    wanted = {name.strip().lower() for name in usernames if name.strip()}
    found: dict[str, int] = dict(db.session.execute(  # type: ignore[arg-type]
        select(User.username, User.id).join(UserRole, UserRole.user_id == User.id)
        .where(User.school_id == school.id, UserRole.role == Role.PUPIL, User.username.in_(wanted))).all())
    missing = sorted(wanted - found.keys())
    if missing:
        raise PersonChangeError(_("No pupil of this school has the username %(usernames)s.",
                                    usernames=", ".join(missing)), field="children")
    db.session.execute(delete(ParentLink).where(ParentLink.parent_id == user.id,
                                                ParentLink.child_id.not_in(found.values())))
    linked = set(db.session.scalars(select(ParentLink.child_id).where(ParentLink.parent_id == user.id)))
    db.session.add_all(ParentLink(parent_id=user.id, child_id=child_id)
                       for child_id in found.values() if child_id not in linked)


def _email_taken(school: School, email: str | None, exclude_id: int | None) -> bool:
    """Single sign-on matches people by email within a school, so two people there cannot share one."""
    if email is None:
        return False
    query = select(User.id).where(User.school_id == school.id, func.lower(User.email) == email)
    if exclude_id is not None:
        query = query.where(User.id != exclude_id)
    return db.session.scalar(query) is not None


def _active_coordinators(school_id: int) -> set[int]:
    return set(db.session.scalars(
        select(User.id).join(UserRole, UserRole.user_id == User.id)
        .where(User.school_id == school_id, UserRole.role == Role.COORDINATOR,
               User.disabled_at.is_(None), User.left_at.is_(None))))


def _set_class(user: User, class_id: int | None, year: AcademicYear) -> None:
    this_year = select(SchoolClass.id).where(SchoolClass.school_id == user.school_id,
                                             SchoolClass.academic_year == year.start_year)
    db.session.execute(delete(ClassMember).where(ClassMember.user_id == user.id,
                                                 ClassMember.class_id.in_(this_year)))
    if class_id is not None:
        db.session.add(ClassMember(class_id=class_id, user_id=user.id))


def _set_duties(user: User, duties: frozenset[Duty]) -> None:
    user.duty_rows = [row for row in user.duty_rows if row.duty in duties] + [
        UserDuty(duty=duty) for duty in sorted(duties - user.duties)]


def _issue_secret(user: User) -> NewSecret:
    if Role.PUPIL in user.roles and uses_pictures(user.year_group):
        return NewSecret(pictures=set_picture_secret(user))
    return NewSecret(password=issue_first_password(user))


def add_person(school: School, details: PersonDetails, *, actor: User | None,
               year: AcademicYear) -> tuple[User, NewSecret]:
    """Add one person to ``school`` with a first password (or secret pictures) to hand them once."""
    details = _checked(details, school, year)
    if details.username is not None:
        if not _USERNAME.match(details.username):
            raise PersonChangeError(_("A username uses only letters, digits, dots, hyphens and underscores."),
                                    field="username")
        if db.session.scalar(select(User.id).where(User.username == details.username)) is not None:
            raise PersonChangeError(_("The username %(username)s is already taken. Choose another, or leave it "
                                        "empty to have one made.", username=details.username), field="username")
    if _email_taken(school, details.email, None):
        raise PersonChangeError(_("Someone in this school already has the email %(email)s.", email=details.email),
                                field="email")
    pupil = Role.PUPIL in details.roles
    username = details.username or UsernameAllocator(
        (), [(details.first_name, details.last_name, pupil)]).allocate(details.first_name, details.last_name, pupil)
    user = create_user(username=username, first_name=details.first_name, last_name=details.last_name,
                       roles=details.roles, school_id=school.id, year_group=details.year_group,
                       email=details.email)
    user.started_on = details.started_on
    _set_duties(user, details.duties)
    if details.class_id is not None:
        _set_class(user, details.class_id, year)
    _set_children(user, school, details.children)
    secret = _issue_secret(user)
    db.session.flush()
    if secret.pictures and details.class_id is not None:
        give_new_pupils_distinct_avatars({details.class_id}, {user.id})
    record_event(AuditAction.PERSON_ADDED, actor=actor, school_id=school.id, subject_user_id=user.id,
                 details={"roles": sorted(details.roles), "duties": sorted(details.duties)})
    return user, secret


def update_person(user: User, details: PersonDetails, *, actor: User | None, year: AcademicYear) -> None:
    """Change a person's names, email, roles, duties, year group and class (usernames stay)."""
    school = user.school
    if school is None:
        raise PersonChangeError(_("This person belongs to no school."))
    details = _checked(details, school, year)
    if _email_taken(school, details.email, user.id):
        raise PersonChangeError(_("Someone in this school already has the email %(email)s.", email=details.email),
                                field="email")
    if (Role.PUPIL in details.roles) != (Role.PUPIL in user.roles):
        raise PersonChangeError(_("A pupil cannot become an adult, or an adult a pupil: add a new person."),
                                field="roles")
    if Role.COORDINATOR in user.roles and Role.COORDINATOR not in details.roles:
        lock_school(school.id)
        if actor is not None and actor.id == user.id:
            raise PersonChangeError(_("You cannot remove your own coordinator role. Ask another coordinator."),
                                    field="roles")
        if _active_coordinators(school.id) <= {user.id}:
            raise PersonChangeError(_("This is the school's last coordinator. Make someone else coordinator first."),
                                    field="roles")
    before = {"roles": sorted(user.roles), "duties": sorted(user.duties)}
    user.first_name, user.last_name, user.email = details.first_name, details.last_name, details.email
    user.started_on = details.started_on
    if user.roles != details.roles:
        user.role_rows = [row for row in user.role_rows if row.role in details.roles] + [
            UserRole(role=role) for role in sorted(details.roles - user.roles)]
    _set_duties(user, details.duties)
    _set_children(user, school, details.children)
    if Role.PUPIL in details.roles:
        moved_out_of_pictures = uses_pictures(user.year_group) and not uses_pictures(details.year_group)
        user.year_group = details.year_group
        _set_class(user, details.class_id, year)
        if moved_out_of_pictures and user.password_hash is None:
            issue_first_password(user)
    db.session.flush()
    after = {"roles": sorted(user.roles), "duties": sorted(user.duties)}
    record_event(AuditAction.PERSON_CHANGED, actor=actor, school_id=school.id, subject_user_id=user.id)
    if before != after:
        changes: dict[str, list[str]] = {}
        for kind in ("roles", "duties"):
            changes[f"{kind}_added"] = sorted(set(after[kind]) - set(before[kind]))
            changes[f"{kind}_removed"] = sorted(set(before[kind]) - set(after[kind]))
        record_event(AuditAction.ROLES_CHANGED, actor=actor, school_id=school.id, subject_user_id=user.id,
                     details={key: value for key, value in changes.items() if value})


def disable_person(user: User, *, actor: User | None) -> None:
    """Stop the person signing in (records kept). Never oneself, never the school's last coordinator."""
    if actor is not None and actor.id == user.id:
        raise PersonChangeError(_("You cannot disable your own account."))
    if user.disabled_at is not None:
        return
    if Role.COORDINATOR in user.roles and user.school_id is not None:
        lock_school(user.school_id)
        if _active_coordinators(user.school_id) <= {user.id}:
            raise PersonChangeError(_("This is the school's last coordinator. Make someone else coordinator first."))
    disable_account(user)
    record_event(AuditAction.ACCOUNT_DISABLED, actor=actor, school_id=user.school_id, subject_user_id=user.id)


def enable_person(user: User, *, actor: User | None) -> None:
    """Let a disabled person sign in again."""
    if user.disabled_at is None:
        return
    user.disabled_at = None
    db.session.flush()
    record_event(AuditAction.ACCOUNT_ENABLED, actor=actor, school_id=user.school_id, subject_user_id=user.id)


def reset_adult_password(user: User, *, actor: User | None) -> str:
    """Give an adult a new first password (to change at first sign-in); their sessions end.

    Pupils' passwords and pictures are reset from their class page, where their login cards are.
    """
    if Role.PUPIL in user.roles:
        raise PersonChangeError(_("Reset a pupil's password or pictures from their class page."))
    if user.disabled_at is not None or user.left_at is not None:
        raise PersonChangeError(_("Enable the account before giving it a new password."))
    password = issue_first_password(user)
    user.failed_sign_ins = 0
    user.sign_in_blocked_until = None
    db.session.flush()
    record_event(AuditAction.PASSWORD_RESET, actor=actor, school_id=user.school_id, subject_user_id=user.id)
    return password
