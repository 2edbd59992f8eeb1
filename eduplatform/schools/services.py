"""Creating and changing trusts, schools and classes, and putting people in classes.

Callers: the demo seeder, the test factories, roster import, the ``create-school`` command, and the
admin and school settings pages. Bad values raise :class:`SchoolSetupError` with a message for the
person and change nothing.
"""

from __future__ import annotations

import re
import unicodedata
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from sqlalchemy import func, select

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import User
from eduplatform.db import db
from eduplatform.i18n import _
from eduplatform.roles import Role
from eduplatform.schools.models import (
    SSO_PROVIDERS,
    ClassMember,
    ClassTeacher,
    School,
    SchoolClass,
    SchoolHelpContact,
    Trust,
)

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
_DOMAIN = re.compile(r"^(?=.{3,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class SchoolSetupError(ValueError):
    """A trust or school change that cannot be made; ``str(error)`` is the message for the person.

    ``field`` names the school form's field the problem is about, when there is one: the form shows
    the message there (and in its error summary) rather than at the top of the page.
    """

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def slug_from_name(name: str) -> str:
    """A URL-safe short name from a display name: ``St Mary's C of E`` gives ``st-marys-c-of-e``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.sub(r"-{2,}", "-", re.sub(r"[^a-z0-9]+", "-", ascii_name.replace("'", ""))).strip("-")[:64]


def _checked_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise SchoolSetupError(_("Enter a name."), field="name")
    if len(name) > 200:
        raise SchoolSetupError(_("Use a name of at most 200 characters."), field="name")
    return name


def _checked_slug(model: type[School] | type[Trust], slug: str, *, exclude_id: int | None = None) -> str:
    slug = (slug or "").strip().lower()
    if not _SLUG.match(slug):
        raise SchoolSetupError(_("A short name uses only lower-case letters, digits and hyphens "
                                 "(for example oakfield-primary), at most 64 characters."), field="slug")
    taken = select(model.id).where(func.lower(model.slug) == slug)
    if exclude_id is not None:
        taken = taken.where(model.id != exclude_id)
    if db.session.scalar(taken) is not None:
        raise SchoolSetupError(_("The short name %(slug)s is already used. Choose another.", slug=slug), field="slug")
    return slug


def checked_locale(code: str) -> str:
    """A language code Babel knows (``en``, ``cy``, ``pl``, ``ur``); others are refused."""
    code = (code or "").strip().replace("-", "_")
    try:
        Locale.parse(code)
    except (ValueError, UnknownLocaleError):
        raise SchoolSetupError(_("%(code)s is not a language code (for example en or cy).", code=code),
                               field="default_locale") from None
    return code


def checked_time_zone(name: str) -> str:
    """An IANA time zone such as ``Europe/London``; others are refused."""
    name = (name or "").strip()
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SchoolSetupError(_("%(zone)s is not a time zone (for example Europe/London).", zone=name),
                               field="time_zone") from None
    return name


def lock_school(school_id: int) -> None:
    """Take changes to one school's people one at a time for the rest of the transaction (a row lock
    on PostgreSQL; SQLite has one writer). Callers: coordinator changes, roster undo."""
    db.session.execute(select(School.id).where(School.id == school_id).with_for_update())


def create_trust(*, name: str, slug: str | None = None) -> Trust:
    """Add a trust. Callers: administrators (web and ``create-school --trust``), the demo, tests."""
    name = _checked_name(name)
    trust = Trust(name=name, slug=_checked_slug(Trust, slug or slug_from_name(name)))
    db.session.add(trust)
    db.session.flush()
    return trust


def find_or_create_trust(name: str) -> Trust:
    """The trust with this name or short name, created when there is none (``create-school --trust``)."""
    name = _checked_name(name)
    found = db.session.scalar(select(Trust).where(
        (func.lower(Trust.name) == name.lower()) | (Trust.slug == slug_from_name(name))))
    return found or create_trust(name=name)


def rename_trust(trust: Trust, name: str) -> None:
    """Change a trust's display name (its short name stays). Callers: administrators."""
    trust.name = _checked_name(name)
    db.session.flush()


def create_school(*, name: str, slug: str, trust: Trust | None = None, default_locale: str = "en",
                  time_zone: str = "Europe/London") -> School:
    """Add a school. Callers: administrators (web and ``create-school``), the demo, tests."""
    school = School(name=_checked_name(name), slug=_checked_slug(School, slug),
                    trust_id=trust.id if trust else None, default_locale=checked_locale(default_locale),
                    time_zone=checked_time_zone(time_zone))
    db.session.add(school)
    db.session.flush()
    return school


def update_school(school: School, *, name: str | None = None, trust: Trust | None | bool = False,
                  default_locale: str, time_zone: str, dsl_contact: str | None) -> None:
    """Change a school's settings. ``name`` and ``trust`` (administrators only) stay when not given.

    Callers: the school settings page (coordinators of the school, administrators).
    """
    if name is not None:
        school.name = _checked_name(name)
    if trust is not False:
        school.trust_id = trust.id if isinstance(trust, Trust) else None
    school.default_locale = checked_locale(default_locale)
    school.time_zone = checked_time_zone(time_zone)
    dsl_contact = (dsl_contact or "").strip()
    if len(dsl_contact) > 1000:
        raise SchoolSetupError(_("Keep how to reach the DSL to at most 1,000 characters."), field="dsl_contact")
    school.dsl_contact = dsl_contact or None
    db.session.flush()


def set_single_sign_on(school: School, *, provider: str | None, domain: str | None, tenant: str | None) -> None:
    """Turn single sign-on on (``google`` or ``microsoft`` for one email domain) or off (``provider`` None).

    Microsoft needs the school's directory (tenant) id: only tokens from that tenant are accepted,
    because a Microsoft account's email is not proof of owning the address. Schools of one trust may
    share a domain (people are then found by email across them); schools of different trusts may not,
    so no school can make another's sign-in ambiguous. Callers: the school settings page.
    """
    if not provider:
        school.sso_provider = school.sso_domain = school.sso_tenant = None
        db.session.flush()
        return
    if provider not in SSO_PROVIDERS:
        raise SchoolSetupError(_("Choose Google or Microsoft."), field="sso_provider")
    domain = (domain or "").strip().lower().lstrip("@")
    if not _DOMAIN.match(domain):
        raise SchoolSetupError(_("Enter the email domain of the school's accounts, for example oakfield.sch.uk."),
                               field="sso_domain")
    tenant = (tenant or "").strip().lower() or None
    if provider == "microsoft" and (tenant is None or not re.fullmatch(r"[0-9a-f-]{36}", tenant)):
        raise SchoolSetupError(_("For Microsoft, enter the school's directory (tenant) ID: 36 characters "
                                 "such as 72f988bf-86f1-41af-91ab-2d7cd011db47, from the Microsoft Entra admin "
                                 "centre."), field="sso_tenant")
    others = select(School.trust_id).where(School.sso_provider == provider, School.sso_domain == domain,
                                           School.id != school.id)
    if any(trust_id is None or trust_id != school.trust_id for trust_id in db.session.scalars(others)):
        raise SchoolSetupError(_("Another school already signs in with %(domain)s accounts. Only schools of one "
                                 "trust may share a domain.", domain=domain), field="sso_domain")
    school.sso_provider, school.sso_domain = provider, domain
    school.sso_tenant = tenant if provider == "microsoft" else None
    db.session.flush()


def add_help_contact(school: School, *, name: str, detail: str, for_pupils: bool,
                     for_adults: bool) -> SchoolHelpContact:
    """Add one of the school's own "Where to get help" contacts. Callers: the school settings page."""
    name, detail = " ".join((name or "").split()), (detail or "").strip()
    if not name or not detail:
        raise SchoolSetupError(_("Enter who the contact is and how to reach them."))
    if len(name) > 200 or len(detail) > 1000:
        raise SchoolSetupError(_("Keep the name to 200 characters and how to reach them to 1,000."))
    if not (for_pupils or for_adults):
        raise SchoolSetupError(_("Choose who sees the contact: pupils, adults or both."))
    contact = SchoolHelpContact(school_id=school.id, name=name, detail=detail, for_pupils=for_pupils,
                                for_adults=for_adults)
    db.session.add(contact)
    db.session.flush()
    return contact


def remove_help_contact(contact: SchoolHelpContact) -> None:
    """Remove one of the school's own help contacts. Callers: the school settings page."""
    db.session.delete(contact)
    db.session.flush()


def create_class(*, school: School, name: str, year_group: int | None, year: AcademicYear) -> SchoolClass:
    school_class = SchoolClass(school_id=school.id, name=name, year_group=year_group, academic_year=year.start_year)
    db.session.add(school_class)
    db.session.flush()
    return school_class


def _same_school(school_class: SchoolClass, user: User) -> None:
    if user.school_id != school_class.school_id:
        raise ValueError("a person can only join a class of their own school")


def enrol_pupil(school_class: SchoolClass, pupil: User) -> None:
    """Put a pupil in a class of their school."""
    _same_school(school_class, pupil)
    if Role.PUPIL not in pupil.roles:
        raise ValueError("only pupils are enrolled in classes")
    db.session.add(ClassMember(class_id=school_class.id, user_id=pupil.id))
    db.session.flush()


def assign_teacher(school_class: SchoolClass, teacher: User) -> None:
    """Make a member of staff a teacher of a class of their school."""
    _same_school(school_class, teacher)
    if Role.STAFF not in teacher.roles:
        raise ValueError("only staff teach classes")
    db.session.add(ClassTeacher(class_id=school_class.id, user_id=teacher.id))
    db.session.flush()
