"""Who may do what, and who may see whom. Nowhere else decides access.

* **Permissions** come from roles (:data:`ROLE_PERMISSIONS`). Every view declares the permission
  it needs with :func:`requires`, or :func:`public`; a view that declares neither is refused
  (deny by default), and the access-matrix test fails until it is added there too.
* **Scoping** rules say which people (and so which records) an actor may see. Each rule is a SQL
  filter, so a list, a report and a single-record page all use the same rule and a report can
  never show more than a page:

  - everyone sees themself;
  - staff see the pupils of the classes they teach this academic year;
  - parents see their linked children;
  - coordinators see everyone in their own school;
  - trust leads see everyone in their trust's schools;
  - administrators see everyone.

  Classes follow the same shape (:func:`visible_classes`): teachers their own classes,
  coordinators their school's, trust leads their trust's, administrators all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import StrEnum
from functools import cache, wraps
from typing import Any, TypeVar

from flask import abort, request
from flask_login import current_user
from sqlalchemy import ColumnElement, and_, false, or_, select, true

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import ParentLink, User, UserRole
from eduplatform.catalogue import current_catalogue
from eduplatform.catalogue.model import Agreement, Catalogue, Module, Signing
from eduplatform.db import db
from eduplatform.roles import Role
from eduplatform.schools.models import ClassMember, ClassTeacher, School, SchoolClass
from eduplatform.schools.queries import current_pupils_query
from eduplatform.schools.years import current_year

__all__ = ["Permission", "Role", "can", "can_view_user", "public", "requires", "visible_users"]

View = TypeVar("View", bound=Callable[..., Any])


class Permission(StrEnum):
    """Something a user may do. Views declare which one they need."""

    #: See one's dashboard and change one's own password.
    USE_SITE = "use_site"
    #: Read modules and lessons, take quizzes.
    LEARN = "learn"
    #: Sign acceptable use agreements.
    SIGN_AGREEMENTS = "sign_agreements"
    #: See other people (within scope) and their records.
    VIEW_PEOPLE = "view_people"
    #: See the school's completion overview.
    VIEW_SCHOOL_PROGRESS = "view_school_progress"
    #: Teach classes: class progress, presentation mode, record teacher-led sessions.
    TEACH_CLASSES = "teach_classes"
    #: Import the school's roster (people and classes) from a CSV file.
    IMPORT_ROSTER = "import_roster"
    #: Download the records behind the figures (CSV exports) and the audit as files.
    EXPORT_RECORDS = "export_records"
    #: Rate the self-review, draft the action plan and sign off the school's yearly audit.
    EDIT_AUDIT = "edit_audit"
    #: Read the yearly audit (governors: their school's signed audits only).
    READ_AUDIT = "read_audit"
    #: Read the school's audit log (administrators: every school's): sign-ins, changes, who exported,
    #: downloaded or viewed records. Coordinators and administrators only.
    VIEW_AUDIT_LOG = "view_audit_log"
    #: Add, edit, disable one person; reset an adult's password; give roles and the DSL duty.
    MANAGE_PEOPLE = "manage_people"
    #: Change a school's settings: language, time zone, help contacts, DSL contact, single sign-on.
    MANAGE_SCHOOL_SETTINGS = "manage_school_settings"
    #: Create trusts and schools, rename them, move a school between trusts.
    MANAGE_SCHOOLS = "manage_schools"
    #: Parents: see their own children's progress, agreements and consents.
    SEE_OWN_CHILDREN = "see_own_children"
    #: See the training record (who is in date, due, overdue) of the schools overseen. Staff holding the
    #: DSL or deputy DSL duty see their own school's too (:func:`may_view_training_record`).
    VIEW_TRAINING_RECORD = "view_training_record"
    #: Record training done elsewhere and set the school's own training periods.
    MANAGE_TRAINING = "manage_training"
    #: Schedule and cancel the school's workshops for parents, and see who registered and came.
    RUN_WORKSHOPS = "run_workshops"
    #: Parents: register for their school's workshops (or join the waiting list) and cancel their place.
    ATTEND_WORKSHOPS = "attend_workshops"
    #: Erase a person of the school on request, and set the school's retention periods (and preview the purge).
    ERASE_PERSONAL_DATA = "erase_personal_data"
    #: Tell the school's DSLs about a worry: pupils (about themselves), parents (about their children),
    #: staff (about any pupil of the school). Reading concerns is a duty, not a permission
    #: (:func:`may_read_concerns`).
    REPORT_CONCERN = "report_concern"
    #: Keep the school's filtering and monitoring logs (checks, and changes to what is blocked). The
    #: DSL and deputies keep them too (:func:`may_keep_filtering_log`).
    KEEP_FILTERING_LOG = "keep_filtering_log"


_LEARNERS = {Permission.USE_SITE, Permission.LEARN, Permission.SIGN_AGREEMENTS}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PUPIL: frozenset(_LEARNERS | {Permission.REPORT_CONCERN}),
    Role.STAFF: frozenset(_LEARNERS | {Permission.VIEW_PEOPLE, Permission.TEACH_CLASSES, Permission.REPORT_CONCERN}),
    Role.GOVERNOR: frozenset(_LEARNERS | {Permission.READ_AUDIT}),
    Role.PARENT: frozenset(_LEARNERS | {Permission.VIEW_PEOPLE, Permission.SEE_OWN_CHILDREN,
                                        Permission.ATTEND_WORKSHOPS, Permission.REPORT_CONCERN}),
    Role.VISITOR: frozenset(_LEARNERS),
    Role.COORDINATOR: frozenset(_LEARNERS | {Permission.VIEW_PEOPLE, Permission.VIEW_SCHOOL_PROGRESS,
                                             Permission.TEACH_CLASSES, Permission.IMPORT_ROSTER,
                                             Permission.EXPORT_RECORDS, Permission.EDIT_AUDIT, Permission.READ_AUDIT,
                                             Permission.VIEW_AUDIT_LOG, Permission.MANAGE_PEOPLE,
                                             Permission.MANAGE_SCHOOL_SETTINGS, Permission.VIEW_TRAINING_RECORD,
                                             Permission.MANAGE_TRAINING, Permission.RUN_WORKSHOPS,
                                             Permission.ERASE_PERSONAL_DATA, Permission.REPORT_CONCERN,
                                             Permission.KEEP_FILTERING_LOG}),
    Role.TRUST_LEAD: frozenset({Permission.USE_SITE, Permission.VIEW_PEOPLE, Permission.VIEW_SCHOOL_PROGRESS,
                                Permission.EXPORT_RECORDS, Permission.READ_AUDIT, Permission.VIEW_TRAINING_RECORD}),
    Role.ADMIN: frozenset({Permission.USE_SITE, Permission.VIEW_PEOPLE, Permission.VIEW_SCHOOL_PROGRESS,
                           Permission.EXPORT_RECORDS, Permission.READ_AUDIT, Permission.VIEW_AUDIT_LOG,
                           Permission.MANAGE_PEOPLE, Permission.MANAGE_SCHOOL_SETTINGS, Permission.MANAGE_SCHOOLS,
                           Permission.VIEW_TRAINING_RECORD, Permission.MANAGE_TRAINING, Permission.RUN_WORKSHOPS,
                           Permission.ERASE_PERSONAL_DATA}),
}


def permissions_of(user: Any) -> frozenset[Permission]:
    """Everything the user's roles allow (nothing for anonymous or inactive users)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    return _permissions_of_roles(user.roles)


@cache
def _permissions_of_roles(roles: frozenset[Role]) -> frozenset[Permission]:
    """The union of the roles' permissions, worked out once per combination of roles."""
    granted: set[Permission] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS[role]
    return frozenset(granted)


def can(user: Any, permission: Permission) -> bool:
    """True when ``user`` holds ``permission`` through one of their roles."""
    return permission in permissions_of(user)


def requires(permission: Permission) -> Callable[[View], View]:
    """Decorate a view: signed-out visitors go to sign-in, signed-in users without it get 403."""

    def decorate(view: View) -> View:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                from eduplatform.extensions import login_manager

                return login_manager.unauthorized()
            if not can(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        guarded.required_permission = permission  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def public(view: View) -> View:
    """Mark a view as open to everyone, signed in or not (sign-in page, health check)."""
    view.is_public = True  # type: ignore[attr-defined]
    return view


def refuse_undeclared_views(view_functions: dict[str, Callable[..., Any]]) -> None:
    """Deny by default: a view with neither :func:`requires` nor :func:`public` answers 403."""
    endpoint = request.endpoint
    if endpoint is None or endpoint == "static":
        return
    view = view_functions.get(endpoint)
    if view is not None and not (getattr(view, "is_public", False) or hasattr(view, "required_permission")):
        abort(403)


# --- Scoping -----------------------------------------------------------------------------------


def visible_users(actor: Any, year: AcademicYear | None = None) -> ColumnElement[bool]:
    """A filter on :class:`User` rows: exactly the people ``actor`` may see."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return false()
    roles = actor.roles
    if Role.ADMIN in roles:
        return true()
    year = year or current_year(actor)
    rules: list[ColumnElement[bool]] = [User.id == actor.id]
    if Role.TRUST_LEAD in roles and actor.trust_id is not None:
        rules.append(User.school_id.in_(select(School.id).where(School.trust_id == actor.trust_id)))
    if Role.COORDINATOR in roles and actor.school_id is not None:
        rules.append(User.school_id == actor.school_id)
    if Role.STAFF in roles and actor.school_id is not None:
        taught_pupils = (
            select(ClassMember.user_id)
            .join(SchoolClass, SchoolClass.id == ClassMember.class_id)
            .join(ClassTeacher, ClassTeacher.class_id == SchoolClass.id)
            .where(ClassTeacher.user_id == actor.id, SchoolClass.academic_year == year.start_year,
                   SchoolClass.school_id == actor.school_id)
        )
        rules.append(User.id.in_(taught_pupils))
    if Role.PARENT in roles:
        rules.append(User.id.in_(select(ParentLink.child_id).where(ParentLink.parent_id == actor.id)))
    return or_(*rules)


def sees_everyone_in(actor: Any, schools: Iterable[School]) -> bool:
    """Whether :func:`visible_users` lets ``actor`` see every person of every one of ``schools``.

    When it does, a report over those schools may filter on the school column alone (its index)
    instead of running :func:`visible_users` as a subquery: the result is the same. True for an
    administrator, a coordinator whose own school is each of them, and a trust lead whose trust
    holds each of them (read from the schools' ``trust_id``, no query); otherwise False, and the
    caller applies :func:`visible_users`.
    """
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    roles = actor.roles
    if Role.ADMIN in roles:
        return True

    def whole(school: School) -> bool:
        return ((Role.COORDINATOR in roles and actor.school_id is not None and school.id == actor.school_id)
                or (Role.TRUST_LEAD in roles and actor.trust_id is not None and school.trust_id == actor.trust_id))

    return all(whole(school) for school in schools)


def visible_classes(actor: Any, year: AcademicYear | None = None, *, trust_wide: bool = True) -> ColumnElement[bool]:
    """A filter on :class:`SchoolClass` rows of ``year``: the classes ``actor`` teaches or oversees.

    Staff see the classes they teach; coordinators every class of their school; trust leads the
    classes of their trust's schools (unless ``trust_wide`` is False); administrators all classes.
    """
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return false()
    year = year or current_year(actor)
    return and_(SchoolClass.academic_year == year.start_year, _classes_in_reach(actor, trust_wide=trust_wide))


def _classes_in_reach(actor: Any, *, trust_wide: bool = True) -> ColumnElement[bool]:
    """The rules of :func:`visible_classes` without its year: which classes (of any year) the signed-in,
    active ``actor`` teaches or oversees in that class's own year."""
    roles = actor.roles
    if Role.ADMIN in roles:
        return true()
    rules: list[ColumnElement[bool]] = []
    if trust_wide and Role.TRUST_LEAD in roles and actor.trust_id is not None:
        rules.append(SchoolClass.school_id.in_(select(School.id).where(School.trust_id == actor.trust_id)))
    if Role.COORDINATOR in roles and actor.school_id is not None:
        rules.append(SchoolClass.school_id == actor.school_id)
    if Role.STAFF in roles and actor.school_id is not None:
        rules.append(and_(SchoolClass.school_id == actor.school_id,
                          SchoolClass.id.in_(select(ClassTeacher.class_id).where(ClassTeacher.user_id == actor.id))))
    return or_(*rules) if rules else false()


def shows_my_classes(actor: Any) -> bool:
    """Whether "My classes" belongs in the actor's menu: coordinators always; staff who teach a class this year."""
    if not can(actor, Permission.TEACH_CLASSES):
        return False
    if Role.COORDINATOR in actor.roles:
        return True
    return db.session.scalar(select(SchoolClass.id).where(visible_classes(actor)).limit(1)) is not None


def visible_schools(actor: Any) -> ColumnElement[bool]:
    """A filter on :class:`School` rows: the schools whose records the actor oversees.

    Coordinators and governors their own school; trust leads their trust's schools; administrators
    every school; anyone else none.
    """
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return false()
    roles = actor.roles
    if Role.ADMIN in roles:
        return true()
    rules: list[ColumnElement[bool]] = []
    if Role.TRUST_LEAD in roles and actor.trust_id is not None:
        rules.append(School.trust_id == actor.trust_id)
    if roles & {Role.COORDINATOR, Role.GOVERNOR} and actor.school_id is not None:
        rules.append(School.id == actor.school_id)
    return or_(*rules) if rules else false()


def overseen_schools(actor: Any) -> list[School]:
    """The schools whose records the actor oversees (:func:`visible_schools`), by name."""
    return list(db.session.scalars(select(School).where(visible_schools(actor)).order_by(School.name)))


def holds_safeguarding_duty(actor: Any) -> bool:
    """Staff holding the DSL or deputy DSL duty (one query: duties are loaded when asked for)."""
    return (can(actor, Permission.USE_SITE) and Role.STAFF in actor.roles and actor.school_id is not None
            and bool(actor.duties))


def may_read_concerns(actor: Any) -> bool:
    """The concern log: staff holding the DSL or deputy DSL duty, for their own school, and nobody else
    (not the class teacher, not the coordinator unless also a DSL, not a trust lead, not an administrator)."""
    return holds_safeguarding_duty(actor)


def concern_reach(actor: Any) -> ColumnElement[bool] | None:
    """Which pupils the actor may report a concern about, as a filter on ``User``; None: only themselves.

    Pupils report about themselves (None); parents about their own children on roll; staff and
    coordinators about any pupil on roll of their school. Nobody reports about another school's pupils.
    """
    if not can(actor, Permission.REPORT_CONCERN) or actor.school_id is None:
        return false()
    if Role.PUPIL in actor.roles:
        return None
    on_roll = and_(User.school_id == actor.school_id, User.left_at.is_(None), User.erased_at.is_(None),
                   User.id.in_(select(UserRole.user_id).where(UserRole.role == Role.PUPIL)))
    if actor.roles & {Role.STAFF, Role.COORDINATOR}:
        return on_roll
    return and_(on_roll, User.id.in_(select(ParentLink.child_id).where(ParentLink.parent_id == actor.id)))


def may_keep_filtering_log(actor: Any) -> bool:
    """The filtering and monitoring logs: the coordinator and the DSL and deputies of the school."""
    return (can(actor, Permission.KEEP_FILTERING_LOG) and actor.school_id is not None) or holds_safeguarding_duty(actor)


def may_view_training_record(actor: Any) -> bool:
    """The training record: coordinators, trust leads, administrators, and the DSL and deputies."""
    return can(actor, Permission.VIEW_TRAINING_RECORD) or holds_safeguarding_duty(actor)


def training_record_schools(actor: Any) -> list[School]:
    """The schools whose training record the actor sees, by name: those they oversee (coordinator,
    trust lead, administrator), or their own school for the DSL and deputies; none for anyone else."""
    if can(actor, Permission.VIEW_TRAINING_RECORD):
        return overseen_schools(actor)
    if holds_safeguarding_duty(actor):
        return list(db.session.scalars(select(School).where(School.id == actor.school_id)))
    return []


def may_see_training_of(actor: Any, person: User) -> bool:
    """Whose training and certificates the actor may see: their own, or anyone's in a school whose
    training record they see."""
    if person.id == getattr(actor, "id", None):
        return True
    return person.school_id is not None and any(
        school.id == person.school_id for school in training_record_schools(actor))


def may_see_certificate(actor: Any, holder: User, issued_by_school_id: int) -> bool:
    """A certificate: whoever may see its holder's training (:func:`may_see_training_of`), and whoever
    sees the training record of the school that issued it (the holder may since have moved school)."""
    return may_see_training_of(actor, holder) or any(
        school.id == issued_by_school_id for school in training_record_schools(actor))


def may_manage_training_of(actor: Any, person: User) -> bool:
    """Who records (and removes) a person's training done elsewhere: their school's coordinator, or an
    administrator (``Permission.MANAGE_TRAINING``)."""
    if person.school_id is None or not can(actor, Permission.MANAGE_TRAINING):
        return False
    return Role.ADMIN in actor.roles or actor.school_id == person.school_id


def overseen_school_or_404(actor: Any, school_id: int) -> School:
    """A school the actor oversees; any other is "not found"."""
    school = db.session.scalar(select(School).where(School.id == school_id, visible_schools(actor)))
    if school is None:
        abort(404)
    return school


def may_edit_audit_of(actor: Any, school: School) -> bool:
    """Only the school's own coordinator rates, drafts and signs off its audit."""
    return can(actor, Permission.EDIT_AUDIT) and actor.school_id == school.id


def may_read_unsigned_audit(actor: Any) -> bool:
    """Governors read signed audits only; the audit's editors and overseers read drafts too."""
    return can(actor, Permission.EDIT_AUDIT) or can(actor, Permission.EXPORT_RECORDS)


def get_visible_class_or_404(actor: Any, class_id: int, *, any_year: bool = False) -> SchoolClass:
    """Load a class the actor teaches or oversees this year; any other is "not found".

    With ``any_year``, a class of a past (or next) year that the actor taught or oversaw in its own
    year is found too: for reading its records, never for recording new ones. One query either way.
    """
    if not any_year:
        reach = visible_classes(actor)
    elif getattr(actor, "is_authenticated", False) and actor.is_active:
        reach = _classes_in_reach(actor)  # :func:`visible_classes` in the class's own year
    else:
        reach = false()
    school_class = db.session.scalar(select(SchoolClass).where(SchoolClass.id == class_id, reach))
    if school_class is None:
        abort(404)
    return school_class


def visible_records(actor: Any, user_id_column: Any, year: AcademicYear | None = None) -> ColumnElement[bool]:
    """A filter for any record table: rows whose ``user_id_column`` is a person ``actor`` may see.

    ``year`` is the academic year whose classes decide which pupils a teacher sees (default: now).
    """
    return user_id_column.in_(select(User.id).where(visible_users(actor, year)))


def can_view_user(actor: Any, user_id: int) -> bool:
    """True when ``actor`` may see the person ``user_id`` (the same rule as every list)."""
    found = db.session.scalar(select(User.id).where(User.id == user_id, visible_users(actor)))
    return found is not None


def may_open_own_record(actor: Any) -> bool:
    """Whether the actor has a record page of their own (``people.show_person``): those who may view
    people (staff, coordinators, parents). Governors and visitors follow their modules on their dashboard."""
    return can(actor, Permission.VIEW_PEOPLE)


def get_visible_user_or_404(actor: Any, user_id: int) -> User:
    """Load a person the actor may see; anyone else is "not found", so ids leak nothing."""
    user = db.session.scalar(select(User).where(User.id == user_id, visible_users(actor)))
    if user is None:
        abort(404)
    return user


def own_school_or_403(actor: Any) -> School:
    """The actor's own school, for jobs that always act on exactly one school (roster import).

    Trust leads and administrators have no school of their own and are refused.
    """
    school = getattr(actor, "school", None) if getattr(actor, "is_authenticated", False) else None
    if school is None:
        abort(403)
    return school


def get_school_record_or_404(actor: Any, model: Any, record_id: int) -> Any:
    """A school-owned record (one with ``school_id``) of the actor's own school; others are "not found"."""
    record = db.session.scalar(select(model).where(model.id == record_id,
                                                   model.school_id == own_school_or_403(actor).id))
    if record is None:
        abort(404)
    return record


# --- Managing schools and people -------------------------------------------------------------


def managed_schools(actor: Any) -> ColumnElement[bool]:
    """A filter on :class:`School`: the schools whose settings and people the actor manages.

    Administrators every school; a coordinator their own; anyone else none (trust leads oversee
    their schools' records but do not manage their people).
    """
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return false()
    if Role.ADMIN in actor.roles:
        return true()
    if Role.COORDINATOR in actor.roles and actor.school_id is not None:
        return School.id == actor.school_id
    return false()


def managed_school_or_404(actor: Any, school_id: int) -> School:
    """A school whose settings and people the actor manages (:func:`managed_schools`); else "not found"."""
    school = db.session.scalar(select(School).where(School.id == school_id, managed_schools(actor)))
    if school is None:
        abort(404)
    return school


def chosen_managed_school(actor: Any) -> School | None:
    """The school a settings page is about: ``?school=<id>`` when given (administrators choose one), else
    the actor's own; "not found" when the actor does not manage it; None for an administrator who has
    not chosen yet."""
    chosen = request.args.get("school", type=int)
    if chosen is not None:
        return managed_school_or_404(actor, chosen)
    if getattr(actor, "school_id", None) is not None:
        return managed_school_or_404(actor, actor.school_id)
    return None


def may_manage_person(actor: Any, person: User) -> bool:
    """Whether the actor may edit, disable or reset ``person`` (the rule of :func:`managed_person_or_404`)."""
    if person.school_id is None or not can(actor, Permission.MANAGE_PEOPLE):
        return False
    return Role.ADMIN in actor.roles or actor.school_id == person.school_id


def managed_person_or_404(actor: Any, user_id: int) -> User:
    """A person of a school the actor manages; anyone else (or a trust lead or administrator) is "not found"."""
    person = db.session.scalar(select(User).where(
        User.id == user_id, User.school_id.in_(select(School.id).where(managed_schools(actor)))))
    if person is None:
        abort(404)
    return person


# --- Managing a class's sign-in: codes, login cards, resetting pupils -------------------------


def can_manage_class(actor: Any, school_class: SchoolClass, year: AcademicYear | None = None) -> bool:
    """May ``actor`` run this class's sign-in: show its code, print its cards, reset its pupils?

    Only classes of the current academic year, and only people who hold VIEW_PEOPLE and:

    * teach the class (staff of its school listed as its teacher);
    * coordinate its school;
    * administer the platform.

    Trust leads oversee their schools' progress but do not run classes: they may not manage a
    class (login cards carry pupils' passwords, which only the people handing them out need).
    """
    if not can(actor, Permission.VIEW_PEOPLE):
        return False
    managed = select(SchoolClass.id).where(SchoolClass.id == school_class.id,
                                           visible_classes(actor, year, trust_wide=False))
    return db.session.scalar(managed) is not None


def managed_class_or_404(actor: Any, class_id: int) -> SchoolClass:
    """A class the actor may manage; any other (or none) is "not found", so class ids leak nothing."""
    school_class = db.session.get(SchoolClass, class_id)
    if school_class is None or not can_manage_class(actor, school_class):
        abort(404)
    return school_class


def class_pupil_or_404(actor: Any, school_class: SchoolClass, user_id: int) -> User:
    """A current pupil of a managed class whom the actor may also see (the access rules); else 404."""
    pupil = db.session.scalar(current_pupils_query(school_class.id).where(User.id == user_id))
    if pupil is None or not can_view_user(actor, pupil.id):
        abort(404)
    return pupil


def class_audience_ids(school_class: SchoolClass, pupils: list[User], catalogue: Catalogue) -> frozenset[str]:
    """The audiences a class is taught for: its pupils' key stages (its year group's when it is empty).

    A mixed-age class may span two key stages.
    """
    return catalogue.pupil_audience_ids({pupil.year_group for pupil in pupils} or {school_class.year_group})


def class_module_or_404(school_class: SchoolClass, pupils: list[User], module_id: str) -> Module:
    """A module of the class's audiences, to show on the board or record; any other is "not found"."""
    catalogue = current_catalogue()
    module = catalogue.modules.get(module_id)
    if module is None or module.audience not in class_audience_ids(school_class, pupils, catalogue):
        abort(404)
    return module


def class_agreement_or_404(school_class: SchoolClass, pupils: list[User], agreement_id: str) -> Agreement:
    """An agreement the class may sign together: one of its audiences', marked ``class_signing``
    (KS1: older pupils sign for themselves); any other is "not found"."""
    catalogue = current_catalogue()
    agreement = catalogue.agreements.get(agreement_id)
    if (agreement is None or not agreement.audiences & class_audience_ids(school_class, pupils, catalogue)
            or agreement.signing is not Signing.TICK or not agreement.class_signing):
        abort(404)
    return agreement


def class_board_agreement_or_404(school_class: SchoolClass, pupils: list[User], agreement_id: str) -> Agreement:
    """An agreement of the class's audiences, to read together on the board; any other is "not found"."""
    catalogue = current_catalogue()
    agreement = catalogue.agreements.get(agreement_id)
    if agreement is None or not agreement.audiences & class_audience_ids(school_class, pupils, catalogue):
        abort(404)
    return agreement


# --- What a learner may open ------------------------------------------------------------------


def learner_audience_ids(actor: Any) -> frozenset[str]:
    """The audiences the actor learns in (from their roles and year group); none when signed out."""
    if not getattr(actor, "is_authenticated", False):
        return frozenset()
    return current_catalogue().audience_ids_of(actor)


def learner_module_or_404(actor: Any, module_id: str) -> Module:
    """A module of one of the actor's audiences; any other module is "not found"."""
    module = current_catalogue().modules.get(module_id)
    if module is None or module.audience not in learner_audience_ids(actor):
        abort(404)
    return module


def learner_agreement_or_404(actor: Any, agreement_id: str) -> Agreement:
    """An agreement meant for one of the actor's audiences; any other is "not found"."""
    agreement = current_catalogue().agreements.get(agreement_id)
    if agreement is None or not agreement.audiences & learner_audience_ids(actor):
        abort(404)
    return agreement


# --- Files kept for their owner ----------------------------------------------------------------


Owned = TypeVar("Owned")


def own_upload_or_404(actor: Any, upload: Owned | None) -> Owned:
    """A stored upload (anything with ``school_id`` and ``user_id``) made by the actor in their own
    school; anyone else's, or a missing one, is "not found"."""
    if (upload is None or getattr(upload, "user_id", None) != actor.id
            or getattr(upload, "school_id", None) != own_school_or_403(actor).id):
        abort(404)
    return upload
