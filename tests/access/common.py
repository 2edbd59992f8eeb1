"""Shared pieces of the access matrix."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("anonymous", "pupil", "staff", "governor", "parent", "visitor", "coordinator", "trust_lead", "admin",
         "other_coordinator")


@dataclass(frozen=True)
class Case:
    method: str
    #: Path, with ``{placeholders}`` filled from the world's objects.
    path: str
    expected: dict[str, int]
    #: Form data; keys and values may use placeholders too.
    data: tuple[tuple[str, str], ...] = ()


def everyone(status: int, **overrides: int) -> dict[str, int]:
    table = dict.fromkeys(ROLES, status)
    table.update(overrides)
    return table
