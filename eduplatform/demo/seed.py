"""Build the demo school: classes Reception to Year 11, pupils, staff, governors, parents.

Deterministic for a given ``seed``. Named accounts (listed in README.md) get their own password;
every other demo account shares one. Passwords are returned so the CLI can print them once.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass, field

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import User, UserDuty
from eduplatform.accounts.services import create_user, hash_password, link_parent
from eduplatform.demo.training import DemoStaff
from eduplatform.roles import Duty, Role
from eduplatform.schools.models import School, SchoolClass
from eduplatform.schools.services import (
    add_help_contact,
    assign_teacher,
    create_class,
    create_school,
    create_trust,
    enrol_pupil,
)
from eduplatform.schools.years import current_year
from eduplatform.signin.pictures import AVATARS, SECRET_LENGTH, SECRET_PICTURES, set_picture_secret, uses_pictures
from eduplatform.signin.services import ensure_sign_in_code

FIRST_NAMES = ["Amara", "Ben", "Chloe", "Dev", "Ella", "Finn", "Grace", "Hassan", "Isla", "Jacob", "Kiran",
               "Leah", "Mohammed", "Nia", "Oscar", "Priya", "Quinn", "Ruby", "Sami", "Tara", "Uzma", "Viktor",
               "Willow", "Xander", "Yara", "Zac", "Aoife", "Bartek", "Chiamaka", "Dylan", "Efe", "Freya"]
LAST_NAMES = ["Adeyemi", "Brown", "Chen", "Davies", "Evans", "Fernandes", "Green", "Hughes", "Iqbal", "Jones",
              "Kowalski", "Lewis", "Mensah", "Nowak", "O'Brien", "Patel", "Quirke", "Roberts", "Singh", "Taylor",
              "Ul-Haq", "Vaughan", "Williams", "Yilmaz"]
CLASS_NAMES = {0: "Hedgehogs", 1: "Owls", 2: "Foxes", 3: "3M", 4: "4B", 5: "5K", 6: "6T", 7: "7A", 8: "8C",
               9: "9R", 10: "10S", 11: "11L"}
PUPILS_PER_CLASS = 6
#: The trust's email domain (under the reserved example.org); each school's is a subdomain of it.
TRUST_DOMAIN = "northfield.example.org"


@dataclass
class DemoAccounts:
    """What the seeder made: the named accounts with their passwords, and the shared password."""

    named: dict[str, str] = field(default_factory=dict)
    shared_password: str = ""
    people: int = 0
    #: The secret pictures of the named Year 1 pupil (``pupil.ks1``), who signs in by tapping.
    ks1_pictures: tuple[str, ...] = ()
    #: The sign-in code of ``pupil.ks1``'s class (its tap-to-sign-in page is ``/tap/<code>``).
    ks1_class_code: str = ""


def _password(fixed: str | None) -> str:
    return fixed or secrets.token_urlsafe(9)


def seed_demo(*, password: str | None = None, seed: int = 2026, with_history: bool = True) -> DemoAccounts:
    """Create the demo trust, school, classes and people, with last year's and this year's records.

    Callers: ``flask seed-demo`` and tests (``with_history=False`` for just the people).
    """
    rng = random.Random(seed)  # noqa: S311 (names for demo people, not security)
    year = current_year()
    accounts = DemoAccounts(shared_password=_password(password))
    shared_hash = hash_password(accounts.shared_password)

    def give_card(pupil: User, password: str) -> None:
        """What the printed login card shows: pictures for Reception-Year 2, the password otherwise."""
        if uses_pictures(pupil.year_group):
            pupil.avatar = rng.choice(AVATARS)
            set_picture_secret(pupil, tuple(rng.sample(SECRET_PICTURES, SECRET_LENGTH)))
        else:
            pupil.card_secret = password

    trust = create_trust(name="Northfield Learning Trust", slug="northfield")
    school = create_school(name="Oakfield All-Through School", slug="oakfield", trust=trust)
    other = create_school(name="Riverside Primary School", slug="riverside", trust=trust)
    domains: dict[object, str] = {school.id: f"{school.slug}.{TRUST_DOMAIN}", other.id: f"{other.slug}.{TRUST_DOMAIN}"}
    classes: dict[int, SchoolClass] = {
        yg: create_class(school=school, name=name, year_group=yg, year=year) for yg, name in CLASS_NAMES.items()
    }

    def named(username: str, first: str, last: str, roles: set[Role], **extra: object) -> User:
        chosen = _password(password)
        accounts.named[username] = chosen
        accounts.people += 1
        # With one demo password for everyone it is hashed once (hashing is slow on purpose).
        hashed = shared_hash if chosen == accounts.shared_password else hash_password(chosen)
        email = demo_email(f"{first}.{last}", roles, domains.get(extra.get("school_id")))
        return create_user(username=username, first_name=first, last_name=last, roles=roles,
                           password_hash=hashed, email=email, **extra)  # type: ignore[arg-type]

    coordinator = named("coordinator", "Sarah", "Okafor", {Role.COORDINATOR, Role.STAFF}, school_id=school.id)
    dsl = named("dsl", "Ruth", "Adebayo", {Role.STAFF}, school_id=school.id)
    teacher = named("teacher", "Tom", "Hughes", {Role.STAFF}, school_id=school.id)
    new_staff = named("staff", "Grace", "Mensah", {Role.STAFF}, school_id=school.id)
    governor = named("governor", "Ian", "Roberts", {Role.GOVERNOR}, school_id=school.id)
    parent = named("parent", "Lucy", "Patel", {Role.PARENT}, school_id=school.id)
    named("visitor", "Alex", "Morgan", {Role.VISITOR}, school_id=school.id)
    pupil_ks2 = named("pupil.ks2", "Maya", "Patel", {Role.PUPIL}, school_id=school.id, year_group=5)
    pupil_ks3 = named("pupil.ks3", "Noah", "Evans", {Role.PUPIL}, school_id=school.id, year_group=8)
    pupil_ks4 = named("pupil.ks4", "Zara", "Singh", {Role.PUPIL}, school_id=school.id, year_group=10)
    pupil_ks1 = named("pupil.ks1", "Leo", "Patel", {Role.PUPIL}, school_id=school.id, year_group=1)
    named("trust.lead", "Helen", "Carter", {Role.TRUST_LEAD}, school_id=None, trust_id=trust.id)
    named("admin", "Platform", "Administrator", {Role.ADMIN}, school_id=None)
    named("riverside.coordinator", "Paul", "Adeyemi", {Role.COORDINATOR, Role.STAFF}, school_id=other.id)

    for pupil in (pupil_ks1, pupil_ks2, pupil_ks3, pupil_ks4):
        enrol_pupil(classes[pupil.year_group], pupil)
        give_card(pupil, accounts.named[pupil.username])
    accounts.ks1_pictures = tuple(pupil_ks1.card_secret.split("-"))
    link_parent(parent, pupil_ks2)
    link_parent(parent, pupil_ks1)
    assign_teacher(classes[1], teacher)  # a KS1 class
    assign_teacher(classes[4], teacher)  # a KS2 class
    assign_teacher(classes[7], coordinator)
    # The DSL is a member of staff (not the coordinator), with the teacher as deputy; the school's own
    # "Where to get help" entries.
    dsl.duty_rows = [UserDuty(duty=Duty.DSL)]
    teacher.duty_rows = [UserDuty(duty=Duty.DEPUTY_DSL)]
    school.dsl_contact = ("Mrs Adebayo's office is next to reception, or ask any adult to fetch her. "
                          "Mr Hughes is her deputy.")
    add_help_contact(school, name="Mr Brennan, school counsellor",
                     detail="The wellbeing room, Tuesday and Thursday lunchtimes; no appointment needed.",
                     for_pupils=True, for_adults=False)
    add_help_contact(school, name="Northfield Children's Services front door",
                     detail="For adults worried about a child who is not at our school: 020 7946 0123 (a demo number).",
                     for_pupils=False, for_adults=True)

    def population(first: str, last: str, roles: set[Role], **extra: object) -> User:
        username = f"{first}.{last}".lower().replace("'", "").replace(" ", "")
        suffix = 1
        while username + (str(suffix) if suffix > 1 else "") in used:
            suffix += 1
        username += str(suffix) if suffix > 1 else ""
        used.add(username)
        accounts.people += 1
        email = demo_email(username, roles, domains.get(extra.get("school_id")))
        return create_user(username=username, first_name=first, last_name=last, roles=roles,
                           password_hash=shared_hash, email=email, **extra)  # type: ignore[arg-type]

    used: set[str] = set(accounts.named)
    for year_group, school_class in classes.items():
        for _ in range(PUPILS_PER_CLASS):
            pupil = population(rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), {Role.PUPIL},
                               school_id=school.id, year_group=year_group)
            enrol_pupil(school_class, pupil)
            give_card(pupil, accounts.shared_password)
            if rng.random() < 0.5:
                carer = population(rng.choice(FIRST_NAMES), pupil.last_name, {Role.PARENT}, school_id=school.id)
                link_parent(carer, pupil)
        if year_group not in (1, 4, 7):
            class_teacher = population(rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), {Role.STAFF},
                                       school_id=school.id)
            assign_teacher(school_class, class_teacher)
    for year_group in (0, 1, 2):  # the youngest classes sign in by tapping: each gets a class code
        ensure_sign_in_code(classes[year_group], permanent=True)  # printed on the demo's login cards
    accounts.ks1_class_code = classes[pupil_ks1.year_group].sign_in_code or ""
    for _ in range(3):
        population(rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), {Role.GOVERNOR}, school_id=school.id)
    for _ in range(4):
        population(rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), {Role.PUPIL}, school_id=other.id,
                   year_group=rng.randint(0, 6))
    if with_history:
        _add_history(school, DemoStaff(coordinator=coordinator, dsl=dsl, deputy=teacher, new_starter=new_staff,
                                       governor=governor), classes, year, rng, parent)
    return accounts


def demo_email(name: str, roles: set[Role], school_domain: str | None) -> str | None:
    """A demo adult's email address, under the reserved ``example.org`` (reminders and digests need one):
    staff and governors at their school's, the trust's people at the trust's, parents and visitors
    their own. Pupils have none."""
    if Role.PUPIL in roles:
        return None
    local = name.lower().replace("'", "").replace(" ", "")
    if school_domain is not None and roles & {Role.STAFF, Role.COORDINATOR, Role.GOVERNOR}:
        return f"{local}@{school_domain}"
    return f"{local}@{'example.org' if roles & {Role.PARENT, Role.VISITOR} else TRUST_DOMAIN}"


def _add_history(school: School, named: DemoStaff, classes: dict[int, SchoolClass], year: AcademicYear,
                 rng: random.Random, parent: User) -> None:
    """Last year's records and signed audit, this year's autumn term under way (see demo/history.py),
    the staff's and governors' training over the years (demo/training.py), the parents'
    workshops: one held with its register and feedback, one coming (demo/workshops.py), and the
    concern log and the filtering and monitoring logs (demo/concerns.py)."""
    from eduplatform.catalogue import current_catalogue
    from eduplatform.demo.concerns import DemoConcerns
    from eduplatform.demo.history import DemoHistory, sign_last_years_audit
    from eduplatform.demo.training import DemoTraining, date_certificates
    from eduplatform.demo.workshops import add_demo_workshops

    catalogue = current_catalogue()
    history = DemoHistory(school, catalogue, rng, year)
    history.backdate_people()
    training = DemoTraining(history, named)
    training.set_start_dates()
    last_years = history.last_years_classes(classes)
    history.year_of_records(year.shifted(-1), last_years, finished=True)
    history.date_last_years_records()
    training.write_last_years_training()
    sign_last_years_audit(school, named.coordinator, catalogue, rng, year.shifted(-1))
    history.year_of_records(year, classes, finished=False)
    history.date_this_years_records(training.today)
    training.write_this_years_training()
    add_demo_workshops(school, named.deputy, parent, rng, training.today)
    date_certificates(school, catalogue)
    DemoConcerns(school, dsl=named.dsl, deputy=named.deputy, reporters=[named.deputy, named.new_starter, named.dsl],
                 governor=named.governor, coordinator=named.coordinator, today=training.today).write()
