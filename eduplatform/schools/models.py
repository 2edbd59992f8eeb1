"""Trusts, schools and classes: the tenancy every school-owned row hangs from."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, CheckConstraint, ColumnElement, ForeignKey, String, Text, UniqueConstraint, and_, or_
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduplatform.db import Base, personal_data, utcnow

#: Year groups as numbers: Nursery is -1, Reception is 0, then Year 1 to Year 13.
NURSERY, RECEPTION, LAST_YEAR_GROUP = -1, 0, 13


class Trust(Base):
    """A group of schools run together (a multi-academy trust)."""

    __tablename__ = "trust"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short, URL-safe, unique name, e.g. ``northfield-trust``.
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    #: Display name.
    name: Mapped[str] = mapped_column(String(200))

    schools: Mapped[list[School]] = relationship(back_populates="trust")


class School(Base):
    """One school: the tenant that owns its people, classes and records."""

    __tablename__ = "school"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The trust it belongs to, if any.
    trust_id: Mapped[Optional[int]] = mapped_column(ForeignKey("trust.id"), index=True)
    #: Short, URL-safe, unique name, e.g. ``oakfield-primary``.
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    #: Display name.
    name: Mapped[str] = mapped_column(String(200))
    #: Interface and content language when the user and browser do not choose one.
    default_locale: Mapped[str] = mapped_column(String(16), default="en")
    #: IANA time zone whose calendar date decides the school's academic year and shown dates.
    time_zone: Mapped[str] = mapped_column(String(64), default="Europe/London", server_default="Europe/London")
    #: When the school was added.
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: How to reach the DSL and deputies (room, phone, hours), shown in "Where to get help" with their names.
    dsl_contact: Mapped[Optional[str]] = mapped_column(Text)
    #: Single sign-on: ``google`` or ``microsoft`` (see :data:`SSO_PROVIDERS`); None for passwords only.
    sso_provider: Mapped[Optional[str]] = mapped_column(String(20))
    #: The email domain whose accounts may sign in with ``sso_provider``, e.g. ``oakfield.sch.uk``.
    sso_domain: Mapped[Optional[str]] = mapped_column(String(253))
    #: Microsoft: the school's directory (tenant) id; only tokens from that tenant are accepted.
    sso_tenant: Mapped[Optional[str]] = mapped_column(String(64))
    #: The school's own training periods, ``{rule_id: {"first_due_school_days": n, "renew_after_months": n,
    #: "due_by": "MM-DD"}}``, over the defaults in ``curriculum/training.yaml``; empty: the defaults.
    training_periods: Mapped[Any] = mapped_column(JSON, default=dict, server_default="{}")
    #: How long the school keeps each kind of record, ``{kind: days}`` over the defaults in
    #: :mod:`eduplatform.privacy.retention`; empty: the defaults.
    retention_periods: Mapped[Any] = mapped_column(JSON, default=dict, server_default="{}")
    #: How often the filtering and monitoring must be checked, in days (the standards ask for at
    #: least once a year); a check overdue shows amber, then red, on the coordinator's dashboard.
    filtering_check_days: Mapped[int] = mapped_column(default=365, server_default="365")

    trust: Mapped[Optional[Trust]] = relationship(back_populates="schools")
    help_contacts: Mapped[list[SchoolHelpContact]] = relationship(
        order_by="SchoolHelpContact.id", cascade="all, delete-orphan")


#: The single sign-on services a school can choose.
SSO_PROVIDERS = ("google", "microsoft")


class SchoolHelpContact(Base):
    """A school's own contact shown in "Where to get help" (a local service, the school nurse ...)."""

    __tablename__ = "school_help_contact"

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id", ondelete="CASCADE"), index=True)
    #: Who or what, e.g. ``Mrs Hussain, school counsellor``.
    name: Mapped[str] = mapped_column(String(200))
    #: How to reach them.
    detail: Mapped[str] = mapped_column(Text)
    #: Shown to pupils.
    for_pupils: Mapped[bool] = mapped_column(default=True)
    #: Shown to adults (staff, governors, parents, visitors).
    for_adults: Mapped[bool] = mapped_column(default=True)


class SchoolClass(Base):
    """A class (form, tutor group) in one school and academic year."""

    __tablename__ = "school_class"
    __table_args__ = (
        UniqueConstraint("school_id", "academic_year", "name"),
        CheckConstraint(f"year_group BETWEEN {NURSERY} AND {LAST_YEAR_GROUP}", name="year_group_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The owning school.
    school_id: Mapped[int] = mapped_column(ForeignKey("school.id"), index=True)
    #: The academic year it runs in (the calendar year it starts).
    academic_year: Mapped[int]
    #: The name the school uses, e.g. ``4B`` or ``Hedgehogs``.
    name: Mapped[str] = mapped_column(String(100))
    #: The year group of the class; None for mixed-age classes.
    year_group: Mapped[Optional[int]]
    #: Short code pupils (or the teacher's board) use to find the class's picture sign-in page.
    sign_in_code: Mapped[Optional[str]] = mapped_column(String(12), unique=True)
    #: When the code stops working (the end of the school day it was made); None: until replaced.
    sign_in_code_expires_at: Mapped[Optional[datetime]]

    school: Mapped[School] = relationship()

    @hybrid_method
    def code_works_at(self, now: datetime) -> bool:
        """The class has a sign-in code and it has not expired at ``now`` (also a SQL filter)."""
        expires = self.sign_in_code_expires_at
        return self.sign_in_code is not None and (expires is None or expires > now)

    @code_works_at.expression  # type: ignore[no-redef]
    def code_works_at(cls, now: datetime) -> ColumnElement[bool]:  # noqa: N805 (the class, as SQLAlchemy passes it)
        return and_(cls.sign_in_code.is_not(None),
                    or_(cls.sign_in_code_expires_at.is_(None), cls.sign_in_code_expires_at > now))


class ClassMember(Base):
    """A pupil in a class."""

    __tablename__ = "class_member"
    __table_args__ = (personal_data(subject=("user_id",), erase="keep_anonymised"),)

    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ClassTeacher(Base):
    """A member of staff who teaches a class (and so may see its pupils' records)."""

    __tablename__ = "class_teacher"
    __table_args__ = (personal_data(subject=("user_id",), erase="delete"),)

    class_id: Mapped[int] = mapped_column(ForeignKey("school_class.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )


def year_group_label(year_group: int | None) -> str:
    """Short school label for a year group number: N, R, 1 ... 13."""
    if year_group is None:
        return ""
    if year_group == NURSERY:
        return "N"
    if year_group == RECEPTION:
        return "R"
    return str(year_group)
