"""Users, the roles they hold and the parent-child links."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from eduplatform.crypto import EncryptedText
from eduplatform.db import Base, personal_data, utcnow
from eduplatform.i18n import _
from eduplatform.roles import Duty, Role
from eduplatform.schools.models import School

ROLE_ENUM = Enum(Role, name="role", values_callable=lambda roles: [role.value for role in roles],
                 native_enum=False, length=20, validate_strings=True)
DUTY_ENUM = Enum(Duty, name="duty", values_callable=lambda duties: [duty.value for duty in duties],
                 native_enum=False, length=20, validate_strings=True)


class User(UserMixin, Base):
    """A person who signs in: pupil, staff, governor, parent, visitor, coordinator or admin.

    Children's data is kept to the minimum: a first name and last name (shown as first name and
    initial), a year group and an optional school MIS id. No date of birth, no address.
    """

    __tablename__ = "user_account"
    __table_args__ = (
        UniqueConstraint("school_id", "external_id"),
        CheckConstraint("username = lower(username)", name="username_lowercase"),
        personal_data(subject=("id",), erase="person"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The school the person belongs to; None only for trust leads and administrators.
    school_id: Mapped[Optional[int]] = mapped_column(ForeignKey("school.id"), index=True)
    #: Trust leads: the trust whose schools they oversee.
    trust_id: Mapped[Optional[int]] = mapped_column(ForeignKey("trust.id"), index=True)
    #: Sign-in name, lower case, unique across the platform.
    username: Mapped[str] = mapped_column(String(80), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    #: Optional contact address for adults.
    email: Mapped[Optional[str]] = mapped_column(String(254))
    #: The school's MIS id, used to match people on roster re-import.
    external_id: Mapped[Optional[str]] = mapped_column(String(64))
    #: Werkzeug password hash; None means password sign-in is not possible.
    password_hash: Mapped[Optional[str]] = mapped_column(String(256))
    #: The person must choose a new password at the next sign-in.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    #: When the current first password was issued; adults' lapse after 14 days unused.
    first_password_issued_at: Mapped[Optional[datetime]]
    #: The TOTP secret of the person's authenticator app, encrypted (:mod:`eduplatform.crypto`); None: no MFA.
    mfa_secret: Mapped[Optional[str]] = mapped_column(String(255))
    #: The last TOTP time step accepted, so a code cannot be used twice.
    mfa_last_step: Mapped[Optional[int]]
    #: Random value embedded in the session cookie. Replacing it signs out every session.
    session_token: Mapped[str] = mapped_column(String(64))
    #: Failed sign-ins in a row; reset by a successful sign-in.
    failed_sign_ins: Mapped[int] = mapped_column(default=0)
    #: After too many failed sign-ins, password sign-in waits until this time.
    sign_in_blocked_until: Mapped[Optional[datetime]]
    #: Reception to Year 2: hash of the secret picture sequence used to sign in by tapping.
    picture_secret_hash: Mapped[Optional[str]] = mapped_column(String(256))
    #: The first password (or picture sequence) as printed on the login card. Kept only so the card
    #: can be printed again, encrypted at rest (``DATA_KEY``); cleared as soon as the person chooses
    #: their own password, and by the nightly purge once an adult's first password has lapsed.
    card_secret: Mapped[Optional[str]] = mapped_column(EncryptedText())
    #: Picture shown beside the pupil's name on the class sign-in page (a file under static/img/signin/).
    avatar: Mapped[Optional[str]] = mapped_column(String(100))
    #: Staff: employment start, from the roster; drives when induction is due.
    started_on: Mapped[Optional[date]]
    #: Pupils: -1 Nursery, 0 Reception, 1-13 Year 1-13. None for adults.
    year_group: Mapped[Optional[int]]
    #: Preferred interface language; None follows the browser and the school.
    locale: Mapped[Optional[str]] = mapped_column(String(16))
    #: Set when the account is disabled: it can no longer sign in.
    disabled_at: Mapped[Optional[datetime]]
    #: Set when the person left the school; their records are kept.
    left_at: Mapped[Optional[datetime]]
    #: Set when the person was erased (on request, or by the retention purge): the row stays as an
    #: anonymous stub so the school's figures do not change; nothing on it identifies anyone.
    erased_at: Mapped[Optional[datetime]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    school: Mapped[Optional[School]] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", back_populates="user"
    )
    #: Loaded when asked for (few pages need duties), so signing a request in costs no extra query.
    duty_rows: Mapped[list[UserDuty]] = relationship(cascade="all, delete-orphan", lazy="select")

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(row.role for row in self.role_rows)

    @property
    def duties(self) -> frozenset[Duty]:
        return frozenset(row.duty for row in self.duty_rows)

    def has_role(self, *roles: Role) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def is_active(self) -> bool:  # Flask-Login: disabled accounts cannot sign in.
        return self.disabled_at is None and self.left_at is None

    def get_id(self) -> str:  # Flask-Login: what the session cookie carries.
        return f"{self.id}.{self.session_token}"

    @property
    def display_name(self) -> str:
        """How the platform shows the person: pupils by first name and initial, adults in full;
        an erased person's stub as "Erased person"."""
        if self.erased_at is not None:
            return _("Erased person")
        if self.has_role(Role.PUPIL):
            return f"{self.first_name} {self.last_name[:1]}." if self.last_name else self.first_name
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def full_name(self) -> str:
        if self.erased_at is not None:
            return _("Erased person")
        return f"{self.first_name} {self.last_name}".strip()


class UserRole(Base):
    """One role held by a user."""

    __tablename__ = "user_role"
    __table_args__ = (personal_data(subject=("user_id",), erase="keep_anonymised"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(ROLE_ENUM, primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class UserDuty(Base):
    """A safeguarding duty (DSL or deputy) held by a member of staff."""

    __tablename__ = "user_duty"
    __table_args__ = (personal_data(subject=("user_id",), erase="delete"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    duty: Mapped[Duty] = mapped_column(DUTY_ENUM, primary_key=True)


class RecoveryCode(Base):
    """A one-time code that signs in instead of the authenticator app (its hash; shown once)."""

    __tablename__ = "recovery_code"
    __table_args__ = (personal_data(subject=("user_id",), erase="delete"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(256))
    used_at: Mapped[Optional[datetime]]


class ParentLink(Base):
    """A parent or carer linked to a child, so they can see that child's records."""

    __tablename__ = "parent_link"
    __table_args__ = (CheckConstraint("parent_id <> child_id", name="not_self"),
                      personal_data(subject=("parent_id", "child_id"), erase="delete"))

    parent_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    child_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class SetupCode(Base):
    """A one-time code from an invitation letter or email: a parent uses it to choose their password.

    Only a hash is stored (the code is shown once, on the letter). It works once and only until
    ``expires_at`` (30 days); issuing a new one for the same person ends the old one.
    """

    __tablename__ = "setup_code"
    __table_args__ = (
        Index("ix_setup_code_lookup", "lookup"),
        personal_data(subject=("user_id",), mentions=("issued_by_id",), erase="delete"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    #: The first characters of the code's SHA-256, to find the row without scanning every hash.
    lookup: Mapped[str] = mapped_column(String(16))
    #: The full hash of the code (compared in constant time).
    code_hash: Mapped[str] = mapped_column(String(128))
    #: ``letter`` (printed) or ``email``.
    sent_by: Mapped[str] = mapped_column(String(10))
    issued_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[Optional[datetime]]
