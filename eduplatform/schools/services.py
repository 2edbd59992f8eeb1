"""Creating trusts, schools and classes, and putting people in classes.

Callers: the demo seeder, the test factories and (later) roster import and administrators.
"""

from __future__ import annotations

from eduplatform.academic_year import AcademicYear
from eduplatform.accounts.models import User
from eduplatform.db import db
from eduplatform.roles import Role
from eduplatform.schools.models import ClassMember, ClassTeacher, School, SchoolClass, Trust


def create_trust(*, name: str, slug: str) -> Trust:
    trust = Trust(name=name, slug=slug)
    db.session.add(trust)
    db.session.flush()
    return trust


def create_school(*, name: str, slug: str, trust: Trust | None = None, default_locale: str = "en") -> School:
    school = School(name=name, slug=slug, trust_id=trust.id if trust else None, default_locale=default_locale)
    db.session.add(school)
    db.session.flush()
    return school


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
