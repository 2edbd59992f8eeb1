"""What a parent can talk about at home: the modules a child completed this term, with their prompts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from eduplatform.academic_year import AcademicYear, local_date
from eduplatform.catalogue.model import Catalogue, Module, Term
from eduplatform.records.queries import ModuleState, ModuleStatus


@dataclass(frozen=True)
class ModuleToTalkAbout:
    """A module a child completed this term and the "talk about it at home" prompts for their parent."""

    module_id: str
    title: str
    prompts: tuple[str, ...]


def completed_this_term(status: ModuleStatus, today: date, time_zone: str) -> bool:
    """True when the module was completed in today's term (the schedule's terms) of today's academic year."""
    if status.state is not ModuleState.COMPLETED or status.completed_at is None:
        return False
    day = local_date(status.completed_at, time_zone)
    return (day <= today and day in AcademicYear.containing(today)
            and Term.containing(day.month) is Term.containing(today.month))


def to_talk_about(catalogue: Catalogue, modules: Iterable[Module], statuses: Mapping[str, ModuleStatus],
                  locale: str, today: date, time_zone: str) -> list[ModuleToTalkAbout]:
    """The child's modules completed this term, in programme order, each with its prompts in ``locale``.

    A translation without prompts falls back to the programme's own language rather than showing none.
    """
    found = []
    for module in catalogue.in_term_order(tuple(modules)):
        if not completed_this_term(statuses[module.id], today, time_zone):
            continue
        content = catalogue.module_content(module.id, locale)
        prompts = content.at_home or catalogue.module_content(module.id, catalogue.fallback_locale).at_home
        if prompts:
            found.append(ModuleToTalkAbout(module.id, content.title, prompts))
    return found
