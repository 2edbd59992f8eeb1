"""What a learner does next, and the picture that stands for a module.

The one place that decides "the next module": the picture-first dashboard's Next tile, the big Next
button after a young pupil passes a quiz and the "Next module" link older learners get after passing
all ask :func:`next_module`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from flask import url_for

from eduplatform.academic_year import AcademicYear
from eduplatform.catalogue.model import Catalogue, Module, ModuleContent, Requirement
from eduplatform.records import queries
from eduplatform.records.queries import ModuleState, ModuleStatus
from eduplatform.roles import Role


@dataclass(frozen=True)
class Picture:
    """A picture from the content: its address (as the lesson HTML has it) and what it shows."""

    src: str
    alt: str


class _FirstImage(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: Picture | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img" and self.found is None:
            values = dict(attrs)
            if values.get("src"):
                self.found = Picture(str(values["src"]), str(values.get("alt") or ""))


def module_picture(content: ModuleContent) -> Picture | None:
    """The first picture of the module's lessons, in lesson order: the module's card picture."""
    for lesson in content.lessons:
        parser = _FirstImage()
        parser.feed(str(lesson.html))
        if parser.found is not None:
            return parser.found
    return None


def learner_can_finish(module: Module) -> bool:
    """Whether the learner can complete the module themself (not only by a teacher recording attendance)."""
    return bool(module.completion - {Requirement.ATTENDANCE})


def next_module(modules: Sequence[Module], statuses: Mapping[str, ModuleStatus],
                skip: str | None = None) -> Module | None:
    """The first module in programme order that is not completed yet, leaving out ``skip``.

    Modules only a teacher can complete (attendance) are left out: the learner cannot do them alone.
    ``modules`` are the learner's modules in programme order; ``statuses`` their states this year.
    """
    for module in modules:
        if module.id == skip or not learner_can_finish(module):
            continue
        status = statuses.get(module.id)
        if status is None or status.state is not ModuleState.COMPLETED:
            return module
    return None


def next_module_for(user: Any, catalogue: Catalogue, year: AcademicYear, skip: str | None = None) -> Module | None:
    """:func:`next_module` among the person's own modules in ``year`` (one query)."""
    modules = catalogue.in_term_order(catalogue.modules_for(catalogue.audience_ids_of(user)))
    return next_module(modules, queries.module_statuses(user, user.id, modules, year), skip=skip)


def first_step_url(module: Module) -> str:
    """Where a module starts: its first lesson, else its quiz, else its overview page."""
    if module.lesson_ids:
        return url_for("learning.show_lesson", module_id=module.id, lesson_id=module.lesson_ids[0])
    if module.has_quiz:
        return url_for("learning.take_quiz", module_id=module.id)
    return url_for("learning.show_module", module_id=module.id)


def continue_url(module: Module, read: set[str]) -> str:
    """Where to carry on with a module: its first lesson not read yet, else its quiz, else its overview."""
    unread = next((lesson_id for lesson_id in module.lesson_ids if lesson_id not in read), None)
    if unread is not None:
        return url_for("learning.show_lesson", module_id=module.id, lesson_id=unread)
    if module.has_quiz:
        return url_for("learning.take_quiz", module_id=module.id)
    return url_for("learning.show_module", module_id=module.id)


@dataclass(frozen=True)
class Progress:
    """How many of a pupil's modules are completed this year (the ring on their dashboard)."""

    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def pupil_progress(user: Any, modules: Sequence[Module], statuses: Mapping[str, ModuleStatus]) -> Progress | None:
    """A pupil's completed modules out of their modules this year; None for adults (no ring for them)."""
    if not user.has_role(Role.PUPIL) or not modules:
        return None
    done = sum(1 for module in modules if statuses[module.id].state is ModuleState.COMPLETED)
    return Progress(done, len(modules))
