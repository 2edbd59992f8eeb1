"""Finding classes by code and the pupils on a class's sign-in page. Queries return; views decide."""

from __future__ import annotations

from sqlalchemy import select

from eduplatform.accounts.models import User
from eduplatform.db import db
from eduplatform.roles import Role
from eduplatform.schools.models import SchoolClass
from eduplatform.schools.queries import current_pupils_query, pupils_of
from eduplatform.schools.years import current_year
from eduplatform.signin.pictures import AVATARS, SECRET_PICTURES, uses_pictures
from eduplatform.signin.services import code_is_current, is_well_formed_code, normalise_code


def class_by_code(code: str) -> SchoolClass | None:
    """This academic year's class with that sign-in code, while the code is current (last year's codes,
    and codes whose school day has ended, no longer work)."""
    code = normalise_code(code)
    if not is_well_formed_code(code):
        return None
    school_class = db.session.scalar(select(SchoolClass).where(SchoolClass.sign_in_code == code))
    if school_class is None or school_class.academic_year != current_year(school_class.school).start_year:
        return None
    if not code_is_current(school_class):
        return None
    return school_class


def signs_in_with_pictures(user: User) -> bool:
    """A current pupil of Reception to Year 2 (and Nursery) who has secret pictures."""
    return (uses_pictures(user.year_group) and bool(user.picture_secret_hash) and user.is_active
            and Role.PUPIL in user.roles)


def picture_pupils(school_class: SchoolClass) -> list[User]:
    """The pupils shown as tiles on the class's sign-in page."""
    return [pupil for pupil in pupils_of(school_class) if signs_in_with_pictures(pupil)]


def picture_pupil(school_class: SchoolClass, user_id: int) -> User | None:
    """A current pupil of this class who signs in with pictures, or None.

    The same answer whether the id does not exist, is in another class or school, has left or
    signs in with a password: a class code reveals nothing beyond its own sign-in page.
    """
    pupil = db.session.scalar(current_pupils_query(school_class.id).where(User.id == user_id))
    return pupil if pupil is not None and signs_in_with_pictures(pupil) else None


def avatar_of(user: User) -> str:
    """The pupil's avatar id (a stable one when none was chosen)."""
    return user.avatar if user.avatar in AVATARS else AVATARS[user.id % len(AVATARS)]


def card_pictures_of(user: User) -> tuple[str, ...]:
    """The picture sequence for the pupil's card, or () when the card secret is not a picture sequence."""
    if not uses_pictures(user.year_group) or not user.card_secret:
        return ()
    sequence = tuple(user.card_secret.split("-"))
    return sequence if all(picture in SECRET_PICTURES for picture in sequence) else ()
