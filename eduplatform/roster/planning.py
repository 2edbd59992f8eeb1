"""Comparing a parsed roster with the school's database: who is created, updated, unchanged or leaving.

Read-only: building a plan never writes, so the preview and ``--dry-run`` change nothing.
:func:`eduplatform.roster.services.apply_plan` carries a plan out.

Matching, within the school only (another school's people are never read for matching):

1. by ``external_id`` (including people marked as left: a returning pupil gets their account back);
2. else by ``username`` when the file gives one (a username used in another school is an error);
3. else, for a school's first import onto accounts made by hand, by name: when exactly one line of
   the file and exactly one active person of the school (pupil or adult alike) share a first and last
   name, and they do not have different external_ids.

Classes are matched by name (ignoring case and extra spaces) among the school's classes of the
academic year being imported; missing ones are created.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy import select

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import ParentLink, User, UserDuty
from eduplatform.accounts.usernames import UsernameAllocator
from eduplatform.db import db
from eduplatform.roles import Duty, Role
from eduplatform.roster.parsing import ParsedFile, RosterRow
from eduplatform.roster.problems import Problem
from eduplatform.schools.models import ClassMember, ClassTeacher, School, SchoolClass
from eduplatform.signin.pictures import uses_pictures

#: Import modes: add and update (the default; nobody is marked as left), or full sync.
MODES = ("add", "sync")
#: A full sync marking more than this share of the school's current people as left must be
#: confirmed by typing how many.
LEAVERS_NEEDING_CONFIRMATION = 0.10
#: Roles an import never gives or takes away.
KEPT_ROLES = frozenset({Role.TRUST_LEAD, Role.ADMIN})
_CHUNK = 500


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"


@dataclass
class PersonPlan:
    """What happens to the person on one line of the file."""

    row: RosterRow
    #: The matched account; None for someone new.
    user: User | None
    action: Action = Action.CREATE
    username: str = ""
    roles: frozenset[Role] = frozenset()
    #: What changes for an existing person (keys of ``CHANGE_LABELS`` in the views).
    changes: list[str] = field(default_factory=list)
    #: Class keys they should be in / teach this year; None leaves teaching untouched.
    class_keys: frozenset[str] = frozenset()
    teaching_keys: frozenset[str] | None = None
    #: Children's external_ids; None leaves the links untouched.
    children: frozenset[str] | None = None
    #: Safeguarding duties (staff); None leaves them untouched (the file has no duties column).
    duties: frozenset[Duty] | None = None

    @property
    def year_group(self) -> int | None:
        return self.row.year_group if Role.PUPIL in self.roles else None

    @property
    def needs_pictures(self) -> bool:
        """A new (or picture-less) pupil of Nursery to Year 2 gets secret pictures."""
        if Role.PUPIL not in self.roles or not uses_pictures(self.year_group):
            return False
        return self.user is None or self.user.picture_secret_hash is None

    @property
    def needs_password(self) -> bool:
        """New people other than the youngest pupils, and pupils moving up out of pictures, get a first password."""
        if Role.PUPIL in self.roles and uses_pictures(self.year_group):
            return False
        return self.user is None or (Role.PUPIL in self.roles and self.user.password_hash is None)


@dataclass
class ClassPlan:
    key: str
    name: str
    existing: SchoolClass | None
    year_group: int | None = None


@dataclass
class RosterPlan:
    """Everything an import would do; ``errors`` non-empty means it must not be applied."""

    school: School
    year: AcademicYear
    rows: int
    people: list[PersonPlan] = field(default_factory=list)
    leavers: list[User] = field(default_factory=list)
    classes: dict[str, ClassPlan] = field(default_factory=dict)
    errors: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)
    #: This year's state, for applying: user id -> class ids; parent id -> child ids.
    membership: dict[int, set[int]] = field(default_factory=dict)
    teaching: dict[int, set[int]] = field(default_factory=dict)
    links: dict[int, set[int]] = field(default_factory=dict)
    #: The duties the school's people hold: user id -> duty values.
    duties: dict[int, set[str]] = field(default_factory=dict)
    #: The school's people by external_id (children named in ``parent_of`` but not in the file).
    by_external_id: dict[str, User] = field(default_factory=dict)
    #: ``add`` (add and update; nobody is marked as left) or ``sync`` (the whole school's file).
    mode: str = "add"
    #: The school's people who have not left, before the import.
    current_people: int = 0

    @property
    def needs_typed_confirmation(self) -> bool:
        """A full sync that would mark more than :data:`LEAVERS_NEEDING_CONFIRMATION` of the school as left."""
        return len(self.leavers) > LEAVERS_NEEDING_CONFIRMATION * max(self.current_people, 1)

    def leavers_by_role(self) -> list[tuple[Role, int]]:
        """How many of each role would be marked as left (a person with several roles counts in each)."""
        found = Counter(role for user in self.leavers for role in user.roles)
        return [(role, found[role]) for role in Role if found[role]]

    @property
    def ok(self) -> bool:
        return not self.errors

    def of(self, action: Action) -> list[PersonPlan]:
        return [person for person in self.people if person.action is action]

    @property
    def new_classes(self) -> list[ClassPlan]:
        return [plan for plan in self.classes.values() if plan.existing is None]

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(person.action for person in self.people)
        return {"created": found[Action.CREATE], "updated": found[Action.UPDATE],
                "unchanged": found[Action.UNCHANGED], "left": len(self.leavers),
                "classes_created": len(self.new_classes)}

    @property
    def summary(self) -> str:
        """A fingerprint of the counts: the confirm step refuses a plan that changed since the preview."""
        return "-".join(str(value) for value in self.counts.values())


def class_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _name_key(first_name: str, last_name: str) -> tuple[str, str]:
    return (first_name.casefold(), last_name.casefold())


def build_plan(parsed: ParsedFile, school: School, year: AcademicYear, importer: User | None = None,
               mode: str = "add") -> RosterPlan:
    """Compare a parsed file with ``school`` in ``year``. Callers: roster services (web preview, CLI).

    In ``add`` mode nobody is marked as left; in ``sync`` mode everyone of the school not in the file
    is (except the importer and the school's last coordinators).
    """
    if mode not in MODES:
        raise ValueError(f"unknown import mode {mode!r}")
    plan = RosterPlan(school=school, year=year, rows=len(parsed.rows), errors=list(parsed.errors),
                      notices=list(parsed.notices), mode=mode)
    # The lines that parsed are checked against the school even when others have errors, so the
    # report lists every problem in one pass (an unknown parent_of child with a typo elsewhere).
    _Planner(plan, parsed, importer).run()
    plan.errors.sort(key=Problem.sort_key)
    if plan.errors:
        plan.people, plan.leavers = [], []
    return plan


class _Planner:
    def __init__(self, plan: RosterPlan, parsed: ParsedFile, importer: User | None) -> None:
        self.plan = plan
        self.parsed = parsed
        self.importer = importer if importer is not None and importer.school_id == plan.school.id else None
        school_id = plan.school.id
        self.users = list(db.session.scalars(select(User).where(User.school_id == school_id)))
        plan.by_external_id = {user.external_id: user for user in self.users if user.external_id}
        self.by_username = {user.username: user for user in self.users}
        self.owners = self._username_owners({row.username for row in parsed.rows if row.username})
        self.matched: dict[int, int] = {}
        #: external_id of each line of the file -> its matched account (None: someone new).
        self.in_file: dict[str, User | None] = {}

    def error(self, code: str, row: RosterRow, column: str, **params: object) -> None:
        self.plan.errors.append(Problem(code, row.line, self.parsed.headers.get(column, column), params))

    def _username_owners(self, usernames: set[str]) -> dict[str, User]:
        """Accounts (of any school) holding the usernames the file asks for."""
        owners = {name: user for name, user in self.by_username.items() if name in usernames}
        wanted = sorted(usernames - owners.keys())
        for start in range(0, len(wanted), _CHUNK):
            chunk = wanted[start:start + _CHUNK]
            owners.update((user.username, user) for user in db.session.scalars(
                select(User).where(User.username.in_(chunk))))
        return owners

    def run(self) -> None:
        rows = self.parsed.rows
        found = {row.line: self._match(row) for row in rows}
        self._match_by_name(rows, found)
        self.in_file = {row.external_id: found[row.line] for row in rows if row.external_id}
        self._load_classes_and_links()
        allocator = UsernameAllocator(
            reserved={row.username for row in rows if row.username},
            bases_for=[(row.first_name, row.last_name, row.is_pupil) for row in rows
                       if found[row.line] is None and not row.username])
        for row in rows:
            user = found[row.line]
            if user is not None:
                if user.id in self.matched and self.matched[user.id] != row.line:
                    self.error("same_person", row, "external_id", other=self.matched[user.id])
                    continue
                self.matched[user.id] = row.line
            self.plan.people.append(self._person(row, user, allocator))
        self._check_children()
        self._leavers()

    def _match(self, row: RosterRow) -> User | None:
        user = self.plan.by_external_id.get(row.external_id) if row.external_id else None
        if not row.username:
            return user
        owner = self.owners.get(row.username)
        if owner is None or (user is not None and owner.id == user.id):
            return user
        if owner.school_id != self.plan.school.id:
            self.error("username_other_school", row, "username", value=row.username)
            return None
        if user is not None or (row.external_id and owner.external_id and owner.external_id != row.external_id):
            self.error("username_other_person", row, "username", value=row.username)
            return None
        return owner

    def _match_by_name(self, rows: list[RosterRow], found: dict[int, User | None]) -> None:
        taken = {user.id for user in found.values() if user is not None}
        unmatched_rows = [row for row in rows if found[row.line] is None]
        row_names = Counter(_name_key(row.first_name, row.last_name) for row in unmatched_rows)
        candidates: dict[tuple[str, str], list[User]] = defaultdict(list)
        for user in self.users:
            if user.id not in taken and user.left_at is None and not user.roles & KEPT_ROLES:
                candidates[_name_key(user.first_name, user.last_name)].append(user)
        for row in unmatched_rows:
            key = _name_key(row.first_name, row.last_name)
            if row_names[key] == 1 and len(candidates.get(key, ())) == 1:
                user = candidates[key][0]
                if not (row.external_id and user.external_id):
                    found[row.line] = user

    def _load_classes_and_links(self) -> None:
        plan = self.plan
        classes = db.session.scalars(select(SchoolClass).where(
            SchoolClass.school_id == plan.school.id, SchoolClass.academic_year == plan.year.start_year))
        existing = {class_key(c.name): c for c in classes}
        pupil_years: dict[str, set[int | None]] = defaultdict(set)
        for row in self.parsed.rows:
            for name in row.classes:
                key = class_key(name)
                if key not in plan.classes:
                    plan.classes[key] = ClassPlan(key=key, name=name, existing=existing.get(key))
                if row.is_pupil:
                    pupil_years[key].add(row.year_group)
        for key, years in pupil_years.items():
            if len(years) == 1:
                plan.classes[key].year_group = next(iter(years))
        class_ids = [c.id for c in existing.values()]
        for table, target in ((ClassMember, plan.membership), (ClassTeacher, plan.teaching)):
            for user_id, class_id in db.session.execute(
                    select(table.user_id, table.class_id).where(table.class_id.in_(class_ids))):
                target.setdefault(user_id, set()).add(class_id)
        for user_id, duty in db.session.execute(select(UserDuty.user_id, UserDuty.duty).join(
                User, User.id == UserDuty.user_id).where(User.school_id == plan.school.id)):
            plan.duties.setdefault(user_id, set()).add(duty.value)
        parent_ids = [user.id for user in self.users]
        for start in range(0, len(parent_ids), _CHUNK):
            for parent_id, child_id in db.session.execute(select(ParentLink.parent_id, ParentLink.child_id).where(
                    ParentLink.parent_id.in_(parent_ids[start:start + _CHUNK]))):
                plan.links.setdefault(parent_id, set()).add(child_id)

    def _class_ids(self, keys: frozenset[str]) -> set[int] | None:
        """Existing class ids for ``keys``; None when one of them is still to be created."""
        ids = set()
        for key in keys:
            existing = self.plan.classes[key].existing
            if existing is None:
                return None
            ids.add(existing.id)
        return ids

    def _person(self, row: RosterRow, user: User | None, allocator: UsernameAllocator) -> PersonPlan:
        columns = self.parsed.columns
        roles = row.roles | (user.roles & KEPT_ROLES if user else frozenset())
        if user is not None and user is self.importer and Role.COORDINATOR in user.roles - roles:
            roles |= {Role.COORDINATOR}
            self.plan.notices.append(Problem("importer_keeps_coordinator", row.line))
        person = PersonPlan(row=row, user=user, roles=roles)
        if row.is_pupil:
            person.class_keys = frozenset({class_key(row.classes[0])})
        if Role.STAFF not in roles:
            person.teaching_keys = frozenset()
        elif "class" in columns:
            person.teaching_keys = frozenset(class_key(name) for name in row.classes)
        if Role.PARENT not in roles:
            person.children = frozenset()
        elif "parent_of" in columns:
            person.children = frozenset(row.parent_of)
        if Role.STAFF not in roles:
            person.duties = frozenset()  # only staff can hold a duty
        elif "duties" in columns:
            person.duties = row.duties
        if user is None:
            person.username = row.username or allocator.allocate(row.first_name, row.last_name, row.is_pupil)
            return person
        person.username = row.username or user.username
        person.changes = self._changes(person, user)
        person.action = Action.UPDATE if person.changes else Action.UNCHANGED
        return person

    def _changes(self, person: PersonPlan, user: User) -> list[str]:
        row, columns = person.row, self.parsed.columns
        checks = (
            ("name", (user.first_name, user.last_name) != (row.first_name, row.last_name)),
            ("roles", person.roles != user.roles),
            ("year_group", user.year_group != person.year_group),
            ("email", "email" in columns and not row.is_pupil and user.email != row.email),
            ("external_id", bool(row.external_id) and user.external_id != row.external_id),
            ("username", person.username != user.username),
            ("start_date", "start_date" in columns and Role.STAFF in person.roles
             and user.started_on != row.start_date),
            ("duties", person.duties is not None
             and {duty.value for duty in person.duties} != self.plan.duties.get(user.id, set())),
            ("returning", user.left_at is not None),
            ("class", self._class_ids(person.class_keys) != self.plan.membership.get(user.id, set())),
            ("teaching", person.teaching_keys is not None
             and self._class_ids(person.teaching_keys) != self.plan.teaching.get(user.id, set())),
            ("children", person.children is not None
             and self._child_ids(person.children) != self.plan.links.get(user.id, set())),
            ("pictures", person.needs_pictures),
            ("first_password", person.needs_password),
        )
        return [name for name, changed in checks if changed]

    def _child_ids(self, external_ids: frozenset[str]) -> set[int] | None:
        """Ids of the existing children; None when one of them is new (so the links change)."""
        ids = set()
        for external_id in external_ids:
            child = self.in_file[external_id] if external_id in self.in_file \
                else self.plan.by_external_id.get(external_id)
            if child is None:
                return None
            ids.add(child.id)
        return ids

    def _check_children(self) -> None:
        for row in self.parsed.rows:
            for external_id in row.parent_of:
                if external_id in self.in_file or external_id in self.parsed.external_ids_in_file:
                    continue
                child = self.plan.by_external_id.get(external_id)
                if child is None:
                    self.error("parent_of_unknown", row, "parent_of", value=external_id)
                elif Role.PUPIL not in child.roles:
                    self.error("parent_of_not_pupil_in_school", row, "parent_of", value=external_id)

    def _leavers(self) -> None:
        self.plan.current_people = sum(1 for user in self.users if user.left_at is None)
        if self.plan.mode != "sync":
            return
        importer_id = self.importer.id if self.importer is not None else None
        for user in self.users:
            if user.id in self.matched or user.left_at is not None or user.roles & KEPT_ROLES:
                continue
            if user.id == importer_id:
                self.plan.notices.append(Problem("importer_kept"))
                continue
            self.plan.leavers.append(user)
        self._keep_the_last_coordinators()

    def _keep_the_last_coordinators(self) -> None:
        """The school always keeps a coordinator: a file naming none (a command-line import of pupils,
        for example) leaves its current coordinators in place."""
        def coordinates(user: User) -> bool:
            return Role.COORDINATOR in user.roles and user.left_at is None and user.disabled_at is None

        leaving = {user.id for user in self.plan.leavers}
        if any(coordinates(user) and user.id not in leaving for user in self.users):
            return
        kept = [user for user in self.plan.leavers if coordinates(user)]
        if kept:
            self.plan.leavers = [user for user in self.plan.leavers if user not in kept]
            self.plan.notices.append(Problem("last_coordinator_kept",
                                             params={"names": ", ".join(user.full_name for user in kept)}))
