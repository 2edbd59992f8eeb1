"""Education for a Connected World statements (``curriculum/statements.yaml``) and who may name them.

Pupil lessons (``lesson_statements`` of a module in ``curriculum/modules/``) and quiz questions
(``statements`` of a question in ``quiz.yaml``) name the statements they teach. A statement named by
pupil content must be of the module's age band, and of the module's strands (lessons) or the
question's strand (questions). Staff, DSL, parents' and visitors' content may name pupil statements
of any band (what they help children learn); governors' content names none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from eduplatform.catalogue.files import Problems, read_yaml

#: The framework's four age bands, youngest first (``age_band`` of the pupil audiences).
AGE_BANDS = ("4-7", "7-11", "11-14", "14-18")
#: Adult audiences whose content never names statements (they oversee rather than teach).
NO_STATEMENT_AUDIENCES = frozenset({"governors"})
STATEMENT_ID = re.compile(r"^[a-z]+-\d+-\d+-\d\d$")


@dataclass(frozen=True)
class Statement:
    """One thing a pupil can do, in our own short words."""

    id: str
    strand: str
    age_band: str
    text: str


@dataclass(frozen=True)
class StatementCatalogue:
    """Every statement by id, in file order."""

    by_id: Mapping[str, Statement] = field(default_factory=dict)

    def in_band(self, age_band: str) -> tuple[Statement, ...]:
        """The statements of one age band, in file order."""
        return tuple(statement for statement in self.by_id.values() if statement.age_band == age_band)

    def in_strand(self, strand: str, age_band: str | None = None) -> tuple[Statement, ...]:
        """The statements of one strand (optionally of one age band), in file order."""
        return tuple(statement for statement in self.by_id.values()
                     if statement.strand == strand and (age_band is None or statement.age_band == age_band))


EMPTY_STATEMENTS = StatementCatalogue()


def read_statements(root: Path, strands: tuple[str, ...], problems: Problems) -> StatementCatalogue:
    """Read ``statements.yaml`` (optional): strand -> age band -> {id: text}."""
    path = root / "statements.yaml"
    if not path.exists():
        return EMPTY_STATEMENTS
    data = read_yaml(path, problems)
    if not isinstance(data, dict) or not isinstance(data.get("statements"), dict):
        problems.add(path, "must hold a mapping under 'statements': strand -> age band -> {id: text}")
        return EMPTY_STATEMENTS
    found: dict[str, Statement] = {}
    for strand, bands in data["statements"].items():
        if strand not in strands:
            problems.add(path, f"unknown strand '{strand}'")
            continue
        if not isinstance(bands, dict):
            problems.add(path, f"strand '{strand}': must map age bands ({', '.join(AGE_BANDS)}) to statements")
            continue
        for band, items in bands.items():
            band = str(band)
            if band not in AGE_BANDS or not isinstance(items, dict):
                problems.add(path, f"strand '{strand}': '{band}' must be one of {', '.join(AGE_BANDS)} "
                                   "holding {id: text}")
                continue
            for statement_id, text in items.items():
                where = f"strand '{strand}' band '{band}' statement {statement_id!r}"
                if not isinstance(statement_id, str) or not STATEMENT_ID.match(statement_id) \
                        or f"-{band}-" not in statement_id:
                    problems.add(path, f"{where}: id must be <prefix>-{band}-<NN>, e.g. rel-{band}-01")
                    continue
                if statement_id in found:
                    problems.add(path, f"duplicate statement id '{statement_id}'")
                    continue
                if not isinstance(text, str) or not text.strip():
                    problems.add(path, f"{where}: needs a one-line text")
                    continue
                found[statement_id] = Statement(statement_id, strand, band, text.strip())
    return StatementCatalogue(MappingProxyType(found))


def read_statement_list(path: Path, where: str, value: Any, problems: Problems) -> tuple[str, ...]:
    """A ``statements: [ids]`` value: a list of strings, each once."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        problems.add(path, f"{where}: statements must be a list of statement ids, e.g. [rel-7-11-03]")
        return ()
    for duplicate in sorted({item for item in value if value.count(item) > 1}):
        problems.add(path, f"{where}: statement '{duplicate}' is listed twice")
    return tuple(dict.fromkeys(value))


def check_statements(path: Path, where: str, statement_ids: Iterable[str], catalogue: StatementCatalogue,
                     audience_id: str, age_band: str | None, strands: Iterable[str], problems: Problems) -> None:
    """Report each statement id that is unknown, or not allowed for this audience, band and strands.

    ``age_band`` is the module audience's band (None for adults: any band); ``strands`` the strands
    the statements must belong to.
    """
    allowed_strands = set(strands)
    for statement_id in statement_ids:
        statement = catalogue.by_id.get(statement_id)
        if audience_id in NO_STATEMENT_AUDIENCES:
            problems.add(path, f"{where}: '{audience_id}' content names no statements ('{statement_id}')")
        elif statement is None:
            problems.add(path, f"{where}: unknown statement '{statement_id}' (see curriculum/statements.yaml)")
        elif age_band is not None and statement.age_band != age_band:
            problems.add(path, f"{where}: statement '{statement_id}' is for ages {statement.age_band}, "
                               f"not this module's {age_band}")
        elif statement.strand not in allowed_strands:
            problems.add(path, f"{where}: statement '{statement_id}' is in strand '{statement.strand}', "
                               f"not {', '.join(sorted(allowed_strands))}")
