"""Picture passwords for pupils who cannot read or type yet (Reception to Year 2).

A pupil signs in by tapping their class, their own name (shown with their avatar), then their
secret pictures in order. The secret is a short sequence drawn from :data:`SECRET_PICTURES`;
it is stored hashed for checking and, as on the printed login card, in ``card_secret``.
"""

from __future__ import annotations

import secrets

from werkzeug.security import check_password_hash, generate_password_hash

from eduplatform.accounts.models import User
from eduplatform.accounts.services import PreparedSecret
from eduplatform.roles import Role

#: The pictures a secret is made of (files ``static/img/signin/<id>.svg``), in grid order.
SECRET_PICTURES = ("apple", "ball", "boat", "car", "cat", "dog", "fish", "house", "moon", "star", "sun", "tree")
#: Avatars shown beside pupils' names (files ``static/img/signin/avatar-<id>.svg``).
ANIMALS = ("bear", "duck", "fox", "frog", "hedgehog", "koala", "lion", "owl", "panda", "penguin", "rabbit",
           "tiger")
#: Every animal on its own circle, on a blue one and on a yellow one: 36, so a class of 30 can have
#: no two children with the same picture beside their name.
AVATARS = ANIMALS + tuple(f"{animal}-{colour}" for colour in ("sky", "sun") for animal in ANIMALS)


def avatar_not_in(taken: set[str] | frozenset[str]) -> str:
    """An avatar nobody in ``taken`` has (a random one of the free ones); any avatar when all are taken."""
    free = [avatar for avatar in AVATARS if avatar not in taken]
    choices = free or list(AVATARS)
    return choices[secrets.randbelow(len(choices))]
SECRET_LENGTH = 3
#: A picture secret is one of 12 x 11 x 10 = 1,320 sequences and is printed on the pupil's card, so a
#: slow hash would protect nothing; what stops guessing is the per-pupil and per-class limits. A fast
#: hash keeps importing a whole school's youngest pupils quick.
PICTURE_HASH_METHOD = "pbkdf2:sha256:10000"
#: Year groups that sign in with pictures: Nursery, Reception, Year 1, Year 2.
PICTURE_YEAR_GROUPS = frozenset({-1, 0, 1, 2})


def uses_pictures(year_group: int | None) -> bool:
    """Whether a pupil of this year group signs in with pictures instead of a password."""
    return year_group in PICTURE_YEAR_GROUPS


def picture_first(user: object) -> bool:
    """Whether the site shows this person its picture-first pages: a pupil of a picture year group.

    These are the children who cannot read yet (Nursery to Year 2): big picture cards, read-aloud
    buttons, stars instead of percentages. Staff looking at their work see the ordinary pages.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    return Role.PUPIL in getattr(user, "roles", ()) and uses_pictures(getattr(user, "year_group", None))


def new_picture_secret() -> tuple[str, ...]:
    """A random sequence of different pictures."""
    pool = list(SECRET_PICTURES)
    return tuple(pool.pop(secrets.randbelow(len(pool))) for _ in range(SECRET_LENGTH))


def encode(sequence: tuple[str, ...] | list[str]) -> str:
    return "-".join(sequence)


def prepare_picture_secret() -> PreparedSecret:
    """A new picture secret and its hash, made ahead of a long write (a roster import)."""
    sequence = new_picture_secret()
    return PreparedSecret("pictures", encode(sequence),
                          generate_password_hash(encode(sequence), method=PICTURE_HASH_METHOD))


def set_picture_secret(user: User, sequence: tuple[str, ...] | None = None,
                       prepared: PreparedSecret | None = None) -> tuple[str, ...]:
    """Give the pupil a (new) picture secret and avatar; returns the sequence for the login card.

    ``prepared`` (:func:`prepare_picture_secret`) carries one already hashed. Callers: roster
    import, the demo seeder, and a teacher resetting a pupil's pictures.
    """
    if prepared is not None:
        sequence = tuple(prepared.secret.split("-"))
        user.picture_secret_hash = prepared.hash
    else:
        sequence = sequence or new_picture_secret()
        user.picture_secret_hash = generate_password_hash(encode(sequence), method=PICTURE_HASH_METHOD)
    user.card_secret = encode(sequence)
    if user.avatar is None:
        user.avatar = AVATARS[secrets.randbelow(len(AVATARS))]
    return sequence


def picture_secret_matches(user: User, sequence: list[str]) -> bool:
    """Whether the tapped pictures are the pupil's secret, in order."""
    return bool(user.picture_secret_hash) and check_password_hash(user.picture_secret_hash, encode(sequence))

